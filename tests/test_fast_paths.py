"""The speed-ups keep the results: pre-filters only reject what the grammar rejects, memoised
values are the ones recomputing gives, and a report checked twice in one process (warm caches)
gets the same findings as the first time."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st
from lark.exceptions import LarkError
from tests.conftest import FIXTURES, SEEDS

from xxgk_lint.parse import outline

FIXTURE_FILES = sorted(SEEDS.glob("*.txt")) + sorted(FIXTURES.glob("*.txt")) + sorted((FIXTURES / "yoy").glob("*.txt"))

HEADING_ALPHABET = list("一二三四五六七八九十0123456789０１２(（)）、.,，．。: \t\u3000总体情况㈠⑴⒈①一是") + ["一、", "(一)", "1."]


def _grammar_accepts(line: str) -> bool:
    t = unicodedata.normalize("NFKC", line).strip()
    try:
        outline._heading_parser().parse(t)
    except LarkError:
        return False
    return True


def _prefilter_accepts(line: str) -> bool:
    t = unicodedata.normalize("NFKC", line).strip()
    return bool(t) and outline._HEADING_START.match(t) is not None


def test_heading_prefilter_keeps_every_line_the_grammar_accepts() -> None:
    lines = [ln for p in FIXTURE_FILES for ln in p.read_text(encoding="utf-8").split("\n")]
    # every character as the first of a line (full-width and enclosed forms normalise to ordinals)
    lines += [chr(cp) + suffix for cp in range(0x20, 0x3400) for suffix in ("、总体情况", ")总体情况", "总体情况")]
    accepted = 0
    for line in lines:
        if _grammar_accepts(line):
            accepted += 1
            assert _prefilter_accepts(line), line
    assert accepted > 50


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(HEADING_ALPHABET), min_size=1, max_size=12).map("".join))
def test_heading_prefilter_is_only_a_prefilter(line: str) -> None:
    if _grammar_accepts(line):
        assert _prefilter_accepts(line)
