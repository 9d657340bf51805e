from __future__ import annotations

from pathlib import Path

import pytest

from xxgk_lint.pipeline import FileResult, Options, lint_document, lint_path
from xxgk_lint.read.text import read_text

FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = FIXTURES / "seeds"
SEED = {p.name[:3]: p for p in sorted(SEEDS.glob("*.txt"))}
CLEAN_2019 = FIXTURES / "clean-2019.txt"


def lint_text(text: str, name: str = "report.txt", **opts: object) -> FileResult:
    return lint_document(read_text(text, name, "md" if name.endswith(".md") else "txt"), Options(**opts))  # type: ignore[arg-type]


def lint_file(path: Path, **opts: object) -> FileResult:
    return lint_path(path, Options(**opts))  # type: ignore[arg-type]


def codes(result: FileResult) -> list[str]:
    return [f.rule for f in result.findings]


@pytest.fixture()
def clean_text() -> str:
    return CLEAN_2019.read_text(encoding="utf-8")
