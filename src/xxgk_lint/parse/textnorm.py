"""Text normalisation shared by the parser and the rules: width, spaces, quotes, ordinals."""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Generic, NamedTuple, TypeVar

V = TypeVar("V")

_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "「": '"', "」": '"', "『": '"', "』": '"'})
_SPACE = re.compile(r"\s+")
_ORD_DIGIT = re.compile(r"^(\d{1,2})\s*[、.．,]\s*")
_ORD_CN = re.compile(r"^([一二三四五六七八九十]{1,3})\s*[、.．,]\s*")
_ORD_PAREN = re.compile(r"^\(\s*([一二三四五六七八九十]{1,3}|\d{1,2})\s*\)\s*")
_TRAILING_PUNCT = re.compile(r"[。.;;:,、\s]+$")


class CacheInfo(NamedTuple):
    hits: int
    misses: int
    maxsize: int
    currsize: int


class TextMemo(Generic[V]):
    """An LRU memo of a function of one string, bounded by entries *and* by the total length of the
    strings it holds, so that memoising whole paragraphs or documents keeps memory flat over any
    number of reports (``functools.lru_cache`` bounds entries only).  Thread-safe.

    ``cache_info()`` / ``cache_clear()`` as for ``lru_cache`` (``maxsize`` is the entry bound).
    """

    def __init__(self, fn: Callable[[str], V], max_entries: int, max_chars: int) -> None:
        self.fn = fn
        self.max_entries = max_entries
        self.max_chars = max_chars
        self.__wrapped__ = fn
        self._data: OrderedDict[str, V] = OrderedDict()
        self._chars = 0
        self._hits = self._misses = 0
        self._lock = threading.Lock()

    def __call__(self, text: str) -> V:
        with self._lock:
            try:
                value = self._data[text]
            except KeyError:
                pass
            else:
                self._data.move_to_end(text)
                self._hits += 1
                return value
            self._misses += 1
        value = self.fn(text)
        if len(text) > self.max_chars:
            return value
        with self._lock:
            if text not in self._data:
                self._data[text] = value
                self._chars += len(text)
                while len(self._data) > self.max_entries or self._chars > self.max_chars:
                    old, _ = self._data.popitem(last=False)
                    self._chars -= len(old)
        return value

    def cache_info(self) -> CacheInfo:
        with self._lock:
            return CacheInfo(self._hits, self._misses, self.max_entries, len(self._data))

    def cache_clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._chars = 0
            self._hits = self._misses = 0


SHORT_TEXT = 128  # strings up to this long are memoised by a plain lru_cache (labels, headings, cells)


# _QUOTES as (old, new) pairs: str.replace per quote is ~100x faster than str.translate with a
# mapping on long text, and no replacement is itself replaced
_QUOTE_PAIRS = tuple((chr(k), v) for k, v in _QUOTES.items())


def _norm(text: str) -> str:
    t = unicodedata.normalize("NFKC", text)
    for old, new in _QUOTE_PAIRS:
        if old in t:
            t = t.replace(old, new)
    t = "".join(t.split())  # = _SPACE.sub("", t): str.split and \s agree on Unicode whitespace
    t = _ORD_DIGIT.sub(lambda m: m.group(1) + ".", t)
    t = _ORD_CN.sub(lambda m: m.group(1) + "、", t)
    return t


_norm_short = lru_cache(maxsize=65536)(_norm)
# paragraphs and whole documents: a few reports' worth (the same report text is normalised by
# several rules), bounded by total length
_norm_long: TextMemo[str] = TextMemo(_norm, max_entries=4096, max_chars=1_000_000)


def norm(text: str) -> str:
    """NFKC (full/half width), no whitespace, straight quotes, unified ordinal separators."""
    return _norm_short(text) if len(text) <= SHORT_TEXT else _norm_long(text)


def _strip_ordinal(text: str) -> str:
    t = norm(text)
    for pat in (_ORD_PAREN, _ORD_CN, _ORD_DIGIT):
        m = pat.match(t)
        if m:
            return t[m.end() :]
    return t


_strip_ordinal_short = lru_cache(maxsize=65536)(_strip_ordinal)


def strip_ordinal(text: str) -> str:
    """Remove a leading 一、 / (一) / 1. ordinal (on normalised text)."""
    return _strip_ordinal_short(text) if len(text) <= SHORT_TEXT else _strip_ordinal(text)


def strip_trailing_punct(text: str) -> str:
    return _TRAILING_PUNCT.sub("", text)


def _similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


_similarity_short = lru_cache(maxsize=65536)(_similarity)


def similarity(a: str, b: str) -> float:
    """Ratio in [0, 1] between two normalised strings."""
    if len(a) + len(b) <= 2 * SHORT_TEXT:
        return _similarity_short(a, b)
    return _similarity(a, b)


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
