"""Check kinds for template versions and content duties (S2xx, S3xx).  Keywords are rule data."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from xxgk_lint.check.context import CheckContext, Hit
from xxgk_lint.check.kinds import check
from xxgk_lint.parse.template import load_templates
from xxgk_lint.parse.textnorm import norm


@check("template_outdated")
def template_outdated(ctx: CheckContext, rule: Any) -> Iterator[Hit]:
    """The layout used is not the one in force for the report year (it is still checked as written)."""
    report = ctx.report
    year = report.report_year
    if year is None or report.template is None or not report.template_reason.startswith("layout:"):
        return
    templates = load_templates()
    used = templates.get(report.template)
    in_force = next((t for t in templates.values() if year in t.years), None)
    if used is None or in_force is None or in_force.id == used.id:
        return
    if max(used.years, default=0) >= max(in_force.years, default=0):
        return  # a newer layout than required is not "outdated"
    yield Hit(
        values={
            "year": year,
            "used": used.name_en if ctx.lang == "en" else used.name_zh,
            "expected": in_force.name_en if ctx.lang == "en" else in_force.name_zh,
        },
        line=min((t.line for t in report.tables.values()), default=None),
        expected=in_force.id,
        actual=used.id,
        subject=f"{used.id}->{in_force.id}",
    )


# a bracketed placeholder of a skeleton or drafting template (【此处填写上年度问题整改情况】, 【请写明:……】):
# it names the duty, so it must not satisfy it
_PLACEHOLDER = re.compile(r"【[^【】]{0,200}】")


def _scope_text(ctx: CheckContext, scope: str) -> tuple[str, int | None, str | None] | None:
    """The text a content duty is looked for in: the whole report or one section (by key).  A
    section's own heading is left out (五、存在的主要问题及改进情况 would satisfy 改进情况 by itself);
    text after the heading on the same line is kept."""
    report = ctx.report
    if scope == "report":
        return "\n".join(t for _, t in report.paragraphs), None, None
    for sec in report.sections.values():
        if sec.key == scope:
            blocks = [report.blocks[i] for i in sec.block_indexes]
            texts = [b.text for b in blocks]
            h = sec.heading
            if texts and h is not None and blocks[0].line == h.line:
                at = texts[0].find(h.title) if h.title else -1
                texts[0] = texts[0][at + len(h.title) :] if at >= 0 else ""
            return "\n".join(texts), sec.line, sec.ordinal
    return None


def duty_text(text: str, ignore: list[str] | tuple[str, ...] = ()) -> str:
    """Normalised text a duty's keywords are searched in: placeholders in 【】 and the ``ignore``
    phrases (longest first: "与上年相比" names no previous-year problem) removed."""
    t = norm(_PLACEHOLDER.sub("", text))
    for phrase in sorted((norm(str(p)) for p in ignore), key=len, reverse=True):
        if phrase:
            t = t.replace(phrase, "\u3000")
    return t


@check("content_keywords")
def content_keywords(ctx: CheckContext, rule: Any) -> Iterator[Hit]:
    """Every group in params.groups needs one of its words in the scope (report or a section).

    params: scope (report | section key), kinds (entity kinds it applies to, empty = all),
    groups: list of {name: {zh,en}, any: [words]}, ignore: phrases that do not count (removed
    before the search).  Bracketed placeholders (【……】) never count.
    """
    kinds = rule.params.get("kinds") or []
    if kinds and ctx.report.kind not in kinds:
        return
    scope = str(rule.params.get("scope", "report"))
    got = _scope_text(ctx, scope)
    if got is None:
        return  # a missing section is S101's finding
    text, line, ordinal = got
    t = duty_text(text, rule.params.get("ignore") or ())
    missing = []
    for group in rule.params.get("groups", []):
        words = [norm(str(w)) for w in group.get("any", [])]
        if not any(w in t for w in words):
            name = group.get("name", {})
            missing.append((name.get(ctx.lang) or name.get("zh") or "/".join(group.get("any", [])), words))
    if not missing:
        return
    yield Hit(
        values={
            "missing": "、".join(m[0] for m in missing),
            "looked_for": ";".join("/".join(m[1]) for m in missing),
        },
        line=line,
        section=ordinal,
        expected=[m[1] for m in missing],
        actual=None,
        subject=",".join(m[0] for m in missing),
        context="" if line is None else None,
    )


@check("flattened_recovered")
def flattened_recovered(ctx: CheckContext, rule: Any) -> Iterator[Hit]:
    """Tables rebuilt from text whose cell boundaries a scrape lost (one note per table)."""
    if ctx.template is None:
        return
    for key, lines in ctx.report.recovered_rows.items():
        spec = ctx.template.tables.get(key)
        yield Hit(
            values={"table_title": spec.title if spec else key, "rows": len(lines)},
            line=lines[0],
            section=spec.section if spec else None,
            table=key,
            actual=len(lines),
            subject=key,
        )


@check("flattened_ambiguous")
def flattened_ambiguous(ctx: CheckContext, rule: Any) -> Iterator[Hit]:
    """Rows whose digits ran together: splitting them would be a guess."""
    for line, key, text in ctx.report.ambiguous_rows:
        spec = ctx.template.tables.get(key) if ctx.template else None
        yield Hit(
            values={"text": text[:60]},
            line=line,
            section=spec.section if spec else None,
            table=key,
            actual=text[:60],
            subject=text[:60],
        )
