"""The reader stage's output: a Document of blocks with source positions.

Every reader (txt/md, html, docx, pdf) produces the same shape, so every later stage is
format-agnostic.  Positions are 1-based.  For text formats ``line`` is the source line; for
docx it is the paragraph number; for PDF it is the line on ``page``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["paragraph", "table"]


@dataclass(frozen=True, slots=True)
class Cell:
    """One table cell as written in the source (text is stripped, never interpreted here)."""

    text: str
    line: int
    column: int | None = None
    # how many grid columns / rows the source cell spans (HTML colspan/rowspan, docx gridSpan)
    colspan: int = 1
    rowspan: int = 1
    # True for the copies a merged cell leaves in the grid positions it covers
    spanned: bool = False
    # for a spanned copy: the 1-based grid column of the origin cell (whose line is ``line``)
    origin_column: int | None = None


# A frozen dataclass's __init__ sets each field through object.__setattr__; the slots' own
# descriptors do the same job for about 40% less (readers make a Cell per table cell).
_SET_CELL = tuple(Cell.__dict__[f].__set__ for f in ("text", "line", "column", "colspan", "rowspan", "spanned", "origin_column"))


def plain_cell(text: str, line: int, column: int | None) -> Cell:
    """``Cell(text, line, column)`` (no span), built without the dataclass __init__."""
    st, sl, sc, scs, srs, ssp, sor = _SET_CELL
    c = object.__new__(Cell)
    st(c, text)
    sl(c, line)
    sc(c, column)
    scs(c, 1)
    srs(c, 1)
    ssp(c, False)
    sor(c, None)
    return c


@dataclass(frozen=True, slots=True)
class Row:
    cells: tuple[Cell, ...]
    line: int
    # True when the reader saw empty trailing cells that a scrape collapsed ("| 9 | 9 | |||||")
    collapsed_blanks: int = 0
    # PDF: the page of this row (a table continued across a page break has rows on two pages)
    page: int | None = None


@dataclass(frozen=True, slots=True)
class Block:
    kind: BlockKind
    line: int
    end_line: int
    text: str = ""  # paragraph text (for tables: the rows joined, for searching)
    rows: tuple[Row, ...] = ()
    page: int | None = None
    # "heading" when the source format itself marks the block as a heading (docx style, <h2>)
    role: str | None = None


@dataclass(slots=True)
class Document:
    path: str
    format: str  # txt | md | html | docx | pdf
    blocks: list[Block] = field(default_factory=list)
    encoding: str | None = None
    # page / file metadata: title, agency, published_on (YYYY-MM-DD), published_on_source, site
    meta: dict[str, str] = field(default_factory=dict)
    # raw source lines (text formats) for quoting context; may be empty for binary formats
    source_lines: list[str] = field(default_factory=list)

    def line_text(self, line: int | None) -> str | None:
        if line is None or not self.source_lines or not (1 <= line <= len(self.source_lines)):
            return None
        return self.source_lines[line - 1]


class ReadError(Exception):
    """A per-file input problem.  The CLI turns it into an ``E`` finding; it never aborts a batch."""

    def __init__(self, code: str, zh: str, en: str, *, line: int | None = None) -> None:
        super().__init__(en)
        self.code = code
        self.zh = zh
        self.en = en
        self.line = line
