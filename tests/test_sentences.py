"""Sentence splitting: the regex scanner agrees with the plain character-by-character definition."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xxgk_lint.parse import narrative
from xxgk_lint.parse.narrative import SENTENCE_END, split_sentences

_CLOSERS = "”’」』\"')）"


def reference_split(text: str, max_len: int) -> list[tuple[int, str]]:
    """The definition, one character at a time: a sentence ends after an end mark and the end
    marks / closing quotes right after it; a run of ``max_len`` characters without one is cut."""
    out: list[tuple[int, str]] = []
    start = i = 0
    while i < len(text):
        if text[i] in SENTENCE_END:
            j = i + 1
            while j < len(text) and (text[j] in SENTENCE_END or text[j] in _CLOSERS):
                j += 1
            out.append((start, text[start:j]))
            start = i = j
            continue
        if i - start >= max_len:
            out.append((start, text[start:i]))
            start = i
        i += 1
    if start < len(text):
        out.append((start, text[start:]))
    return [(s, t) for s, t in out if t.strip()]


def test_real_paragraph() -> None:
    text = "本年度共收到申请123件。其中予以公开46件！“最多跑一次”改革？是的。”  "
    assert split_sentences(text) == [
        (0, "本年度共收到申请123件。"),
        (13, "其中予以公开46件！"),
        (23, "“最多跑一次”改革？"),
        (33, "是的。”"),
    ]


@pytest.mark.parametrize("max_len", [1, 3, 7])
@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet="。！？!?”’」』\"')）ab 公开\n", max_size=40))
def test_agrees_with_the_definition(max_len: int, text: str) -> None:
    saved = narrative.MAX_SENTENCE
    narrative.MAX_SENTENCE = max_len  # short runs get cut, so the cutting is exercised too
    try:
        assert split_sentences(text) == reference_split(text, max_len)
    finally:
        narrative.MAX_SENTENCE = saved


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=300))
def test_agrees_on_any_text_at_the_real_limit(text: str) -> None:
    assert split_sentences(text) == reference_split(text, narrative.MAX_SENTENCE)
    assert split_sentences(text * 20) == reference_split(text * 20, narrative.MAX_SENTENCE)
