"""Fixture builders for the reader tests: a seed .txt report rendered as a web page, a .docx and a PDF.

The seeds hold their tables as ``|`` rows with the merged cells of the official 2019 template
flattened away.  :func:`seed_model` turns a seed into paragraphs and :class:`Table` specs that put
the merges back the way government sites and Word documents have them:

* table 二 (第二十条): captions span the 4 columns; rows with 3 cells widen their last cell.
* table 三 (申请情况): the note cell spans 3 columns x 3 rows, "申请人情况" 7 columns,
  "自然人"/"总计" 2 rows, "法人或其他组织" 5 columns; row labels sit in 3 label columns: a top-level
  label alone ("一、本年新收…") spans 3 columns, "三、本年度办理结果" spans its outcome rows
  vertically, "(三)不予公开" / "(四)无法提供" / "(五)不予处理" span their numbered sub-rows, a
  sub-level label alone ("(一)予以公开") spans 2 columns.  Values are padded to 7 columns.
* table 四 (复议诉讼): "行政复议" colspan 5, "行政诉讼" colspan 10, the five first headers rowspan 2,
  "未经复议直接起诉"/"复议后起诉" colspan 5.

Every builder renders the same specs, so a reader test can compare its Document with the seed.
"""

from __future__ import annotations

import html as htmlmod
import io
import re
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from xxgk_lint.read.document import Block, Document
from xxgk_lint.read.text import read_text

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "tests" / "fixtures" / "seeds"
if not SEEDS.is_dir():  # pragma: no cover - fall back to the shared seeds beside the repo
    SEEDS = REPO.parent / "shared" / "seeds"


def seed_path(prefix: str) -> Path:
    return next(SEEDS.glob(f"{prefix}_*.txt"))


def seed_text(prefix: str) -> str:
    return seed_path(prefix).read_text(encoding="utf-8")


_VALUE = re.compile(r"^(?:[+-]?\d[\d,.]*\s*(?:万元|亿元|元|件|条|个|项|次|%)?|/|-|—|无)$")
_TOP = re.compile(r"^[一二三四五六七八九十]+、")
_SUB = re.compile(r"^[(（][一二三四五六七八九十]+[)）]")
_NUM = re.compile(r"^\d+[.．、]")


def is_value(text: str) -> bool:
    return bool(_VALUE.match(text.strip()))


@dataclass
class SpecCell:
    text: str
    colspan: int = 1
    rowspan: int = 1
    header: bool = False
    # filled by Table.place(): 0-based grid position
    row: int = 0
    col: int = 0


@dataclass
class Table:
    kind: str  # "2" | "3" | "4" | "plain"
    rows: list[list[SpecCell]]
    txt_rows: list[list[str]]  # the seed's rows (non-empty cells), what a reader must give back
    width: int = 0
    placed: bool = field(default=False, repr=False)

    def place(self) -> Table:
        """Give every cell its grid position (HTML table model)."""
        occupied: set[tuple[int, int]] = set()
        width = 0
        for r, row in enumerate(self.rows):
            c = 0
            for cell in row:
                while (r, c) in occupied:
                    c += 1
                cell.row, cell.col = r, c
                for dr in range(cell.rowspan):
                    for dc in range(cell.colspan):
                        occupied.add((r + dr, c + dc))
                c += cell.colspan
                width = max(width, c)
        self.width = width
        self.placed = True
        return self

    def grid(self) -> list[list[str | None]]:
        """Text at each origin position, None at covered positions, "" where nothing is."""
        g: list[list[str | None]] = [["" for _ in range(self.width)] for _ in self.rows]
        for row in self.rows:
            for cell in row:
                for dr in range(cell.rowspan):
                    for dc in range(cell.colspan):
                        g[cell.row + dr][cell.col + dc] = None
                g[cell.row][cell.col] = cell.text
        return g


