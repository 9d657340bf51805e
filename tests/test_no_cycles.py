"""A checked report is freed by reference counting: no reference cycle keeps it for the collector.

A report's objects (~1 500 of them) left in a cycle cost the cycle collector a scan each, and keep
the report's memory until a collection runs; in a batch that was 6-9% of the time."""

from __future__ import annotations

import gc
from collections import Counter
from pathlib import Path

import pytest

from xxgk_lint.pipeline import Options, lint_path

FIXTURES = Path(__file__).parent / "fixtures"


def _page(tmp_path: Path) -> Path:
    """The clean 2019 report as a web page, with injected hidden spam (the hidden-text walk)."""
    from benchmarks.bench import to_html

    page = to_html((FIXTURES / "clean-2019.txt").read_text(encoding="utf-8"), "年度报告")
    page = page.replace("</body>", '<div style="display:none"><p>pg<b>电子</b> www.spam-a.vip</p></div></body>')
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["clean-2019.txt", "clean-2021.txt", "seeds/004_09f4574b615ba3f1.txt", "clean-2019-grid.md", "page.html"])
def test_linting_a_report_leaves_no_cyclic_garbage(name: str, tmp_path: Path) -> None:
    path = _page(tmp_path) if name == "page.html" else FIXTURES / name
    opts = Options()
    lint_path(path, opts)  # caches (rules, templates, parsers) built outside the measurement
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        result = lint_path(path, opts)
        assert result.findings is not None
        del result
        gc.collect()
        left = Counter(type(o).__name__ for o in gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert not left, left.most_common(10)
