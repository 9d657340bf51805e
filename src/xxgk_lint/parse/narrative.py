"""The narrative: sentences, the quantities written in them, and the arithmetic they state.

Pure functions over paragraph text.  Numbers are found by :mod:`xxgk_lint.parse.quantities` (the
quantity grammar decides what a number *is*: 两件, 3000余条, 1,234件, 62.8万条 …); this module only

* splits a paragraph into sentences (at 。！？, keeping a closing quote with its sentence),
* writes each sentence a second time with every quantity replaced by a token ``\\ue000<i>\\ue001``
  (the *masked* sentence), so prose patterns can say where a number stands (``{NUM}``) without
  re-deciding what a number is,
* expands the few macros prose patterns may use (:func:`compile_pattern`),
* finds the arithmetic a sentence states about its own numbers: a whole and its parts (其中 …,
  … 合计 …, … 分别为 …), a rate with the counts it was computed from, a change 由A…至B with its
  stated growth rate (:func:`part_groups`, :func:`rate_checks`, :func:`growth_checks`).

Everything here works on one paragraph at a time and never raises on odd input.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from functools import lru_cache
from typing import Any

from xxgk_lint.parse.model import Mention, Section
from xxgk_lint.parse.quantities import Quantity, scan_quantities
from xxgk_lint.parse.textnorm import TextMemo
from xxgk_lint.read.document import Block

__all__ = [
    "GrowthCheck",
    "PartGroup",
    "RateCheck",
    "Sentence",
    "approx_bounds",
    "bounds",
    "analyse",
    "clause_before",
    "compile_pattern",
    "extract_mentions",
    "growth_checks",
    "label_of",
    "part_groups",
    "rate_checks",
    "prose_blocks",
    "section_index",
    "split_sentences",
]

TOKEN_OPEN = "\ue000"
TOKEN_CLOSE = "\ue001"
_TOKEN = re.compile(TOKEN_OPEN + r"(\d+)" + TOKEN_CLOSE)

SENTENCE_END = "。！？!?"
_CLOSERS = "”’」』\"')）"
CLAUSE_DELIMS = ",，;；。:：!！?？、"
_GROUP_DELIMS = ";；。:："  # a clause group ends here
_OPEN_PAREN = "(（[［【"
_CLOSE_PAREN = ")）]］】"
MAX_SENTENCE = 2000  # characters analysed per sentence (longer text is cut into pieces this long)


# ------------------------------------------------------------------------------------ sentences


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of a paragraph: its text, its quantities and its masked text.

    ``start`` is the offset of the sentence in the paragraph; quantity offsets are relative to the
    sentence.  ``masked`` is ``text`` with quantity ``i`` replaced by ``\\ue000i\\ue001``.
    """

    text: str
    start: int
    quantities: tuple[Quantity, ...]
    masked: str
    # values derived from the fields above, computed on first use (token spans, clause starts,
    # raw labels); not part of the sentence's identity
    _memo: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def token_spans(self) -> list[tuple[int, int]]:
        """Masked-text span of every quantity token, in order."""
        return list(_spans(self))

    def quantity_at(self, masked_pos: int) -> int | None:
        """Index of the quantity whose token starts at ``masked_pos``."""
        m = _TOKEN.match(self.masked, masked_pos)
        return int(m.group(1)) if m else None


def _spans(s: Sentence) -> tuple[tuple[int, int], ...]:
    """:meth:`Sentence.token_spans`, computed once per sentence."""
    spans = s._memo.get("spans")
    if spans is None:
        spans = s._memo["spans"] = tuple(m.span() for m in _TOKEN.finditer(s.masked))
    return spans


