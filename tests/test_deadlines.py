"""Dates and deadlines (D rules): regulation by report year, entity kind, date sources."""

from __future__ import annotations

from datetime import date

import pytest
from tests.conftest import FIXTURES, SEED, lint_text

from xxgk_lint.pipeline import Options, lint_document
from xxgk_lint.read.text import read_text

SEED3 = SEED["003"].read_text(encoding="utf-8")
SEED2 = SEED["002"].read_text(encoding="utf-8")


def d_findings(result, code: str) -> list:  # type: ignore[no-untyped-def]
    return [f for f in result.findings if f.rule == code]


def test_seed_003_signed_on_the_last_day_is_on_time() -> None:
    r = lint_text(SEED3, "003.txt")
    assert r.report.report_year == 2018
    assert r.report.published_on == date(2019, 1, 31)
    assert r.report.published_on_source == "signature"
    assert r.report.kind == "department"
    assert not d_findings(r, "D101")


def test_2018_report_falls_under_the_2008_rule_not_the_2019_one() -> None:
    """Signed 2019-02-01: a day late for a department under 条例 2019 art. 49 (1月31日), but a 2018
    report was governed by the 2008 条例 art. 31 (3月31日), so it is on time."""
    late_text = SEED3.replace("2019年1月31日", "2019年2月1日")
    r = lint_text(late_text, "003.txt")
    assert r.report.published_on == date(2019, 2, 1)
    assert not d_findings(r, "D101")
    # the same text as a 2019 report signed 2020-02-01 is one day late under the 2019 rule
    as_2019 = (
        late_text.replace("2018年度政务公开", "2019年度政务公开")
        .replace("2018年", "2019年")
        .replace("2019年2月1日", "2020年2月1日")
    )
    r = lint_text(as_2019, "003.txt")
    assert r.report.report_year == 2019
    late = d_findings(r, "D101")
    assert len(late) == 1
    f = late[0]
    assert f.severity == "error" and f.expected == "<= 2020-01-31" and f.actual == "2020-02-01"
    assert "逾期 1 天" in f.message and "第四十九条" in f.message and "文末落款" in f.message


def test_seed_002_is_a_government_report_due_31_march() -> None:
    on_time = lint_document(read_text(SEED2, "002.txt"), Options(published_on=date(2021, 3, 31)))
    assert on_time.report.kind == "government"
    assert on_time.report.agency == "重庆市"
    assert not d_findings(on_time, "D101")
    late = lint_document(read_text(SEED2, "002.txt"), Options(published_on=date(2021, 4, 1), lang="en"))
    f = d_findings(late, "D101")[0]
    assert f.expected == "<= 2021-03-31" and "1 day(s)" in f.message and "government" in f.message
    assert late.report.published_on_source == "option"


def test_kind_override() -> None:
    r = lint_document(read_text(SEED2, "002.txt"), Options(published_on=date(2021, 2, 15), kind="department"))
    assert [f.expected for f in d_findings(r, "D101")] == ["<= 2021-01-31"]


def test_no_date_is_info() -> None:
    r = lint_text(SEED["004"].read_text(encoding="utf-8"), "004.txt")
    f = d_findings(r, "D102")
    assert len(f) == 1 and f[0].severity == "info"
    assert not d_findings(lint_text(SEED3, "003.txt"), "D102")


def test_dated_before_the_year_ended() -> None:
    r = lint_text(SEED3.replace("2019年1月31日", "2018年12月1日"), "003.txt")
    f = d_findings(r, "D103")
    assert len(f) == 1 and f[0].actual == "2018-12-01" and f[0].line is not None
    assert not d_findings(lint_text(SEED3, "003.txt"), "D103")


def test_title_year_contradicts_prose() -> None:
    text = "昭通市政务服务管理局2020年政府信息公开工作年度报告\n" + SEED3
    r = lint_text(text, "003.txt")
    f = d_findings(r, "D104")
    assert len(f) == 1 and f[0].expected == 2020 and f[0].actual == 2018
    ok = "昭通市政务服务管理局2018年政府信息公开工作年度报告\n" + SEED3
    assert not d_findings(lint_text(ok, "003.txt"), "D104")


