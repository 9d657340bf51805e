"""The five seed reports end to end: every finding is one a careful reader would agree with."""

from __future__ import annotations

import pytest
from tests.conftest import SEED, codes, lint_file


@pytest.mark.parametrize("seed", sorted(SEED))
def test_every_seed_runs(seed: str) -> None:
    result = lint_file(SEED[seed])
    assert result.report is not None
    assert "E100" not in codes(result), [f.message for f in result.findings if f.rule == "E100"]


def test_seed_004_missing_section_six_and_slash_cells() -> None:
    r = lint_file(SEED["004"])
    missing = [f for f in r.findings if f.rule == "S101"]
    assert [(f.section, f.severity) for f in missing] == [("六", "error")]
    slash = [f for f in r.findings if f.rule == "T101"]
    assert slash and all(f.severity == "warning" for f in slash)
    # the 规章 row of table 二: two "/" cells, row and columns named
    reg = next(f for f in slash if f.cell and f.cell.startswith("regulations."))
    assert reg.table == "active" and reg.section == "二" and reg.line == 25
    assert reg.actual == ["/", "/"]
    assert "本年新制作数量" in reg.message and "本年新公开数量" in reg.message
    # table 四 is all "/" (15 cells, three rows)
    assert sum(1 for f in slash if f.table == "reviews") == 3
    unit = [f for f in r.findings if f.rule == "T103"]
    assert [(f.cell, f.actual, f.expected) for f in unit] == [
        ("procurement.amount", "5234.55万元", "5234.55")
    ]
    # collapsed blanks in table 三 are reported once, as info
    unplaced = [f for f in r.findings if f.rule == "T107"]
    assert len(unplaced) == 1 and unplaced[0].severity == "info" and unplaced[0].table == "requests"
    assert r.report.template == "gov-2019"


def test_seed_003_wording_warnings_and_no_missing_section() -> None:
    r = lint_file(SEED["003"])
    c = codes(r)
    assert "S101" not in c
    heading = [f for f in r.findings if f.rule == "S103"]
    assert len(heading) == 1
    assert heading[0].expected == "五、存在的主要问题及改进情况"
    assert heading[0].actual == "五、存在主要问题及改进情况"
    assert heading[0].severity == "warning"
    rows = {f.actual: f.expected for f in r.findings if f.rule == "T004"}
    assert rows["(二)不分公开(区分处理的,只计这一情形,不计其他情形)"].startswith("(二)部分公开")
    cols = {f.actual: f.expected for f in r.findings if f.rule == "T005"}
    assert cols["商业机构"] == "商业企业"
    assert all(f.severity == "warning" for f in r.findings)


def test_seed_002_no_headings_no_tables() -> None:
    r = lint_file(SEED["002"])
    assert sorted(f.section for f in r.findings if f.rule == "S101") == sorted("一二三四五六")
    assert sorted(f.table for f in r.findings if f.rule == "T001") == ["active", "requests", "reviews"]
    assert r.report.report_year == 2020


def test_pre_2019_seeds_are_not_held_to_the_2019_layout() -> None:
    for seed in ("000", "001"):
        r = lint_file(SEED[seed])
        assert r.report.template == "pre-2019"
        assert not [f for f in r.findings if f.rule[0] in "ST"], [f.message for f in r.findings]
