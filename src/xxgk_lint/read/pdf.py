"""PDF reader (pdfplumber, imported lazily): text lines, ruled and unruled tables, page by page.

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
* Unruled tables (text in columns, no ruling lines; :func:`_unruled_tables`): outside the ruled
  boxes, words are grouped into lines and each line into chunks (cells) by the gaps between them.
  A run of lines of one font size with at least two rows of values (numbers, "/", "——") in shared
  columns, or one row of three values or more under a header line, is a table, with its header,
  caption and wrapped-label lines (a table of contents, prose and section headings are not).  A
  label wrapped over lines is one cell; a label centred over several rows (a merged cell such as
  "(三)不予公开" or header "自然人") goes to the first of them, as a text table writes it; in a data
  row the labels come first, then one cell per value column (blank where empty, trailing blanks
  dropped), so merged cells are written once and not expanded.  The rows get the same positions
  as a ruled table's.  Rows at the top of a page continue an unruled table that ended the previous
  page (one row is enough there), and caption/header lines that end a page join the unruled table
  that starts the next.  A PDF without such runs (ruled tables, prose) reads as it did without
  this fallback.
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
* Page objects: a page's characters and ruling paths come from PDFium
  (:mod:`xxgk_lint.read.pdfium_objects`, ~2x faster than pdfminer's content-stream parse), built
  in pdfminer's conventions so that pdfplumber's table finding and word extraction see the same
  objects; a page PDFium does not cover exactly (rotated, cropped, unmapped glyphs, a text object
  its text page leaves out, ...) and a file PDFium cannot open are read by pdfminer as before.
  ``PAGE_OBJECTS = "pdfminer"`` reads every page with pdfminer.
* Errors: encrypted (password) or corrupt: E005; more than ``limits.MAX_PDF_PAGES`` pages or
  ``limits.PDF_TIME_BUDGET`` seconds (checked between pages): E004; no extractable characters on any
  page (a scan), or text that is mostly unmapped glyphs ``(cid:NN)``: E007.
"""

from __future__ import annotations

import bisect
import itertools
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xxgk_lint.read import limits
from xxgk_lint.read.document import Block, Cell, Document, ReadError, Row
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
    unruled: bool = False  # found from the words' geometry, not from ruling lines


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


def _page_items(
    page: Any,
    page_no: int,
    stats: dict[str, int],
    imaged: list[int] | None = None,
    continued: bool = False,
    tails: dict[int, list[list[str]]] | None = None,
) -> list[_Line | _Table]:
    """``continued``: the previous page ended with an unruled table (rows at the top of this page
    may be its rest).  ``tails``: receives, by page, the cells of lines ending the page that may
    be the first rows of a table continued on the next page (see :func:`_tails_to_next_page`)."""
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
    tail: list[list[str]] = []
    try:
        unruled = _unruled_tables(page, text_page.extract_words(keep_blank_chars=False, use_text_flow=False), continued, tail)
    except Exception:  # noqa: BLE001 - a failure of the geometry fallback leaves the text as it was
        unruled, tail = [], []
    if tails is not None and tail:
        tails[page_no] = tail
    if unruled:
        boxes = boxes + [box for box, _rows in unruled]
        text_page = page.filter(lambda o: o.get("object_type") != "char" or not _inside(o, boxes))
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
    for box, cells in unruled:
        items.append((box[1], _UnruledTable(box, cells)))
    items.sort(key=lambda it: it[0])
    out: list[_Line | _Table] = []
    ordinal = 0
    for _top, it in items:
        if isinstance(it, _Line):
            ordinal += 1
            it.line = ordinal
            out.append(it)
        else:
            if isinstance(it, _UnruledTable):
                rows, ncols = it.grid(ordinal + 1, page_no)
            else:
                rows, ncols = _table_grid(it, ordinal + 1, page_no)
            if not rows:
                continue
            ordinal += len(rows)
            out.append(
                _Table(rows=rows, top=float(it.bbox[1]), bottom=float(it.bbox[3]), ncols=ncols, unruled=isinstance(it, _UnruledTable))
            )
    return out


# ---------------------------------------------------------------------------------------------
# tables drawn without ruling lines (text in columns only)

