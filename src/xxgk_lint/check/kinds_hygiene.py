"""Check kinds for page hygiene (H rules): site chrome, injected spam, garbled numbers, mojibake.

The word lists are rule data (rules/hygiene.yaml).  Rule files are untrusted, so they give literal
words only — no regular expressions from YAML reach ``re``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator
from functools import cache, lru_cache
from itertools import accumulate
from typing import Any, NamedTuple

from xxgk_lint.check.context import CheckContext, Hit
from xxgk_lint.check.kinds import check
from xxgk_lint.check.rules import RULE_CACHE_SIZE
from xxgk_lint.parse.template import cache_by_identity_bounded
from xxgk_lint.parse.textnorm import norm

MAX_HITS = 20

def _lines(ctx: CheckContext) -> list[tuple[int, str, int | None]]:
    """(line, text, page) of every paragraph and table row (computed once per report)."""
    blocks = ctx.doc.blocks
    cached = ctx.report._cache.get("hygiene.lines")
    if cached is not None and cached[0] is blocks:
        return cached[1]
    out: list[tuple[int, str, int | None]] = []
    for b in blocks:
        if b.kind == "paragraph":
            out.append((b.line, b.text, b.page))
        else:
            for r in b.rows:
                out.append((r.line, " | ".join([c.text for c in r.cells]), b.page))
    ctx.report._cache["hygiene.lines"] = (blocks, out)
    return out


def _joined(ctx: CheckContext) -> str:
    """The texts of :func:`_lines` joined by newlines (computed once per report): one search of it
    tells whether a per-line search can find anything at all."""
    lines = _lines(ctx)
    cached = ctx.report._cache.get("hygiene.joined")
    if cached is not None and cached[0] is lines:
        return cached[1]
    out = "\n".join(text for _l, text, _p in lines)
    ctx.report._cache["hygiene.joined"] = (lines, out)
    return out


def _line_starts(ctx: CheckContext) -> list[int] | None:
    """Where each line of :func:`_lines` starts in :func:`_joined` (computed once per report;
    ``bisect_right(starts, pos) - 1`` is the line of a position), or None when a line holds a
    newline itself, so that the joined text does not split back into the lines."""
    lines = _lines(ctx)
    cached = ctx.report._cache.get("hygiene.starts")
    if cached is not None and cached[0] is lines:
        return cached[1]  # type: ignore[no-any-return]
    starts = None
    if _joined(ctx).count("\n") == len(lines) - 1:
        starts = [0, *accumulate(len(text) + 1 for _l, text, _p in lines)]
    ctx.report._cache["hygiene.starts"] = (lines, starts)
    return starts


def _normed_lines(ctx: CheckContext) -> list[str]:
    """:func:`norm` of every line of :func:`_lines` (computed once per report)."""
    lines = _lines(ctx)
    cached = ctx.report._cache.get("hygiene.normed")
    if cached is not None and cached[0] is lines:
        return cached[1]
    out = [norm(text) for _line, text, _page in lines]
    ctx.report._cache["hygiene.normed"] = (lines, out)
    return out


def _normed_text(ctx: CheckContext) -> str:
    """The normalised lines joined by newlines (once per report)."""
    normed = _normed_lines(ctx)
    cached = ctx.report._cache.get("hygiene.normed_text")
    if cached is not None and cached[0] is normed:
        return cached[1]
    text = "\n".join(normed)
    ctx.report._cache["hygiene.normed_text"] = (normed, text)
    return text


def _section_of(ctx: CheckContext, line: int) -> str | None:
    for s in ctx.report.sections.values():
        if s.line <= line <= s.end_line:
            return s.ordinal
    return None


def _hidden(ctx: CheckContext) -> list[tuple[int, str, int | None]]:
    """(line, text, None) of the text the page hid (display:none and the like; HTML only)."""
    from xxgk_lint.read import hidden_lines

    return [(line, text, None) for line, text in hidden_lines(ctx.doc)]


def _where(ctx: CheckContext, hidden: bool) -> str:
    return ctx.t("(隐藏文字)", " (hidden text)") if hidden else ""


def _phrase_words(params: dict[str, Any]) -> tuple[list[tuple[Any, str]], re.Pattern[str] | None]:
    """(word, normalised word) of params.words, and one pattern that finds any non-empty normalised
    word (an alternation of the escaped literals: it matches somewhere exactly when one of them
    occurs), None when there is none."""
    words = [(w, norm(str(w))) for w in params.get("words", [])]
    literals = sorted({n for _w, n in words if n}, key=len, reverse=True)
    return words, re.compile("|".join(re.escape(n) for n in literals)) if literals else None


@cache_by_identity_bounded(RULE_CACHE_SIZE)
def _phrases_of(rule: Any) -> tuple[list[tuple[Any, str]], re.Pattern[str] | None]:
    return _phrase_words(rule.params)


@check("phrases")
def phrases(ctx: CheckContext, rule: Any) -> Iterator[Hit]:
    """Lines containing any of params.words (after width/space normalisation); one hit per line.
    With ``hidden: true`` the text a web page hid is searched too (marked as hidden text)."""
    words, any_word = _phrases_of(rule)
    if any_word is None:
        return
    normed = _normed_lines(ctx)
    # the words anywhere in the report (a normalised line holds no newline, nor does a word), in order
    whole = _normed_text(ctx)
    hidden = _hidden(ctx) if rule.params.get("hidden") else []
    hidden_normed = [norm(text) for _l, text, _p in hidden]
    everywhere = whole + "\n" + "\n".join(hidden_normed)
    if any_word.search(everywhere) is None:  # one scan instead of one per word: most reports hold none
        return
    words = [(w, n) for w, n in words if n and n in everywhere]
    if not words:
        return
    count = 0
    places = [(x, t, False) for x, t in zip(_lines(ctx), normed, strict=True)]
    places += [(x, t, True) for x, t in zip(hidden, hidden_normed, strict=True)]
    for (line, text, page), t, is_hidden in places:
        found = [w for w, n in words if n in t]
        if not found:
            continue
        col = text.find(found[0])
        yield Hit(
            values={"found": "、".join(found[:5]), "count": len(found), "where": _where(ctx, is_hidden)},
            line=line,
            column=col + 1 if col >= 0 else None,
            page=page,
            section=None if is_hidden else _section_of(ctx, line),
            actual=found[:5],
            subject=("hidden:" if is_hidden else "") + ",".join(found[:5]),
        )
        count += 1
        if count >= MAX_HITS:
            return


# a web address or a bare domain name ("www.example.com", "abc123.vip", "https://x.cc/a?b=1")
_LINK = re.compile(
    r"(?:https?://|www\.)[A-Za-z0-9\-._~%/?#=&:+]+|(?<![A-Za-z0-9@.\-])(?:[A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,12}(?![A-Za-z0-9])"
)


# in every match of _LINK: its scheme or "www." (the first alternative), or a dot between an ASCII
# letter, digit or hyphen and an ASCII letter (the last dot of the second); a line without one of
# these holds no address.  Each alternative opens with a literal, so the engine skips ahead to an
# "h", "w" or "." instead of trying _LINK at every position.
_LINK_HINT = re.compile(r"http|www\.|\.(?<=[A-Za-z0-9-]\.)[A-Za-z]")


def _link_params(p: dict[str, Any]) -> tuple[tuple[str, ...], list[str], int, int]:
    own = tuple(str(x).lower() for x in p.get("own_suffixes", []))
    words = [norm(str(w)) for w in p.get("words", []) if str(w)]
    return own, words, int(p.get("min_links", 3)), int(p.get("min_hidden_links", 2))


@cache_by_identity_bounded(RULE_CACHE_SIZE)
def _link_params_of(rule: Any) -> tuple[tuple[str, ...], list[str], int, int]:
    return _link_params(rule.params)


_FILE_EXTS = frozenset(
    ["pdf", "doc", "docx", "xls", "xlsx", "et", "wps", "ppt", "pptx", "txt", "rtf", "csv", "jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff", "zip", "rar", "7z", "ofd", "html", "htm", "shtml", "xml", "json", "md"]
)


@check("link_farm")
def link_farm(ctx: CheckContext, rule: Any) -> Iterator[Hit]:
    """Lines crowded with web addresses that are not the government's own: the link farms hacked
    pages carry.  ``min_links`` addresses on one line (not ending in one of ``own_suffixes``, e.g.
    .gov.cn), or ``min_hidden_links`` in text the page hid; ``words`` (brand words) on the line count
    as addresses too.  Rule data gives literal words only."""
    own, words, min_links, min_hidden = _link_params_of(rule)
    lines = _lines(ctx)
    whole = _joined(ctx)
    # only the lines with a hint of an address (see _LINK_HINT); every address counted has a dot
    hints = [m.start() for m in _LINK_HINT.finditer(whole)] if "." in whole else []
    starts = _line_starts(ctx) if hints else None
    if not hints:
        lines = []
    elif starts is not None:
        lines = [lines[k] for k in sorted({bisect_right(starts, pos) - 1 for pos in hints})]
    count = 0
    places = [(x, False) for x in lines] + [(x, True) for x in _hidden(ctx)]
    for (line, text, page), is_hidden in places:
        if "." not in text:
            continue
        links = []
        for m in _LINK.finditer(text):
            host = re.sub(r"^(?:https?://)", "", m.group(0).lower()).split("/", 1)[0].split("?", 1)[0]
            if not host or "." not in host or host.rstrip(".").endswith(own) or host.replace(".", "").isdigit():
                continue
            if not m.group(0).lower().startswith(("http", "www.")) and host.rsplit(".", 1)[-1] in _FILE_EXTS:
                continue  # "附件1.docx": a file name, not a domain
            links.append(m.group(0))
        t = norm(text)
        brands = [w for w in words if w in t]
        need = min_hidden if is_hidden else min_links
        if len(links) + len(brands) < need or not links:
            continue
        shown = links[:3] + brands[:2]
        yield Hit(
            values={"found": "、".join(shown), "count": len(links), "where": _where(ctx, is_hidden)},
            line=line,
            page=page,
            section=None if is_hidden else _section_of(ctx, line),
            expected=need,
            actual=links[:10],
            subject=("hidden:" if is_hidden else "") + ",".join(links[:5]),
        )
        count += 1
        if count >= MAX_HITS:
            return


class _Garbled(NamedTuple):
    verbs: list[str]
    numerals: set[str]
    words: set[str]  # ordinary words ending in a measure character
    stops: set[str]
    window: int
    find: Callable[[str], Iterator[tuple[str, int, int]]] | None  # None: no stops
    # the pattern of the finder (see _measure_finder) when it is compiled and no measure word nor
    # stop holds a newline: its matches then never reach one, so a search of the joined lines finds
    # what a search of each line finds; else None
    whole: re.Pattern[str] | None


def _garbled_params(p: dict[str, Any]) -> _Garbled:
    stops = set(str(p.get("stops", "")))
    measures = sorted((str(m) for m in p.get("measures", [])), key=len, reverse=True)
    stop_chars = "".join(sorted(stops))
    compiled = bool(measures) and all(m and "\n" not in m and not any(c in stops for c in m) for m in measures)
    return _Garbled(
        verbs=[str(v) for v in p.get("verbs", [])],
        numerals=set(str(p.get("numerals", ""))),
        words={str(w) for w in p.get("words", [])},
        stops=stops,
        window=int(p.get("window", 12)),
        find=_measure_finder(tuple(measures), stop_chars) if stops else None,
        whole=_measure_pattern(tuple(measures), stop_chars) if stops and compiled and "\n" not in stops else None,
    )


@cache_by_identity_bounded(RULE_CACHE_SIZE)
def _garbled_of(rule: Any) -> _Garbled:
    return _garbled_params(rule.params)


@check("garbled_numbers")
def garbled_numbers(ctx: CheckContext, rule: Any) -> Iterator[Hit]:
    """A measure word whose number was lost: "开通心理援助热线条," — a counting verb shortly before,
    the measure word directly after a non-numeral, and punctuation right after it."""
    g = _garbled_of(rule)
    verbs, numerals, words, stops, window, find, _whole = g
    if find is None:  # no stops
        return
    count = 0
    for line, text, page, m, start, i in _measures_after_hanzi(ctx, g):
        before = text[start - 1] if start > 0 else ""
        if not before or before in numerals or before.isdigit() or not ("\u4e00" <= before <= "\u9fff"):
            continue
        if text[start - 1 : i] in words or text[max(0, start - 2) : i] in words:
            continue
        clause_start = max(text.rfind(s, 0, start) for s in stops) + 1
        clause = text[max(clause_start, start - window) : start]
        if not any(v in clause for v in verbs) and m[0] not in "万亿":
            continue
        snippet = text[max(clause_start, start - window) : i]
        yield Hit(
            values={"snippet": snippet, "measure": m},
            line=line,
            column=start + 1,
            page=page,
            section=_section_of(ctx, line),
            actual=snippet,
            subject=snippet,
        )
        count += 1
        if count >= MAX_HITS:
            return


def _measures_after_hanzi(ctx: CheckContext, g: _Garbled) -> Iterator[tuple[int, str, int | None, str, int, int]]:
    """(line, text, page, measure, start, stop) of what the finder finds in each line, in order,
    but for some where the character before the measure word is no CJK ideograph or a numeral
    (no lost number).  Most measure words follow a digit: with ``g.whole``, one search of the joined
    lines rules those out without a look at each line."""
    lines = _lines(ctx)
    joined = _joined(ctx)
    if g.whole is None or joined.count("\n") != len(lines) - 1:  # or a line holds a newline itself
        assert g.find is not None
        for line, text, page in lines:
            for m, start, i in g.find(text):
                yield line, text, page, m, start, i
        return
    starts: list[int] | None = None
    numerals = g.numerals
    for hit in g.whole.finditer(joined):
        start = hit.start()
        if start == 0:
            continue  # at the start of the first line: nothing before it
        before = joined[start - 1]  # the newline before a line's first character is no ideograph
        if not ("\u4e00" <= before <= "\u9fff") or before in numerals:
            continue
        if starts is None:
            starts = _line_starts(ctx)
            assert starts is not None  # no line holds a newline
        k = bisect_right(starts, start) - 1
        line, text, page = lines[k]
        yield line, text, page, hit.group(0), start - starts[k], hit.end() - starts[k]


@lru_cache(maxsize=64)
def _measure_pattern(measures: tuple[str, ...], stops: str) -> re.Pattern[str]:
    """The (escaped) measure words, longest first, followed by a stop (a look-ahead)."""
    stop_class = "[" + "".join(re.escape(c) for c in stops) + "]"
    return re.compile("(?:" + "|".join(re.escape(m) for m in measures) + ")(?=" + stop_class + ")")


@lru_cache(maxsize=64)
def _measure_finder(measures: tuple[str, ...], stops: str) -> Callable[[str], Iterator[tuple[str, int, int]]]:
    """For a line: (measure, start, stop position) of the longest measure word (``measures`` are
    longest first) that ends right before each stop character, in order.

    One compiled alternation of the (escaped) measure words followed by a stop: as no measure word
    holds a stop character, the leftmost match ending at a stop is the longest.  Rule data that
    breaks that (a measure word with a stop character in it, or an empty one) gets the plain scan.
    """
    stop_re = re.compile("[" + "".join(re.escape(c) for c in stops) + "]")
    if not measures or any(not m or any(c in stops for c in m) for m in measures):

        def scan(text: str) -> Iterator[tuple[str, int, int]]:
            for hit in stop_re.finditer(text):
                i = hit.start()
                if i == 0:
                    continue
                m = next((m for m in measures if text.endswith(m, 0, i)), None)
                if m is not None:
                    yield m, i - len(m), i

        return scan
    measure_re = _measure_pattern(measures, stops)

    def find(text: str) -> Iterator[tuple[str, int, int]]:
        for hit in measure_re.finditer(text):
            yield hit.group(0), hit.start(), hit.end()

    return find


@cache
def _cjk() -> re.Pattern[str]:
    """A CJK ideograph.  Compiled on first use: a class this wide takes ~2 ms to compile, and
    most runs never need it (only lines suspected of mojibake do)."""
    return re.compile(r"[\u4e00-\u9fff]")


_CLAUSE = re.compile(r"[,，。;；:：!！?？、\s]+")


def _utf8_read_as_gbk(text: str, min_recovered: int) -> tuple[str, str] | None:
    """(the first garbled clause, the garbled clauses as they read when their characters are UTF-8
    bytes that were decoded as GBK/GB18030: "鍙戝竷鍚勭被鏀垮簻" for "发布各类政府"), or None.  Re-encoding real Chinese as GB18030 and reading
    the bytes as UTF-8 gives almost no Chinese characters (GBK byte pairs rarely form UTF-8's
    three-byte sequences); mojibake gives back about two characters for every three of the line.
    So, clause by clause, a clause counts when the Chinese characters that come back are at least a
    third of its own (half the two-thirds expected), and the line when at least ``min_recovered``
    come back in all."""
    try:  # the whole line first: real Chinese gives back about 1 character in 100, so most stop here
        whole = text.encode("gb18030").decode("utf-8", errors="replace")
    except UnicodeError:
        return None
    if len(_cjk().findall(whole)) < min_recovered:
        return None
    out: list[str] = []
    first = ""
    got = 0
    for piece in _CLAUSE.split(text):  # clause by clause: mojibake may be one clause of a long line
        own = len(_cjk().findall(piece))
        if own < min_recovered:
            continue
        try:
            back = piece.encode("gb18030").decode("utf-8", errors="replace")
        except UnicodeError:
            continue
        n = len(_cjk().findall(back))
        if 3 * n >= own:
            got += n
            first = first or piece
            out.append(back.replace("\ufffd", ""))
    return (first, ",".join(out)) if got >= min_recovered else None


def _gbk_suspects(lines: list[tuple[int, str, int | None]], min_recovered: int, joined: str) -> set[int]:
    """Indexes of the lines that may be UTF-8 read as GBK: the whole text (``joined``: the texts
    joined by newlines) re-encoded as GB18030 and read as UTF-8 in one go (a newline byte survives
    both, so the result splits back into the lines), keeping the lines that give back a run of
    ``min_recovered`` Chinese characters (at least 2, at most 8)."""
    texts = [text for _l, text, _p in lines]
    if joined.count("\n") != len(texts) - 1:  # a line holds a newline itself
        return set(range(len(texts)))
    if _gbk_lead().search(joined) is None:  # no run can come back, and the text encodes (see there)
        return set()
    try:
        whole = joined.encode("gb18030").decode("utf-8", errors="replace")
    except UnicodeError:
        return set(range(len(texts)))
    # real Chinese gives back isolated characters (about 1 in 100); mojibake gives back runs
    run = re.compile("[\u4e00-\u9fff]{" + str(max(2, min(min_recovered, 8))) + "}")
    back = whole.split("\n")
    if len(back) != len(texts):
        return set(range(len(texts)))
    if run.search(whole) is None:  # no run in any line (a run never spans a newline)
        return set()
    return {k for k, b in enumerate(back) if len(b) >= min_recovered and run.search(b)}


@cache
def _gbk_lead() -> re.Pattern[str]:
    """A character that GB18030 encodes as two bytes the first of which is E4-E9, or a surrogate.

    Two Chinese characters in a row (U+4E00-U+9FFF) read as UTF-8 are two three-byte sequences,
    each opening with a byte E4-E9, all six bytes 80 or above.  In GB18030, bytes 80 and above in a
    row come from two-byte characters (the four-byte ones have a digit byte after each high byte),
    so they alternate first and second bytes; the two opening bytes, three apart, fall one on a
    first byte: one of the characters is this class.  A text without one gives back no run, and a
    text without a surrogate encodes (GB18030 encodes every other code point).  Built on first
    use (~1 100 characters); tests check the class against the codec."""
    chars = []
    for first in range(0xE4, 0xEA):
        for second in range(0x40, 0xFF):
            pair = bytes((first, second))
            try:
                c = pair.decode("gb18030")
            except UnicodeDecodeError:
                continue
            if len(c) == 1 and c.encode("gb18030") == pair:
                chars.append(c)
    return re.compile("[" + "".join(chars) + "\ud800-\udfff]")


def _mojibake_params(
    p: dict[str, Any],
) -> tuple[list[str], str, re.Pattern[str] | None, re.Pattern[str] | None, int, int]:
    markers = [str(w) for w in p.get("markers", [])]
    lead = "".join(sorted(set(str(p.get("latin1_lead", "")))))
    chars = "".join(re.escape(c) for c in lead)
    # a lead character followed by a C1/Latin-1 continuation character, counted at every position
    pair_re = re.compile("(?=[" + chars + "][\x80-\xbf])") if lead else None
    # the same without the look-ahead, to search a whole text: the engine can skip ahead to a lead
    # character instead of trying every position
    anywhere = re.compile("[" + chars + "][\x80-\xbf]") if lead else None
    min_pairs, min_recovered = int(p.get("min_latin1_pairs", 2)), int(p.get("gbk_min_recovered", 0))
    return markers, lead, pair_re, anywhere, min_pairs, min_recovered


@cache_by_identity_bounded(RULE_CACHE_SIZE)
def _mojibake_of(rule: Any) -> tuple[list[str], str, re.Pattern[str] | None, re.Pattern[str] | None, int, int]:
    return _mojibake_params(rule.params)


@check("mojibake")
def mojibake(ctx: CheckContext, rule: Any) -> Iterator[Hit]:
    """Text decoded with the wrong encoding: known sequences, U+FFFD, UTF-8 read as Latin-1."""
    markers, lead, pair_re, anywhere, min_pairs, min_recovered = _mojibake_of(rule)
    lines = _lines(ctx)
    # what the whole text lacks, no line has: most reports hold no marker and no Latin-1 pair (a
    # look for a marker's first character, much quicker than for the marker, rules most out)
    whole = _joined(ctx)
    markers = [m for m in markers if not m or (m[0] in whole and m in whole)]
    lacks_pairs = not any(c in whole for c in lead) or anywhere is None or anywhere.search(whole) is None
    if min_pairs > 0 and lacks_pairs:
        pair_re = None
    suspects = _gbk_suspects(lines, min_recovered, whole) if min_recovered else set()
    if not markers and pair_re is None and not suspects:
        return  # no line can be found
    count = 0
    for k, (line, text, page) in enumerate(lines):
        found = [m for m in markers if m in text]
        if pair_re is not None and len(pair_re.findall(text)) >= min_pairs:
            found.append(text[:12])
        garbled = _utf8_read_as_gbk(text, min_recovered) if k in suspects else None
        recovered = garbled[1] if garbled else None
        if garbled is not None and not found:
            found.append(garbled[0])
        if not found:
            continue
        yield Hit(
            values={"found": found[0][:20]},
            line=line,
            page=page,
            section=_section_of(ctx, line),
            expected=recovered[:40] if recovered else None,
            actual=found[0][:20],
            subject=f"mojibake:{found[0][:20]}",
        )
        count += 1
        if count >= MAX_HITS:
            return


@check("pages_without_text")
def pages_without_text(ctx: CheckContext, rule: Any) -> Iterator[Hit]:
    """A PDF some of whose pages have no text layer (the reader lists them in the document's meta)."""
    raw = str(ctx.doc.meta.get("pages_without_text") or "")
    pages = [int(x) for x in raw.split(",") if x.strip().isdigit()]
    if not pages:
        return
    shown = "、".join(str(n) for n in pages[:20]) + ("……" if len(pages) > 20 else "")
    if ctx.lang == "en":
        shown = ", ".join(str(n) for n in pages[:20]) + (", …" if len(pages) > 20 else "")
    yield Hit(
        values={"pages": shown, "count": len(pages)},
        page=pages[0],
        actual=pages[:50],
        subject="pages:" + ",".join(str(n) for n in pages[:50]),
    )

