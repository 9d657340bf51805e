"""What year-over-year comparison works on and produces.

:class:`Snapshot` is the part of one linted report that comparison needs - its cells, its sections'
prose with source positions, its year and agency - small, immutable and picklable, so an audit of
many reports can keep one per report (or ship it between processes) instead of whole documents.
:func:`snapshot` takes it from a :class:`~xxgk_lint.pipeline.FileResult`.

:class:`Comparison` is the result of comparing two snapshots (``compare.continuity.compare``): the
cell table, the section table with copied passages, the continuity findings and notes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from xxgk_lint.check.findings import Finding, _jsonable
from xxgk_lint.compare.similarity import Normalised, normalise
from xxgk_lint.parse.model import MISSING, CellValue, Report
from xxgk_lint.parse.textnorm import norm
from xxgk_lint.read.document import Document

Cell = tuple[str, str, str]  # (table, row, column) template keys
WHOLE = "*"  # pseudo-ordinal of the whole report's prose


@dataclass(frozen=True)
class SectionText:
    """A section's prose (tables left out) as written, with where each paragraph starts."""

    ordinal: str  # template ordinal 一…六, or WHOLE
    key: str
    title: str  # the template's title
    heading: str | None  # the heading line as written
    line: int | None
    text: str  # paragraphs joined with "\n"
    # (offset in text, source line, source column of that offset) per paragraph, ascending
    starts: tuple[tuple[int, int, int], ...] = ()
    page_of: tuple[int | None, ...] = ()

    @cached_property
    def normalised(self) -> Normalised:
        return normalise(self.text)

    def position(self, offset: int) -> tuple[int | None, int | None]:
        """(source line, column) of a character offset in ``text``."""
        if not self.starts:
            return None, None
        lo, hi = 0, len(self.starts) - 1
        while lo < hi:  # last paragraph starting at or before offset
            mid = (lo + hi + 1) // 2
            if self.starts[mid][0] <= offset:
                lo = mid
            else:
                hi = mid - 1
        start, line, col = self.starts[lo]
        return line, col + (offset - start)

    def __getstate__(self) -> dict[str, Any]:  # the cached normalisation is not pickled
        return {k: v for k, v in self.__dict__.items() if k != "normalised"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)


@dataclass(frozen=True)
class Snapshot:
    path: str
    format: str
    template: str | None
    report_year: int | None
    agency: str | None
    agency_line: int | None
    cells: dict[Cell, CellValue]
    # source row text per (page, line), the context shown with a cell finding
    rows: dict[tuple[int | None, int], str]
    sections: dict[str, SectionText]  # by ordinal; WHOLE = every paragraph of the report
    table_lines: dict[str, int] = field(default_factory=dict)
    row_lines: dict[tuple[str, str], int] = field(default_factory=dict)

    def cell(self, table: str, row: str, col: str) -> CellValue:
        return self.cells.get((table, row, col), MISSING)

    def row_context(self, cv: CellValue) -> str:
        if cv.line is None:
            return ""
        return self.rows.get((cv.page, cv.line), "")

    def document(self) -> Document:
        """An empty stand-in for the engine's ``to_finding`` (hits always carry their context)."""
        return Document(path=self.path, format=self.format)


def _heading_cut(text: str, title: str) -> int:
    """Where the prose starts in a heading line ("一、总体情况。本年……" -> after the title)."""
    i = text.find(title)
    if i < 0:
        return len(text)
    j = i + len(title)
    while j < len(text) and text[j] in "。.:：;；,， \t":
        j += 1
    return j