# a cell that reads as a value: a number (with a unit), a percentage, "/", a dash, "无"
_U_VALUE = re.compile(
    r"^(?:[+\-－]?[0-9０-９][0-9０-９,，]*(?:[.．][0-9０-９]+)?\s*(?:%|％|万元|亿元|元|人次|件|条|个|项|次|人|篇|家|期|场)?"
    r"|[/／]|[-—–－]{1,2}|——|无)$"
)
_U_LEADER = re.compile(r"[.．…·•_]{4,}")  # dot leaders of a table of contents
_U_CAPTION = re.compile(r"^第[一二三四五六七八九十百]+条第[(（][一二三四五六七八九十]+[)）]项")
_U_TOP_ORDINAL = re.compile(r"^[一二三四五六七八九十]{1,3}[、.．]")
_U_SENTENCE = re.compile(r"[。;;!!??]")


@dataclass(slots=True)
class _Chunk:
    """Words of one text line that sit close together: one cell's text on that line."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def h(self) -> float:
        return max(1.0, self.bottom - self.top)

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def numeric(self) -> bool:
        return bool(_U_VALUE.match(self.text))


@dataclass(slots=True)
class _ULine:
    chunks: list[_Chunk]
    top: float
    bottom: float
    size: float

    @property
    def text(self) -> str:
        return " ".join(c.text for c in self.chunks)


@dataclass(slots=True)
class _UBlock:
    """One cell: chunks stacked in a column (a label wrapped over lines), or a single value."""

    parts: list[_Chunk]
    x0: float
    x1: float
    top: float
    bottom: float
    numeric: bool = False

    @classmethod
    def of(cls, c: _Chunk) -> _UBlock:
        return cls(parts=[c], x0=c.x0, x1=c.x1, top=c.top, bottom=c.bottom, numeric=c.numeric)

    def add(self, c: _Chunk) -> None:
        self.parts.append(c)
        self.x0, self.x1 = min(self.x0, c.x0), max(self.x1, c.x1)
        self.top, self.bottom = min(self.top, c.top), max(self.bottom, c.bottom)

    @property
    def text(self) -> str:
        out = ""
        for p in self.parts:
            out = out + _joiner(out, p.text) + p.text if out else p.text
        return out

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def h(self) -> float:
        return max(1.0, self.parts[0].bottom - self.parts[0].top)


@dataclass(slots=True)
class _URow:
    blocks: list[_UBlock]
    anchor: bool  # holds values (numbers)
    top: float = 0.0  # a data row: its values' line; else its cells' extent
    bottom: float = 0.0


def _vover(a_top: float, a_bottom: float, b_top: float, b_bottom: float) -> float:
    return min(a_bottom, b_bottom) - max(a_top, b_top)


def _word_lines(words: list[dict[str, Any]]) -> list[_ULine]:
    """Words grouped into text lines by their top, each line's words into chunks: words closer
    than about a character are one chunk (joined with a space when a space separated them)."""
    rows: list[list[dict[str, Any]]] = []
    for w in sorted(words, key=lambda w: (float(w["top"]), float(w["x0"]))):
        h = max(1.0, float(w["bottom"]) - float(w["top"]))
        if rows and abs(float(w["top"]) - float(rows[-1][0]["top"])) <= 0.45 * h:
            rows[-1].append(w)
        else:
            rows.append([w])
    out: list[_ULine] = []
    for ws in rows:
        ws.sort(key=lambda w: float(w["x0"]))
        chunks: list[_Chunk] = []
        for w in ws:
            text = str(w.get("text") or "").strip()
            if not text:
                continue
            x0, x1, top, bottom = float(w["x0"]), float(w["x1"]), float(w["top"]), float(w["bottom"])
            last = chunks[-1] if chunks else None
            if last is not None:
                h = max(last.h, bottom - top, 1.0)
                gap = x0 - last.x1
                if gap <= 0.8 * h:
                    sep = " " if gap > 0.15 * h else _joiner(last.text, text)
                    last.text = last.text + sep + text
                    last.x1 = max(last.x1, x1)
                    last.top, last.bottom = min(last.top, top), max(last.bottom, bottom)
                    continue
            chunks.append(_Chunk(text=text, x0=x0, x1=x1, top=top, bottom=bottom))
        if chunks:
            sizes = sorted(c.h for c in chunks)
            out.append(
                _ULine(chunks=chunks, top=min(c.top for c in chunks), bottom=max(c.bottom for c in chunks), size=sizes[len(sizes) // 2])
            )
    return out


def _is_anchor(line: _ULine) -> bool:
    """A line that reads as a table row: values after a label, or three values or more."""
    if len(line.chunks) < 2 or any(_U_LEADER.search(c.text) for c in line.chunks):
        return False
    nums = [c for c in line.chunks if c.numeric]
    return bool(nums) and (any(c.numeric for c in line.chunks[1:]) or len(nums) >= 3)


def _aligned(anchors: list[_ULine]) -> bool:
    """The cells right of the anchor lines' labels stand in shared columns (not numbers
    scattered in text)."""
    if len(anchors) < 2:
        return True
    spans: list[tuple[float, float, int]] = sorted(
        (c.x0, c.x1, i) for i, ln in enumerate(anchors) for k, c in enumerate(ln.chunks) if k > 0 or c.numeric
    )
    bands: list[tuple[float, float, set[int]]] = []
    for x0, x1, i in spans:
        if bands and x0 <= bands[-1][1] + 1.0:
            b = bands[-1]
            bands[-1] = (b[0], max(b[1], x1), b[2] | {i})
        else:
            bands.append((x0, x1, {i}))
    shared = set().union(*(b[2] for b in bands if len(b[2]) >= 2)) if bands else set()
    return len(shared) >= 2 and len(shared) * 2 >= len(anchors)


def _toc(anchors: list[_ULine]) -> bool:
    """Lines of a table of contents without leaders: heading, page number (rising)."""
    if len(anchors) < 3 or any(len(ln.chunks) != 2 or not ln.chunks[1].text.isdigit() for ln in anchors):
        return False
    pages = [int(ln.chunks[1].text) for ln in anchors]
    headed = sum(1 for ln in anchors if _HEADING_START.match(ln.chunks[0].text))
    return pages == sorted(pages) and headed * 2 >= len(anchors)


def _table_regions(lines: list[_ULine], page_width: float, continued: bool = False, top_zone: float = 0.0) -> list[list[_ULine]]:
    """Runs of lines that form an unruled table: at least two row-like lines with values in
    shared columns (or one row of three values or more under a header line), with the header,
    caption and wrapped-label lines around and between them."""
    if sum(1 for ln in lines if _is_anchor(ln)) == 0:
        return []
    left = min(ln.chunks[0].x0 for ln in lines)
    right = max(ln.chunks[-1].x1 for ln in lines)
    width = max(1.0, right - left, 0.3 * page_width)
    sizes = sorted(c.h for ln in lines for c in ln.chunks for _ in range(max(1, len(c.text))))
    body_size = sizes[len(sizes) // 2]

    def prose(ln: _ULine) -> bool:
        if len(ln.chunks) != 1:
            return False
        c = ln.chunks[0]
        return c.x1 - c.x0 >= 0.55 * width or bool(_U_LEADER.search(c.text)) or (len(c.text) > 40 and bool(_U_SENTENCE.search(c.text)))

    runs: list[list[_ULine]] = []
    for ln in lines:
        if prose(ln):
            runs.append([])
            continue
        if runs and runs[-1]:
            prev = runs[-1][-1]
            ref = sorted(x.size for x in runs[-1])[len(runs[-1]) // 2]
            if ln.top - prev.bottom <= 2.6 * max(ref, ln.size) and abs(ln.size - ref) <= 0.15 * ref:
                runs[-1].append(ln)
                continue
        runs.append([ln])
    # a section heading between two tables of the text's size ("三、收到和处理…" before a header
    # row) ends a run; a short top-level label ("三、本年度") or one beside values does not
    split: list[list[_ULine]] = []
    for run in runs:
        cur: list[_ULine] = []
        for k, ln in enumerate(run):
            t = ln.chunks[0].text
            if (
                cur
                and len(ln.chunks) == 1
                and len(t) >= 8
                and _U_TOP_ORDINAL.match(t)
                and k + 1 < len(run)
                and not _is_anchor(run[k + 1])
            ):
                split.append(cur)
                cur = []
            cur.append(ln)
        split.append(cur)
    runs = split
    out: list[list[_ULine]] = []
    for run in runs:
        idx = [i for i, ln in enumerate(run) if _is_anchor(ln)]
        if not idx:
            continue
        anchors = [run[i] for i in idx]
        multi = [ln for ln in run if len(ln.chunks) >= 2 and not _is_anchor(ln)]
        # the rest of the previous page's table: the first rows on the page (a running header aside)
        rest = continued and all(ln.bottom < top_zone for ln in lines[: lines.index(run[0])])
        if len(anchors) < 2 and not rest and not (multi and sum(c.numeric for c in anchors[0].chunks) >= 3):
            continue
        if not _aligned(anchors) or _toc(anchors):
            continue
        size = anchors[0].size
        # table text smaller than the page's body text: every line of that size around is the table's
        distinct = size < 0.95 * body_size
        core = run[idx[0] : idx[-1] + 1]
        gaps = sorted(b.top - a.bottom for a, b in zip(core, core[1:], strict=False)) or [size]
        max_gap = max(2.0 * gaps[len(gaps) // 2], 0.8 * size)

        starts = [c.x0 for ln in core for c in ln.chunks]

        def edge_ok(
            ln: _ULine,
            gap: float,
            outer: _ULine | None,
            distinct: bool = distinct,
            max_gap: float = max_gap,
            starts: list[float] = starts,
            size: float = size,
        ) -> bool:
            """A line before or after the rows (header, caption, a note or signature row): in the
            table's font when that differs from the body text's, else short, of the rows' size,
            not a heading, and starting at one of their columns or with a header line (cells in
            columns) beyond it."""
            if len(ln.chunks) >= 2:
                return True
            c = ln.chunks[0]
            if _U_CAPTION.match(c.text) or (distinct and abs(ln.size - size) <= 0.05 * size):
                return True
            return (
                gap <= max_gap
                and abs(ln.size - size) <= 0.05 * size
                and (any(abs(c.x0 - x) <= 1.5 for x in starts) or (outer is not None and len(outer.chunks) >= 2))
                and len(c.text) <= 40
                and not _U_TOP_ORDINAL.match(c.text)
                and not _U_SENTENCE.search(c.text)
            )

        start, end = idx[0], idx[-1]
        while start > 0 and edge_ok(run[start - 1], run[start].top - run[start - 1].bottom, run[start - 2] if start > 1 else None):
            start -= 1
        while end + 1 < len(run) and edge_ok(run[end + 1], run[end + 1].top - run[end].bottom, run[end + 2] if end + 2 < len(run) else None):
            end += 1
        out.append(run[start : end + 1])
    return out


def _stack(chunks: list[_Chunk], nums: list[_Chunk]) -> list[_UBlock]:
    """Label chunks stacked into cells: a chunk right under another one (a line apart, aligned),
    when the upper one fills its column (it wrapped) and the two are not two rows with values."""
    starts = sorted({round(c.x0, 1) for c in chunks} | {round(c.x0, 1) for c in nums})
    everything = chunks + nums
    right = max(c.x1 for c in everything)
    blocks: list[_UBlock] = []

    value_ys = sorted(n.cy for n in nums)

    def has_values(top: float, bottom: float) -> bool:
        k = bisect.bisect_left(value_ys, top)
        return k < len(value_ys) and value_ys[k] <= bottom

    def beside_label(c: _Chunk) -> bool:
        """Another label right of it on its line: ``c`` is part of a merged label over rows."""
        return any(o.x0 > c.x1 and _vover(o.top, o.bottom, c.top, c.bottom) > 0 for o in chunks)

    active: list[_UBlock] = []  # blocks whose last line may still continue
    for c in sorted(chunks, key=lambda c: (c.top, c.x0)):
        target = None
        active = [b for b in active if b.parts[-1].bottom >= c.top - 2.0 * max(c.h, b.h)]
        if not _HEADING_START.match(c.text):
            for b in reversed(active):
                last = b.parts[-1]
                h = max(last.h, c.h)
                if c.top <= last.top + 0.5 * h or c.top - last.bottom > 0.8 * h:
                    continue
                if abs(c.x0 - last.x0) > 0.6 * h and abs(c.cx - last.cx) > 0.6 * h:
                    continue
                # two lines beside values: two data rows, unless both are pieces of a merged label
                # (another label right of each), which the next column's start bounds
                merged_label = False
                if has_values(last.top, last.bottom) and has_values(c.top, c.bottom):
                    if not (beside_label(last) and beside_label(c)):
                        continue
                    merged_label = True
                if not merged_label and c.x1 - c.x0 > last.x1 - last.x0 + 1.5 * h:
                    continue  # a wrapped line is no wider than the first
                valued = any(_vover(n.top, n.bottom, o.top, o.bottom) > 0 for n in nums for o in (last, c))
                if not valued:
                    # in a header the cells beside a wrapped line continue cells of the line above
                    # (else it is the next header row, under a merged header cell)
                    # (two cells or more that start there; one may be a cell centred in the row)
                    upper = [o for o in chunks if abs(o.top - last.top) <= 0.2 * h]
                    starting = [
                        o
                        for o in chunks
                        if o is not c and abs(o.top - c.top) <= 0.05 * h and not any(u.x0 < o.x1 and u.x1 > o.x0 for u in upper)
                    ]
                    if len(starting) >= 2:
                        continue
                beside = [o.x0 for o in everything if o.x0 > last.x1 - 0.5 and _vover(o.top, o.bottom, last.top, last.bottom) > 0]
                column = next((s for s in starts if s > last.x1 - 0.5), None)
                nxt = min([*beside, column]) if column is not None else (min(beside) if beside else right + h)
                if nxt - last.x1 > 2.5 * h:
                    continue
                target = b
                break
        if target is not None:
            target.add(c)
        else:
            blocks.append(_UBlock.of(c))
            active.append(blocks[-1])
    return blocks


def _rows_of(region: list[_ULine]) -> list[list[str]]:
    """The cell texts of an unruled table's rows, top to bottom.

    Values (numbers) on one line make a data row; a label cell goes to the data row it sits beside
    (a label wrapped over two lines beside values centred between them is one cell).  A label
    vertically centred over several data rows (a merged cell such as "(三)不予公开") goes to the
    first of them, as in a text table.  Rows without values (header, caption) keep their cells in
    reading order.  In a data row the label cells come first, then one cell per value column of
    its body (blank where the column is empty), trailing blanks dropped."""
    chunks = [c for ln in region for c in ln.chunks]
    nums = [c for c in chunks if c.numeric]
    labels = _stack([c for c in chunks if not c.numeric], nums)
    # data rows: values on one line
    rows: list[_URow] = []
    for n in sorted(nums, key=lambda c: (c.top, c.x0)):
        # rows are made top to bottom: a value's row is among the last ones
        near = itertools.takewhile(lambda r, n=n: r.top >= n.top - 2.0 * n.h, reversed(rows))
        row = next((r for r in near if _vover(n.top, n.bottom, r.top, r.bottom) >= 0.5 * n.h), None)
        if row is not None:
            row.blocks.append(_UBlock.of(n))
        else:
            rows.append(_URow(blocks=[_UBlock.of(n)], anchor=True, top=n.top, bottom=n.bottom))
    anchors = list(rows)
    loose: list[_UBlock] = []
    for b in labels:
        best, best_ov = None, 0.0
        for r in anchors:
            ov = _vover(b.top, b.bottom, r.top, r.bottom)
            if ov >= 0.3 * min(b.h, r.bottom - r.top) and ov > best_ov:
                best, best_ov = r, ov
        if best is not None:
            best.blocks.append(b)
        else:
            loose.append(b)
    # rows without values (headers, captions): cells whose first lines or middles are level
    # (top- and middle-aligned cells)
    parent = list(range(len(loose)))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for a in range(len(loose)):
        for b in range(a + 1, len(loose)):
            p, q = loose[a], loose[b]
            tol = 0.2 * min(p.h, q.h)
            if abs(p.top - q.top) <= tol or abs(p.cy - q.cy) <= tol:
                parent[root(b)] = root(a)
    groups: dict[int, list[_UBlock]] = {}
    for k, b in enumerate(loose):
        groups.setdefault(root(k), []).append(b)
    level = [
        _URow(blocks=g, anchor=False, top=min(b.top for b in g), bottom=max(b.bottom for b in g)) for g in groups.values()
    ]
    rows.extend(level)
    rows.sort(key=lambda r: r.top)
    # bodies: runs of data rows with single label cells between them (centred merged labels)
    bodies: list[list[int]] = []
    cur: list[int] = []
    for i, r in enumerate(rows):
        between = (
            not r.anchor
            and len(r.blocks) == 1
            and cur
            and i + 1 < len(rows)
            and rows[i + 1].anchor
        )
        if r.anchor or between:
            cur.append(i)
        else:
            if cur:
                bodies.append(cur)
            cur = []
    if cur:
        bodies.append(cur)
    in_body = {i for body in bodies for i in body}
    zone: list[int] = []
    for i in [*range(len(rows)), len(rows)]:
        if i < len(rows) and i not in in_body and not rows[i].anchor:
            zone.append(i)
        elif zone:
            _place_spanning_headers(rows, zone)
            zone = []
    xv_of: dict[int, float] = {}
    bands_of: dict[int, list[tuple[float, float]]] = {}
    for body in bodies:
        body_anchors = [rows[i] for i in body if rows[i].anchor]
        xv = min(b.x0 for r in body_anchors for b in r.blocks if b.numeric)
        area = sorted((b.x0, b.x1) for r in body_anchors for b in r.blocks if b.numeric or b.cx >= xv)
        bands: list[tuple[float, float]] = []
        for x0, x1 in area:
            if bands and x0 <= bands[-1][1] + 1.0:
                bands[-1] = (bands[-1][0], max(bands[-1][1], x1))
            else:
                bands.append((x0, x1))
        # columns a header names but no row fills
        k = body[0] - 1
        while k >= 0 and not rows[k].anchor and not any(k in bb for bb in bodies):
            for b in rows[k].blocks:
                if b.cx >= xv and not any(b.x0 <= x1 and b.x1 >= x0 for x0, x1 in bands):
                    bands.append((b.x0, b.x1))
            k -= 1
        bands.sort()
        for i in body:
            xv_of[i] = xv
            bands_of[i] = bands
        _place_group_labels(rows, body, xv)
    out: list[list[str]] = []
    for i, r in enumerate(rows):
        if not r.blocks:
            continue
        if i not in xv_of or not r.anchor:
            cells = [b.text for b in sorted(r.blocks, key=lambda b: (b.x0, b.top))]
        else:
            xv, bands = xv_of[i], bands_of[i]
            lab = sorted((b for b in r.blocks if not b.numeric and b.cx < xv), key=lambda b: (b.x0, b.top))
            slots: list[list[_UBlock]] = [[] for _ in bands]
            for b in r.blocks:
                if b.numeric or b.cx >= xv:
                    slots[_band_of(bands, b.cx)].append(b)
            vals = [" ".join(b.text for b in sorted(s, key=lambda b: b.x0)) for s in slots]
            while vals and not vals[-1]:
                vals.pop()
            cells = [b.text for b in lab] + vals
        if cells:
            out.append(cells)
    return out


def _band_of(bands: list[tuple[float, float]], x: float) -> int:
    """The index of the column band (sorted, disjoint) that holds ``x``, else the nearest one."""
    k = bisect.bisect_right([b[0] for b in bands], x)
    cands = [j for j in (k - 1, k) if 0 <= j < len(bands)]
    return min(cands, key=lambda j: 0.0 if bands[j][0] <= x <= bands[j][1] else min(abs(x - bands[j][0]), abs(x - bands[j][1])))


def _place_spanning_headers(rows: list[_URow], zone: list[int]) -> None:
    """In a run of header rows, move a cell centred over several rows (a vertically merged
    header cell such as 自然人 or 结果维持) to the first of them, as a text table writes it: the
    widest span of rows above and below it whose middle is the cell's middle and whose cells
    do not stand under it."""
    if len(zone) < 3:
        return

    mids: dict[int, float] = {}
    for k in zone:
        cys = sorted(b.cy for b in rows[k].blocks)
        mids[k] = cys[len(cys) // 2]

    def over(g: _UBlock, k: int) -> bool:
        return any(b is not g and b.x0 < g.x1 and b.x1 > g.x0 for b in rows[k].blocks)

    moves: list[tuple[_UBlock, int, int]] = []
    for pos, host in enumerate(zone):
        spanning: list[tuple[_UBlock, int]] = []
        for g in rows[host].blocks:
            tol = max(1.0, 0.3 * g.h)
            best: tuple[int, int] | None = None
            for a in range(pos - 1, -1, -1):
                if over(g, zone[a]) or over(g, host):
                    break
                for z in range(pos + 1, len(zone)):
                    if over(g, zone[z]):
                        break
                    if abs((mids[zone[a]] + mids[zone[z]]) / 2 - g.cy) <= tol and (best is None or z - a > best[1] - best[0]):
                        best = (a, z)
            if best is not None:
                spanning.append((g, zone[best[0]]))
        # a cell level with a cell of its row that spans nothing is on that row (top-aligned cells
        # of evenly spaced rows sit half-way between the rows around them too)
        fixed = [b for b in rows[host].blocks if all(b is not g for g, _ in spanning)]
        for g, first in spanning:
            if not any(abs(g.cy - b.cy) <= 0.15 * g.h or abs(g.top - b.top) <= 0.15 * g.h for b in fixed):
                moves.append((g, host, first))
    for g, host, first in moves:
        rows[host].blocks.remove(g)
        rows[first].blocks.append(g)


def _place_group_labels(rows: list[_URow], body: list[int], xv: float) -> None:
    """Move a label centred over several data rows (a vertically merged cell) to the first of
    them: a label alone between data rows, or a data row's label with another label right of it.
    Its span is the widest run of neighbouring data rows without a label of their own under it
    whose middle is the label's middle."""
    data = [i for i in body if rows[i].anchor]
    # a data row's extent: its values and its last label (not a merged label beside it)
    ext: dict[int, tuple[float, float]] = {}
    for i in data:
        own = [b for b in rows[i].blocks if b.numeric or b.cx >= xv]
        labs = [b for b in rows[i].blocks if not b.numeric and b.cx < xv]
        if labs:
            own.append(max(labs, key=lambda b: b.x0))
        ext[i] = (min(b.top for b in own), max(b.bottom for b in own))
    # only cells centred vertically leave a merged label between rows or mid-span: evidence is a
    # label alone between data rows, or a label wrapped over lines with its values centred beside
    # it (top-aligned, a merged label is on its first row already, and evenly spaced rows would
    # make any label look centred over the rows around it)
    middle = any(not rows[i].anchor for i in body)
    for i in data:
        nums = [b for b in rows[i].blocks if b.numeric]
        for b in rows[i].blocks:
            if len(b.parts) >= 2 and nums and b.cx < xv:
                vy = sum(n.cy for n in nums) / len(nums)
                first = (b.parts[0].top + b.parts[0].bottom) / 2
                if abs(vy - b.cy) <= 0.2 * b.h < abs(vy - first):
                    middle = True
    if not middle:
        return
    claims: dict[int, list[tuple[float, float]]] = {}
    cands: list[tuple[float, int, _UBlock]] = []
    for i in body:
        r = rows[i]
        labs = sorted((b for b in r.blocks if not b.numeric and b.cx < xv), key=lambda b: b.x0)
        if not r.anchor:
            cands.extend((b.cy, i, b) for b in labs)
        else:
            cands.extend((b.cy, i, b) for b in labs[:-1])
    for _cy, host, g in sorted(cands, key=lambda t: t[0]):

        def free(k: int, g: _UBlock = g) -> bool:
            r = rows[k]
            own = any(b is not g and not b.numeric and b.cx < xv and b.x0 < g.x1 and b.x1 > g.x0 for b in r.blocks)
            claimed = any(x0 < g.x1 and x1 > g.x0 for x0, x1 in claims.get(k, []))
            return not own and not claimed

        if rows[host].anchor:
            pos = data.index(host)
            lo_start, hi_start = pos, pos
        else:
            above = [k for k, i in enumerate(data) if i < host]
            if not above or len(above) == len(data):
                continue
            lo_start, hi_start = above[-1], above[-1] + 1
            if not free(data[lo_start]) or not free(data[hi_start]):
                continue
        lo = lo_start
        while lo - 1 >= 0 and free(data[lo - 1]):
            lo -= 1
        hi = hi_start
        while hi + 1 < len(data) and free(data[hi + 1]):
            hi += 1
        tol = max(1.0, 0.3 * g.h)
        best: tuple[int, int] | None = None
        for a in range(lo, lo_start + 1):
            for b in range(hi_start, hi + 1):
                mid = (ext[data[a]][0] + ext[data[b]][1]) / 2
                if abs(mid - g.cy) <= tol and (best is None or b - a > best[1] - best[0]):
                    best = (a, b)
        if best is None:
            if rows[host].anchor:
                claims.setdefault(host, []).append((g.x0, g.x1))
            continue
        first = data[best[0]]
        for k in range(best[0], best[1] + 1):
            claims.setdefault(data[k], []).append((g.x0, g.x1))
        if first != host:
            rows[host].blocks.remove(g)
            rows[first].blocks.append(g)


