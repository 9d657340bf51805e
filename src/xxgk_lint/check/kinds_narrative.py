"""Check kinds for the narrative (N1xx prose vs tables, N2xx the prose's own arithmetic).

The prose patterns, the cells they are compared with, their templates and scopes are rule data
(``rules/narrative.yaml``); this module only applies them.  Sentences, quantities and the arithmetic
a sentence states come from :mod:`xxgk_lint.parse.narrative`.

``narrative_claims`` params
---------------------------
``claims``: a list of mappings, each with

* ``id``: a short name (part of the finding's fingerprint);
* ``what``: ``{zh, en}``, what the prose states (本年新收的申请数 …);
* ``value``: the table side, a value in the relation language of :mod:`xxgk_lint.check.expr`
  (``requests.granted.total``, ``reviews.suit_direct.total + reviews.suit_after.total``,
  ``sum(requests.@denied.total)``);
* ``patterns``: regular expressions over masked sentences with exactly one ``{NUM}`` (see
  :func:`xxgk_lint.parse.narrative.compile_pattern`; ``{GAP}``/``{GAP:n}`` stay inside a clause);
* ``none_patterns``: patterns without ``{NUM}`` that say there were none (未发生…行政复议): the
  value must be 0; ignored when the clause states a number;
* ``scope``: ``exact`` (a mismatch has the claim's ``severity``, else the rule's) or ``may_differ``
  (a warning whose message gives ``reason``); ``exact_when``: a relation that, when it surely holds, makes a ``may_differ``
  claim exact (予以公开 cannot differ by carried-over requests when there were none);
* optional ``accept``: other values that are not a mismatch (收到申请 = 新收 + 结转 is a reading);
  ``units``: the unit words the number must carry; ``context`` / ``none_context``: a regex the
  sentence must contain for ``patterns`` / ``none_patterns`` to apply; ``unless``: a regex that,
  found in the matched text, drops a match (``none_unless``: found in the clause, drops a negation);
  ``skip_before``: like the rule's, for this claim only; ``templates``: limit to these templates;
  ``label``: ``{zh, en}`` naming the cells in messages; ``severity``: ``error``/``warning``/``info``
  for an exact claim's mismatch (an unambiguous claim of a warning rule can be an error); an
  approximate number or a ``may_differ`` scope makes it at most a warning.

Rule-level ``skip_before``: a regex; a claim whose clause (up to its number) matches it is about
another scope or time (全市, 各区县, 上年, 同比 …) and is not compared.  A number in a sentence whose
last year before it is not the report year is not compared either.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from xxgk_lint.check import kinds_relations  # (a module: kinds_relations imports kinds, which imports this)
from xxgk_lint.check.context import CheckContext, Hit
from xxgk_lint.check.expr import ExprError, Interval, compile_relation, evaluate
from xxgk_lint.check.kinds import check
from xxgk_lint.check.rules import RULE_CACHE_SIZE
from xxgk_lint.parse.literals import may_match, required_literals
from xxgk_lint.parse.narrative import (
    CLAUSE_DELIMS,
    NUM_GROUP,
    TOKEN_OPEN,
    PartGroup,
    Sentence,
    analyse,
    approx_bounds,
    bounds,
    compile_pattern,
    growth_checks,
    part_groups,
    prose_blocks,
    rate_checks,
)
from xxgk_lint.parse.quantities import Quantity, scan_dates
from xxgk_lint.parse.template import cache_by_identity_bounded
from xxgk_lint.read.document import Block

CONTEXT_WIDTH = 80

# --------------------------------------------------------------------------------- rule params


@dataclass(frozen=True, slots=True)
class Claim:
    id: str
    what: dict[str, str]
    value: str
    patterns: tuple[re.Pattern[str], ...]
    none_patterns: tuple[re.Pattern[str], ...]
    scope: str
    reason: dict[str, str]
    exact_when: str | None
    accept: tuple[str, ...]
    units: frozenset[str] | None
    context: re.Pattern[str] | None
    none_context: re.Pattern[str] | None
    unless: re.Pattern[str] | None
    none_unless: re.Pattern[str] | None
    skip_before: re.Pattern[str] | None
    templates: frozenset[str] | None
    label: dict[str, str] | None
    severity: str | None = None
    # strings of which a sentence must hold one for any pattern of the claim to match (None: no
    # such shortcut); see xxgk_lint.parse.literals
    needs: frozenset[str] | None = None


def _claim_needs(patterns: tuple[re.Pattern[str], ...]) -> frozenset[str] | None:
    out: set[str] = set()
    for p in patterns:
        req = required_literals(p)
        if req is None:
            return None
        out |= req
    return frozenset(out)


def _lang(value: Any) -> dict[str, str]:
    if isinstance(value, str):
        return {"zh": value, "en": value}
    if isinstance(value, dict):
        return {k: str(v) for k, v in value.items() if k in ("zh", "en")}
    return {}


def _regex(value: Any) -> re.Pattern[str] | None:
    if value in (None, ""):
        return None
    try:
        return re.compile(str(value))
    except re.error as exc:
        raise ValueError(f"bad regular expression {value!r}: {exc}") from None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def parse_claim(raw: dict[str, Any]) -> Claim:
    """One entry of ``params.claims``; raises ValueError (or ExprError) on a malformed entry."""
    if not isinstance(raw, dict):
        raise ValueError("a claim must be a mapping")
    cid = str(raw.get("id") or "")
    value = raw.get("value")
    if not cid or not isinstance(value, str):
        raise ValueError(f"claim {cid or '?'}: 'id' and 'value' are required")
    compile_relation(f"{value} = 0")  # a value of the relation language; raises ExprError
    patterns = tuple(compile_pattern(str(p)) for p in _as_list(raw.get("patterns")))
    for p, src in zip(patterns, _as_list(raw.get("patterns")), strict=True):
        if NUM_GROUP not in p.groupindex:
            raise ValueError(f"claim {cid}: pattern {src!r} has no {{NUM}}")
    nones = tuple(compile_pattern(str(p)) for p in _as_list(raw.get("none_patterns")))
    for p, src in zip(nones, _as_list(raw.get("none_patterns")), strict=True):
        if NUM_GROUP in p.groupindex:
            raise ValueError(f"claim {cid}: none_pattern {src!r} must not contain {{NUM}}")
    scope = str(raw.get("scope", "exact"))
    if scope not in ("exact", "may_differ"):
        raise ValueError(f"claim {cid}: scope must be exact or may_differ")
    exact_when = raw.get("exact_when")
    if exact_when is not None:
        compile_relation(str(exact_when))
    accept = tuple(str(a) for a in _as_list(raw.get("accept")))
    for a in accept:
        compile_relation(f"{a} = 0")
    units = raw.get("units")
    templates = raw.get("templates")
    severity = raw.get("severity")
    if severity is not None and severity not in _SEVERITIES:
        raise ValueError(f"claim {cid}: severity must be one of {', '.join(_SEVERITIES)}")
    return Claim(
        id=cid,
        what=_lang(raw.get("what")) or {"zh": cid, "en": cid},
        value=value,
        patterns=patterns,
        none_patterns=nones,
        scope=scope,
        reason=_lang(raw.get("reason")),
        exact_when=str(exact_when) if exact_when is not None else None,
        accept=accept,
        units=frozenset(map(str, units)) if units else None,
        context=_regex(raw.get("context")),
        none_context=_regex(raw.get("none_context")),
        unless=_regex(raw.get("unless")),
        none_unless=_regex(raw.get("none_unless")),
        skip_before=_regex(raw.get("skip_before")),
        templates=frozenset(map(str, templates)) if templates else None,
        label=_lang(raw.get("label")) or None,
        severity=str(severity) if severity is not None else None,
        needs=_claim_needs(patterns + nones),
    )


_SEVERITIES = ("error", "warning", "info")
_RANK = {s: i for i, s in enumerate(_SEVERITIES)}


def _claim_severity(claim: Claim, approx: bool, may_differ: bool) -> str | None:
    """The severity of a mismatch: the claim's own (``None``: the rule's) when the claim is exact and
    its number is exact; at most a warning when the number is approximate or the scope may differ."""
    if approx or may_differ:
        own = claim.severity or "warning"
        return own if _RANK[own] > _RANK["warning"] else "warning"
    return claim.severity


@cache_by_identity_bounded(RULE_CACHE_SIZE)
def claims_of(rule: Any) -> tuple[Claim, ...]:
    """The parsed claims of a rule (parsed once per rule object; rules are not hashable)."""
    return tuple(parse_claim(c) for c in _as_list(rule.params.get("claims")))


# --------------------------------------------------------------------------------- positions


def _column(ctx: CheckContext, block: Block, offset: int) -> int | None:
    src = ctx.doc.line_text(block.line) if ctx.doc.format in ("txt", "md") else None
    if src is not None:
        base = src.find(block.text)
        if base >= 0:
            return base + offset + 1
    if ctx.doc.format in ("txt", "md"):
        return offset + 1
    return None


def _context(s: Sentence, q_start: int | None) -> str:
    text = s.text.strip()
    if len(text) <= 2 * CONTEXT_WIDTH:
        return text
    lead = len(s.text) - len(s.text.lstrip())
    centre = (q_start or 0) - lead
    start = max(0, min(centre - CONTEXT_WIDTH, len(text) - 2 * CONTEXT_WIDTH))
    snippet = text[start : start + 2 * CONTEXT_WIDTH]
    return ("…" if start > 0 else "") + snippet + ("…" if start + 2 * CONTEXT_WIDTH < len(text) else "")


def _num(d: Decimal | None) -> Any:
    if d is None:
        return None
    d = d.normalize() if d != 0 else Decimal(0)
    return int(d) if d == d.to_integral_value() else format(d, "f")


_Paragraph = tuple[Block, str | None, tuple[Sentence, ...]]


def _paragraphs(ctx: CheckContext) -> list[_Paragraph]:
    """The report's prose paragraphs with their sections and sentences, computed once per report
    (every narrative rule walks them)."""
    blocks = ctx.report.blocks or ctx.doc.blocks
    sections = ctx.report.sections
    cached = ctx.report._cache.get("narrative.paragraphs")
    if cached is not None and cached[0] is blocks and cached[1] is sections:
        return cached[2]
    out = [(block, section, analyse(block.text)) for block, section in prose_blocks(blocks, sections)]
    ctx.report._cache["narrative.paragraphs"] = (blocks, sections, out)
    return out


def _part_groups(ctx: CheckContext) -> list[tuple[Block, str | None, tuple[Sentence, ...], list[PartGroup]]]:
    """:func:`part_groups` of every paragraph, computed once per report (for the N201 and N202
    rules, which read the same groups)."""
    paragraphs = _paragraphs(ctx)
    cached = ctx.report._cache.get("narrative.part_groups")
    if cached is not None and cached[0] is paragraphs:
        return cached[1]
    out = [(block, section, sentences, part_groups(sentences)) for block, section, sentences in paragraphs]
    ctx.report._cache["narrative.part_groups"] = (paragraphs, out)
    return out


# ---------------------------------------------------------------------------- N1xx: prose vs tables


class _Values:
    """Table values of claim expressions, evaluated once per report (shared by the N1xx rules)."""

    def __init__(self, ctx: CheckContext) -> None:
        assert ctx.template is not None
        self.ctx = ctx
        self.source = kinds_relations.report_cells(ctx)
        cached = ctx.report._cache.get("narrative.values")
        if cached is None or cached[0] is not self.source:
            cached = ctx.report._cache["narrative.values"] = (self.source, {}, {})
        self.cache: dict[str, tuple[Interval | None, list[tuple[str, str, str]]]] = cached[1]
        self.held: dict[str, bool] = cached[2]

    def value(self, expr: str) -> tuple[Interval | None, list[tuple[str, str, str]]]:
        if expr not in self.cache:
            self.cache[expr] = self._eval(expr)
        iv, cells = self.cache[expr]
        return iv, list(cells)

    def _eval(self, expr: str) -> tuple[Interval | None, list[tuple[str, str, str]]]:
        try:
            rel = compile_relation(f"{expr} = 0")
        except ExprError:
            return None, []
        if not set(rel.tables) <= set(self.ctx.report.tables):
            return None, []
        outs = evaluate(rel, self.source)
        if len(outs) != 1 or outs[0].status == "unknown" or outs[0].lhs is None:
            return None, []
        return outs[0].lhs, list(outs[0].cells)

    def holds(self, relation: str) -> bool:
        if relation not in self.held:
            self.held[relation] = self._holds(relation)
        return self.held[relation]

    def _holds(self, relation: str) -> bool:
        try:
            rel = compile_relation(relation)
        except ExprError:
            return False
        if not set(rel.tables) <= set(self.ctx.report.tables):
            return False
        outs = evaluate(rel, self.source)
        return bool(outs) and all(o.status == "pass" and not o.vacuous for o in outs)


def _meets(lo: Decimal, hi: Decimal | None, iv: Interval) -> bool:
    return iv.hi >= lo and (hi is None or iv.lo <= hi)


def _cells_label(ctx: CheckContext, cells: list[tuple[str, str, str]]) -> str:
    if not cells or ctx.template is None:
        return ""
    names: list[str] = []
    for table, row, col in cells:
        spec = ctx.template.tables.get(table)
        if spec is None:
            names.append(f"{row}.{col}")
            continue
        r = spec.row(row)
        c = spec.column(r, col)
        rl = _TRAILING_NOTE.sub("", r.label) if r else row
        multi = len(spec.columns) + sum(len(st.columns) for st in spec.subtables) > 1
        names.append(f"{rl}·{c.label}" if (multi and c) else rl)
    if len(names) > 3:
        return f"{names[0]}…{names[-1]}"
    return " + ".join(names)


_TRAILING_NOTE = re.compile(r"(?<=[^\s()（）])[(（][^()（）]*[)）]$")


def _table_name(ctx: CheckContext, table: str) -> str:
    spec = ctx.template.tables.get(table) if ctx.template else None
    if spec is None:
        return table
    if spec.section:
        return ctx.t(f"第{spec.section}部分表格", f"the table of section {spec.section}")
    return ctx.t("统计表", "the statistics table")


def _cell_key(expr: str) -> str:
    return re.sub(r"\b[a-z_]+\.(?=[@a-z_$*]+\.[a-z_$*]+)", "", expr).replace(" ", "")


def _year_mismatch(ctx: CheckContext, s: Sentence, pos: int) -> bool:
    year = ctx.report.report_year
    if year is None:
        return False
    years = [d.year for d in scan_dates(s.text[:pos]) if d.year is not None]
    return bool(years) and years[-1] != year


def _clause_at(masked: str, pos: int) -> tuple[int, int]:
    delims = CLAUSE_DELIMS.replace("、", "")
    a = pos
    while a > 0 and masked[a - 1] not in delims:
        a -= 1
    b = pos
    while b < len(masked) and masked[b] not in delims:
        b += 1
    return a, b


@check("narrative_claims")
def narrative_claims(ctx: CheckContext, rule: Any) -> Iterator[Hit]:
    if ctx.template is None or not ctx.report.tables:
        return
    claims = [c for c in claims_of(rule) if c.templates is None or ctx.report.template in c.templates]
    if not claims:
        return
    skip_before = _regex(rule.params.get("skip_before"))
    values = _Values(ctx)
    # a sentence without quantities can only match none_patterns (every pattern has its {NUM})
    negated = [c for c in claims if c.none_patterns]
    for block, section, sentences, wholes in _paragraph_wholes(ctx):
        for s in sentences:
            used: set[int] = set()  # quantities claimed by an earlier claim of this rule
            taken: list[tuple[int, int]] = []  # masked spans matched by earlier claims / patterns
            for claim in claims if s.quantities else negated:
                if not may_match(claim.needs, s.masked):
                    continue  # none of its patterns can match this sentence
                yield from _claim_hits(ctx, claim, values, s, block, section, used, taken, skip_before, wholes)


def _paragraph_wholes(ctx: CheckContext) -> list[tuple[Block, str | None, tuple[Sentence, ...], dict[int, str]]]:
    """Each paragraph of :func:`_part_groups` with its :func:`_whole_clauses`, once per report (the
    N1xx claim rules read the same)."""
    groups = _part_groups(ctx)
    cached = ctx.report._cache.get("narrative.wholes")
    if cached is not None and cached[0] is groups:
        return cached[1]
    out = [(b, sec, sentences, _whole_clauses(sentences, g)) for b, sec, sentences, g in groups]
    ctx.report._cache["narrative.wholes"] = (groups, out)
    return out


def _whole_clauses(sentences: tuple[Sentence, ...], groups: list[PartGroup]) -> dict[int, str]:
    """``id(part)`` -> the masked clause of its whole up to the whole, for the parts listed with
    其中 / 分别为: the whole's scope is theirs too (全市共收到申请300件,其中予以公开200件)."""
    out: dict[int, str] = {}
    for g in groups:
        if g.kind not in ("among", "severally"):
            continue
        ws = sentences[g.whole_sentence]
        wi = next((i for i, q in enumerate(ws.quantities) if q is g.whole), None)
        if wi is None:
            continue
        tpos = ws.token_spans()[wi][0]
        clause = ws.masked[_clause_at(ws.masked, tpos)[0] : tpos]
        for p in g.parts:
            out.setdefault(id(p), clause)
    return out


