"""The parse stage's output: a Report model keyed by the template's own row/column keys."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from xxgk_lint.read.document import Block

CellStatus = Literal[
    "number",  # a plain number (possibly negative, possibly decimal)
    "blank",  # empty cell
    "slash",  # "/", "-", "—", "无" used in place of a number
    "with_unit",  # a number carrying a unit inside the cell, e.g. "5234.55万元"
    "text",  # anything else: cannot be read as a number
    "missing",  # the template cell is not in the report at all
    "unplaced",  # a value exists in the row but its column is unknown (collapsed blanks)
]


@dataclass(frozen=True, slots=True)
class CellValue:
    status: CellStatus
    raw: str = ""
    value: Decimal | None = None  # numeric value in the template's unit, None when not numeric
    decimals: int = 0  # decimal places written (sets the precision interval of the value)
    unit: str | None = None
    line: int | None = None
    column: int | None = None
    page: int | None = None

    @property
    def numeric(self) -> bool:
        return self.value is not None

    def arithmetic_value(self) -> Decimal | None:
        """Value used by reconciliation: blank and slash count as zero; text/missing are unknown."""
        if self.value is not None:
            return self.value
        if self.status in ("blank", "slash"):
            return Decimal(0)
        return None


MISSING = CellValue(status="missing")

# CellValue(...) with every field given, built by setting the frozen slots directly (the table
# reader makes one per cell; the dataclass __init__ goes through object.__setattr__ per field)
_CELL_VALUE_FIELDS = ("status", "raw", "value", "decimals", "unit", "line", "column", "page")
_SET_VALUE = tuple(CellValue.__dict__[f].__set__ for f in _CELL_VALUE_FIELDS)


def cell_value(
    status: CellStatus,
    raw: str,
    value: Decimal | None,
    decimals: int,
    unit: str | None,
    line: int | None,
    column: int | None,
    page: int | None,
) -> CellValue:
    """``CellValue(status, raw, value, decimals, unit, line, column, page)``, built faster."""
    s0, s1, s2, s3, s4, s5, s6, s7 = _SET_VALUE
    c = object.__new__(CellValue)
    s0(c, status)
    s1(c, raw)
    s2(c, value)
    s3(c, decimals)
    s4(c, unit)
    s5(c, line)
    s6(c, column)
    s7(c, page)
    return c


@dataclass(slots=True)
class LabelMatch:
    """A row or column label as written, matched to a template key."""

    key: str
    found: str
    expected: str
    exact: bool
    line: int | None = None
    column: int | None = None


@dataclass(slots=True)
class TableModel:
    key: str  # active | requests | reviews | stats
    line: int
    end_line: int
    page: int | None = None
    cells: dict[tuple[str, str], CellValue] = field(default_factory=dict)
    rows_found: dict[str, LabelMatch] = field(default_factory=dict)
    cols_found: dict[str, LabelMatch] = field(default_factory=dict)
    # label text that could not be matched to any template row
    unknown_rows: list[LabelMatch] = field(default_factory=list)
    # row keys whose values could not all be placed in columns (collapsed blanks)
    unplaced_rows: dict[str, list[CellValue]] = field(default_factory=dict)
    # per-row source line, for pointing at rows that lack cells
    row_lines: dict[str, int] = field(default_factory=dict)
    # sub-table (第二十条第(X)项) captions found, for table 二
    groups_found: dict[str, LabelMatch] = field(default_factory=dict)
    # rows with more values than the format's columns (parse.tables.OverfullRow), the extra values
    # not placed in ``cells``; kept so the T110 check need not read the tables again
    overfull: list[Any] = field(default_factory=list)

    def cell(self, row: str, col: str) -> CellValue:
        return self.cells.get((row, col), MISSING)


@dataclass(slots=True)
class Heading:
    level: int  # 1 = 一、  2 = (一)  3 = 1.
    ordinal: str  # as written: 一 / (一) / 1
    number: int
    title: str  # text after the ordinal, up to the first sentence break
    text: str  # full line
    line: int
    page: int | None = None


@dataclass(slots=True)
class Section:
    ordinal: str  # template ordinal 一…六 the section was matched to
    key: str  # template section key
    heading: Heading | None
    title_expected: str
    title_ok: bool
    line: int
    end_line: int
    block_indexes: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Mention:
    """A quantity written in the narrative, with its sentence."""

    value: Decimal
    unit: str | None
    text: str
    sentence: str
    line: int
    column: int | None = None
    approx: str | None = None
    section: str | None = None


@dataclass(slots=True)
class Report:
    path: str
    format: str
    template: str | None  # gov-2019 | gov-2021 | pre-2019 | None (unknown)
    template_reason: str = ""
    encoding: str | None = None
    title: str | None = None
    report_year: int | None = None
    agency: str | None = None
    kind: Literal["department", "government"] | None = None
    published_on: date | None = None
    published_on_source: str | None = None
    signature_date: date | None = None
    signature_line: int | None = None
    page_date: date | None = None  # the page's own publish date (HTML metadata), if any
    title_year: int | None = None
    headings: list[Heading] = field(default_factory=list)
    sections: dict[str, Section] = field(default_factory=dict)  # by template ordinal
    tables: dict[str, TableModel] = field(default_factory=dict)
    mentions: list[Mention] = field(default_factory=list)
    paragraphs: list[tuple[int, str]] = field(default_factory=list)  # (line, text)
    notes: list[str] = field(default_factory=list)
    # the blocks the outline was built on (the Document's, with flattened tables recovered);
    # Section.block_indexes index into this list
    blocks: list[Block] = field(default_factory=list)
    # flattened tables: rows recovered from text (table key -> lines), and lines that could not be split
    recovered_rows: dict[str, list[int]] = field(default_factory=dict)
    ambiguous_rows: list[tuple[int, str, str]] = field(default_factory=list)
    # values derived from the report that several checks share (the narrative's sentences and part
    # groups, ...), computed once per report by the check kinds; not part of the model's data
    _cache: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)
