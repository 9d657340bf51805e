"""Check kinds of the continuity rules (X1xx, rules/continuity.yaml).

These rules compare two reports of one agency - last year's and this year's - so the single-report
engine (``check.engine.run_checks``) has nothing to evaluate: the kinds are registered here as no-ops
(like ``input_error``) so that the rule files validate and ``xxgk-lint check`` skips them.  They are
evaluated by :func:`xxgk_lint.compare.continuity.continuity_findings` (used by ``xxgk-lint compare``
and by the audit over an agency's consecutive years), which turns their hits into findings with the
engine's ``to_finding`` - messages and documentation stay in the rule file.

Kinds and their params:

``continuity_relation``
    ``assert``: a relation in the rule language (grammars/expr.lark) where table ``T`` is this year's
    table and ``last_T`` last year's, read in this year's template keys (cells mapped by meaning across a
    format change, grammars/mappings/); ``last_templates``: last year's templates it applies to (empty =
    any).  A failing instantiation is a finding on this year's cell; one that cannot be evaluated
    (missing or unreadable cell) is skipped - the single-report rules report those cells.
``continuity_agency``
    the agency name, compared after ``normalise_agency``.
``continuity_copy``
    ``section`` (template ordinal), ``threshold`` (0-1), ``metric`` (carried | jaccard | retained),
    ``min_chars`` (shorter sections are not judged), ``shingle`` (n-gram length), ``passage_chars``
    (shortest copied passage shown).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from xxgk_lint.check.context import CheckContext, Hit
from xxgk_lint.check.kinds import check

CONTINUITY_KINDS: tuple[str, ...] = ("continuity_relation", "continuity_agency", "continuity_copy")


def _two_reports(ctx: CheckContext, rule: Any) -> Iterator[Hit]:
    """Needs last year's report too: evaluated by xxgk_lint.compare.continuity, not per report."""
    return iter(())


for _name in CONTINUITY_KINDS:
    check(_name)(_two_reports)
