"""The HTML reader's fast paths give what the plain walks gave.

The reader takes shortcuts: plain ``lxml.etree`` elements, the kept set of container scoring reused
by the flow walk, hidden elements found by one XPath query, the page text built with ``iterwalk``
and the body's text only when no date line is found outside it, tables without merged cells placed
without :func:`xxgk_lint.read.grid.expand`.  These cases pin the results on the edges of those
shortcuts.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from xxgk_lint.read import read_path
from xxgk_lint.read.document import ReadError
from xxgk_lint.read.grid import SrcCell, SrcRow, expand
from xxgk_lint.read.html import MAX_HIDDEN_LINES


def _read(tmp_path: Path, page: str | bytes, name: str = "p.html"):  # noqa: ANN202
    p = tmp_path / name
    p.write_bytes(page.encode("utf-8") if isinstance(page, str) else page)
    return read_path(p)


@pytest.mark.parametrize("page", [b"<!-- x -->", b"<?xml version='1.0'?>"])
def test_page_without_elements_is_a_parse_error(tmp_path: Path, page: bytes) -> None:
    with pytest.raises(ReadError) as err:
        _read(tmp_path, page)
    assert err.value.code == "E005" and "Document is empty" in str(err.value)


def test_hidden_text_outermost_elements_only(tmp_path: Path) -> None:
    page = (
        "<html><body><div id='zoom'><p>正文政府信息公开</p>\n"
        "<div style='display:none'>赌场<span hidden>内层</span></div>\n"
        "<noscript><span hidden>不算</span></noscript>\n"
        "<p aria-hidden='TRUE'>大写隐藏</p>\n"
        "<div><div><span style='visibility : hidden'>深处</span></div></div></div></body></html>"
    )
    doc = _read(tmp_path, page)
    assert doc.meta["hidden_text"] == "2\t赌场内层\n4\t大写隐藏\n5\t深处"
    assert [b.text for b in doc.blocks] == ["正文政府信息公开"]


def test_hidden_text_under_deep_nesting_and_many_styled_elements(tmp_path: Path) -> None:
    deep = "<div style='color:red'>" * 240 + "<span hidden>藏在深处</span>" + "</div>" * 240
    many = "<p style='color:blue'>公开<span style='display:none'>x</span></p>\n" * 2000
    page = f"<html><body><div id='zoom'><p>政府信息公开工作年度报告</p>{deep}\n{many}</div></body></html>"
    doc = _read(tmp_path, page)
    lines = doc.meta["hidden_text"].split("\n")
    assert lines[0] == "1\t藏在深处"
    assert len(lines) == MAX_HIDDEN_LINES and lines[1:] == [f"{k}\tx" for k in range(2, MAX_HIDDEN_LINES + 1)]


def test_date_outside_the_body_ranks_before_one_inside(tmp_path: Path) -> None:
    page = (
        "<html><body><div class='top'>时间:2021-05-06</div><div id='zoom'><p>发布日期:2020-03-04</p>"
        "<p>政府信息公开工作年度报告</p></div></body></html>"
    )
    meta = _read(tmp_path, page).meta
    assert (meta["published_on"], meta["published_on_source"]) == ("2021-05-06", "page:时间")


def test_date_inside_the_body_needs_a_specific_label(tmp_path: Path) -> None:
    page = (
        "<html><body><div id='zoom'><p>时间:2021-05-06</p><p>公开日期:2020-03-04</p>"
        "<p>政府信息公开工作年度报告</p></div></body></html>"
    )
    meta = _read(tmp_path, page).meta
    assert (meta["published_on"], meta["published_on_source"]) == ("2020-03-04", "page:公开日期")


def test_title_text_with_entities(tmp_path: Path) -> None:
    page = "<html><head><title>某局&amp;报告 - 某市</title></head><body><p>政府信息公开</p></body></html>"
    assert _read(tmp_path, page).meta["title"] == "某局&报告"


def test_cells_of_chrome_and_hidden_parts(tmp_path: Path) -> None:
    """A cell the drop test would drop still gives its text (its children are tested); hidden cells
    are left out, and so are hidden rows (their text is the page's hidden text)."""
    page = (
        "<html><body><div id='zoom'><p>政府信息公开</p><table>"
        "<tr><td class='share'><span>甲</span><script>乙</script></td><td>丙<b>丁</b></td></tr>"
        "<tr style='display:none'><td>1</td><td>2</td></tr>"
        "<tr><td style='display:none'>藏</td><td>3</td><td>4</td></tr></table></div></body></html>"
    )
    doc = _read(tmp_path, page)
    table = doc.blocks[1]
    assert table.kind == "table" and table.text == "甲 | 丙丁\n3 | 4"
    assert doc.meta["hidden_text"] == "1\t12藏"


def test_rows_of_a_hidden_row_group_are_left_out(tmp_path: Path) -> None:
    page = (
        "<html><body><div id='zoom'><p>政府信息公开</p><table><thead hidden><tr><td>表头</td><td>x</td></tr></thead>"
        "<tbody><tr><td>甲</td><td>5</td></tr></tbody><tbody style='display: none'><tr><td>乙</td><td>6</td></tr></tbody>"
        "</table></div></body></html>"
    )
    doc = _read(tmp_path, page)
    assert [b.text for b in doc.blocks] == ["政府信息公开", "甲 | 5"]
    assert doc.meta["hidden_text"] == "1\t表头x乙6"


def test_table_without_merged_cells_is_the_grid_expand_would_build(tmp_path: Path) -> None:
    rows = [["项目", "数量", "备注"], ["一、主动公开", "12", ""], ["二、依申请", "3"], [], ["三、复议", "0", "无", "多"]]
    lines = []
    for r in rows:
        lines.append("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>")
    page = "<html><body><div id='zoom'><p>政府信息公开</p>\n<table>\n" + "\n".join(lines) + "\n</table></div></body></html>"
    block = _read(tmp_path, page).blocks[1]
    src = [SrcRow(cells=[SrcCell(text=c, line=3 + i) for c in r], line=3 + i) for i, r in enumerate(rows)]
    assert block.rows == tuple(expand(src))
    assert [[c.column for c in r.cells] for r in block.rows] == [[1, 2, 3], [1, 2, 3], [1, 2], [], [1, 2, 3, 4]]


def test_table_with_merged_cells_still_expands(tmp_path: Path) -> None:
    page = (
        "<html><body><div id='zoom'><p>政府信息公开</p><table>"
        "<tr><td rowspan='2'>甲</td><td colspan=2>乙</td></tr><tr><td>1</td><td>2</td></tr></table></div></body></html>"
    )
    rows = _read(tmp_path, page).blocks[1].rows
    assert [[(c.text, c.spanned) for c in r.cells] for r in rows] == [
        [("甲", False), ("乙", False), ("乙", True)],
        [("甲", True), ("1", False), ("2", False)],
    ]
