"""Quantities and dates in report prose, parsed by grammars/quantity.lark.

The grammar is the authority for what a quantity or a date *is*; this module only

* evaluates a parse tree (place values, scale, unit kind, precision), and
* scans running text: a regular expression built from the grammar's own terminals finds candidate
  spans cheaply, the LALR parser decides each one, and a few context rules drop numbers that are
  not quantities in prose (dates, document numbers, ordinals, slogans in short quotes, …).

Conventions
-----------
value
    An Arabic number times its scale: ``152万条`` -> 1520000 条, ``3千万`` -> 30000000.
    A money unit is a single unit word: ``5234.55万元`` -> 5234.55 in unit ``万元`` (never 52345500
    元), ``16.7亿元`` -> 16.7 亿元.  The lexer tries unit words before the scale characters, so
    ``万元`` wins over ``万`` followed by ``元``.
unit
    The unit word as the grammar lexed it after the one-for-one width mapping (％ -> %,
    家（次） -> 家(次)); ``text`` / ``start`` / ``end`` always refer to the caller's string.
decimals
    Decimal places of the number as written, *after* the scale: the written number is exact to
    ``10**-decimals``, i.e. the true value lies in ``[value - 0.5*10**-decimals,
    value + 0.5*10**-decimals]`` (see :meth:`Quantity.bounds`).  ``1629`` -> 0, ``89.52%`` -> 2,
    ``152万`` -> -4 (±5000), ``62.8万`` -> -3 (±500).  A Chinese numeral ending in 万/亿
    (``十五万``, ``万余``) gets -4/-8 like its Arabic twin; other Chinese numerals are exact (0).
approx
    The approximation word(s) as written: before the number (近 约 超过 逾 …), between number and
    unit (余 多) or after the unit (以上 以下 左右).  Two words are joined with ``…`` (``近…余``).
    共/共计/累计 are totals, not approximations.
kind
    ``count`` / ``money`` / ``percent`` from the unit terminal that matched (百分之… is a percent,
    unit ``%``); ``number`` without a unit; ``year`` only from :func:`parse_quantity` on a
    4-digit year with 年 (``2019年``) -- the scanner reports years as dates, never as quantities.

Bare numbers
------------
By default :func:`scan_quantities` returns only numbers with a unit word or a percent sign: that
is what the narrative rules compare, and a bare number in a report is far more often a hotline
(12345), a year range, a document or article number, a list ordinal or a name ("5个100") than a
count.  ``scan_quantities(text, bare=True)`` adds bare *Arabic* numbers that survive the same
context rules plus a few more (years, phone/hotline context, ``号``, list ordinals); bare Chinese
numerals (一是, 十九大, 三中全会, 进一步 …) are never returned.
"""

from __future__ import annotations

import datetime
import re
from bisect import bisect_right
from dataclasses import dataclass
from decimal import Context, Decimal
from functools import cache, lru_cache
from typing import Literal, NamedTuple

from lark import Lark, Token, Transformer
from lark.exceptions import LarkError

from xxgk_lint.data import data_path
from xxgk_lint.larkcache import build_lark

__all__ = [
    "DateMention",
    "Quantity",
    "QuantityKind",
    "parse_date",
    "parse_quantity",
    "scan_dates",
    "scan_quantities",
    "unit_words",
]

QuantityKind = Literal["count", "money", "percent", "year", "number"]


@dataclass(frozen=True, slots=True)
class Quantity:
    value: Decimal
    unit: str | None
    approx: str | None
    decimals: int
    kind: QuantityKind
    text: str
    start: int
    end: int

    def bounds(self) -> tuple[Decimal, Decimal]:
        """The interval the written number stands for (rounding only; ``approx`` is not applied)."""
        half = Decimal(5).scaleb(-self.decimals - 1)
        return self.value - half, self.value + half


@dataclass(frozen=True, slots=True)
class DateMention:
    date: datetime.date | None
    year: int | None
    month: int | None
    day: int | None
    text: str
    start: int
    end: int


# ------------------------------------------------------------------------------ normalisation

# One character for one character, so offsets into the normalised text are offsets into the input.
_NORMALISE = str.maketrans(
    {
        **{chr(0xFF10 + i): str(i) for i in range(10)},
        "％": "%",
        "．": ".",
        "（": "(",
        "）": ")",
        "／": "/",
        "－": "-",
    }
)


_NEEDS_NORMALISING = re.compile("[" + "".join(chr(c) for c in _NORMALISE) + "]")


