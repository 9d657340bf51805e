"""Outline: numbered headings (heading.lark) and the block sequence (outline.lark) -> sections.

Shape knowledge lives in the grammars: heading.lark says what a numbered heading of each level
looks like (一、 / (一) / 1.), outline.lark how the levels nest (sections, sub-headings, points)
and that everything before the first 一、 is the preamble.  This module only classifies blocks
into tokens, reads the parse tree back (parts, and each heading's enclosing heading) and matches
level-1 headings to the template's sections by title (template data, grammars/templates/*.yaml).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache

from lark import Lark, Token, Tree
from lark.exceptions import LarkError
from lark.lexer import Lexer

from xxgk_lint.data import data_path
from xxgk_lint.larkcache import build_lark
from xxgk_lint.parse.model import Heading, Section
from xxgk_lint.parse.template import Template
from xxgk_lint.parse.textnorm import cn_ordinal_value, norm, similarity, strip_trailing_punct
from xxgk_lint.read.document import Block

MAX_TITLE = 40
_SENTENCE_BREAK = re.compile(r"[。:;!?]")


@cache
def _heading_parser() -> Lark:
    return build_lark(data_path("grammars", "heading.lark").read_text(encoding="utf-8"), "heading")


# What the first characters of a heading must be (heading.lark: CN_NUM SEP1 | "(" CN_NUM ")" |
# DIGITS SEP3, on the NFKC-normalised, stripped line).  Only a pre-filter: a line it rejects cannot
# parse, a line it accepts is still decided by the grammar.
_HEADING_START = re.compile(r"[一二三四五六七八九十]{1,3}[、.,]|\([一二三四五六七八九十]{1,3}\)|[0-9]{1,2}[、.,]")
_CACHED_HEADING_LEN = 200  # lines up to this long have their parse cached (headings are short)


def parse_heading(text: str, line: int, page: int | None = None) -> Heading | None:
    """Recognise a numbered heading line; None for ordinary paragraphs."""
    t = unicodedata.normalize("NFKC", text).strip()
    if not t or len(t) > 2000 or not _HEADING_START.match(t):
        return None
    # the title ends at the first sentence break, and no ordinal or separator holds one: the line
    # up to it parses exactly as the whole line does (a heading with prose after it on its line,
    # "(一)主动公开情况。本年度…", then shares its cached parse with every other such line)
    brk = _SENTENCE_BREAK.search(t)
    if brk is not None:
        t = t[: brk.end()]
    parsed = _heading_parts(t) if len(t) <= _CACHED_HEADING_LEN else _heading_parts.__wrapped__(t)
    if parsed is None:
        return None
    level, shown, number, title = parsed
    return Heading(
        level=level, ordinal=shown, number=number, title=title, text=text.strip(), line=line, page=page
    )


@lru_cache(maxsize=4096)
def _heading_parts(t: str) -> tuple[int, str, int, str] | None:
    """(level, ordinal as shown, number, title) of a normalised line, by heading.lark; None if it
    is not a heading.  Cached: the outline and the flattened-table recovery ask about the same
    lines, and section headings repeat across reports."""
    try:
        tree = _heading_parser().parse(t)
    except LarkError:
        return None
    node = tree.children[0]
    assert isinstance(node, Tree)
    level = {"level1": 1, "level2": 2, "level3": 3}[str(node.data)]
    tokens = [c for c in node.children if isinstance(c, Token)]
    ordinal = tokens[0].value
    rest = tokens[-1].value
    number = cn_ordinal_value(ordinal)
    if number is None:
        return None
    m = _SENTENCE_BREAK.search(rest)
    title = rest[: m.start()] if m else rest
    title = strip_trailing_punct(title.strip())
    if not title or len(title) > MAX_TITLE:
        return None
    shown = f"({ordinal})" if level == 2 else ordinal
    return level, shown, number, title


@dataclass(frozen=True, slots=True)
class WrittenHeading:
    """A level-1 heading split as it is written (before any normalisation): its ordinal, the
    character after it, the whitespace between that and the title, and the title's own text."""

    ordinal: str
    separator: str
    gap: str
    title: str

    @property
    def text(self) -> str:
        """The heading as written, up to the end of its title (not the prose after it on its line)."""
        return self.ordinal + self.separator + self.gap + self.title


_WRITTEN_LEVEL1 = re.compile(r"([一二三四五六七八九十]{1,3})(\S)(\s*)")


