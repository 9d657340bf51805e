"""Template versions (2019, 2021, pre-2019), outdated layouts and content duties."""

from __future__ import annotations

from tests.conftest import CLEAN_2019, FIXTURES, SEED, lint_text

CLEAN_2021 = (FIXTURES / "clean-2021.txt").read_text(encoding="utf-8")
SEED1 = SEED["001"].read_text(encoding="utf-8")


def rules_of(result) -> set[str]:  # type: ignore[no-untyped-def]
    return {f.rule for f in result.findings}


def test_clean_2021_fixture_passes_clean() -> None:
    r = lint_text(CLEAN_2021, "clean-2021.txt")
    assert r.report.template == "gov-2021" and r.report.report_year == 2022
    assert r.findings == [], [(f.rule, f.message) for f in r.findings]
    t = r.report.tables["requests"]
    # the 2021 split of (六)其他处理 is read into its own keys
    assert t.cell("other_overdue_correction", "total").value == 1
    assert t.cell("other_other", "total").value == 0
    assert r.report.tables["active"].cell("fees", "fee_amount").decimals == 1


def test_2019_layout_for_a_2022_report_is_outdated_but_checked_as_written() -> None:
    old = CLEAN_2019.read_text(encoding="utf-8")
    old = (
        old.replace("2018年度", "2022年度")
        .replace("2018年", "2022年")
        .replace("2019年1月31日", "2023年1月20日")
    )
    r = lint_text(old, "old.txt")
    assert r.report.template == "gov-2019"
    s201 = [f for f in r.findings if f.rule == "S201"]
    assert len(s201) == 1 and s201[0].severity == "warning"
    assert (s201[0].expected, s201[0].actual) == ("gov-2021", "gov-2019")
    assert rules_of(r) == {"S201"}


def test_newer_layout_than_required_is_not_outdated() -> None:
    # seed 003 / clean-2019: a 2018 report already in the 2019 layout
    assert "S201" not in rules_of(lint_text(CLEAN_2019.read_text(encoding="utf-8"), "c.txt"))


def test_explicit_template_option() -> None:
    r = lint_text(CLEAN_2021, "c.txt", template="gov-2019")
    assert r.report.template == "gov-2019"
    assert "T002" in rules_of(r)  # 2019 rows such as 其他对外管理服务事项 are missing


def test_seed_001_statistics_table_reconciles_under_pre_2019_rules() -> None:
    r = lint_text(SEED1, "001.txt")
    assert r.report.template == "pre-2019"
    stats = r.report.tables["stats"]
    assert stats.cell("proactive_total", "value").value == 395
    assert stats.cell("staff", "value").value == 3
    assert not [f for f in r.findings if f.rule == "T210"]


def test_statistics_table_breakdown_error() -> None:
    bad = SEED1.replace("(一)收到申请数 | 件 | 1 |", "(一)收到申请数 | 件 | 2 |")
    r = lint_text(bad, "001.txt")
    t210 = [f for f in r.findings if f.rule == "T210"]
    assert [(f.cell, f.expected, f.actual, f.severity) for f in t210] == [("received.value", 1, 2, "error")]


def _as_government(text: str) -> str:
    return text.replace("昭通市政务服务管理局\n2023年1月20日", "昭通市人民政府\n2023年3月20日")


def test_government_report_must_cover_assessment_evaluation_accountability() -> None:
    r = lint_text(_as_government(CLEAN_2021), "gov.txt")
    assert r.report.kind == "government"
    s301 = [f for f in r.findings if f.rule == "S301"]
    assert len(s301) == 1 and "社会评议" in s301[0].message and "责任追究" in s301[0].message
    covered = _as_government(CLEAN_2021).replace(
        "五、存在的主要问题", "本年度开展社会评议1次,未发生责任追究情况。\n五、存在的主要问题", 1
    )
    assert "S301" not in rules_of(lint_text(covered, "gov.txt"))
    # a department's report has no such duty
    assert "S301" not in rules_of(lint_text(CLEAN_2021, "dept.txt"))


def test_2021_section_five_reports_last_years_problems() -> None:
    text = CLEAN_2021.replace(
        "上年度报告所列问题均已整改:针对上年度提出的公开渠道单一问题,已开设政务新媒体专栏,整改到位。\n", ""
    )
    r = lint_text(text, "x.txt")
    s302 = [f for f in r.findings if f.rule == "S302"]
    assert len(s302) == 1 and s302[0].section == "五" and s302[0].line is not None


def test_2021_section_six_reports_information_processing_fees() -> None:
    r = lint_text(CLEAN_2021.replace("本年度未收取信息处理费。", "无。"), "x.txt")
    s303 = [f for f in r.findings if f.rule == "S303"]
    assert len(s303) == 1 and s303[0].section == "六"
    # 2019-format reports have no such duty
    assert "S303" not in rules_of(lint_text(CLEAN_2019.read_text(encoding="utf-8"), "c.txt"))


def _without_table_two(text: str, prose: str) -> str:
    lines = text.splitlines()
    i = lines.index("二、主动公开政府信息情况")
    j = next(k for k, line in enumerate(lines) if line.startswith("三、收到"))
    return "\n".join([*lines[: i + 1], prose, *lines[j:]])


def test_markers_in_prose_do_not_choose_the_layout() -> None:
    """A 2022 report in the 2021 layout without table 二: "政府集中采购" in a prose sentence is no
    2019 table (before, it tied with the 2021 marker of table 三 and the 2019 layout won)."""
    text = _without_table_two(CLEAN_2021, "本年度主动公开政府集中采购信息12条。")
    r = lint_text(text, "x.txt")
    assert (r.report.template, r.report.template_reason) == ("gov-2021", "layout:gov-2021")
    assert [(f.rule, f.line) for f in r.findings] == [("T001", 10)]  # only the missing table
    assert not [f for f in r.findings if f.rule == "S201" or f.rule.startswith("T2")]


