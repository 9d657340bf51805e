"""Readers for HTML, DOCX and PDF against the seed reports rendered into each format.

Fixtures are built in the test session from seeds 003 and 004 (see ``readers_util``): a modern div
page (UTF-8) and a legacy table-layout page (GB18030 bytes, declared gb2312), a .docx with merged
cells, automatic Chinese numbering, a content control and tracked changes, and a PDF with merged
ruled tables.  Every reader must give back the seed's paragraphs and the seed's table rows.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from readers_util import (
    SeedModel,
    Table,
    build_docx,
    build_lines_pdf,
    build_long_table_pdf,
    build_pdf,
    doc_paragraphs,
    doc_tables,
    docx_with_document_xml,
    expected_rows,
    html_legacy,
    html_modern,
    logical_rows,
    seed_model,
    seed_path,
    squash,
)
from xxgk_lint.read import SUPPORTED_SUFFIXES, format_of, hidden_lines, limits, read_path
from xxgk_lint.read.document import Block, Document, ReadError
from xxgk_lint.read.docx import format_number

TITLE_003 = "昭通市政务服务管理局2018年政府信息公开工作年度报告"
AGENCY_003 = "昭通市政务服务管理局"
TITLE_004 = "浙江省经济和信息化厅2019年政府信息公开工作年度报告"
AGENCY_004 = "浙江省经济和信息化厅"


@pytest.fixture(scope="module")
def models() -> dict[str, SeedModel]:
    return {p: seed_model(p) for p in ("003", "004")}


@pytest.fixture(scope="module")
def files(models: dict[str, SeedModel], tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    d = tmp_path_factory.mktemp("formats")
    out: dict[tuple[str, str], Path] = {}
    p = d / "003.html"
    p.write_text(html_modern(models["003"], title=TITLE_003, agency=AGENCY_003, published="2019-02-01"), encoding="utf-8")
    out[("html", "003")] = p
    p = d / "004.htm"
    p.write_bytes(html_legacy(models["004"], title=TITLE_004, agency=AGENCY_004, published="2020-01-15").encode("gb18030"))
    out[("html", "004")] = p
    for prefix in ("003", "004"):
        p = d / f"{prefix}.docx"
        build_docx(models[prefix], p)
        out[("docx", prefix)] = p
        p = d / f"{prefix}.pdf"
        build_pdf(models[prefix], p)
        out[("pdf", prefix)] = p
    return out


@pytest.fixture(scope="module")
def docs(files: dict[tuple[str, str], Path]) -> dict[tuple[str, str], Document]:
    return {key: read_path(path) for key, path in files.items()}


CASES = [(fmt, prefix) for fmt in ("html", "docx", "pdf") for prefix in ("003", "004")]


# ---------------------------------------------------------------------------------------------
# the same content in every format


@pytest.mark.parametrize(("fmt", "prefix"), CASES)
def test_paragraphs_match_the_seed(docs: dict[tuple[str, str], Document], models: dict[str, SeedModel], fmt: str, prefix: str) -> None:
    doc = docs[(fmt, prefix)]
    assert doc.format == fmt
    assert doc_paragraphs(doc) == [squash(p) for p in models[prefix].paragraphs]


@pytest.mark.parametrize(("fmt", "prefix"), CASES)
def test_tables_give_the_seed_rows(docs: dict[tuple[str, str], Document], models: dict[str, SeedModel], fmt: str, prefix: str) -> None:
    tables = doc_tables(docs[(fmt, prefix)])
    specs = models[prefix].tables
    assert [t.kind for t in specs] == ["2", "3", "4"]
    assert len(tables) == len(specs)
    for block, spec in zip(tables, specs, strict=True):
        assert logical_rows(block) == expected_rows(spec)
        assert len(block.rows) == len(spec.rows)  # one Row per source row, merged rows included


@pytest.mark.parametrize(("fmt", "prefix"), CASES)
def test_blocks_in_document_order(docs: dict[tuple[str, str], Document], models: dict[str, SeedModel], fmt: str, prefix: str) -> None:
    kinds = ["table" if isinstance(i, Table) else "paragraph" for i in models[prefix].items]
    got = [b.kind for b in docs[(fmt, prefix)].blocks]
    assert got == kinds


def _origin(block: Block, text: str) -> tuple[int, int]:
    for r, row in enumerate(block.rows):
        for c in row.cells:
            if not c.spanned and squash(c.text) == squash(text):
                return r, c.column or 0
    raise AssertionError(f"no origin cell {text!r}")


@pytest.mark.parametrize(("fmt", "prefix"), CASES)
def test_merged_cells_expand_to_the_template_grid(docs: dict[tuple[str, str], Document], fmt: str, prefix: str) -> None:
    _t2, t3, t4 = doc_tables(docs[(fmt, prefix)])
    # table 四: 15 grid columns; header merges of the official template
    assert [len(r.cells) for r in t4.rows] == [15, 15, 15, 15]
    r, col = _origin(t4, "行政复议")
    origin = t4.rows[r].cells[col - 1]
    assert (origin.colspan, origin.rowspan, col) == (5, 1, 1)
    r, col = _origin(t4, "行政诉讼")
    assert (t4.rows[r].cells[col - 1].colspan, col) == (10, 6)
    for c in t4.rows[r].cells[6:15]:
        assert c.spanned and c.text == "行政诉讼" and c.origin_column == 6 and c.colspan == 1
    assert [t4.rows[1].cells[k].rowspan for k in range(5)] == [2] * 5
    assert [(c.spanned, c.text) for c in t4.rows[2].cells[:5]] == [(True, t) for t in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")]
    r, col = _origin(t4, "复议后起诉")
    assert (t4.rows[r].cells[col - 1].colspan, col) == (5, 11)
    # table 三: the note cell, the vertical labels and their covered rows
    note = t3.rows[0].cells[0]
    assert note.text.startswith("(本列数据的勾稽关系为") and (note.colspan, note.rowspan) == (3, 3)
    assert all(t3.rows[k].cells[0].spanned and t3.rows[k].cells[0].text == note.text for k in (1, 2))
    assert t3.rows[0].cells[3].text == "申请人情况" and t3.rows[0].cells[3].colspan == 7
    r, col = _origin(t3, "三、本年度办理结果")
    assert (col, t3.rows[r].cells[0].rowspan) == (1, 20)
    r3, col3 = _origin(t3, "(三)不予公开")
    assert (col3, t3.rows[r3].cells[1].rowspan) == (2, 8)
    for k in range(r3 + 1, r3 + 8):
        row = t3.rows[k]
        assert row.cells[0].spanned and row.cells[0].text == "三、本年度办理结果"
        assert row.cells[1].spanned and row.cells[1].text == "(三)不予公开" and row.cells[1].origin_column == 2
        assert not row.cells[2].spanned and row.cells[2].text[0].isdigit()
    # "不予公开" copies are never counted as origins twice
    origins = [c for row in t3.rows for c in row.cells if not c.spanned and c.text == "(三)不予公开"]
    assert len(origins) == 1
    # every row lists consecutive grid columns from 1
    for row in (*t3.rows, *t4.rows):
        assert [c.column for c in row.cells] == list(range(1, len(row.cells) + 1))


@pytest.mark.parametrize(("fmt", "prefix"), CASES)
def test_parser_reads_the_same_table_cells_from_every_format(docs: dict[tuple[str, str], Document], fmt: str, prefix: str) -> None:
    """Integration with the parse stage: merged-cell copies are consumed as intended."""
    from xxgk_lint.parse import parse_document
    from xxgk_lint.read.text import read_text

    def cells(doc: Document) -> dict[str, dict[tuple[str, str], tuple[str, str]]]:
        report = parse_document(doc)
        return {k: {ck: (v.status, str(v.value)) for ck, v in t.cells.items()} for k, t in report.tables.items()}

    seed = read_text(seed_path(prefix).read_text(encoding="utf-8"), "seed.txt")
    expected = cells(seed)
    assert set(expected) == {"active", "requests", "reviews"}
    assert cells(docs[(fmt, prefix)]) == expected


# ---------------------------------------------------------------------------------------------
# HTML


def test_html_positions_are_source_lines(docs: dict[tuple[str, str], Document]) -> None:
    for prefix in ("003", "004"):
        doc = docs[("html", prefix)]
        assert doc.source_lines
        for b in doc.blocks:
            if b.kind == "paragraph":
                assert squash(b.text)[:8] in squash(doc.line_text(b.line) or ""), (b.line, b.text[:20])
                assert b.end_line >= b.line
            else:
                for row in b.rows:
                    assert "<tr" in (doc.line_text(row.line) or "")
                    for c in row.cells:
                        if c.text and not c.spanned:
                            assert squash(c.text) in squash(doc.line_text(c.line) or "")


def test_html_metadata_from_page_lines(docs: dict[tuple[str, str], Document]) -> None:
    meta = docs[("html", "003")].meta
    assert meta["title"] == TITLE_003  # <title> without the site suffix
    assert meta["published_on"] == "2019-02-01"
    assert meta["published_on_source"] == "page:发布时间"
    assert meta["agency"] == AGENCY_003
    assert meta["site"] == "昭通市人民政府"


def test_html_metadata_from_meta_tags_and_declared_charset(docs: dict[tuple[str, str], Document]) -> None:
    doc = docs[("html", "004")]
    assert doc.encoding == "gb18030"
    assert doc.meta == {
        "title": TITLE_004,
        "published_on": "2020-01-15",
        "published_on_source": "meta:PubDate",
        "agency": AGENCY_004,
        "site": f"{AGENCY_004}门户网站",
    }


def test_html_body_sentences_are_not_page_metadata(tmp_path: Path) -> None:
    body = "<p>资金来源：财政拨款。时间：2018年3月5日召开专题会议，研究部署政府信息公开工作。</p>" * 3
    p = tmp_path / "m.html"
    p.write_bytes(_html(f"<div class='nav'>首页</div><div id='zoom'>{body}</div>"))
    assert read_path(p).meta == {}
    p.write_bytes(_html(f"<div id='zoom'><p>发布日期：2020-03-04</p>{body}</div>", head="<title>某局报告 - 某市政府</title>"))
    assert read_path(p).meta == {"title": "某局报告", "published_on": "2020-03-04", "published_on_source": "page:发布日期"}


def test_html_drops_site_chrome(docs: dict[tuple[str, str], Document]) -> None:
    chrome = ("扫一扫", "上一篇", "下一篇", "打印本页", "关闭窗口", "登录", "注册", "浏览器", "分享到", "不是正文",
              "版权所有", "当前位置", "ICP备", "首页", "信息公开指南", "字体", "发布时间", "发布日期")  # fmt: skip
    for prefix in ("003", "004"):
        seed = seed_path(prefix).read_text(encoding="utf-8")
        text = "\n".join(b.text for b in docs[("html", prefix)].blocks)
        for word in chrome:
            assert word in seed or word not in text, (prefix, word)


def test_html_headings_and_br_lines(docs: dict[tuple[str, str], Document], models: dict[str, SeedModel]) -> None:
    heads = [b.text for b in docs[("html", "003")].blocks if b.role == "heading"]
    assert heads == ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                     "四、政府信息公开行政复议、行政诉讼情况", "五、存在主要问题及改进情况", "六、其他需要报告的事项。"]  # fmt: skip
    # legacy page: heading and paragraph share one <div> split by <br>, on different source lines
    doc = docs[("html", "004")]
    first, second = doc.blocks[0], doc.blocks[1]
    assert first.text == "一、总体情况" and second.text.startswith("2019年,省经信厅")
    assert second.line == first.line + 1


def test_xhtml_xml_declaration_charset(tmp_path: Path) -> None:
    page = '<?xml version="1.0" encoding="gb2312"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body><p>政府信息公开</p></body></html>'
    p = tmp_path / "x.xhtml"
    p.write_bytes(page.encode("gb2312"))
    doc = read_path(p)
    assert doc.encoding == "gb18030" and [b.text for b in doc.blocks] == ["政府信息公开"]


def _html(body: str, head: str = "") -> bytes:
    return f"<html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>".encode()


def test_html_grid_rules(tmp_path: Path) -> None:
    page = """<div id="content"><p>表格如下所示的政府信息公开情况统计数据。</p>