@dataclass
class SeedModel:
    prefix: str
    items: list[str | Table]  # paragraphs and tables in order

    @property
    def paragraphs(self) -> list[str]:
        return [i for i in self.items if isinstance(i, str)]

    @property
    def tables(self) -> list[Table]:
        return [i for i in self.items if isinstance(i, Table)]


def _cells(row_texts: list[str]) -> list[str]:
    out = list(row_texts)
    while out and not out[-1].strip():
        out.pop()
    return out


def _table2(rows: list[list[str]]) -> list[list[SpecCell]]:
    out: list[list[SpecCell]] = []
    for texts in rows:
        cells = [SpecCell(t) for t in texts]
        if len(cells) < 4:
            cells[-1].colspan = 4 - len(cells) + 1
        out.append(cells)
    return out


def _table3(rows: list[list[str]]) -> list[list[SpecCell]]:
    out: list[list[SpecCell]] = []
    head = rows[:3]
    out.append([SpecCell(head[0][0], colspan=3, rowspan=3, header=True), SpecCell(head[0][1], colspan=7, header=True)])
    a, b, c = head[1][:3]
    out.append([SpecCell(a, rowspan=2, header=True), SpecCell(b, colspan=5, header=True), SpecCell(c, rowspan=2, header=True)])
    out.append([SpecCell(t, header=True) for t in head[2]])
    data = rows[3:]
    labels_of = []
    for texts in data:
        k = 0
        while k < len(texts) and not is_value(texts[k]) and texts[k].strip():
            k += 1
        labels_of.append((texts[:k], texts[k:]))
    covered_until = [0, 0, 0]  # per label column: first data row index no longer covered
    for i, (labels, values) in enumerate(labels_of):
        cells: list[SpecCell] = []
        col = 0
        while col < 3 and covered_until[col] > i:
            col += 1
        for j, lab in enumerate(labels):
            last = j == len(labels) - 1
            if not last:
                if _TOP.match(lab):  # group over the rows until the next top-level label
                    n = 1
                    while i + n < len(labels_of) and not _TOP.match(labels_of[i + n][0][0] if labels_of[i + n][0] else ""):
                        n += 1
                else:  # (三)不予公开: over the numbered rows that follow
                    n = 1
                    while i + n < len(labels_of) and labels_of[i + n][0] and _NUM.match(labels_of[i + n][0][0]):
                        n += 1
                cells.append(SpecCell(lab, rowspan=n))
                covered_until[col] = i + n
                col += 1
            else:
                cells.append(SpecCell(lab, colspan=3 - col))
        vals = list(values) + [""] * (7 - len(values))
        cells.extend(SpecCell(v) for v in vals)
        out.append(cells)
    return out


def _table4(rows: list[list[str]]) -> list[list[SpecCell]]:
    r0 = [SpecCell(rows[0][0], colspan=5, header=True), SpecCell(rows[0][1], colspan=10, header=True)]
    r1 = [SpecCell(t, rowspan=2, header=True) for t in rows[1][:5]]
    r1 += [SpecCell(t, colspan=5, header=True) for t in rows[1][5:7]]
    r2 = [SpecCell(t, header=True) for t in rows[2]]
    rest = [[SpecCell(t) for t in r] for r in rows[3:]]
    return [r0, r1, r2, *rest]


def _table_spec(block: Block) -> Table:
    rows = [_cells([c.text for c in r.cells]) for r in block.rows]
    rows = [r for r in rows if r]
    joined = "".join("".join(r) for r in rows)
    if "申请人情况" in joined:
        kind, spec = "3", _table3(rows)
    elif "行政复议" in joined and "行政诉讼" in joined and "结果维持" in joined:
        kind, spec = "4", _table4(rows)
    elif "第二十条" in joined:
        kind, spec = "2", _table2(rows)
    else:
        kind, spec = "plain", [[SpecCell(t) for t in r] for r in rows]
    txt_rows = [[t for t in r if t.strip()] for r in rows]
    return Table(kind=kind, rows=spec, txt_rows=txt_rows).place()


