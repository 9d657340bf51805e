"""xxgk-lint: a compliance linter for 政府信息公开工作年度报告.

Pipeline: ``read`` (file -> Document) -> ``parse`` (Document -> Report) -> ``check``
(Report + rules -> Findings) -> ``render`` (Findings -> text/JSON/SARIF/HTML).
"""

# The one place the version is written: pyproject.toml reads it from here (hatch's version
# source), so the package need not import importlib.metadata (≈50 ms) at start-up.
__version__ = "0.1.0"

__all__ = ["__version__"]
