"""Year over year: continuity findings (X1xx) and the full comparison of two reports.

Pure functions over :class:`~xxgk_lint.compare.model.Snapshot` (a FileResult is accepted and
snapshotted):

* :func:`continuity_findings` - the X rules (rules/continuity.yaml) for one agency's consecutive years;
  the audit calls it for each pair from :func:`consecutive_pairs`.
* :func:`compare` - everything ``xxgk-lint compare`` shows: cells, sections, passages, findings.
* :func:`normalise_agency` - the key agencies are matched by; :func:`agency_groups` groups an
  audit's reports by agency and year.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from xxgk_lint.check.context import Hit
from xxgk_lint.check.engine import internal_error, to_finding
from xxgk_lint.check.expr import compile_relation, evaluate
from xxgk_lint.check.findings import Finding, sort_key
from xxgk_lint.check.kinds_continuity import CONTINUITY_KINDS
from xxgk_lint.check.rules import Rule, builtin_rules
from xxgk_lint.compare import mapping
from xxgk_lint.compare.model import (
    WHOLE,
    Cell,
    CellRow,
    Comparison,
    Passage,
    SectionDiff,
    SectionText,
    Side,
    Snapshot,
    num,
    snapshot,
)
from xxgk_lint.compare.similarity import MIN_PASSAGE, SHINGLE, passages, score
from xxgk_lint.parse.model import MISSING, CellValue
from xxgk_lint.parse.template import Template, TemplateError, get_template
from xxgk_lint.parse.textnorm import strip_ordinal, strip_trailing_punct

LAST_PREFIX = "last_"
# a hit and what to add to its finding's ``extra`` (what last year's report held)
HitExtra = tuple[Hit, dict[str, Any]]
ORDINALS = "一二三四五六七八九十"

# ------------------------------------------------------------------------------------ agencies

_AGENCY_DROP = re.compile(r"[\s\"'《》〈〉<>()\[\]【】{}·.,:;!?、。,:;!?·•\-—_]+")


def normalise_agency(name: str | None) -> str:
    """The key an agency is matched by across years.

    NFKC (full/half width), no whitespace, quotes, brackets or punctuation, "人民政府" read as "政府"
    (昭通市人民政府办公室 = 昭通市政府办公室).  Not a fuzzy match: a renamed agency is a different key,
    which is why an audit's manifest ids, when there are any, win over names.
    """
    if not name:
        return ""
    t = unicodedata.normalize("NFKC", name)
    t = _AGENCY_DROP.sub("", t)
    t = t.replace("人民政府", "政府")
    return t


T = TypeVar("T")


def agency_groups(
    items: Iterable[T],
    *,
    year: Callable[[T], int | None],
    agency: Callable[[T], str | None],
    manifest_id: Callable[[T], str | None] = lambda _x: None,
) -> dict[str, dict[int, T]]:
    """``{agency key: {year: item}}`` - the grouping :func:`consecutive_pairs` pairs within.

    Reports are grouped by manifest id when they have one (key ``id:ID``), else by
    :func:`normalise_agency` of their name (key ``name:NAME``); a report without an id joins the id of
    reports with the same normalised name when exactly one id has that name (ids win).  Within an agency
    and year the first item is used; items without a year, or without both id and name, are left out.
    """
    listed = list(items)
    name_to_id: dict[str, set[str]] = {}
    for x in listed:
        mid = manifest_id(x)
        if mid:
            name_to_id.setdefault(normalise_agency(agency(x)), set()).add(mid)
    groups: dict[str, dict[int, T]] = {}
    for x in listed:
        y = year(x)
        if y is None:
            continue
        mid = manifest_id(x)
        name = normalise_agency(agency(x))
        if not mid:
            ids = name_to_id.get(name)
            mid = next(iter(ids)) if ids and len(ids) == 1 and name else None
        if mid:
            key = f"id:{mid}"
        elif name:
            key = f"name:{name}"
        else:
            continue
        groups.setdefault(key, {}).setdefault(y, x)
    return groups


def consecutive_pairs(
    items: Iterable[T],
    *,
    year: Callable[[T], int | None],
    agency: Callable[[T], str | None],
    manifest_id: Callable[[T], str | None] = lambda _x: None,
) -> Iterator[tuple[str, T, T]]:
    """(agency key, last, this) for every agency's consecutive report years.

    Reports are grouped by manifest id when they have one, else by :func:`normalise_agency` of their
    name; a report without an id joins the id of reports with the same normalised name (ids win).
    Within an agency and year the first item is used.  One pass over ``items`` plus a sort per agency:
    linear in the number of reports, so it scales to a full audit.  (:func:`agency_groups` is the
    grouping.)
    """
    groups = agency_groups(items, year=year, agency=agency, manifest_id=manifest_id)
    for key in sorted(groups):
        by_year = groups[key]
        for y in sorted(by_year):
            if y - 1 in by_year:
                yield key, by_year[y - 1], by_year[y]


# ------------------------------------------------------------------------------------ the pair


@dataclass(slots=True)
class Pair:
    last: Snapshot
    this: Snapshot
    lang: str

    def t(self, zh: str, en: str) -> str:
        return en if self.lang == "en" else zh

    def last_report(self) -> str:
        y = self.last.report_year
        if y is None:
            return self.t("上年度报告", "last year's report")
        return self.t(f"上年度({y}年度)报告", f"last year's ({y}) report")


def _template(tid: str | None) -> Template | None:
    if not tid:
        return None
    try:
        return get_template(tid)
    except TemplateError:
        return None


def _sum_cells(values: Sequence[CellValue]) -> CellValue:
    """Several cells read as one (a sum side of a mapping link)."""
    if not values:
        return MISSING
    if len(values) == 1:
        return values[0]
    total = Decimal(0)
    decimals = 0
    for v in values:
        a = v.arithmetic_value()
        if a is None:
            return CellValue(status=v.status if v.status != "number" else "text", raw=v.raw, line=v.line, column=v.column, page=v.page)
        total += a
        decimals = max(decimals, v.decimals)
    first = values[0]
    return CellValue(status="number", raw="+".join(v.raw or "0" for v in values), value=total, decimals=decimals, line=first.line, page=first.page)


class PairCells:
    """The rule language's CellSource over two reports: T = this year's table, last_T = last year's
    (in this year's template keys, through the template mapping)."""

    def __init__(self, pair: Pair, tpl: Template) -> None:
        self.pair = pair
        self.tpl = tpl

    def _base(self, table: str) -> tuple[str, bool]:
        if table.startswith(LAST_PREFIX):
            return table[len(LAST_PREFIX) :], True
        return table, False

    def last_cells(self, table: str, row: str, col: str) -> tuple[Cell, ...]:
        if not self.pair.last.template or not self.pair.this.template:
            return ()
        return mapping.last_value_for((table, row, col), self.pair.last.template, self.pair.this.template) or ()

    def cell(self, table: str, row: str, col: str) -> CellValue:
        base, last = self._base(table)
        if not last:
            return self.pair.this.cell(base, row, col)
        cells = self.last_cells(base, row, col)
        return _sum_cells([self.pair.last.cell(*c) for c in cells]) if cells else MISSING

    def rows(self, table: str, group: str | None = None) -> list[str]:
        spec = self.tpl.tables.get(self._base(table)[0])
        if spec is None:
            return []
        return [r.key for r in spec.all_rows() if group is None or r.group == group or r.parent == group]

    def cols(self, table: str, group: str | None = None) -> list[str]:
        spec = self.tpl.tables.get(self._base(table)[0])
        if spec is None:
            return []
        cols = list(spec.columns) or [c for st in spec.subtables for c in st.columns]
        return list(dict.fromkeys(c.key for c in cols if group is None or c.group == group))


def _label(tpl: Template, table: str, kind: str, key: str) -> str:
    spec = tpl.tables.get(table)
    if spec is None:
        return key
    if kind == "row":
        r = spec.row(key)
        return r.label if r else key
    c = spec.column(None, key)
    return c.label if c else key


def _relation_hits(pair: Pair, rule: Rule) -> Iterator[HitExtra]:
    tpl = _template(pair.this.template)
    if tpl is None or pair.last.template is None:
        return
    source = PairCells(pair, tpl)
    asserts = rule.params["assert"]
    for src in asserts if isinstance(asserts, list) else [asserts]:
        rel = compile_relation(str(src))
        base_tables = {t[len(LAST_PREFIX) :] if t.startswith(LAST_PREFIX) else t for t in rel.tables}
        first = sorted(base_tables)[0]
        for out in evaluate(rel, source):
            if out.status != "fail":
                continue  # unknown: a missing/unreadable cell, reported by the single-report rules
            values: dict[str, Any] = {"relation": out.text, "last_report": pair.last_report()}
            for var, key in out.bindings.items():
                kind = "col" if key in source.cols(first) else "row"
                values[var] = _label(tpl, first, kind, key)
            target = out.target
            t_table, t_last = source._base(target[0]) if target else (first, False)
            cv = source.cell(*target) if target and not t_last else MISSING
            expected, actual = num(out.expected), num(out.actual)
            if expected is None and out.rhs is not None:
                expected = str(out.rhs)
            if actual is None and out.lhs is not None:
                actual = str(out.lhs)
            values.update({"expected": "?" if expected is None else expected, "actual": "?" if actual is None else actual})
            last_cells = []
            for c in out.cells:
                base, is_last = source._base(c[0])
                if is_last:
                    for lc in source.last_cells(base, c[1], c[2]):
                        lv = pair.last.cell(*lc)
                        last_cells.append({"cell": ".".join(lc), "value": num(lv.arithmetic_value()), "raw": lv.raw, "line": lv.line})
            spec = tpl.tables.get(t_table)
            line = cv.line or (pair.this.row_lines.get((t_table, target[1])) if target else None)
            hit = Hit(
                values=values,
                line=line,
                column=cv.column,
                page=cv.page,
                section=spec.section if spec else None,
                table=t_table,
                cell=f"{target[1]}.{target[2]}" if target else None,
                expected=expected,
                actual=actual,
                subject=out.text,
                context=pair.this.row_context(cv),
            )
            yield hit, {"last": {"path": pair.last.path, "report_year": pair.last.report_year, "cells": last_cells}}


def _agency_hits(pair: Pair, rule: Rule) -> Iterator[HitExtra]:
    a, b = pair.last.agency, pair.this.agency
    ka, kb = normalise_agency(a), normalise_agency(b)
    if not ka or not kb or ka == kb:
        return
    yield (
        Hit(
            values={"last_agency": a, "this_agency": b, "last_report": pair.last_report()},
            line=pair.this.agency_line,
            expected=a,
            actual=b,
            subject=f"{ka}->{kb}",
            context=b,
        ),
        {"last": {"path": pair.last.path, "report_year": pair.last.report_year, "agency": a, "line": pair.last.agency_line}},
    )


def _pct(x: float) -> str:
    return f"{x * 100:.0f}%"


def _clip(text: str, n: int = 60) -> str:
    t = " ".join(text.split())
    return t if len(t) <= n else t[: n - 1] + "…"


def _widen(text: str, start: int, stop: int) -> tuple[int, int]:
    """Take in the opening bracket/quote before a run and the closing punctuation after it."""
    while start > 0 and unicodedata.category(text[start - 1]) in ("Ps", "Pi"):
        start -= 1
    while stop < len(text) and text[stop] != "\n" and unicodedata.category(text[stop]) in ("Pe", "Pf", "Po"):
        stop += 1
    return start, stop


def section_passages(last: SectionText, this: SectionText, min_chars: int = MIN_PASSAGE) -> list[Passage]:
    """Copied passages between two sections' prose, with their source lines in both reports."""
    ln, tn = last.normalised, this.normalised
    out = []
    for m in passages(ln, tn, min_chars):
        s, e = _widen(this.text, *tn.span(m.this_start, m.this_start + m.size))
        ls, le = _widen(last.text, *ln.span(m.last_start, m.last_start + m.size))
        a_line, a_col = this.position(s)
        b_line, _ = this.position(e - 1)
        la, _ = last.position(ls)
        lb, _ = last.position(le - 1)
        out.append(
            Passage(
                chars=m.size,
                text=this.text[s:e],
                this_lines=(a_line, b_line),
                last_lines=(la, lb),
                this_column=a_col,
                last_text=last.text[ls:le],
            )
        )
    return out


def _copy_hits(pair: Pair, rule: Rule) -> Iterator[HitExtra]:
    p = rule.params
    ordinal = str(p.get("section", "五"))
    this_sec, last_sec = pair.this.sections.get(ordinal), pair.last.sections.get(ordinal)
    if this_sec is None or last_sec is None:
        return
    min_chars = int(p.get("min_chars", 40))
    tn, ln = this_sec.normalised.text, last_sec.normalised.text
    if len(tn) < min_chars or len(ln) < min_chars:
        return
    sc = score(ln, tn, int(p.get("shingle", SHINGLE)))
    value = float(getattr(sc, str(p.get("metric", "carried"))))
    threshold = float(p.get("threshold", 0.8))
    if value < threshold:
        return
    found = section_passages(last_sec, this_sec, int(p.get("passage_chars", MIN_PASSAGE)))
    longest = max(found, key=lambda x: x.chars, default=None)
    yield (
        Hit(
            values={
                "similarity": _pct(value),
                "threshold": _pct(threshold),
                "ordinal": ordinal,
                "title": this_sec.title,
                "passage": _clip(longest.text) if longest else "",
                "passage_chars": longest.chars if longest else 0,
                "last_report": pair.last_report(),
            },
            line=this_sec.line,
            section=ordinal,
            expected=f"< {_pct(threshold)}",
            actual=_pct(value),
            subject=f"copy:{ordinal}",
            context=_clip(longest.text, 120) if longest else "",
        ),
        {
            "similarity": sc.to_json(),
            "passages": [x.to_json() for x in found],
            "last": {"path": pair.last.path, "report_year": pair.last.report_year, "line": last_sec.line},
        },
    )


IMPLEMENTATIONS: dict[str, Callable[[Pair, Rule], Iterator[HitExtra]]] = {
    "continuity_relation": _relation_hits,
    "continuity_agency": _agency_hits,
    "continuity_copy": _copy_hits,
}
assert set(IMPLEMENTATIONS) == set(CONTINUITY_KINDS)


def continuity_rules(rules: Iterable[Rule] | None = None) -> list[Rule]:
    return [r for r in (builtin_rules() if rules is None else rules) if r.check in CONTINUITY_KINDS]


def is_consecutive(last: Snapshot, this: Snapshot) -> bool | None:
    if last.report_year is None or this.report_year is None:
        return None
    return this.report_year == last.report_year + 1


def continuity_findings(last: Any, this: Any, lang: str = "zh", rules: Iterable[Rule] | None = None) -> list[Finding]:
    """The X rules for last year's and this year's report of one agency (FileResult or Snapshot).

    Findings point into THIS year's report; ``Finding.extra["last"]`` says what last year's report held.
    Nothing is checked when either report could not be parsed, or when both report years are known and
    not consecutive.  ``rules``: the rules to run (default: the built-in ones); non-X rules are ignored.
    """
    a, b = snapshot(last), snapshot(this)
    if is_consecutive(a, b) is False:
        return []
    pair = Pair(a, b, lang)
    doc = b.document()
    all_rules = {r.code: r for r in builtin_rules()}
    findings: list[Finding] = []
    for rule in continuity_rules(rules):
        if not rule.applies_to(b.template):
            continue
        lt = rule.params.get("last_templates") or []
        if lt and a.template not in lt:
            continue
        try:
            for hit, extra in IMPLEMENTATIONS[rule.check](pair, rule):
                f = to_finding(rule, hit, doc, lang)
                f.extra.update(extra)
                findings.append(f)
        except Exception as exc:  # noqa: BLE001 - one failing rule must not lose the others
            findings.append(internal_error(all_rules, f"{rule.code}: {type(exc).__name__}: {exc}", lang))
    findings.sort(key=sort_key)
    return findings


# ------------------------------------------------------------------------------------ comparison


def _cell_label(tpl: Template | None, cell: Cell) -> str:
    if tpl is None:
        return ".".join(cell)
    spec = tpl.tables.get(cell[0])
    if spec is None:
        return ".".join(cell)
    row = spec.row(cell[1])
    col = spec.column(row, cell[2])
    return f"{row.label if row else cell[1]} · {col.label if col else cell[2]}"


def _side(snap: Snapshot, cells: tuple[Cell, ...]) -> Side:
    if not cells:
        return Side((), None, "", "none")
    values = [snap.cell(*c) for c in cells]
    if len(values) == 1:
        v = values[0]
        return Side(cells, v.arithmetic_value() if v.status != "missing" else None, v.raw, v.status, v.line)
    s = _sum_cells(values)
    status = "sum" if s.status == "number" else s.status
    if all(v.status == "missing" for v in values):
        status = "missing"
    return Side(cells, s.arithmetic_value() if status != "missing" else None, s.raw, status, s.line)


def compare_cells(last: Snapshot, this: Snapshot, lang: str = "zh") -> list[CellRow]:
    lt, tt = _template(last.template), _template(this.template)
    if lt is None or tt is None:
        return []
    rows = []
    for link in mapping.links(lt.id, tt.id):
        if len(link.this) == 1:
            label = _cell_label(tt, link.this[0])
        elif len(link.last) == 1:
            label = _cell_label(lt, link.last[0])
        else:
            label = " + ".join(_cell_label(tt, c) for c in link.this)
        anchor = link.this[0] if link.this else link.last[0]
        rows.append(
            CellRow(
                table=anchor[0],
                cell=f"{anchor[1]}.{anchor[2]}",
                label=label,
                last=_side(last, link.last),
                this=_side(this, link.this),
                how=link.how,
                note=link.text(lang),
            )
        )
    return rows


def _heading_key(text: str | None) -> str:
    return strip_trailing_punct(strip_ordinal(text)) if text else ""


def compare_sections(last: Snapshot, this: Snapshot, min_chars: int = MIN_PASSAGE, shingle: int = SHINGLE) -> list[SectionDiff]:
    keys = [o for o in ORDINALS if o in this.sections or o in last.sections]
    keys += [o for o in list(this.sections) + list(last.sections) if o not in keys and o != WHOLE]
    keys.append(WHOLE)
    out = []
    for o in dict.fromkeys(keys):
        a, b = last.sections.get(o), this.sections.get(o)
        if a is None and b is None:
            continue
        title = (b or a).title  # type: ignore[union-attr]
        if a is None or b is None:
            out.append(
                SectionDiff(
                    ordinal=o,
                    title=title,
                    status="added" if a is None else "removed",
                    last_heading=a.heading if a else None,
                    this_heading=b.heading if b else None,
                    heading_changed=False,
                    last_line=a.line if a else None,
                    this_line=b.line if b else None,
                )
            )
            continue
        changed = o != WHOLE and _heading_key(a.heading) != _heading_key(b.heading)
        same_text = a.normalised.text == b.normalised.text
        # a section that is only tables on both sides has no prose to compare
        sc = score(a.normalised.text, b.normalised.text, shingle) if a.normalised.text or b.normalised.text else None
        out.append(
            SectionDiff(
                ordinal=o,
                title=title,
                status="unchanged" if same_text and not changed else "reworded",
                last_heading=a.heading,
                this_heading=b.heading,
                heading_changed=changed,
                last_line=a.line,
                this_line=b.line,
                score=sc,
                passages=section_passages(a, b, min_chars) if o != WHOLE else [],
            )
        )
    return out


def compare(last: Any, this: Any, lang: str = "zh", rules: Iterable[Rule] | None = None, min_passage: int = MIN_PASSAGE) -> Comparison:
    """Everything ``xxgk-lint compare`` reports about two reports (FileResults or Snapshots)."""
    a, b = snapshot(last), snapshot(this)
    pair = Pair(a, b, lang)
    notes: list[str] = []
    consecutive = is_consecutive(a, b)
    if consecutive is False:
        notes.append(
            pair.t(
                f"两份报告的年度不相邻({a.report_year}年度 → {b.report_year}年度),未作连续性检查",
                f"the report years are not consecutive ({a.report_year} → {b.report_year}); continuity checks skipped",
            )
        )
    elif consecutive is None:
        notes.append(pair.t("未能确定报告年度,按相邻年度检查", "a report year is unknown; checked as consecutive years"))
    for s, which in ((a, pair.t("上年", "last")), (b, pair.t("本年", "this"))):
        if s.template is None:
            notes.append(pair.t(f"{which}报告的格式未能识别,未比较表格", f"the {which} report's format is not recognised; cells not compared"))
    if a.template and b.template and a.template != b.template:
        mid = mapping.mapping_id(a.template, b.template)
        notes.append(
            pair.t(
                f"两年使用不同格式({a.template} → {b.template}),单元格按对照表 {mid} 对应",
                f"the years use different formats ({a.template} → {b.template}); cells mapped by {mid}",
            )
        )
    return Comparison(
        last=a,
        this=b,
        mapping=mapping.mapping_id(a.template, b.template) if a.template and b.template else "none",
        consecutive=consecutive,
        cells=compare_cells(a, b, lang),
        sections=compare_sections(a, b, min_passage),
        findings=continuity_findings(a, b, lang, rules),
        notes=notes,
    )