def split_sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) pairs; a sentence ends after 。！？ and any closing quotes/brackets.

    A run of more than MAX_SENTENCE characters without an end is cut every MAX_SENTENCE characters.
    """
    out: list[tuple[int, str]] = []
    start = 0
    for m in _SENTENCE_END_RUN.finditer(text):
        a, b = m.span()
        while start + MAX_SENTENCE < a:
            out.append((start, text[start : start + MAX_SENTENCE]))
            start += MAX_SENTENCE
        out.append((start, text[start:b]))
        start = b
    n = len(text)
    while start + MAX_SENTENCE < n:
        out.append((start, text[start : start + MAX_SENTENCE]))
        start += MAX_SENTENCE
    if start < n:
        out.append((start, text[start:]))
    return [(s, t) for s, t in out if t.strip()]


# an end mark and the end marks and closing quotes/brackets right after it
_SENTENCE_END_RUN = re.compile(f"[{re.escape(SENTENCE_END)}][{re.escape(SENTENCE_END + _CLOSERS)}]*")


def _mask(text: str, quantities: Sequence[Quantity]) -> str:
    parts: list[str] = []
    pos = 0
    for i, q in enumerate(quantities):
        parts.append(text[pos : q.start].replace(TOKEN_OPEN, " ").replace(TOKEN_CLOSE, " "))
        parts.append(f"{TOKEN_OPEN}{i}{TOKEN_CLOSE}")
        pos = q.end
    parts.append(text[pos:].replace(TOKEN_OPEN, " ").replace(TOKEN_CLOSE, " "))
    return "".join(parts)


def _analyse(text: str) -> tuple[Sentence, ...]:
    out: list[Sentence] = []
    for start, sent in split_sentences(text):
        qs = tuple(scan_quantities(sent, bare=True))
        out.append(Sentence(sent, start, qs, _mask(sent, qs)))
    return tuple(out)


# Memoised by paragraph text: the parse stage (mentions) and every narrative rule read the same
# paragraphs.  Bounded by total text length too (an analysis holds ~20 bytes per character).
_analyse_memo: TextMemo[tuple[Sentence, ...]] = TextMemo(_analyse, max_entries=4096, max_chars=1_000_000)


def analyse(text: str) -> tuple[Sentence, ...]:
    """The sentences of one paragraph with their quantities (bare Arabic numbers included)."""
    return _analyse_memo(text)


def section_index(sections: dict[str, Section]) -> dict[int, str]:
    """Block index -> the template ordinal of the section that block belongs to.

    By block rather than by line: PDF lines restart on every page.
    """
    out: dict[int, str] = {}
    for s in sorted(sections.values(), key=lambda s: s.block_indexes[0] if s.block_indexes else -1):
        for i in s.block_indexes:
            out[i] = s.ordinal
    return out


def prose_blocks(blocks: Sequence[Block], sections: dict[str, Section]) -> list[tuple[Block, str | None]]:
    """The paragraphs of a document with the section each belongs to."""
    where = section_index(sections)
    return [(b, where.get(i)) for i, b in enumerate(blocks) if b.kind == "paragraph" and b.text]


def extract_mentions(blocks: Sequence[Block], sections: dict[str, Section]) -> list[Mention]:
    """Every quantity with a unit written in the prose, with its sentence (for Report.mentions).

    ``column`` is the 1-based offset in the paragraph text.
    """
    out: list[Mention] = []
    for block, sec in prose_blocks(blocks, sections):
        for s in analyse(block.text):
            for q in s.quantities:
                if q.unit is None:
                    continue
                out.append(
                    Mention(
                        value=q.value,
                        unit=q.unit,
                        text=q.text,
                        sentence=s.text,
                        line=block.line,
                        column=s.start + q.start + 1,
                        approx=q.approx,
                        section=sec,
                    )
                )
    return out


# ------------------------------------------------------------------------------------- patterns

_DELIM_CLASS = re.escape(CLAUSE_DELIMS.replace("、", "") + _OPEN_PAREN + _CLOSE_PAREN + "\n") + TOKEN_OPEN + TOKEN_CLOSE
_MACRO = re.compile(r"\{(NUM|GAP)(?::(\d{1,3}))?\}")
NUM_GROUP = "num"


@lru_cache(maxsize=1024)
def compile_pattern(src: str) -> re.Pattern[str]:
    """A prose pattern from a rule file, over masked sentences.

    Macros: ``{NUM}`` one quantity (at most once; its token index is the group ``num``);
    ``{GAP}`` / ``{GAP:n}`` up to 12 / n characters of the same clause that are not a number,
    a clause delimiter (, ; 。 : ! ?) or a bracket - 、 is allowed.  Anything else is an ordinary
    Python regular expression; a named group ``num`` of one's own is refused.  Raises ValueError.
    """
    if not isinstance(src, str) or not src:
        raise ValueError("a pattern must be a non-empty string")
    if len(src) > 1000:
        raise ValueError("pattern too long")
    if "(?P<num>" in src:
        raise ValueError("use {NUM}, not a group named 'num'")
    nums = 0

    def sub(m: re.Match[str]) -> str:
        nonlocal nums
        if m.group(1) == "NUM":
            if m.group(2) is not None:
                raise ValueError("{NUM} takes no width")
            nums += 1
            return f"{TOKEN_OPEN}(?P<{NUM_GROUP}>\\d+){TOKEN_CLOSE}"
        width = int(m.group(2)) if m.group(2) else 12
        return f"[^{_DELIM_CLASS}]{{0,{width}}}?"

    expanded = _MACRO.sub(sub, src)
    if nums > 1:
        raise ValueError("a pattern may contain {NUM} once")
    try:
        return re.compile(expanded)
    except re.error as exc:
        raise ValueError(f"bad pattern {src!r}: {exc}") from None


_CLAUSE_START = re.compile("[" + re.escape(CLAUSE_DELIMS.replace("、", "") + _OPEN_PAREN + "\n") + "]")


def clause_before(masked: str, pos: int) -> str:
    """Masked text from the start of the clause that contains ``pos`` up to ``pos``."""
    i = pos
    while i > 0 and masked[i - 1] not in CLAUSE_DELIMS.replace("、", "") and masked[i - 1] not in _OPEN_PAREN + "\n":
        i -= 1
    return masked[i:pos]


def _clause_before(s: Sentence, pos: int) -> str:
    """:func:`clause_before` of ``s.masked``, by bisection in the sentence's delimiter positions."""
    delims = s._memo.get("delims")
    if delims is None:
        delims = s._memo["delims"] = [m.end() for m in _CLAUSE_START.finditer(s.masked)]
    # the clause starts after the last delimiter before pos
    k = bisect_left(delims, pos + 1) - 1
    return s.masked[(delims[k] if k >= 0 else 0) : pos]


