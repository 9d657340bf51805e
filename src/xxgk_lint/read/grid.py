"""Expand merged table cells (HTML rowspan/colspan, docx gridSpan/vMerge) into a full grid.

Conventions (shared by the HTML, docx and PDF readers):

* One :class:`Row` per source row (``<tr>``, ``w:tr``, PDF table row), in source order.
* Cells are listed for every grid position from column 1 up to the last occupied column of that
  row; ``Cell.column`` is the 1-based grid column.  Interior positions that no cell covers (ragged
  tables) get an empty cell on the row's line; trailing ones are omitted.
* The *origin* cell (where the merged cell is written) carries ``colspan``/``rowspan``.
* Every other position a merged cell covers gets a copy with ``spanned=True``, the **same text**,
  ``colspan = rowspan = 1`` (so summing spans never double counts), the origin's ``line`` (where the
  text is in the source) and ``origin_column`` = the origin's grid column.  Repeating the text lets a
  row covered by a vertical label such as "(三)不予公开" (rowspan 8) see that label, and a header
  "行政诉讼" (colspan 10) name each of its columns; consumers that want each source cell once skip
  ``spanned`` cells.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xxgk_lint.read import limits
from xxgk_lint.read.document import Cell, ReadError, Row

MAX_COLSPAN = 1000
MAX_ROWSPAN = 65534


@dataclass(slots=True)
class SrcCell:
    text: str
    line: int
    colspan: int = 1
    rowspan: int = 1  # 0 = to the end of the row group (HTML)
    col: int | None = None  # explicit 0-based start column (docx); None = next free slot (HTML)


@dataclass(slots=True)
class SrcRow:
    cells: list[SrcCell]
    line: int
    group: int = 0  # HTML row group (thead/tbody/tfoot) for rowspan=0 and clipping
    page: int | None = None
    extra: dict[str, object] = field(default_factory=dict)


def parse_span(value: str | None, default: int = 1, lo: int = 1, hi: int = MAX_COLSPAN) -> int:
    """Lenient span attribute: leading digits (``"2;"`` -> 2, ``" 3 "`` -> 3), clamped to [lo, hi]."""
    if value is None:
        return default
    v = value.strip()
    digits = ""
    for ch in v:
        if ch.isascii() and ch.isdigit():
            digits += ch
            if len(digits) > 6:
                break
        else:
            break
    if not digits:
        return default
    return max(lo, min(hi, int(digits)))


def expand(rows: list[SrcRow]) -> list[Row]:
    """Place the cells on a grid (HTML table model, simplified) and emit one Row per source row."""
    n = len(rows)
    group_end: list[int] = [0] * n  # exclusive end index of each row's group
    i = 0
    while i < n:
        j = i
        while j < n and rows[j].group == rows[i].group:
            j += 1
        for k in range(i, j):
            group_end[k] = j
        i = j
    origins: list[tuple[SrcCell, int, int, int, int]] = []  # cell, row, col, colspan, rowspan
    occupied: dict[tuple[int, int], int] = {}
    budget = limits.MAX_TABLE_CELLS
    for r, row in enumerate(rows):
        c = 0
        for cell in row.cells:
            if cell.col is not None:
                c = max(0, cell.col)
            while (r, c) in occupied:
                c += 1
            remaining = group_end[r] - r
            rs = remaining if cell.rowspan <= 0 else min(cell.rowspan, remaining)
            cs = max(1, cell.colspan)
            budget -= rs * cs
            if budget < 0:
                raise ReadError(
                    "E004",
                    f"表格过大(超过 {limits.MAX_TABLE_CELLS} 个单元格位置),不予读取",
                    f"table too large (more than {limits.MAX_TABLE_CELLS} grid positions); not read",
                    line=row.line,
                )
            idx = len(origins)
            origins.append((cell, r, c, cs, rs))
            for dr in range(rs):
                for dc in range(cs):
                    occupied.setdefault((r + dr, c + dc), idx)
            c += cs
    by_row: list[list[int]] = [[] for _ in range(n)]
    for r, c in occupied:
        by_row[r].append(c)
    out: list[Row] = []
    for r, row in enumerate(rows):
        cols = by_row[r]
        cells: list[Cell] = []
        last = max(cols) if cols else -1
        for c in range(last + 1):
            idx = occupied.get((r, c))
            if idx is None:
                cells.append(Cell(text="", line=row.line, column=c + 1))
                continue
            src, orow, ocol, cs, rs = origins[idx]
            if orow == r and ocol == c:
                cells.append(Cell(text=src.text, line=src.line, column=c + 1, colspan=cs, rowspan=rs))
            else:
                cells.append(Cell(text=src.text, line=src.line, column=c + 1, spanned=True, origin_column=ocol + 1))
        out.append(Row(cells=tuple(cells), line=row.line, page=row.page))
    return out


def grid_width(rows: list[SrcRow]) -> int:
    """Number of grid columns the rows would occupy (without building the grid)."""
    return max((sum(max(1, c.colspan) for c in r.cells) for r in rows), default=0)
