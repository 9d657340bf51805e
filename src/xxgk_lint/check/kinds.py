"""Check kinds: the generic functions a YAML rule names with ``check:``.

A kind knows *how* to look (sections present, labels, cell types…); the rule file says *what*
to look for (parameters), how severe it is and what to say.  Template facts come from the
template data, never from here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from xxgk_lint.check.context import CheckContext, CheckFn, Hit
from xxgk_lint.check.rules import fill
from xxgk_lint.parse.model import LabelMatch
from xxgk_lint.parse.outline import written_heading
from xxgk_lint.parse.template import ColumnSpec, TableSpec, cache_by_identity

CHECKS: dict[str, CheckFn] = {}


def check(name: str):  # type: ignore[no-untyped-def]
    def deco(fn: CheckFn) -> CheckFn:
        CHECKS[name] = fn
        return fn

    return deco


def _first_line(ctx: CheckContext) -> int | None:
    return ctx.doc.blocks[0].line if ctx.doc.blocks else None


# ----------------------------------------------------------------------------------- sections


@check("required_sections")
def required_sections(ctx: CheckContext, rule: Any) -> Iterator[Hit]:
    tpl = ctx.template
    if tpl is None:
        return
    found = ctx.report.sections
    for spec in tpl.sections:
        if not spec.required or spec.ordinal in found:
            continue
        # where it should have been: after the previous section found, else the document start
        prev = [
            s for s in found.values() if tpl.sections.index(tpl.section(s.ordinal)) < tpl.sections.index(spec)
        ]  # type: ignore[arg-type]
        line = max((s.end_line for s in prev), default=None) or _first_line(ctx)
        yield Hit(
            values={"ordinal": spec.ordinal, "title": spec.title},
            line=line,
            section=spec.ordinal,
            expected=f"{spec.ordinal}、{spec.title}",
            actual=None,
            subject=spec.key,
            context="",
        )


@check("section_order")
def section_order(ctx: CheckContext, rule: Any) -> Iterator[Hit]:
    tpl = ctx.template
    if tpl is None:
        return
    order = [s.ordinal for s in tpl.sections]
    # document order: block order (PDF line numbers restart on every page)
    found = sorted(
        ctx.report.sections.values(), key=lambda s: s.block_indexes[0] if s.block_indexes else s.line
    )
    seen_max = -1
    for s in found:
        idx = order.index(s.ordinal)
        if idx < seen_max:
            yield Hit(
                values={"ordinal": s.ordinal, "title": s.title_expected, "after": order[seen_max]},
                line=s.line,
                section=s.ordinal,
                expected=f"{s.ordinal} 在 {order[seen_max]} 之前"
                if ctx.lang == "zh"
                else f"{s.ordinal} before {order[seen_max]}",
                actual=[x.ordinal for x in found],
                subject=s.key,
            )
        seen_max = max(seen_max, idx)


@check("heading_wording")
def heading_wording(ctx: CheckContext, rule: Any) -> Iterator[Hit]:
    for s in ctx.report.sections.values():
        h = s.heading
        if h is None:
            continue
        number_ok = h.ordinal == s.ordinal
        if s.title_ok and number_ok:
            continue
        expected = f"{s.ordinal}、{s.title_expected}"
        yield Hit(
            values={"ordinal": s.ordinal, "expected": expected, "found": h.text},
            line=h.line,
            column=1,
            section=s.ordinal,
            expected=expected,
            actual=h.text,
            subject=s.key,
        )


# ------------------------------------------------------------------ width and spacing variants
# Headings and labels are matched after NFKC and with whitespace removed, so 一．总体情况 or
# “商 业 企 业” count as the template's own wording (S103/T004/T005 stay quiet); these helpers
# say what the written form has that the template's does not.


def _squash(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def _odd_forms(text: str, both_widths: str) -> list[str]:
    """Characters NFKC would change (full-width letters and digits, half-width or small forms,
    compatibility characters), in order and once each; a full-width form of one of the ASCII
    characters in ``both_widths`` (the template is stored with ASCII punctuation, reports write
    either: “(” or “\uff08”) is no variant."""
    if len(text) > _CACHED_FORMS_LEN:
        return list(_odd_forms_of(text, both_widths))
    return list(_odd_forms_short(text, both_widths))


_CACHED_FORMS_LEN = 200  # labels and headings (they repeat across reports) have their answer cached


def _odd_forms_of(text: str, both_widths: str) -> tuple[str, ...]:
    out: list[str] = []
    for c in text:
        if c.isspace() or c in out:
            continue
        n = unicodedata.normalize("NFKC", c)
        if n != c and n not in both_widths:
            out.append(c)
    return tuple(out)


_odd_forms_short = lru_cache(maxsize=8192)(_odd_forms_of)


def _space_names(runs: list[str], ctx: CheckContext) -> str:
    names = {
        "\u3000": ctx.t("全角空格", "ideographic space"),
        "\u00a0": ctx.t("不换行空格", "no-break space"),
    }
    found = dict.fromkeys(names.get(c, ctx.t("空格", "space")) for r in runs for c in r)
    return "、".join(found) if ctx.lang == "zh" else ", ".join(found)


def _describe(rule: Any, ctx: CheckContext, issues: list[tuple[str, dict[str, str]]]) -> str:
    """The rule's own words (params.issues) for each difference found, joined."""
    texts = rule.params.get("issues") or {}
    parts = []
    for name, values in issues:
        words = texts.get(name) or {}
        parts.append(fill(words.get(ctx.lang) or words.get("zh") or name, values))
    return ";".join(parts) if ctx.lang == "zh" else "; ".join(parts)


def _quoted(chars: list[str], ctx: CheckContext) -> str:
    return "、".join(f"“{c}”" for c in chars) if ctx.lang == "zh" else ", ".join(f"“{c}”" for c in chars)


@check("heading_punctuation")
def heading_punctuation(ctx: CheckContext, rule: Any) -> Iterator[Hit]:
    """Section headings whose wording and number are the template's (else S103 reports them) but
    that are written with another separator after the number (params.separator), with spaces, or
    with width variants of their characters."""
    sep = rule.params.get("separator", "、")
    both = rule.params.get("both_widths", "")
    for s in ctx.report.sections.values():
        h = s.heading
        if h is None or not s.title_ok or h.ordinal != s.ordinal:
            continue  # heading_wording's
        w = written_heading(h)
        if w is None:
            continue
        issues: list[tuple[str, dict[str, str]]] = []
        if w.separator != sep:
            issues.append(("separator", {"char": w.separator, "expected": sep}))
        runs = re.findall(r"\s+", w.gap + w.title)
        if runs:
            issues.append(("space", {"spaces": _space_names(runs, ctx)}))
        odd = _odd_forms(w.ordinal + w.title, both)
        if odd:
            issues.append(("width", {"chars": _quoted(odd, ctx)}))
        if not issues:
            continue
        expected = f"{s.ordinal}{sep}{s.title_expected}"
        yield Hit(
            values={
                "ordinal": s.ordinal,
                "expected": expected,
                "found": w.text,
                "what": _describe(rule, ctx, issues),
            },
            line=h.line,
            column=1,
            section=s.ordinal,
            expected=expected,
            actual=w.text,
            subject=s.key,
        )


# a label's leading ordinal as written, either width: (一) / 一、 / 1. (spaces inside allowed)
_LABEL_ORDINAL = re.compile(
    r"\s*(?:[(\uff08]\s*[一二三四五六七八九十0-9\uff10-\uff19]{1,3}\s*[)\uff09]"
    r"|[一二三四五六七八九十]{1,3}\s*[、.,\uff0e\uff0c\uff64\ufe51]"
    r"|[0-9\uff10-\uff19]{1,2}\s*[、.,\uff0e\uff0c\uff64\ufe51])"
)


def _stray_spaces(text: str, wrap_break: bool) -> list[str]:
    """The whitespace runs inside a label that are variants.  With ``wrap_break`` one run of ASCII
    whitespace splitting the label in two (本年新 公开数量) is read as the cell's line wrap: the
    readers turn a line break inside a cell into a space, and the format's narrow header cells
    wrap.  Ideographic or no-break spaces, several breaks (商 业 企 业), a break leaving a single
    character (规 章) and a space at the ordinal ((一) 予以公开) are typed."""
    runs = list(re.finditer(r"\s+", text))
    if not runs:
        return []
    if wrap_break and len(runs) == 1:
        run = runs[0]
        m = _LABEL_ORDINAL.match(text)
        at_ordinal = m is not None and run.start() <= m.end()
        lone = min(run.start(), len(text) - run.end()) < 2  # 规 章: no line holds a single character
        if run.group().isascii() and not at_ordinal and not lone:
            return []
    return [r.group() for r in runs]


def _label_variants(ctx: CheckContext, rule: Any) -> Iterator[Hit]:
    both = rule.params.get("both_widths", "")
    wrap_break = bool(rule.params.get("wrap_break", False))
    for spec in _specs(ctx):
        table = ctx.report.tables.get(spec.key)
        if table is None:
            continue
        found: list[tuple[str, str, LabelMatch]] = [
            *(("caption", k, m) for k, m in table.groups_found.items()),
            *(("row", k, m) for k, m in table.rows_found.items()),
            *(("column", k, m) for k, m in table.cols_found.items()),
        ]
        for which, key, m in found:
            if not m.exact:
                continue  # row_labels / column_labels report other wording
            raw = m.found
            issues: list[tuple[str, dict[str, str]]] = []
            runs = _stray_spaces(raw, wrap_break)
            if runs:
                issues.append(("space", {"spaces": _space_names(runs, ctx)}))
            odd = _odd_forms(raw, both)
            if odd:
                issues.append(("width", {"chars": _quoted(odd, ctx)}))
            if not issues:
                continue
            # the template's label when the written one has all of it, else the written one corrected
            # (a label written without its ordinal keeps that)
            kept = "".join(raw.split()) if runs else raw
            corrected = "".join(unicodedata.normalize("NFKC", c) if c in odd else c for c in kept)
            expected = m.expected if _squash(raw) == _squash(m.expected) else corrected
            yield Hit(
                values={"expected": expected, "found": raw, "what": _describe(rule, ctx, issues)},
                line=m.line,
                column=m.column,
                section=spec.section,
                table=spec.key,
                cell=f"*.{m.key}" if which == "column" else key,
                expected=expected,
                actual=raw,
                subject=f"{which}:{key}",
                message=None if which == "row" else which,
            )


@check("label_spacing")
def label_spacing(ctx: CheckContext, rule: Any) -> Iterator[Hit]:
    """Row, caption and column labels that match the template's exactly once width and whitespace
    are normalised, but are written with spaces or width variants."""
    return _label_variants(ctx, rule)


# ----------------------------------------------------------------------------------- tables


def _specs(ctx: CheckContext) -> list[TableSpec]:
    return list(ctx.template.tables.values()) if ctx.template else []


@check("table_present")
def table_present(ctx: CheckContext, rule: Any) -> Iterator[Hit]:
    for spec in _specs(ctx):
        if spec.key in ctx.report.tables:
            continue
        sec = ctx.report.sections.get(spec.section)
        yield Hit(
            values={"ordinal": spec.section, "title": spec.title},
            line=sec.line if sec else _first_line(ctx),
            section=spec.section,
            table=spec.key,
            expected=spec.title,
            subject=spec.key,
            context="",
        )


@check("rows_present")
def rows_present(ctx: CheckContext, rule: Any) -> Iterator[Hit]:
    for spec in _specs(ctx):
        table = ctx.report.tables.get(spec.key)
        if table is None:
            continue
        for st in spec.subtables:
            if st.key in table.groups_found:
                continue
            found = [table.rows_found[r.key] for r in st.rows if r.key in table.rows_found]
            if not found:
                yield Hit(
                    values={"label": st.caption, "table_title": spec.title},
                    line=table.line,
                    section=spec.section,
                    table=spec.key,
                    expected=st.caption,
                    subject=st.key,
                )
                continue
            # its rows are there (matched by their labels) but the caption above them is not
            first = min(found, key=lambda m: m.line or 0)
            yield Hit(
                values={"label": st.caption, "table_title": spec.title, "row": first.found},
                line=first.line,
                section=spec.section,
                table=spec.key,
                cell=st.key,
                expected=st.caption,
                subject=st.key,
                severity="warning",
                message="caption",
            )
        for r in spec.all_rows():
            if r.key in table.rows_found:
                continue
            if (
                r.subtable
                and r.subtable not in table.groups_found
                and not any(
                    x.key in table.rows_found
                    for st in spec.subtables
                    if st.key == r.subtable
                    for x in st.rows
                )
            ):
                continue  # the whole sub-table is missing: reported once above
            yield Hit(
                values={"label": r.label, "table_title": spec.title},
                line=table.line,
                section=spec.section,
                table=spec.key,
                cell=r.key,
                expected=r.label,
                subject=r.key,
            )


@check("columns_present")
def columns_present(ctx: CheckContext, rule: Any) -> Iterator[Hit]:
    for spec in _specs(ctx):
        table = ctx.report.tables.get(spec.key)
        if table is None:
            continue
        if spec.subtables:
            wanted = [
                (f"{st.key}.{c.key}", c, st.key)
                for st in spec.subtables
                if st.key in table.groups_found
                for c in st.columns
            ]
        else:
            wanted = [(c.key, c, None) for c in spec.columns]
        for key, col, _sub in wanted:
            if key in table.cols_found:
                continue
            yield Hit(
                values={"label": col.label, "table_title": spec.title},
                line=table.line,
                section=spec.section,
                table=spec.key,
                cell=f"*.{col.key}",
                expected=col.label,
                subject=key,
            )


def _label_differences(ctx: CheckContext, which: str) -> Iterator[Hit]:
    """Row (``rows_found``) or column (``cols_found``) labels that matched a template label inexactly."""
    for spec in _specs(ctx):
        table = ctx.report.tables.get(spec.key)
        if table is None:
            continue
        found = table.rows_found if which == "row" else table.cols_found
        if which == "row" and table.groups_found:
            # a sub-table caption (第二十条第(X)项) is a row of the format too
            found = {**table.groups_found, **found}
        for key, m in found.items():
            if m.exact:
                continue
            yield Hit(
                values={"expected": m.expected, "found": m.found},
                line=m.line,
                column=m.column,
                section=spec.section,
                table=spec.key,
                cell=key if which == "row" else f"*.{m.key}",
                expected=m.expected,
                actual=m.found,
                subject=key,
            )


@check("row_labels")
def row_labels(ctx: CheckContext, rule: Any) -> Iterator[Hit]:
    return _label_differences(ctx, "row")


@check("column_labels")
def column_labels(ctx: CheckContext, rule: Any) -> Iterator[Hit]:
    return _label_differences(ctx, "column")


@check("unknown_rows")
def unknown_rows(ctx: CheckContext, rule: Any) -> Iterator[Hit]:
    for spec in _specs(ctx):
        table = ctx.report.tables.get(spec.key)
        if table is None:
            continue
        for m in table.unknown_rows:
            yield Hit(
                values={"found": m.found, "table_title": spec.title},
                line=m.line,
                column=m.column,
                section=spec.section,
                table=spec.key,
                actual=m.found,
                subject=m.found,
            )


# ----------------------------------------------------------------------------------- cells


def _row_label(spec: TableSpec, key: str) -> str:
    r = spec.row(key)
    return r.label if r else key


def _col_label(spec: TableSpec, row_key: str, col_key: str) -> str:
    c = spec.column(spec.row(row_key), col_key)
    return c.label if c else col_key


@cache_by_identity
def _cell_columns(spec: TableSpec) -> dict[tuple[str, str], ColumnSpec | None]:
    """``spec.column(spec.row(rk), ck)`` for every template cell, once per spec."""
    keys = [(r.key, c.key) for r in spec.all_rows() for c in spec.columns_for(r)]
    return {(rk, ck): spec.column(spec.row(rk), ck) for rk, ck in keys}


def _cell_column(spec: TableSpec, rk: str, ck: str) -> ColumnSpec | None:
    cols = _cell_columns(spec)
    key = (rk, ck)
    return cols[key] if key in cols else spec.column(spec.row(rk), ck)


def _table_cells(ctx: CheckContext, spec: TableSpec, table: Any) -> list[tuple[str, str, Any, ColumnSpec | None]]:
    """(row key, column key, cell, template column) of every cell of a table, in order; once per
    report and table (the T1xx rules each walk them)."""
    key = f"kinds.cells:{spec.key}"
    cached = ctx.report._cache.get(key)
    if cached is not None and cached[0] is table and cached[1] is spec:
        return cached[2]  # type: ignore[no-any-return]
    out = [(rk, ck, cell, _cell_column(spec, rk, ck)) for (rk, ck), cell in table.cells.items()]
    ctx.report._cache[key] = (table, spec, out)
    return out


@check("cell_status")
def cell_status(ctx: CheckContext, rule: Any) -> Iterator[Hit]:
    """Cells whose status is one of params.statuses; one hit per table row (params.per: row|cell).

    Values of a collapsed row (positions unknown) are counted too, as "of unknown column".
    """
    statuses = set(rule.params.get("statuses", []))
    kinds = set(rule.params.get("kinds", [])) or None
    per = rule.params.get("per", "row")
    for spec in _specs(ctx):
        table = ctx.report.tables.get(spec.key)
        if table is None:
            continue
        by_row: dict[str, list[tuple[str, Any]]] = {}
        for rk, ck, cell, col in _table_cells(ctx, spec, table):
            if kinds is not None and (col is None or col.kind not in kinds):
                continue
            if cell.status in statuses:
                by_row.setdefault(rk, []).append((ck, cell))
        unknown: dict[str, list[Any]] = {}
        placed = {id(c) for c in table.cells.values()} if table.unplaced_rows else set()
        for rk, vals in table.unplaced_rows.items():
            extra = [v for v in vals if v.status in statuses and id(v) not in placed]
            if extra:
                unknown[rk] = extra
                by_row.setdefault(rk, [])
        for rk, cells in by_row.items():
            extra = unknown.get(rk, [])
            groups = [cells] if per == "row" else [[c] for c in cells]
            if per != "row" and extra and not cells:
                groups = [[]]
            for group in groups:
                raws = [c.raw for _, c in group] + (
                    [v.raw for v in extra] if per == "row" or not cells else []
                )
                first = group[0][1] if group else extra[0]
                cols = [_col_label(spec, rk, c) for c, _ in group]
                if extra and (per == "row" or not cells):
                    cols.append(ctx.t(f"另{len(extra)}个所在列未知", f"{len(extra)} of unknown column"))
                ck = group[0][0] if group else None
                expected = rule.params.get("expected")
                if first.status == "with_unit" and first.value is not None:
                    expected = str(first.value)
                yield Hit(
                    values={
                        "row": _row_label(spec, rk),
                        "columns": "、".join(cols),
                        "count": len(raws),
                        "raw": raws[0],
                        "raws": "、".join(dict.fromkeys(r or ctx.t("(空)", "(blank)") for r in raws)),
                        "unit": first.unit or "",
                    },
                    line=first.line or table.row_lines.get(rk),
                    column=first.column,
                    page=first.page,
                    section=spec.section,
                    table=spec.key,
                    cell=f"{rk}.{ck}" if ck else rk,
                    expected=expected,
                    actual=raws if len(raws) > 1 else raws[0],
                    subject=f"{rk}:" + ",".join(c for c, _ in group) if per == "row" else f"{rk}.{ck}",
                )


@check("cell_value")
def cell_value(ctx: CheckContext, rule: Any) -> Iterator[Hit]:
    """Numeric cells against their column kind: params.test = negative | fraction."""
    test = rule.params.get("test")
    kinds = set(rule.params.get("kinds", ["count"]))
    for spec in _specs(ctx):
        table = ctx.report.tables.get(spec.key)
        if table is None:
            continue
        for rk, ck, cell, col in _table_cells(ctx, spec, table):
            if col is None or col.kind not in kinds or cell.value is None:
                continue
            bad = (test == "negative" and cell.value < 0) or (
                test == "fraction" and cell.value != cell.value.to_integral_value()
            )
            if not bad:
                continue
            yield Hit(
                values={"row": _row_label(spec, rk), "column": col.label, "raw": cell.raw},
                line=cell.line,
                column=cell.column,
                page=cell.page,
                section=spec.section,
                table=spec.key,
                cell=f"{rk}.{ck}",
                expected=rule.params.get("expected"),
                actual=cell.raw,
                subject=f"{rk}.{ck}",
            )


@check("unplaced_values")
def unplaced_values(ctx: CheckContext, rule: Any) -> Iterator[Hit]:
    """One hit per table listing the rows whose values lost their columns."""
    for spec in _specs(ctx):
        table = ctx.report.tables.get(spec.key)
        if table is None or not table.unplaced_rows:
            continue
        rows = list(table.unplaced_rows)
        if spec.layout == "flat":
            ncols = len(spec.columns) * len(spec.rows)
            rows = rows[:1]
        else:
            r = spec.row(rows[0])
            ncols = len(spec.columns_for(r)) if r else len(spec.columns)
        first = rows[0]
        values = table.unplaced_rows[first]
        yield Hit(
            values={
                "table_title": spec.title,
                "rows": len(rows),
                "row": _row_label(spec, first),
                "found": len(values),
                "expected": ncols,
                "raws": " | ".join(v.raw for v in values),
            },
            line=table.row_lines.get(first),
            section=spec.section,
            table=spec.key,
            cell=first,
            expected=ncols,
            actual={k: len(v) for k, v in table.unplaced_rows.items()},
            subject=spec.key,
        )


@check("excess_values")
def excess_values(ctx: CheckContext, rule: Any) -> Iterator[Hit]:
    """Rows with more values than the format's columns: one hit per row, naming it (the parser
    keeps them on each table model, the extra values outside its cells)."""
    tpl = ctx.template
    if tpl is None or not ctx.report.tables:
        return
    for row in (r for t in ctx.report.tables.values() for r in t.overfull):
        spec = tpl.tables.get(row.table)
        if spec is None:
            continue
        label = _row_label(spec, row.row) if row.row else "、".join(r.label for r in spec.rows)
        yield Hit(
            values={
                "table_title": spec.title,
                "row": label,
                "found": row.found,
                "expected": row.expected,
                "raws": " | ".join(row.extra),
            },
            line=row.line,
            column=row.column,
            page=row.page,
            section=spec.section,
            table=spec.key,
            cell=row.row or None,
            expected=row.expected,
            actual=row.found,
            subject=row.row or spec.key,
        )


@check("input_error")
def input_error(ctx: CheckContext, rule: Any) -> Iterator[Hit]:
    """Raised by the readers (ReadError), not searched for: nothing to do over a parsed report."""
    return iter(())


# kinds defined in sibling modules register themselves on import
from xxgk_lint.check import kinds_content as _kinds_content  # noqa: E402, F401
from xxgk_lint.check import kinds_continuity as _kinds_continuity  # noqa: E402, F401
from xxgk_lint.check import kinds_dates as _kinds_dates  # noqa: E402, F401
from xxgk_lint.check import kinds_hygiene as _kinds_hygiene  # noqa: E402, F401
from xxgk_lint.check import kinds_narrative as _kinds_narrative  # noqa: E402, F401
from xxgk_lint.check import kinds_relations as _kinds_relations  # noqa: E402, F401