# --------------------------------------------------------------------------------- approximation

_UP = ("余", "多", "超过", "超", "逾", "以上")
_DOWN = ("近", "将近", "接近", "不到", "不足", "以下")
_ABOUT = ("约", "大约", "左右")


def _step(q: Quantity) -> Decimal:
    """The place value of the last non-zero digit written: 3000 -> 1000, 120 -> 10, 1.5万 -> 1000."""
    v = abs(q.value)
    if v == 0:
        return Decimal(1)
    t = v.normalize()
    exp = t.as_tuple().exponent
    return Decimal(1).scaleb(int(exp)) if isinstance(exp, int) else Decimal(1)


def bounds(q: Quantity) -> tuple[Decimal, Decimal]:
    """The interval a written number stands for: exact for a plain integer (a count is a count),
    else the rounding of its last written place (``62.8万`` is 627500 … 628500, ``89.52`` ± 0.005)."""
    if q.decimals == 0:
        return q.value, q.value
    return q.bounds()


def approx_bounds(q: Quantity) -> tuple[Decimal, Decimal | None]:
    """The range a written quantity stands for; ``None`` as upper bound means unbounded.

    Rounding of the written digits always applies (``62.8万`` is 627500 … 628500).  An approximation
    word widens it: 余/多 ``N`` -> [N, N + one step of its last digit) (3000余 -> 3000…4000,
    120多 -> 120…130); 超过/逾/以上 -> [N, ∞); 近/不到/不足/以下 -> [N - step, N]; 约/左右 -> N ± step.
    """
    lo, hi = bounds(q)
    if not q.approx:
        return lo, hi
    words = q.approx.split("…")
    step = _step(q)
    if any(w in ("余", "多") for w in words):
        return q.value, q.value + step
    if any(w in _UP for w in words):
        return q.value, None
    if any(w in _DOWN for w in words):
        return max(Decimal(0), q.value - step), q.value
    return max(Decimal(0), q.value - step), q.value + step


def is_upward(q: Quantity) -> bool:
    return bool(q.approx) and any(w in _UP for w in (q.approx or "").split("…"))


# ------------------------------------------------------------------------------------- labels

_LABEL_LEAD = re.compile(r"^(?:其中|另有|另|共计|合计|总计|总共|一共|累计|全年|本年度?|今年|共|和|及|与|以及|并|已|均|完成|实现)+")
_LABEL_TAIL = re.compile(r"(?:为|是|达到|达|约|有|了|的|总量|总数|数量|数|量|事项)+$")


