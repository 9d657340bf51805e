"""Plain-text / Markdown reader: one paragraph per non-empty line, runs of ``|`` rows as tables.

Two table spellings are accepted: the scraped form of the seeds (``a | b | c |``) and Markdown
pipe tables (``| a | b |`` with a ``|---|`` separator row, which is dropped).
"""

from __future__ import annotations

import re

from xxgk_lint.read.document import Block, Cell, Document, Row, plain_cell
from xxgk_lint.read.limits import Budget

_MD_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")


def split_row(line: str, line_no: int) -> Row:
    """Split one ``|`` row into cells, keeping interior empties (they carry column positions)."""
    raw = line.strip()
    parts = raw.split("|")
    if raw.startswith("|"):
        parts = parts[1:]
    if raw.endswith("|") and parts:
        parts = parts[:-1]
    cells: list[Cell] = []
    pos = line.find(raw) if raw else 0
    offset = pos + (1 if raw.startswith("|") else 0)
    for part in parts:
        text = part.strip()
        lead = len(part) - len(part.lstrip())
        cells.append(plain_cell(text, line_no, offset + lead + 1))
        offset += len(part) + 1
    trailing = 0
    for c in reversed(cells):
        if c.text:
            break
        trailing += 1
    return Row(cells=tuple(cells), line=line_no, collapsed_blanks=trailing)


def is_table_line(line: str) -> bool:
    return "|" in line


def read_text(
    text: str, path: str, fmt: str = "txt", encoding: str | None = "utf-8", *, budget: Budget | None = None
) -> Document:
    """``budget``: counts blocks and cells as they are made (E004 past a cap); None: no caps."""
    lines = text.splitlines()
    doc = Document(path=path, format=fmt, encoding=encoding, source_lines=lines)
    blocks: list[Block] = []
    table_rows: list[Row] = []

    def flush() -> None:
        if table_rows:
            if budget is not None:
                budget.block()
            blocks.append(
                Block(
                    kind="table",
                    line=table_rows[0].line,
                    end_line=table_rows[-1].line,
                    text="\n".join(" | ".join(c.text for c in r.cells) for r in table_rows),
                    rows=tuple(table_rows),
                )
            )
            table_rows.clear()

    for i, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped:
            flush()
            continue
        if is_table_line(stripped):
            if fmt == "md" and _MD_SEPARATOR.match(stripped):
                continue
            row = split_row(line, i)
            if budget is not None:
                budget.table_cells(len(row.cells))
            table_rows.append(row)
            continue
        flush()
        role = None
        content = stripped
        if fmt == "md":
            m = _MD_HEADING.match(line)
            if m:
                role, content = "heading", m.group(2)
        if budget is not None:
            budget.block()
        blocks.append(Block(kind="paragraph", line=i, end_line=i, text=content, role=role))
    flush()
    doc.blocks = blocks
    return doc
