"""Text normalisation shared by the parser and the rules: width, spaces, quotes, ordinals."""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher
from functools import lru_cache

_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "「": '"', "」": '"', "『": '"', "』": '"'})
_SPACE = re.compile(r"\s+")
_ORD_DIGIT = re.compile(r"^(\d{1,2})\s*[、.．,]\s*")
_ORD_CN = re.compile(r"^([一二三四五六七八九十]{1,3})\s*[、.．,]\s*")
_ORD_PAREN = re.compile(r"^\(\s*([一二三四五六七八九十]{1,3}|\d{1,2})\s*\)\s*")
_TRAILING_PUNCT = re.compile(r"[。.;;:,、\s]+$")


@lru_cache(maxsize=65536)
def norm(text: str) -> str:
    """NFKC (full/half width), no whitespace, straight quotes, unified ordinal separators."""
    t = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    t = _SPACE.sub("", t)
    t = _ORD_DIGIT.sub(lambda m: m.group(1) + ".", t)
    t = _ORD_CN.sub(lambda m: m.group(1) + "、", t)
    return t


@lru_cache(maxsize=65536)
def strip_ordinal(text: str) -> str:
    """Remove a leading 一、 / (一) / 1. ordinal (on normalised text)."""
    t = norm(text)
    for pat in (_ORD_PAREN, _ORD_CN, _ORD_DIGIT):
        m = pat.match(t)
        if m:
            return t[m.end() :]
    return t


def strip_trailing_punct(text: str) -> str:
    return _TRAILING_PUNCT.sub("", text)


@lru_cache(maxsize=262144)
def similarity(a: str, b: str) -> float:
    """Ratio in [0, 1] between two normalised strings."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def cn_ordinal_value(s: str) -> int | None:
    """一 -> 1, 十 -> 10, 十二 -> 12, 二十三 -> 23 (ordinals up to 99)."""
    if not s:
        return None
    if s.isdigit():
        return int(s)
    if "十" in s:
        head, _, tail = s.partition("十")
        tens = CN_DIGITS.get(head) if head else 1
        ones = CN_DIGITS.get(tail) if tail else 0
        if tens is None or ones is None:
            return None
        return tens * 10 + ones
    if len(s) == 1:
        return CN_DIGITS.get(s)
    return None


CN_ORDINALS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]
