"""Triage that lasts across re-audits: a baseline of known findings and a reviewer's decisions.

Both are keyed by the finding ``fingerprint`` of the JSON output (rule + section + table + cell +
what was compared; never the line number), qualified by the report's key (its path relative to the
audit root), because two reports with the same defect share a fingerprint.

Baseline (``--write-baseline FILE`` writes it, ``--baseline FILE`` reads it): JSON
``{"kind": "xxgk-lint-audit-baseline", "version": 1, "reports": {key: {fingerprint: rule}}}``.
A re-audit marks each finding ``new`` or ``known`` and lists the baseline's findings that are gone
(``fixed``) for the reports that are still audited.

Decisions (``--decisions FILE``, YAML or CSV) - one per finding a reviewer looked at:

=========== ======================================================================
fingerprint the finding's fingerprint (required)
decision    ``confirmed`` or ``dismissed`` (required; 确认 / 驳回 also accepted)
note        free text
reviewer    who decided
path        the report's key or path; empty = every report with that fingerprint
=========== ======================================================================

A YAML file is a list of such mappings (or ``{decisions: [...]}``).  A dismissed finding stays in
the outputs, marked dismissed, and is not counted in error/warning totals, rule charts or
indicators.  Decisions carry over when a rule's version changes, as long as the fingerprint is the
same.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

BASELINE_KIND = "xxgk-lint-audit-baseline"
DECISION_WORDS = {"confirmed": "confirmed", "dismissed": "dismissed", "确认": "confirmed", "驳回": "dismissed", "误报": "dismissed"}


class TriageFileError(ValueError):
    pass


# --- baseline -------------------------------------------------------------------------------------


def load_baseline(path: str | Path) -> dict[str, dict[str, str]]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TriageFileError(f"{path}: cannot read the baseline ({exc})") from None
    if not isinstance(data, dict) or data.get("kind") != BASELINE_KIND or not isinstance(data.get("reports"), dict):
        raise TriageFileError(f"{path}: not an xxgk-lint audit baseline (write one with --write-baseline)")
    out: dict[str, dict[str, str]] = {}
    for key, fps in data["reports"].items():
        if isinstance(fps, dict):
            out[str(key)] = {str(fp): str(rule) for fp, rule in fps.items()}
        elif isinstance(fps, list):
            out[str(key)] = {str(fp): "" for fp in fps}
    return out


def baseline_document(reports: dict[str, dict[str, str]], rules_version: str, tool_version: str) -> dict[str, Any]:
    return {
        "kind": BASELINE_KIND,
        "version": 1,
        "tool_version": tool_version,
        "rules_version": rules_version,
        "reports": {k: dict(sorted(v.items())) for k, v in sorted(reports.items())},
    }


# --- decisions ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Decision:
    fingerprint: str
    decision: str  # confirmed | dismissed
    note: str = ""
    reviewer: str = ""
    path: str = ""  # report key or path; "" = any report

    def to_json(self) -> dict[str, str]:
        return {"decision": self.decision, "note": self.note, "reviewer": self.reviewer}


class Decisions:
    def __init__(self, items: Iterable[Decision] = ()) -> None:
        self.by_report: dict[tuple[str, str], Decision] = {}
        self.by_fp: dict[str, Decision] = {}
        self.used: set[Decision] = set()
        for d in items:
            if d.path:
                self.by_report[(d.path, d.fingerprint)] = d
            else:
                self.by_fp[d.fingerprint] = d

    def __len__(self) -> int:
        return len(self.by_report) + len(self.by_fp)

    def lookup(self, key: str, path: str, fingerprint: str) -> Decision | None:
        d = self.by_report.get((key, fingerprint)) or self.by_report.get((path, fingerprint)) or self.by_fp.get(fingerprint)
        if d is not None:
            self.used.add(d)
        return d

    def unused(self) -> list[Decision]:
        return [d for d in (*self.by_report.values(), *self.by_fp.values()) if d not in self.used]


def _decision(raw: dict[str, Any], where: str) -> Decision:
    fp = str(raw.get("fingerprint") or "").strip()
    word = str(raw.get("decision") or "").strip()
    if not fp:
        raise TriageFileError(f"{where}: no fingerprint")
    decision = DECISION_WORDS.get(word.lower()) or DECISION_WORDS.get(word)
    if decision is None:
        raise TriageFileError(f"{where}: decision '{word}' is not confirmed or dismissed")
    return Decision(
        fingerprint=fp,
        decision=decision,
        note=str(raw.get("note") or "").strip(),
        reviewer=str(raw.get("reviewer") or "").strip(),
        path=str(raw.get("path") or "").strip(),
    )


def load_decisions(path: str | Path) -> Decisions:
    p = Path(path)
    try:
        text = p.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise TriageFileError(f"{path}: cannot read the decisions file ({exc})") from None
    items: list[Decision] = []
    if p.suffix.lower() in (".yaml", ".yml"):
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise TriageFileError(f"{path}: {exc}") from None
        if isinstance(data, dict):
            data = data.get("decisions")
        if data is None:
            data = []
        if not isinstance(data, list):
            raise TriageFileError(f"{path}: expected a list of decisions")
        for i, raw in enumerate(data):
            if not isinstance(raw, dict):
                raise TriageFileError(f"{path}: decisions[{i}] is not a mapping")
            items.append(_decision(raw, f"{path}: decisions[{i}]"))
    else:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        if reader.fieldnames is None or "fingerprint" not in [f.strip() for f in reader.fieldnames]:
            raise TriageFileError(f"{path}: the CSV header needs fingerprint,decision[,note,reviewer,path]")
        for lineno, row in enumerate(reader, start=2):
            row = {(k or "").strip(): v for k, v in row.items()}
            if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
                continue
            items.append(_decision(row, f"{path}:{lineno}"))
    return Decisions(items)