@pytest.mark.parametrize(("page", "fires"), [("2019-01-20", True), ("2019-02-02", False)])
def test_signature_after_page_date(page: str, fires: bool) -> None:
    doc = read_text(SEED3, "003.html")
    doc.meta.update({"published_on": page, "published_on_source": "meta:PubDate"})
    r = lint_document(doc, Options())
    assert r.report.published_on_source == "meta:PubDate"
    assert bool(d_findings(r, "D105")) is fires


def test_holiday_rollover_is_an_option() -> None:
    # a 2022 department report is due 2023-01-31 (a working day); 2023-01-28 was a make-up workday.
    # 2021 report due 2022-01-31: Spring Festival break (2022-01-31 .. 2022-02-06) -> next workday 2022-02-07
    text = (
        SEED3.replace("2018年度政务公开", "2021年度政务公开")
        .replace("2018年", "2021年")
        .replace("2019年1月31日", "2022年2月7日")
    )
    strict = lint_text(text, "x.txt")
    assert [f.expected for f in d_findings(strict, "D101")] == ["<= 2022-01-31"]
    rolled = lint_document(read_text(text, "x.txt"), Options(extra={"deadline_rollover": "next-workday"}))
    assert not d_findings(rolled, "D101")


def test_holiday_rollover_late_message_shows_both_dates() -> None:
    """2021 report of a department, due 2022-01-31 (first day of the 2022 Spring Festival break in
    chinese_calendar): rolled over to 2022-02-07, published 2022-02-08 is 1 day late after the roll."""
    import chinese_calendar

    assert chinese_calendar.is_holiday(date(2022, 1, 31)) and chinese_calendar.is_workday(date(2022, 2, 7))
    text = (
        SEED3.replace("2018年度政务公开", "2021年度政务公开")
        .replace("2018年", "2021年")
        .replace("2019年1月31日", "2022年2月8日")
    )
    extra = {"deadline_rollover": "next-workday"}
    zh = d_findings(lint_document(read_text(text, "x.txt"), Options(extra=extra)), "D101")
    assert len(zh) == 1 and zh[0].expected == "<= 2022-02-07"
    assert "截止日期 2022-01-31(顺延至 2022-02-07)" in zh[0].message and "逾期 1 天" in zh[0].message
    en = d_findings(lint_document(read_text(text, "x.txt"), Options(extra=extra, lang="en")), "D101")
    assert "deadline 2022-01-31 (rolled over to 2022-02-07)" in en[0].message and "1 day(s)" in en[0].message
    # without the option only the statutory date is shown, and the days count from it
    strict = d_findings(lint_text(text, "x.txt"), "D101")
    assert "顺延" not in strict[0].message and "逾期 8 天" in strict[0].message


_NO_YEAR = "政府信息公开工作年度报告\n一、总体情况\n本局认真落实政府信息公开条例,主动公开信息120条。\n昭通市政务服务管理局\n2020年2月20日\n"


def test_unknown_report_year_is_a_note_that_the_deadline_was_skipped() -> None:
    r = lint_text(_NO_YEAR, "x.txt")
    assert r.report.report_year is None and r.report.published_on == date(2020, 2, 20)
    f = d_findings(r, "D106")
    assert len(f) == 1 and f[0].severity == "info" and f[0].line == 5
    assert "报告年度" in f[0].message and "2020-02-20" in f[0].message and "清单" in f[0].message
    assert not d_findings(r, "D101")
    en = d_findings(lint_text(_NO_YEAR, "x.txt", lang="en"), "D106")
    assert "could not be read" in en[0].message and "manifest" in en[0].message
    # a year given (as a manifest's year column does) checks the deadline instead
    given = lint_text(_NO_YEAR, "x.txt", report_year=2019, kind="department")
    assert not d_findings(given, "D106")
    assert [f.expected for f in d_findings(given, "D101")] == ["<= 2020-01-31"]
    # the seeds and the clean fixtures have a year
    assert not d_findings(lint_text(SEED3, "003.txt"), "D106")
    # no date either: D102 says the deadline was not checked, D106 adds nothing
    undated = lint_text(_NO_YEAR.replace("2020年2月20日\n", ""), "x.txt")
    assert d_findings(undated, "D102") and not d_findings(undated, "D106")


CLEAN_2021 = (FIXTURES / "clean-2021.txt").read_text(encoding="utf-8")  # a 2022 report, signed 2023-01-20
TITLE_2021 = "昭通市政务服务管理局2021年政府信息公开工作年度报告\n"