<table><thead><tr><th rowspan="0">类别</th><th colspan="2;">数量</th></tr></thead>
<tbody><tr><td rowspan="0">甲</td><td colspan="abc">1</td><td>2</td></tr>
<tr><td>3</td><td>4</td></tr>
<tr><td>5</td><td>6</td></tr></tbody></table></div>"""
    p = tmp_path / "grid.html"
    p.write_bytes(_html(page))
    (table,) = doc_tables(read_path(p))
    rows = [[(c.text, c.spanned) for c in r.cells] for r in table.rows]
    assert rows[0] == [("类别", False), ("数量", False), ("数量", True)]  # rowspan=0 ends with its thead
    assert rows[1] == [("甲", False), ("1", False), ("2", False)]
    assert rows[2] == [("甲", True), ("3", False), ("4", False)]  # rowspan=0: to the end of the tbody
    assert rows[3] == [("甲", True), ("5", False), ("6", False)]
    assert table.rows[1].cells[0].rowspan == 3


def test_html_layout_tables_and_text_boxes(tmp_path: Path) -> None:
    page = """<table class="layout"><tr><td class="nav"><a>首页</a><a>机构</a></td><td>
<table><tr><td><p>一、总体情况</p><p>本机关认真贯彻落实政府信息公开条例的各项要求。</p></td></tr></table>
<table border="1"><tr><td>信息内容</td><td>本年新制作数量</td></tr><tr><td>规章</td><td>0</td></tr></table>
</td></tr></table>"""
    p = tmp_path / "layout.html"
    p.write_bytes(_html(page))
    doc = read_path(p)
    kinds = [(b.kind, b.text.split("\n")[0]) for b in doc.blocks]
    assert ("paragraph", "一、总体情况") in kinds
    assert ("paragraph", "本机关认真贯彻落实政府信息公开条例的各项要求。") in kinds
    (table,) = doc_tables(doc)  # only the leaf data table is a table block
    assert logical_rows(table) == [["信息内容", "本年新制作数量"], ["规章", "0"]]


def test_html_density_fallback_without_container_names(tmp_path: Path) -> None:
    para = "本机关严格按照政府信息公开条例的要求，认真做好主动公开和依申请公开工作，取得了明显成效。"
    page = f"""<div class="c1"><div class="c2"><a>链接一</a> <a>链接二</a> <a>链接三</a></div>
