"""Flattened tables: rows rebuilt from "label + spaced numbers"; run-together digits only reported."""

from __future__ import annotations

import re

from tests.conftest import CLEAN_2019, lint_text

CLEAN = CLEAN_2019.read_text(encoding="utf-8")


def flatten(text: str) -> str:
    """What a naive scrape does: cell separators become spaces."""
    out = []
    for line in text.split("\n"):
        if "|" in line:
            line = re.sub(r"\s*\|\s*", " ", line).strip()
        out.append(line)
    return "\n".join(out)


def test_flattened_clean_report_is_rebuilt_and_checked() -> None:
    clean = lint_text(CLEAN, "clean.txt")
    flat = lint_text(flatten(CLEAN), "flat.txt")
    assert flat.report.template == "gov-2019"
    t108 = [f for f in flat.findings if f.rule == "T108"]
    assert {f.table for f in t108} == {"active", "requests", "reviews"}
    assert all(f.severity == "info" for f in t108)
    rebuilt = flat.report.tables["requests"]
    original = clean.report.tables["requests"]
    assert {k: c.value for k, c in rebuilt.cells.items()} == {k: c.value for k, c in original.cells.items()}
    assert flat.report.tables["reviews"].cell("review", "total").value == 3
    others = [f for f in flat.findings if f.rule not in ("T108",)]
    assert not [f for f in others if f.severity != "info"], [(f.rule, f.message) for f in others]


def test_flattened_table_still_gets_reconciliation_errors() -> None:
    broken = CLEAN.replace("1 | 1 | 0 | 1 | 3 | 1 |", "1 | 1 | 0 | 1 | 4 | 1 |")
    flat = lint_text(flatten(broken), "flat.txt")
    t204 = [f for f in flat.findings if f.rule == "T204"]
    assert [(f.cell, f.expected, f.actual) for f in t204] == [("review.total", 3, 4)]


def test_run_together_digits_are_reported_not_guessed() -> None:
    text = flatten(CLEAN).replace(
        "一、本年新收政府信息公开申请数量 20 3 1 0 1 0 25", "一、本年新收政府信息公开申请数量 203101025"
    )
    r = lint_text(text, "flat.txt")
    t109 = [f for f in r.findings if f.rule == "T109"]
    assert len(t109) == 1 and t109[0].severity == "info" and t109[0].table == "requests"
    assert "new" not in r.report.tables["requests"].rows_found


def test_flattened_row_with_fewer_numbers_is_kept_as_unplaced_values() -> None:
    # the scrape dropped the row's blank (zero) cells as well as its separators: 3 numbers for 7 columns
    text = flatten(CLEAN).replace(
        "二、上年结转政府信息公开申请数量 2 1 0 0 0 0 3", "二、上年结转政府信息公开申请数量 2 1 3"
    )
    r = lint_text(text, "flat.txt")
    line = text.split("\n").index("二、上年结转政府信息公开申请数量 2 1 3") + 1
    assert not [f for f in r.findings if f.rule == "T002"], "the row is there, not missing"
    (t107,) = [f for f in r.findings if f.rule == "T107"]
    assert (t107.table, t107.cell, t107.line, t107.expected, t107.actual) == (
        "requests",
        "carried_over",
        line,
        7,
        {"carried_over": 3},
    )
    table = r.report.tables["requests"]
    assert "carried_over" in table.rows_found
    assert [c.value for c in table.unplaced_rows["carried_over"]] == [2, 1, 3]
    assert table.cell("carried_over", "total").value == 3  # a collapse keeps order: the last is 总计
    assert not [f for f in r.findings if f.severity == "error"], [(f.rule, f.message) for f in r.findings]


# -- the shortcut: a line whose last character cannot end a value is never a flattened row

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from xxgk_lint.parse import flatten as flatten_mod  # noqa: E402


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="一、申请数量 0123456789１٣.,/-—元万。件\t", min_size=1, max_size=30))
def test_rows_only_end_with_a_value_character(text: str) -> None:
    t = text.strip()
    if not t:
        return
    last = t[-1]
    if any(p.match(t) for p in (flatten_mod._SPLIT, flatten_mod._ONLY_VALUES, flatten_mod._RUN)):
        assert last.isdecimal() or last in flatten_mod._VALUE_END, t
