"""Planning autofixes: which cells to rewrite, from what, to what.  Pure: no I/O.

What is fixed (``check --fix``):

* a **derivable total** that disagrees with its parts - each row's 总计 from its applicant columns
  (T203), table 四's 总计 of each group from its four results (T204) and (七)总计 of every column from
  the result rows (T202).  The relations are the rule files' own (``rules/reconcile.yaml``), evaluated
  with :mod:`xxgk_lint.check.expr`; a failing instantiation names the cell to fix and its value.
* with ``unsafe`` (``--fix-unsafe``) first: ``/`` (and ``-``, ``无`` …) or a blank where the template
  wants a count becomes ``0`` (the T101/T102 warnings).  This is a guess about what the author meant,
  hence the separate switch.

What is never done: a total is only recomputed when the total itself and **every** part are plain
numbers in known columns.  A part that is text ("见附件"), a number with a unit, unplaced (a scrape
collapsed the row's blanks) or - without ``unsafe`` - ``/`` or blank makes that total unfixable, since
recomputing it from unknown parts would invent data.  No cell of a collapsed row is zero-filled.

Order: zeros first (so that the totals see them), then row totals, then column totals; the passes are
repeated until nothing changes (a column total's row is itself a row).  A cell that two relations
want to set to different values (contradictory data) is left alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from xxgk_lint.parse.model import CellValue

if TYPE_CHECKING:
    from xxgk_lint.check.expr import Relation
    from xxgk_lint.parse.model import Report, TableModel
    from xxgk_lint.parse.template import TableSpec, Template
    from xxgk_lint.read.document import Document

# the relations whose target is a derivable total, in the order they are applied
TOTAL_RULES: tuple[str, ...] = ("T203", "T204", "T202")
ZERO_KINDS = frozenset({"count", "delta"})
MAX_PASSES = 4

CellKey = tuple[str, str, str]  # (table, row, col)


@dataclass(frozen=True, slots=True)
class Edit:
    """One cell rewrite.  ``line``/``column`` are the reader's positions (docx: paragraph/row ordinal
    and grid column); ``old`` is the cell's text as read (``""`` for a blank cell); ``cell`` is
    ``table.row.col`` with the template's keys; ``rule`` the code(s) that motivated it."""

    path: str
    line: int
    column: int
    old: str
    new: str
    rule: str
    cell: str
    label: str = field(default="", compare=False)  # e.g. 三 · (一)予以公开 · 总计 (table ordinal, row, column)

    def describe(self, lang: str = "zh") -> str:
        blank = "(空白)" if lang == "zh" else "(blank)"
        old = self.old if self.old.strip() else blank
        where = (" 表" if lang != "en" else " table ") + self.label if self.label else ""
        return f"{self.path}:{self.line}:{self.column}: {old} → {self.new}  [{self.rule}]{where}"


@dataclass(slots=True)
class _Change:
    key: CellKey
    line: int
    column: int
    old: str
    value: Decimal
    rules: list[str]


class _Overlay:
    """A CellSource over the report with planned values laid on top."""

    def __init__(self, report: Report, template: Template) -> None:
        from xxgk_lint.check.kinds_relations import ReportCells

        self.base = ReportCells(report, template)
        self.values: dict[CellKey, CellValue] = {}

    def cell(self, table: str, row: str, col: str) -> CellValue:
        v = self.values.get((table, row, col))
        return v if v is not None else self.base.cell(table, row, col)

    def rows(self, table: str, group: str | None = None) -> list[str]:
        return self.base.rows(table, group)

    def cols(self, table: str, group: str | None = None) -> list[str]:
        return self.base.cols(table, group)

    def set(self, key: CellKey, value: Decimal, line: int, column: int) -> None:
        self.values[key] = CellValue(status="number", raw=_fmt(value), value=value, decimals=0, line=line, column=column)


def _fmt(d: Decimal) -> str:
    if d == d.to_integral_value():
        return str(int(d))
    return format(d.normalize(), "f")


def _relations(template: Template, code: str) -> list[Relation]:
    from xxgk_lint.check.expr import compile_relation
    from xxgk_lint.check.rules import builtin_rules

    out: list[Relation] = []
    for rule in builtin_rules():
        if rule.code != code or rule.check != "relation" or not rule.applies_to(template.id):
            continue
        asserts = rule.params.get("assert")
        for src in asserts if isinstance(asserts, list) else [asserts]:
            if src:
                out.append(compile_relation(str(src)))
    return out


def _plain_integer(cv: CellValue) -> bool:
    return cv.status == "number" and cv.value is not None and cv.decimals == 0 and cv.value == cv.value.to_integral_value()


def _label(template: Template, key: CellKey) -> str:
    table, row, col = key
    spec = template.tables.get(table)
    if spec is None:
        return ".".join(key)
    r = spec.row(row)
    c = spec.column(r, col)
    ordinal = spec.section
    return f"{ordinal} · {r.label if r else row} · {c.label if c else col}"


def _row_cells(doc: Document, line: int) -> Sequence[object] | None:
    for b in doc.blocks:
        if b.kind != "table" or not (b.line <= line <= b.end_line):
            continue
        for r in b.rows:
            if r.line == line:
                return r.cells
    return None


