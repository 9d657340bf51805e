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
