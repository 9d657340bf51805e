"""Year over year: compare an agency's report with its previous year's.

Public API (imported lazily, so ``xxgk_lint.compare.cli`` stays light):

* ``compare(last, this, lang)`` -> :class:`Comparison` - cells, sections, copied passages, findings;
* ``continuity_findings(last, this, lang)`` -> list of X findings (rules/continuity.yaml);
* ``normalise_agency(name)`` and ``consecutive_pairs(...)`` - matching an agency's years in an audit;
* ``snapshot(file_result)`` -> :class:`Snapshot` - the small, picklable part of a report they need.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "Comparison",
    "Snapshot",
    "compare",
    "consecutive_pairs",
    "continuity_findings",
    "normalise_agency",
    "snapshot",
]

_WHERE = {
    "Comparison": "xxgk_lint.compare.model",
    "Snapshot": "xxgk_lint.compare.model",
    "snapshot": "xxgk_lint.compare.model",
    "compare": "xxgk_lint.compare.continuity",
    "consecutive_pairs": "xxgk_lint.compare.continuity",
    "continuity_findings": "xxgk_lint.compare.continuity",
    "normalise_agency": "xxgk_lint.compare.continuity",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'xxgk_lint.compare' has no attribute {name!r}")