<div class="c3"><p>{para}</p><p>{para}</p><p>{para}</p></div>
<div class="c4">相关链接：国务院 省政府</div></div>"""
    p = tmp_path / "plain.html"
    p.write_bytes(_html(page))
    assert [b.text for b in read_path(p).blocks] == [para] * 3


def test_html_utility_classes_are_not_chrome(tmp_path: Path) -> None:
    para = "本机关严格按照政府信息公开条例的要求，认真做好主动公开和依申请公开工作。"
    page = f"""<div class="ie-tip">您的浏览器版本过低</div><div class="position-relative hidden-xs col-md-8 text-center">
<div class="d-flex"><p>{para}</p><div class="share-bar">分享到微信</div><p>{para}</p></div></div>
<div class="foot-nav"><a>网站地图</a></div>"""
    p = tmp_path / "util.html"
    p.write_bytes(_html(page))
    assert [b.text for b in read_path(p).blocks] == [para, para]


def test_html_hostile_spans_are_capped(tmp_path: Path) -> None:
    rows = "".join('<tr><td colspan="99999" rowspan="99999">x</td></tr>' for _ in range(300))
    p = tmp_path / "spans.html"
    p.write_bytes(_html(f"<div id='zoom'><p>政府信息公开年度报告正文内容。</p><table>{rows}</table></div>"))
    with pytest.raises(ReadError) as ei:
        read_path(p)
    assert ei.value.code == "E004"


def test_html_hidden_text_is_kept_apart_for_the_spam_check(tmp_path: Path) -> None:
    para = "本机关严格按照政府信息公开条例的要求，认真做好主动公开和依申请公开工作。"
    page = f"""<div style="DISPLAY: none"><a href="http://x.example">pg电子游戏官网</a>
