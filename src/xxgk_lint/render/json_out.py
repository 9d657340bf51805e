"""The versioned JSON contract (schema 1).  See README "JSON output"."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from xxgk_lint import __version__
from xxgk_lint.pipeline import FileResult

SCHEMA = 1


def summary(results: Sequence[FileResult]) -> dict[str, int]:
    counts = {"error": 0, "warning": 0, "info": 0}
    for r in results:
        for f in r.findings:
            counts[f.severity] += 1
    return {
        "files": len(results),
        "errors": counts["error"],
        "warnings": counts["warning"],
        "infos": counts["info"],
    }


def to_document(results: Sequence[FileResult]) -> dict[str, Any]:
    return {
        "tool": "xxgk-lint",
        "version": __version__,
        "schema": SCHEMA,
        "files": [r.to_json() for r in results],
        "summary": summary(results),
    }


def render_json(results: Sequence[FileResult]) -> str:
    return json.dumps(to_document(results), ensure_ascii=False, indent=2) + "\n"
