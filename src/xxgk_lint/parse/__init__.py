"""Parse stage: Document -> Report.  A pure function; it never raises on odd input."""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from functools import cache

from xxgk_lint.parse.flatten import recover_flattened
from xxgk_lint.parse.meta import (
    classify_kind,
    find_agency,
    find_quoted_agency,
    find_signature_date,
    find_title,
    find_year,
    first_person_kind,
    self_named_agency,
)
from xxgk_lint.parse.model import Report
from xxgk_lint.parse.narrative import extract_mentions
from xxgk_lint.parse.outline import build_outline, match_sections
from xxgk_lint.parse.tables import parse_tables
from xxgk_lint.parse.template import TableSpec, Template, get_template, load_templates
from xxgk_lint.parse.textnorm import norm, strip_ordinal
from xxgk_lint.read.document import Document

# a paragraph line is read as a flattened table row only without sentence punctuation
_SENTENCE_PUNCT = re.compile(r"[。;;!?]")
MAX_ROW_LINE = 200


def table_texts(doc: Document) -> tuple[list[str], list[str]]:
    """(table cells, flattened-row tokens), normalised: the text template markers are counted in.

    Cells of table blocks (header rows included); and the whitespace-separated tokens of paragraph
    lines that look like a flattened table row or header (two or more tokens, no sentence
    punctuation, short).  Prose never counts: "主动公开政府集中采购信息12条。" names no layout."""
    cells: list[str] = []
    tokens: list[str] = []
    for b in doc.blocks:
        if b.kind == "table":
            cells.extend(norm(c.text) for r in b.rows for c in r.cells if c.text and not c.spanned)
            continue
        t = b.text.strip()
        parts = t.split()
        if len(parts) >= 2 and len(t) <= MAX_ROW_LINE and not _SENTENCE_PUNCT.search(norm(t)):
            tokens.extend(strip_ordinal(p) for p in parts)
    return cells, tokens


_SEP = "\x00"  # joins cells and tokens into one searchable text (never inside a label)


@dataclasses.dataclass(frozen=True, slots=True)
class _Texts:
    """:func:`table_texts` joined for substring search: ``cells`` and ``tokens`` each begin every
    item with ``_SEP``, so "label in a cell" is ``label in cells`` and "a token begins with the
    label" is ``_SEP + label in tokens`` - one search in C instead of a loop per label."""

    cells: str
    tokens: str

    @classmethod
    def of(cls, doc: Document) -> _Texts:
        cells, tokens = table_texts(doc)
        return cls(_SEP + _SEP.join(cells), _SEP + _SEP.join(tokens))


def _present(label: str, texts: _Texts) -> bool:
    """A label is in a cell (anywhere: cells are short) or begins a flattened-row token."""
    return bool(label) and _SEP not in label and (label in texts.cells or _SEP + label in texts.tokens)


def choose_template(doc: Document, year: int | None, texts: _Texts | None = None) -> tuple[Template, str]:
    """--template auto: the markers in the tables decide (table cells and flattened rows only, never
    prose); on a tie the template whose years hold the report year; then the report year alone."""
    texts = texts or _Texts.of(doc)
    templates = load_templates()
    scores: dict[str, int] = {
        tid: sum(1 for m in tpl.markers if _present(norm(m), texts)) for tid, tpl in templates.items()
    }
    top = max(scores.values(), default=0)
    if top > 0:
        tied = [tid for tid, n in scores.items() if n == top]
        pick = next((tid for tid in tied if year is not None and year in templates[tid].years), tied[0])
        return templates[pick], f"layout:{pick}"
    if year is not None:
        for tpl in templates.values():
            if year in tpl.years:
                return tpl, f"year:{year}"
        latest = max(templates.values(), key=lambda t: max(t.years, default=0))
        if year > max(latest.years, default=0):
            return latest, f"year:{year}"
    return get_template("gov-2019"), "default"