<a>澳门新葡京 百家乐</a><span style="display:none">嵌套的隐藏文字</span></div>
<div id="zoom"><p>{para}</p>
<p hidden>开元棋牌 官方网站</p><p>{para}</p><span aria-hidden="true"></span>
<script>document.write("<div style='display:none'>脚本里的文字</div>")</script></div>
<div style="visibility: hidden">成人视频</div>"""
    p = tmp_path / "spam.html"
    p.write_bytes(_html(page))
    doc = read_path(p)
    # not in the flow: nothing hidden becomes a paragraph
    assert [b.text for b in doc.blocks] == [para, para]
    # but kept with its source line, for the hygiene check (H102) to read
    assert hidden_lines(doc) == [
        (1, "pg电子游戏官网"),
        (2, "澳门新葡京 百家乐嵌套的隐藏文字"),
        (4, "开元棋牌 官方网站"),
        (6, "成人视频"),
    ]
    assert hidden_lines(read_path(seed_path("003"))) == []  # a .txt has none
    p.write_bytes(_html(f"<div id='zoom'><p>{para}</p></div>"))
    assert "hidden_text" not in read_path(p).meta


def test_html_without_text_is_empty(tmp_path: Path) -> None:
    p = tmp_path / "blank.html"
    p.write_bytes(_html("<script>var a = 1;</script><div>   </div>"))
    with pytest.raises(ReadError) as ei:
        read_path(p)
    assert ei.value.code == "E006"


# ---------------------------------------------------------------------------------------------
# DOCX


def test_docx_numbering_is_rebuilt(files: dict[tuple[str, str], Path], docs: dict[tuple[str, str], Document]) -> None:
    with zipfile.ZipFile(files[("docx", "003")]) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    # the ordinals are not in the text of the file: Word numbering produces them
    assert "一、总体情况" not in xml and ">总体情况<" in xml
    assert "(一)强化高层引领" not in xml and "numId" in xml
    texts = [b.text for b in docs[("docx", "003")].blocks if b.kind == "paragraph"]
    assert "一、总体情况" in texts and "六、其他需要报告的事项。" in texts
    assert any(t.startswith("(一)强化高层引领") for t in texts)
    # the sub-level restarts under section 五
    assert any(t.startswith("(一)进一步强化组织领导") for t in texts)


def test_docx_tracked_changes_content_controls_hidden_text(files: dict[tuple[str, str], Path], docs: dict[tuple[str, str], Document]) -> None:
    with zipfile.ZipFile(files[("docx", "003")]) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    assert "<w:sdt>" in xml and "<w:ins " in xml and "已删除的文字不应出现" in xml and "隐藏文字不应出现" in xml
    text = "\n".join(b.text for b in docs[("docx", "003")].blocks)
    assert "已删除的文字不应出现" not in text and "隐藏文字不应出现" not in text
    # python-docx would not see the paragraph inside the content control; we do
    import docx

    pd_texts = [p.text for p in docx.Document(str(files[("docx", "003")])).paragraphs]
    ours = doc_paragraphs(docs[("docx", "003")])
    assert len([t for t in pd_texts if t.strip()]) < len(ours)


def test_docx_positions_and_meta(docs: dict[tuple[str, str], Document]) -> None:
    doc = docs[("docx", "003")]
    assert doc.meta.get("title") == "docx core title" and "published_on" not in doc.meta
    assert "file_modified" in doc.meta
    for b in doc.blocks:
        if b.kind == "paragraph":
            assert b.text in (doc.line_text(b.line) or "")
        else:
            for row in b.rows:
                assert doc.line_text(row.line) == " | ".join(c.text for c in row.cells)
                assert all(c.line <= row.line for c in row.cells)
    heads = [b.text for b in doc.blocks if b.role == "heading"]
    assert heads[0] == "一、总体情况" and len(heads) == 6
    # the seed has one paragraph or table row per line, so docx ordinals equal the seed's line numbers
    seed_lines = seed_path("003").read_text(encoding="utf-8").splitlines()
    for b in doc.blocks:
        if b.kind == "paragraph":
            assert squash(seed_lines[b.line - 1]).endswith(squash(b.text)[-10:])


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _p(text: str, style: str | None = None, num: tuple[int, int] | None = None, outline: int | None = None) -> str:
    ppr = ""
    if style:
        ppr += f'<w:pStyle w:val="{style}"/>'
    if num:
        ppr += f'<w:numPr><w:ilvl w:val="{num[1]}"/><w:numId w:val="{num[0]}"/></w:numPr>'
    if outline is not None:
        ppr += f'<w:outlineLvl w:val="{outline}"/>'
    return f"<w:p><w:pPr>{ppr}</w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"


def test_docx_styles_numbering_and_merges_from_raw_xml(tmp_path: Path) -> None:
    styles = f"""<w:styles xmlns:w="{W}">
