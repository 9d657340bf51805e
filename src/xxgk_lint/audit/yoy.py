"""Year over year in the audit: continuity rules (X1xx) over each agency's consecutive years.

Every checked report leaves a :class:`~xxgk_lint.compare.model.Snapshot` (cells, row text, the prose of
sections 一 and 五, year and agency; returned by the worker beside its record) in ``snapshots.jsonl``:
one line per report, appended and fsync'd before the report's findings.jsonl line (so a record never
lacks its snapshot; a resumed run re-checks a report whose snapshot line is missing or stale), a torn
last line dropped on resume, compacted at the end of the run like findings.jsonl.  Each line is
``{"audit": {"key", "sha256", "rules_version", "settings"}, "snapshot": {...}}``.

At the end of the run (:func:`plan_pairs`) the reports are grouped by agency -
:func:`xxgk_lint.compare.continuity.agency_groups`: a manifest ``id`` when given, else the normalised
name (manifest name or the report's), ids win - and each pair of consecutive years is evaluated with
:func:`~xxgk_lint.compare.continuity.continuity_findings`.  The findings go to THIS year's record in
findings.jsonl, each with a ``last`` object (last year's report key, path, year and the cells or text
compared), so the summary, the dashboard, the baseline and the decisions count them like any other
finding.  Incremental: a record keeps ``audit.continuity = {"last": KEY, "sig": S}`` where S hashes the
rules version and both reports' content hash and settings; a pair whose signature is unchanged keeps
its findings without loading a snapshot.  The report's HTML page gets the X findings spliced in
(:func:`patch_page`), with their signature in a ``<meta name="xxgk-lint-continuity">`` so a page is
only rewritten when its X findings change.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import IO, Any, NamedTuple

from xxgk_lint.audit.store import Done, dumps, scan_lines, shared
from xxgk_lint.compare.model import Cell, SectionText, Snapshot
from xxgk_lint.parse.model import CellValue

SNAPSHOTS = "snapshots.jsonl"
SECTIONS = ("一", "五")  # the prose the copy rules (X105 section 五, X106 section 一) read
PAGE_META = "xxgk-lint-continuity"
AGENCY_DIR = "agencies"
_SNAP_MARK = b',"snapshot":'


# --- the snapshot as JSON -------------------------------------------------------------------------


def _decimals(raw: str) -> int:
    return len(raw.rsplit(".", 1)[1]) if "." in raw else 0


def _cell_json(cv: CellValue) -> list[Any]:
    """A plain number (most cells) as ``[line, column, raw]``, anything else as
    ``[status, raw, value, decimals, unit, line, column, page]`` (trailing nulls dropped)."""
    if (
        cv.status == "number" and cv.value is not None and cv.unit is None and cv.line is not None and cv.page is None
        and str(cv.value) == cv.raw and cv.decimals == _decimals(cv.raw)
    ):
        return [cv.line, cv.column, cv.raw]
    out: list[Any] = [cv.status, cv.raw, None if cv.value is None else str(cv.value), cv.decimals, cv.unit, cv.line, cv.column, cv.page]
    while len(out) > 2 and out[-1] is None:
        out.pop()
    return out


def _cell_from(a: list[Any]) -> CellValue:
    if not isinstance(a[0], str):
        line, column, raw = a
        return CellValue(status="number", raw=raw, value=Decimal(raw), decimals=_decimals(raw), line=line, column=column)
    a = list(a) + [None] * (8 - len(a))
    return CellValue(
        status=a[0], raw=a[1] or "", value=None if a[2] is None else Decimal(a[2]), decimals=a[3] or 0, unit=a[4],
        line=a[5], column=a[6], page=a[7],
    )


def snapshot_to_json(s: Snapshot) -> dict[str, Any]:
    """A Snapshot as plain JSON (compact: cells nested by table and row, derived rows left out)."""
    cells: dict[str, dict[str, dict[str, list[Any]]]] = {}
    for (t, r, c), cv in s.cells.items():
        cells.setdefault(t, {}).setdefault(r, {})[c] = _cell_json(cv)
    derived: dict[int, str] = {}
    for (page, line), text in s.rows.items():
        if page is not None:
            derived.setdefault(line, text)
    rows = [[page, line, text] for (page, line), text in s.rows.items() if page is not None or derived.get(line) != text]
    row_lines: dict[str, dict[str, int]] = {}
    for (t, r), line in s.row_lines.items():
        row_lines.setdefault(t, {})[r] = line
    return {
        "path": s.path,
        "format": s.format,
        "template": s.template,
        "report_year": s.report_year,
        "agency": s.agency,
        "agency_line": s.agency_line,
        "cells": cells,
        "rows": rows,
        "sections": {
            o: {"key": x.key, "title": x.title, "heading": x.heading, "line": x.line, "text": x.text,
                "starts": [list(p) for p in x.starts], "pages": list(x.page_of)}
            for o, x in s.sections.items()
        },
        "table_lines": dict(s.table_lines),
        "row_lines": row_lines,
    }


def snapshot_from_json(d: dict[str, Any]) -> Snapshot:
    cells: dict[Cell, CellValue] = {}
    for t, rows in (d.get("cells") or {}).items():
        for r, cols in rows.items():
            for c, a in cols.items():
                cells[(t, r, c)] = _cell_from(a)
    rows_: dict[tuple[int | None, int], str] = {}
    for page, line, text in d.get("rows") or []:
        rows_[(page, line)] = text
    for (page, line), text in list(rows_.items()):
        if page is not None:
            rows_.setdefault((None, line), text)
    sections = {
        o: SectionText(
            ordinal=o, key=x["key"], title=x["title"], heading=x.get("heading"), line=x.get("line"), text=x.get("text", ""),
            starts=tuple(tuple(p) for p in x.get("starts") or ()),  # type: ignore[misc]
            page_of=tuple(x.get("pages") or ()),
        )
        for o, x in (d.get("sections") or {}).items()
    }
    return Snapshot(
        path=d.get("path", ""),
        format=d.get("format", ""),
        template=d.get("template"),
        report_year=d.get("report_year"),
        agency=d.get("agency"),
        agency_line=d.get("agency_line"),
        cells=cells,
        rows=rows_,
        sections=sections,
        table_lines=dict(d.get("table_lines") or {}),
        row_lines={(t, r): line for t, rs in (d.get("row_lines") or {}).items() for r, line in rs.items()},
    )


def snapshot_line(meta: dict[str, Any], snap: Snapshot | None) -> dict[str, Any]:
    """The snapshots.jsonl record of one checked report ("audit" first: the scan reads only that)."""
    head = {k: meta.get(k) for k in ("key", "sha256", "rules_version", "settings")}
    return {"audit": head, "snapshot": snapshot_to_json(snap) if snap is not None else None}


# --- snapshots.jsonl ------------------------------------------------------------------------------


class SnapRef(NamedTuple):
    offset: int
    sha256: str | None
    rules_version: str | None
    settings: str | None

    def matches(self, done: Done) -> bool:
        return (self.sha256, self.rules_version, self.settings) == (done.sha256, done.rules_version, done.settings)


def _snap_head(raw: bytes) -> tuple[str, tuple[str | None, str | None, str | None]]:
    i = raw.find(_SNAP_MARK)  # only the small "audit" head is parsed
    head = json.loads(raw[:i] + b"}")["audit"] if i > 0 else json.loads(raw)["audit"]
    return shared(head["key"]), (shared(head.get("sha256")), shared(head.get("rules_version")), shared(head.get("settings")))


def scan_snapshots(path: Path, *, repair: bool = True) -> tuple[dict[str, SnapRef], int]:
    """``{key: SnapRef}`` (the last whole line of each key) and the number of bad lines
    (:func:`~xxgk_lint.audit.store.scan_lines`).  With ``repair`` a torn last line is cut off."""
    index, bad = scan_lines(path, _snap_head, repair=repair)
    return {key: SnapRef(offset, *head) for key, (offset, head) in index.items()}, bad


def read_snapshot(fh: IO[bytes], offset: int) -> Snapshot | None:
    fh.seek(offset)
    try:
        data = json.loads(fh.readline()).get("snapshot")
        return snapshot_from_json(data) if isinstance(data, dict) else None
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def compact_snapshots(path: Path, index: dict[str, SnapRef], order: Iterable[str]) -> None:
    """Rewrite snapshots.jsonl with one line per report in ``order`` (atomically)."""
    from xxgk_lint.audit.store import atomic_writer

    if not path.exists():
        return
    with open(path, "rb") as src, atomic_writer(path, binary=True) as dst:
        for key in order:
            ref = index.get(key)
            if ref is None:
                continue
            src.seek(ref.offset)
            dst.write(src.readline())


# --- pairing --------------------------------------------------------------------------------------


@dataclass(slots=True)
class Member:
    key: str
    year: int
    agency: str
    agency_id: str | None
    done: Done


@dataclass(slots=True)
class PairPlan:
    last_key: str
    sig: str
    findings: list[dict[str, Any]] | None = None  # None = keep the record's (signature unchanged)


@dataclass(slots=True)
class Group:
    key: str  # id:ID or name:NAME
    page: str  # agencies/<hash>.html
    members: dict[int, Member]  # by year

    @property
    def name(self) -> str:
        return self.members[max(self.members)].agency or self.key.split(":", 1)[1]


@dataclass(slots=True)
class YoyPlan:
    pairs: dict[str, PairPlan] = field(default_factory=dict)  # by THIS year's key
    groups: list[Group] = field(default_factory=list)  # agencies with >= 2 years
    group_of: dict[str, Group] = field(default_factory=dict)  # report key -> its agency (>= 2 years)
    computed: int = 0  # pairs evaluated in this run
    reused: int = 0  # pairs whose findings were kept
    elapsed_s: float = 0.0


def agency_page_name(group_key: str) -> str:
    return f"{AGENCY_DIR}/{hashlib.sha256(group_key.encode('utf-8')).hexdigest()[:20]}.html"


def pair_signature(rules_version: str, last: Member, this: Member) -> str:
    blob = json.dumps([rules_version, last.key, last.done.sha256, last.done.settings, this.done.sha256, this.done.settings])
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def group_reports(order: Iterable[str], index: dict[str, tuple[int, Done]]) -> list[Group]:
    """The agencies with at least two report years among ``order`` (in order of their key)."""
    from xxgk_lint.compare.continuity import agency_groups

    members = []
    for key in order:
        hit = index.get(key)
        if hit is None:
            continue
        d = hit[1]
        if isinstance(d.year, int) and not isinstance(d.year, bool):
            members.append(Member(key, d.year, d.agency or "", d.agency_id, d))
    groups = agency_groups(members, year=lambda m: m.year, agency=lambda m: m.agency, manifest_id=lambda m: m.agency_id)
    return [Group(k, agency_page_name(k), dict(sorted(g.items()))) for k, g in sorted(groups.items()) if len(g) >= 2]


def plan_pairs(
    order: list[str], index: dict[str, tuple[int, Done]], snaps: dict[str, SnapRef], snap_path: Path,
    *, rules_version: str, opts: Any, jobs: int = 1,
) -> YoyPlan:
    """Group the reports by agency and evaluate every consecutive pair whose signature changed
    (in a process pool of ``jobs`` when there are many; :func:`run_units`)."""
    import time

    start = time.perf_counter()
    plan = YoyPlan()
    plan.groups = group_reports(order, index)
    units: list[list[PairJob]] = []
    for g in plan.groups:
        unit: list[PairJob] = []
        for m in g.members.values():
            plan.group_of[m.key] = g
        for y, this in g.members.items():
            last = g.members.get(y - 1)
            if last is None:
                continue
            sig = pair_signature(rules_version, last, this)
            if this.done.xsig == sig:
                plan.pairs[this.key] = PairPlan(last.key, sig)
                plan.reused += 1
                continue
            a, b = snaps.get(last.key), snaps.get(this.key)
            if a is None or b is None or not a.matches(last.done) or not b.matches(this.done):
                continue  # no snapshot: no pair
            plan.pairs[this.key] = PairPlan(last.key, sig)
            unit.append(PairJob(this.key, last.key, a.offset, b.offset))
        if unit:
            units.append(unit)  # one agency's pairs together: a year's snapshot is loaded once
    common = (str(snap_path), opts)
    # a pair costs ~10-20 ms (the copy rules align two sections' prose), a pool ~0.1 s: split by the
    # number of pairs, not of agencies (hundreds of pairs may come from a few dozen agencies)
    n_pairs = sum(len(u) for u in units)
    for this_key, findings in run_units(_pairs_unit, units, common, jobs, 1 if n_pairs >= PAIRS_PARALLEL_MIN else len(units) + 1):
        pp = plan.pairs[this_key]
        if findings is None:  # a snapshot could not be read after all
            del plan.pairs[this_key]
            continue
        pp.findings = findings
        plan.computed += 1
    plan.elapsed_s = time.perf_counter() - start
    return plan


class PairJob(NamedTuple):
    this_key: str
    last_key: str
    last_offset: int
    this_offset: int


PARALLEL_MIN = 64  # fewer units than this are done in the parent process
PAIRS_PARALLEL_MIN = 24  # fewer pairs to evaluate than this are evaluated in the parent process


def _pairs_unit(common: tuple[str, Any], units: list[list[PairJob]]) -> list[tuple[str, list[dict[str, Any]] | None]]:
    """Evaluate some agencies' pairs (in a pool process or the parent)."""
    path, opts = common
    rules = opts.active_rules()
    severity = dict(opts.severity)
    out: list[tuple[str, list[dict[str, Any]] | None]] = []
    with open(path, "rb") as fh:
        for unit in units:
            loaded: dict[int, Snapshot | None] = {}

            def load(offset: int, loaded: dict[int, Snapshot | None] = loaded) -> Snapshot | None:
                if offset not in loaded:
                    loaded[offset] = read_snapshot(fh, offset)
                return loaded[offset]

            for job in unit:
                a, b = load(job.last_offset), load(job.this_offset)
                if a is None or b is None:
                    out.append((job.this_key, None))
                    continue
                out.append((job.this_key, pair_findings(job.last_key, a, b, opts.lang, rules, severity)))
    return out


