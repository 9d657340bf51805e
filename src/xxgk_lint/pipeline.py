"""read -> parse -> check for one file, and the file walk for many.  Never raises on bad input."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from xxgk_lint.check.engine import internal_error, run_checks
from xxgk_lint.check.findings import Finding
from xxgk_lint.check.rules import Rule, builtin_rules, fill, select_rules
from xxgk_lint.parse import parse_document, report_template
from xxgk_lint.parse.model import Report
from xxgk_lint.read import WALKED_SUFFIXES, read_path
from xxgk_lint.read.document import Document, ReadError


@dataclass(slots=True)
class Options:
    template: str = "auto"
    lang: str = "zh"
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    kind: str | None = None
    published_on: date | None = None
    published_on_source: str = "option"  # where published_on came from: option | manifest
    report_year: int | None = None  # None = read from the file; set = the year to check (a manifest's)
    severity: dict[str, str] = field(default_factory=dict)
    rules: tuple[Rule, ...] | None = None  # None = the built-in rules
    extra: dict[str, Any] = field(default_factory=dict)

    def active_rules(self) -> list[Rule]:
        rules = self.rules if self.rules is not None else builtin_rules()
        return select_rules(rules, self.select, self.ignore)


@dataclass(slots=True)
class FileResult:
    path: str
    findings: list[Finding]
    report: Report | None = None
    doc: Document | None = None
    read_error: bool = False

    def to_json(self) -> dict[str, Any]:
        r = self.report
        return {
            "path": self.path,
            "template": r.template if r else None,
            "report_year": r.report_year if r else None,
            "agency": r.agency if r else None,
            "kind": r.kind if r else None,
            "published_on": r.published_on.isoformat() if r and r.published_on else None,
            "published_on_source": r.published_on_source if r else None,
            "encoding": (self.doc.encoding if self.doc else None),
            "findings": [f.to_json() for f in self.findings],
        }


def read_error_finding(err: ReadError, rules: dict[str, Rule], lang: str) -> Finding:
    detail = err.en if lang == "en" else err.zh
    rule = rules.get(err.code)
    message = fill(rule.text("message", lang), {"detail": detail}) if rule else detail
    return Finding(rule=err.code, severity="error", message=message, line=err.line, subject=err.code)


def lint_document(doc: Document, opts: Options, rules: list[Rule] | None = None) -> FileResult:
    rules = opts.active_rules() if rules is None else rules
    all_rules = {r.code: r for r in (opts.rules if opts.rules is not None else builtin_rules())}
    try:
        report = parse_document(
            doc,
            opts.template,
            kind=opts.kind,
            published_on=opts.published_on,
            published_on_source=opts.published_on_source,
            report_year=opts.report_year,
        )
    except Exception as exc:  # noqa: BLE001 - a parser bug must not stop a batch
        return FileResult(
            doc.path, [internal_error(all_rules, f"parse: {type(exc).__name__}: {exc}", opts.lang)], doc=doc
        )
    template = report_template(report)  # per-table layouts of a mixed report included
    findings = run_checks(
        report,
        doc,
        template,
        rules,
        lang=opts.lang,
        severity_overrides=opts.severity,
        options=opts.extra,
        all_rules=all_rules,
    )
    return FileResult(doc.path, findings, report=report, doc=doc)


def lint_path(path: str | Path, opts: Options, rules: list[Rule] | None = None) -> FileResult:
    all_rules = {r.code: r for r in (opts.rules if opts.rules is not None else builtin_rules())}
    try:
        doc = read_path(path)
    except ReadError as err:
        return FileResult(str(path), [read_error_finding(err, all_rules, opts.lang)], read_error=True)
    except Exception as exc:  # noqa: BLE001
        return FileResult(
            str(path),
            [internal_error(all_rules, f"read: {type(exc).__name__}: {exc}", opts.lang)],
            read_error=True,
        )
    return lint_document(doc, opts, rules)


_settled = False


def settle() -> None:
    """Call once the first report of a run is done.  By then the long-lived objects (rules,
    templates, the Lark parsers, compiled patterns) are all built; ``gc.freeze()`` moves them out
    of the cycle collector's sight, so its collections during the rest of the run scan only what
    each report makes (~10% of a batch's time otherwise).  Objects freed by reference counting are
    freed as before; only cyclic garbage among the frozen objects would stay, and they are kept
    for the whole run anyway."""
    global _settled
    if not _settled:
        _settled = True
        import gc

        gc.freeze()


def iter_inputs(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files as given, folders walked (sorted, symlink loops avoided).  A walk yields the supported
    formats and the Word formats we cannot read (.doc, .wps), so those get an E002 finding saying how
    to convert them instead of being skipped in silence; hidden files (".name") are skipped."""
    seen: set[str] = set()
    for p in paths:
        path = Path(p)
        if path.is_dir():
            for root, dirs, files in os.walk(path, followlinks=False):
                dirs.sort()
                for name in sorted(files):
                    f = Path(root) / name
                    if f.suffix.lower() in WALKED_SUFFIXES and not name.startswith("."):
                        key = str(f)
                        if key not in seen:
                            seen.add(key)
                            yield f
        else:
            key = str(path)
            if key not in seen:
                seen.add(key)
                yield path