def label_of(s: Sentence, index: int) -> str:
    """What a quantity counts, as written just before it in its clause: 转接成功 for 转接成功4382次."""
    spans = _spans(s)
    if index >= len(spans):
        return ""
    start = spans[index][0]
    raw = _clause_before(s, start)
    raw = raw.rsplit(TOKEN_CLOSE, 1)[-1]
    raw = re.sub(r"[\s“”\"'‘’《》]", "", raw)
    raw = _LABEL_LEAD.sub("", raw)
    return _LABEL_TAIL.sub("", raw)


def _raw_label(s: Sentence, index: int) -> str:
    key = ("raw", index)
    raw = s._memo.get(key)
    if raw is None:
        start = _spans(s)[index][0]
        raw = s._memo[key] = _clause_before(s, start).rsplit(TOKEN_CLOSE, 1)[-1].strip()
    return raw


_BRACKET = re.compile("[" + re.escape(_OPEN_PAREN + _CLOSE_PAREN) + "]")


def _depths(masked: str) -> list[int]:
    """Bracket depth at every position (a closing bracket belongs to its inside).

    Linear in the brackets: the depth only changes at a bracket, so runs between brackets are
    filled in one slice assignment.
    """
    n = len(masked)
    out = [0] * n
    d = 0
    pos = 0  # first position not yet filled
    for m in _BRACKET.finditer(masked):
        i = m.start()
        if d:
            out[pos:i] = [d] * (i - pos)
        if masked[i] in _OPEN_PAREN:
            d += 1
            out[i] = d
        else:
            out[i] = d
            if d > 0:
                d -= 1
        pos = i + 1
    if d:
        out[pos:n] = [d] * (n - pos)
    return out


# ---------------------------------------------------------------------------- wholes and parts

_CHANGE = re.compile(r"增长|增加|减少|下降|上升|提高|降低|提升|较|比|同比|环比|占|平均|人均|累计|增幅|降幅|超出|多出|少于|高于|低于")
# a figure labelled as the total of what was listed (合计 …, 以上共 …): never a further part
_TOTAL_LEAD = re.compile(r"^(?:(?:以上|上述|前述)(?:合计|共计|总计|总共|一共|共)|合计|共计|总计|总共|一共)")
_STOP = re.compile(r"另有|另外|此外|除此之外|同时")
_SEVERALLY = re.compile(r"分别为|分别是|分别有")
_TEMPORAL = re.compile(r"年|月|上期|同期|此前|之前|以前")


@dataclass(frozen=True, slots=True)
class PartGroup:
    """A whole and the parts a sentence lists for it.

    ``kind`` is ``"among"`` (W …其中 A、B: parts may not exceed the whole), ``"total"`` (A、B …合计 T:
    the parts add up to T) or ``"severally"`` (W,分别为 A、B: the parts are the whole's breakdown).
    ``whole_sentence``/``parts_sentence`` index the paragraph's sentences (they differ when a
    sentence starts with 其中 and its whole ends the previous sentence).  ``whole`` is the nearest
    amount before 其中 with parts of its unit; ``alternatives`` are earlier amounts of that unit in
    the same clause group, which the parts may belong to instead.
    """

    kind: str
    whole: Quantity
    whole_sentence: int
    parts: tuple[Quantity, ...]
    parts_sentence: int
    # other amounts before 其中 the parts may belong to (收到申请25件,上年结转3件,其中网上申请20件)
    alternatives: tuple[Quantity, ...] = ()


def _is_part(s: Sentence, i: int, unit: str | None) -> bool:
    q = s.quantities[i]
    if q.unit is None or q.unit != unit or q.kind == "percent":
        return False
    raw = _raw_label(s, i)
    return not (_CHANGE.search(raw) or _TOTAL_LEAD.match(raw.lstrip("，,、 ")))


def _is_change(s: Sentence, i: int) -> bool:
    """A quantity written as a change or a share (较上年增加244条, 占…55.81%), not an amount."""
    return bool(_CHANGE.search(_raw_label(s, i))) or s.quantities[i].kind == "percent"


def _usable_whole(q: Quantity) -> bool:
    return q.unit is not None and q.kind in ("count", "money")


