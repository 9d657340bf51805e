"""The generic rule engine: rules (data) x check kinds (code) over a Report -> Findings."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from xxgk_lint.check.context import CheckContext, Hit
from xxgk_lint.check.findings import Finding, sort_key
from xxgk_lint.check.kinds import CHECKS
from xxgk_lint.check.rules import Rule, fill
from xxgk_lint.parse.model import Report
from xxgk_lint.parse.template import Template
from xxgk_lint.read.document import Document

CONTEXT_WIDTH = 60


def quote(doc: Document, line: int | None, column: int | None) -> str | None:
    text = doc.line_text(line)
    if text is None:
        return None
    text = text.strip()
    if len(text) <= 2 * CONTEXT_WIDTH:
        return text
    centre = (column or 1) - 1
    start = max(0, min(centre - CONTEXT_WIDTH, len(text) - 2 * CONTEXT_WIDTH))
    snippet = text[start : start + 2 * CONTEXT_WIDTH]
    return ("…" if start > 0 else "") + snippet + ("…" if start + 2 * CONTEXT_WIDTH < len(text) else "")


def to_finding(rule: Rule, hit: Hit, doc: Document, lang: str, severity: str | None = None) -> Finding:
    values: dict[str, Any] = {"code": rule.code, **hit.values}
    return Finding(
        rule=rule.code,
        severity=(severity or hit.severity or rule.severity),  # type: ignore[arg-type]  # a configured override wins
        message=fill(
            rule.text(f"message:{hit.message}" if hit.message else "message", lang)
            or rule.text("message", lang),
            values,
        ),
        line=hit.line,
        column=hit.column,
        section=hit.section,
        table=hit.table,
        cell=hit.cell,
        expected=hit.expected,
        actual=hit.actual,
        context=(hit.context or None) if hit.context is not None else quote(doc, hit.line, hit.column),
        subject=hit.subject,
        page=hit.page,
    )


def internal_error(rules_by_code: dict[str, Rule], detail: str, lang: str) -> Finding:
    rule = rules_by_code.get("E100")
    msg = fill(rule.text("message", lang), {"detail": detail}) if rule else f"internal error: {detail}"
    return Finding(rule="E100", severity="error", message=msg, subject=detail[:200])


def run_checks(
    report: Report,
    doc: Document,
    template: Template | None,
    rules: Iterable[Rule],
    *,
    lang: str = "zh",
    severity_overrides: dict[str, str] | None = None,
    options: dict[str, Any] | None = None,
    all_rules: dict[str, Rule] | None = None,
) -> list[Finding]:
    ctx = CheckContext(report=report, doc=doc, template=template, lang=lang, options=options or {})
    overrides = severity_overrides or {}
    findings: list[Finding] = []
    rules = list(rules)
    by_code = all_rules or {r.code: r for r in rules}
    for rule in rules:
        if not rule.applies_to(report.template):
            continue
        fn = CHECKS.get(rule.check)
        if fn is None:
            continue
        try:
            for hit in fn(ctx, rule):
                findings.append(to_finding(rule, hit, doc, lang, overrides.get(rule.code)))
        except Exception as exc:  # noqa: BLE001 - one failing rule must not lose the others
            findings.append(internal_error(by_code, f"{rule.code}: {type(exc).__name__}: {exc}", lang))
    findings.sort(key=sort_key)
    return findings
