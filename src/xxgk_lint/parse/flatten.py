"""Recover tables that a scrape flattened into text.

A row label followed by numbers separated only by spaces ("一、本年新收政府信息公开申请数量 9 0 0 0 0 0 9"),
or a line of numbers only (table 四), becomes a table row again when the template says how many values
the row has.  A labelled row with fewer numbers than the row's columns ("二、上年结转政府信息公开申请数量
2 1 3": the scrape dropped blank cells too; two numbers at least) is kept as a row all the same; the table reader then holds
its values as unplaced (positions unknown, reported by T107) instead of the row going missing (T002).  Digits run together with no separator ("…申请数量 9000009") cannot be split without
guessing, so such lines are only reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from xxgk_lint.parse.outline import parse_heading
from xxgk_lint.parse.tables import is_value_text
from xxgk_lint.parse.template import RowSpec, TableSpec, Template
from xxgk_lint.parse.textnorm import norm, similarity, strip_ordinal
from xxgk_lint.read.document import Block, Cell, Row

_SPLIT = re.compile(
    r"^(?P<label>.*?[^\d\s./-])\s+(?P<values>(?:[-+]?[\d.,]+(?:万元|元)?|/|-|—)(?:\s+(?:[-+]?[\d.,]+(?:万元|元)?|/|-|—))*)\s*$"
)
_VALUE_END = ".,/-—元"  # the last character of a value, digits aside (r"\d" is str.isdecimal)
_RUN = re.compile(r"^(?P<label>.*?[^\d\s./-])\s*(?P<digits>\d{4,})\s*$")
_ONLY_VALUES = re.compile(r"^(?:[-+]?[\d.,]+|/|-|—)(?:\s+(?:[-+]?[\d.,]+|/|-|—)){4,}\s*$")


@dataclass(slots=True)
class Recovery:
    blocks: list[Block]
    recovered: dict[str, list[int]] = field(default_factory=dict)  # table key -> lines recovered
    ambiguous: list[tuple[int, str, str]] = field(default_factory=list)  # (line, table key, text)


def _row_for(label: str, template: Template) -> tuple[TableSpec, RowSpec, str] | None:
    """The template row a flattened label names; a leading group label ("(三)不予公开 1.属于国家秘密")
    is allowed.  Returns the spec, the row and the part of the label that names the row."""
    parts = label.split()
    tails = [" ".join(parts[i:]) for i in range(len(parts))] or [label]
    best: tuple[float, TableSpec, RowSpec, str] | None = None
    for tail in tails:
        s = strip_ordinal(tail)
        for spec in template.tables.values():
            for r in spec.all_rows():
                score = max(similarity(s, strip_ordinal(v)) for v in (r.label, *r.variants))
                if best is None or score > best[0]:
                    best = (score, spec, r, tail)
    if best is None or best[0] < 0.85:
        return None
    return best[1], best[2], best[3]


_CAPTION = re.compile(r"^第二十条第\(([一二三四五六七八九十]{1,3})\)项$")


def _header_words(template: Template) -> tuple[frozenset[str], tuple[str, ...]]:
    words: set[str] = set()
    for spec in template.tables.values():
        cols = list(spec.columns) + [c for st in spec.subtables for c in st.columns]
        words.update(norm(c.label) for c in cols)
        words.update(norm(v) for c in cols for v in c.variants)
        if spec.label_column:
            words.add(norm(spec.label_column))
        if spec.layout == "flat":
            words.update(norm(r.label) for r in spec.rows)
    headers = tuple(norm(h) for spec in template.tables.values() for h in spec.header_labels)
    return frozenset(words), headers


def _header_row(
    text: str, line: int, words: frozenset[str], headers: tuple[str, ...], page: int | None = None
) -> Row | None:
    """A flattened header or caption line: every token a column/header label or a 第二十条 caption."""
    tokens = text.split()
    if not tokens or len(tokens) > 20:
        return None
    for t in tokens:
        n = norm(t)
        note = n.startswith("(") and any(h and h in n for h in headers)  # the 勾稽关系 note
        if not (n in words or n in headers or _CAPTION.match(n) or note):
            return None
    if parse_heading(text, line) is not None:  # last: the cheap token tests reject most lines
        return None
    return Row(cells=tuple(Cell(text=t, line=line) for t in tokens), line=line, page=page)


def recover_flattened(blocks: list[Block], template: Template) -> Recovery:
    if not template.tables:
        return Recovery(blocks)
    words, headers = _header_words(template)
    held: list[Row] = []  # header lines waiting for the data rows that follow them
    flat_specs = [s for s in template.tables.values() if s.layout == "flat"]
    out: list[Block] = []
    rec = Recovery(out)
    pending: list[Row] = []
    pending_key: str | None = None

    held_blocks: list[Block] = []

    def flush() -> None:
        nonlocal pending_key
        if held_blocks:
            # header lines followed by no recovered row: they were ordinary paragraphs after all
            if pending:
                pending.extend(held)
            else:
                out.extend(held_blocks)
            held.clear()
            held_blocks.clear()
        if pending:
            out.append(
                Block(
                    kind="table",
                    line=pending[0].line,
                    end_line=pending[-1].line,
                    text="\n".join(" | ".join(c.text for c in r.cells) for r in pending),
                    rows=tuple(pending),
                    # a PDF's rows carry their page (lines restart on every page)
                    page=pending[0].page,
                )
            )
            pending.clear()
        pending_key = None

    for b in blocks:
        if b.kind != "paragraph" or len(b.text) > 300:
            flush()
            out.append(b)
            continue
        text = b.text.strip()
        row: Row | None = None
        key: str | None = None
        # _SPLIT, _ONLY_VALUES and _RUN all end with a value (a digit, / - — or 元): most
        # paragraphs end with 。 and need none of the three
        last = text[-1:]
        ends_with_value = last.isdecimal() or (last != "" and last in _VALUE_END)
        m = _SPLIT.match(text) if ends_with_value else None
        if m:
            hit = _row_for(m.group("label"), template)
            values = m.group("values").split()
            if hit is not None and all(is_value_text(v) for v in values):
                spec, rspec, tail = hit
                # all the columns, or two or more but fewer (blank cells lost as well: the values
                # stay unplaced); one number for several columns may be run-together digits (T109)
                n = len(spec.columns_for(rspec))
                if len(values) == n or 2 <= len(values) < n:
                    head = m.group("label").strip()[: -len(tail)].strip()
                    cells = [Cell(text=head, line=b.line, column=1)] if head else []
                    cells.append(Cell(text=tail, line=b.line, column=len(head) + 2 if head else 1))
                    col = len(m.group("label")) + 1
                    for v in values:
                        col = text.find(v, col - 1) + 1
                        cells.append(Cell(text=v, line=b.line, column=col))
                        col += len(v)
                    row, key = Row(cells=tuple(cells), line=b.line, page=b.page), spec.key
        if row is None and flat_specs and ends_with_value and _ONLY_VALUES.match(text):
            values = text.split()
            spec = next((s for s in flat_specs if len(values) == len(s.rows) * len(s.columns)), None)
            if spec is not None:
                row, key = Row(cells=tuple(Cell(text=v, line=b.line) for v in values), line=b.line, page=b.page), spec.key
        if row is None:
            header = _header_row(text, b.line, words, headers, b.page)
            if header is not None:
                held.append(header)
                held_blocks.append(b)
                continue
            r = _RUN.match(text) if ends_with_value else None
            hit = _row_for(r.group("label"), template) if r else None
            if r and hit is not None:
                rec.ambiguous.append((b.line, hit[0].key, text))
            flush()
            out.append(b)
            continue
        if pending_key not in (None, key):
            flush()
        pending.extend(held)
        held.clear()
        held_blocks.clear()
        pending.append(row)
        pending_key = key
        rec.recovered.setdefault(key or "", []).append(b.line)
    flush()
    return rec