def _section_text(doc: Document, indexes: list[int], ordinal: str, key: str, title: str, heading: Any) -> SectionText:
    parts: list[str] = []
    starts: list[tuple[int, int, int]] = []
    pages: list[int | None] = []
    offset = 0
    for n, i in enumerate(indexes):
        block = doc.blocks[i]
        if block.kind != "paragraph":
            continue
        text, col = block.text, 1
        if n == 0 and heading is not None and block.line == heading.line:
            cut = _heading_cut(text, heading.title)
            text, col = text[cut:], 1 + cut
            if not text.strip():
                continue
        for k, piece in enumerate(text.split("\n")):
            if parts:
                offset += 1  # the "\n" joining paragraphs
            starts.append((offset, block.line + k, col if k == 0 else 1))
            pages.append(block.page)
            parts.append(piece)
            offset += len(piece)
    return SectionText(
        ordinal=ordinal,
        key=key,
        title=title,
        heading=heading.text if heading is not None else None,
        line=heading.line if heading is not None else (doc.blocks[indexes[0]].line if indexes else None),
        text="\n".join(parts),
        starts=tuple(starts),
        page_of=tuple(pages),
    )


def _agency_line(report: Report) -> int | None:
    if not report.agency:
        return None
    want = norm(report.agency)
    for line, text in reversed(report.paragraphs):  # the signature first, then the title
        if want in norm(text):
            return line
    return None


def snapshot(result: Any, sections: Iterable[str] | None = None) -> Snapshot:
    """The comparison-relevant part of a FileResult (or a Snapshot, returned as is).

    ``sections``: the ordinals whose prose to keep (default: every section and the whole report, for
    ``compare``).  An audit that only runs the continuity rules can keep ("一", "五") - the sections
    the copy rules read - and so hold about half as much per report.
    """
    if isinstance(result, Snapshot):
        return result
    keep = None if sections is None else set(sections)
    report: Report | None = result.report
    doc: Document | None = result.doc
    path = str(result.path)
    if report is None or doc is None:
        return Snapshot(path, doc.format if doc else "", None, None, None, None, {}, {}, {})
    cells: dict[Cell, CellValue] = {}
    row_lines: dict[tuple[str, str], int] = {}
    for tkey, table in report.tables.items():
        for (rk, ck), cv in table.cells.items():
            cells[(tkey, rk, ck)] = cv
        for rk, line in table.row_lines.items():
            row_lines[(tkey, rk)] = line
    rows: dict[tuple[int | None, int], str] = {}
    for block in doc.blocks:
        if block.kind == "table":
            for row in block.rows:
                rows[(row.page if row.page is not None else block.page, row.line)] = " | ".join(
                    c.text for c in row.cells if not c.spanned or c.line != row.line
                )
    # a cell's page is None in text formats: index those rows by line alone as well
    for (_page, line), text in list(rows.items()):
        rows.setdefault((None, line), text)
    texts: dict[str, SectionText] = {}
    for ordinal, sec in report.sections.items():
        if keep is None or ordinal in keep:
            texts[ordinal] = _section_text(doc, sec.block_indexes, ordinal, sec.key, sec.title_expected, sec.heading)
    if keep is None or WHOLE in keep:
        texts[WHOLE] = _section_text(doc, list(range(len(doc.blocks))), WHOLE, "report", "", None)
    return Snapshot(
        path=path,
        format=doc.format,
        template=report.template,
        report_year=report.report_year,
        agency=report.agency,
        agency_line=_agency_line(report),
        cells=cells,
        rows=rows,
        sections=texts,
        table_lines={k: t.line for k, t in report.tables.items()},
        row_lines=row_lines,
    )


# --------------------------------------------------------------------------------------- results


def num(d: Decimal | None) -> Any:
    """A Decimal for output: int when integral, else its plain string."""
    if d is None:
        return None
    return int(d) if d == d.to_integral_value() else format(d.normalize(), "f")


@dataclass(slots=True)
class Side:
    """One side of a cell-table row: the cells (summed when several), their value and source."""

    cells: tuple[Cell, ...]
    value: Decimal | None
    raw: str
    status: str  # number | blank | slash | … | missing | sum | none (no counterpart)
    line: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "cells": [".".join(c) for c in self.cells],
            "value": num(self.value),
            "raw": self.raw,
            "status": self.status,
            "line": self.line,
        }


