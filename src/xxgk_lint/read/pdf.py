"""PDF reader (pdfplumber, imported lazily): text lines and ruled tables, page by page.

* Positions: ``Block.page`` is the 1-based page; ``line`` numbers restart on every page and count
  the page's visual lines top to bottom, where a text line is one line and each table row is one
  line.  ``Row.page`` is set on every table row; ``Cell.line`` is the row's line (the origin row's
  for merged copies) and ``Cell.column`` the 1-based grid column.  A paragraph or table that
  continues on the next page keeps the page and line where it starts; its ``end_line`` is then the
  last line it has on its first page (end positions do not cross pages).  ``source_lines`` is empty
  (line numbers are per page, so a flat list cannot be indexed by them).
* Tables: ``page.find_tables()`` (ruling lines).  Merged cells are recovered from the cell boxes
  (a box spanning several column/row boundaries) and expanded like HTML spans
  (:mod:`xxgk_lint.read.grid`).  Characters inside a table's box are removed from the text flow,
  so table text is never repeated as paragraphs.  A table that is the last thing on a page is
  joined with the first table of the next page when that table is the first thing there and has the
  same number of columns; a repeated header row (identical to the first table's first rows) is
  dropped.
* Paragraphs: consecutive lines are joined when the previous line reaches the right margin (the
  text column's right edge over all pages of the same width, so a last page of a few short lines
  keeps them apart) and the next one is neither indented (first-line indent) nor starts with a heading ordinal ("一、",
  "(一)", "1."), also across a page break.  Page-number lines ("- 3 -", "第 3 页") at the top or
  bottom of a page are dropped, and so are running headers/footers (a line in the top or bottom
  10 % of the page repeated, digits aside, on at least half of the pages).
* Metadata: the document-info Title (unless reportlab's "untitled") fills ``meta["title"]``;
  CreationDate/ModDate go to ``file_created``/``file_modified``, never to ``published_on``.
* Pages with images but no characters in a PDF that has text elsewhere (a scanned page inside a
  text PDF: its content cannot be checked) are listed in ``meta["pages_without_text"]`` ("3,5").
* Errors: encrypted (password) or corrupt: E005; more than ``limits.MAX_PDF_PAGES`` pages or
  ``limits.PDF_TIME_BUDGET`` seconds (checked between pages): E004; no extractable characters on any
  page (a scan), or text that is mostly unmapped glyphs ``(cid:NN)``: E007.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xxgk_lint.read import limits
from xxgk_lint.read.document import Block, Document, ReadError, Row
from xxgk_lint.read.grid import SrcCell, SrcRow, expand

_PAGE_NO = re.compile(
    r"^[\s\-—–－_·•]*(?:第\s*)?[0-9０-９]{1,4}(?:\s*页)?(?:\s*[/／]\s*(?:共\s*)?[0-9０-９]{1,4}\s*页?)?[\s\-—–－_·•]*$"
    r"|^(?:第\s*\d+\s*页\s*)?共\s*\d+\s*页$"
)
_HEADING_START = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}[、.．]|[(（][一二三四五六七八九十]{1,3}[)）]|\d{1,2}[、.．](?!\d)|第[一二三四五六七八九十]+[章节部分条])"
)
_CJK_OR_PUNCT = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef“”‘’]")
_WS = re.compile(r"\s+")
_ASCII_WORD = re.compile(r"[\x21-\x7e]+")


def _joiner(left: str, right: str) -> str:
    if not left or not right:
        return ""
    if _CJK_OR_PUNCT.match(left[-1]) or _CJK_OR_PUNCT.match(right[0]):
        return ""
    return " "


def _join_lines(text: str) -> str:
    """Text of a table cell: wrapped lines joined without spaces between Chinese characters."""
    out = ""
    for part in (p.strip() for p in text.splitlines()):
        if part:
            out = out + _joiner(out, part) + part if out else part
    return _WS.sub(" ", out).strip()


@dataclass(slots=True)
class _Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    line: int = 0


@dataclass(slots=True)
class _Table:
    rows: list[Row]
    top: float
    bottom: float
    ncols: int
    header: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Para:
    texts: list[str]
    page: int
    line: int
    end_line: int
    last: _Line


def _closest(values: list[float], v: float) -> int:
    best = 0
    for i, x in enumerate(values):
        if abs(x - v) < abs(values[best] - v):
            best = i
    return best


def _uniq(values: list[float], tol: float = 1.0) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > tol:
            out.append(v)
    return out


def _table_grid(table: Any, first_line: int, page_no: int) -> tuple[list[Row], int]:
    """Rows of one pdfplumber table with merged boxes expanded; returns (rows, column count)."""
    cells = list(table.cells)
    xs = _uniq([c[0] for c in cells] + [c[2] for c in cells])
    ys = _uniq([c[1] for c in cells] + [c[3] for c in cells])
    text_of: dict[tuple[float, float, float, float], str] = {}
    for row, texts in zip(table.rows, table.extract(), strict=False):
        for cell, text in zip(row.cells, texts, strict=False):
            if cell is not None:
                text_of[tuple(cell)] = _join_lines(text or "")
    placed: dict[int, list[SrcCell]] = {}
    for c in sorted(cells, key=lambda b: (b[1], b[0])):
        c0, c1 = _closest(xs, c[0]), _closest(xs, c[2])
        r0, r1 = _closest(ys, c[1]), _closest(ys, c[3])
        sc = SrcCell(
            text=text_of.get(tuple(c), ""),
            line=0,
            colspan=max(1, c1 - c0),
            rowspan=max(1, r1 - r0),
            col=c0,
        )
        placed.setdefault(r0, []).append(sc)
    nrows = max(1, len(ys) - 1)
    src: list[SrcRow] = []
    for r in range(nrows):
        line = first_line + r
        row_cells = sorted(placed.get(r, []), key=lambda s: s.col or 0)
        for sc in row_cells:
            sc.line = line
        src.append(SrcRow(cells=row_cells, line=line, page=page_no))
    rows = expand(src)
    return rows, max(1, len(xs) - 1)


def _inside(obj: dict[str, Any], boxes: list[tuple[float, float, float, float]]) -> bool:
    cx = (obj["x0"] + obj["x1"]) / 2
    cy = (obj["top"] + obj["bottom"]) / 2
    return any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes)


def _page_items(page: Any, page_no: int, stats: dict[str, int], imaged: list[int] | None = None) -> list[_Line | _Table]:
    chars = page.chars
    n = sum(1 for c in chars if (c.get("text") or "").strip())
    stats["chars"] += n
    if n == 0 and imaged is not None and page.images:
        imaged.append(page_no)  # a scanned page inside a text PDF
    stats["cid"] += sum(1 for c in chars if (c.get("text") or "").startswith("(cid:"))
    try:
        tables = page.find_tables()
    except Exception:  # noqa: BLE001 - a table-finder failure leaves the text
        tables = []
    boxes = [t.bbox for t in tables]
    text_page = page.filter(lambda o: o.get("object_type") != "char" or not _inside(o, boxes)) if boxes else page
    raw = text_page.extract_text_lines(return_chars=False, strip=True)
    height = float(page.height or 842)
    items: list[tuple[float, _Line | _Table | Any]] = []
    for ln in raw:
        text = _WS.sub(" ", ln.get("text") or "").strip()
        if not text:
            continue
        top, bottom = float(ln["top"]), float(ln["bottom"])
        if _PAGE_NO.match(text) and (top > height * 0.85 or bottom < height * 0.12):
            continue
        items.append((top, _Line(text=text, x0=float(ln["x0"]), x1=float(ln["x1"]), top=top, bottom=bottom)))
    for t in tables:
        items.append((float(t.bbox[1]), t))
    items.sort(key=lambda it: it[0])
    out: list[_Line | _Table] = []
    ordinal = 0
    for _top, it in items:
        if isinstance(it, _Line):
            ordinal += 1
            it.line = ordinal
            out.append(it)
        else:
            rows, ncols = _table_grid(it, ordinal + 1, page_no)
            if not rows:
                continue
            ordinal += len(rows)
            out.append(_Table(rows=rows, top=float(it.bbox[1]), bottom=float(it.bbox[3]), ncols=ncols))
    return out


_DIGITS = re.compile(r"[0-9０-９]+")


def _drop_running_lines(pages: list[tuple[int, list[_Line | _Table], float]]) -> list[tuple[int, list[_Line | _Table], float]]:
    """Remove running headers/footers: a line in the top or bottom 10 % of the page whose text
    (digits ignored) recurs there on at least half of the pages (and on two or more)."""
    if len(pages) < 2:
        return pages
    seen: dict[str, set[int]] = {}
    for no, items, height in pages:
        for it in items:
            if isinstance(it, _Line) and (it.bottom < height * 0.1 or it.top > height * 0.9):
                seen.setdefault(_DIGITS.sub("#", it.text), set()).add(no)
    running = {k for k, v in seen.items() if len(v) >= max(2, (len(pages) + 1) // 2)}
    if not running:
        return pages
    out = []
    for no, items, height in pages:
        kept = [
            it
            for it in items
            if not (isinstance(it, _Line) and (it.bottom < height * 0.1 or it.top > height * 0.9) and _DIGITS.sub("#", it.text) in running)
        ]
        out.append((no, kept, height))
    return out


def _column_margins(pages: list[tuple[int, list[_Line | _Table], float]], widths: dict[int, int]) -> dict[int, tuple[float, float]]:
    """(left, right) text edges per page width, over all pages of that width: the leftmost line
    start and the 80th percentile of line ends (most body lines are full lines; the percentile
    ignores a punctuation mark hanging past the margin).  When that right edge is not even at 60 %
    of the page (a document of short lines only), it mirrors the left margin across the page."""
    starts: dict[int, float] = {}
    ends: dict[int, list[float]] = {}
    for no, items, _height in pages:
        w = widths.get(no, 595)
        for it in items:
            if isinstance(it, _Line):
                starts[w] = min(starts.get(w, it.x0), it.x0)
                ends.setdefault(w, []).append(it.x1)
    out: dict[int, tuple[float, float]] = {}
    for w, left in starts.items():
        xs = sorted(ends[w])
        right = xs[min(len(xs) - 1, (len(xs) * 4) // 5)]
        if right < 0.6 * w and w - left > right:
            right = w - left
        out[w] = (left, right)
    return out


def _row_texts(row: Row) -> list[str]:
    return [c.text for c in row.cells]


class _Assembler:
    """Turns per-page items into blocks, joining paragraphs and tables across lines and pages."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.para: _Para | None = None
        self.table: tuple[int, list[Row], int] | None = None  # (page, rows, ncols)
        self.left = 0.0
        self.right = 0.0
        self.size = 10.0
        self.budget = limits.Budget()

    def _flush_para(self) -> None:
        p = self.para
        if p is not None:
            parts: list[str] = []
            prev = ""
            for t in p.texts:
                if parts:
                    parts.append(_joiner(prev, t))
                parts.append(t)
                prev = t
            text = "".join(parts)
            self.budget.block(1, len(text))
            self.blocks.append(Block(kind="paragraph", line=p.line, end_line=p.end_line, text=text, page=p.page))
        self.para = None

    def _flush_table(self) -> None:
        if self.table is not None:
            page, rows, _ = self.table
            text = "\n".join(" | ".join(_row_texts(r)) for r in rows)
            self.budget.block(1, len(text))
            end = rows[-1].line if rows[-1].page == page else max(r.line for r in rows if r.page == page)
            self.blocks.append(Block(kind="table", line=rows[0].line, end_line=end, text=text, rows=tuple(rows), page=page))
        self.table = None

    def flush(self) -> None:
        self._flush_para()
        self._flush_table()

    def _continues(self, prev: _Line, nxt: _Line) -> bool:
        # "full": the previous line ends near the right margin, or the next line's first word
        # (an ASCII run such as "-9.67%," that a CJK line breaker does not split) would not fit
        token = _ASCII_WORD.match(nxt.text)
        room = max(2.5 * self.size, (len(token.group(0)) * 0.6 + 1) * self.size if token else 0.0)
        full = prev.x1 >= self.right - room
        indented = nxt.x0 > self.left + 0.6 * self.size
        return full and not indented and not _HEADING_START.match(nxt.text)

    def page(
        self, page_no: int, items: list[_Line | _Table], first_on_page: bool, margins: tuple[float, float] | None = None
    ) -> None:
        """``margins``: the text column's (left, right) over all pages of this size, so that a page
        of a few short lines (a sign-off, a login box a scrape left behind) is not mistaken for a
        page whose lines all reach the right margin."""
        lines = [it for it in items if isinstance(it, _Line)]
        if lines:
            self.left = min(ln.x0 for ln in lines)
            self.right = max(ln.x1 for ln in lines)
            if margins is not None:
                self.left = min(self.left, margins[0])
                self.right = max(self.right, margins[1])
            heights = sorted(ln.bottom - ln.top for ln in lines)
            self.size = max(4.0, heights[len(heights) // 2])
        for idx, it in enumerate(items):
            if isinstance(it, _Table):
                self._flush_para()
                self.budget.table_cells(sum(len(r.cells) for r in it.rows))
                if self.table is not None and idx == 0 and it.ncols == self.table[2]:
                    rows = list(it.rows)
                    prev_rows = self.table[1]
                    k = 0
                    while k < len(rows) and k < len(prev_rows) and _row_texts(rows[k]) == _row_texts(prev_rows[k]) and any(_row_texts(rows[k])):
                        k += 1
                    prev_rows.extend(rows[k:])
                    continue
                self._flush_table()
                self.table = (page_no, list(it.rows), it.ncols)
                continue
            # a text line
            if self.table is not None:
                self._flush_table()
            p = self.para
            if p is not None and self._continues(p.last, it):
                p.texts.append(it.text)
                if p.page == page_no:
                    p.end_line = it.line
                p.last = it
                continue
            self._flush_para()
            self.para = _Para(texts=[it.text], page=page_no, line=it.line, end_line=it.line, last=it)


def _open_error(exc: Exception) -> ReadError:
    name = type(exc).__name__
    inner = [a for a in exc.args if isinstance(a, BaseException)] + [exc.__cause__, exc.__context__]
    text = " ".join([f"{name}: {exc!r}"] + [f"{type(e).__name__}: {e!r}" for e in inner if e is not None]).lower()
    if "password" in text or "encrypt" in text:
        return ReadError("E005", "PDF 已加密(需要密码),无法读取", "the PDF is encrypted (password required); cannot read it")
    return ReadError("E005", f"PDF 文件损坏或格式无效({name})", f"corrupt or invalid PDF ({name}: {exc})")


PAGES_WITHOUT_TEXT_KEY = "pages_without_text"


def read_pdf(path: Path, name: str) -> Document:
    import pdfplumber

    started = time.monotonic()
    try:
        pdf = pdfplumber.open(str(path))
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many unrelated types
        raise _open_error(exc) from None
    blocks: list[Block] = []
    stats = {"chars": 0, "cid": 0}
    meta: dict[str, str] = {}
    try:
        try:
            info = pdf.metadata or {}
            title = info.get("Title")
            if isinstance(title, str) and title.strip() and title.strip().lower() not in ("untitled", "anonymous"):
                meta["title"] = _WS.sub(" ", title).strip()
            for key, meta_key in (("CreationDate", "file_created"), ("ModDate", "file_modified")):
                if isinstance(info.get(key), str) and info[key].strip():
                    meta[meta_key] = info[key].strip()
        except Exception:  # noqa: BLE001 - metadata is optional
            meta = {}
        try:
            pages = pdf.pages
        except Exception as exc:  # noqa: BLE001
            raise _open_error(exc) from None
        if len(pages) > limits.MAX_PDF_PAGES:
            raise ReadError(
                "E004",
                f"PDF 页数过多({len(pages)} 页,上限 {limits.MAX_PDF_PAGES} 页),不予读取",
                f"PDF has too many pages ({len(pages)}, limit {limits.MAX_PDF_PAGES}); not read",
            )
        if not pages:
            raise ReadError("E006", "PDF 没有页面", "the PDF has no pages")
        asm = _Assembler()
        collected: list[tuple[int, list[_Line | _Table], float]] = []
        widths: dict[int, int] = {}  # page -> its width rounded (pages of one size share margins)
        seen_lines = 0  # text lines and table rows so far (limits.MAX_LINES)
        imaged: list[int] = []  # pages with images but no characters
        for no, page in enumerate(pages, start=1):
            if time.monotonic() - started > limits.PDF_TIME_BUDGET:
                raise ReadError(
                    "E004",
                    f"PDF 处理超时(超过 {limits.PDF_TIME_BUDGET:.0f} 秒,读到第 {no} 页),不予读取",
                    f"PDF processing exceeded {limits.PDF_TIME_BUDGET:.0f} s (at page {no}); not read",
                )
            try:
                height = float(page.height or 842)
                widths[no] = round(float(page.width or 595))
                items = _page_items(page, no, stats, imaged)
            except ReadError:
                raise
            except Exception as exc:  # noqa: BLE001
                raise ReadError(
                    "E005", f"PDF 第 {no} 页无法解析({type(exc).__name__})", f"page {no} of the PDF cannot be parsed ({type(exc).__name__}: {exc})"
                ) from None
            finally:
                close = getattr(page, "close", None)
                if callable(close):
                    close()
            collected.append((no, items, height))
            seen_lines += sum(len(it.rows) if isinstance(it, _Table) else 1 for it in items)
            limits.check_count(seen_lines, limits.MAX_LINES, "行", "lines")
        margins = _column_margins(collected, widths)
        for no, items, _height in _drop_running_lines(collected):
            asm.page(no, items, no == 1, margins.get(widths[no]))
        asm.flush()
        blocks = asm.blocks
    finally:
        pdf.close()
    if stats["chars"] == 0:
        raise ReadError(
            "E007",
            "PDF 没有文字层(可能是扫描件,只有图像),无法检查;请提供带文字层的 PDF 或原始文档",
            "the PDF has no text layer (probably a scan: images only); supply a text PDF or the source document",
        )
    if stats["cid"] > stats["chars"] * 0.5:
        raise ReadError(
            "E007",
            "PDF 的文字无法提取(字体缺少 Unicode 映射,只得到 (cid:NN) 字形编号)",
            "the PDF's text cannot be extracted (fonts without a Unicode map: only (cid:NN) glyph ids)",
        )
    if not any(b.text.strip() for b in blocks):
        raise ReadError("E006", "PDF 中没有文字", "no text in the PDF")
    if imaged:
        meta[PAGES_WITHOUT_TEXT_KEY] = ",".join(map(str, imaged))
    return Document(path=name, format="pdf", blocks=blocks, encoding=None, meta=meta, source_lines=[])