<w:style w:type="paragraph" w:styleId="a1"><w:name w:val="标题 1"/></w:style>
<w:style w:type="paragraph" w:styleId="2"><w:name w:val="heading 2"/><w:basedOn w:val="a1"/></w:style>
<w:style w:type="paragraph" w:styleId="zhangjie"><w:name w:val="章节"/><w:pPr><w:outlineLvl w:val="1"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="listed"><w:name w:val="编号正文"/><w:pPr><w:numPr><w:numId w:val="5"/></w:numPr></w:pPr></w:style>
</w:styles>"""
    numbering = f"""<w:numbering xmlns:w="{W}">
<w:abstractNum w:abstractNumId="1">
<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCountingThousand"/><w:lvlText w:val="%1、"/></w:lvl>
<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>
<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl></w:abstractNum>
<w:abstractNum w:abstractNumId="2"><w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/><w:lvlText w:val="●"/></w:lvl></w:abstractNum>
<w:num w:numId="5"><w:abstractNumId w:val="1"/></w:num>
<w:num w:numId="6"><w:abstractNumId w:val="1"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="9"/></w:lvlOverride></w:num>
<w:num w:numId="7"><w:abstractNumId w:val="2"/></w:num>
</w:numbering>"""
    tbl = """<w:tbl><w:tblGrid><w:gridCol/><w:gridCol/><w:gridCol/></w:tblGrid>
