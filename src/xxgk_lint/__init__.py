"""xxgk-lint: a compliance linter for 政府信息公开工作年度报告.

Pipeline: ``read`` (file -> Document) -> ``parse`` (Document -> Report) -> ``check``
(Report + rules -> Findings) -> ``render`` (Findings -> text/JSON/SARIF/HTML).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("xxgk-lint")
except PackageNotFoundError:  # pragma: no cover - running from an uninstalled tree
    __version__ = "0.0.0"

__all__ = ["__version__"]