@pytest.mark.parametrize(
    "signature",
    ["2023年1月20日", "2022年1月20日", None],
    ids=["signed-2023", "signed-2022", "undated"],
)
def test_title_one_year_behind_the_year_described(signature: str | None) -> None:
    """The 2022 text under a 2021 title: the opening and 总体情况 say "2022年,……", so D104 fires
    however (or whether) it is dated — before, only when dated after 2022."""
    text = TITLE_2021 + CLEAN_2021
    if signature != "2023年1月20日":
        text = text.replace("\n2023年1月20日", "" if signature is None else "\n" + signature)
    f = d_findings(lint_text(text, "x.txt"), "D104")
    assert len(f) == 1 and (f[0].expected, f[0].actual) == (2021, 2022)
    assert f[0].line is not None


def test_title_one_year_ahead_of_the_year_described() -> None:
    text = "昭通市政务服务管理局2023年政府信息公开工作年度报告\n" + CLEAN_2021
    f = d_findings(lint_text(text, "x.txt"), "D104")
    assert len(f) == 1 and (f[0].expected, f[0].actual) == (2023, 2022)
    ok = "昭通市政务服务管理局2022年政府信息公开工作年度报告\n" + CLEAN_2021
    assert not d_findings(lint_text(ok, "x.txt"), "D104")


_PLANS = (
    "某某局2022年政府信息公开工作年度报告\n"
    "2022年,本局认真贯彻落实《中华人民共和国政府信息公开条例》。\n"
    "一、总体情况\n"
    "{overview}\n"
    "五、存在的主要问题及改进情况\n"
    "2023年工作打算。2023年重点抓好三项工作。2023年持续推进标准化建设。2023年上半年完成栏目改版。"
    "2023年底前完成全部整改。2023年,我局将进一步加强培训。\n"
    "六、其他需要报告的事项\n"
    "本年度未收取信息处理费。\n"
    "某某局\n"
)


def test_next_years_plans_do_not_make_a_title_mismatch() -> None:
    """Section 五 of a 2022 report names 2023 six times (plans); the opening and 总体情况 describe
    2022.  The year mentioned most is not the year described: quiet, dated or not."""
    text = _PLANS.format(overview="本局全年主动公开政府信息120条。")
    assert not d_findings(lint_text(text, "x.txt"), "D104")
    assert not d_findings(lint_text(text + "2023年1月20日\n", "x.txt"), "D104")
    # the same 2023 sentences in 总体情况, saying what the year was: the text describes 2023
    told = _PLANS.format(overview="2023年,本局主动公开政府信息120条。2023年共受理申请8件。")
    f = d_findings(lint_text(told, "x.txt"), "D104")
    assert [(x.expected, x.actual) for x in f] == [(2022, 2023)]


def test_comparisons_and_quoted_names_do_not_count_as_the_year_described() -> None:
    text = (
        "某某局2022年政府信息公开工作年度报告\n"
        "根据《关于做好2021年度政务公开工作的通知》要求,现将本局2022年工作情况报告如下。\n"
        "一、总体情况\n"
        "主动公开信息120条,与2021年相比增加20条;较2021年增长20%;比2021年多开展培训2次。\n"
        "某某局\n2023年1月20日\n"
    )
    assert not d_findings(lint_text(text, "x.txt"), "D104")


def test_seed_003_signed_2019_02_01_literally_under_both_regimes() -> None:
    """The same 2018 text signed 2019-02-01, with the regime table edited so that the 2019 rule also
    governs 2018: 1 day late; under the shipped table (2008 rule for 2018): on time."""
    import dataclasses

    from xxgk_lint.check.rules import builtin_rules

    late_text = SEED3.replace("2019年1月31日", "2019年2月1日")
    rules = builtin_rules()
    d101 = next(r for r in rules if r.code == "D101")
    reg2019 = dict(d101.params["regimes"][0], first_year=2018)
    as_if = dataclasses.replace(d101, params={**d101.params, "regimes": [reg2019]})
    swapped = tuple(as_if if r.code == "D101" else r for r in rules)
    late = d_findings(lint_document(read_text(late_text, "003.txt"), Options(rules=swapped)), "D101")
    assert [(f.expected, f.actual) for f in late] == [("<= 2019-01-31", "2019-02-01")]
    assert "逾期 1 天" in late[0].message
    assert not d_findings(lint_document(read_text(late_text, "003.txt"), Options()), "D101")