def part_groups(sentences: Sequence[Sentence]) -> list[PartGroup]:
    """Wholes and their parts in one paragraph (see :class:`PartGroup`)."""
    out: list[PartGroup] = []
    depths: dict[int, list[int]] = {}

    def depth_of(si: int) -> list[int]:
        d = depths.get(si)
        if d is None:
            d = depths[si] = _depths(sentences[si].masked)
        return d

    for si, s in enumerate(sentences):
        out.extend(_among_groups(sentences, si, s, depth_of))
        out.extend(_total_groups(si, s, depth_of))
        out.extend(_severally_groups(si, s, depth_of))
    return out


# where the parts after 其中 may end: a bracket, a ; or the first character of 其中 or of _STOP
_AMONG_END = re.compile("[" + re.escape(_OPEN_PAREN + _CLOSE_PAREN) + ";；其另此除同]")


def _among_groups(
    sentences: Sequence[Sentence], si: int, s: Sentence, depth_of: Callable[[int], list[int]]
) -> Iterable[PartGroup]:
    masked = s.masked
    if "其中" not in masked:
        return
    depth = depth_of(si)
    spans = _spans(s)
    for k in (m.start() for m in re.finditer("其中", masked)):
        dk = depth[k]
        # the wholes 其中 may refer to: amounts before it at this bracket depth in the same clause
        # group (no ; or 。 in between), nearest first
        group_end = max(masked.rfind(";", 0, k), masked.rfind("；", 0, k), masked.rfind("。", 0, k))
        cands: list[tuple[Quantity, int]] = []
        for i in range(len(spans) - 1, -1, -1):
            a, b = spans[i]
            if a >= k or depth[a] > dk or not _usable_whole(s.quantities[i]) or _is_change(s, i):
                continue
            if group_end >= b:  # a ; or 。 in masked[b:k]
                break
            cands.append((s.quantities[i], si))
        if not cands and not masked[:k].strip(" \t,，:：") and si > 0:
            prev = sentences[si - 1]
            pspans = _spans(prev)
            pdepth = depth_of(si - 1)
            top = [i for i, (a, _b) in enumerate(pspans) if pdepth[a] == 0 and not _is_change(prev, i)]
            amounts = [i for i in top if _usable_whole(prev.quantities[i])]
            # across a sentence end only an unambiguous whole: the one amount of the sentence before
            if len(amounts) == 1 and amounts[0] == top[-1]:
                cands.append((prev.quantities[amounts[0]], si - 1))
        if not cands:
            continue
        # the region of the parts
        after = masked[k + 2 :]
        listed = after.lstrip(" \t")[:1] in (",", "，", ":", "：")  # 其中, A;B;C  - a list across ;
        end = len(masked)
        # the first position after 其中 that ends the region: at a bracket of this depth (or below),
        # at the next 其中 / 另有 … of this depth, or at a ; of this depth (unless a list follows);
        # the depth only drops right after a closing bracket, so only those positions and the
        # candidates of _AMONG_END need looking at
        for m in _AMONG_END.finditer(masked, k + 2):
            j = m.start()
            ch = masked[j]
            if _ends_among(masked, depth, j, dk, listed):
                end = j
                break
            if ch in _CLOSE_PAREN and j + 1 < len(masked) and _ends_among(masked, depth, j + 1, dk, listed):
                end = j + 1
                break
        for whole, whole_si in cands:
            parts = tuple(
                s.quantities[i]
                for i, (a, _b) in enumerate(spans)
                if k < a < end and depth[a] == dk and _is_part(s, i, whole.unit)
            )
            if parts:
                others = tuple(q for q, _ in cands if q is not whole and q.unit == whole.unit)
                yield PartGroup("among", whole, whole_si, parts, si, others)
                break


def _ends_among(masked: str, depth: list[int], j: int, dk: int, listed: bool) -> bool:
    """Whether the parts after 其中 (at bracket depth ``dk``) end at position ``j``."""
    ch = masked[j]
    if depth[j] < dk or (dk > 0 and ch in _CLOSE_PAREN and depth[j] == dk):
        return True
    if depth[j] == dk and (masked.startswith("其中", j) or _STOP.match(masked, j)):
        return True
    return depth[j] == dk and ch in ";；" and not listed


