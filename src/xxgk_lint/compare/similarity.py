"""How much prose is carried over from last year's report: normalised shingles and copied passages.

Method
------
1. **Normalise** (:func:`normalise`): NFKC (full/half width), letters lower-cased; whitespace,
   punctuation and symbols dropped; every run of Arabic digits (with the ``.``/``,``/``%`` between
   them) becomes one ``0``.  So "2018年…74.61%" and "2019年…80%" normalise alike: a report re-used
   with only the year and the figures changed is still recognised as copied.  Chinese numerals are
   kept (一是/二是 are words there).  Each normalised character remembers the index of the source
   character it came from, so a passage found in the normalised text maps back to source lines.
2. **Shingle** (:func:`shingles`): the set of character n-grams (``k`` = 5 by default: about two
   or three Chinese words; short enough to survive small edits, long enough that common two-word
   phrases of the genre do not make unrelated texts look alike).
3. **Score** (:func:`score`): ``carried`` = |this ∩ last| / |this| (containment: the share of this
   year's text found in last year's; the headline figure and what the copy rules compare),
   ``retained`` = |this ∩ last| / |last| and ``jaccard`` = |this ∩ last| / |this ∪ last|.
4. **Passages** (:func:`passages`): the longest common runs, from :class:`difflib.SequenceMatcher`
   (``autojunk=False``) over the normalised texts read as sequences of their k-shingles - a common
   run of n characters is a run of n - k + 1 common shingles, and aligning shingles instead of
   single characters keeps the matcher near linear (characters such as 的 occur everywhere,
   5-grams do not) - kept when at least ``min_chars`` long and mapped back to source offsets.

Scale: an audit compares an agency's consecutive years only, i.e. about one pair per report, so
exact set intersection is linear in the text length (a few milliseconds per pair) and is exact.
MinHash/LSH would only pay off for finding near-duplicates among all n² pairs of reports (e.g. one
agency copying another's report), which is not what these checks ask; an estimate would also make
the threshold fuzzy.  The quadratic SequenceMatcher runs only to display passages (compare, and
the copy findings that fire), on texts capped at :data:`MAX_ALIGN` characters; two unrelated
30,000-character sections align in well under a second.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

SHINGLE = 5
MIN_PASSAGE = 20
MAX_ALIGN = 30_000
DIGIT = "0"
_NUM_JOINERS = frozenset(".,%．，％")


@dataclass(frozen=True, slots=True)
class Normalised:
    """A normalised text and, for each of its characters, the source index it came from."""

    text: str
    index: tuple[int, ...]
    # for a digit-run placeholder: the source index of the run's last character
    end_index: tuple[int, ...]

    def span(self, start: int, stop: int) -> tuple[int, int]:
        """Source [start, stop) of the normalised slice [start, stop)."""
        return self.index[start], self.end_index[stop - 1] + 1


@lru_cache(maxsize=4096)
def _fold(ch: str) -> str:
    """One source character as normalised characters ('' = dropped; DIGIT for a digit)."""
    out = []
    for c in unicodedata.normalize("NFKC", ch):
        if c.isdigit():
            out.append(DIGIT)
        elif c.isspace() or unicodedata.category(c)[0] in "PSZC":
            continue
        else:
            out.append(c.lower())
    return "".join(out)


def normalise(text: str) -> Normalised:
    chars: list[str] = []
    index: list[int] = []
    end: list[int] = []
    in_number = False  # the last kept character is a digit placeholder
    for i, ch in enumerate(text):
        folded = _fold(ch)
        if not folded:
            # a number stays one run across 74.61% or 1,629; anything else dropped ends it
            if in_number and ch in _NUM_JOINERS:
                continue
            if ch.isspace():
                continue
            in_number = False
            continue
        for c in folded:
            if c == DIGIT:
                if in_number:
                    end[-1] = i
                    continue
                in_number = True
            else:
                in_number = False
            chars.append(c)
            index.append(i)
            end.append(i)
    return Normalised("".join(chars), tuple(index), tuple(end))


def shingles(norm_text: str, k: int = SHINGLE) -> frozenset[str]:
    if not norm_text:
        return frozenset()
    if len(norm_text) <= k:
        return frozenset((norm_text,))
    return frozenset(norm_text[i : i + k] for i in range(len(norm_text) - k + 1))


@dataclass(frozen=True, slots=True)
class Score:
    carried: float  # share of THIS year's shingles found in last year's
    retained: float  # share of LAST year's shingles found in this year's
    jaccard: float
    this_chars: int  # normalised lengths
    last_chars: int

    def to_json(self) -> dict[str, float | int]:
        return {
            "carried": round(self.carried, 4),
            "retained": round(self.retained, 4),
            "jaccard": round(self.jaccard, 4),
            "this_chars": self.this_chars,
            "last_chars": self.last_chars,
        }


def score(last_norm: str, this_norm: str, k: int = SHINGLE) -> Score:
    a, b = shingles(this_norm, k), shingles(last_norm, k)
    common = len(a & b)
    union = len(a | b)
    return Score(
        carried=common / len(a) if a else 0.0,
        retained=common / len(b) if b else 0.0,
        jaccard=common / union if union else 0.0,
        this_chars=len(this_norm),
        last_chars=len(last_norm),
    )


@dataclass(frozen=True, slots=True)
class Match:
    """A common run: normalised offsets in LAST and THIS and its normalised length."""

    last_start: int
    this_start: int
    size: int


def passages(last: Normalised, this: Normalised, min_chars: int = MIN_PASSAGE) -> list[Match]:
    """Longest common runs (SequenceMatcher's matching blocks) of at least ``min_chars``, in THIS order."""
    a, b = last.text[:MAX_ALIGN], this.text[:MAX_ALIGN]
    k = max(1, min(SHINGLE, min_chars))
    if len(a) < k or len(b) < k:
        return []
    # Aligned as sequences of k-character shingles rather than of characters: a run of n >= k common
    # characters is a run of n - k + 1 common shingles, and shingles are rare where single characters
    # (的, 政, 公…) are everywhere, so SequenceMatcher stays near linear on long unrelated sections.
    sa = [a[i : i + k] for i in range(len(a) - k + 1)]
    sb = [b[i : i + k] for i in range(len(b) - k + 1)]
    blocks = SequenceMatcher(None, sa, sb, autojunk=False).get_matching_blocks()
    return [Match(m.a, m.b, m.size + k - 1) for m in blocks if m.size and m.size + k - 1 >= min_chars]