def _unruled_tables(
    page: Any, words: list[dict[str, Any]], continued: bool = False, tail: list[list[str]] | None = None
) -> list[tuple[tuple[float, float, float, float], list[list[str]]]]:
    """Tables drawn without ruling lines on a page: (bounding box, rows of cell texts) each.
    ``continued``: the previous page ended with a table, so rows at the top of this page may be
    its last ones (a single row is enough there).  ``tail`` receives the cells of the lines that
    end the page when they could be the first rows of a table continued on the next page (a
    caption, header lines: cells in columns, no values), one row per line."""
    lines = _word_lines(words)
    height = float(page.height or 842)
    body = [ln for ln in lines if not (_PAGE_NO.match(ln.text) and (ln.top > height * 0.85 or ln.bottom < height * 0.12))]
    out = []
    if any(_is_anchor(ln) for ln in body):
        for region in _table_regions(body, float(page.width or 595), continued, height * 0.1):
            rows = _rows_of(region)
            if not rows:
                continue
            chunks = [c for ln in region for c in ln.chunks]
            box = (min(c.x0 for c in chunks) - 0.5, min(c.top for c in chunks) - 0.5, max(c.x1 for c in chunks) + 0.5, max(c.bottom for c in chunks) + 0.5)
            out.append((box, rows))
    if tail is not None:
        end = max((b[3] for b, _r in out), default=-1.0)
        k = len(body)
        while k > 0 and body[k - 1].top > end:
            ln = body[k - 1]
            header = len(ln.chunks) >= 2 and not _is_anchor(ln) and not any(c.numeric for c in ln.chunks)
            if not (header or (len(ln.chunks) == 1 and _U_CAPTION.match(ln.chunks[0].text))):
                break
            if k < len(body) and body[k].top - ln.bottom > 2.6 * ln.size:
                break
            k -= 1
        tail[:] = [[c.text for c in ln.chunks] for ln in body[k:]]
    return out