def seed_model(prefix: str) -> SeedModel:
    doc = read_text(seed_text(prefix), f"{prefix}.txt")
    items: list[str | Table] = []
    for b in doc.blocks:
        if b.kind == "table":
            items.append(_table_spec(b))
        else:
            items.append(b.text)
    return SeedModel(prefix=prefix, items=items)


# ---------------------------------------------------------------------------------------------
# comparing a reader's Document with the seed


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def doc_paragraphs(doc: Document) -> list[str]:
    return [squash(b.text) for b in doc.blocks if b.kind == "paragraph" and squash(b.text)]


def doc_tables(doc: Document) -> list[Block]:
    return [b for b in doc.blocks if b.kind == "table"]


def logical_rows(block: Block) -> list[list[str]]:
    """Each row's source cells (merged copies skipped), non-empty, whitespace removed."""
    out = []
    for r in block.rows:
        texts = [squash(c.text) for c in r.cells if not c.spanned and squash(c.text)]
        if texts:
            out.append(texts)
    return out


def expected_rows(table: Table) -> list[list[str]]:
    return [[squash(t) for t in r] for r in table.txt_rows if r]


# ---------------------------------------------------------------------------------------------
# HTML


def _esc(text: str) -> str:
    return htmlmod.escape(text, quote=True)