def _blank_position(doc: Document, table: TableModel, spec: TableSpec, row: str, col: str) -> tuple[int, int] | None:
    """Where a blank cell that the parser could not give a column is (a row of blanks only)."""
    found = table.rows_found.get(row)
    rspec = spec.row(row)
    if found is None or rspec is None or found.line is None or found.column is None:
        return None
    cells = _row_cells(doc, found.line)
    if cells is None:
        return None
    cols = spec.columns_for(rspec)
    idx = next((i for i, c in enumerate(cells) if getattr(c, "column", None) == found.column and not getattr(c, "spanned", False)), None)
    if idx is None:
        return None
    after = [c for c in cells[idx + 1 :] if not getattr(c, "spanned", False)]
    if len(after) < len(cols) or any(getattr(c, "text", "x").strip() for c in after[: len(cols)]):
        return None
    j = next((k for k, c in enumerate(cols) if c.key == col), None)
    if j is None:
        return None
    cell = after[j]
    line, column = getattr(cell, "line", None), getattr(cell, "column", None)
    return (line, column) if line is not None and column is not None else None


def _zero_pass(report: Report, doc: Document, template: Template, overlay: _Overlay, changes: dict[CellKey, _Change]) -> None:
    for tkey, spec in template.tables.items():
        table = report.tables.get(tkey)
        if table is None:
            continue
        for rk, ck in spec.cell_keys():
            cv = table.cells.get((rk, ck))
            if cv is None or cv.status not in ("blank", "slash") or rk in table.unplaced_rows:
                continue  # (a row whose cells lost their columns is never edited)
            cspec = spec.column(spec.row(rk), ck)
            if cspec is None or cspec.kind not in ZERO_KINDS:
                continue
            pos: tuple[int, int] | None = (cv.line, cv.column) if cv.line is not None and cv.column is not None else None
            if pos is None and cv.status == "blank":
                pos = _blank_position(doc, table, spec, rk, ck)
            if pos is None:
                continue
            key = (tkey, rk, ck)
            overlay.set(key, Decimal(0), *pos)
            changes[key] = _Change(key, pos[0], pos[1], cv.raw, Decimal(0), ["T101" if cv.status == "slash" else "T102"])


def _total_pass(code: str, rels: list[Relation], overlay: _Overlay, changes: dict[CellKey, _Change]) -> bool:
    from xxgk_lint.check.expr import evaluate

    changed = False
    for rel in rels:
        for out in evaluate(rel, overlay):
            if out.status != "fail" or out.op != "=" or out.target is None or out.expected is None:
                continue
            if out.rhs is None or out.lhs is None or not (out.rhs.is_exact and out.lhs.is_exact):
                continue
            target = out.target
            tv = overlay.cell(*target)
            if not _plain_integer(tv) or tv.line is None or tv.column is None:
                continue
            parts = [c for c in out.cells if c != target]
            if not parts or not all(_plain_integer(overlay.cell(*c)) for c in parts):
                continue
            value = out.expected
            if value != value.to_integral_value() or value < 0:
                continue
            if tv.value == value:
                continue
            ch = changes.get(target)
            if ch is None:
                ch = _Change(target, tv.line, tv.column, tv.raw, value, [])
                changes[target] = ch
            ch.value = value
            if code not in ch.rules:
                ch.rules.append(code)
            overlay.set(target, value, tv.line, tv.column)
            changed = True
    return changed


def plan_fixes(report: Report, doc: Document, template: Template | None, unsafe: bool = False) -> list[Edit]:
    """The edits that make the report's derivable totals agree with their parts (see module doc).

    Edits are in document order; each cell appears at most once (with its original text as ``old``
    and its final value as ``new``); no-op edits are dropped.
    """
    if template is None or report.template not in (None, template.id):
        return []
    overlay = _Overlay(report, template)
    changes: dict[CellKey, _Change] = {}
    if unsafe:
        _zero_pass(report, doc, template, overlay, changes)
    zeros = set(changes)
    rels = {code: _relations(template, code) for code in TOTAL_RULES}
    converged = False
    for _ in range(MAX_PASSES):
        changed = False
        for code in TOTAL_RULES:
            changed |= _total_pass(code, rels[code], overlay, changes)
        if not changed:
            converged = True
            break
    if not converged:
        _drop_conflicts(rels, overlay, changes, zeros)
    edits: list[Edit] = []
    for ch in changes.values():
        new = _fmt(ch.value)
        if new == ch.old.strip():
            continue
        edits.append(
            Edit(
                path=report.path,
                line=ch.line,
                column=ch.column,
                old=ch.old,
                new=new,
                rule=",".join(ch.rules),
                cell=".".join(ch.key),
                label=_label(template, ch.key),
            )
        )
    edits.sort(key=lambda e: (e.line, e.column))
    return edits


def _drop_conflicts(rels: dict[str, list[Relation]], overlay: _Overlay, changes: dict[CellKey, _Change], zeros: set[CellKey]) -> None:
    """Contradictory data: relations kept overriding each other.  Undo every total edit that a
    still-failing relation touches (zero fills stay)."""
    from xxgk_lint.check.expr import evaluate

    bad: set[CellKey] = set()
    for code in TOTAL_RULES:
        for rel in rels[code]:
            for out in evaluate(rel, overlay):
                if out.status == "fail":
                    bad.update(c for c in out.cells if c in changes)
    for key in bad:
        if key in zeros:
            changes[key].value = Decimal(0)
            changes[key].rules = changes[key].rules[:1]
        else:
            del changes[key]