def _ends_with_unruled(items: list[_Line | _Table], height: float) -> bool:
    """The page's last item, running footer lines aside, is an unruled table."""
    k = len(items)
    while k > 0 and isinstance(items[k - 1], _Line) and items[k - 1].top > height * 0.9:
        k -= 1
    return k > 0 and isinstance(items[k - 1], _Table) and items[k - 1].unruled


def _tails_to_next_page(collected: list[tuple[int, list[_Line | _Table], float]], tails: dict[int, list[list[str]]]) -> None:
    """The lines that end a page (a sub-table caption such as "第二十条第(九)项", header lines)
    above an unruled table that is the first thing on the next page are that table's first rows
    (a ruled table has them in its box): they become a table, which the assembler joins with the
    next page's.  Nothing changes when the next page does not start with an unruled table."""
    for k in range(len(collected) - 1):
        no, items, _h = collected[k]
        rows_text = tails.get(no) or []
        nxt = collected[k + 1][1]
        n = len(rows_text)
        if not n or not nxt or not (isinstance(nxt[0], _Table) and nxt[0].unruled) or len(items) < n:
            continue
        lines = items[-n:]
        if not all(isinstance(it, _Line) for it in lines):
            continue
        rows = [
            Row(cells=tuple(Cell(text=t, line=ln.line, column=j + 1) for j, t in enumerate(texts)), line=ln.line, page=no)
            for ln, texts in zip(lines, rows_text, strict=True)
            if isinstance(ln, _Line)
        ]
        items[-n:] = [_Table(rows=rows, top=lines[0].top, bottom=lines[-1].bottom, ncols=max(len(t) for t in rows_text), unruled=True)]


