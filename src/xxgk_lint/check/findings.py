"""Findings: what a rule says about a place in a report, like a compiler diagnostic."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]
SEVERITY_RANK: dict[str, int] = {"info": 1, "warning": 2, "error": 3}


@dataclass(slots=True)
class Finding:
    rule: str
    severity: Severity
    message: str
    line: int | None = None
    column: int | None = None
    section: str | None = None  # template ordinal 一…六
    table: str | None = None  # active | requests | reviews | (legacy: stats)
    cell: str | None = None  # dotted row.column template key
    expected: Any = None
    actual: Any = None
    context: str | None = None
    # what was compared, for the fingerprint (defaults to expected/actual-free place key)
    subject: str | None = None
    page: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        """Stable across unrelated edits: rule + logical place + subject, never the line number."""
        key = json.dumps(
            [self.rule, self.section, self.table, self.cell, self.subject or ""],
            ensure_ascii=False,
        )
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "line": self.line,
            "column": self.column,
            "section": self.section,
            "table": self.table,
            "cell": self.cell,
            "expected": _jsonable(self.expected),
            "actual": _jsonable(self.actual),
            "context": self.context,
            "fingerprint": self.fingerprint,
        }


def _jsonable(value: Any) -> Any:
    from decimal import Decimal

    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def sort_key(f: Finding) -> tuple[int, int, str]:
    return (f.line if f.line is not None else 0, -SEVERITY_RANK[f.severity], f.rule)