def _total_groups(si: int, s: Sentence, depth_of: Callable[[int], list[int]]) -> Iterable[PartGroup]:
    masked = s.masked
    # a total is labelled 合计/共计/总计/总共/一共 or 共 (with 包括 before it)
    if "共" not in masked and "计" not in masked:
        return
    spans = _spans(s)
    for ti, (a, _b) in enumerate(spans):
        t = s.quantities[ti]
        raw = _raw_label(s, ti).lstrip("，,、 ")
        lead = _TOTAL_LEAD.match(raw)
        bare_total = raw.startswith("共") and "包括" in masked[:a]
        if not (lead or bare_total) or not _usable_whole(t):
            continue
        depth = depth_of(si)
        d = depth[a]
        # where the listed parts begin: the last 其中 / clause-group end / earlier total before T
        start = 0
        for m in re.finditer("其中", masked[:a]):
            if depth[m.start()] == d:
                start = max(start, m.end())
        for j in range(a - 1, -1, -1):
            if masked[j] in ";；。" and depth[j] == d:
                start = max(start, j + 1)
                break
        idx = [
            i
            for i, (pa, _pb) in enumerate(spans)
            if start <= pa < a and depth[pa] == d and _is_part(s, i, t.unit)
        ]
        # a restatement of the total among the candidates ("受理300件,电话200件,网上100件,合计300件")
        same = [n for n, i in enumerate(idx) if s.quantities[i].value == t.value]
        if same:
            idx = idx[same[-1] + 1 :]
        if len(idx) >= 2:
            yield PartGroup("total", t, si, tuple(s.quantities[i] for i in idx), si)


def _severally_groups(si: int, s: Sentence, depth_of: Callable[[int], list[int]]) -> Iterable[PartGroup]:
    masked = s.masked
    if "分别" not in masked:
        return
    spans = _spans(s)
    for m in _SEVERALLY.finditer(masked):
        depth = depth_of(si)
        k = m.start()
        d = depth[k]
        before = [i for i, (a, _b) in enumerate(spans) if a < k and depth[a] == d]
        if not before:
            continue
        wi = before[-1]
        between = masked[spans[wi][1] : k]
        # only "W,分别为 A、B": nothing but punctuation between the whole and 分别为
        if between.strip(" \t,，:：") or not _usable_whole(s.quantities[wi]):
            continue
        whole = s.quantities[wi]
        end = len(masked)
        for j in range(m.end(), len(masked)):
            if depth[j] < d or (masked[j] in ";；。" and depth[j] == d):
                end = j
                break
        idx = [i for i, (a, _b) in enumerate(spans) if m.end() <= a < end and depth[a] == d and _is_part(s, i, whole.unit)]
        if len(idx) >= 2 and not any(_TEMPORAL.search(_raw_label(s, i)) for i in idx):
            yield PartGroup("severally", whole, si, tuple(s.quantities[i] for i in idx), si)


# ------------------------------------------------------------------------------------- rates

_RATE_NAME = re.compile(r"([\u4e00-\u9fff]{1,16}?)率(?:为|是|达到|达|仅为|仅|高达|约为|约)?$")
# a change word, also as the name of the rate (增长率为, 下降幅度达, 增幅为)
_GROWTH_WORD = re.compile(
    r"(增长|增加|上升|提高|提升|上涨|增幅|下降|减少|降低|下滑|降幅|压缩)(?:率|幅度)?(?:了|为|是|达到|达)?$"
)
_TIME_UNITS = frozenset({"个工作日", "工作日", "天", "小时", "分钟", "个月", "周", "周年", "年", "岁"})


@dataclass(frozen=True, slots=True)
class RateCheck:
    """A stated rate that no pair of counts in its sentence reproduces, but whose name names a pair.

    ``computed`` is numerator / denominator * 100, rounded to the places the rate was written with.
    """

    rate: Quantity
    name: str
    numerator: Quantity
    denominator: Quantity
    computed: Decimal


def _interval(q: Quantity) -> tuple[Decimal, Decimal]:
    return bounds(q)


def _ratio_range(a: Quantity, b: Quantity) -> tuple[Decimal, Decimal] | None:
    alo, ahi = _interval(a)
    blo, bhi = _interval(b)
    if blo <= 0 or alo < 0:
        return None
    with localcontext() as c:
        c.prec = 28
        return alo / bhi * 100, ahi / blo * 100