@dataclass(slots=True)
class _UnruledTable:
    bbox: tuple[float, float, float, float]
    cells: list[list[str]]

    def grid(self, first_line: int, page_no: int) -> tuple[list[Row], int]:
        """Rows as the ruled path gives them: one line per row, cells at grid columns 1.. (no
        merges: a label another row's label sits under is written once, on its first row)."""
        src = [
            SrcRow(cells=[SrcCell(text=t, line=first_line + r) for t in texts], line=first_line + r, page=page_no)
            for r, texts in enumerate(self.cells)
        ]
        return expand(src), max((len(t) for t in self.cells), default=1)


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
        self.table_unruled = False
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
                # an unruled table's column count depends on the rows on the page: any unruled
                # table first on the page continues one that ended the previous page
                if self.table is not None and idx == 0 and (it.ncols == self.table[2] or (it.unruled and self.table_unruled)):
                    rows = list(it.rows)
                    prev_rows = self.table[1]
                    k = 0
                    while k < len(rows) and k < len(prev_rows) and _row_texts(rows[k]) == _row_texts(prev_rows[k]) and any(_row_texts(rows[k])):
                        k += 1
                    prev_rows.extend(rows[k:])
                    continue
                self._flush_table()
                self.table = (page_no, list(it.rows), it.ncols)
                self.table_unruled = it.unruled
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