def _claim_hits(
    ctx: CheckContext,
    claim: Claim,
    values: _Values,
    s: Sentence,
    block: Block,
    section: str | None,
    used: set[int],
    taken: list[tuple[int, int]],
    skip_before: re.Pattern[str] | None,
    wholes: dict[int, str] | None = None,
) -> Iterator[Hit]:
    found: list[tuple[Quantity | None, str, int]] = []  # (quantity, matched text, masked position)
    numeric = bool(claim.patterns) and (claim.context is None or claim.context.search(s.text) is not None)
    negative = bool(claim.none_patterns) and (claim.none_context is None or claim.none_context.search(s.text) is not None)
    spans: list[tuple[int, int]] = []
    for pat in claim.patterns if numeric else ():
        for m in pat.finditer(s.masked):
            spans = spans or s.token_spans()
            qi = int(m.group(NUM_GROUP))
            if qi in used or qi >= len(s.quantities) or _overlaps(m.span(), taken):
                continue
            q = s.quantities[qi]
            if q.unit is None or q.kind == "percent" or (claim.units is not None and q.unit not in claim.units):
                continue
            if claim.unless is not None and claim.unless.search(m.group(0)):
                continue
            tpos = spans[qi][0]
            clause = s.masked[_clause_at(s.masked, tpos)[0] : tpos]
            if any(r is not None and r.search(clause) for r in (skip_before, claim.skip_before)):
                continue
            # a part of a whole about another scope (全市共收到…,其中予以公开200件) is about it too;
            # the claim's own skip_before is about its own clause's wording only
            whole_clause = (wholes or {}).get(id(q))
            if whole_clause is not None and skip_before is not None and skip_before.search(whole_clause):
                continue
            if _year_mismatch(ctx, s, q.start):
                continue
            used.add(qi)
            taken.append(m.span())
            found.append((q, m.group(0), m.start()))
    for pat in claim.none_patterns if negative else ():
        for m in pat.finditer(s.masked):
            a, b = _clause_at(s.masked, m.start())
            clause = s.masked[a : max(b, m.end())]
            if TOKEN_OPEN in clause:
                continue
            if claim.none_unless is not None and claim.none_unless.search(clause):
                continue
            if any(r is not None and r.search(s.masked[a : m.start()]) for r in (skip_before, claim.skip_before)):
                continue
            if _year_mismatch(ctx, s, _orig_offset(s, m.start())):
                continue
            found.append((None, clause.strip(), m.start()))
            break  # one "none" per sentence and claim
    if not found:
        return
    table_iv, cells = values.value(claim.value)
    if table_iv is None:
        return
    for q, matched, mpos in found:
        if q is not None:
            lo, hi = approx_bounds(q)
            claimed: Decimal = q.value
            offset = s.start + q.start
        else:
            lo, hi, claimed = Decimal(0), Decimal(0), Decimal(0)
            offset = s.start + _orig_offset(s, mpos)
        if _meets(lo, hi, table_iv):
            continue
        if any(_accepts(values, a, lo, hi) for a in claim.accept):
            continue
        approx = q is not None and bool(q.approx)
        may_differ = claim.scope == "may_differ" and not (claim.exact_when and values.holds(claim.exact_when))
        table = cells[0][0] if cells else None
        expected = _num(table_iv.point)
        label = (claim.label or {}).get(ctx.lang) or (claim.label or {}).get("zh") or _cells_label(ctx, cells)
        message = "approx" if approx else ("may_differ" if may_differ else ("none" if q is None else None))
        yield Hit(
            values={
                "what": claim.what.get(ctx.lang) or claim.what.get("zh", claim.id),
                "actual": q.text if q is not None else matched,
                "value": _num(claimed),
                "expected": expected,
                "cells": label,
                "table_name": _table_name(ctx, table) if table else "",
                "reason": claim.reason.get(ctx.lang) or claim.reason.get("zh", ""),
            },
            line=block.line,
            column=_column(ctx, block, offset),
            page=block.page,
            section=section,
            table=table,
            cell=_cell_key(claim.value),
            expected=expected,
            actual=_num(claimed),
            subject=f"{claim.id}:{_num(claimed)}",
            severity=_claim_severity(claim, approx, may_differ),
            context=_context(s, q.start if q is not None else _orig_offset(s, mpos)),
            message=message,
        )


