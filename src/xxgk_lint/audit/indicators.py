"""Audit indicators (实质公开率, 复议纠错率, 诉讼纠错率, on-time rate, reconciliation-error share).

The definitions are data (``grammars/indicators.yaml``); this module reads them, pulls the cells
they name out of a parsed Report (in the worker), and computes per-report values and pooled group
values with exact :class:`~decimal.Decimal` arithmetic.  A group's ratio is the sum of its reports'
numerators over the sum of their denominators, never the mean of the reports' rates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from xxgk_lint.data import data_path
from xxgk_lint.parse.model import Report

DEFAULT_MIN_CASES = 30


@dataclass(frozen=True, slots=True)
class Term:
    sign: int  # +1 or -1
    ref: str  # table.row.column

    @property
    def parts(self) -> tuple[str, str, str]:
        table, row, col = self.ref.split(".", 2)
        return table, row, col


@dataclass(frozen=True, slots=True)
class Indicator:
    id: str
    name: Mapping[str, str]
    type: str  # ratio | share
    numerator: tuple[Term, ...] = ()
    denominator: tuple[Term, ...] = ()
    count_if: Mapping[str, Any] = field(default_factory=dict)
    doc: Mapping[str, str] = field(default_factory=dict)
    higher_is_better: bool = True

    def label(self, lang: str) -> str:
        return self.name.get(lang) or self.name.get("zh") or self.id

    def text(self, lang: str) -> str:
        return self.doc.get(lang) or self.doc.get("zh") or ""


@dataclass(frozen=True, slots=True)
class IndicatorSet:
    indicators: tuple[Indicator, ...]
    min_cases: int = DEFAULT_MIN_CASES

    def refs(self) -> tuple[str, ...]:
        out: list[str] = []
        for ind in self.indicators:
            for t in (*ind.numerator, *ind.denominator):
                if t.ref not in out:
                    out.append(t.ref)
        return tuple(out)


class IndicatorFileError(ValueError):
    pass


def _terms(values: Any, where: str) -> tuple[Term, ...]:
    if not isinstance(values, list) or not values:
        raise IndicatorFileError(f"{where}: expected a non-empty list of cell names")
    out = []
    for v in values:
        s = str(v).strip()
        sign = -1 if s.startswith("-") else 1
        ref = s.lstrip("+-").strip()
        if ref.count(".") != 2:
            raise IndicatorFileError(f"{where}: '{s}' is not table.row.column")
        out.append(Term(sign, ref))
    return tuple(out)


def parse_indicators(data: Any, source: str = "indicators.yaml") -> IndicatorSet:
    if not isinstance(data, dict) or not isinstance(data.get("indicators"), list):
        raise IndicatorFileError(f"{source}: expected a mapping with an 'indicators' list")
    out = []
    for i, raw in enumerate(data["indicators"]):
        where = f"{source}: indicators[{i}]"
        if not isinstance(raw, dict) or "id" not in raw:
            raise IndicatorFileError(f"{where}: expected a mapping with an id")
        kind = raw.get("type", "ratio")
        if kind == "ratio":
            ind = Indicator(
                id=str(raw["id"]),
                name=dict(raw.get("name") or {}),
                type="ratio",
                numerator=_terms(raw.get("numerator"), where + ".numerator"),
                denominator=_terms(raw.get("denominator"), where + ".denominator"),
                doc=dict(raw.get("doc") or {}),
                higher_is_better=bool(raw.get("higher_is_better", True)),
            )
        elif kind == "share":
            cond = raw.get("count_if")
            if not isinstance(cond, dict) or not cond:
                raise IndicatorFileError(f"{where}: a share needs count_if")
            ind = Indicator(
                id=str(raw["id"]),
                name=dict(raw.get("name") or {}),
                type="share",
                count_if=dict(cond),
                doc=dict(raw.get("doc") or {}),
                higher_is_better=bool(raw.get("higher_is_better", True)),
            )
        else:
            raise IndicatorFileError(f"{where}: unknown type '{kind}' (ratio or share)")
        out.append(ind)
    return IndicatorSet(tuple(out), int(data.get("min_cases", DEFAULT_MIN_CASES)))


def load_indicators(path: str | Path | None = None) -> IndicatorSet:
    if path is None:
        return builtin_indicators()
    with open(path, encoding="utf-8") as fh:
        return parse_indicators(yaml.safe_load(fh), str(path))


@cache
def builtin_indicators() -> IndicatorSet:
    p = data_path("grammars", "indicators.yaml")
    with open(p, encoding="utf-8") as fh:
        return parse_indicators(yaml.safe_load(fh), "grammars/indicators.yaml")


# --- per report -----------------------------------------------------------------------------------


def extract_cells(report: Report | None, refs: Iterable[str]) -> dict[str, str | None]:
    """The named cells' values as exact decimal strings (blank and "/" count as 0; unreadable = None)."""
    out: dict[str, str | None] = {}
    for ref in refs:
        value: Decimal | None = None
        if report is not None:
            table, row, col = ref.split(".", 2)
            tm = report.tables.get(table)
            if tm is not None:
                value = tm.cell(row, col).arithmetic_value()
        out[ref] = None if value is None else str(value)
    return out