def run_units(fn: Callable[[Any, list[Any]], list[Any]], units: list[Any], common: Any, jobs: int, min_parallel: int) -> list[Any]:
    """``fn(common, units)`` - split over a process pool of ``jobs`` when there are at least
    ``min_parallel`` units (the run's own pool is gone by now, so the cores are free).  A chunk whose
    process fails is redone in this process; results keep the units' order."""
    if jobs <= 1 or len(units) < max(2, min_parallel):
        return fn(common, units) if units else []
    from concurrent.futures import as_completed

    from xxgk_lint.audit.executors import new_pool

    n = min(len(units), jobs * 4)
    size = -(-len(units) // n)
    chunks = [units[i : i + size] for i in range(0, len(units), size)]
    results: list[list[Any] | None] = [None] * len(chunks)
    try:
        with new_pool(min(jobs, len(chunks))) as ex:
            futures = {ex.submit(fn, common, c): i for i, c in enumerate(chunks)}
            for f in as_completed(futures):
                with contextlib.suppress(Exception):  # redone below
                    results[futures[f]] = f.result()
    except Exception:  # noqa: BLE001 - a broken pool: whatever is missing is done here
        pass
    out: list[Any] = []
    for i, c in enumerate(chunks):
        got = results[i]
        out.extend(got if got is not None else fn(common, c))
    return out


def _row_text(snap: Snapshot, line: int | None) -> str:
    if line is None:
        return ""
    return snap.rows.get((None, line), "")


def pair_findings(
    last_key: str, last: Snapshot, this: Snapshot, lang: str, rules: list[Any] | None, severity: dict[str, str]
) -> list[dict[str, Any]]:
    """The X findings of one pair as findings.jsonl objects, each with ``last``."""
    from xxgk_lint.check.findings import _jsonable
    from xxgk_lint.compare.continuity import continuity_findings

    out = []
    for f in continuity_findings(last, this, lang, rules):
        if f.rule in severity:
            f.severity = severity[f.rule]  # type: ignore[assignment]
        d = f.to_json()
        info = dict(f.extra.get("last") or {})
        info.setdefault("path", last.path)
        info.setdefault("report_year", last.report_year)
        info["key"] = last_key
        if isinstance(info.get("cells"), list):
            info["cells"] = [{**c, "context": _row_text(last, c.get("line"))} for c in info["cells"]]
        d["last"] = _jsonable(info)
        for k in ("similarity", "passages"):
            if k in f.extra:
                d[k] = _jsonable(f.extra[k])
        out.append(d)
    return out


def is_continuity(f: dict[str, Any]) -> bool:
    """A finding the audit added from a pair of years (the single-report check never adds ``last``)."""
    return "last" in f


# --- the report's page ----------------------------------------------------------------------------


def x_signature(findings: list[dict[str, Any]]) -> str:
    """What a page shows of its X findings (not baseline/decision marks)."""
    if not findings:
        return ""
    clean = [{k: v for k, v in f.items() if k not in ("baseline", "decision")} for f in findings]
    return hashlib.sha256(dumps({"x": clean}).encode("utf-8")).hexdigest()[:16]


def page_signature(path: Path) -> str | None:
    """The X signature in a page's head ("" = none), None when the page cannot be read."""
    return meta_content(path, PAGE_META, missing="")


def meta_content(path: Path, name: str, *, missing: str | None) -> str | None:
    """The content of ``<meta name=NAME content=...>`` in the first 4 KiB of a page we wrote;
    ``missing`` when it is not there, None when the page cannot be read."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096).decode("utf-8", "ignore")
    except OSError:
        return None
    marker = f'name="{name}" content="'
    i = head.find(marker)
    if i < 0:
        return missing
    j = head.find('"', i + len(marker))
    return head[i + len(marker) : j] if j > 0 else missing


def _where(f: dict[str, Any], template: str | None, lang: str) -> tuple[list[str], str]:
    from xxgk_lint.render import html as rh

    ns = SimpleNamespace(section=f.get("section"), table=f.get("table"), cell=f.get("cell"), page=f.get("page"))
    return rh._where(ns, SimpleNamespace(template=template), rh.UI[lang], lang)  # type: ignore[arg-type]


def _excerpt_text(f: dict[str, Any], lang: str) -> str:
    last = f.get("last") or {}
    this_word, last_word = ("this year", "last year") if lang == "en" else ("本年", "上年")
    lines = []
    if f.get("context"):
        where = f" {f['line']}" if f.get("line") is not None else ""
        lines.append(f"{this_word}{where}: {f['context']}")
    for c in last.get("cells") or []:
        if c.get("context"):
            lines.append(f"{last_word} {c.get('line') or ''}: {c['context']}")
    if last.get("agency"):
        lines.append(f"{last_word}: {last['agency']}")
    return "\n".join(lines)


def _render_x(findings: list[dict[str, Any]], template: str | None, lang: str) -> str:
    """findings.html.j2 rendered for the X findings alone (the articles are taken out of it)."""
    from xxgk_lint import __version__
    from xxgk_lint.check.rules import builtin_rules
    from xxgk_lint.render import html as rh

    ui = rh.UI[lang]
    rules = {r.code: r for r in builtin_rules()}
    views = []
    counts = {"error": 0, "warning": 0, "info": 0}
    for i, f in enumerate(findings, 1):
        rule = rules.get(str(f.get("rule")))
        where, _caption = _where(f, template, lang)
        ns = SimpleNamespace(line=f.get("line"), column=f.get("column"))
        sev = str(f.get("severity", "warning"))
        counts[sev] = counts.get(sev, 0) + 1
        text = _excerpt_text(f, lang)
        views.append({
            "id": f"x{i}", "rule": f.get("rule"), "rule_name": rule.name if rule else "",
            "rule_summary": rule.text("summary", lang) if rule else "", "has_doc": rule is not None,
            "severity": sev, "severity_label": ui.get(sev, sev), "message": f.get("message", ""),
            "position": rh._position(ns, ui), "line": f.get("line"), "column": f.get("column"), "where": where,  # type: ignore[arg-type]
            "expected": rh._fmt(f.get("expected")), "actual": rh._fmt(f.get("actual")),
            "has_expected": f.get("expected") is not None or f.get("actual") is not None, "cell": f.get("cell") or "",
            "fingerprint": f.get("fingerprint", ""),
            "excerpt": rh.Excerpt(kind="context", context=text) if text else rh.Excerpt(kind="none"),
        })
    used = sorted({str(f.get("rule")) for f in findings if str(f.get("rule")) in rules})
    totals = {"files": 1, "errors": counts["error"], "warnings": counts["warning"], "infos": counts["info"]}
    ctx = {
        "lang": lang, "ui": ui, "csp": rh.CSP, "version": __version__,
        "files": [{"id": "file-1", "path": "", "meta": [], "counts": counts, "worst": "clean", "read_error": False, "findings": views}],
        "totals": totals, "summary_line": ui["summary"].format(**totals), "rules": [rh._rule_view(rules[c], lang) for c in used],
    }
    return rh._environment().get_template(rh.TEMPLATE).render(**ctx)


PAGE_UI = {
    "zh": {"heading": "与上年度报告比较(连续性检查,{last})", "unknown_year": "上年度"},
    "en": {"heading": "Compared with last year's report (continuity, {last})", "unknown_year": "last year"},
}


def patch_page(page_html: str, findings: list[dict[str, Any]], template: str | None, lang: str) -> str:
    """The report's page with its X findings (replacing any it had), counts and head signature updated."""
    import lxml.html
    from lxml import etree

    from xxgk_lint.render import html as rh

    lang = lang if lang in rh.UI else "zh"
    ui = rh.UI[lang]
    doc = lxml.html.document_fromstring(page_html)
    for el in doc.xpath("//*[@data-continuity]"):
        el.drop_tree()
    sections = doc.xpath('//section[contains(concat(" ", normalize-space(@class), " "), " file ")]')
    if not sections:
        return page_html
    sec = sections[0]
    head = doc.find("head")
    if findings:
        frag = lxml.html.document_fromstring(_render_x(findings, template, lang))
        last = findings[0].get("last") or {}
        year = last.get("report_year")
        label = (f"{year}" if lang == "en" else f"{year}年度") if year else PAGE_UI[lang]["unknown_year"]
        h = etree.SubElement(sec, "h3")
        h.set("class", "continuity")
        h.set("data-continuity", "")
        h.text = PAGE_UI[lang]["heading"].format(last=f"{label}: {last.get('path', '')}")
        for art in frag.xpath('//article[contains(concat(" ", normalize-space(@class), " "), " finding ")]'):
            art.set("data-continuity", "")
            sec.append(art)
        rule_arts = frag.xpath('//article[contains(concat(" ", normalize-space(@class), " "), " rule ")]')
        if rule_arts:
            rsec = doc.xpath('//section[contains(concat(" ", normalize-space(@class), " "), " rules ")]')
            if rsec:
                target = rsec[0]
            else:
                target = etree.Element("section")
                target.set("class", "rules")
                target.set("data-continuity", "")
                h2 = etree.SubElement(target, "h2")
                h2.text = ui["rules"]
                sec.addnext(target)
            have = {a.get("id") for a in target.xpath("./article")}
            for art in rule_arts:
                if art.get("id") not in have:
                    art.set("data-continuity", "")
                    target.append(art)
        if head is not None:
            meta = etree.SubElement(head, "meta")
            meta.set("name", PAGE_META)
            meta.set("content", x_signature(findings))
            meta.set("data-continuity", "")
            head.remove(meta)
            head.insert(1, meta)  # near the top: page_signature reads the first 4 KB
    # counts from what the page now lists
    counts = {"error": 0, "warning": 0, "info": 0}
    for art in sec.xpath('.//article[contains(concat(" ", normalize-space(@class), " "), " finding ")]'):
        sev = art.get("data-severity", "")
        if sev in counts:
            counts[sev] += 1
    worst = next((s for s in ("error", "warning", "info") if counts[s]), "clean")
    sec.set("class", " ".join([c for c in (sec.get("class") or "").split() if not c.startswith("worst-")] + [f"worst-{worst}"]))
    words = {"error": ui["errors"], "warning": ui["warnings"], "info": ui["infos"]}

    def set_badges(scope: Any) -> None:
        for sev, word in words.items():
            found = scope.xpath(f'./span[contains(concat(" ", normalize-space(@class), " "), " sev-{sev} ")]')
            if found:
                found[0].text = f"{word} {counts[sev]}"

    for p in doc.xpath('//header[contains(@class, "page-head")]/p[contains(@class, "totals")]'):
        set_badges(p)
        for s in p.xpath('./span[contains(@class, "summary-line")]'):
            s.text = ui["summary"].format(files=1, errors=counts["error"], warnings=counts["warning"], infos=counts["info"])
    for p in sec.xpath('./div[contains(@class, "file-summary")]/p[contains(@class, "counts")]'):
        set_badges(p)
    clean = sec.xpath('./p[@class="clean"]')
    if sum(counts.values()):
        for p in clean:
            p.drop_tree()
    elif not clean:
        summary = sec.xpath('./div[contains(@class, "file-summary")]')
        p = etree.Element("p")
        p.set("class", "clean")
        p.text = ui["no_findings"]
        (summary[0].addnext(p) if summary else sec.append(p))
    return lxml.html.tostring(doc, doctype="<!DOCTYPE html>", encoding="unicode") + "\n"


def write_page(path: Path, findings: list[dict[str, Any]], template: str | None, lang: str) -> bool:
    """Patch one page in place (atomically); False when it cannot be read."""
    from xxgk_lint.audit.store import write_atomic

    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return False
    write_atomic(path, patch_page(text, findings, template, lang), sync=False)
    return True


def apply_year(snap: Snapshot, year: int | None) -> Snapshot:
    """The snapshot with the audit's report year (a manifest year wins over the report's)."""
    if year is None or snap.report_year == year:
        return snap
    return replace(snap, report_year=year)



def patch_pages(common: tuple[str, str], jobs: list[tuple[str, list[dict[str, Any]], str | None]]) -> list[bool]:
    """Patch some report pages with their X findings (in a pool process or the parent)."""
    out, lang = common
    return [write_page(Path(out) / page, x, template, lang) for page, x, template in jobs]