@dataclass(slots=True)
class CellRow:
    table: str
    cell: str  # row.col of THIS side (LAST side when THIS has none)
    label: str  # "row label · column label"
    last: Side
    this: Side
    how: str  # identical | renamed | sum | none
    note: str = ""

    @property
    def change(self) -> Decimal | None:
        if self.last.value is None or self.this.value is None:
            return None
        return self.this.value - self.last.value

    @property
    def counterpart(self) -> bool:
        return self.how != "none"

    def to_json(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "cell": self.cell,
            "label": self.label,
            "last": self.last.to_json(),
            "this": self.this.to_json(),
            "change": num(self.change),
            "how": self.how,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class Passage:
    """A run of prose found in both years, as written this year (and where it was last year)."""

    chars: int  # normalised length
    text: str  # this year's source text of the run
    this_lines: tuple[int | None, int | None]
    last_lines: tuple[int | None, int | None]
    this_column: int | None = None
    last_text: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "chars": self.chars,
            "text": self.text,
            "this_lines": list(self.this_lines),
            "last_lines": list(self.last_lines),
            "this_column": self.this_column,
            "last_text": self.last_text,
        }


@dataclass(slots=True)
class SectionDiff:
    ordinal: str
    title: str
    status: str  # added | removed | unchanged | reworded
    last_heading: str | None
    this_heading: str | None
    heading_changed: bool
    last_line: int | None
    this_line: int | None
    score: Any = None  # similarity.Score | None
    passages: list[Passage] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "ordinal": self.ordinal,
            "title": self.title,
            "status": self.status,
            "last_heading": self.last_heading,
            "this_heading": self.this_heading,
            "heading_changed": self.heading_changed,
            "last_line": self.last_line,
            "this_line": self.this_line,
            "similarity": self.score.to_json() if self.score is not None else None,
            "passages": [p.to_json() for p in self.passages],
        }


@dataclass(slots=True)
class Comparison:
    last: Snapshot
    this: Snapshot
    mapping: str  # id of the mapping used: identity, a grammars/mappings file, or "none"
    consecutive: bool | None  # None = a year is unknown
    cells: list[CellRow]
    sections: list[SectionDiff]
    findings: list[Finding]
    notes: list[str] = field(default_factory=list)

    @property
    def only_last(self) -> list[CellRow]:
        return [c for c in self.cells if not c.this.cells]

    @property
    def only_this(self) -> list[CellRow]:
        return [c for c in self.cells if not c.last.cells]

    def counts(self) -> dict[str, int]:
        out = {"errors": 0, "warnings": 0, "infos": 0}
        for f in self.findings:
            out[{"error": "errors", "warning": "warnings", "info": "infos"}[f.severity]] += 1
        return out

    def to_json(self) -> dict[str, Any]:
        def side(s: Snapshot) -> dict[str, Any]:
            return {"path": s.path, "report_year": s.report_year, "agency": s.agency, "template": s.template}

        findings = []
        for f in self.findings:
            d = f.to_json()
            for k in ("last", "passages", "similarity"):
                if k in f.extra:
                    d[k] = _jsonable(f.extra[k])
            findings.append(d)
        return {
            "last": side(self.last),
            "this": side(self.this),
            "mapping": self.mapping,
            "consecutive": self.consecutive,
            "cells": [c.to_json() for c in self.cells if c.counterpart],
            "no_counterpart": {
                "last": [{"table": c.table, "cell": c.cell, "label": c.label, "note": c.note} for c in self.only_last],
                "this": [{"table": c.table, "cell": c.cell, "label": c.label, "note": c.note} for c in self.only_this],
            },
            "sections": [s.to_json() for s in self.sections],
            "findings": findings,
            "notes": self.notes,
            "summary": self.counts(),
        }