def _sum(terms: Iterable[Term], cells: Mapping[str, str | None]) -> Decimal | None:
    total = Decimal(0)
    for t in terms:
        raw = cells.get(t.ref)
        if raw is None:
            return None
        total += t.sign * Decimal(raw)
    return total


def matches(cond: Mapping[str, Any], rec: Mapping[str, Any]) -> bool | None:
    """A share's condition on one audit record; None when it cannot be decided for the report."""
    if "on_time" in cond:
        got = rec.get("on_time")
        return None if got is None else bool(got) == bool(cond["on_time"])
    if "rule_prefix" in cond:
        if not rec.get("parsed"):
            return None
        prefix = str(cond["rule_prefix"])
        sev = cond.get("severity")
        return any(str(f["rule"]).startswith(prefix) and (sev is None or f["severity"] == sev) for f in rec.get("active", ()))
    return None


def report_parts(ind: Indicator, rec: Mapping[str, Any]) -> tuple[Decimal, Decimal] | None:
    """(numerator, denominator) of one report, or None when the report cannot contribute."""
    if ind.type == "ratio":
        cells = rec.get("cells") or {}
        num, den = _sum(ind.numerator, cells), _sum(ind.denominator, cells)
        if num is None or den is None or den <= 0 or num < 0:
            return None
        return num, den
    got = matches(ind.count_if, rec)
    if got is None:
        return None
    return Decimal(1 if got else 0), Decimal(1)


def ratio(num: Decimal, den: Decimal) -> Decimal | None:
    if den <= 0:
        return None
    with localcontext() as ctx:
        ctx.prec = 28
        return num / den


def fmt_pct(value: Decimal | None, places: int = 2) -> str:
    """0.52 -> '52%', 1/3 -> '33.33%', None -> ''."""
    if value is None:
        return ""
    with localcontext() as ctx:
        ctx.prec = 28
        pct = (value * 100).quantize(Decimal(1).scaleb(-places))
    s = format(pct, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s + "%"


def fmt_ratio(value: Decimal | None) -> str:
    """An exact-ish decimal for CSV: at most 6 places, trailing zeros dropped."""
    if value is None:
        return ""
    with localcontext() as ctx:
        ctx.prec = 28
        s = format(value.quantize(Decimal("0.000001")), "f")
    return s.rstrip("0").rstrip(".") if "." in s else s


def report_values(iset: IndicatorSet, rec: Mapping[str, Any]) -> dict[str, Decimal | None]:
    out: dict[str, Decimal | None] = {}
    for ind in iset.indicators:
        parts = report_parts(ind, rec)
        out[ind.id] = None if parts is None else ratio(*parts)
    return out


# --- groups ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class Pool:
    num: Decimal = Decimal(0)
    den: Decimal = Decimal(0)
    reports: int = 0

    def add(self, parts: tuple[Decimal, Decimal]) -> None:
        self.num += parts[0]
        self.den += parts[1]
        self.reports += 1

    @property
    def value(self) -> Decimal | None:
        return ratio(self.num, self.den)


class Aggregator:
    """Pools per indicator for the whole audit and per group (region, kind, agency)."""

    GROUPINGS = ("region", "kind", "agency")

    def __init__(self, iset: IndicatorSet) -> None:
        self.iset = iset
        self.total: dict[str, Pool] = {i.id: Pool() for i in iset.indicators}
        self.groups: dict[str, dict[str, dict[str, Pool]]] = {g: {} for g in self.GROUPINGS}

    def add(self, rec: Mapping[str, Any]) -> None:
        for ind in self.iset.indicators:
            parts = report_parts(ind, rec)
            if parts is None:
                continue
            self.total[ind.id].add(parts)
            for g in self.GROUPINGS:
                name = rec.get(g) or ""
                pools = self.groups[g].setdefault(str(name), {})
                pools.setdefault(ind.id, Pool()).add(parts)

    def rankings(self, grouping: str, min_cases: int) -> dict[str, list[dict[str, Any]]]:
        """Per indicator, the groups with at least ``min_cases`` cases, best first."""
        out: dict[str, list[dict[str, Any]]] = {}
        for ind in self.iset.indicators:
            rows = []
            for name, pools in self.groups[grouping].items():
                pool = pools.get(ind.id)
                if not name or pool is None or pool.den < min_cases or pool.value is None:
                    continue
                rows.append({"group": name, "value": pool.value, "num": pool.num, "den": pool.den, "reports": pool.reports})
            rows.sort(key=lambda r: (-r["value"] if ind.higher_is_better else r["value"], r["group"]))
            for i, r in enumerate(rows, 1):
                r["rank"] = i
            out[ind.id] = rows
        return out

    def table(self, grouping: str, min_cases: int) -> list[dict[str, Any]]:
        """One row per group: each indicator's value, numerator, denominator and whether it is ranked."""
        rows = []
        for name in sorted(self.groups[grouping]):
            pools = self.groups[grouping][name]
            cells = {}
            for ind in self.iset.indicators:
                pool = pools.get(ind.id, Pool())
                cells[ind.id] = {
                    "value": pool.value,
                    "num": pool.num,
                    "den": pool.den,
                    "reports": pool.reports,
                    "ranked": pool.den >= min_cases and pool.value is not None,
                }
            rows.append({"group": name, "cells": cells})
        return rows


def to_jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return fmt_ratio(value) if value != value.to_integral_value() else str(int(value))
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    return value