def html_table(table: Table, *, th_headers: bool = True, odd_spans: bool = False) -> str:
    """``<table>`` with the spec's merges; ``odd_spans`` writes spans the sloppy way sites do ("2;")."""
    out = ['<table class="MsoNormalTable" border="1" cellspacing="0" style="border-collapse:collapse">', "<tbody>"]
    for row in table.rows:
        out.append("<tr>")
        for cell in row:
            tag = "th" if (cell.header and th_headers) else "td"
            attrs = ""
            if cell.colspan > 1:
                attrs += f' colspan="{cell.colspan};"' if odd_spans else f' colspan="{cell.colspan}"'
            if cell.rowspan > 1:
                attrs += f" rowspan={cell.rowspan}" if odd_spans else f' rowspan="{cell.rowspan}"'
            out.append(f'<{tag}{attrs} valign="center"><p style="text-align:center"><span>{_esc(cell.text)}</span></p></{tag}>')
        out.append("</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def html_modern(model: SeedModel, *, title: str, agency: str, published: str) -> str:
    """A current-style portal page: div layout, chrome around a ``#zoom.TRS_Editor`` body, <h3> headings."""
    body: list[str] = []
    for item in model.items:
        if isinstance(item, Table):
            body.append(html_table(item))
        elif _TOP.match(item) and len(item) < 40:
            body.append(f"<h3>{_esc(item)}</h3>")
        else:
            body.append(f'<p style="text-indent:2em;">&nbsp;&nbsp;{_esc(item)}</p>')
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="SiteName" content="昭通市人民政府">
<title>{_esc(title)}_昭通市人民政府</title>
<script type="text/javascript">var tip = "<p>不是正文</p>"; if (a < b && c) {{ document.write("扫一扫"); }}</script>
<style>.article p {{ line-height: 2em; }}</style>
</head>
<body>
<div class="ie-tip" style="display:none">您的浏览器版本过低，请升级浏览器以获得更好的体验</div>
<div class="header">
  <div class="logo"><img src="/images/logo.png" alt="昭通市人民政府"></div>
  <div class="login-box"><a href="/login">登录</a> | <a href="/reg">注册</a></div>
  <ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk">政务公开</a></li><li><a href="/zwfw">政务服务</a></li><li><a href="/hdjl">互动交流</a></li></ul>
</div>
<div class="main">
  <div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a> &gt; 政府信息公开年度报告</div>
  <div class="article">
    <h1 class="article-title">{_esc(title)}</h1>
    <div class="article-info">发布时间：{published} 09:08&nbsp;&nbsp;&nbsp;来源：{_esc(agency)}&nbsp;&nbsp;字号：<a>大</a> <a>中</a> <a>小</a></div>
    <div class="article-share bdsharebuttonbox">分享到：<a>微信</a><a>微博</a><a>QQ空间</a></div>
    <div id="zoom" class="TRS_Editor">
{chr(10).join(body)}
    </div>
    <div class="qrcode"><img src="/qr.png"><p>扫一扫在手机打开当前页</p></div>
    <div class="print-close"><a>【打印本页】</a> <a>【关闭窗口】</a></div>
    <div class="prev-next"><p>上一篇：昭通市政务服务管理局2017年政府信息公开工作年度报告</p><p>下一篇：无</p></div>
  </div>
</div>
<div class="footer"><p>主办单位：昭通市人民政府办公室　版权所有　滇ICP备05001234号</p><p>网站标识码：5306000001</p></div>
<script>window._hmt = [];</script>
</body>
</html>
"""


def html_legacy(model: SeedModel, *, title: str, agency: str, published: str, charset: str = "gb2312") -> str:
    """An older portal page: nested layout tables, meta tags, <br>-separated lines, sloppy spans."""
    body: list[str] = []
    items = list(model.items)
    i = 0
    while i < len(items):
        item = items[i]
        if isinstance(item, Table):
            body.append(html_table(item, th_headers=False, odd_spans=True))
            i += 1
            continue
        nxt = items[i + 1] if i + 1 < len(items) else None
        if isinstance(nxt, str) and len(item) < 40:
            # a short heading and its paragraph in one div, separated by <br>
            body.append(f"<div><strong>{_esc(item)}</strong><br>\n　　{_esc(nxt)}<br></div>")
            i += 2
        else:
            body.append(f"<p>　　{_esc(item)}</p>")
            i += 1
    return f"""<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>{_esc(title)}</title>
<meta name="ArticleTitle" content="{_esc(title)}">
<meta name="PubDate" content="{published} 10:31">
<meta name="ContentSource" content="{_esc(agency)}">
<meta name="SiteName" content="{_esc(agency)}门户网站">
<script language="javascript">function fontZoom(size) {{ document.getElementById('zoom').style.fontSize = size + 'px'; }}</script>
</head>
<body topmargin="0">
<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0"><tr><td>
  <table width="100%" class="top"><tr><td><img src="logo.gif"></td><td><a href="/">首页</a> | <a>机构概况</a> | <a>信息公开</a></td></tr></table>
  <table width="100%" border="0" cellspacing="0" cellpadding="0"><tr>
    <td width="220" valign="top" class="left">
      <div class="menu"><ul><li>信息公开指南</li><li>信息公开目录</li><li>信息公开年报</li></ul></div>
    </td>
    <td valign="top" class="bt_content">
      <div class="title">{_esc(title)}</div>
      <div class="info">发布日期:{published}　信息来源:{_esc(agency)}　浏览次数:123</div>
      <div id="zoom">
{chr(10).join(body)}
      </div>
      <div class="fontsize">【字体：<a href="javascript:fontZoom(16)">大</a> <a>中</a> <a>小</a>】</div>
    </td>
  </tr></table>
  <table width="100%" class="foot"><tr><td>版权所有：{_esc(agency)}　浙ICP备12345678号</td></tr></table>
</td></tr></table>
</body>
</html>
"""


# ---------------------------------------------------------------------------------------------
# DOCX (python-docx for the body, raw XML for numbering, content controls and tracked changes)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CN = "一二三四五六七八九十"

NUMBERING_XML = f"""
<w:abstractNum xmlns:w="{W}" w:abstractNumId="90">
  <w:multiLevelType w:val="multilevel"/>
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/><w:lvlJc w:val="left"/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCountingThousand"/><w:lvlText w:val="(%2)"/><w:lvlJc w:val="left"/></w:lvl>
  <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/><w:lvlJc w:val="left"/></w:lvl>
</w:abstractNum>
"""
NUM_ID = "90"


def _strip_ordinal(text: str) -> tuple[int, str] | None:
    """("一、总体情况") -> (0, "总体情况"); ("(一)强化…") -> (1, "强化…"); others None."""
    m = re.match(r"^([一二三四五六七八九十]{1,2})、(.*)$", text, re.S)
    if m:
        return 0, m.group(2)
    m = re.match(r"^\(([一二三四五六七八九十]{1,2})\)(.*)$", text, re.S)
    if m:
        return 1, m.group(2)
    return None


def _cn(n: int) -> str:
    return _CN[n - 1] if n <= 10 else "十" + _CN[n - 11]


def build_docx(model: SeedModel, path: Path, *, auto_numbering: bool = True, extras: bool = True) -> None:
    """Write the seed as a .docx: headings styled "Heading 1"; with ``auto_numbering`` the "一、" and
    "(一)" ordinals are removed from the text and produced by a chineseCounting list instead (only
    where the seed's ordinals run in sequence, so the rebuilt prefix must equal the seed's);
    ``extras`` wraps a paragraph in a content control, splits one into a tracked insertion and adds
    tracked-deleted text that must not be read."""
    import copy

    import docx
    from docx.oxml import parse_xml as ox_parse
    from docx.oxml.ns import qn
    from docx.shared import Pt

    d = docx.Document()
    d.core_properties.title = "docx core title"
    if auto_numbering:
        numbering = d.part.numbering_part.element
        numbering.insert(0, ox_parse(NUMBERING_XML))
        numbering.append(ox_parse(f'<w:num xmlns:w="{W}" w:numId="{NUM_ID}"><w:abstractNumId w:val="90"/></w:num>'))
    # which paragraphs can be auto-numbered: ordinals that continue the running count
    counts = [0, 0]
    numbered: dict[int, tuple[int, str]] = {}
    for idx, item in enumerate(model.items):
        if not isinstance(item, str):
            continue
        so = _strip_ordinal(item)
        if so is None:
            continue
        level, rest = so
        expect = counts[level] + 1
        prefix = f"{_cn(expect)}、" if level == 0 else f"({_cn(expect)})"
        if item.startswith(prefix):
            numbered[idx] = (level, rest)
            counts[level] = expect
            if level == 0:
                counts[1] = 0
    body = d.element.body
    for idx, item in enumerate(model.items):
        if isinstance(item, Table):
            _docx_table(d, item, Pt)
            continue
        heading = bool(_TOP.match(item)) and len(item) < 40
        if auto_numbering and idx in numbered:
            level, rest = numbered[idx]
            p = d.add_paragraph(rest, style="Heading 1" if heading else None)
            ppr = p._p.get_or_add_pPr()
            ppr.append(ox_parse(f'<w:numPr xmlns:w="{W}"><w:ilvl w:val="{level}"/><w:numId w:val="{NUM_ID}"/></w:numPr>'))
        else:
            p = d.add_paragraph(item, style="Heading 1" if heading else None)
    if extras:
        paras = [p for p in body.iter(qn("w:p")) if p.getparent() is body]
        long_paras = [p for p in paras if len("".join(t.text or "" for t in p.iter(qn("w:t")))) > 200]
        # 1) a content control around one paragraph
        target = long_paras[0]
        sdt = ox_parse(f'<w:sdt xmlns:w="{W}"><w:sdtPr><w:alias w:val="正文"/></w:sdtPr><w:sdtContent/></w:sdt>')
        target.addprevious(sdt)
        sdt.find(qn("w:sdtContent")).append(target)
        # 2) a tracked insertion: the second half of a paragraph's text
        target = long_paras[1]
        run = target.find(qn("w:r"))
        t = run.find(qn("w:t"))
        full = t.text
        t.text = full[: len(full) // 2]
        ins = ox_parse(
            f'<w:ins xmlns:w="{W}" w:id="901" w:author="审核" w:date="2019-01-30T10:00:00Z"><w:r><w:t xml:space="preserve">'
            f"{htmlmod.escape(full[len(full) // 2 :], quote=False)}</w:t></w:r></w:ins>"
        )
        run.addnext(ins)
        # 3) tracked deleted text inside that paragraph, and a hidden run
        dele = ox_parse(
            f'<w:del xmlns:w="{W}" w:id="902" w:author="审核" w:date="2019-01-30T10:00:00Z"><w:r>'
            f"<w:delText>已删除的文字不应出现</w:delText></w:r></w:del>"
        )
        ins.addnext(dele)
        hidden = copy.deepcopy(run)
        hidden.find(qn("w:t")).text = "隐藏文字不应出现"
        rpr = hidden.get_or_add_rPr() if hasattr(hidden, "get_or_add_rPr") else None
        if rpr is not None:
            rpr.append(ox_parse(f'<w:vanish xmlns:w="{W}"/>'))
        dele.addnext(hidden)
    d.save(str(path))


def _docx_table(d: object, table: Table, Pt: object) -> None:
    t = d.add_table(rows=len(table.rows), cols=table.width)  # type: ignore[attr-defined]
    t.style = "Table Grid"
    for row in table.rows:
        for cell in row:
            a = t.cell(cell.row, cell.col)
            if cell.colspan > 1 or cell.rowspan > 1:
                a = a.merge(t.cell(cell.row + cell.rowspan - 1, cell.col + cell.colspan - 1))
            a.text = cell.text


# ---------------------------------------------------------------------------------------------
# PDF (reportlab, CID font STSong-Light: its text extracts with pdfplumber)

FONT = "STSong-Light"


def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    try:
        pdfmetrics.getFont(FONT)
    except KeyError:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def build_pdf(model: SeedModel, path: Path, *, ruled: bool = True) -> None:
    """The seed as an A4 PDF: indented wrapped paragraphs, ruled tables with SPAN merges, page numbers.
    ``ruled=False``: the tables are drawn without any ruling lines (text in columns only)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer
    from reportlab.platypus import Table as RLTable

    _register_font()
    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=15, firstLineIndent=20, wordWrap="CJK")
    head = ParagraphStyle("head", fontName=FONT, fontSize=10, leading=15, wordWrap="CJK", spaceBefore=4)
    cell = ParagraphStyle("cell", fontName=FONT, fontSize=6.5, leading=8, wordWrap="CJK")
    story: list[object] = []
    for item in model.items:
        if isinstance(item, Table):
            story.append(Spacer(1, 4))
            story.append(KeepTogether([_pdf_table(item, cell, RLTable, Paragraph, colors, ruled=ruled)]))
            story.append(Spacer(1, 4))
        elif _TOP.match(item) and len(item) < 40:
            story.append(Paragraph(htmlmod.escape(item), head))
        else:
            story.append(Paragraph(htmlmod.escape(item), body))

    def page_no(canvas: object, doc: object) -> None:
        canvas.saveState()  # type: ignore[attr-defined]
        canvas.setFont(FONT, 9)  # type: ignore[attr-defined]
        canvas.drawCentredString(A4[0] / 2, 30, f"- {doc.page} -")  # type: ignore[attr-defined]
        canvas.restoreState()  # type: ignore[attr-defined]

    doc = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=50, rightMargin=50, topMargin=50, bottomMargin=50)
    doc.build(story, onFirstPage=page_no, onLaterPages=page_no)


