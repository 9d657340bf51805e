"""What a check kind sees: the Report, its Document (for positions) and the template."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from xxgk_lint.parse.model import Report
from xxgk_lint.parse.template import Template
from xxgk_lint.read.document import Document


@dataclass(slots=True)
class Hit:
    """One thing a check found; the engine turns it into a Finding using the rule's message."""

    values: dict[str, Any] = field(default_factory=dict)
    line: int | None = None
    column: int | None = None
    section: str | None = None
    table: str | None = None
    cell: str | None = None
    expected: Any = None
    actual: Any = None
    subject: str | None = None
    page: int | None = None
    severity: str | None = None  # override the rule's default (e.g. ambiguous scope -> warning)
    context: str | None = None
    message: str | None = None  # name of an alternative message of the rule ("unknown", ...)


@dataclass(slots=True)
class CheckContext:
    report: Report
    doc: Document
    template: Template | None
    lang: str = "zh"
    options: dict[str, Any] = field(default_factory=dict)

    def t(self, zh: str, en: str) -> str:
        return en if self.lang == "en" else zh


CheckFn = Callable[[CheckContext, Any], Iterable[Hit]]