<w:tr><w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>(三)不予公开</w:t></w:r></w:p></w:tc>
<w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr><w:p><w:r><w:t>合并两列</w:t></w:r></w:p></w:tc></w:tr>
<w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc><w:tc><w:p><w:r><w:t>1.属于国家秘密</w:t></w:r></w:p></w:tc>
<w:tc><w:sdt><w:sdtContent><w:p><w:r><w:t>0</w:t></w:r></w:p></w:sdtContent></w:sdt></w:tc></w:tr>
<w:tr><w:tc><w:tcPr><w:vMerge w:val="continue"/></w:tcPr><w:p/></w:tc><w:tc><w:p><w:r><w:t>2.其他</w:t></w:r></w:p></w:tc>
<w:tc><w:p><w:ins w:id="1"><w:r><w:t>3</w:t></w:r></w:ins><w:del w:id="2"><w:r><w:delText>9</w:delText></w:r></w:del></w:p></w:tc></w:tr>
<w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr><w:tc><w:p><w:r><w:t>晚开始</w:t></w:r></w:p></w:tc></w:tr>
</w:tbl>"""
    body = "".join(
        [
            _p("总体情况", "a1", (5, 0)),
            _p("强化领导", None, (5, 1)),
            _p("健全制度", None, (5, 1)),
            _p("细则", None, (5, 2)),
            _p("主动公开", "a1", (5, 0)),
            _p("重新计数", None, (5, 1)),
            _p("从九开始", None, (6, 0)),
            _p("要点", None, (7, 0)),
            _p("按样式编号", "listed"),
            _p("子标题", "2"),
            _p("大纲级别", "zhangjie"),
            _p("直接大纲", None, None, 0),
            _p("正文"),
            tbl,
            "<w:sdt><w:sdtPr/><w:sdtContent>" + _p("控件中的段落") + "</w:sdtContent></w:sdt>",
            '<w:p><w:r><w:t xml:space="preserve">第一行</w:t><w:br/><w:t>第二行</w:t></w:r></w:p>',
        ]
    )
    xml = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}"><w:body>{body}<w:sectPr/></w:body></w:document>'
    p = tmp_path / "raw.docx"
    docx_with_document_xml(p, xml.encode(), {"word/styles.xml": styles.encode(), "word/numbering.xml": numbering.encode()})
    doc = read_path(p)
    paras = [(b.text, b.role, b.line) for b in doc.blocks if b.kind == "paragraph"]
    assert paras == [
        ("一、总体情况", "heading", 1),
        ("（一）强化领导", None, 2),
        ("（二）健全制度", None, 3),
        ("1.细则", None, 4),
        ("二、主动公开", "heading", 5),
        ("（一）重新计数", None, 6),
        ("九、从九开始", None, 7),
        ("要点", None, 8),
        ("三、按样式编号", None, 9),
        ("子标题", "heading", 10),
        ("大纲级别", "heading", 11),
        ("直接大纲", "heading", 12),
        ("正文", None, 13),
        ("控件中的段落", None, 18),
        ("第一行", None, 19),
        ("第二行", None, 19),
    ]
    (table,) = doc_tables(doc)
    assert (table.line, table.end_line) == (14, 17)
    grid = [[(c.text, c.column, c.colspan, c.rowspan, c.spanned) for c in r.cells] for r in table.rows]
    assert grid[0] == [("(三)不予公开", 1, 1, 3, False), ("合并两列", 2, 2, 1, False), ("合并两列", 3, 1, 1, True)]
    assert grid[1] == [("(三)不予公开", 1, 1, 1, True), ("1.属于国家秘密", 2, 1, 1, False), ("0", 3, 1, 1, False)]
    assert grid[2] == [("(三)不予公开", 1, 1, 1, True), ("2.其他", 2, 1, 1, False), ("3", 3, 1, 1, False)]
    assert grid[3] == [("", 1, 1, 1, False), ("晚开始", 2, 1, 1, False)]
    assert table.rows[2].cells[0].line == 14  # the copy points at the origin row
    assert doc.source_lines[18] == "第一行 第二行"


@pytest.mark.parametrize(
    ("n", "fmt", "text"),
    [(1, "chineseCounting", "一"), (10, "chineseCounting", "十"), (11, "chineseCounting", "十一"),
     (20, "chineseCountingThousand", "二十"), (23, "chineseCounting", "二十三"), (105, "chineseCounting", "一百零五"),
     (3, "ideographTraditional", "丙"), (4, "decimalEnclosedCircle", "④"), (7, "decimalZero", "07"),
     (2, "upperLetter", "B"), (4, "lowerRoman", "iv"), (12, "decimal", "12"), (3, "decimalFullWidth", "３")],
)  # fmt: skip
def test_format_number(n: int, fmt: str, text: str) -> None:
    assert format_number(n, fmt) == text


# ---------------------------------------------------------------------------------------------
# PDF


def test_pdf_positions_are_per_page(docs: dict[tuple[str, str], Document]) -> None:
    doc = docs[("pdf", "003")]
    assert doc.source_lines == []
    pages = [b.page for b in doc.blocks]
    assert all(p is not None and p >= 1 for p in pages) and pages == sorted(pages) and max(pages) > 1  # type: ignore[type-var]
    assert doc.blocks[0].page == 1 and doc.blocks[0].line == 1
    for b in doc_tables(doc):
        assert all(r.page is not None for r in b.rows)
        lines = [r.line for r in b.rows if r.page == b.page]
        assert lines == list(range(b.line, b.line + len(lines)))
    # page numbers ("- 2 -") are not paragraphs
    assert not any(b.text.strip("- ").isdigit() for b in doc.blocks)


@pytest.mark.parametrize(("repeat_header", "running"), [(False, None), (True, None), (False, "昭通市政务服务管理局文件")])
def test_pdf_table_continued_across_pages_is_one_block(tmp_path: Path, repeat_header: bool, running: str | None) -> None:
    p = tmp_path / "long.pdf"
    data = build_long_table_pdf(p, 70, repeat_header=repeat_header, running=running)
    doc = read_path(p)
    (table,) = doc_tables(doc)
    assert logical_rows(table) == [[squash(t) for t in r] for r in data]
    assert table.rows[0].page == 1 and table.rows[-1].page == 2
    assert [b.text for b in doc.blocks if b.kind == "paragraph"] == ["二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况"]


BODY = (
    "2017年,市工信委认真贯彻落实《中华人民共和国政府信息公开条例》等文件精神,坚持把政府信息公开工作作为改进委机关形象重要载体,"
    "精心组织、规范运作,全面推进工业和信息化工作,进一步提升政府公信力,有效保障了人民群众的知情权、参与权、监督权。"
    "根据规定,现将我委2017年政府信息公开工作情况报告如下:"
)


def _wrapped(text: str, width: int = 48, x: float = 56.0) -> list[tuple[float, str]]:
    return [(x, text[i : i + width]) for i in range(0, len(text), width)]


def test_pdf_short_lines_on_a_page_of_their_own_stay_apart(tmp_path: Path) -> None:
    # the last page holds only a login box a scrape left behind: its short lines end far before the
    # text column's right edge (known from the other pages), so they are four paragraphs, not one
    login = ["账号+密码登录", "手机+密码登录", "还没有账号?", "立即注册"]
    p = tmp_path / "short.pdf"
    build_lines_pdf(p, [_wrapped(BODY) * 3, [(56.0, t) for t in login]])
    doc = read_path(p)
    last = [b for b in doc.blocks if b.page == 2]
    assert [(b.text, b.line) for b in last] == [(t, i) for i, t in enumerate(login, start=1)]
    # the wrapped body lines that reach the right edge are still joined, each up to its short last line
    n = len(_wrapped(BODY))
    assert [(b.text, b.line, b.end_line) for b in doc.blocks if b.page == 1] == [(BODY, 1 + k * n, n + k * n) for k in range(3)]


def test_pdf_pages_without_a_text_layer_are_noted(tmp_path: Path) -> None:
    p = tmp_path / "mixed.pdf"
    other = "六、其他需要报告的事项。本机关本年度未收取信息处理费。"
    build_lines_pdf(p, [_wrapped(BODY), [], [(56.0, other)]], images=(2,))  # page 2: an image only
    doc = read_path(p)
    assert doc.meta["pages_without_text"] == "2"
    assert [(b.page, b.text) for b in doc.blocks] == [(1, BODY), (3, other)]
    build_lines_pdf(p, [_wrapped(BODY), _wrapped(BODY)])
    assert "pages_without_text" not in read_path(p).meta


def test_pdf_pages_without_a_text_layer_get_e009(tmp_path: Path) -> None:
    from xxgk_lint.pipeline import Options, lint_path

    p = tmp_path / "mixed.pdf"
    other = "六、其他需要报告的事项。本机关本年度未收取信息处理费。"
    build_lines_pdf(p, [_wrapped(BODY), [], [(56.0, other)], []], images=(2, 4))
    f = [x for x in lint_path(p, Options()).findings if x.rule == "E009"]
    assert len(f) == 1 and f[0].severity == "warning" and f[0].actual == [2, 4] and f[0].page == 2
    assert "第 2、4 页" in f[0].message
    en = [x for x in lint_path(p, Options(lang="en")).findings if x.rule == "E009"]
    assert "page(s) 2, 4" in en[0].message
    build_lines_pdf(p, [_wrapped(BODY), _wrapped(BODY)])
    assert not [x for x in lint_path(p, Options()).findings if x.rule == "E009"]


def test_pdf_page_and_time_caps(files: dict[tuple[str, str], Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_PDF_PAGES", 1)
    with pytest.raises(ReadError) as ei:
        read_path(files[("pdf", "004")])
    assert ei.value.code == "E004" and "pages" in ei.value.en
    monkeypatch.setattr(limits, "MAX_PDF_PAGES", 500)
    monkeypatch.setattr(limits, "PDF_TIME_BUDGET", -1.0)
    with pytest.raises(ReadError) as ei:
        read_path(files[("pdf", "004")])
    assert ei.value.code == "E004" and "exceeded" in ei.value.en


# ---------------------------------------------------------------------------------------------
# dispatch, lazy imports


def test_supported_suffixes_and_dispatch(tmp_path: Path) -> None:
    assert {".txt", ".text", ".md", ".markdown", ".html", ".htm", ".shtml", ".docx", ".pdf"} <= SUPPORTED_SUFFIXES
    assert format_of("a/B.HTML") == "html" and format_of("x.DOCX") == "docx" and format_of("x.doc") is None
    p = tmp_path / "REPORT.HTM"
    p.write_bytes(_html("<p>政府信息公开工作年度报告</p>"))
    assert read_path(p).format == "html"
    for name in ("report.doc", "report.xyz", "report"):
        q = tmp_path / name
        q.write_bytes(b"x")
        with pytest.raises(ReadError) as ei:
            read_path(q)
        assert ei.value.code == "E002"


def test_parsers_are_imported_lazily() -> None:
    code = (
        "import sys, xxgk_lint.read as r; r.read_path(sys.argv[1]); "
        "print(sorted(m for m in ('lxml', 'pdfplumber', 'pdfminer', 'charset_normalizer', 'docx') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code, str(seed_path("003"))], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