def _reproduces(rate: Quantity, a: Quantity, b: Quantity) -> bool:
    r = _ratio_range(a, b)
    if r is None:
        return False
    tol = Decimal(1).scaleb(-max(rate.decimals, 0))  # one unit in the last place written
    return r[0] - tol <= rate.value <= r[1] + tol


def _pair_ranges(s: Sentence, counts: list[int]) -> list[tuple[Decimal, Decimal] | None]:
    """:func:`_ratio_range` of every ordered pair of distinct counts, in ``for a in counts for b in
    counts if a != b`` order (once per sentence: they do not depend on the rate)."""
    ivs = [_interval(s.quantities[i]) for i in counts]
    out: list[tuple[Decimal, Decimal] | None] = []
    with localcontext() as c:
        c.prec = 28
        for x, (alo, ahi) in enumerate(ivs):
            for y, (blo, bhi) in enumerate(ivs):
                if x == y:
                    continue
                out.append(None if blo <= 0 or alo < 0 else (alo / bhi * 100, ahi / blo * 100))
    return out


def _counts(s: Sentence) -> list[int]:
    return [
        i
        for i, q in enumerate(s.quantities)
        if q.kind in ("count", "number") and not q.approx and q.unit not in _TIME_UNITS and q.value >= 0
    ]


def _fallback_denominator(s: Sentence, counts: list[int], n: int, ri: int) -> list[int]:
    """The denominator of a rate whose name identifies only the numerator: the one count written before
    the numerator, in the rate's clause group, with its unit and at least its value (共受理咨询5873次,
    成功4382次,成功率…); none when there are several (收到100件,受理90件,办结85件,办结率…)."""
    spans = _spans(s)
    num = s.quantities[n]
    group_start = max(s.masked.rfind(";", 0, spans[ri][0]), s.masked.rfind("；", 0, spans[ri][0]))
    return [
        i
        for i in counts
        if i < n
        and spans[i][0] > group_start
        and s.quantities[i].unit == num.unit
        and s.quantities[i].value >= num.value
    ]


def rate_checks(s: Sentence) -> list[RateCheck]:
    """Rates (…率为 P%) whose named counts in the same sentence give another value.

    A rate is accepted when *any* ordered pair of counts in its sentence reproduces it within one unit
    of its last written place (so 满意率94.87% next to 4157 and 4382 is right whatever the names
    say).  Otherwise the rate's name must identify the pair: the numerator is the count labelled
    exactly like the rate without 率 (转接成功 for 转接成功率), the denominator the count whose label
    is the longest proper part of that name (转接); both with the same unit.  When no label is part
    of the name, the denominator is the single earlier count of the numerator's unit that is at least
    the numerator (共受理咨询5873次,成功4382次,成功率…); several such counts are ambiguous and the
    rate is not looked at.  Rates with an
    approximation word, growth rates and 个百分点 are not looked at.
    """
    out: list[RateCheck] = []
    if not any(q.unit == "%" for q in s.quantities):
        return out
    counts = _counts(s)
    spans = _spans(s)
    labels = {i: label_of(s, i) for i in counts}
    ranges: list[tuple[Decimal, Decimal] | None] | None = None
    for ri, q in enumerate(s.quantities):
        if q.unit != "%" or q.approx or q.value < 0:
            continue
        before = _clause_before(s, spans[ri][0])
        if _GROWTH_WORD.search(before) or _CHANGE.search(before):
            continue
        # as any(_reproduces(q, a, b) for every ordered pair of counts)
        if ranges is None:
            ranges = _pair_ranges(s, counts)
        tol = Decimal(1).scaleb(-max(q.decimals, 0))  # one unit in the last place written
        if any(r is not None and r[0] - tol <= q.value <= r[1] + tol for r in ranges):
            continue
        m = _RATE_NAME.search(before.rsplit(TOKEN_CLOSE, 1)[-1])
        if not m:
            continue
        stem = _LABEL_LEAD.sub("", m.group(1))
        if len(stem) < 2:
            continue
        nums = [i for i in counts if labels[i] == stem]
        if len(nums) != 1:
            continue
        n = nums[0]
        dens = [
            i
            for i in counts
            if i != n
            and 2 <= len(labels[i]) < len(stem)
            and labels[i] in stem
            and s.quantities[i].unit == s.quantities[n].unit
        ]
        if dens:
            longest = max(len(labels[i]) for i in dens)
            dens = [i for i in dens if len(labels[i]) == longest]
        else:
            dens = _fallback_denominator(s, counts, n, ri)
        if len(dens) != 1:
            continue
        num, den = s.quantities[n], s.quantities[dens[0]]
        if den.value <= 0 or num.value > den.value:
            continue
        places = max(q.decimals, 0)
        with localcontext() as c:
            c.prec = 28
            computed = (num.value / den.value * 100).quantize(Decimal(1).scaleb(-places))
        out.append(RateCheck(q, m.group(1) + "率", num, den, computed))
    return out


