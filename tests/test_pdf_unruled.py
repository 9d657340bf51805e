"""PDF tables drawn without ruling lines (text in columns only) read like the ruled ones.

The seeds are rendered by ``readers_util.build_pdf(..., ruled=False)``: the same story as the ruled
PDF, the tables without any ruling line.  pdfplumber's line-based table finder finds nothing there,
so the reader's geometry fallback (``xxgk_lint.read.pdf._unruled_tables``) must give back the seed's
table rows, and the checks the same findings as for the .txt seed (no T001/T002/T003 that the txt
does not have).  Also: a table broken across pages (top- and middle-aligned cells, with and
without cell padding, blank cells, wrapped labels, running header/footer), and pages of prose,
numbered lists, a contact block and a table of contents, which must not get a table.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from readers_util import FONT, _register_font, build_lines_pdf, build_pdf, seed_model, seed_path
from xxgk_lint.pipeline import FileResult, Options, lint_path
from xxgk_lint.read import read_path
from xxgk_lint.read.document import Document
from xxgk_lint.read.text import read_text

SEEDS = ("000", "001", "002", "003", "004")
TABLE_RULES = ("T001", "T002", "T003")


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, bool], Path]:
    d = tmp_path_factory.mktemp("unruled")
    out: dict[tuple[str, bool], Path] = {}
    for prefix in SEEDS:
        model = seed_model(prefix)
        for ruled in (False, True):
            p = d / f"{prefix}_{'ruled' if ruled else 'unruled'}.pdf"
            build_pdf(model, p, ruled=ruled)
            out[(prefix, ruled)] = p
    return out


@pytest.fixture(scope="module")
def results(pdfs: dict[tuple[str, bool], Path]) -> dict[tuple[str, str], FileResult]:
    out = {(prefix, "txt"): lint_path(seed_path(prefix), Options()) for prefix in SEEDS}
    out.update({(prefix, "pdf"): lint_path(pdfs[(prefix, False)], Options()) for prefix in SEEDS})
    return out


def signature(r: FileResult) -> Counter[tuple[object, ...]]:
    return Counter((f.rule, f.severity, f.section, f.table, f.cell) for f in r.findings)


def table_rows(doc: Document) -> list[list[str]]:
    """Every table row as its non-empty cell texts (spanned copies left out)."""
    rows = [
        [c.text for c in r.cells if c.text and not c.spanned]
        for b in doc.blocks
        if b.kind == "table"
        for r in b.rows
    ]
    return [r for r in rows if r]


def test_seeds_with_table_findings_exist(results: dict[tuple[str, str], FileResult]) -> None:
    # the comparison below is meaningful: seeds with table findings and seeds with tables
    with_t = [p for p in SEEDS if any(f.rule.startswith("T") for f in results[(p, "txt")].findings)]
    assert {"002", "003", "004"} <= set(with_t)


@pytest.mark.parametrize("prefix", SEEDS)
def test_unruled_pdf_gives_the_txt_findings(results: dict[tuple[str, str], FileResult], prefix: str) -> None:
    txt, pdf = results[(prefix, "txt")], results[(prefix, "pdf")]
    assert pdf.report is not None and txt.report is not None
    assert pdf.report.template == txt.report.template
    # no "table / row / column missing" the text report does not have
    for rule in TABLE_RULES:
        got = sorted(str(f.cell) for f in pdf.findings if f.rule == rule)
        want = sorted(str(f.cell) for f in txt.findings if f.rule == rule)
        assert got == want, (rule, got, want)
    assert {f.rule for f in pdf.findings} == {f.rule for f in txt.findings}
    # and the same findings, rule by rule, table by table and cell by cell (positions aside)
    assert signature(pdf) == signature(txt), (
        signature(pdf) - signature(txt),
        signature(txt) - signature(pdf),
    )


@pytest.mark.parametrize("prefix", ["001", "003", "004"])
def test_unruled_tables_read_as_the_txt_rows(pdfs: dict[tuple[str, bool], Path], prefix: str) -> None:
    """Merged header cells and labels (自然人 over two header rows, "(三)不予公开" centred over eight
    rows, "三、本年度办理结果" wrapped and centred over twenty) go to their first row, wrapped
    labels are one cell: the rows are the seed's, cell for cell."""
    doc = read_path(pdfs[(prefix, False)])
    txt = read_text(seed_path(prefix).read_text(encoding="utf-8"), "seed.txt")
    assert table_rows(doc) == table_rows(txt)


