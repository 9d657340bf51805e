"""The shortcuts of the hygiene check kinds (kinds_hygiene.py) against the straightforward per-line
computation they stand for: one search of the whole text that rules lines out, per-rule caches."""

from __future__ import annotations

import dataclasses
import re
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xxgk_lint.check import kinds_hygiene as kh
from xxgk_lint.check.context import CheckContext
from xxgk_lint.check.rules import builtin_rules
from xxgk_lint.parse.textnorm import norm
from xxgk_lint.read.document import Block, Cell, Document, Row

RULES = {r.code: r for r in builtin_rules() if r.code in ("H101", "H102", "H103", "H104", "H105", "H201")}
GBK_LEAD = sorted(kh._gbk_lead().pattern[1:-4])  # the class's characters, without the surrogate range
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -- text that mixes what the rules look for with what they must pass over --------------------------

CJK = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), max_size=8)
COMMON = st.sampled_from(["政府信息公开", "主动公开", "发布各类政府信息", "受理申请", "年度报告", "开通热线", "收到"])
ASCII = st.text(st.sampled_from("abcwxyzHTP0129.-/:@_ ~?=&%"), max_size=12)
LATIN1 = st.text(st.characters(min_codepoint=0x80, max_codepoint=0xFF), min_size=1, max_size=6)


@st.composite
def one_lead_block(draw: st.DrawFn) -> str:
    """Chinese characters whose UTF-8 sequences all open with the same byte (E4 ... E9)."""
    first = draw(st.integers(0x4E, 0x9F)) if draw(st.booleans()) else draw(st.sampled_from([0x4E, 0x9F]))
    low, high = (0x4E00, 0x4FFF) if first < 0x50 else ((first >> 4) << 12, ((first >> 4) << 12) + 0xFFF)
    return draw(st.text(st.characters(min_codepoint=low, max_codepoint=high), min_size=1, max_size=8))


@st.composite
def mojibake(draw: st.DrawFn) -> str:
    source = draw(st.one_of(COMMON, CJK, one_lead_block()))
    how = draw(st.sampled_from(["gbk", "latin-1", "cp1252"]))
    return source.encode("utf-8").decode(how, errors="replace")


def _words(code: str, key: str) -> list[str]:
    return [str(w) for w in RULES[code].params[key]]


PIECES = st.one_of(
    CJK,
    COMMON,
    ASCII,
    LATIN1,
    mojibake(),
    st.text(st.sampled_from(GBK_LEAD), min_size=1, max_size=4),
    st.sampled_from(_words("H104", "markers") + ["ÃƒÂ", "Ã", "â€"]),
    st.sampled_from(_words("H101", "words") + _words("H102", "words") + _words("H201", "words")),
    st.sampled_from(["ｂｅｔ３６５", "扫 一 扫在手机打开当前页", "分享到：", "1、", "(一)"]),
    st.sampled_from(
        ["www.bet-abc.com", "vip888.cc", "http://x.gov.cn/a", "https://abc.vip/a?b=1", "附件1.docx", "1.2.3.4"]
        + ["HTTP://A.B", "www.1", "www.-", "http://localhost", "http://.x", "a-.bc", "v1.0", "12.5%", "x@y.com"]
    ),
    st.sampled_from(_words("H105", "words")),
    st.sampled_from(_words("H103", "measures") + _words("H103", "verbs") + _words("H103", "words")),
    st.sampled_from(list(str(RULES["H103"].params["stops"])) + list(str(RULES["H103"].params["numerals"]))),
    st.sampled_from(["\n", "\ud800", " ", "\t", "\ufffd", "万", "件", "条,", "12"]),
)
LINE = st.lists(PIECES, max_size=8).map("".join)
LINES = st.lists(LINE, max_size=8)
HIDDEN = st.lists(LINE.filter(lambda t: t.strip() and "\n" not in t and "\t" not in t), max_size=3)


