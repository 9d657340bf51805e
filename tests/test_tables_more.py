"""Tables beyond the scraped ``a | b |`` form: Markdown grids with spanned label columns, rows with
more values than the format's columns (T110), and table 二's sub-table captions."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import CLEAN_2019, FIXTURES, SEED, codes, lint_file, lint_text

from xxgk_lint.parse.model import Report

GRID = FIXTURES / "clean-2019-grid.md"  # table 三 with 3 label columns, as the official template
GRID_2COL = FIXTURES / "clean-2019-grid-2col.md"  # table 三 with 2 label columns
CLEAN_2021 = FIXTURES / "clean-2021.txt"


def _cells(report: Report) -> dict[str, dict[tuple[str, str], tuple[str, str, object]]]:
    return {
        key: {k: (v.status, v.raw, v.value) for k, v in t.cells.items()} for key, t in report.tables.items()
    }


@pytest.fixture(scope="module")
def txt_report() -> Report:
    r = lint_file(CLEAN_2019)
    assert r.report is not None and r.findings == []
    return r.report


# ---------------------------------------------------------------------------------- Markdown grids


@pytest.mark.parametrize("path", [GRID, GRID_2COL], ids=["3-label-columns", "2-label-columns"])
def test_markdown_grid_reads_the_cells_of_the_text_version(path: Path, txt_report: Report) -> None:
    result = lint_file(path)
    assert result.report is not None and result.report.format == "md"
    assert result.findings == [], [f"{f.rule} {f.line} {f.message}" for f in result.findings]
    grid, txt = _cells(result.report), _cells(txt_report)
    assert sorted(grid) == ["active", "requests", "reviews"]
    assert grid == txt
    for key, table in result.report.tables.items():
        assert sorted(table.rows_found) == sorted(txt_report.tables[key].rows_found), key
        assert sorted(table.cols_found) == sorted(txt_report.tables[key].cols_found), key
        assert table.unknown_rows == [] and table.unplaced_rows == {}


def test_markdown_grid_values_keep_their_columns() -> None:
    report = lint_file(GRID).report
    assert report is not None
    req = report.tables["requests"]
    # "| 一、本年新收… |  |  | 20 | 3 | 1 | 0 | 1 | 0 | 25 |": the two empty label positions are not values
    row = [req.cell("new", c).raw for c in ("natural_person", "commercial", "research", "total")]
    assert row == ["20", "3", "1", "25"]
    cell = req.cell("new", "natural_person")
    line = GRID.read_text(encoding="utf-8").split("\n")[cell.line - 1]
    assert line.startswith("| 一、本年新收") and cell.column == line.index("| 20 |") + 3  # where "20" is
    # "|  | (三)不予公开 | 1.属于国家秘密 | …": the label of the numbered row, under its group
    assert req.rows_found["denied_secret"].found == "1.属于国家秘密"
    assert req.cell("refused_petition", "natural_person").raw == "1"
    # header rows spread over the grid: every column found, the captions are not rows
    assert sorted(req.cols_found) == sorted(
        ["natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org", "total"]
    )
    reviews = report.tables["reviews"]
    assert sorted(reviews.rows_found) == ["review", "suit_after", "suit_direct"]
    assert reviews.cell("suit_after", "total").raw == "1"


def test_markdown_grid_blank_first_value_is_a_blank_cell_not_a_label_gap() -> None:
    text = GRID.read_text(encoding="utf-8").replace(
        "| 一、本年新收政府信息公开申请数量 |  |  | 20 | 3 |",
        "| 一、本年新收政府信息公开申请数量 |  |  |  | 3 |",
    )
    result = lint_text(text, "grid.md")
    req = result.report.tables["requests"]
    assert req.cell("new", "natural_person").status == "blank"
    assert req.cell("new", "commercial").raw == "3" and req.cell("new", "total").raw == "25"
    blank = [f for f in result.findings if f.rule == "T102"]
    assert [(f.cell, f.actual) for f in blank] == [("new.natural_person", "")]


def test_markdown_grid_stray_header_row_is_still_reported() -> None:
    # a header-like row that names no column is not a header: its label is an unknown row
    text = GRID.read_text(encoding="utf-8").replace(
        "| 一、本年新收", "|  |  | 其中:网上申请 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |\n| 一、本年新收", 1
    )
    result = lint_text(text, "grid.md")
    unknown = [f for f in result.findings if f.rule == "T006"]
    assert [(f.table, f.actual) for f in unknown] == [("requests", "其中:网上申请")]


# ---------------------------------------------------------------------------------- T110


def _t110(text: str, name: str = "mutated.txt") -> list:
    return [f for f in lint_text(text, name).findings if f.rule == "T110"]


def test_t110_fires_on_a_table_two_row_with_an_extra_value(clean_text: str) -> None:
    text = clean_text.replace("规范性文件 | 3 | 3 | 12 |", "规范性文件 | 3 | 3 | 12 | 99 |")
    result = lint_text(text, "mutated.txt")
    hits = [f for f in result.findings if f.rule == "T110"]
    assert len(hits) == 1
    f = hits[0]
    assert (f.severity, f.table, f.section, f.cell) == ("warning", "active", "二", "normative_docs")
    assert (f.expected, f.actual) == (3, 4)
    assert f.line == 14 and f.column == text.split("\n")[13].index("99") + 1
    assert "规范性文件" in f.message and "99" in f.message
    # the three values that fit are still read; nothing else is reported
    assert result.report.tables["active"].cell("normative_docs", "total_public").raw == "12"
    assert codes(result) == ["T110"]


def test_t110_fires_on_a_table_three_row_with_nine_values(clean_text: str) -> None:
    row = "(六)其他处理 | 0 | 0 | 1 | 0 | 0 | 0 | 1 |"
    hits = _t110(clean_text.replace(row, row + " 1 | 0 |"))
    assert [(f.table, f.cell, f.expected, f.actual, f.line) for f in hits] == [
        ("requests", "other", 7, 9, 53)
    ]
    assert "(六)其他处理" in hits[0].message


def test_t110_in_english_names_the_row() -> None:
    text = CLEAN_2019.read_text(encoding="utf-8").replace(
        "行政许可 | 15 | 2 | 320 |", "行政许可 | 15 | 2 | 320 | 7 |"
    )
    hits = [f for f in lint_text(text, "mutated.txt", lang="en").findings if f.rule == "T110"]
    assert len(hits) == 1 and "行政许可" in hits[0].message and "3 columns" in hits[0].message


def test_t110_fires_on_table_four_with_sixteen_values(clean_text: str) -> None:
    row = "1 | 1 | 0 | 1 | 3 | 1 | 0 | 0 | 0 | 1 | 0 | 0 | 0 | 1 | 1 |"
    hits = _t110(clean_text.replace(row, row + " 2 |"))
    assert [(f.table, f.cell, f.expected, f.actual) for f in hits] == [("reviews", None, 15, 16)]


@pytest.mark.parametrize(
    "path",
    [CLEAN_2019, CLEAN_2021, GRID, GRID_2COL, *(SEED[s] for s in sorted(SEED))],
    ids=lambda p: p.name,
)
def test_t110_quiet_on_clean_reports_and_seeds(path: Path) -> None:
    # seed 004 has collapsed rows ("| 9 | 9 | |||||||") and trailing empty cells after every
    # table 二 row; table 四 is one row of 15 values: none of it is a surplus value
    assert "T110" not in codes(lint_file(path))


def test_t110_ignores_trailing_blanks_and_merged_value_copies(clean_text: str, tmp_path: Path) -> None:
    text = clean_text.replace("行政事业性收费 | 1 | 0 |", "行政事业性收费 | 1 | 0 |  |  |")
    assert _t110(text) == []
    html = (
        "<html><body><p>二、主动公开政府信息情况</p><table>"
        "<tr><td colspan=4>第二十条第(八)项</td></tr>"
        "<tr><td>信息内容</td><td>上一年项目数量</td><td colspan=2>本年增/减</td></tr>"
        "<tr><td>行政事业性收费</td><td>1</td><td colspan=2>0</td></tr>"
        "</table></body></html>"
    )
    page = tmp_path / "page.html"
    page.write_text(html, encoding="utf-8")
    result = lint_file(page, template="gov-2019")
    assert result.report.tables["active"].cell("fees", "change").raw == "0"
    assert "T110" not in codes(result)


# ---------------------------------------------------------------------------------- captions of table 二


def test_wrong_caption_is_reported_with_the_expected_one(clean_text: str) -> None:
    result = lint_text(clean_text.replace("第二十条第(五)项 |", "第二十条第(四)项 |"), "mutated.txt")
    hits = [f for f in result.findings if f.rule == "T004"]
    assert [(f.severity, f.table, f.cell, f.line, f.expected, f.actual) for f in hits] == [
        ("warning", "active", "art20_5", 15, "第二十条第(五)项", "第二十条第(四)项")
    ]
    assert codes(result) == ["T004"]
    # the sub-table is still read as (五): its columns and cells
    active = result.report.tables["active"]
    assert active.cell("licensing", "decisions").raw == "320"
    assert {"art20_5.prev_count", "art20_5.change", "art20_5.decisions"} <= set(active.cols_found)


def test_duplicated_caption_names_the_sub_table_its_rows_belong_to(clean_text: str) -> None:
    # "(六)" written twice: the first one heads the 行政许可 rows, so it should have been (五)
    result = lint_text(clean_text.replace("第二十条第(五)项 |", "第二十条第(六)项 |"), "mutated.txt")
    hits = [(f.rule, f.cell, f.expected, f.actual) for f in result.findings]
    assert hits == [("T004", "art20_5", "第二十条第(五)项", "第二十条第(六)项")]
    assert result.report.tables["active"].cell("punishment", "prev_count").raw == "6"


def test_missing_caption_keeps_the_rows_and_is_a_warning(clean_text: str) -> None:
    result = lint_text(clean_text.replace("第二十条第(六)项 |\n", ""), "mutated.txt")
    assert "T006" not in codes(result)
    hits = [f for f in result.findings if f.rule == "T002"]
    assert [(f.severity, f.cell, f.expected, f.line) for f in hits] == [
        ("warning", "art20_6", "第二十条第(六)项", 20)
    ]
    assert "行政处罚" in hits[0].message and "分表标题" in hits[0].message
    assert codes(result) == ["T002"]
    active = result.report.tables["active"]
    got = {
        (r, c): active.cell(r, c).raw
        for r in ("punishment", "coercion")
        for c in ("prev_count", "change", "decisions")
    }
    assert got == {
        ("punishment", "prev_count"): "6",
        ("punishment", "change"): "0",
        ("punishment", "decisions"): "12",
        ("coercion", "prev_count"): "2",
        ("coercion", "change"): "0",
        ("coercion", "decisions"): "0",
    }
    # the header row under the lost caption heads (六), not (五)
    assert active.cols_found["art20_6.decisions"].line == 19


def test_missing_caption_in_english(clean_text: str) -> None:
    result = lint_text(clean_text.replace("第二十条第(一)项 |\n", ""), "mutated.txt", lang="en")
    hits = [f for f in result.findings if f.rule == "T002"]
    assert len(hits) == 1 and hits[0].cell == "art20_1" and "caption" in hits[0].message
    assert result.report.tables["active"].cell("normative_docs", "total_public").raw == "12"


def test_whole_sub_table_missing_is_still_an_error(clean_text: str) -> None:
    text = clean_text.replace(
        "第二十条第(八)项 |\n信息内容 | 上一年项目数量 | 本年增/减 |\n行政事业性收费 | 1 | 0 |\n", ""
    )
    hits = [f for f in lint_text(text, "mutated.txt").findings if f.rule == "T002"]
    assert [(f.severity, f.expected) for f in hits] == [("error", "第二十条第(八)项")]


# ---------------------------------------------------------------------------------- grammar shapes


def test_outline_grammar_nests_the_heading_levels() -> None:
    from xxgk_lint.parse.outline import build_outline
    from xxgk_lint.read import read_path

    outline = build_outline(read_path(SEED["004"]).blocks)
    heads = outline.headings

    def under(i: int) -> str | None:
        p = outline.parents[i]
        return None if p is None else f"{heads[p].ordinal}{heads[p].title}"

    by_title = {f"{h.ordinal}{h.title}": i for i, h in enumerate(heads)}
    assert under(by_title["一总体情况"]) is None
    assert under(by_title["(一)主动公开"]) == "一总体情况"
    assert under(by_title["1加强政府信息主动公开"]) == "(一)主动公开"
    assert under(by_title["(二)依申请公开"]) == "一总体情况"  # a (二) closes the 1. points of (一)
    # a point straight under a section, with no (一) between: section 五's "1、存在的主要问题"
    assert under(by_title["1存在的主要问题"]) == "五存在的主要问题及改进情况"
    assert all(outline.parents[i] is None for i, h in enumerate(heads) if h.level == 1)


def test_outline_and_table_grammars_accept_every_sequence_in_order() -> None:
    import itertools

    from lark import Token

    from xxgk_lint.parse.outline import _outline_parser
    from xxgk_lint.parse.tables import _table_parser

    for parser, kinds in (
        (_outline_parser(), ["H1", "H2", "H3", "PARA", "TABLE"]),
        (_table_parser(), ["CAPTION", "HEADER", "DATA", "VALUES", "OTHER"]),
    ):
        for n in range(6):
            for seq in itertools.product(kinds, repeat=n):
                tree = parser.parse([(k, i) for i, k in enumerate(seq)])
                assert [int(t) for t in tree.scan_values(lambda v: isinstance(v, Token))] == list(range(n))


def test_table_grammar_splits_a_group_into_header_and_body_runs() -> None:
    from xxgk_lint.parse.tables import _table_parser

    # 第二十条第(五)项, its header, two rows, then the header and rows of (六) whose caption is lost
    kinds = ["CAPTION", "HEADER", "DATA", "DATA", "HEADER", "DATA", "DATA"]
    tree = _table_parser().parse([(k, i) for i, k in enumerate(kinds)])
    lead, group = tree.children
    assert lead.children == []
    assert [c.data if hasattr(c, "data") else c.type for c in group.children] == [
        "CAPTION",
        "head",
        "body",
        "head",
        "body",
    ]