@pytest.mark.parametrize("prefix", SEEDS)
def test_unruled_pdf_has_the_ruled_layout(pdfs: dict[tuple[str, bool], Path], prefix: str) -> None:
    """Same paragraphs, same table blocks at the same pages and lines, rows on the same lines."""
    ruled, unruled = read_path(pdfs[(prefix, True)]), read_path(pdfs[(prefix, False)])
    assert [(b.page, b.line, b.text) for b in unruled.blocks if b.kind == "paragraph"] == [
        (b.page, b.line, b.text) for b in ruled.blocks if b.kind == "paragraph"
    ]

    def tables(doc: Document) -> list[tuple[object, ...]]:
        return [
            (b.page, b.line, b.end_line, tuple((r.page, r.line) for r in b.rows))
            for b in doc.blocks
            if b.kind == "table"
        ]

    assert tables(unruled) == tables(ruled)
    for b in unruled.blocks:
        for r in b.rows:
            assert all(c.line == r.line and c.column == k for k, c in enumerate(r.cells, start=1))


def test_ruled_pdf_still_uses_the_ruled_tables(pdfs: dict[tuple[str, bool], Path]) -> None:
    # the ruled path expands merged cells into the grid (spanned copies); the fallback never does
    doc = read_path(pdfs[("003", True)])
    assert any(c.spanned for b in doc.blocks for r in b.rows for c in r.cells)
    doc = read_path(pdfs[("003", False)])
    assert not any(c.spanned for b in doc.blocks for r in b.rows for c in r.cells)


# ---------------------------------------------------------------------------------------------
# a long unruled table across pages