# where the pages' characters and paths come from: "pdfium" (read.pdfium_objects; a page it does
# not cover exactly is read by pdfminer) or "pdfminer" (pdfplumber's own parse, for every page)
PAGE_OBJECTS = "pdfium"


def read_pdf(path: Path, name: str) -> Document:
    import pdfplumber

    from xxgk_lint.read import pdfium_objects

    started = time.monotonic()
    try:
        pdf = pdfplumber.open(str(path))
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many unrelated types
        raise _open_error(exc) from None
    fast = None
    try:
        fast = pdfium_objects.open_document(str(path)) if PAGE_OBJECTS == "pdfium" else None
        return _read_pages(pdf, fast, name, started)
    finally:
        pdfium_objects.close_document(fast)


def _read_pages(pdf: Any, fast: Any, name: str, started: float) -> Document:
    from xxgk_lint.read import pdfium_objects

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
        tails: dict[int, list[list[str]]] = {}  # page -> cells of lines that may start a table
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
                continued = bool(collected) and _ends_with_unruled(collected[-1][1], collected[-1][2])
                objects = pdfium_objects.page_objects(fast, no - 1, page) if fast is not None else None
                if objects is not None:
                    pdfium_objects.use_objects(page, objects)
                items = _page_items(page, no, stats, imaged, continued, tails)
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
        _tails_to_next_page(collected, tails)
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