def test_tied_markers_go_to_the_template_of_the_report_year() -> None:
    from xxgk_lint.parse import choose_template
    from xxgk_lint.read.text import read_text

    rows = (
        "第二十条第(九)项 |\n信息内容 | 采购项目数量 |\n"  # one 2019 marker
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请 | 0 |\n"  # one 2021 marker
    )
    doc = read_text("一、总体情况\n" + rows, "x.txt")
    assert choose_template(doc, 2022)[0].id == "gov-2021"
    assert choose_template(doc, 2020)[0].id == "gov-2019"


def test_mixed_layouts_are_checked_table_by_table() -> None:
    """The 2019 table 二 with the 2021 table 三 (其他处理 split in three rows): table 三 is read and
    reconciled in the 2021 layout, the rest in the 2019 one; no false T202 (before: 3 errors)."""
    c19 = CLEAN_2019.read_text(encoding="utf-8").splitlines()
    c21 = CLEAN_2021.splitlines()
    single = c19.index("(六)其他处理 | 0 | 0 | 1 | 0 | 0 | 0 | 1 |")
    split = [i for i, line in enumerate(c21) if "其他处理" in line][0]
    mixed = "\n".join([*c19[:single], *c21[split : split + 3], *c19[single + 1 :]])
    r = lint_text(mixed, "mixed.txt")
    assert r.report.template == "gov-2019"
    assert r.report.template_reason == "layout:gov-2019;tables:requests=gov-2021"
    assert r.findings == [], [(f.rule, f.message) for f in r.findings]
    t = r.report.tables["requests"]
    assert t.cell("other_overdue_correction", "total").value == 1
    assert r.report.tables["active"].cell("procurement", "projects").value == 5
    # a wrong total in the mixed table is still found, against the 2021 rows
    bad = mixed.replace(
        "(七)总计 | 20 | 3 | 1 | 0 | 1 | 0 | 25 |", "(七)总计 | 20 | 3 | 1 | 0 | 1 | 0 | 26 |"
    )
    t202 = [f for f in lint_text(bad, "mixed.txt").findings if f.rule == "T202"]
    assert [(f.expected, f.actual) for f in t202] == [(25, 26)]


def test_reverse_mix_2021_table_two_with_the_2019_table_three() -> None:
    """The 2021 table 二 with the 2019 table 三 (one (六)其他处理 row with its numbers).  The 2019
    table 三 has no label the 2021 one lacks, so the labels alone kept it in the 2021 layout: two
    T002 (missing split rows), T004 and skipped T202/T203.  The whole row with numbers is read as the
    2019 layout now: clean, and a wrong total is still found against the 2019 rows."""
    c19 = CLEAN_2019.read_text(encoding="utf-8").splitlines()
    c21 = CLEAN_2021.splitlines()
    single = c19.index("(六)其他处理 | 0 | 0 | 1 | 0 | 0 | 0 | 1 |")
    split = [i for i, line in enumerate(c21) if "其他处理" in line][0]
    assert c21[split + 3].startswith("(七)总计")
    mixed = "\n".join([*c21[:split], c19[single], *c21[split + 3 :]])
    r = lint_text(mixed, "mixed.txt")
    assert (r.report.template, r.report.report_year) == ("gov-2021", 2022)
    assert r.report.template_reason == "layout:gov-2021;tables:requests=gov-2019"
    assert r.findings == [], [(f.rule, f.message) for f in r.findings]
    t = r.report.tables["requests"]
    assert t.cell("other", "total").value == 1
    assert r.report.tables["active"].cell("fees", "fee_amount").decimals == 1  # table 二 stays 2021
    bad = mixed.replace(
        "(七)总计 | 20 | 3 | 1 | 0 | 1 | 0 | 25 |", "(七)总计 | 20 | 3 | 1 | 0 | 1 | 0 | 26 |"
    )
    t202 = [f for f in lint_text(bad, "mixed.txt").findings if f.rule == "T202"]
    assert [(f.expected, f.actual) for f in t202] == [(25, 26)]


def test_a_2021_table_three_is_not_mistaken_for_the_2019_one() -> None:
    """The caption row of the 2021 split ("(六)其他处理 | 1.申请人……") carries a label, not numbers."""
    from xxgk_lint.parse import per_table_layouts
    from xxgk_lint.parse.template import get_template
    from xxgk_lint.read.text import read_text

    assert per_table_layouts(get_template("gov-2021"), read_text(CLEAN_2021, "c.txt")) == {}
    c19 = CLEAN_2019.read_text(encoding="utf-8")
    assert per_table_layouts(get_template("gov-2019"), read_text(c19, "c.txt")) == {}


def test_split_rows_under_other_punctuation_keep_the_2021_layout() -> None:
    """A 2021 table 三 whose (六)其他处理 caption row carries a subtotal and whose sub-rows use ","
    for "、": the sub-rows are there, so it is not read as the 2019 single row."""
    from xxgk_lint.parse import per_table_layouts
    from xxgk_lint.parse.template import get_template
    from xxgk_lint.read.text import read_text

    lines = CLEAN_2021.splitlines()
    split = [i for i, line in enumerate(lines) if "其他处理" in line][0]
    sub1 = lines[split].split(" | ", 1)[1].replace("、", ",")
    lines[split : split + 2] = [
        "(六)其他处理 | 0 | 0 | 1 | 0 | 0 | 0 | 1 |",
        sub1,
        lines[split + 1].replace("、", ","),
    ]
    text = "\n".join(lines)
    assert per_table_layouts(get_template("gov-2021"), read_text(text, "c.txt")) == {}