def make_ctx(lines: list[str], hidden: list[str] = (), table: bool = False) -> CheckContext:  # type: ignore[assignment]
    """A report whose blocks are the lines (paragraphs, or a table's one-cell rows)."""
    if table:
        rows = tuple(Row(cells=(Cell(t, k + 1), Cell("x", k + 1)), line=k + 1) for k, t in enumerate(lines))
        blocks = [Block("table", 1, max(1, len(lines)), rows=rows)] if lines else []
    else:
        blocks = [Block("paragraph", k + 1, k + 1, text=t) for k, t in enumerate(lines)]
    meta = {"hidden_text": "\n".join(f"{900 + k}\t{t}" for k, t in enumerate(hidden))} if hidden else {}
    doc = Document(path="x.html", format="html", blocks=blocks, meta=meta)
    report = SimpleNamespace(_cache={}, sections={})
    return CheckContext(report=report, doc=doc, template=None)  # type: ignore[arg-type]


def run(fn: Any, ctx: CheckContext, rule: Any) -> list[Any]:
    ctx.report._cache.clear()
    return list(fn(ctx, rule))


# -- mojibake: UTF-8 read as GBK ------------------------------------------------------------------


def test_gbk_lead_class_is_what_the_codec_says() -> None:
    """The class holds exactly the characters GB18030 encodes as two bytes with a first byte E4-E9
    (plus the surrogates); GB18030 encodes every other code point, never as a single byte of 80 or
    above, with a digit byte after each high byte of a four-byte sequence, and gives a newline
    byte only for a newline: what the prefilter's argument rests on."""
    lead = kh._gbk_lead()
    for cp in range(0x10000):
        c = chr(cp)
        if 0xD800 <= cp <= 0xDFFF:
            assert lead.match(c)
            continue
        b = c.encode("gb18030")
        assert (len(b) == 2 and 0xE4 <= b[0] <= 0xE9) == bool(lead.match(c)), hex(cp)
        assert len(b) in (1, 2, 4) and (len(b) > 1 or cp < 0x80), hex(cp)
        assert (b"\n" in b) == (c == "\n")
        if len(b) == 4:
            assert 0x30 <= b[1] <= 0x39 and 0x30 <= b[3] <= 0x39, hex(cp)
    astral = "".join(map(chr, range(0x10000, 0x110000)))  # four bytes each: 8x 3x 8x 3x
    b = astral.encode("gb18030")
    assert len(b) == 4 * len(astral) and lead.search(astral) is None
    assert all(0x30 <= x <= 0x39 for x in b[1::2]) and all(x >= 0x80 for x in b[0::2])


def reference_suspects(texts: list[str], min_recovered: int) -> set[int]:
    """Each line on its own: re-encoded as GB18030, read as UTF-8, a run of Chinese characters."""
    if any("\n" in t for t in texts):
        return set(range(len(texts)))
    try:
        back = [t.encode("gb18030").decode("utf-8", errors="replace") for t in texts]
    except UnicodeError:
        return set(range(len(texts)))
    run = re.compile("[\u4e00-\u9fff]{" + str(max(2, min(min_recovered, 8))) + "}")
    return {k for k, b in enumerate(back) if len(b) >= min_recovered and run.search(b)}


@SETTINGS
@given(LINES, st.integers(-1, 10))
def test_gbk_suspects_equal_the_per_line_computation(texts: list[str], min_recovered: int) -> None:
    lines = [(k + 1, t, None) for k, t in enumerate(texts)]
    assert kh._gbk_suspects(lines, min_recovered, "\n".join(texts)) == reference_suspects(texts, min_recovered)


def test_gbk_suspects_edges() -> None:
    moji = "发布各类政府信息".encode().decode("gbk", errors="replace")
    assert kh._gbk_suspects([(1, "正文", None), (2, moji, None)], 4, "正文\n" + moji) == {1}
    assert kh._gbk_suspects([(1, "正文", None)], 4, "正文") == set()  # no lead character: no encoding
    assert kh._gbk_suspects([(1, "a\ud800", None), (2, "b", None)], 4, "a\ud800\nb") == {0, 1}
    assert kh._gbk_suspects([(1, "a\nb", None), (2, "c", None)], 4, "a\nb\nc") == {0, 1}
    assert kh._gbk_suspects([], 4, "") == set()