def _overlaps(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(span[0] < b and a < span[1] for a, b in taken)


def _accepts(values: _Values, expr: str, lo: Decimal, hi: Decimal | None) -> bool:
    iv, _cells = values.value(expr)
    return iv is not None and _meets(lo, hi, iv)


def _orig_offset(s: Sentence, masked_pos: int) -> int:
    """Offset in the sentence text of a position in its masked text."""
    spans = s.token_spans()
    shift = 0
    for (a, b), q in zip(spans, s.quantities, strict=False):
        if a >= masked_pos:
            break
        shift += (q.end - q.start) - (b - a)
    return max(0, masked_pos + shift)


# ------------------------------------------------------------------------ N2xx: prose arithmetic


def _hit_at(ctx: CheckContext, block: Block, section: str | None, s: Sentence, q: Quantity, **kw: Any) -> Hit:
    return Hit(
        line=block.line,
        column=_column(ctx, block, s.start + q.start),
        page=block.page,
        section=section,
        context=_context(s, q.start),
        **kw,
    )


def _sum(qs: tuple[Quantity, ...] | list[Quantity], lower: bool = True) -> Decimal:
    return sum(((approx_bounds(q)[0] if lower else q.value) for q in qs), Decimal(0))


def _like(value: Decimal, q: Quantity) -> str:
    """``value`` written the way ``q`` is: with its 万/亿 scale and its unit (152万条, 2056个)."""
    word, exp = _scale(q)
    return f"{_num(value.scaleb(-exp))}{word}{q.unit or ''}"


def _plain(q: Quantity) -> str:
    return _like(q.value, q)


def _scale(q: Quantity) -> tuple[str, int]:
    """The 万/亿 scale word ``q`` is written with (not part of its unit) and its power of ten."""
    unit = q.unit or ""
    body = q.text
    if q.unit and q.unit in body:
        body = body[: body.rfind(q.unit)]
    for word, exp in (("亿", 8), ("万", 4)):
        if word in body and word not in unit:
            return word, exp
    return "", 0


def _written(value: Decimal, ref: Quantity, like: tuple[Quantity, ...] | list[Quantity] = ()) -> str:
    """``value`` written in ``ref``'s scale and unit with the places the figures ``like`` were written
    with in that scale (6.0万 + 5.0万 -> 11.0万人次, 60万 + 50万 -> 110万人次), and never fewer places
    than the value needs (1.5万 + 3000 -> 1.8万)."""
    word, exp = _scale(ref)
    scaled = value.scaleb(-exp)
    places = 0
    for q in like:
        if _scale(q)[1] == exp:
            places = max(places, q.decimals + exp)
    needed = scaled.normalize().as_tuple().exponent
    if isinstance(needed, int):
        places = max(places, -needed)
    places = min(places, 12)
    body = format(scaled.quantize(Decimal(1).scaleb(-places)), "f") if places else _fmt_int(scaled)
    return f"{body}{word}{ref.unit or ''}"


def _fmt_int(d: Decimal) -> str:
    return format(d.to_integral_value(), "f")


def _as_written(q: Quantity) -> str:
    """``q``'s figure with its written places, scale and unit, without approximation words or
    thousands separators (10.0万人次, 1234件)."""
    return _written(q.value, q, (q,))


def _holds(whole: Quantity, parts: tuple[Quantity, ...]) -> bool:
    """The parts fit into the whole: none larger, and their sum no larger unless a leading run completes it."""
    _lo, hi = approx_bounds(whole)
    if hi is None:
        return True
    if any(approx_bounds(p)[0] > hi for p in parts):
        return False
    return _sum(parts) <= hi or _prefix_completes(whole, parts)


def _prefix_completes(whole: Quantity, parts: tuple[Quantity, ...]) -> bool:
    wlo, whi = bounds(whole)
    lo = hi = Decimal(0)
    for p in parts[:-1]:
        plo, phi = bounds(p)
        lo, hi = lo + plo, hi + phi
        if hi >= wlo and lo <= whi:
            return True
    return False


@check("narrative_parts")
def narrative_parts(ctx: CheckContext, rule: Any) -> Iterator[Hit]:
    """params.test: ``exceed`` (其中 parts larger than the whole) or ``total`` (合计 / 分别为 sums)."""
    test = rule.params.get("test", "exceed")
    for block, section, sentences, groups in _part_groups(ctx):
        for g in groups:
            s = sentences[g.parts_sentence]
            parts_text = "、".join(q.text for q in g.parts)
            if test == "exceed" and g.kind == "among":
                if any(_holds(w, g.parts) for w in g.alternatives):
                    continue
                # against the largest amount the parts may belong to
                whole = max((g.whole, *g.alternatives), key=lambda w: approx_bounds(w)[1] or Decimal("Infinity"))
                _wlo, whi = approx_bounds(whole)
                if whi is None:
                    continue
                single = [p for p in g.parts if approx_bounds(p)[0] > whi]
                for p in single:
                    yield _hit_at(
                        ctx, block, section, s, p,
                        values={"whole": whole.text, "part": p.text, "parts": parts_text, "sum": p.text},
                        expected=f"≤{_as_written(whole)}",
                        actual=_as_written(p),
                        subject=f"part:{whole.text}:{p.text}",
                    )
                if single or len(g.parts) < 2:
                    continue
                # compared by the parts' lower bounds (60万 may be 595000), shown as written
                total = _sum(g.parts)
                # a leading run of parts that already makes up the whole is the complete breakdown;
                # figures after it count something else (自然人20件、法人5件,予以公开11件)
                if total > whi and not _prefix_completes(whole, g.parts):
                    shown = _written(_sum(g.parts, lower=False), whole, g.parts)
                    yield _hit_at(
                        ctx, block, section, s, g.parts[-1],
                        values={"whole": whole.text, "parts": parts_text, "sum": shown},
                        expected=f"≤{_as_written(whole)}",
                        actual=shown,
                        subject=f"sum:{whole.text}:{parts_text}",
                        severity="warning",
                        message="sum",
                    )
            elif test == "total" and g.kind in ("total", "severally"):
                if g.whole.approx or any(p.approx for p in g.parts):
                    continue
                lo = sum((bounds(p)[0] for p in g.parts), Decimal(0))
                hi = sum((bounds(p)[1] for p in g.parts), Decimal(0))
                wlo, whi = bounds(g.whole)
                if hi >= wlo and lo <= whi:
                    continue
                shown = _written(_sum(g.parts, lower=False), g.whole, g.parts)
                yield _hit_at(
                    ctx, block, section, sentences[g.whole_sentence], g.whole,
                    values={"whole": g.whole.text, "parts": parts_text, "sum": shown},
                    expected=shown,
                    actual=_as_written(g.whole),
                    subject=f"{g.kind}:{g.whole.text}:{parts_text}",
                    severity="warning" if g.kind == "severally" else None,
                    message="severally" if g.kind == "severally" else None,
                )


@check("narrative_rates")
def narrative_rates(ctx: CheckContext, rule: Any) -> Iterator[Hit]:
    """A rate whose named counts in the same sentence give another value (转接成功率 ← 转接成功 / 转接)."""
    for block, section, sentences in _paragraphs(ctx):
        for s in sentences:
            for r in rate_checks(s):
                yield _hit_at(
                    ctx, block, section, s, r.rate,
                    values={
                        "name": r.name,
                        "rate": r.rate.text,
                        "numerator": r.numerator.text,
                        "denominator": r.denominator.text,
                        "computed": f"{_num(r.computed) if r.computed == r.computed.to_integral_value() else r.computed}%",
                    },
                    expected=f"{r.computed}%",
                    actual=f"{format(r.rate.value, 'f')}%",
                    subject=f"rate:{r.name}:{r.rate.text}",
                )


@check("narrative_growth")
def narrative_growth(ctx: CheckContext, rule: Any) -> Iterator[Hit]:
    """由A…至B with a stated growth rate or difference that A and B do not give."""
    for block, section, sentences in _paragraphs(ctx):
        for s in sentences:
            for g in growth_checks(s):
                unit = "%" if g.what == "rate" else (g.stated.unit or "")
                computed = f"{g.computed}{unit}" if g.what == "rate" else f"{_num(g.computed)}{unit}"
                yield _hit_at(
                    ctx, block, section, s, g.stated,
                    values={"start": g.start.text, "end": g.end.text, "stated": g.stated.text, "computed": computed},
                    expected=computed,
                    actual=f"{format(g.stated.value, 'f')}{unit}" if g.what == "rate" else _plain(g.stated),
                    subject=f"growth:{g.start.text}:{g.end.text}:{g.stated.text}",
                    message="difference" if g.what == "difference" else None,
                )
