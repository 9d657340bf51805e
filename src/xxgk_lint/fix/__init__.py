"""Fixing reports: autofix of derivable totals (``--fix``) and blank report skeletons (``new``).

Modules (imported lazily; this package's import is light so the ``new`` command stays quick):

* :mod:`xxgk_lint.fix.plan` - :func:`plan_fixes`, a pure function from a parsed report to a list of
  :class:`Edit` (which cell, where, old text, new text, which rule);
* :mod:`xxgk_lint.fix.apply` - :func:`apply_text_edits` (txt/md, byte-exact elsewhere),
  :func:`apply_docx_edits` (``word/document.xml``, run formatting kept) and :func:`fix_paths`, the
  entry point for ``check --fix``;
* :mod:`xxgk_lint.fix.skeleton` - blank report skeletons built from the template data;
* :mod:`xxgk_lint.fix.cli` - the ``new`` command.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Edit", "apply_docx_edits", "apply_text_edits", "fix_paths", "plan_fixes"]


def __getattr__(name: str) -> Any:
    if name in ("Edit", "plan_fixes"):
        from xxgk_lint.fix import plan

        return getattr(plan, name)
    if name in ("apply_text_edits", "apply_docx_edits", "fix_paths"):
        from xxgk_lint.fix import apply

        return getattr(apply, name)
    raise AttributeError(name)
