"""Check kinds for table reconciliation (T2xx): relations written in the rule language (expr.lark)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from xxgk_lint.check.context import CheckContext, Hit
from xxgk_lint.check.expr import compile_relation, evaluate_doubtful
from xxgk_lint.check.kinds import check
from xxgk_lint.parse.model import MISSING, CellValue
from xxgk_lint.parse.template import Template


class ReportCells:
    """The expression language's CellSource over a parsed report and its template."""

    def __init__(self, report: Any, template: Template) -> None:
        # the report's tables, not the report: this object is kept in the report's own _cache, and
        # a reference back to the report would make every report a reference cycle, left for the
        # cycle collector to find (~1 500 objects a report) instead of freed when it is done with
        self.tables: dict[str, Any] = report.tables if report is not None else {}
        self.template = template
        self._keys: dict[tuple[str, str, str | None], list[str]] = {}  # template keys by (rows|cols, table, group)
        self.read_memo: dict[Any, Any] = {}  # the evaluator's per-cell intervals (a parsed report does not change)
        self.int_memo: dict[Any, Any] = {}  # the same cells as exact whole numbers, or None (expr.evaluate_doubtful)

    def cell(self, table: str, row: str, col: str) -> CellValue:
        t = self.tables.get(table)
        return t.cell(row, col) if t is not None else MISSING

    def rows(self, table: str, group: str | None = None) -> list[str]:
        keys = self._keys.get(("rows", table, group))
        if keys is None:
            spec = self.template.tables.get(table)
            keys = self._keys[("rows", table, group)] = (
                [r.key for r in spec.all_rows() if group is None or r.group == group or r.parent == group] if spec else []
            )
        return list(keys)

    def cols(self, table: str, group: str | None = None) -> list[str]:
        keys = self._keys.get(("cols", table, group))
        if keys is None:
            keys = self._keys[("cols", table, group)] = self._cols(table, group)
        return list(keys)

    def _cols(self, table: str, group: str | None) -> list[str]:
        spec = self.template.tables.get(table)
        if spec is None:
            return []
        cols = list(spec.columns) or [c for st in spec.subtables for c in st.columns]
        seen: dict[str, None] = {}
        for c in cols:
            if group is None or c.group == group:
                seen.setdefault(c.key, None)
        return list(seen)


def report_cells(ctx: CheckContext) -> ReportCells:
    """The report's :class:`ReportCells`, one per report (its key lists are shared by every relation)."""
    assert ctx.template is not None
    cached = ctx.report._cache.get("relations.cells")
    if cached is None or cached.template is not ctx.template or cached.tables is not ctx.report.tables:
        cached = ctx.report._cache["relations.cells"] = ReportCells(ctx.report, ctx.template)
    return cached  # type: ignore[no-any-return]


def _num(d: Decimal | None) -> Any:
    if d is None:
        return None
    return int(d) if d == d.to_integral_value() else format(d.normalize(), "f")


def _side(iv: Any) -> Any:
    """A comparison side for a finding: its number when exact, else the interval as text."""
    if iv is None:
        return None
    return _num(iv.point) if iv.is_exact else str(iv)


def _label(ctx: CheckContext, table: str, kind: str, key: str) -> str:
    spec = ctx.template.tables.get(table) if ctx.template else None
    if spec is None:
        return key
    if kind == "row":
        r = spec.row(key)
        return r.label if r else key
    c = spec.column(None, key)
    return c.label if c else key


# the message a failed comparison uses, by its operator as seen from the target cell: a rule may word
# "the target must not exceed …" (at_most) apart from "the target should be …" (its message)
_BOUND_MESSAGES = {"<=": "at_most", "<": "below", ">=": "at_least", ">": "above"}
_BOUND_SIGNS = {"at_most": "≤", "below": "<", "at_least": "≥", "above": ">"}
_FLIPPED = {"<=": ">=", "<": ">", ">=": "<=", ">": "<", "=": "=", "!=": "!="}


def _message_for(rule: Any, out: Any) -> str | None:
    op = out.op
    if op is None or out.target is None:
        return None
    if out.target_side == "right":
        op = _FLIPPED.get(op, op)
    name = _BOUND_MESSAGES.get(op)
    return name if name in rule.messages else None


def _may_be_negative(ctx: CheckContext, cell: tuple[str, str, str]) -> bool:
    """Whether a cell may hold a negative value (a 本年增/减 column); counts and amounts may not."""
    spec = ctx.template.tables.get(cell[0]) if ctx.template else None
    if spec is None:
        return True
    col = spec.column(spec.row(cell[1]), cell[2])
    return col is None or col.kind == "delta"


def _cells_text(ctx: CheckContext, source: ReportCells, cells: list[tuple[str, str, str]]) -> str:
    """The cells a relation read with their values: ``一、本年新收… 9; (七)总计 11`` (the column is
    named too when they are in several columns)."""
    several = len({(t, c) for t, _r, c in cells}) > 1
    out: list[str] = []
    for table, row, col in cells[:8]:
        name = _label(ctx, table, "row", row)
        if several:
            name = f"{name}·{_label(ctx, table, 'col', col)}"
        cv = source.cell(table, row, col)
        v = cv.arithmetic_value()
        out.append(f"{name} {_num(v) if v is not None else (cv.raw or '?')}")
    return "; ".join(out) + ("…" if len(cells) > 8 else "")


