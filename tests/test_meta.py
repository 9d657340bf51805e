"""Report facts (parse/meta.py): year, agency and entity kind from titles, the opening and the prose."""

from __future__ import annotations

from datetime import date

import pytest
from tests.conftest import SEED, lint_text

from xxgk_lint.parse import parse_document
from xxgk_lint.pipeline import Options, lint_document
from xxgk_lint.read.text import read_text

SEED0 = SEED["000"].read_text(encoding="utf-8")
SEED4 = SEED["004"].read_text(encoding="utf-8")
BODY = "一、总体情况\n本年度政府信息公开工作有序推进。\n二、主动公开政府信息情况\n"


def parse(text: str):  # type: ignore[no-untyped-def]
    return parse_document(read_text(text, "x.txt"))


@pytest.mark.parametrize(
    ("title", "year", "agency", "kind"),
    [
        ("某某局政府信息公开工作2019年度报告", 2019, "某某局", "department"),
        ("2019年某某局政府信息公开工作年度报告", 2019, "某某局", "department"),
        ("某某市人民政府关于2019年度政府信息公开工作的报告", 2019, "某某市人民政府", "government"),
        ("某某区2021年政务公开工作年度报告", 2021, "某某区", "government"),
        ("二〇一九年某某县统计局政府信息公开工作年度报告", 2019, "某某县统计局", "department"),
        ("某某县财政局2020年政府信息公开年报", 2020, "某某县财政局", "department"),
        ("某某镇人民政府二〇二一年度政府信息公开工作年度报告", 2021, "某某镇人民政府", "government"),
        # no agency in the title: the year only
        ("2019年政府信息公开工作年度报告", 2019, None, None),
    ],
)
def test_title_forms(title: str, year: int, agency: str | None, kind: str | None) -> None:
    r = parse(title + "\n" + BODY)
    assert r.title == title
    assert (r.report_year, r.title_year, r.agency, r.kind) == (year, year, agency, kind)


def test_agency_from_the_opening_sentence() -> None:
    r = parse(BODY.replace("本年度政府信息公开工作有序推进。", "2019年,在市委、市政府的坚强领导下,市统计局坚持以公开为常态。"))
    assert (r.report_year, r.agency, r.kind) == (2019, "市统计局", "department")
    # a subject that is no organisation is not an agency
    r = parse(BODY.replace("本年度政府信息公开工作有序推进。", "2019年,全市政务公开工作坚持以人民为中心。"))
    assert (r.agency, r.kind) == (None, None)


def test_first_person_is_department_evidence_only_when_repeated() -> None:
    once = BODY + "我局发布信息12条。\n"
    assert parse(once).kind is None
    twice = once + "我局受理申请3件。\n"
    assert parse(twice).kind == "department"
    # a text speaking of 我市 more often than of 我局 gives no guess
    city = twice + "我市推进政务公开。我市完善平台。我市加强培训。\n"
    assert parse(city).kind is None
    # the agency's own name decides over the self-references
    assert parse("某某市人民政府2019年政府信息公开工作年度报告\n" + twice).kind == "government"


def test_seed_004_is_a_department_report_from_its_opening() -> None:
    r = lint_text(SEED4, "004.txt")
    assert (r.report.report_year, r.report.agency, r.report.kind) == (2019, "省经信厅", "department")
    # no date in the text: the deadline is only noted (info), never an error
    d = [f for f in r.findings if f.rule[0] == "D"]
    assert [(f.rule, f.severity) for f in d] == [("D102", "info")]
    # dated 2020-02-15 it is late under the departments' 1月31日, not the lenient 3月31日
    late = lint_document(read_text(SEED4, "004.txt"), Options(published_on=date(2020, 2, 15)))
    d101 = [f for f in late.findings if f.rule == "D101"]
    assert [(f.expected, f.actual) for f in d101] == [("<= 2020-01-31", "2020-02-15")]
    assert "政府部门" in d101[0].message and "主体类型未知" not in d101[0].message


def test_seed_000_calls_itself_wo_wei() -> None:
    r = lint_text(SEED0, "000.txt")
    # 我委 (14 times) and its own 《重庆市经济和信息化委员会政府信息主动公开基本目录》 in the opening
    assert (r.report.report_year, r.report.agency, r.report.kind) == (2018, "重庆市经济和信息化委员会", "department")
    assert [(f.rule, f.severity) for f in r.findings if f.rule[0] == "D"] == [("D102", "info")]
    # a 2018 report falls under the 2008 rule: 3月31日 for departments too
    ok = lint_document(read_text(SEED0, "000.txt"), Options(published_on=date(2019, 3, 31)))
    assert not [f for f in ok.findings if f.rule == "D101"]


def test_odd_titles_do_not_crash() -> None:
    for text in ("年报", "报告年", "二〇一九年", "《》年度报告\n", "2019年,\n", "我局我局", "关于年度报告"):
        r = parse(text)
        assert r.report_year in (None, 2019)
