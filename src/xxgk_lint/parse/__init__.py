"""Parse stage: Document -> Report.  A pure function; it never raises on odd input."""

from __future__ import annotations

from datetime import date

from xxgk_lint.parse.flatten import recover_flattened
from xxgk_lint.parse.meta import (
    classify_kind,
    find_agency,
    find_quoted_agency,
    find_signature_date,
    find_title,
    find_year,
)
from xxgk_lint.parse.model import Report
from xxgk_lint.parse.narrative import extract_mentions
from xxgk_lint.parse.outline import build_outline, match_sections
from xxgk_lint.parse.tables import parse_tables
from xxgk_lint.parse.template import Template, get_template, load_templates
from xxgk_lint.parse.textnorm import norm
from xxgk_lint.read.document import Document


def choose_template(doc: Document, year: int | None) -> tuple[Template, str]:
    """--template auto: what the tables contain decides; the report year breaks ties."""
    text = norm("\n".join(b.text for b in doc.blocks))
    scores: dict[str, int] = {}
    for tid, tpl in load_templates().items():
        scores[tid] = sum(1 for m in tpl.markers if norm(m) in text)
    best = max(scores.items(), key=lambda kv: kv[1]) if scores else ("gov-2019", 0)
    if best[1] > 0:
        return get_template(best[0]), f"layout:{best[0]}"
    if year is not None:
        for tpl in load_templates().values():
            if year in tpl.years:
                return tpl, f"year:{year}"
        latest = max(load_templates().values(), key=lambda t: max(t.years, default=0))
        if year > max(latest.years, default=0):
            return latest, f"year:{year}"
    return get_template("gov-2019"), "default"


def parse_document(
    doc: Document,
    template: str = "auto",
    *,
    kind: str | None = None,
    published_on: date | None = None,
    published_on_source: str = "option",
) -> Report:
    paragraphs = [(b.line, b.text) for b in doc.blocks if b.kind == "paragraph"]
    meta_title = doc.meta.get("title")
    title, _title_line = find_title(paragraphs)
    title = title or meta_title
    year, _ = find_year(([(0, meta_title)] if meta_title else []) + paragraphs)
    quoted_agency, quoted_year = find_quoted_agency(paragraphs)
    year = year or quoted_year
    if template == "auto":
        tpl, reason = choose_template(doc, year)
    else:
        tpl, reason = get_template(template), "option"
    recovery = recover_flattened(doc.blocks, tpl)
    blocks = recovery.blocks
    outline = build_outline(blocks)
    sections = match_sections(outline, blocks, tpl)
    tables = parse_tables(blocks, sections, tpl)
    agency = find_agency(title, paragraphs) or quoted_agency or doc.meta.get("agency")
    report = Report(
        path=doc.path,
        format=doc.format,
        template=tpl.id,
        template_reason=reason,
        encoding=doc.encoding,
        title=title,
        report_year=year,
        agency=agency,
        kind=(kind or classify_kind(agency, title)),  # type: ignore[arg-type]
        headings=outline.headings,
        sections=sections,
        tables=tables,
        paragraphs=[(b.line, b.text) for b in blocks if b.kind == "paragraph"],
        blocks=blocks,
        recovered_rows=recovery.recovered,
        ambiguous_rows=recovery.ambiguous,
    )
    report.title_year = year if title or quoted_year else None
    report.mentions = extract_mentions(blocks, sections)
    report.signature_date, report.signature_line = find_signature_date(paragraphs)
    try:
        report.page_date = (
            date.fromisoformat(doc.meta["published_on"]) if doc.meta.get("published_on") else None
        )
    except ValueError:
        report.page_date = None
    # publication date, in order: the option (or a manifest), the page's metadata, the signature
    if published_on is not None:
        report.published_on, report.published_on_source = published_on, published_on_source
    elif report.page_date is not None:
        report.published_on, report.published_on_source = (
            report.page_date,
            doc.meta.get("published_on_source", "page"),
        )
    elif report.signature_date is not None:
        report.published_on, report.published_on_source = report.signature_date, "signature"
    return report


__all__ = ["parse_document", "Report", "choose_template"]
