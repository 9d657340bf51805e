"""Dates and deadlines (D rules): regulation by report year, entity kind, date sources."""

from __future__ import annotations

from datetime import date

import pytest
from tests.conftest import SEED, lint_text

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