# ------------------------------------------------------------------------------------ growth

_FROM_TO = compile_pattern(
    r"(?:由|从)(?P<a>\ue000\d+\ue001){GAP:8}(?P<verb>上涨|增长|增加|提高|上升|提升|下降|减少|降低|压缩|缩短|增|升|降|减)"
    r"(?:到|至|为)(?P<b>\ue000\d+\ue001)"
)
_UP_WORDS = ("上涨", "增长", "增加", "提高", "上升", "提升", "增", "升", "增幅")
_DOWN_WORDS = ("下降", "减少", "降低", "压缩", "缩短", "降", "减", "下滑", "降幅")


@dataclass(frozen=True, slots=True)
class GrowthCheck:
    """由A…至B with a stated change: ``what`` is ``"rate"`` (X%) or ``"difference"`` (N units).

    ``computed`` is the change recomputed from A and B (a percentage rounded to the places the
    stated rate was written with, or B - A), signed the way the sentence states it (a stated
    下降 of 20% is compared with (A - B) / A).
    """

    what: str
    start: Quantity
    end: Quantity
    stated: Quantity
    computed: Decimal
    falling: bool


def _tok_index(token: str) -> int:
    return int(token[1:-1])


def growth_checks(s: Sentence) -> list[GrowthCheck]:
    """Changes 由A增长至B … 增长X% (or 增加N条) whose figures do not agree."""
    out: list[GrowthCheck] = []
    masked = s.masked
    spans = _spans(s)
    for m in _FROM_TO.finditer(masked):
        a = s.quantities[_tok_index(m.group("a"))]
        b = s.quantities[_tok_index(m.group("b"))]
        if a.approx or b.approx or a.unit != b.unit or a.kind == "percent" or a.value <= 0:
            continue
        # the stated change: the next quantity after B in the same clause group, right after a growth word
        bi = _tok_index(m.group("b"))
        for ci in range(bi + 1, len(s.quantities)):
            between = masked[spans[ci - 1][1] : spans[ci][0]]
            if any(ch in ";；。" for ch in between):
                break
            before = _clause_before(s, spans[ci][0])
            gw = _GROWTH_WORD.search(before)
            if not gw:
                continue
            c = s.quantities[ci]
            if c.approx:
                break
            word = gw.group(1)
            falling = word in _DOWN_WORDS
            if c.unit == "%":
                alo, ahi = _interval(a)
                blo, bhi = _interval(b)
                with localcontext() as ctx:
                    ctx.prec = 28
                    sign = -1 if falling else 1
                    lo = min(sign * (blo - ahi) / ahi, sign * (blo - ahi) / alo, sign * (bhi - alo) / alo, sign * (bhi - alo) / ahi) * 100
                    hi = max(sign * (blo - ahi) / ahi, sign * (blo - ahi) / alo, sign * (bhi - alo) / alo, sign * (bhi - alo) / ahi) * 100
                    point = sign * (b.value - a.value) / a.value * 100
                    tol = Decimal(1).scaleb(-max(c.decimals, 0))
                    if not (lo - tol <= c.value <= hi + tol):
                        out.append(GrowthCheck("rate", a, b, c, point.quantize(Decimal(1).scaleb(-max(c.decimals, 0))), falling))
            elif c.unit == a.unit and c.kind != "percent":
                sign = -1 if falling else 1
                alo, ahi = _interval(a)
                blo, bhi = _interval(b)
                clo, chi = _interval(c)
                lo, hi = sorted((sign * (blo - ahi), sign * (bhi - alo)))
                if chi < lo or clo > hi:
                    out.append(GrowthCheck("difference", a, b, c, sign * (b.value - a.value), falling))
            break
    return out
