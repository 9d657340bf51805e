"""Narrative rules: prose figures against the tables (N1xx) and the prose's own arithmetic (N2xx)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import CLEAN_2019, FIXTURES, SEED, lint_file, lint_text

from xxgk_lint.check.expr import compile_relation
from xxgk_lint.check.kinds_narrative import parse_claim
from xxgk_lint.check.kinds_relations import ReportCells
from xxgk_lint.check.rules import builtin_rules
from xxgk_lint.parse.narrative import (
    analyse,
    approx_bounds,
    compile_pattern,
    growth_checks,
    label_of,
    part_groups,
    rate_checks,
    split_sentences,
)
from xxgk_lint.parse.quantities import parse_quantity
from xxgk_lint.parse.template import get_template

CLEAN = CLEAN_2019.read_text(encoding="utf-8")
CLEAN_2021 = (FIXTURES / "clean-2021.txt").read_text(encoding="utf-8")
SEED1 = SEED["001"].read_text(encoding="utf-8")
QUIET_FILES = [CLEAN_2019, FIXTURES / "clean-2021.txt", *sorted((FIXTURES / "yoy").glob("*.txt")), SEED["000"], SEED["002"]]


def sub(*pairs: tuple[str, str]) -> Callable[[str], str]:
    def f(text: str) -> str:
        for old, new in pairs:
            assert text.count(old) == 1, old
            text = text.replace(old, new)
        return text

    return f


def narrative(result) -> list:  # type: ignore[no-untyped-def]
    return [f for f in result.findings if f.rule.startswith("N")]


# rule -> (base text, mutation, expected attributes of the finding)
CASES: dict[str, tuple[str, Callable[[str], str], dict[str, object]]] = {
    "N101": (
        CLEAN,
        sub(("我局共收到政府信息公开申请25件", "我局共收到政府信息公开申请24件")),
        {"severity": "error", "expected": 25, "actual": 24, "cell": "new.total", "table": "requests", "section": "一", "line": 8, "column": 31},
    ),
    "N102": (
        CLEAN,
        sub(("被申请行政复议3件", "被申请行政复议4件")),
        {"severity": "error", "expected": 3, "actual": 4, "cell": "review.total", "table": "reviews", "section": "一", "line": 8},
    ),
    "N103": (
        CLEAN,
        sub(("一是主动公开数量情况。2018年,", "一是主动公开数量情况。2018年,我局制发规范性文件5件,")),
        {"severity": "warning", "expected": 3, "actual": 5, "cell": "normative_docs.made", "table": "active", "section": "一"},
    ),
    "N104": (
        SEED1,
        sub(("共收到依申请公开1件", "共收到依申请公开2件")),
        {"severity": "error", "expected": 1, "actual": 2, "cell": "received.value", "table": "stats", "line": 14},
    ),
    "N201": (
        CLEAN,
        sub(("其中网上申报量30.18万件", "其中网上申报量40.18万件")),
        {"severity": "error", "expected": "≤39.72万件", "actual": "40.18万件", "section": "一", "table": None},
    ),
    "N202": (
        CLEAN,
        sub(("各类新闻动态信息106条);", "各类新闻动态信息106条,合计1219条);")),
        {"severity": "error", "expected": "1209条", "actual": "1219条", "section": "一"},
    ),
    "N203": (
        CLEAN,
        sub(("转接成功率为74.61%", "转接成功率为89.52%")),
        {"severity": "warning", "expected": "74.61%", "actual": "89.52%", "section": "一", "line": 6},
    ),
    "N204": (
        CLEAN,
        sub(("政务互动360余次。", "政务互动360余次。网上申报量由30.18万件增长至39.72万件,增长40%。")),
        {"severity": "warning", "expected": "32%", "actual": "40%", "section": "一", "line": 7},
    ),
}

# the same places written correctly: each rule stays quiet
RIGHT: dict[str, Callable[[str], str]] = {
    "N101": sub(("我局共收到政府信息公开申请25件", "我局共收到政府信息公开申请二十五件")),
    "N102": sub(("被申请行政复议3件", "被申请行政复议三件")),
    "N103": sub(("一是主动公开数量情况。2018年,", "一是主动公开数量情况。2018年,我局制发规范性文件3件,")),
    "N104": lambda t: t,
    "N201": sub(("其中网上申报量30.18万件", "其中网上申报量39.72万件")),
    "N202": sub(("各类新闻动态信息106条);", "各类新闻动态信息106条,合计1209条);")),
    "N203": lambda t: t,
    "N204": sub(("政务互动360余次。", "政务互动360余次。网上申报量由30.18万件增长至39.72万件,增长31.6%。")),
}


def test_every_narrative_rule_has_a_case() -> None:
    codes = {r.code for r in builtin_rules() if r.code.startswith("N")}
    assert codes == set(CASES) == set(RIGHT)


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_fires_on_its_defect(code: str) -> None:
    base, mutate, expect = CASES[code]
    r = lint_text(mutate(base), "mutated.txt")
    hits = [f for f in narrative(r) if f.rule == code]
    assert len(hits) == 1, [(f.rule, f.message) for f in narrative(r)]
    f = hits[0]
    got = {k: getattr(f, k) for k in expect}
    assert got == expect, got
    assert f.line is not None and f.context and f.message
    # one defect, one narrative finding
    assert [x.rule for x in narrative(r)] == [code], [(x.rule, x.message) for x in narrative(r)]


@pytest.mark.parametrize("code", sorted(RIGHT))
def test_rule_quiet_when_written_right(code: str) -> None:
    base = CASES[code][0]
    r = lint_text(RIGHT[code](base), "right.txt")
    assert not narrative(r), [(f.rule, f.message) for f in narrative(r)]


@pytest.mark.parametrize("path", QUIET_FILES, ids=lambda p: Path(p).name)
def test_clean_reports_stay_quiet(path: Path) -> None:
    r = lint_file(path)
    assert not narrative(r), [(f.rule, f.message) for f in narrative(r)]


def test_clean_fixture_claims_are_recognised_and_agree() -> None:
    """Quiet because the claims match, not because nothing was read: breaking each table cell the
    prose states makes exactly that claim fire."""
    rows = {
        "一、本年新收政府信息公开申请数量 | 20 | 3 | 1 | 0 | 1 | 0 | 25 |": ("new.total", 25),
        "二、上年结转政府信息公开申请数量 | 2 | 1 | 0 | 0 | 0 | 0 | 3 |": ("carried_over.total", 3),
        "(一)予以公开 | 8 | 2 | 0 | 0 | 1 | 0 | 11 |": ("granted.total", 11),
        "| 2 | 0 | 0 | 0 | 0 | 0 | 2 |\n(三)不予公开": ("partial.total", 2),
        "四、结转下年度继续办理 | 2 | 1 | 0 | 0 | 0 | 0 | 3 |": ("carried_forward.total", 3),
    }
    for row, (cell, prose) in rows.items():
        new_row = row.replace(f" | {prose} |", f" | {prose + 10} |")
        assert new_row != row
        r = lint_text(sub((row, new_row))(CLEAN), "m.txt")
        hits = [(f.cell, f.actual, f.expected) for f in narrative(r)]
        assert hits == [(cell, prose, prose + 10)], hits


# ------------------------------------------------------------------------------------ the seeds


def test_seed_004_granted_may_count_only_new_requests() -> None:
    r = lint_file(SEED["004"])
    hits = narrative(r)
    assert [(f.rule, f.severity, f.cell, f.expected, f.actual) for f in hits] == [("N101", "warning", "granted.total", 4, 3)]
    f = hits[0]
    assert f.table == "requests" and f.section == "一" and f.line == 15 and f.column == 73
    assert "上年结转" in f.message and "本年新收" in f.message
    assert f.context and "其中3件按照申请人要求予以公开" in f.context
    # 共受理…9件 is 本年新收 9: recognised (breaking the table cell makes it fire) and agreeing;
    # (8 would still agree with 8 new + 1 carried over, which 共受理 may also mean)
    text = SEED["004"].read_text(encoding="utf-8")
    broken = lint_text(text.replace("一、本年新收政府信息公开申请数量 | 9 | 9 |", "一、本年新收政府信息公开申请数量 | 7 | 7 |"), "004.txt")
    assert ("N101", "new.total", 7, 9) in [(f.rule, f.cell, f.expected, f.actual) for f in narrative(broken)]


def test_seed_004_in_english() -> None:
    r = lint_file(SEED["004"], lang="en")
    f = next(f for f in r.findings if f.rule == "N101")
    assert "carried over" in f.message and "this year's new requests" in f.message
    assert "予以公开" in f.message


def test_seed_001_statistics_table_agrees_with_the_prose() -> None:
    r = lint_file(SEED["001"])
    assert r.report.template == "pre-2019"
    assert not narrative(r), [(f.rule, f.message) for f in narrative(r)]


def test_seed_001_claims_are_recognised() -> None:
    """395 = 主动公开; 77 = 政府网站; 105 = 微博 52 + 微信 53; 213 = 其他方式; 1 = 收到申请."""
    rows = {
        "(一)主动公开政府信息数 | 条 | 395 |": ("proactive_total.value", 395, "(一)主动公开政府信息数 | 条 | 396 |", 396),
        "2.政府网站公开政府信息数 | 条 | 77 |": ("ch_website.value", 77, "2.政府网站公开政府信息数 | 条 | 78 |", 78),
        "3.政务微博公开政府信息数 | 条 | 52 |": ("ch_weibo.value+ch_wechat.value", 105, "3.政务微博公开政府信息数 | 条 | 50 |", 103),
        "5.其他方式公开政府信息数 | 条 | 213 |": ("ch_other.value", 213, "5.其他方式公开政府信息数 | 条 | 212 |", 212),
        "(一)收到申请数 | 件 | 1 |": ("received.value", 1, "(一)收到申请数 | 件 | 2 |", 2),
    }
    for row, (cell, prose, new_row, table) in rows.items():
        r = lint_text(sub((row, new_row))(SEED1), "001.txt")
        hits = [(f.rule, f.cell, f.actual, f.expected) for f in narrative(r)]
        assert hits == [("N104", cell, prose, table)], hits


def test_seed_001_negations_need_zero_rows() -> None:
    text = sub(("六、举报投诉数量 | 件 | 0 |", "六、举报投诉数量 | 件 | 2 |"), ("七、依申请公开信息收取的费用 | 万元 | 0 |", "七、依申请公开信息收取的费用 | 万元 | 0.5 |"))(SEED1)
    hits = {f.cell: f for f in narrative(lint_text(text, "001.txt"))}
    assert set(hits) == {"complaints.value", "fees.value"}
    assert (hits["fees.value"].expected, hits["fees.value"].actual, hits["fees.value"].severity) == ("0.5", 0, "error")
    assert "未收取申请人费用" in hits["fees.value"].message
    assert hits["complaints.value"].line == 16 and hits["complaints.value"].column == 7


def test_seed_003_wrong_rate_flagged_right_rate_not() -> None:
    r = lint_file(SEED["003"])
    hits = narrative(r)
    assert [(f.rule, f.severity, f.expected, f.actual) for f in hits] == [("N203", "warning", "74.61%", "89.52%")]
    f = hits[0]
    assert "4382" in f.message and "5873" in f.message and "74.61%" in f.message
    assert f.line == 6 and f.section == "一"
    assert "94.87" not in f.message


# --------------------------------------------------------------------------------- N1xx details


def test_negation_against_nonzero_table() -> None:
    old = "因政府信息公开被申请行政复议3件,被提起行政诉讼2件。"
    r = lint_text(CLEAN.replace(old, "本年度未发生因政府信息公开引发的行政复议和行政诉讼。"), "m.txt")
    got = sorted((f.rule, f.cell, f.expected, f.actual, f.severity) for f in narrative(r))
    assert got == [
        ("N102", "review.total", 3, 0, "error"),
        ("N102", "suit_direct.total+suit_after.total", 2, 0, "error"),
    ]
    assert all("未发生" in f.message for f in narrative(r))


def test_negation_with_zero_table_is_quiet_and_slash_counts_as_zero() -> None:
    # seed 004: "当年未发生…行政复议或行政诉讼" and table 四 all "/"
    assert not [f for f in narrative(lint_file(SEED["004"])) if f.rule == "N102"]


def test_granted_is_exact_when_nothing_was_carried_over() -> None:
    text = sub(
        ("二、上年结转政府信息公开申请数量 | 2 | 1 | 0 | 0 | 0 | 0 | 3 |", "二、上年结转政府信息公开申请数量 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |"),
        ("上年结转3件;予以公开11件", "予以公开12件"),
    )(CLEAN)
    hits = [f for f in narrative(lint_text(text, "m.txt")) if f.cell == "granted.total"]
    assert [(f.severity, f.expected, f.actual) for f in hits] == [("error", 11, 12)]
    assert "上年结转" not in hits[0].message


def test_received_including_carried_over_is_a_reading_not_a_mismatch() -> None:
    # 25 new + 3 carried over = 28
    text = CLEAN.replace("我局共收到政府信息公开申请25件,上年结转3件;", "我局共受理政府信息公开申请28件;")
    assert not narrative(lint_text(text, "m.txt"))


@pytest.mark.parametrize(
    "sentence",
    [
        "全市各级行政机关共收到政府信息公开申请5758件。",  # another jurisdiction
        "2017年,我局共收到政府信息公开申请30件。",  # another year
        "截至2018年12月31日,累计收到政府信息公开申请300件。",  # cumulative
        "行政复议和行政诉讼案件共5件。",  # both together
        "行政复议被纠错1件。",  # a result, not a count
        "对答复不服的,申请人可以依法申请行政复议或提起行政诉讼。",  # a right, not a negation
        "收到群众咨询电话100余次。",
        "本年度收到政府信息公开申请数量为25件,与上年相比减少5件。",
        "全年共办理行政复议案件15件。",  # reviews the agency decides, not about disclosure
        "对申请人提出的3个问题予以公开答复。",  # not a count of requests
        "全年较好地完成了各项工作,共收到政府信息公开申请28件。",  # 25 new + 3 carried over
    ],
)
def test_claims_about_something_else_are_not_compared(sentence: str) -> None:
    old = "(五)依申请公开情况。2018年,我局共收到政府信息公开申请25件,上年结转3件;予以公开11件,部分公开2件,结转下年度继续办理3件。因政府信息公开被申请行政复议3件,被提起行政诉讼2件。"
    r = lint_text(CLEAN.replace(old, "(五)依申请公开情况。" + sentence), "m.txt")
    assert not narrative(r), [(f.rule, f.message) for f in narrative(r)]


def test_chinese_numerals_and_grouping_are_read() -> None:
    text = CLEAN.replace("我局共收到政府信息公开申请25件", "我局共收到政府信息公开申请1,025件").replace(
        "部分公开2件", "部分公开两件"
    )
    hits = [(f.cell, f.actual) for f in narrative(lint_text(text, "m.txt"))]
    assert hits == [("new.total", 1025)]


def test_approximate_claim_is_compared_as_a_range() -> None:
    ok = CLEAN.replace("被申请行政复议3件", "被申请行政复议近3件")
    assert not narrative(lint_text(ok, "m.txt"))
    off = CLEAN.replace("我局共收到政府信息公开申请25件", "我局共收到政府信息公开申请30余件")
    hits = narrative(lint_text(off, "m.txt"))
    assert [(f.rule, f.severity, f.expected, f.actual) for f in hits] == [("N101", "warning", 25, 30)]
    assert "约数" in hits[0].message


# --------------------------------------------------------------------------------- N2xx details


def test_parts_adding_up_to_more_than_the_whole_warn() -> None:
    text = CLEAN.replace("其中审批类1187个,核准类69个,备案类755个", "其中审批类1187个,核准类69个,备案类800个")
    hits = narrative(lint_text(text, "m.txt"))
    assert [(f.rule, f.severity, f.expected, f.actual) for f in hits] == [("N201", "warning", "≤2011个", "2056个")]
    assert "重叠" in hits[0].message


def test_a_complete_breakdown_followed_by_other_figures_is_not_a_sum() -> None:
    s = analyse("共收到申请25件,其中自然人申请20件,法人或其他组织申请5件,予以公开11件。")
    (g,) = part_groups(s)
    assert [p.text for p in g.parts] == ["20件", "5件", "11件"]
    text = CLEAN.replace("我局共收到政府信息公开申请25件,上年结转3件;", "我局共收到政府信息公开申请25件,其中自然人申请22件,法人或其他组织申请3件,予以公开11件;上年结转3件;")
    assert not [f for f in narrative(lint_text(text, "m.txt")) if f.rule.startswith("N2")]


def test_parts_may_belong_to_an_earlier_amount_of_the_clause() -> None:
    old = "我局共收到政府信息公开申请25件,上年结转3件;"
    ok = CLEAN.replace(old, "我局共收到政府信息公开申请25件,上年结转3件,其中网上申请20件,当面申请5件;")
    assert not narrative(lint_text(ok, "m.txt"))
    bad = CLEAN.replace(old, "我局共收到政府信息公开申请25件,上年结转3件,其中网上申请30件;")
    hits = narrative(lint_text(bad, "m.txt"))
    assert [(f.rule, f.severity, f.expected, f.actual) for f in hits] == [("N201", "error", "≤25件", "30件")]


def test_severally_breakdown() -> None:
    (g,) = part_groups(analyse("全市各级行政机关主动公开政府信息152万条,分别为62.8万条和89.2万条。"))
    assert g.kind == "severally" and g.whole.text == "152万条"
    text = CLEAN.replace("2018年,发布各类政府信息1629条。", "2018年,发布各类政府信息1629条,分别为1200条、420条。")
    hits = narrative(lint_text(text, "m.txt"))
    assert [(f.rule, f.severity, f.expected, f.actual) for f in hits] == [("N202", "warning", "1620条", "1629条")]


def test_growth_difference() -> None:
    text = CLEAN.replace("政务互动360余次。", "政务互动360余次。注册用户由2000户增加至2600户,增加500户。")
    hits = narrative(lint_text(text, "m.txt"))
    assert [(f.rule, f.expected, f.actual) for f in hits] == [("N204", "600户", "500户")]


def test_rate_named_pair() -> None:
    (s,) = analyse("受理审批事项3906件,办结事项3395件(含接转件),按时办结率99.97%;全市综合审批提速率81.82%。")
    assert rate_checks(s) == []  # no count named 按时办结: nothing to recompute
    (s,) = analyse("2018年,政务热线共受理电话6960次,转接5873次,转接成功4382次,转接成功率为89.52%;群众满意数4157个,答复满意率为94.87%。")
    (rc,) = rate_checks(s)
    assert (rc.name, rc.numerator.text, rc.denominator.text, rc.computed) == ("转接成功率", "4382次", "5873次", Decimal("74.61"))
    assert label_of(s, 2) == "转接成功" and label_of(s, 1) == "转接"


# ------------------------------------------------------------------ issue: numbers that must agree

ANCHOR = "政务互动360余次。"


def _add(sentence: str, base: str = CLEAN) -> list:  # type: ignore[type-arg]
    """The narrative findings of ``base`` with ``sentence`` written after the 政务互动 sentence (line 7)."""
    assert base.count(ANCHOR) == 1
    return narrative(lint_text(base.replace(ANCHOR, ANCHOR + sentence), "m.txt"))


@pytest.mark.parametrize(
    ("sentence", "expected", "actual"),
    [
        # 60万 may stand for 595000: the comparison uses that, the message the figures as written
        ("网站访问量100万人次,其中移动端60万人次、PC端50万人次。", "≤100万人次", "110万人次"),
        # the places written are kept (6.0万, not 6万)
        ("网站访问量10.0万人次,其中移动端6.0万人次、PC端5.0万人次。", "≤10.0万人次", "11.0万人次"),
        ("网站访问量10万人次,其中移动端6.0万人次、PC端5.0万人次。", "≤10万人次", "11.0万人次"),
    ],
)
def test_n201_sum_of_parts_in_wan_is_shown_as_written(sentence: str, expected: str, actual: str) -> None:
    hits = _add(sentence)
    assert [(f.rule, f.severity, f.expected, f.actual) for f in hits] == [("N201", "warning", expected, actual)]
    f = hits[0]
    assert f.line == 7 and f.section == "一"
    assert f"合计{actual}" in f.message


def test_n201_parts_that_fit_in_wan_are_quiet() -> None:
    assert not _add("网站访问量100万人次,其中移动端60万人次、PC端40万人次。")


def test_a_restated_total_after_the_parts_is_not_a_part() -> None:
    (g,) = [g for g in part_groups(analyse("共受理申请20件,其中予以公开15件、部分公开5件,以上共20件。")) if g.kind == "among"]
    assert [p.text for p in g.parts] == ["15件", "5件"]
    quiet = [f for f in _add("共受理咨询30次,其中电话咨询20次、现场咨询10次,以上共30次。") if f.rule.startswith("N2")]
    assert not quiet
    # a restated total the listed parts do not make is a stated sum that does not hold
    hits = [f for f in _add("共受理咨询30次,其中电话咨询20次、现场咨询5次,以上共30次。") if f.rule.startswith("N2")]
    assert [(f.rule, f.expected, f.actual, f.line) for f in hits] == [("N202", "25次", "30次", 7)]


@pytest.mark.parametrize(
    ("base", "cell_label"),
    [(CLEAN, "本年新制作数量"), (CLEAN_2021, "本年制发件数")],
    ids=["2019", "2021"],
)
def test_n103_regulations_made_against_the_table(base: str, cell_label: str) -> None:
    hits = _add("全年制定政府规章2件。", base)
    assert [(f.rule, f.severity, f.expected, f.actual, f.cell, f.table) for f in hits] == [
        ("N103", "warning", 0, 2, "regulations.made", "active")
    ]
    f = hits[0]
    assert f.line == 7 and f.section == "一"
    assert f"规章·{cell_label}" in f.message and "2件" in f.message


@pytest.mark.parametrize(
    "sentence",
    ["全年制定政府规章0件。", "全年制定规章制度3项。", "起草政府规章2件。", "全市制定政府规章2件。", "清理现行有效规章5件。"],
)
def test_n103_regulations_quiet(sentence: str) -> None:
    assert not _add(sentence) and not _add(sentence, CLEAN_2021)


def test_n103_exact_claim_is_an_error_and_a_scope_ambiguous_one_a_warning() -> None:
    # 2021: 现行有效件数 is what the text says - an unambiguous mismatch
    hits = _add("现行有效规范性文件99件。", CLEAN_2021)
    assert [(f.rule, f.severity, f.expected, f.actual, f.cell) for f in hits] == [
        ("N103", "error", 12, 99, "normative_docs.valid")
    ]
    hits = _add("现行有效规章5件。", CLEAN_2021)
    assert [(f.rule, f.severity, f.expected, f.actual, f.cell) for f in hits] == [("N103", "error", 0, 5, "regulations.valid")]
    # 2019: only 对外公开总数量 (cumulative) to compare with - a warning that says why
    hits = _add("现行有效规范性文件99件。")
    assert [(f.rule, f.severity, f.expected, f.actual, f.cell) for f in hits] == [
        ("N103", "warning", 12, 99, "normative_docs.total_public")
    ]
    assert "累计" in hits[0].message
    # an exact claim written approximately stays a warning
    hits = _add("现行有效规范性文件近99件。", CLEAN_2021)
    assert [(f.rule, f.severity) for f in hits] == [("N103", "warning")]


def test_claim_severity_is_rule_data() -> None:
    base = {"id": "x", "value": "requests.new.total", "patterns": ["收到{NUM}"]}
    assert parse_claim(base).severity is None
    assert parse_claim({**base, "severity": "error"}).severity == "error"
    with pytest.raises(ValueError, match="severity"):
        parse_claim({**base, "severity": "fatal"})


@pytest.mark.parametrize("word", ["增长率为", "增长率达", "增长幅度为", "增幅为"])
def test_growth_rate_named_as_a_rate_is_recomputed(word: str) -> None:
    (s,) = analyse(f"访问人数由1000人上涨至1500人,{word}40%。")
    (g,) = growth_checks(s)
    assert (g.what, g.computed, g.stated.text) == ("rate", Decimal("50"), "40%")
    hits = _add(f"访问人数由1000人上涨至1500人,{word}40%。")
    assert [(f.rule, f.expected, f.actual, f.line) for f in hits] == [("N204", "50%", "40%", 7)]
    assert not _add(f"访问人数由1000人上涨至1500人,{word}50%。")


def test_falling_rate_named_as_a_rate() -> None:
    (s,) = analyse("投诉件由200件下降至150件,下降幅度为20%。")
    (g,) = growth_checks(s)
    assert (g.computed, g.falling) == (Decimal("25"), True)
    (s,) = analyse("投诉件由200件下降至150件,降幅为25%。")
    assert growth_checks(s) == []


@pytest.mark.parametrize(
    ("sentence", "numerator", "denominator", "expected", "actual"),
    [
        ("共受理事项1200件,办结1180件,办结率98.5%。", "1180件", "1200件", "98.3%", "98.5%"),
        ("共受理咨询5873次,成功4382次,成功率为89.52%。", "4382次", "5873次", "74.61%", "89.52%"),
    ],
)
def test_rate_denominator_falls_back_to_the_one_earlier_count(
    sentence: str, numerator: str, denominator: str, expected: str, actual: str
) -> None:
    (s,) = analyse(sentence)
    (rc,) = rate_checks(s)
    assert (rc.numerator.text, rc.denominator.text) == (numerator, denominator)
    hits = _add(sentence)
    assert [(f.rule, f.severity, f.expected, f.actual, f.line, f.section) for f in hits] == [
        ("N203", "warning", expected, actual, 7, "一")
    ]
    assert numerator in hits[0].message and denominator in hits[0].message


@pytest.mark.parametrize(
    "sentence",
    [
        "共受理事项1200件,办结1180件,办结率98.3%。",  # right
        "收到申请100件,受理90件,办结80件,办结率95%。",  # two counts could be the whole: ambiguous
        "全年受理1200件;办结1180件,办结率98.5%。",  # the count is in another clause group
        "共受理事项1200件,办结1180次,办结率98.5%。",  # not the numerator's unit
    ],
)
def test_rate_fallback_quiet(sentence: str) -> None:
    (s,) = analyse(sentence)
    assert rate_checks(s) == []


def test_scope_of_the_whole_covers_its_parts() -> None:
    # the city's figures: neither the whole nor its 其中 part is the agency's table
    assert not _add("全市共收到政府信息公开申请300件,其中予以公开200件。")
    assert not _add("全市共收到政府信息公开申请300件,分别为予以公开200件、部分公开100件。")
    # the agency's own whole: its part is compared
    hits = [f for f in _add("我局共收到政府信息公开申请25件,其中予以公开200件。") if f.cell == "granted.total"]
    assert [(f.rule, f.expected, f.actual, f.line) for f in hits] == [("N101", 11, 200, 7)]


# ------------------------------------------------------------------------------ pure helpers


def test_split_sentences_keeps_closing_quotes() -> None:
    assert split_sentences("他说:“好。”然后走了。最后") == [(0, "他说:“好。”"), (7, "然后走了。"), (12, "最后")]
    assert split_sentences("") == []


def test_compile_pattern_macros_and_errors() -> None:
    p = compile_pattern("予以公开{GAP:4}{NUM}")
    assert "num" in p.groupindex
    with pytest.raises(ValueError):
        compile_pattern("{NUM}{NUM}")
    with pytest.raises(ValueError):
        compile_pattern("(?P<num>x)")
    with pytest.raises(ValueError):
        compile_pattern("([")


def test_approx_bounds() -> None:
    def b(t: str) -> tuple[Decimal, Decimal | None]:
        q = parse_quantity(t)
        assert q is not None
        return approx_bounds(q)

    assert b("3000余条") == (Decimal(3000), Decimal(4000))
    assert b("120多篇") == (Decimal(120), Decimal(130))
    assert b("超过31万人") == (Decimal(310000), None)
    assert b("近22条") == (Decimal(21), Decimal(22))
    assert b("25件") == (Decimal(25), Decimal(25))
    assert b("62.8万条") == (Decimal(627500), Decimal(628500))


def test_growth_checks_directions() -> None:
    (s,) = analyse("办理时限由20天压缩至15天,压缩25%。")
    assert growth_checks(s) == []
    (s,) = analyse("办理时限由20天压缩至15天,压缩30%。")
    (g,) = growth_checks(s)
    assert g.falling and g.computed == Decimal(25)


def test_rule_claims_compile_and_name_template_keys() -> None:
    rules = [r for r in builtin_rules() if r.check == "narrative_claims"]
    assert rules
    for rule in rules:
        claims = [parse_claim(c) for c in rule.params["claims"]]
        for c in claims:
            assert c.patterns or c.none_patterns, (rule.code, c.id)
            for tid in c.templates or rule.templates:
                source = ReportCells(None, get_template(tid))
                for expr in (c.value, *c.accept):
                    compile_relation(f"{expr} = 0").check_keys(source)
                if c.exact_when:
                    compile_relation(c.exact_when).check_keys(source)


def test_report_mentions_are_filled() -> None:
    r = lint_text(CLEAN, "c.txt")
    m = next(m for m in r.report.mentions if m.text == "89.52%" or m.text == "74.61%")
    assert m.unit == "%" and m.section == "一" and m.line == 6 and "转接成功率" in m.sentence


# ---------------------------------------------------------------------------- property tests

PIECE = st.sampled_from(
    ["共", "其中", "合计", "分别为", "由", "增长至", "增长", "转接", "转接成功", "成功率为", "收到申请", "予以公开",
     "上年结转", "行政复议", "未发生", "行政诉讼", "(", ")", ",", "、", ";", "。", "约", "余", "近"]
)
NUMBER = st.builds(
    lambda n, u: f"{n}{u}",
    st.one_of(st.integers(0, 10**7).map(str), st.decimals(0, 10**5, places=2).map(str), st.sampled_from(["两", "十五万", "1,234", "0"])),
    st.sampled_from(["件", "条", "%", "万条", "个", "次", "", "余条", "亿元"]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_random_text_never_raises(text: str) -> None:
    sentences = analyse(text)
    part_groups(sentences)
    for s in sentences:
        rate_checks(s)
        growth_checks(s)
        for i in range(len(s.quantities)):
            label_of(s, i)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(PIECE, NUMBER), max_size=30))
def test_random_number_sentences_never_raise(pieces: list[str]) -> None:
    sentence = "".join(pieces)
    sentences = analyse(sentence)
    part_groups(sentences)
    for s in sentences:
        rate_checks(s)
        growth_checks(s)
    text = CLEAN.replace("(五)依申请公开情况。", "(五)依申请公开情况。" + sentence.replace("\n", ""), 1)
    r = lint_text(text, "random.txt")
    assert "E100" not in {f.rule for f in r.findings}, [f.message for f in r.findings if f.rule == "E100"]