def _pdf_table(table: Table, style: object, RLTable: type, Paragraph: type, colors: object, *, ruled: bool = True) -> object:
    grid = table.grid()
    data = [[Paragraph(htmlmod.escape(t), style) if t else "" for t in row] for row in grid]
    cmds: list[tuple[object, ...]] = [("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
    if ruled:
        cmds.append(("GRID", (0, 0), (-1, -1), 0.5, colors.black))  # type: ignore[attr-defined]
    for row in table.rows:
        for c in row:
            if c.colspan > 1 or c.rowspan > 1:
                cmds.append(("SPAN", (c.col, c.row), (c.col + c.colspan - 1, c.row + c.rowspan - 1)))
    total = 495.0
    widths = [45.0, 60.0, 110.0] + [40.0] * 7 if table.kind == "3" else [total / table.width] * table.width
    return RLTable(data, colWidths=widths, style=cmds)


def build_long_table_pdf(path: Path, rows: int = 70, *, repeat_header: bool = False, running: str | None = None) -> list[list[str]]:
    """A plain 4-column ruled table long enough to break across pages; returns its rows.
    ``running``: a running header drawn at the top of every page, with a page footer."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate
    from reportlab.platypus import Table as RLTable

    _register_font()
    style = ParagraphStyle("c", fontName=FONT, fontSize=9, leading=11, wordWrap="CJK")
    para = ParagraphStyle("p", fontName=FONT, fontSize=10, leading=14, wordWrap="CJK")
    data = [["事项", "上一年项目数量", "本年增/减", "处理决定数量"]]
    data += [[f"第{i}项行政许可", str(i), str(i % 7 - 3), str(i * 11)] for i in range(1, rows + 1)]
    cells = [[Paragraph(t, style) for t in r] for r in data]
    t = RLTable(cells, colWidths=[180, 100, 100, 100], repeatRows=1 if repeat_header else 0,
                style=[("GRID", (0, 0), (-1, -1), 0.5, colors.black)])  # fmt: skip
    story = [Paragraph("二、主动公开政府信息情况", para), t, Paragraph("三、收到和处理政府信息公开申请情况", para)]

    def decorate(canvas: object, doc: object) -> None:
        if running:
            canvas.setFont(FONT, 9)  # type: ignore[attr-defined]
            canvas.drawString(72, A4[1] - 40, running)  # type: ignore[attr-defined]
            canvas.drawString(72, 30, f"第 {doc.page} 页 共 2 页 {running}")  # type: ignore[attr-defined]

    SimpleDocTemplate(str(path), pagesize=A4).build(story, onFirstPage=decorate, onLaterPages=decorate)
    return data


def build_scanned_pdf(path: Path) -> None:
    """A PDF with an image and vector shapes but no text (like a scan)."""
    from PIL import Image
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    img = Image.new("L", (200, 280), 255)
    for x in range(20, 180):
        for y in range(40, 44):
            img.putpixel((x, y), 0)
    c = canvas.Canvas(str(path), pagesize=A4)
    for _ in range(2):
        c.drawImage(ImageReader(img), 50, 100, width=495, height=693)
        c.rect(40, 40, 100, 20, fill=1)
        c.showPage()
    c.save()


def build_lines_pdf(path: Path, pages: list[list[tuple[float, str]]], *, size: float = 10.0, images: tuple[int, ...] = ()) -> None:
    """An A4 PDF drawn line by line: ``pages`` holds each page's lines as (x, text), 1.5 lines
    apart from the top margin down, no ruling lines.  ``images``: 1-based pages that get only an
    image (a scanned page inside a text PDF) instead of their lines."""
    from PIL import Image
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    _register_font()
    c = canvas.Canvas(str(path), pagesize=A4)
    for no, lines in enumerate(pages, start=1):
        if no in images:
            c.drawImage(ImageReader(Image.new("L", (120, 160), 200)), 60, 100, width=470, height=650)
        else:
            c.setFont(FONT, size)
            y = A4[1] - 60
            for x, text in lines:
                c.drawString(x, y, text)
                y -= size * 1.5
        c.showPage()
    c.save()


def build_encrypted_pdf(path: Path) -> None:
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    _register_font()
    enc = pdfencrypt.StandardEncryption("user-secret", "owner-secret", canPrint=0)
    c = canvas.Canvas(str(path), encrypt=enc)
    c.setFont(FONT, 12)
    c.drawString(72, 700, "加密的政府信息公开工作年度报告")
    c.save()


# ---------------------------------------------------------------------------------------------
# hostile containers


def docx_with_document_xml(path: Path, document_xml: bytes, extra: dict[str, bytes] | None = None, *, stored: bool = False) -> None:
    """A minimal docx whose word/document.xml is ``document_xml`` (for XML attacks).  ``stored``:
    document.xml not deflated (repetitive XML would otherwise pass the zip-bomb ratio cap)."""
    ct = (
        b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        b'<Default Extension="xml" ContentType="application/xml"/>'
        b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        b"</Types>"
    )
    rels = (
        b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
        b"</Relationships>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", ct)
        z.writestr("_rels/.rels", rels)
        z.writestr("word/document.xml", document_xml, compress_type=zipfile.ZIP_STORED if stored else None)
        for name, data in (extra or {}).items():
            z.writestr(name, data)


def simple_document_xml(*paragraphs: str) -> bytes:
    ps = "".join(f"<w:p><w:r><w:t>{htmlmod.escape(p, quote=False)}</w:t></w:r></w:p>" for p in paragraphs)
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W}"><w:body>{ps}</w:body></w:document>'.encode()


BILLION_LAUGHS_DECL = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    '<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">'
    '<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">'
    '<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">'
    '<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">'
    '<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">'
    '<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>'
)


def billion_laughs_document_xml() -> bytes:
    return (
        f'<?xml version="1.0"?>{BILLION_LAUGHS_DECL.replace("lolz", "w:document")}'
        f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>'
    ).encode()


def xxe_document_xml(target: str = "file:///etc/passwd") -> bytes:
    return (
        f'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY xxe SYSTEM "{target}">]>'
        f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>&xxe;</w:t></w:r></w:p></w:body></w:document>'
    ).encode()


def zip_bomb_docx(path: Path, size: int = 1 << 30, chunk: int = 1 << 22) -> None:
    """A docx whose document.xml is ``size`` bytes (zeros after an XML prefix), streamed into the zip
    in chunks so building it needs little memory; deflate shrinks 1 GiB to about 1 MiB."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", b"<Types/>")
        with z.open("word/document.xml", "w", force_zip64=True) as fh:
            fh.write(f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>'.encode())
            zeros = b"\0" * chunk
            written = 0
            while written < size:
                n = min(chunk, size - written)
                fh.write(zeros if n == chunk else zeros[:n])
                written += n


def lying_size_docx(path: Path, real: int = 20 << 20, claimed: int = 4096) -> None:
    """A docx whose document.xml header claims ``claimed`` bytes but inflates to ``real`` bytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>'.encode() + b"a" * real)
    data = bytearray(buf.getvalue())
    # patch the uncompressed size in the local header (offset 22) and the central directory (offset 24)
    lh = data.find(b"PK\x03\x04")
    struct.pack_into("<I", data, lh + 22, claimed)
    cd = data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, cd + 24, claimed)
    path.write_bytes(bytes(data))


# ---------------------------------------------------------------------------------------------
# memory and time of one read, measured in a fresh interpreter

_CHILD_READ = """
import sys, time
from xxgk_lint.read import read_path
from xxgk_lint.read.document import ReadError
t0 = time.monotonic()
try:
    read_path(sys.argv[1])
    code = "OK"
except ReadError as err:
    code = err.code
wall = time.monotonic() - t0
hwm = 0
with open("/proc/self/status") as fh:
    for line in fh:
        if line.startswith("VmHWM:"):
            hwm = int(line.split()[1])
print(code, hwm, wall)
"""


def read_in_child(path: Path) -> tuple[str, float, float]:
    """``read_path(path)`` in a new interpreter: (E code or "OK", its peak RSS in MiB, seconds read).

    The peak is the child's own ``VmHWM`` (Linux ``/proc``), not ``ru_maxrss``: the latter is a
    process-wide high-water mark that a child even inherits from a big parent at fork/exec, so it
    cannot show what one read costs."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", _CHILD_READ, str(path)], capture_output=True, text=True, check=True)
    code, hwm, wall = out.stdout.split()
    return code, int(hwm) / 1024, float(wall)