@check("relation")
def relation(ctx: CheckContext, rule: Any) -> Iterator[Hit]:
    """params.assert: the relation; failures are hits, unknown instantiations one info hit."""
    if ctx.template is None:
        return
    asserts = rule.params["assert"]
    for src in asserts if isinstance(asserts, list) else [asserts]:
        yield from _relation(ctx, rule, str(src))


def _relation(ctx: CheckContext, rule: Any, src: str) -> Iterator[Hit]:
    assert ctx.template is not None
    rel = compile_relation(src)
    tables = set(rel.tables)
    if not tables <= set(ctx.report.tables):
        return  # a missing table is T001's business, not a reconciliation failure
    source = report_cells(ctx)
    unknown: list[Any] = []
    for out in evaluate_doubtful(rel, source):  # the passing instantiations are never needed here
        if out.status == "unknown":
            unknown.append(out)
            continue
        if out.status != "fail":
            continue
        values: dict[str, Any] = {"relation": out.text}
        for var, key in out.bindings.items():
            kind = "col" if key in source.cols(next(iter(tables))) else "row"
            values[var] = _label(ctx, next(iter(tables)), kind, key)
        target = out.target
        cell_value = source.cell(*target) if target else None
        line = cell_value.line if cell_value is not None and cell_value.line else None
        anchor = target or (out.cells[0] if out.cells else None)
        if line is None and anchor is not None:
            t = ctx.report.tables.get(anchor[0])
            line = t.row_lines.get(anchor[1]) if t else None
        table_key = target[0] if target else next(iter(tables))
        spec = ctx.template.tables.get(table_key)
        expected = _num(out.expected) if out.expected is not None else _side(out.rhs)
        actual = _num(out.actual) if out.actual is not None else _side(out.lhs)
        message = _message_for(rule, out)
        values.update(
            {
                "lhs": "?" if out.lhs is None else _side(out.lhs),
                "rhs": "?" if out.rhs is None else _side(out.rhs),
                "cells": _cells_text(ctx, source, out.cells),
            }
        )
        if target is not None and out.expected is not None and out.expected < 0 and not _may_be_negative(ctx, target):
            # the other cells would make this one negative: they disagree among themselves, and
            # no value of this cell is a fix to suggest
            expected = None
            message = "conflict"
        bound = expected
        if message in _BOUND_SIGNS and expected is not None:
            # the finding's expected side is a bound, not a value to write in the cell
            bound = f"{_BOUND_SIGNS[message]}{expected}"
        values.update(
            {
                "expected": "?" if expected is None else expected,
                "actual": "?" if actual is None else actual,
                "cell_row": _label(ctx, table_key, "row", target[1]) if target else "",
                "cell_col": _label(ctx, table_key, "col", target[2]) if target else "",
            }
        )
        yield Hit(
            values=values,
            line=line,
            column=cell_value.column if cell_value is not None else None,
            page=cell_value.page if cell_value is not None else None,
            section=spec.section if spec else None,
            table=table_key,
            cell=f"{target[1]}.{target[2]}" if target else (f"{anchor[1]}.{anchor[2]}" if anchor else None),
            expected=bound,
            actual=actual,
            subject=out.text,
            message=message if message in rule.messages else None,
        )
    if unknown and rule.params.get("report_unknown", True):
        first_table = next(iter(tables))
        cols = source.cols(first_table)
        keys = [
            "/".join(_label(ctx, first_table, "col" if k in cols else "row", k) for k in u.bindings.values())
            for u in unknown
        ]
        cells = sorted({".".join(c[1:]) for u in unknown for c in u.unknown})
        spec = ctx.template.tables.get(first_table)
        t = ctx.report.tables.get(first_table)
        yield Hit(
            values={
                "relation": unknown[0].text if len(unknown) == 1 else rule.text("summary", ctx.lang),
                "count": len(unknown),
                "which": "、".join(keys[:8]) + ("…" if len(keys) > 8 else ""),
                "cells": "、".join(cells[:6]) + ("…" if len(cells) > 6 else ""),
            },
            line=t.line if t else None,
            section=spec.section if spec else None,
            table=first_table,
            severity="info",
            message="unknown",
            actual=cells[:20],
            subject=f"unknown:{rule.code}",
            context="",
        )


@check("unplaced_row_sum")
def unplaced_row_sum(ctx: CheckContext, rule: Any) -> Iterator[Hit]:
    """A collapsed row: its columns are unknown but its values must still add up to its 总计."""
    if ctx.template is None:
        return
    for spec in ctx.template.tables.values():
        table = ctx.report.tables.get(spec.key)
        if table is None:
            continue
        for rk, vals in table.unplaced_rows.items():
            total = table.cell(rk, "total")
            if total.status == "unplaced" or len(vals) < 2:
                continue
            parts = [v.arithmetic_value() for v in vals[:-1]]
            tv = total.arithmetic_value()
            if tv is None or any(p is None for p in parts):
                continue
            s = sum(parts, Decimal(0))  # type: ignore[arg-type]
            if s == tv:
                continue
            r = spec.row(rk)
            yield Hit(
                values={
                    "row": r.label if r else rk,
                    "expected": _num(s),
                    "actual": _num(tv),
                    "parts": " + ".join(v.raw for v in vals[:-1]),
                },
                line=total.line,
                column=total.column,
                section=spec.section,
                table=spec.key,
                cell=f"{rk}.total",
                expected=_num(s),
                actual=_num(tv),
                subject=rk,
            )