@pytest.mark.parametrize("source", ["万丌丑世丛丠", "倿偄偉偎偓偘", "怿恄恉恎恓恘", "瀿灄灉灎灓灘", "耿聄聉聎聓聘", "逿遄遉過道遘"])
def test_gbk_suspects_for_each_utf8_lead_byte(source: str) -> None:
    """Mojibake of characters whose UTF-8 sequences all open with one byte E4 ... E9: only the
    characters of that byte in the lead class are there to find it."""
    moji = source.encode().decode("gbk")
    texts = ["正文", "（一）" + moji + "。"]
    assert reference_suspects(texts, 4) == {1}
    assert kh._gbk_suspects([(k, t, None) for k, t in enumerate(texts)], 4, "\n".join(texts)) == {1}


def reference_mojibake(ctx: CheckContext, rule: Any) -> list[tuple[Any, ...]]:
    """What the mojibake kind reports, line by line with nothing ruled out in advance."""
    p = rule.params
    markers = [str(w) for w in p.get("markers", [])]
    lead = set(str(p.get("latin1_lead", "")))
    pair_re = re.compile("(?=[" + "".join(re.escape(c) for c in sorted(lead)) + "][\x80-\xbf])") if lead else None
    min_pairs = int(p.get("min_latin1_pairs", 2))
    min_recovered = int(p.get("gbk_min_recovered", 0))
    lines = kh._lines(ctx)
    suspects = reference_suspects([t for _l, t, _p in lines], min_recovered) if min_recovered else set()
    out = []
    for k, (line, text, _page) in enumerate(lines):
        found = [m for m in markers if m in text]
        if pair_re is not None and len(pair_re.findall(text)) >= min_pairs:
            found.append(text[:12])
        garbled = kh._utf8_read_as_gbk(text, min_recovered) if k in suspects else None
        if garbled is not None and not found:
            found.append(garbled[0])
        if found:
            out.append((line, found[0][:20], garbled[1][:40] if garbled and garbled[1] else None))
    return out[: kh.MAX_HITS]


@SETTINGS
@given(LINES, st.booleans(), st.sampled_from([None, 0, 1, 2, 3]), st.booleans())
def test_mojibake_equals_the_per_line_computation(texts: list[str], table: bool, min_pairs: int | None, lead: bool) -> None:
    rule = RULES["H104"]
    if min_pairs is not None:
        rule = dataclasses.replace(rule, params={**rule.params, "min_latin1_pairs": min_pairs})
    if not lead:  # no lead characters: no Latin-1 pairs to count, whatever min_latin1_pairs says
        rule = dataclasses.replace(rule, params={**rule.params, "latin1_lead": ""})
    ctx = make_ctx(texts, table=table)
    hits = [(h.line, h.actual, h.expected) for h in run(kh.mojibake, ctx, rule)]
    assert hits == reference_mojibake(ctx, rule)


# -- phrases: one search for any word ---------------------------------------------------------------


def reference_phrases(ctx: CheckContext, rule: Any) -> list[tuple[Any, ...]]:
    words = [(str(w), norm(str(w))) for w in rule.params.get("words", [])]
    hidden = kh._hidden(ctx) if rule.params.get("hidden") else []
    out = []
    for (line, text, _page), is_hidden in [(x, False) for x in kh._lines(ctx)] + [(x, True) for x in hidden]:
        found = [w for w, n in words if n and n in norm(text)]
        if found:
            out.append((line, found[:5], is_hidden))
    return out[: kh.MAX_HITS]


@SETTINGS
@given(LINES, HIDDEN, st.booleans(), st.sampled_from(["H101", "H102", "H201"]))
def test_phrases_equal_the_per_line_computation(texts: list[str], hidden: list[str], table: bool, code: str) -> None:
    ctx = make_ctx(texts, hidden, table)
    hits = [(h.line, h.actual, h.subject.startswith("hidden:")) for h in run(kh.phrases, ctx, RULES[code])]
    assert hits == reference_phrases(ctx, RULES[code])