def _squash(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def written_heading(h: Heading) -> WrittenHeading | None:
    """How a level-1 heading was written: :func:`parse_heading` reads the NFKC-normalised line and
    keeps only its title, so width, separator and spacing variants (一．总体情况, 一、　总体情况)
    parse like the template's own form; this recovers them from ``h.text``.  None when the line
    does not split that way (not a level-1 heading)."""
    if h.level != 1:
        return None
    m = _WRITTEN_LEVEL1.match(h.text)
    if m is None:
        return None
    rest = h.text[m.end() :]
    want = _squash(h.title)
    for i in range(1, len(rest) + 1):
        if _squash(rest[:i]) == want:
            return WrittenHeading(ordinal=m.group(1), separator=m.group(2), gap=m.group(3), title=rest[:i])
    return None


class _BlockLexer(Lexer):
    """Feeds pre-classified blocks to the LALR parser of outline.lark."""

    def __init__(self, lexer_conf: object) -> None:  # noqa: D107 - Lark API
        pass

    def lex(self, data: list[tuple[str, int]], parser_state: object = None) -> Iterator[Token]:  # type: ignore[override]
        for kind, index in data:
            yield Token(kind, index)


@cache
def _outline_parser() -> Lark:
    return build_lark(data_path("grammars", "outline.lark").read_text(encoding="utf-8"), "outline", lexer=_BlockLexer)


@dataclass(slots=True)
class Outline:
    headings: list[Heading]
    # (heading index or None for the preamble, block indexes in that part)
    parts: list[tuple[int | None, list[int]]]
    # per heading: the index of the heading it sits under (a (一) under its 一、, a 1. under its
    # (一) or directly under a 一、), None for a section heading or one in the preamble
    parents: list[int | None] = field(default_factory=list)


def build_outline(blocks: list[Block]) -> Outline:
    tokens: list[tuple[str, int]] = []
    headings: list[Heading] = []
    heading_of_block: dict[int, int] = {}
    for i, b in enumerate(blocks):
        if b.kind == "table":
            tokens.append(("TABLE", i))
            continue
        h = parse_heading(b.text, b.line, b.page)
        if h is None:
            tokens.append(("PARA", i))
            continue
        heading_of_block[i] = len(headings)
        headings.append(h)
        tokens.append((f"H{h.level}", i))
    tree = _outline_parser().parse(tokens)  # total grammar: never fails on a token list
    parts: list[tuple[int | None, list[int]]] = []
    parents: list[int | None] = [None] * len(headings)
    for child in tree.children:
        assert isinstance(child, Tree)
        idx = [int(tok.value) for tok in child.scan_values(lambda v: isinstance(v, Token))]
        if child.data == "preamble":
            parts.append((None, idx))
        else:
            parts.append((heading_of_block[idx[0]], idx))
        _nest(child, None, heading_of_block, parents)
    return Outline(headings=headings, parts=parts, parents=parents)


def _nest(node: Tree, parent: int | None, heading_of_block: dict[int, int], parents: list[int | None]) -> None:
    """Record, for the headings in ``node`` (a section / sub / point of outline.lark), the heading
    each one sits under: a node's own heading is its first token (none for the preamble)."""
    own = parent
    if node.data != "preamble" and node.children and isinstance(node.children[0], Token):
        own = heading_of_block[int(node.children[0].value)]
        parents[own] = parent
    for c in node.children:
        if isinstance(c, Tree):
            _nest(c, own, heading_of_block, parents)


@lru_cache(maxsize=4096)  # headings' titles are short (MAX_TITLE) and repeat across reports
def _title_score(title: str, spec_title: str, variants: tuple[str, ...]) -> tuple[float, bool]:
    t = norm(title)
    exact = t == norm(spec_title)
    best = max([similarity(t, norm(spec_title))] + [similarity(t, norm(v)) for v in variants])
    # a variant or the title contained in a longer heading still counts as a strong match
    for cand in (spec_title, *variants):
        c = norm(cand)
        if c and (c in t or t in c) and min(len(c), len(t)) >= 4:
            best = max(best, 0.85)
    return best, exact


def match_sections(outline: Outline, blocks: list[Block], template: Template) -> dict[str, Section]:
    """Map level-1 headings to template sections by title (and number as a tie-breaker)."""
    sections: dict[str, Section] = {}
    specs = list(template.sections)
    for part_index, (h_index, block_idx) in enumerate(outline.parts):
        if h_index is None:
            continue
        h = outline.headings[h_index]
        best: tuple[float, int, bool] | None = None
        for n, spec in enumerate(specs, start=1):
            score, exact = _title_score(h.title, spec.title, spec.variants)
            if n == h.number:
                score += 0.1
            if best is None or score > best[0]:
                best = (score, n, exact)
        if best is None or best[0] < 0.55:
            continue
        spec = specs[best[1] - 1]
        if spec.ordinal in sections:
            # a later heading matching an already-found section: keep the first, extend nothing
            continue
        end_line = blocks[block_idx[-1]].end_line
        sections[spec.ordinal] = Section(
            ordinal=spec.ordinal,
            key=spec.key,
            heading=h,
            title_expected=spec.title,
            title_ok=best[2],
            line=h.line,
            end_line=end_line,
            block_indexes=block_idx,
        )
        _ = part_index
    # a section runs from its heading to the next matched section heading (unmatched level-1
    # headings inside a section, e.g. a numbered list in section 五, stay part of it)
    starts = sorted((s.block_indexes[0], s.ordinal) for s in sections.values())
    for i, (start, ordinal) in enumerate(starts):
        stop = starts[i + 1][0] if i + 1 < len(starts) else len(blocks)
        sec = sections[ordinal]
        sec.block_indexes = list(range(start, stop))
        sec.end_line = blocks[stop - 1].end_line
    return sections
