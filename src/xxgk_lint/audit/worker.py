"""The per-file audit function: what runs in a pool process or on a Dask worker.

:func:`audit_file` takes a picklable :class:`Task` and returns ``(record, page_html, snapshot)``:
the snapshot (:class:`xxgk_lint.compare.model.Snapshot`, small and picklable; None for an unreadable
file) is what the end of the run pairs consecutive years with (continuity rules X1xx, audit.yoy).  It
never raises: anything that goes wrong becomes an E100 finding in the record.  It needs only the
installed ``xxgk_lint`` package (and read access to the report file), so the same function runs on
a Dask cluster's workers.
"""

from __future__ import annotations

import dataclasses
import hashlib
import sys
import traceback
from dataclasses import dataclass, field
from datetime import UTC, date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xxgk_lint.pipeline import FileResult, Options

if TYPE_CHECKING:
    from xxgk_lint.compare.model import Snapshot

PAGE_DIR = "reports"
Result = tuple[dict[str, Any], str | None, "Snapshot | None"]


@dataclass(slots=True)
class Task:
    index: int
    path: str
    key: str  # the report's stable key: its path relative to the audit root
    opts: Options
    settings: str  # hash of everything besides the file that the result depends on
    rules_version: str
    refs: tuple[str, ...] = ()  # cells the indicators need (table.row.column)
    overrides: dict[str, Any] = field(default_factory=dict)  # from the manifest
    page: str | None = None  # page file name under DIR/reports/, None = no page
    run_id: str = ""


def page_name(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:20] + ".html"


def file_sha256(path: str | Path) -> str | None:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except OSError:
        return None
    return h.hexdigest()


def _lint(task: Task) -> FileResult:
    """lint_path, with a manifest publication date checked under the source name "manifest" and a
    manifest year as the report year (so the D101 finding and summary.csv's on_time agree)."""
    from xxgk_lint.pipeline import lint_path

    opts = task.opts
    changes: dict[str, Any] = {}
    if opts.published_on is not None and task.overrides.get("published_on"):
        changes["published_on_source"] = "manifest"
    year = task.overrides.get("year")
    if isinstance(year, int) and not isinstance(year, bool):
        changes["report_year"] = year
    return lint_path(task.path, dataclasses.replace(opts, **changes) if changes else opts)


def _deadline(fr: FileResult, opts: Options, year: int | None) -> date | None:
    """The statutory deadline for the report (rules/deadlines.yaml via check.kinds_dates.deadline_for)."""
    if fr.report is None or fr.doc is None or year is None:
        return None
    from xxgk_lint.check.context import CheckContext
    from xxgk_lint.check.kinds_dates import deadline_for
    from xxgk_lint.check.rules import builtin_rules

    rules = opts.rules if opts.rules is not None else builtin_rules()
    rule = next((r for r in rules if r.check == "deadline"), None)
    if rule is None:
        return None
    report = fr.report if fr.report.report_year == year else dataclasses.replace(fr.report, report_year=year)
    ctx = CheckContext(report=report, doc=fr.doc, template=None, lang=opts.lang, options=dict(opts.extra))
    got = deadline_for(ctx, rule)
    return got[0] if got else None


def base_record(task: Task) -> dict[str, Any]:
    ov = task.overrides
    return {
        "path": task.path,
        "template": None,
        "report_year": None,
        "agency": None,
        "kind": None,
        "published_on": None,
        "published_on_source": None,
        "encoding": None,
        "findings": [],
        "region": ov.get("region"),
        "url": ov.get("url"),
    }


def audit_meta(task: Task, sha: str | None) -> dict[str, Any]:
    return {
        "key": task.key,
        "sha256": sha,
        "rules_version": task.rules_version,
        "settings": task.settings,
        "run_id": task.run_id,
        "checked_at": _now(),
    }


def _now() -> str:
    from datetime import datetime

    return datetime.now(UTC).isoformat(timespec="milliseconds")