# -- link_farm: only the lines with a hint of an address ------------------------------------------


@SETTINGS
@given(LINE)
def test_every_address_holds_a_link_hint(text: str) -> None:
    for m in kh._LINK.finditer(text):
        assert kh._LINK_HINT.search(m.group(0)), m.group(0)


@SETTINGS
@given(LINES, HIDDEN, st.booleans(), st.integers(1, 3))
def test_link_farm_equals_the_scan_of_every_line(
    texts: list[str], hidden: list[str], table: bool, min_links: int
) -> None:
    rule = dataclasses.replace(RULES["H105"], params={**RULES["H105"].params, "min_links": min_links})
    ctx = make_ctx(texts, hidden, table)
    fast = run(kh.link_farm, ctx, rule)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(kh, "_LINK_HINT", re.compile(r"(?m)^"))  # a hint at the start of every line
        slow = run(kh.link_farm, ctx, rule)
    assert fast == slow


# -- garbled_numbers: one search of the joined lines -------------------------------------------------


@SETTINGS
@given(LINES, st.booleans())
def test_garbled_numbers_whole_text_equals_line_by_line(texts: list[str], table: bool) -> None:
    rule = RULES["H103"]
    ctx = make_ctx(texts, table=table)
    fast = run(kh.garbled_numbers, ctx, rule)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(kh, "_garbled_of", lambda rule: kh._garbled_params(rule.params)._replace(whole=None))
        slow = run(kh.garbled_numbers, ctx, rule)
    assert fast == slow


def test_garbled_numbers_edges() -> None:
    rule = RULES["H103"]
    # a measure word at a line's start has nothing before it, in the first line and in the others
    ctx = make_ctx(["条,开通热线条,", "条,开通热线条,", "受理12件,开通5万人次,"])
    hits = run(kh.garbled_numbers, ctx, rule)
    assert [(h.line, h.column, h.actual) for h in hits] == [(1, 7, "开通热线条"), (2, 7, "开通热线条")]
    # a newline in a stop or a measure word: the search goes line by line
    assert kh._garbled_params({**rule.params, "stops": ",\n"}).whole is None
    assert kh._garbled_params({**rule.params, "measures": ["条", "件\n"]}).whole is None
    assert kh._garbled_params({**rule.params, "measures": ["条", ""]}).whole is None
    assert kh._garbled_params(rule.params).whole is not None


# -- the per-rule cache -----------------------------------------------------------------------------


def test_prepared_is_per_rule_object() -> None:
    rule = RULES["H101"]
    other = dataclasses.replace(rule, params={**rule.params, "words": ["另一个词"]})
    assert rule == other  # params take no part in a rule's equality: the cache goes by identity
    ctx = make_ctx(["含有另一个词的一行", "扫一扫在手机打开当前页"])
    assert [h.line for h in run(kh.phrases, ctx, rule)] == [2]
    assert [h.line for h in run(kh.phrases, ctx, other)] == [1]
    assert [h.line for h in run(kh.phrases, ctx, rule)] == [2]


def test_per_rule_caches_stay_bounded() -> None:
    """An audit worker gets a fresh copy of a configuration's rules with every task: the per-rule
    caches must not keep them all (each copy is a new object, so none is ever hit again)."""
    from xxgk_lint.check.kinds_narrative import claims_of
    from xxgk_lint.check.rules import RULE_CACHE_SIZE

    claim_rule = next(r for r in builtin_rules() if r.check == "narrative_claims")
    ctx = make_ctx(["扫一扫在手机打开当前页", "開通热线条,"])
    for _ in range(RULE_CACHE_SIZE + 50):
        copy = dataclasses.replace(RULES["H101"], params=dict(RULES["H101"].params))
        assert [h.line for h in run(kh.phrases, ctx, copy)] == [1]
        assert claims_of(dataclasses.replace(claim_rule)) == claims_of(claim_rule)
    for cached in (kh._phrases_of, claims_of):
        assert 0 < cached.cache_len() <= RULE_CACHE_SIZE  # type: ignore[attr-defined]