def _labels(spec: TableSpec) -> set[str]:
    cols = list(spec.columns) + [c for st in spec.subtables for c in st.columns]
    words = [x for c in cols for x in (c.label, *c.variants)]
    words += [x for r in spec.all_rows() for x in (r.label, *r.variants)]
    words += list(spec.row_groups.values())
    return {strip_ordinal(w) for w in words if strip_ordinal(w)}


_NUMBERISH = re.compile(r"^(?:[+-]?\d+(?:\.\d+)?|/|-|—|无)$")


def _row_cells(doc: Document) -> list[list[str]]:
    """The rows of the document's tables and flattened-row lines, as normalised non-empty cells."""
    rows: list[list[str]] = []
    for b in doc.blocks:
        if b.kind == "table":
            rows.extend([norm(c.text) for c in r.cells if c.text and not c.spanned] for r in b.rows)
            continue
        t = b.text.strip()
        if len(t) <= MAX_ROW_LINE and not _SENTENCE_PUNCT.search(norm(t)):
            rows.append([norm(p) for p in t.split()])
    return [[c for c in r if c] for r in rows]


def _leaf_rows_written(spec: TableSpec, other: TableSpec, doc: Document) -> bool:
    """The document writes as one row with numbers a row the chosen layout splits into sub-rows and
    the other layout keeps whole: the 2019 "(六)其他处理 | 0 | 0 | 1 | …" in a report otherwise in
    the 2021 layout, where (六)其他处理 is only the caption of three sub-rows.  A layout difference no
    label of the other layout's own shows (its labels are all in the chosen one too)."""
    leaves = {r.key for r in other.all_rows()} - {r.parent for r in other.all_rows() if r.parent}
    split = [k for k in spec.row_groups if k in leaves]
    groups = {strip_ordinal(norm(spec.row_groups[k])) for k in split}
    if not groups:
        return False
    rows = _row_cells(doc)
    # the sub-rows written, if under slightly other words ("、" or ","): the split layout after all
    heads = {
        x[:6]
        for r in spec.all_rows()
        if r.parent in split
        for x in [strip_ordinal(norm(r.label))]
        if len(x) >= 6
    }
    if any(strip_ordinal(c)[:6] in heads for cells in rows for c in cells):
        return False
    for cells in rows:
        for i, c in enumerate(cells[:-1]):
            if strip_ordinal(c) in groups:
                rest = cells[i + 1 :]
                if rest and all(_NUMBERISH.match(x) for x in rest) and any(x[-1].isdigit() for x in rest):
                    return True
    return False


def per_table_layouts(tpl: Template, doc: Document, texts: _Texts | None = None) -> dict[str, str]:
    """Tables written in another template's layout than the one chosen: {table key: template id}.

    A report may mix layouts, e.g. the 2019 table 二 with the 2021 table 三 (其他处理 split in three
    rows), or the reverse.  A table is checked against the other template's layout when more of the
    labels only that layout has (for the same table) are present than labels only the chosen one
    has, and at least two (or all, when it has fewer); or, when none of the chosen layout's own
    labels are present, when a row the chosen layout splits is written whole with its numbers (the
    2019 table 三 has no label of its own: its single (六)其他处理 row is the 2021 group caption).
    The report keeps the chosen template's id (so S201 and the rules' ``templates:`` follow the
    main layout)."""
    texts = texts or _Texts.of(doc)
    out: dict[str, str] = {}
    for key, spec in tpl.tables.items():
        own_labels = _labels(spec)
        for other in load_templates().values():
            if other.id == tpl.id or key not in other.tables:
                continue
            theirs_labels = _labels(other.tables[key])
            own = sum(1 for w in own_labels - theirs_labels if _present(w, texts))
            theirs_only = theirs_labels - own_labels
            theirs = sum(1 for w in theirs_only if _present(w, texts))
            if (theirs > own and theirs >= min(2, len(theirs_only))) or (
                own == 0 and own_labels - theirs_labels and _leaf_rows_written(spec, other.tables[key], doc)
            ):
                out[key] = other.id
                break
    return out