def build_long_unruled(
    path: Path, rows: int, *, valign: str, padding: float | None, running: str | None = None
) -> list[list[str]]:
    """A 4-column table without ruling lines, broken across pages; every 9th label wraps, every
    5th row has a blank middle cell.  Returns the rows as a reader should give them."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate
    from reportlab.platypus import Table as RLTable

    _register_font()
    style = ParagraphStyle("c", fontName=FONT, fontSize=9, leading=11, wordWrap="CJK")
    para = ParagraphStyle("p", fontName=FONT, fontSize=10, leading=14, wordWrap="CJK")
    data = [["事项", "上一年项目数量", "本年增/减", "处理决定数量"]]
    for i in range(1, rows + 1):
        label = f"第{i}项行政许可" + ("(含名称较长需要换行显示的事项说明)" if i % 9 == 0 else "")
        data.append([label, str(i), "" if i % 5 == 0 else str(i % 7 - 3), str(i * 11)])
    cmds: list[tuple[object, ...]] = [("VALIGN", (0, 0), (-1, -1), valign)]
    if padding is not None:
        cmds += [("TOPPADDING", (0, 0), (-1, -1), padding), ("BOTTOMPADDING", (0, 0), (-1, -1), padding)]
    table = RLTable(
        [[Paragraph(t, style) if t else "" for t in r] for r in data],
        colWidths=[180, 100, 100, 100],
        style=cmds,
    )
    story = [
        Paragraph("二、主动公开政府信息情况", para),
        table,
        Paragraph("三、收到和处理政府信息公开申请情况", para),
    ]

    def decorate(canvas: object, doc: object) -> None:
        if running:
            canvas.setFont(FONT, 9)  # type: ignore[attr-defined]
            canvas.drawString(72, A4[1] - 40, running)  # type: ignore[attr-defined]
            canvas.drawString(72, 30, f"第 {doc.page} 页 {running}")  # type: ignore[attr-defined]

    SimpleDocTemplate(str(path), pagesize=A4).build(story, onFirstPage=decorate, onLaterPages=decorate)
    return data


@pytest.mark.parametrize(
    ("valign", "padding", "rows", "running"),
    [
        ("TOP", None, 70, None),
        ("TOP", 0, 70, None),
        ("MIDDLE", None, 70, "某局2019年政府信息公开工作年度报告"),
        ("MIDDLE", 0, 70, None),
        ("TOP", None, 36, "某局2019年政府信息公开工作年度报告"),  # a single row left for page 2
    ],
)
def test_long_unruled_table_across_pages(
    tmp_path: Path, valign: str, padding: float | None, rows: int, running: str | None
) -> None:
    p = tmp_path / "long.pdf"
    data = build_long_unruled(p, rows, valign=valign, padding=padding, running=running)
    doc = read_path(p)
    tables = [b for b in doc.blocks if b.kind == "table"]
    assert len(tables) == 1
    got = [[c.text for c in r.cells] for r in tables[0].rows]
    want = [r[: max(k + 1 for k, t in enumerate(r) if t)] for r in data]  # trailing blanks dropped
    assert got == want
    assert len({r.page for r in tables[0].rows}) == 2 and tables[0].page == 1
    if rows == 36:
        assert [r.page for r in tables[0].rows].count(2) == 1
    assert [b.text for b in doc.blocks if b.kind == "paragraph"] == [
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
    ]


# ---------------------------------------------------------------------------------------------
# no fake tables

PROSE = [
    (76.0, "2019年,本机关共主动公开政府信息1629条,其中规范性文件12件,政策解读稿件35篇,回应"),
    (56.0, "公众关注热点8次,依申请公开办结率100%。"),
    (56.0, "一、总体情况"),
    (76.0, "(一)主动公开。全年发布各类信息 1209 条,同比增长 12.5%。"),
    (56.0, "1. 网站发布 77 条"),
    (56.0, "2. 微博发布 52 条"),
    (56.0, "3. 微信发布 53 条"),
    (56.0, "联系电话:0870-2123456"),
    (380.0, "昭通市政务服务管理局"),
    (390.0, "2019年1月31日"),
]


def test_prose_pages_get_no_table(tmp_path: Path) -> None:
    p = tmp_path / "prose.pdf"
    build_lines_pdf(p, [PROSE, PROSE[::-1]])
    doc = read_path(p)
    assert doc.blocks and all(b.kind == "paragraph" for b in doc.blocks)
    assert any("1629" in b.text for b in doc.blocks)


def test_spaced_lines_and_a_contents_page_get_no_table(tmp_path: Path) -> None:
    """Two-part lines (a contact block) and a table of contents without leader dots (headings
    with rising page numbers) are text, not tables."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    _register_font()
    p = tmp_path / "spaced.pdf"
    c = canvas.Canvas(str(p), pagesize=A4)
    c.setFont(FONT, 10)
    y = 780.0
    for left, right in [("联系人:张三", "电话:12345678"), ("地址:昭通市", "邮编:657000")]:
        c.drawString(56, y, left)
        c.drawString(300, y, right)
        y -= 15
    for k in range(4):
        c.drawString(
            56, y, f"这是一段普通的正文内容,说明本机关在政府信息公开方面开展的各项工作情况,共计{k}项。"
        )
        y -= 15
    for heading, page in [
        ("一、总体情况", 1),
        ("二、主动公开政府信息情况", 3),
        ("三、收到和处理政府信息公开申请情况", 4),
        ("四、存在的主要问题及改进情况", 6),
    ]:
        c.drawString(56, y, heading)
        c.drawString(500, y, str(page))
        y -= 15
    c.save()
    doc = read_path(p)
    assert doc.blocks and all(b.kind == "paragraph" for b in doc.blocks)