def error_record(task: Task, detail: str, sha: str | None = None) -> dict[str, Any]:
    """A record for a file whose check could not finish (worker died, timed out, raised)."""
    from xxgk_lint.check.engine import internal_error
    from xxgk_lint.check.rules import builtin_rules

    opts = task.opts
    all_rules = {r.code: r for r in (opts.rules if opts.rules is not None else builtin_rules())}
    rec = base_record(task)
    rec["findings"] = [internal_error(all_rules, detail, opts.lang).to_json()]
    meta = audit_meta(task, sha if sha is not None else file_sha256(task.path))
    ov = task.overrides
    meta.update(
        read_error=True, failed=detail, page=None, agency=ov.get("agency"), agency_id=ov.get("id"), year=ov.get("year"),
        kind=ov.get("kind"), deadline=None, on_time=None, cells={},
    )
    rec["audit"] = meta
    return rec


def audit_file(task: Task) -> Result:
    """Check one file; the record is the ``check`` JSON file object plus region/url and ``audit``."""
    global _done_here
    try:
        return _audit_file(task)
    except BaseException as exc:  # noqa: BLE001 - one bad file never stops the batch
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        tb = traceback.format_exception_only(type(exc), exc)[-1].strip()
        return error_record(task, f"audit: {tb}"), None, None
    finally:
        _done_here += 1
        if _done_here == 1:
            from xxgk_lint.pipeline import settle

            settle()
        if _done_here % TRIM_EVERY == 0:
            trim_caches()


TRIM_EVERY = 200
TRIM_ABOVE = 1024
_done_here = 0


def trim_caches() -> int:
    """Keep a long-lived worker's memory flat: clear the package's bounded ``lru_cache``s that hold
    more than TRIM_ABOVE entries.  Some are keyed by whole paragraphs (``parse.textnorm.norm``,
    maxsize 65536; ``parse.narrative.analyse``), so over thousands of distinct reports they keep
    every report's text alive (~30 KB per report, ~250 MB per process at the cap).  Unbounded
    ``@cache`` functions (rules, templates, grammars) are left alone.  Returns the number cleared."""
    seen: set[int] = set()
    cleared = 0
    for name, mod in list(sys.modules.items()):
        if not name.startswith("xxgk_lint.") or mod is None:
            continue
        for value in list(vars(mod).values()):
            info = getattr(value, "cache_info", None)
            if info is None or id(value) in seen or not callable(getattr(value, "cache_clear", None)):
                continue
            seen.add(id(value))
            try:
                ci = info()
            except TypeError:
                continue
            if ci.maxsize is not None and ci.currsize > TRIM_ABOVE:
                value.cache_clear()
                cleared += 1
    return cleared


def _snapshot(fr: FileResult, year: int | None) -> Snapshot | None:
    """What the continuity rules and the agency page need of the report (None: nothing to compare)."""
    if fr.report is None or fr.doc is None:
        return None
    from xxgk_lint.audit.yoy import SECTIONS, apply_year
    from xxgk_lint.compare.model import snapshot

    return apply_year(snapshot(fr, sections=SECTIONS), year)


def _audit_file(task: Task) -> Result:
    from xxgk_lint.audit.indicators import extract_cells

    sha = file_sha256(task.path)
    fr = _lint(task)
    rec = fr.to_json()
    ov = task.overrides
    rec["region"] = ov.get("region")
    rec["url"] = ov.get("url")
    r = fr.report
    year = ov.get("year") or (r.report_year if r else None)
    due = _deadline(fr, task.opts, year)
    pub = r.published_on if r else None
    meta = audit_meta(task, sha)
    meta.update(
        read_error=fr.read_error,
        failed=None,
        agency=ov.get("agency") or (r.agency if r else None),
        agency_id=ov.get("id"),
        year=year,
        kind=r.kind if r else ov.get("kind"),
        deadline=due.isoformat() if due else None,
        on_time=(pub <= due) if (pub is not None and due is not None) else None,
        cells=extract_cells(r, task.refs) if r is not None else {},
        page=None,
    )
    rec["audit"] = meta
    html: str | None = None
    if task.page is not None:
        try:
            from xxgk_lint.render.html import render_html

            html = render_html([fr], lang=task.opts.lang)
            meta["page"] = f"{PAGE_DIR}/{task.page}"
        except Exception as exc:  # noqa: BLE001 - the record matters more than the page
            meta["page_error"] = f"{type(exc).__name__}: {exc}"
    try:
        snap = _snapshot(fr, year)
    except Exception as exc:  # noqa: BLE001 - without a snapshot the report is only left out of pairs
        meta["snapshot_error"] = f"{type(exc).__name__}: {exc}"
        snap = None
    return rec, html, snap