@cache
def composite_template(base: str, swaps: tuple[tuple[str, str], ...]) -> Template:
    """Template ``base`` with the tables named in ``swaps`` ((table key, template id)) taken from
    those templates.  Same id as ``base``; built once per combination."""
    tpl = get_template(base)
    if not swaps:
        return tpl
    tables = dict(tpl.tables)
    for key, tid in swaps:
        other = get_template(tid)
        if key in other.tables:
            tables[key] = other.tables[key]
    return dataclasses.replace(tpl, tables=tables)


_TABLES_REASON = "tables:"
# a note on the report: its year was given (option / manifest), not read from the text
REPORT_YEAR_GIVEN = "report_year:option:"


def report_template(report: Report) -> Template | None:
    """The template a report was parsed with, per-table layouts included (they are recorded in
    ``template_reason`` as ``…;tables:requests=gov-2021``).  Checks must use this, not the bare id."""
    if report.template is None:
        return None
    swaps: list[tuple[str, str]] = []
    for part in report.template_reason.split(";"):
        if part.startswith(_TABLES_REASON):
            for pair in part[len(_TABLES_REASON) :].split(","):
                key, _, tid = pair.partition("=")
                if key and tid in load_templates():
                    swaps.append((key, tid))
    return composite_template(report.template, tuple(sorted(swaps)))


def parse_document(
    doc: Document,
    template: str = "auto",
    *,
    kind: str | None = None,
    published_on: date | None = None,
    published_on_source: str = "option",
    report_year: int | None = None,
) -> Report:
    """``report_year`` (a manifest's year, say) replaces the year read from the text; the title's own
    year is kept as ``title_year`` for D104."""
    paragraphs = [(b.line, b.text) for b in doc.blocks if b.kind == "paragraph"]
    meta_title = doc.meta.get("title")
    title, _title_line = find_title(paragraphs)
    title = title or meta_title
    year, _ = find_year(([(0, meta_title)] if meta_title else []) + paragraphs)
    quoted_agency, quoted_year = find_quoted_agency(paragraphs)
    year = year or quoted_year
    read_year = year
    if report_year is not None:
        year = report_year
    if template == "auto":
        texts = _Texts.of(doc)
        tpl, reason = choose_template(doc, year, texts)
        swaps = per_table_layouts(tpl, doc, texts)
        if swaps:
            tpl = composite_template(tpl.id, tuple(sorted(swaps.items())))
            reason += ";" + _TABLES_REASON + ",".join(f"{k}={v}" for k, v in sorted(swaps.items()))
    else:
        tpl, reason = get_template(template), "option"
    recovery = recover_flattened(doc.blocks, tpl)
    blocks = recovery.blocks
    outline = build_outline(blocks)
    sections = match_sections(outline, blocks, tpl)
    tables = parse_tables(blocks, sections, tpl)
    agency = (
        find_agency(title, paragraphs)
        or quoted_agency
        or doc.meta.get("agency")
        or self_named_agency(paragraphs)
    )
    # the kind: the option, else the agency's name, else the text's self-references (我局/我厅/我委/我办)
    kind = kind or classify_kind(agency, title) or first_person_kind(paragraphs)
    report = Report(
        path=doc.path,
        format=doc.format,
        template=tpl.id,
        template_reason=reason,
        encoding=doc.encoding,
        title=title,
        report_year=year,
        agency=agency,
        kind=kind,  # type: ignore[arg-type]
        headings=outline.headings,
        sections=sections,
        tables=tables,
        paragraphs=[(b.line, b.text) for b in blocks if b.kind == "paragraph"],
        blocks=blocks,
        recovered_rows=recovery.recovered,
        ambiguous_rows=recovery.ambiguous,
    )
    report.title_year = read_year if title or quoted_year else None
    if report_year is not None:
        report.notes.append(f"{REPORT_YEAR_GIVEN}{report_year}")
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


__all__ = ["parse_document", "Report", "choose_template", "report_template", "REPORT_YEAR_GIVEN"]
