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


def _findings(paths: list) -> list[list[dict[str, object]]]:
    from xxgk_lint.pipeline import Options, lint_path

    return [[f.to_json() for f in lint_path(p, Options()).findings] for p in paths]


def test_findings_do_not_depend_on_warm_caches_or_order() -> None:
    first = _findings(FIXTURE_FILES)
    again = _findings(FIXTURE_FILES)  # every per-text cache warm now
    backwards = _findings(FIXTURE_FILES[::-1])[::-1]
    assert first == again == backwards


def test_text_memo_is_bounded_by_entries_and_characters() -> None:
    from xxgk_lint.parse.textnorm import TextMemo

    calls: list[str] = []
    memo = TextMemo(lambda t: calls.append(t) or t.upper(), max_entries=3, max_chars=10)
    assert [memo(t) for t in ("ab", "cd", "ab")] == ["AB", "CD", "AB"]
    assert calls == ["ab", "cd"]  # the second "ab" was a hit
    memo("efghij")  # 2 + 2 + 6 = 10 characters: still fits
    assert memo.cache_info().currsize == 3
    memo("k")  # 11 characters: the least recently used ("cd") goes
    assert memo.cache_info().currsize == 3
    memo("cd")
    assert calls[-1] == "cd"
    memo("x" * 11)  # longer than the whole budget: computed, never stored
    assert memo.cache_info().currsize <= 3
    memo.cache_clear()
    assert memo.cache_info().currsize == 0


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("万人次条件家篇场余个期项,，。;；、:：)）开通热线一2")), max_size=16).map("".join))
def test_measure_alternation_finds_what_the_plain_scan_finds(text: str) -> None:
    from xxgk_lint.check.kinds_hygiene import _measure_finder

    measures = ("万人次", "人次", "条次", "万条", "余条", "条", "件", "个", "次", "场", "家")
    stops = "".join(sorted(set(",，。;；、:：)）")))
    fast = _measure_finder(measures, stops)
    plain = _measure_finder((*measures, ""), stops)  # an empty word forces the plain scan
    expected = [(m, s, e) for m, s, e in plain(text) if m]
    assert list(fast(text)) == expected
