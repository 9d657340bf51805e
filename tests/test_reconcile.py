"""Reconciliation rules (T2xx): each mutation breaks exactly one relation; consistent tables are quiet."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import CLEAN_2019, FIXTURES, SEED, lint_file, lint_text

from xxgk_lint.check.rules import builtin_rules

CLEAN = CLEAN_2019.read_text(encoding="utf-8")
CLEAN_2021 = (FIXTURES / "clean-2021.txt").read_text(encoding="utf-8")
SEED1 = SEED["001"].read_text(encoding="utf-8")


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


def test_negative_carry_forward_is_not_suggested() -> None:
    # seed 004: 9 new + 1 carried over, (七)总计 raised to 11: no carried-forward count can fix that
    text = SEED["004"].read_text(encoding="utf-8")
    assert text.count("(七)总计 | 10 | 10 |") == 1
    text = text.replace("(七)总计 | 10 | 10 |", "(七)总计 | 11 | 11 |")
    for lang in ("zh", "en"):
        r = lint_text(text, "m.txt", lang=lang)
        hits = [f for f in r.findings if f.rule == "T201" and f.severity != "info"]
        assert [(f.severity, f.cell, f.expected, f.actual, f.line) for f in hits] == [
            ("error", "carried_forward.total", None, 0, 67)
        ]
        msg = hits[0].message
        assert "-1" in msg and "应为 -1" not in msg and "should be -1" not in msg
        assert ("互相矛盾" if lang == "zh" else "contradict") in msg
        # both sides of the relation and the cells it read
        assert "为 0" in msg if lang == "zh" else "is 0" in msg
        assert "(七)总计 11" in msg and "一、本年新收政府信息公开申请数量 9" in msg
    # a positive difference is still a value to suggest
    r = lint_text(text.replace("(七)总计 | 11 | 11 |", "(七)总计 | 8 | 8 |"), "m.txt")
    (f,) = [f for f in r.findings if f.rule == "T201" and f.severity != "info"]
    assert (f.expected, f.actual) == (2, 0) and "应为 2" in f.message


def _stats(*pairs: tuple[str, str]) -> str:
    return sub(*pairs)(SEED1)


# one mutation per sub-relation of T210: (mutation, failing whole, expected, actual)
T210_CASES = {
    "proactive_total": (("(一)主动公开政府信息数 | 条 | 395 |", "(一)主动公开政府信息数 | 条 | 400 |"), "≤395", 400),
    "received": (("(一)收到申请数 | 件 | 1 |", "(一)收到申请数 | 件 | 2 |"), 1, 2),
    "concluded": (("2.延期办结数 | 件 | 0 |", "2.延期办结数 | 件 | 1 |"), 2, 1),
    "answered": (("(三)申请答复数 | 件 | 1 |", "(三)申请答复数 | 件 | 3 |"), 1, 3),
    "ans_refused": (("其中:涉及国家秘密 | 件 | 0 |", "其中:涉及国家秘密 | 件 | 1 |"), 1, 0),
    "review_total": (("四、行政复议数量 | 件 | 0 |", "四、行政复议数量 | 件 | 1 |"), 0, 1),
    "suit_total": (("(三)其他情形数 | 件 | 0 |\n六、", "(三)其他情形数 | 件 | 2 |\n六、"), 2, 0),
    "staff": (("2.兼职人员数 | 人 | 2 |", "2.兼职人员数 | 人 | 1 |"), 2, 3),
}


def test_t210_cases_cover_every_sub_relation() -> None:
    rule = next(r for r in builtin_rules() if r.code == "T210")
    wholes = {a.split(".")[1] for a in rule.params["assert"]}
    assert wholes == set(T210_CASES)


@pytest.mark.parametrize("whole", sorted(T210_CASES))
def test_t210_each_breakdown_breaks_alone(whole: str) -> None:
    pair, expected, actual = T210_CASES[whole]
    r = lint_text(_stats(pair), "m.txt")
    serious = [f for f in r.findings if f.severity != "info" and f.rule[0] in "ST"]
    assert [(f.rule, f.cell, f.expected, f.actual) for f in serious] == [("T210", f"{whole}.value", expected, actual)]
    f = serious[0]
    assert f.table == "stats" and f.line is not None and f.line > 30
    assert f.subject.startswith(f"stats.{whole}.value")


def test_t210_at_most_relation_has_its_own_wording() -> None:
    pair = T210_CASES["proactive_total"][0]
    (f,) = [f for f in lint_text(_stats(pair), "m.txt").findings if f.rule == "T210"]
    assert f.line == 38 and f.cell == "proactive_total.value"
    assert "不应大于其分项之和 395" in f.message and "应为其分项之和" not in f.message
    (f,) = [f for f in lint_text(_stats(pair), "m.txt", lang="en").findings if f.rule == "T210"]
    assert "cannot exceed the sum of its parts, 395" in f.message
    # an equality keeps its wording
    (f,) = [f for f in lint_text(_stats(T210_CASES["received"][0]), "m.txt").findings if f.rule == "T210"]
    assert "应为其分项之和 1" in f.message
    # fewer items than channels is allowed (one item, several channels)
    fewer = _stats(("(一)主动公开政府信息数 | 条 | 395 |", "(一)主动公开政府信息数 | 条 | 300 |"))
    assert not [f for f in lint_text(fewer, "m.txt").findings if f.rule == "T210"]


# ------------------------------------------------------------------------- property test

COLS = 6
TABLE4_ROW = "1 | 1 | 0 | 1 | 3 | 1 | 0 | 0 | 0 | 1 | 0 | 0 | 0 | 1 | 1 |"


def _table3_rows(text: str) -> list[str]:
    return text.split("三、收到和处理政府信息公开申请情况\n", 1)[1].split("\n四、政府信息公开行政复议", 1)[0].split("\n")


def _outcome_labels(rows: list[str]) -> list[str]:
    """The labels of the result rows (一)…(六) with every sub-row, between 二、上年结转 and (七)总计."""
    first = next(i for i, row in enumerate(rows) if row.startswith("一、本年新收"))
    last = next(i for i, row in enumerate(rows) if row.startswith("(七)总计"))
    return [
        " | ".join(c for c in row.split(" | ") if not c.strip(" |").isdigit()).strip(" |")
        for row in rows[first + 2 : last]
    ]


LAYOUTS = {"2019": CLEAN, "2021": CLEAN_2021}


def test_layouts_have_their_result_rows() -> None:
    # (一) (二), 8 不予公开, 3 无法提供, 5 不予处理, (六): one row in 2019, three in 2021
    assert {k: len(_outcome_labels(_table3_rows(v))) for k, v in LAYOUTS.items()} == {"2019": 19, "2021": 21}


def _render_table3(rows: list[str], new: list[int], carried: list[int], outcomes: list[list[int]]) -> str:
    first = next(i for i, row in enumerate(rows) if row.startswith("一、本年新收"))
    header = rows[:first]
    labels = _outcome_labels(rows)
    total = [sum(o[j] for o in outcomes) for j in range(COLS)]
    forward = [new[j] + carried[j] - total[j] for j in range(COLS)]

    def line(label: str, vals: list[int]) -> str:
        return f"{label} | " + " | ".join(str(v) for v in [*vals, sum(vals)]) + " |"

    body = [line("一、本年新收政府信息公开申请数量", new), line("二、上年结转政府信息公开申请数量", carried)]
    body += [line(lab, o) for lab, o in zip(labels, outcomes, strict=True)]
    body += [line("(七)总计", total), line("四、结转下年度继续办理", forward)]
    return "\n".join(header + body)


def _replace_rows(text: str, rows: dict[str, str]) -> str:
    """``text`` with the table rows whose label is a key replaced by ``label | values``."""
    lines = text.split("\n")
    for label, values in rows.items():
        (i,) = [i for i, row in enumerate(lines) if row.startswith(label + " | ")]
        lines[i] = f"{label} | {values}"
    return "\n".join(lines)


def _table2_2019(data: st.DataObject) -> dict[str, str]:
    """Random consistent table 二 rows (2019): published <= total published, last year + change >= 0."""
    rows: dict[str, str] = {}
    for label in ("规章", "规范性文件"):
        made, published = data.draw(st.integers(0, 50)), data.draw(st.integers(0, 50))
        total = published + data.draw(st.integers(0, 200))
        rows[label] = f"{made} | {published} | {total} |"
    for label, decisions in (("行政许可", True), ("其他对外管理服务事项", True), ("行政处罚", True), ("行政强制", True), ("行政事业性收费", False)):
        prev = data.draw(st.integers(0, 80))
        change = data.draw(st.integers(-prev, 40))
        rows[label] = f"{prev} | {change} |" + (f" {data.draw(st.integers(0, 5000))} |" if decisions else "")
    return rows


def _table2_2021(data: st.DataObject) -> dict[str, str]:
    rows = {label: " | ".join(str(data.draw(st.integers(0, 200))) for _ in range(3)) + " |" for label in ("规章", "行政规范性文件")}
    for label in ("行政许可", "行政处罚", "行政强制"):
        rows[label] = f"{data.draw(st.integers(0, 5000))} |"
    return rows


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_consistent_tables_reconcile(layout: str, data: st.DataObject) -> None:
    base = LAYOUTS[layout]
    rows3 = _table3_rows(base)
    n_outcomes = len(_outcome_labels(rows3))
    outcomes = [
        data.draw(st.lists(st.integers(0, 50), min_size=COLS, max_size=COLS)) for _ in range(n_outcomes)
    ]
    total = [sum(o[j] for o in outcomes) for j in range(COLS)]
    forward = data.draw(st.lists(st.integers(0, 20), min_size=COLS, max_size=COLS))
    carried = [data.draw(st.integers(0, total[j] + forward[j])) for j in range(COLS)]
    new = [total[j] + forward[j] - carried[j] for j in range(COLS)]
    review = data.draw(st.lists(st.lists(st.integers(0, 30), min_size=4, max_size=4), min_size=3, max_size=3))
    table3 = _render_table3(rows3, new, carried, outcomes)
    table4_values = " | ".join(str(v) for grp in review for v in [*grp, sum(grp)]) + " |"
    text = base.replace("\n".join(rows3), table3)
    assert base.count(TABLE4_ROW) == 1
    text = text.replace(TABLE4_ROW, table4_values)
    text = _replace_rows(text, _table2_2019(data) if layout == "2019" else _table2_2021(data))
    r = lint_text(text, "random.txt")
    assert r.report.template == f"gov-{layout}"
    assert not [f for f in r.findings if f.rule.startswith("T2")], [(f.rule, f.message) for f in r.findings]
    assert not [f for f in r.findings if f.rule[0] in "ST"], [(f.rule, f.message) for f in r.findings]


@pytest.mark.parametrize(
    ("row", "values", "code", "cell", "expected", "actual"),
    [
        ("规章", "0 | 5 | 4 |", "T205", "regulations.published", 4, 5),
        ("行政强制", "2 | -3 | 0 |", "T206", "coercion.prev_count", 0, -1),
    ],
)
def test_table2_relations_fire_on_random_layout_rows(
    row: str, values: str, code: str, cell: str, expected: object, actual: object
) -> None:
    # the property test's row writer produces rows the relations do read
    r = lint_text(_replace_rows(CLEAN, {row: values}), "m.txt")
    hits = [f for f in r.findings if f.rule.startswith("T2")]
    assert [(f.rule, f.cell, f.expected, f.actual) for f in hits] == [(code, cell, expected, actual)]
