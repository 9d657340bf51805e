"""Reconciliation rules (T2xx): each mutation breaks exactly one relation; consistent tables are quiet."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import CLEAN_2019, SEED, lint_file, lint_text

CLEAN = CLEAN_2019.read_text(encoding="utf-8")


def sub(*pairs: tuple[str, str]) -> Callable[[str], str]:
    def f(text: str) -> str:
        for old, new in pairs:
            assert text.count(old) == 1, old
            text = text.replace(old, new)
        return text

    return f


# code -> (mutation, {cell: (expected, actual)} of the failures)
CASES: dict[str, tuple[Callable[[str], str], dict[str, tuple[object, object]]]] = {
    "T201": (
        sub(
            (
                "四、结转下年度继续办理 | 2 | 1 | 0 | 0 | 0 | 0 | 3 |",
                "四、结转下年度继续办理 | 3 | 1 | 0 | 0 | 0 | 0 | 4 |",
            )
        ),
        {"carried_forward.natural_person": (2, 3), "carried_forward.total": (3, 4)},
    ),
    "T202": (
        sub(("(一)予以公开 | 8 | 2 | 0 | 0 | 1 | 0 | 11 |", "(一)予以公开 | 9 | 2 | 0 | 0 | 1 | 0 | 12 |")),
        {"outcome_total.natural_person": (21, 20), "outcome_total.total": (26, 25)},
    ),
    "T203": (
        sub(
            ("一、本年新收政府信息公开申请数量 | 20 |", "一、本年新收政府信息公开申请数量 | 21 |"),
            ("四、结转下年度继续办理 | 2 |", "四、结转下年度继续办理 | 3 |"),
        ),
        {"new.total": (26, 25), "carried_forward.total": (4, 3)},
    ),
    "T204": (sub(("1 | 1 | 0 | 1 | 3 | 1 |", "1 | 1 | 0 | 1 | 4 | 1 |")), {"review.total": (3, 4)}),
    "T205": (
        sub(("规范性文件 | 3 | 3 | 12 |", "规范性文件 | 3 | 13 | 12 |")),
        {"normative_docs.published": (12, 13)},
    ),
    "T206": (sub(("其他对外管理服务事项 | 4 | -1 | 56 |", "其他对外管理服务事项 | 4 | -5 | 56 |")), {}),
    "T207": (
        sub(("(六)其他处理 | 0 | 0 | 1 | 0 | 0 | 0 | 1 |", "(六)其他处理 | 2 | 1 |")),
        {"other.total": (2, 1)},
    ),
}


def test_clean_tables_reconcile() -> None:
    r = lint_text(CLEAN, "clean.txt")
    assert not [f for f in r.findings if f.rule.startswith("T2")]


@pytest.mark.parametrize("code", sorted(CASES))
def test_each_relation_breaks_alone(code: str) -> None:
    mutate, expected = CASES[code]
    r = lint_text(mutate(CLEAN), "mutated.txt")
    # prose that states the changed figure may now disagree too (N rules): only table rules must be alone
    serious = {f.rule for f in r.findings if f.severity != "info" and f.rule[0] in "ST"}
    assert serious == {code}, [(f.rule, f.message) for f in r.findings if f.severity != "info"]
    hits = [f for f in r.findings if f.rule == code]
    assert all(f.severity == "error" and f.line is not None for f in hits), [
        (f.severity, f.line) for f in hits
    ]
    got = {f.cell: (f.expected, f.actual) for f in hits}
    for cell, ea in expected.items():
        assert got.get(cell) == ea, got
    if code == "T206":
        assert [(f.actual, f.cell) for f in hits] == [(-1, "other_services.prev_count")]


def test_failure_names_the_cell_and_line() -> None:
    r = lint_text(CASES["T204"][0](CLEAN), "m.txt")
    f = next(f for f in r.findings if f.rule == "T204")
    assert f.table == "reviews" and f.section == "四" and f.cell == "review.total"
    assert f.line is not None and "行政复议" in f.message and "3" in f.message and "4" in f.message
    assert f.context and "| 4 |" in f.context


def test_unreadable_cell_gives_cannot_check_not_error() -> None:
    text = CLEAN.replace("(一)予以公开 | 8 |", "(一)予以公开 | 见附件 |")
    r = lint_text(text, "m.txt")
    t2 = [f for f in r.findings if f.rule.startswith("T2")]
    assert t2 and all(f.severity == "info" for f in t2)
    assert {f.rule for f in t2} == {"T202", "T203"}
    assert "T106" in {f.rule for f in r.findings}


def test_seed_004_reconciles_and_says_what_was_skipped() -> None:
    r = lint_file(SEED["004"])
    t2 = [f for f in r.findings if f.rule.startswith("T2")]
    assert all(f.severity == "info" for f in t2), [(f.rule, f.message) for f in t2]
    assert {"T201", "T202", "T203"} <= {f.rule for f in t2}
    t201 = next(f for f in t2 if f.rule == "T201")
    assert "自然人" in t201.message and "总计" not in t201.message.split("(")[1].split(")")[0]


def test_decimal_amounts_use_precision_intervals() -> None:
    from decimal import Decimal

    from xxgk_lint.check.expr import compile_relation, evaluate
    from xxgk_lint.check.kinds_relations import ReportCells
    from xxgk_lint.parse.template import get_template

    report = lint_text(CLEAN, "c.txt").report
    cells = ReportCells(report, get_template("gov-2019"))
    amount = cells.cell("active", "procurement", "amount")
    assert amount.value == Decimal("128.5") and amount.decimals == 1
    ok = compile_relation("active.procurement.amount = 128.54")
    bad = compile_relation("active.procurement.amount = 128.56")
    assert evaluate(ok, cells)[0].status == "pass"
    assert evaluate(bad, cells)[0].status == "fail"


# ------------------------------------------------------------------------- property test

COLS = 6
N_OUTCOMES = 19  # (一) (二), 8 不予公开, 3 无法提供, 5 不予处理, (六)
OUTCOME_ROWS = (
    CLEAN.split("三、收到和处理政府信息公开申请情况\n", 1)[1]
    .split("\n四、政府信息公开行政复议", 1)[0]
    .split("\n")
)


def _render_table3(new: list[int], carried: list[int], outcomes: list[list[int]]) -> str:
    first = next(i for i, row in enumerate(OUTCOME_ROWS) if row.startswith("一、本年新收"))
    last = next(i for i, row in enumerate(OUTCOME_ROWS) if row.startswith("(七)总计"))
    header = OUTCOME_ROWS[:first]
    labels = [
        " | ".join(c for c in row.split(" | ") if not c.strip(" |").isdigit()).strip(" |")
        for row in OUTCOME_ROWS[first + 2 : last]
    ]
    total = [sum(o[j] for o in outcomes) for j in range(COLS)]
    forward = [new[j] + carried[j] - total[j] for j in range(COLS)]

    def line(label: str, vals: list[int]) -> str:
        return f"{label} | " + " | ".join(str(v) for v in [*vals, sum(vals)]) + " |"

    body = [line("一、本年新收政府信息公开申请数量", new), line("二、上年结转政府信息公开申请数量", carried)]
    body += [line(lab, o) for lab, o in zip(labels, outcomes, strict=True)]
    body += [line("(七)总计", total), line("四、结转下年度继续办理", forward)]
    return "\n".join(header + body)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_consistent_tables_reconcile(data: st.DataObject) -> None:
    outcomes = [
        data.draw(st.lists(st.integers(0, 50), min_size=COLS, max_size=COLS)) for _ in range(N_OUTCOMES)
    ]
    total = [sum(o[j] for o in outcomes) for j in range(COLS)]
    forward = data.draw(st.lists(st.integers(0, 20), min_size=COLS, max_size=COLS))
    carried = [data.draw(st.integers(0, total[j] + forward[j])) for j in range(COLS)]
    new = [total[j] + forward[j] - carried[j] for j in range(COLS)]
    review = data.draw(st.lists(st.lists(st.integers(0, 30), min_size=4, max_size=4), min_size=3, max_size=3))
    table3 = _render_table3(new, carried, outcomes)
    table4_values = " | ".join(str(v) for grp in review for v in [*grp, sum(grp)]) + " |"
    text = CLEAN.replace("\n".join(OUTCOME_ROWS), table3)
    text = text.replace("1 | 1 | 0 | 1 | 3 | 1 | 0 | 0 | 0 | 1 | 0 | 0 | 0 | 1 | 1 |", table4_values)
    r = lint_text(text, "random.txt")
    assert not [f for f in r.findings if f.rule.startswith("T2")], [(f.rule, f.message) for f in r.findings]
    assert not [f for f in r.findings if f.rule[0] in "ST"], [(f.rule, f.message) for f in r.findings]