def _normalise(text: str) -> str:
    return text.translate(_NORMALISE) if _NEEDS_NORMALISING.search(text) else text


# ------------------------------------------------------------------------------- tree evaluation

_CN_DIGITS = {
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
_PLACE = {"SHI": 1, "BAI": 2, "QIAN": 3, "WAN": 4, "YI": 8}
_KIND_OF_UNIT: dict[str, QuantityKind] = {
    "UNIT_COUNT": "count",
    "UNIT_MONEY": "money",
    "UNIT_PERCENT": "percent",
}


# Exact arithmetic for any number a report could write (the default context rounds at 28 digits);
# longer ones make the parse fail rather than round silently.
_EXACT = Context(prec=100)


class _Num(NamedTuple):
    value: Decimal
    decimals: int
    plain_int: bool  # an Arabic integer without grouping, fraction or scale (a possible year)


class _PercentOf(NamedTuple):
    num: _Num  # 百分之… : the unit is %


class _Parsed(NamedTuple):
    value: Decimal
    decimals: int
    unit: str | None
    approx: str | None
    kind: QuantityKind


def _cn_int_value(tokens: list[Token]) -> int:
    """Place-value evaluation of a Chinese integer the grammar has already accepted."""
    total = wan = section = digit = 0
    for tok in tokens:
        kind = tok.type
        if kind in ("DIGIT", "ZERO"):
            digit = _CN_DIGITS[tok.value]
        elif kind in ("SHI", "BAI", "QIAN"):
            section += (digit or 1) * 10 ** _PLACE[kind]
            digit = 0
        elif kind == "WAN":
            wan = (section + digit) * 10**4
            section = digit = 0
        elif kind == "YI":
            total = (total + wan + section + digit) * 10**8
            wan = section = digit = 0
    return total + wan + section + digit


class _Eval(Transformer[Token, object]):
    """Applied by the LALR parser as it reduces (no tree is built)."""

    # --- numbers
    def scale(self, children: list[Token]) -> int:
        return sum(_PLACE[t.type] for t in children)

    def arabic(self, children: list) -> _Num:
        raw = str(children[0]).replace(",", "").replace("，", "")
        exp = children[1] if len(children) > 1 else 0
        frac = len(raw.partition(".")[2])
        plain = exp == 0 and frac == 0 and raw == str(children[0])
        return _Num(Decimal(raw).scaleb(exp, _EXACT), frac - exp, plain)

    def cn_int(self, children: list[Token]) -> _Num:
        last = children[-1].type
        decimals = -_PLACE[last] if last in ("WAN", "YI") else 0
        return _Num(Decimal(_cn_int_value(children)), decimals, False)

    def chinese(self, children: list[_Num]) -> _Num:
        return children[0]

    def cn_frac(self, children: list[Token]) -> str:
        return "".join(str(_CN_DIGITS[t.value]) for t in children)

    def chinese_decimal(self, children: list) -> _Num:
        whole: _Num = children[0]
        frac: str = children[2]
        exp = children[3] if len(children) > 3 else 0
        return _Num(Decimal(f"{int(whole.value)}.{frac}").scaleb(exp, _EXACT), len(frac) - exp, False)

    def magnitude(self, children: list[Token]) -> _Num:
        exp = _PLACE[children[0].type]
        return _Num(Decimal(10) ** exp, -exp if exp >= 4 else 0, False)

    def percent_of(self, children: list) -> _PercentOf:
        return _PercentOf(children[1])

    def unit(self, children: list[Token]) -> Token:
        return children[0]

    def quantity(self, children: list) -> _Parsed:
        num: _Num | None = None
        unit: str | None = None
        kind: QuantityKind = "number"
        approx: list[str] = []
        for child in children:
            if isinstance(child, _PercentOf):
                num, unit, kind = child.num, "%", "percent"
            elif isinstance(child, _Num):
                num = child
            elif isinstance(child, Token):
                if child.type.startswith("APPROX_"):
                    approx.append(str(child))
                elif child.type in _KIND_OF_UNIT:
                    unit, kind = str(child), _KIND_OF_UNIT[child.type]
        assert num is not None
        if unit == "年" and not approx and num.plain_int and 1900 <= num.value <= 2100:
            kind = "year"
        # Plain notation: 1520000 rather than 1.52E+6, 89.52 keeps its two places.
        value = num.value.quantize(Decimal(1).scaleb(-max(num.decimals, 0)), context=_EXACT)
        return _Parsed(value, num.decimals, unit, "…".join(approx) or None, kind)

    # --- dates
    def arabic_part(self, children: list[Token]) -> int:
        return int(children[0])

    def cn_digits(self, children: list[Token]) -> int:
        return int("".join(str(_CN_DIGITS[t.value]) for t in children))

    def cn_part(self, children: list[Token]) -> int:
        return _cn_int_value(children)

    def ymd(self, c: list) -> tuple[int | None, int | None, int | None]:
        return c[0], c[2], c[4]

    def ym(self, c: list) -> tuple[int | None, int | None, int | None]:
        return c[0], c[2], None

    def y(self, c: list) -> tuple[int | None, int | None, int | None]:
        return c[0], None, None

    def md(self, c: list) -> tuple[int | None, int | None, int | None]:
        return None, c[0], c[2]

    def m(self, c: list) -> tuple[int | None, int | None, int | None]:
        return None, c[0], None

    def numeric(self, c: list[Token]) -> tuple[int | None, int | None, int | None]:
        return int(c[0]), int(c[2]), int(c[4])


# ------------------------------------------------------------------------------------- grammar


class _Grammar(NamedTuple):
    parser: Lark
    candidate: re.Pattern[str]
    date_candidate: re.Pattern[str]
    units: dict[QuantityKind, tuple[str, ...]]


def _alternatives(regexp: str) -> tuple[str, ...]:
    """The literal words of a Lark terminal written as "a" | "b" | … (compiled to (?:a|b|…))."""
    body = regexp[3:-1] if regexp.startswith("(?:") and regexp.endswith(")") else regexp
    return tuple(re.sub(r"\\(.)", r"\1", word) for word in re.split(r"(?<!\\)\|", body))


@cache
def _grammar() -> _Grammar:
    text = data_path("grammars", "quantity.lark").read_text(encoding="utf-8")
    parser = build_lark(text, "quantity", start=["quantity", "date"], transformer=_Eval())
    terms = {t.name: t for t in parser.terminals}
    rx = {name: t.pattern.to_regexp() for name, t in terms.items()}

    # Unit words in the order the LALR lexer tries them: priority, then longest first.
    unit_terms = sorted(
        (t for t in parser.terminals if t.name in _KIND_OF_UNIT),
        key=lambda t: (-t.priority, -t.pattern.max_width),
    )
    unit = "(?:" + "|".join(rx[t.name] for t in unit_terms) + ")"
    sp = f"(?:{rx['WS']})?"
    place = "(?:" + "|".join(rx[n] for n in ("SHI", "BAI", "QIAN", "WAN", "YI")) + ")"
    digit = f"(?:{rx['DIGIT']}|{rx['ZERO']})"
    cn_char = f"(?:{digit}|{place})"
    scale = f"(?:{sp}(?!{unit}){place})*"
    cn_num = f"(?:(?!{unit}){cn_char})+(?:{sp}{rx['POINT']}{sp}{digit}+{scale})?"
    arabic = f"{rx['ARABIC']}{scale}"
    # A one-character lookahead first lets the regex engine skip ordinary prose quickly.
    starters = {w[0] for w in _alternatives(rx["APPROX_PRE"]) + _alternatives(rx["PCT_OF"])}
    first = "(?=[0-9" + re.escape("".join(sorted(starters))) + f"]|{cn_char})"
    candidate = re.compile(
        first + f"(?P<pre>{rx['APPROX_PRE']}{sp})?"
        f"(?P<num>(?P<pct>{rx['PCT_OF']}{sp})?(?:(?P<ar>{arabic})|(?P<cn>{cn_num})))"
        f"(?P<mid>{sp}{rx['APPROX_MID']})?"
        f"(?P<unit>{sp}{unit})?"
        f"(?P<post>{sp}{rx['APPROX_POST']})?"
    )

    cn_small = f"(?:{rx['DIGIT']}|{rx['SHI']}){{1,3}}"
    day_mark = rx["RI"]
    year = f"(?:(?<![0-9.])[0-9]{{4}}|(?<!{cn_char}){digit}{{4}})"
    a_md = "(?<![0-9.])[0-9]{1,2}"
    date_candidate = re.compile(
        f"(?=[0-9]|{digit}|{rx['SHI']})"
        r"(?:(?<![0-9.])[0-9]{4}([-/.])[0-9]{1,2}\1[0-9]{1,2}(?![0-9])"
        f"|{year}{sp}{rx['NIAN']}(?:{sp}{rx['DU']}|{sp}(?:{a_md}|{cn_small}){sp}{rx['YUE']}"
        f"(?:{sp}(?:{a_md}|{cn_small}){sp}{day_mark})?)?"
        f"|{a_md}{sp}{rx['YUE']}(?:{sp}{a_md}{sp}{day_mark})?"
        f"|(?<!{cn_char}){cn_small}{sp}{rx['YUE']}{sp}{cn_small}{sp}{day_mark})"
    )
    units = {_KIND_OF_UNIT[t.name]: _alternatives(rx[t.name]) for t in unit_terms}
    return _Grammar(parser, candidate, date_candidate, units)


def unit_words() -> dict[QuantityKind, tuple[str, ...]]:
    """The unit words of the grammar by kind (count / money / percent), longest first."""
    return dict(_grammar().units)


@lru_cache(maxsize=8192)
def _parse_q(s: str) -> _Parsed | None:
    plain = _parse_plain(s)
    return _parse_lark(s) if plain is _NOT_PLAIN else plain  # type: ignore[return-value]


def _parse_lark(s: str) -> _Parsed | None:
    try:
        result = _grammar().parser.parse(s, start="quantity")
    except (LarkError, ArithmeticError):
        return None
    return result if isinstance(result, _Parsed) else None


# The commonest quantity by far is Arabic digits and a measure word written together (46件,
# 12.5%, 2019年).  For exactly that shape the tokens are known without lexing, and the grammar's
# own transformer (_Eval) turns them into the same _Parsed the LALR parse gives; anything else
# (spaces, grouping, scale characters, approximations, Chinese numerals) goes to the parser.
# tests/test_quantities.py holds the two to the same answer for every measure word.
_PLAIN_QUANTITY = re.compile(r"([0-9]{1,30}(?:\.[0-9]{1,30})?)(.{0,4})", re.S)
_NOT_PLAIN = object()
_EVAL = _Eval()


@cache
def _unit_terminals() -> dict[str, str]:
    """Measure word -> the terminal that lexes it after a number (UNIT_COUNT, UNIT_MONEY, …)."""
    terminal = {kind: name for name, kind in _KIND_OF_UNIT.items()}
    out: dict[str, str] = {}
    for kind, words in _grammar().units.items():  # in the lexer's order: the first claim wins
        for w in words:
            out.setdefault(w, terminal[kind])
    return out


def _parse_plain(s: str) -> _Parsed | None | object:
    """:func:`_parse_lark` of digits + an optional measure word, without the parser; _NOT_PLAIN
    for any other text."""
    m = _PLAIN_QUANTITY.fullmatch(s)
    if m is None:
        return _NOT_PLAIN
    digits, word = m.groups()
    children: list[object] = [_EVAL.arabic([Token("ARABIC", digits)])]
    if word:
        terminal = _unit_terminals().get(word)
        if terminal is None:
            return _NOT_PLAIN
        children.append(Token(terminal, word))
    try:
        return _EVAL.quantity(children)
    except ArithmeticError:
        return None


@lru_cache(maxsize=4096)
def _parse_d(s: str) -> tuple[int | None, int | None, int | None] | None:
    try:
        result = _grammar().parser.parse(s, start="date")
    except LarkError:
        return None
    return result if isinstance(result, tuple) else None


# ------------------------------------------------------------------------------ public parsing


def parse_quantity(s: str) -> Quantity | None:
    """The whole string (surrounding whitespace aside) as one quantity, or None."""
    work = _normalise(s)
    body = work.strip()
    if not body:
        return None
    parsed = _parse_q(body)
    if parsed is None:
        return None
    start = len(work) - len(work.lstrip())
    end = start + len(body)
    return Quantity(
        parsed.value, parsed.unit, parsed.approx, parsed.decimals, parsed.kind, s[start:end], start, end
    )


def _mention(
    parts: tuple[int | None, int | None, int | None], text: str, start: int, end: int
) -> DateMention:
    year, month, day = parts
    full: datetime.date | None = None
    if year is not None and month is not None and day is not None:
        try:
            full = datetime.date(year, month, day)
        except ValueError:
            full = None
    return DateMention(full, year, month, day, text, start, end)


def parse_date(s: str) -> datetime.date | None:
    """A full date (2019年1月31日, 二〇一九年一月三十一日, 2019-01-31 …) or None, also for 2019年2月30日."""
    body = _normalise(s).strip()
    parts = _parse_d(body) if body else None
    if parts is None:
        return None
    return _mention(parts, body, 0, len(body)).date


# ------------------------------------------------------------------------------------ scanning

_MASK = "\ufffc"  # stands in for characters already claimed by a date or a document number
_DOC_NUMBER = re.compile(r"[〔\[［【(（]\s*(?:19|20)[0-9]{2}\s*[〕\]］】)）]\s*第?\s*[0-9]+\s*号")
_PHONE = re.compile(r"(?<![0-9])(?:0[0-9]{2,3}-[0-9]{7,8}|1[3-9][0-9]{9})(?![0-9])")
_SHORT_QUOTE = re.compile(r"[“‘\"「『][^“”‘’\"「」『』\n,，。;；!！?？]{0,16}[”’\"」』]")
# Characters that make a following Chinese numeral part of a word or an ordinal: 统一 唯一 之一
# 逐一 同一 单一 专一 划一 归一 如一 合一 初一 周一 星期一 其一 任一 无一 每一 新一轮.
_CN_WORD_BEFORE = frozenset("统唯之逐同单专划归如合初周期其任无每新")
# Unit word + next character that make a word rather than a measure: 一次性 一条龙 名称 部门 期间 …
_WORD_AFTER_UNIT = {
    "次": "性",
    "条": "龙例款件",
    "名": "称单义",
    "部": "门分署长",
    "期": "间",
    "项": "目",
    "个": "体性",
    "场": "所景",
    "家": "庭长属",
    "类": "别型",
    "户": "籍口",
    "支": "持付出撑部",
    "台": "账",
    "组": "织",
    "年": "级代",
    "批": "复准示",
    "元": "化素",
}
# A one-character approximation word that is the end of another word: 签约3家 节约30% 最近3天.
_PRE_WORD_BEFORE = {"约": "签节预合制公条契", "近": "最附临就靠亲", "超": "赶高"}
# Between 第 and the number: 第1、2条  第三至五条
_ORDINAL_RUN = frozenset("0123456789零〇一二两三四五六七八九十百千、,，和及至到-—~ \t")
_ZERO = frozenset("零〇")


def _is_cjk(ch: str) -> bool:
    """A CJK ideograph (basic block or extension A): a character that can continue a word."""
    return bool(ch) and ("\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf")


def _lone_zero_is_word(work: str, num_start: int, num_end: int, unit_end: int | None) -> bool:
    """True for a numeral that is only 零 / 〇 inside a word: 汽车零件, 零部件, 零件加工, 零元购.

    The lone zero is taken as the number 0 only when it stands apart: no CJK ideograph right
    before it, and none right after its unit (申请数量:零件。).  Reports write zero as 0 or 无
    (零投诉 and 零距离 have no measure word and are never quantities); numerals that merely contain
    a zero (一百零五项, 零点五个百分点) are not affected.  See grammars/quantity.lark."""
    if not set(work[num_start:num_end].strip()) <= _ZERO:
        return False
    before = work[num_start - 1] if num_start else ""
    after = work[unit_end] if unit_end is not None and unit_end < len(work) else ""
    return _is_cjk(before) or _is_cjk(after)


_HOTLINE_AFTER = ("热线", "专线", "电话", "短信")
_HOTLINE_BEFORE = ("热线", "电话", "拨打", "致电", "传真", "邮编", "编号", "代码")


def _masked(work: str, spans: list[tuple[int, int]]) -> str:
    if not spans:
        return work
    spans.sort()
    out: list[str] = []
    pos = 0
    for a, b in spans:
        a = max(a, pos)
        if b <= a:
            continue
        out.append(work[pos:a])
        out.append(_MASK * (b - a))
        pos = b
    out.append(work[pos:])
    return "".join(out)


def _after_di(work: str, start: int) -> bool:
    """True when the number is an ordinal: 第 before it, possibly across 第1、2… / 第三至五…."""
    i = start - 1
    stop = max(-1, start - 13)
    while i > stop:
        ch = work[i]
        if ch == "第":
            return True
        if ch not in _ORDINAL_RUN:
            return False
        i -= 1
    return False


def _in_short_quote(quotes: list[tuple[int, int]], starts: list[int], a: int, b: int) -> bool:
    k = bisect_right(starts, a) - 1
    return k >= 0 and quotes[k][1] >= b


def _bare_ok(work: str, parsed: _Parsed, start: int, num_end: int, end: int) -> bool:
    """Context rules for a bare Arabic number (bare=True only)."""
    digits = work[start:num_end]
    if parsed.approx is None and digits.isdigit():
        if len(digits) == 4 and 1900 <= int(digits) <= 2100:
            return False  # a year (range), 2019世界…大会
        if len(digits) >= 9:
            return False  # account, ID or phone number
    prev = work[start - 1] if start else "\n"
    before_space = work[:start].rstrip(" \t\u3000")[-1:]
    if before_space.isascii() and before_space.isalpha():
        return False  # Explorer 9, Windows 10
    nxt = work[end] if end < len(work) else "\n"
    if nxt == "号":
        return False
    if nxt in "、.)" and (prev in "\n \t(" or start == 0):
        return False  # list ordinal 1、 1. (1)
    after = work[end : end + 8]
    before = work[max(0, start - 6) : start]
    return not (any(w in after for w in _HOTLINE_AFTER) or any(w in before for w in _HOTLINE_BEFORE))


def scan_quantities(text: str, *, bare: bool = False) -> list[Quantity]:
    """Quantities in running text, left to right, non-overlapping.

    Numbers inside dates, document numbers (〔2019〕60号), ordinals (第二十条, 第1、2条), short
    quoted slogans/names (“支持企业40条”, “96128”, “最多跑一次”), alphanumeric codes (5G) and
    idioms (一次性, 统一名称) are skipped.  Without ``bare`` only numbers with a unit word or a
    percent sign are returned.
    """
    if not text:
        return []
    g = _grammar()
    work = _normalise(text)
    claims = [m.span() for m in g.date_candidate.finditer(work)]
    claims += [m.span() for m in _DOC_NUMBER.finditer(work)]
    claims += [m.span() for m in _PHONE.finditer(work)]
    work = _masked(work, claims)
    quotes = [m.span() for m in _SHORT_QUOTE.finditer(work)]
    quote_starts = [a for a, _ in quotes]

    found: list[Quantity] = []
    for m in g.candidate.finditer(work):
        start = m.start()
        num_start, num_end = m.span("num")
        chinese = m.group("cn") is not None
        has_pct = m.group("pct") is not None
        if not (bare or has_pct or m.group("unit") is not None):
            continue
        pre = m.group("pre")
        if pre is not None and start and work[start - 1] in _PRE_WORD_BEFORE.get(pre.strip(), ""):
            start, pre = num_start, None  # 签约3家: 约 belongs to 签约, not to the number
        if _after_di(work, start):
            continue
        prev = work[num_start - 1] if num_start else ""
        if chinese and not has_pct and pre is None and prev in _CN_WORD_BEFORE:
            continue
        if chinese and _lone_zero_is_word(work, num_start, num_end, m.end("unit") if m.group("unit") else None):
            continue
        if not chinese and (prev.isascii() and (prev.isalpha() or prev == ".")):
            continue
        after_num = work[num_end] if num_end < len(work) else ""
        if after_num.isascii() and after_num.isalpha():
            continue  # 5G, 4K
        if quotes and _in_short_quote(quotes, quote_starts, start, m.end()):
            continue

        ends = sorted(
            {m.end(k) for k in ("post", "unit", "mid", "num") if m.group(k) is not None}, reverse=True
        )
        for end in ends:
            has_unit = has_pct or (m.group("unit") is not None and end >= m.end("unit"))
            if not has_unit and (chinese or not bare):
                break
            if has_unit and m.group("unit") is not None and end >= m.end("unit"):
                nxt = work[m.end("unit")] if m.end("unit") < len(work) else ""
                if nxt and nxt in _WORD_AFTER_UNIT.get(m.group("unit").strip(), ""):
                    break
            parsed = _parse_q(work[start:end])
            if parsed is None:
                continue
            if parsed.unit is None and not _bare_ok(work, parsed, num_start, num_end, end):
                break
            found.append(
                Quantity(
                    parsed.value,
                    parsed.unit,
                    parsed.approx,
                    parsed.decimals,
                    parsed.kind,
                    text[start:end],
                    start,
                    end,
                )
            )
            break
    return found


def scan_dates(text: str) -> list[DateMention]:
    """Dates, year-months, years (2019年, 2019年度), month-days and Arabic months (7月), left to right."""
    if not text:
        return []
    g = _grammar()
    work = _normalise(text)
    found: list[DateMention] = []
    for m in g.date_candidate.finditer(work):
        parts = _parse_d(m.group())
        if parts is not None:
            found.append(_mention(parts, text[m.start() : m.end()], m.start(), m.end()))
    return found
