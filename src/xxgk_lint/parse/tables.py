"""Tables: classify rows (table.lark), match labels to the template, read cells into the model."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache

from lark import Lark, Token, Tree
from lark.lexer import Lexer

from xxgk_lint.data import data_path
from xxgk_lint.larkcache import build_lark
from xxgk_lint.parse.model import CellValue, LabelMatch, Section, TableModel, cell_value
from xxgk_lint.parse.template import ColumnSpec, RowSpec, SubTable, TableSpec, Template, cache_by_identity
from xxgk_lint.parse.textnorm import norm, similarity, strip_ordinal
from xxgk_lint.read.document import Block, Cell, Row

# ---------------------------------------------------------------------------------------------
# cells

_NUM = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_NUM_UNIT = re.compile(r"^([+-]?\d+(?:\.\d+)?)\s*(万元|亿元|元|件|条|个|项|次|人|篇|%)$")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
SLASHES = frozenset({"/", "-", "—", "——", "–", "－", "\\", "无", "—-", "--", "N/A", "n/a", "/ "})


def parse_cell(cell: Cell | None, page: int | None = None) -> CellValue:
    if cell is None:
        return CellValue(status="blank")
    raw = cell.text
    status, value, decimals, unit = _read_text(raw)
    return cell_value(status, raw, value, decimals, unit, cell.line, cell.column, page)  # type: ignore[arg-type]


_CellReading = tuple[str, Decimal | None, int, str | None]  # status, value, decimals, unit
_CACHED_CELL_LEN = 40  # cell texts up to this long have their reading cached (most are "0", "12", "/")


def _read_text(raw: str) -> _CellReading:
    return _read_short(raw) if len(raw) <= _CACHED_CELL_LEN else _read_cell_text(raw)


def _read_cell_text(raw: str) -> _CellReading:
    """What a cell's text is: (status, value, decimals, unit) as :func:`parse_cell` stores them."""
    t = unicodedata.normalize("NFKC", raw).strip().replace(" ", "")
    t = _THOUSANDS.sub("", t)
    if not t:
        return "blank", None, 0, None
    if t in SLASHES:
        return "slash", None, 0, None
    if _NUM.match(t):
        return "number", Decimal(t), _decimals(t), None
    m = _NUM_UNIT.match(t)
    if m:
        num = m.group(1)
        return "with_unit", Decimal(num), _decimals(num), m.group(2)
    return "text", None, 0, None


_read_short = lru_cache(maxsize=8192)(_read_cell_text)


def _decimals(num: str) -> int:
    return len(num.split(".", 1)[1]) if "." in num else 0


def is_value_text(text: str) -> bool:
    return _read_text(text)[0] in ("number", "with_unit", "slash")


# ---------------------------------------------------------------------------------------------
# row classification + the table shape grammar

_CAPTION = re.compile(r"^第二十条第\(([一二三四五六七八九十]{1,3})\)项$")


@dataclass(slots=True)
class RowParts:
    row: Row
    labels: list[Cell]
    values: list[Cell]  # trailing blanks stripped
    kind: str  # CAPTION HEADER DATA VALUES OTHER


def split_row(row: Row, label_width: int = 0) -> tuple[list[Cell], list[Cell]]:
    """A row's label cells and value cells (trailing blanks stripped).

    Values start at the first cell that reads as a value, or at an empty cell after a label: a
    blank value.  ``label_width`` is the number of grid positions the table keeps for labels
    (a Markdown or HTML grid leaves the positions of a spanned label empty: ``| 一、… |  | 20 |``);
    an empty cell in one of those positions is a gap in the label area, not a blank value.
    """
    labels: list[Cell] = []
    values: list[Cell] = []
    started = False
    for i, c in enumerate(row.cells):
        if c.spanned and not started and labels and labels[-1].text == c.text:
            continue  # a merged label cell repeated by grid expansion
        if not started:
            if not c.text.strip():
                if labels and i >= label_width:
                    # an empty cell after a label: a blank value (or a gap in the label area)
                    started = True
                    values.append(c)
                continue
            if is_value_text(c.text):
                started = True
                values.append(c)
            else:
                labels.append(c)
        else:
            values.append(c)
    while values and not values[-1].text.strip():
        values.pop()
    return labels, values


def _header_cells(row: Row, header_words: frozenset[str]) -> list[Cell] | None:
    """The label cells of a header row, in order, or None when the row is not a header row.

    A header row holds no value at all and names a column (or a header caption such as 申请人情况);
    in a grid its labels sit at their columns' positions with empty cells between them
    (``|  |  | 自然人 | 法人或其他组织 |  |  |  |  | 总计 |``), and every non-empty cell is a label."""
    cells: list[Cell] = []
    named = False
    for c in row.cells:
        t = c.text.strip()
        if not t:
            continue
        if is_value_text(t):
            return None
        if c.spanned and cells and cells[-1].text == c.text:
            continue
        named = named or norm(t) in header_words
        cells.append(c)
    return cells if named else None


def classify(
    row: Row,
    label_rows: Sequence[str],
    col_labels: frozenset[str] = frozenset(),
    label_width: int = 0,
    header_words: frozenset[str] = frozenset(),
) -> RowParts:
    """A row's kind for the table grammar.  ``header_words`` (normalised column labels and header
    captions) recognise header rows whose labels are spread over a grid; see :func:`split_row` for
    ``label_width``."""
    header = _header_cells(row, header_words) if header_words else None
    labels, values = (header, []) if header is not None else split_row(row, label_width)
    texts = [norm(c.text) for c in labels]
    is_header = header is not None or any(t in col_labels for t in texts)
    if len(labels) == 1 and not values and _CAPTION.match(texts[0]):
        kind = "CAPTION"
    elif labels and values:
        kind = "DATA"
    elif labels and not values:
        best = _best_similarity(strip_ordinal(labels[-1].text), label_rows)
        kind = "DATA" if best >= 0.8 and not is_header else "HEADER"
    elif values:
        kind = "VALUES"
    else:
        kind = "OTHER"
    return RowParts(row=row, labels=labels, values=values, kind=kind)


# label_rows tuples (by identity) -> {text: best similarity}; label-only rows repeat across
# reports (group headings such as 三、本年度办理结果), and each costs a pass over every row label
_BEST_SIMILARITY: dict[int, tuple[Sequence[str], dict[str, float]]] = {}
_BEST_SIMILARITY_MAX = 4096  # texts kept per label set (then that memo starts over)


def _best_similarity(text: str, label_rows: Sequence[str]) -> float:
    """max(similarity(text, r) for r in label_rows), 0.0 when there are none."""
    hit = _BEST_SIMILARITY.get(id(label_rows))
    if hit is None or hit[0] is not label_rows:
        if len(_BEST_SIMILARITY) >= 64:  # callers passing temporary sequences: don't grow forever
            _BEST_SIMILARITY.clear()
        hit = _BEST_SIMILARITY[id(label_rows)] = (label_rows, {})
    memo = hit[1]
    got = memo.get(text)
    if got is None:
        got = max((similarity(text, r) for r in label_rows), default=0.0)
        if len(memo) >= _BEST_SIMILARITY_MAX:
            memo.clear()
        memo[text] = got
    return got


class _RowLexer(Lexer):
    def __init__(self, lexer_conf: object) -> None:  # Lark API
        pass

    def lex(self, data: list[tuple[str, int]], parser_state: object = None) -> Iterator[Token]:  # type: ignore[override]
        for kind, index in data:
            yield Token(kind, index)


@cache
def _table_parser() -> Lark:
    return build_lark(data_path("grammars", "table.lark").read_text(encoding="utf-8"), "table", lexer=_RowLexer)


def segment(parts: list[RowParts]) -> list[tuple[RowParts | None, list[RowParts]]]:
    """Split rows into (caption, rows) groups with the table grammar; the lead has caption None."""
    kinds = tuple(p.kind for p in parts)
    shape = _segment_shape(kinds) if len(kinds) <= _CACHED_SHAPE_LEN else _segment_shape.__wrapped__(kinds)
    out: list[tuple[RowParts | None, list[RowParts]]] = []
    for lead, idx in shape:
        if lead:
            out.append((None, [parts[i] for i in idx]))
        else:
            out.append((parts[idx[0]], [parts[i] for i in idx[1:]]))
    return out


_CACHED_SHAPE_LEN = 400  # tables up to this many rows have their parse cached by row kinds


@lru_cache(maxsize=1024)
def _segment_shape(kinds: tuple[str, ...]) -> tuple[tuple[bool, tuple[int, ...]], ...]:
    """The table grammar's parse of a sequence of row kinds: (is the lead, row indexes) per group.
    It depends on the kinds only, so it is cached by them (tables of one template repeat shapes)."""
    tree = _table_parser().parse([(k, i) for i, k in enumerate(kinds)])
    out: list[tuple[bool, tuple[int, ...]]] = []
    for child in tree.children:
        assert isinstance(child, Tree)
        idx = tuple(int(t.value) for t in child.scan_values(lambda v: isinstance(v, Token)))
        out.append((child.data == "lead", idx))
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# which template table is a block?


@cache_by_identity
def _row_label_norms(spec: TableSpec) -> tuple[str, ...]:
    out: list[str] = []
    for r in spec.all_rows():
        out.append(strip_ordinal(r.label))
        out.extend(strip_ordinal(v) for v in r.variants)
    return tuple(out)


@cache_by_identity
def _row_label_set(spec: TableSpec) -> frozenset[str]:
    return frozenset(_row_label_norms(spec))


@cache_by_identity
def _col_label_norms(spec: TableSpec) -> frozenset[str]:
    cols = list(spec.columns) + [c for st in spec.subtables for c in st.columns]
    return frozenset(norm(c.label) for c in cols) | frozenset(norm(v) for c in cols for v in c.variants)


@cache_by_identity
def _header_words(spec: TableSpec) -> frozenset[str]:
    """Normalised texts that make a value-less row a header row: column labels and header captions."""
    return _col_label_norms(spec) | frozenset(norm(h) for h in spec.header_labels)


@cache_by_identity
def _max_columns(spec: TableSpec) -> int:
    return max((len(spec.columns_for(r)) for r in spec.all_rows()), default=len(spec.columns))


def _label_width(spec: TableSpec, width: int) -> int:
    """How many leading grid positions of a ``width``-cell row are the label area: the grid's width
    less the widest row's columns (0 for a flat table, whose values are all in one row)."""
    if spec.layout == "flat":
        return 0
    return max(width - _max_columns(spec), 0)


def score_block(block: Block, spec: TableSpec, section: str | None) -> float:
    return _score(_cell_forms(block), spec, section)


def _cell_forms(block: Block) -> list[tuple[str, str]]:
    """(norm, strip_ordinal) of a block's non-empty cells that are not grid copies of a merged cell."""
    return [_cell_form(c.text) for r in block.rows for c in r.cells if c.text and not c.spanned]


def _cell_form_of(text: str) -> tuple[str, str]:
    return norm(text), strip_ordinal(text)


_cell_form_short = lru_cache(maxsize=16384)(_cell_form_of)


def _cell_form(text: str) -> tuple[str, str]:
    return _cell_form_short(text) if len(text) <= _CACHED_CELL_LEN else _cell_form_of(text)


def _score(cells: list[tuple[str, str]], spec: TableSpec, section: str | None) -> float:
    rows = _row_label_set(spec)
    cols = _col_label_norms(spec)
    score = 0.0
    for n, s in cells:
        if s in rows:
            score += 1
        elif n in cols:
            score += 0.5
        elif spec.subtables and _CAPTION.match(n):
            score += 1
    if section is not None and section == spec.section:
        score += 2
    return score


def assign_tables(
    blocks: list[Block], sections: dict[str, Section], template: Template
) -> dict[str, list[int]]:
    section_of_block: dict[int, str] = {}
    for sec in sections.values():
        for i in sec.block_indexes:
            section_of_block[i] = sec.ordinal
    out: dict[str, list[int]] = {}
    for i, b in enumerate(blocks):
        if b.kind != "table":
            continue
        best: tuple[float, str] | None = None
        cells = _cell_forms(b)
        for key, spec in template.tables.items():
            s = _score(cells, spec, section_of_block.get(i))
            if best is None or s > best[0]:
                best = (s, key)
        if best is not None and best[0] >= 3:
            out.setdefault(best[1], []).append(i)
    return out


# ---------------------------------------------------------------------------------------------
# label matching


def _ordinal_prefix(text: str) -> str:
    n = norm(text)
    s = strip_ordinal(text)
    return n[: len(n) - len(s)] if s and n.endswith(s) else ""


# a label's normalised forms: (norm, strip_ordinal, ordinal prefix)
_Forms = tuple[str, str, str]


def _forms_of(text: str) -> _Forms:
    return norm(text), strip_ordinal(text), _ordinal_prefix(text)


_forms_short = lru_cache(maxsize=16384)(_forms_of)


def _forms(text: str) -> _Forms:
    return _forms_short(text) if len(text) <= _CACHED_CELL_LEN else _forms_of(text)


@cache_by_identity
def _cand_forms(cand: RowSpec | ColumnSpec) -> tuple[_Forms, tuple[str, ...]]:
    """A template label's forms, and strip_ordinal of the label and each variant (once per spec)."""
    return _forms(cand.label), tuple(strip_ordinal(v) for v in (cand.label, *cand.variants))


def _label_score(forms: _Forms, cand: RowSpec | ColumnSpec) -> tuple[float, bool]:
    """(score, exact) of a label (its :func:`_forms`) against one template label."""
    n, s, prefix = forms
    (cn, cs, cprefix), variants = _cand_forms(cand)
    exact = n == cn or (s == cs and not prefix)
    score = 1.0 if exact else max(similarity(s, v) for v in variants)
    if not exact and prefix and prefix == cprefix:
        score += 0.05
    return score, exact


def match_label(
    text: str, candidates: Sequence[RowSpec | ColumnSpec], threshold: float = 0.6
) -> tuple[RowSpec | ColumnSpec, float, bool] | None:
    forms = _forms(text)
    best: tuple[RowSpec | ColumnSpec, float, bool] | None = None
    for cand in candidates:
        score, exact = _label_score(forms, cand)
        if best is None or score > best[1]:
            best = (cand, score, exact)
    if best is None or best[1] < threshold:
        return None
    return best


def _lm(key: str, cell: Cell, expected: str, exact: bool) -> LabelMatch:
    return LabelMatch(
        key=key, found=cell.text, expected=expected, exact=exact, line=cell.line, column=cell.column
    )


# ---------------------------------------------------------------------------------------------
# reading one template table from its blocks


def _match_header_row(
    cells: list[Cell],
    columns: Sequence[ColumnSpec],
    header_labels: Sequence[str],
    found: dict[str, LabelMatch],
    prefix: str = "",
) -> None:
    cols = list(columns)
    keyed: list[int | None] = []
    for c in cells:
        n = norm(c.text)
        idx = None
        for j, col in enumerate(cols):
            if (prefix + col.key) in found and found[prefix + col.key].exact:
                continue
            if n == norm(col.label):
                idx = j
                found[prefix + col.key] = _lm(col.key, c, col.label, True)
                break
        keyed.append(idx)
    # positional: an unknown cell between two known columns is the column between them
    for i, c in enumerate(cells):
        if keyed[i] is not None or not c.text:
            continue
        n = norm(c.text)
        if any(similarity(n, norm(h)) >= 0.7 or norm(h) in n for h in header_labels):
            continue
        guess = None
        nxt = next((keyed[k] for k in range(i + 1, len(cells)) if keyed[k] is not None), None)
        prv = next((keyed[k] for k in range(i - 1, -1, -1) if keyed[k] is not None), None)
        if nxt is not None and nxt - 1 >= 0 and (prv is None or prv == nxt - 2):
            guess = nxt - 1
        elif prv is not None and prv + 1 < len(cols) and nxt is None:
            guess = prv + 1
        if guess is not None and (prefix + cols[guess].key) not in found:
            col = cols[guess]
            score = max(
                similarity(strip_ordinal(c.text), strip_ordinal(v)) for v in (col.label, *col.variants)
            )
            if score >= 0.3:
                found[prefix + col.key] = _lm(col.key, c, col.label, False)
                keyed[i] = guess
                continue
        m = match_label(c.text, [col for col in cols if (prefix + col.key) not in found], 0.6)
        if m is not None:
            col = m[0]
            found[prefix + col.key] = _lm(col.key, c, col.label, m[2])
            keyed[i] = cols.index(col)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class OverfullRow:
    """A table row with more values than the format's columns (the extra ones are not read)."""

    table: str
    row: str  # template row key; "" for a flat table's single data row
    line: int
    column: int | None
    page: int | None
    expected: int  # the format's columns
    found: int  # the values written
    extra: tuple[str, ...]  # the texts beyond the last column


def _note_overfull(
    sink: list[OverfullRow] | None, table: str, row: str, values: list[Cell], n: int, rowobj: Row, page: int | None
) -> None:
    """Record a row whose values go on past its ``n`` columns.  A grid's copies of a merged value
    cell (``spanned``) are not extra values, and blank cells past the columns say nothing."""
    if sink is None or len(values) <= n:
        return
    extra = [c for c in values[n:] if not c.spanned]
    written = [c for c in extra if c.text.strip()]
    if not written:
        return
    sink.append(
        OverfullRow(
            table=table,
            row=row,
            line=rowobj.line,
            column=written[0].column,
            page=page,
            expected=n,
            found=n + len(extra),
            extra=tuple(c.text for c in written),
        )
    )


def _place(
    table: TableModel,
    spec: TableSpec,
    row: RowSpec,
    values: list[Cell],
    rowobj: Row,
    page: int | None,
    overfull: list[OverfullRow] | None = None,
) -> None:
    cols = spec.columns_for(row)
    n = len(cols)
    table.row_lines[row.key] = rowobj.line
    _note_overfull(overfull, spec.key, row.key, values, n, rowobj, page)
    if len(values) >= n or not values:
        for j, col in enumerate(cols):
            table.cells[(row.key, col.key)] = parse_cell(values[j] if j < len(values) else None, page)
            if j >= len(values):
                table.cells[(row.key, col.key)] = CellValue(status="blank", line=rowobj.line, page=page)
        return
    # fewer values than columns: the scrape collapsed blank cells, so positions are unknown.
    parsed = [parse_cell(v, page) for v in values]
    table.unplaced_rows[row.key] = parsed
    last = cols[-1]
    for col in cols:
        table.cells[(row.key, col.key)] = CellValue(status="unplaced", line=rowobj.line, page=page)
    if last.key == "total" and len(cols) > 2:
        # the row total is the template's last column and a collapse keeps order: the last value
        table.cells[(row.key, last.key)] = parsed[-1]


def read_table(spec: TableSpec, blocks: list[Block], overfull: list[OverfullRow] | None = None) -> TableModel:
    """Read one template table from its blocks; rows with more values than their columns are kept
    in ``table.overfull`` (and appended to ``overfull`` when it is given)."""
    first, last = blocks[0], blocks[-1]
    table = TableModel(key=spec.key, line=first.line, end_line=last.end_line, page=first.page)
    row_norms = _row_label_norms(spec)
    col_norms = _col_label_norms(spec)
    header_words = _header_words(spec)
    parts: list[RowParts] = []
    for b in blocks:
        width = max((len(r.cells) for r in b.rows), default=0)
        label_width = _label_width(spec, width)
        for r in b.rows:
            lw = label_width if len(r.cells) == width else 0
            parts.append(classify(r, row_norms, col_norms, lw, header_words))
    page_of_line = {r.line: b.page for b in blocks for r in b.rows}
    current_sub: SubTable | None = None
    parent: str | None = None
    all_rows = _all_rows(spec)
    # sub-tables (table 二): header rows wait here until a data row says which sub-table they head
    pending: list[RowParts] = []
    seen_data = False
    for caption, rows in segment(parts):
        if spec.subtables:
            _flush_headers(spec, current_sub, pending, table)
            current_sub = _group_subtable(spec, caption, rows, table) or current_sub
            seen_data = False
        for p in rows:
            page = page_of_line.get(p.row.line)
            if p.kind == "HEADER":
                cells = [c for c in p.labels if not c.spanned]
                if spec.subtables:
                    # a header after data rows starts the next sub-table even without its caption
                    pending.append(p)
                    if current_sub is not None and not seen_data:
                        _flush_headers(spec, current_sub, pending, table)
                else:
                    _match_header_row(cells, spec.columns, spec.header_labels, table.cols_found)
                    if spec.layout == "flat":
                        for c in cells:
                            m = match_label(c.text, spec.rows, 0.8)
                            if m is not None and m[0].key not in table.rows_found:
                                table.rows_found[m[0].key] = _lm(m[0].key, c, m[0].label, m[2])
                continue
            if p.kind == "VALUES" or (spec.layout == "flat" and p.kind == "DATA"):
                if spec.layout == "flat" and p.values:
                    _place_flat(table, spec, p, page, table.overfull)
                continue
            if p.kind != "DATA":
                continue
            candidates: Sequence[RowSpec] = current_sub.rows if current_sub is not None else all_rows
            # parent context from earlier label cells (e.g. "(三)不予公开" before "1.属于国家秘密")
            for c in p.labels[:-1]:
                if spec.unit_words and norm(c.text) in spec.unit_words:
                    continue
                for gkey, glabel in spec.row_groups.items():
                    if similarity(strip_ordinal(c.text), strip_ordinal(glabel)) >= 0.7:
                        parent = gkey
            labels = (
                [c for c in p.labels if norm(c.text) not in spec.unit_words] if spec.unit_words else p.labels
            )
            if not labels:
                continue
            # text where a value belongs ("见附件"): cells right of the last label naming a row are values
            ranks = [_rank(c.text, candidates, parent, table) for c in labels]
            if candidates is not all_rows and not any(r is not None and r[1] for r in ranks):
                # a row of another sub-table (its caption missing or wrong): its exact label wins
                # over a loose match in the current one
                wide = [_rank(c.text, all_rows, parent, table) for c in labels]
                if any(r is not None and r[1] for r in wide) or not any(ranks):
                    ranks = wide
            named = [i for i, r in enumerate(ranks) if r is not None]
            if named and named[-1] < len(labels) - 1:
                extra = labels[named[-1] + 1 :]
                labels = labels[: named[-1] + 1]
                ranks = ranks[: named[-1] + 1]
                p.values = extra + p.values
            label = labels[-1]
            ranked = ranks[-1]
            if ranked is None:
                table.unknown_rows.append(
                    LabelMatch(
                        key="",
                        found=label.text,
                        expected="",
                        exact=False,
                        line=label.line,
                        column=label.column,
                    )
                )
                continue
            rspec, exact = ranked
            if spec.subtables and rspec.subtable and (current_sub is None or rspec.subtable != current_sub.key):
                current_sub = _subtable(spec, rspec.subtable)
            if spec.subtables:
                _flush_headers(spec, current_sub, pending, table)
                seen_data = True
            parent = rspec.parent
            table.rows_found[rspec.key] = _lm(rspec.key, label, rspec.label, exact)
            _place(table, spec, rspec, p.values, p.row, page, table.overfull)
    if spec.subtables:
        _flush_headers(spec, current_sub, pending, table)
    if overfull is not None:
        overfull.extend(table.overfull)
    return table


def _subtable(spec: TableSpec, key: str) -> SubTable | None:
    return next((st for st in spec.subtables if st.key == key), None)


def _flush_headers(spec: TableSpec, sub: SubTable | None, pending: list[RowParts], table: TableModel) -> None:
    """Match the waiting header rows to the columns of sub-table ``sub`` (dropped when it is None)."""
    if sub is not None:
        label_column = norm(spec.label_column or "")
        for p in pending:
            body = [c for c in p.labels if not c.spanned and norm(c.text) != label_column]
            _match_header_row(body, sub.columns, spec.header_labels, table.cols_found, sub.key + ".")
    pending.clear()


def _group_subtable(
    spec: TableSpec, caption: RowParts | None, rows: list[RowParts], table: TableModel
) -> SubTable | None:
    """Which sub-table a caption group is, and record its caption in ``table.groups_found``.

    The caption names it (第二十条第(五)项) unless the group's first data row is exactly a row of
    another sub-table: then the caption is wrong (第二十条第(四)项, or a duplicated (六)) and is
    recorded as an inexact match of the right one, whose caption it should have been.  Without a
    caption (the lead rows) the data rows decide and nothing is recorded: the caption is missing."""
    cap_sub = None
    if caption is not None:
        cap = norm(caption.labels[0].text)
        cap_sub = next((st for st in spec.subtables if norm(st.caption) == cap), None)
    row_sub: SubTable | None = None
    row_exact = False
    all_rows = _all_rows(spec)
    for p in rows:
        if p.kind != "DATA":
            continue
        ranked = next((r for r in (_rank(c.text, all_rows, None, table) for c in reversed(p.labels)) if r), None)
        if ranked is not None and ranked[0].subtable:
            row_sub, row_exact = _subtable(spec, ranked[0].subtable), ranked[1]
            break
    sub = cap_sub if cap_sub is not None and (row_sub is None or not row_exact) else row_sub
    if caption is not None and sub is not None and sub.key not in table.groups_found:
        table.groups_found[sub.key] = _lm(sub.key, caption.labels[0], sub.caption, sub is cap_sub)
    return sub


@cache_by_identity
def _by_norm(candidates: Sequence[RowSpec]) -> dict[str, list[RowSpec]]:
    """Template rows by their normalised label, in order (candidates are long-lived template tuples)."""
    out: dict[str, list[RowSpec]] = {}
    for c in candidates:
        out.setdefault(_cand_forms(c)[0][0], []).append(c)
    return out


@cache_by_identity
def _all_rows(spec: TableSpec) -> tuple[RowSpec, ...]:
    return spec.all_rows()


def _rank(
    text: str, candidates: Sequence[RowSpec], parent: str | None, table: TableModel
) -> tuple[RowSpec, bool] | None:
    # fast path: the label exactly as the template writes it (most rows of most reports)
    forms = _forms(text)
    exact = _by_norm(candidates).get(forms[0], [])
    if exact:
        fresh = [c for c in exact if c.key not in table.rows_found]
        pick = next((c for c in fresh if parent is None or c.parent == parent), None) or (fresh or exact)[0]
        return pick, True
    scored: list[tuple[float, int, RowSpec, bool]] = []
    found = table.rows_found
    for i, (cand, score, is_exact) in enumerate(_base_scores(forms, candidates)):
        if parent is not None and cand.parent == parent:
            score += 0.1
        if cand.key in found:
            score -= 0.3
        scored.append((score, -i, cand, is_exact))
    if not scored:
        return None
    scored.sort(key=lambda t: (t[0], t[1]), reverse=True)
    best = scored[0]
    if best[0] < 0.6:
        return None
    return best[2], best[3]


# candidates tuples (by identity) -> {label forms: [(candidate, score, exact)]}: a label that is
# not written exactly as a template row (a group heading, a variant) is scored against every row
_BASE_SCORES: dict[int, tuple[Sequence[RowSpec], dict[_Forms, list[tuple[RowSpec, float, bool]]]]] = {}


def _base_scores(forms: _Forms, candidates: Sequence[RowSpec]) -> list[tuple[RowSpec, float, bool]]:
    """Each candidate with its :func:`_label_score` against ``forms``, in candidate order."""
    hit = _BASE_SCORES.get(id(candidates))
    if hit is None or hit[0] is not candidates:
        if len(_BASE_SCORES) >= 64:
            _BASE_SCORES.clear()
        hit = _BASE_SCORES[id(candidates)] = (candidates, {})
    memo = hit[1]
    got = memo.get(forms)
    if got is None:
        got = [(cand, *_label_score(forms, cand)) for cand in candidates]
        if len(memo) >= 2048:
            memo.clear()
        memo[forms] = got
    return got


def _place_flat(
    table: TableModel, spec: TableSpec, p: RowParts, page: int | None, overfull: list[OverfullRow] | None = None
) -> None:
    values = p.values
    n = len(spec.rows) * len(spec.columns)
    _note_overfull(overfull, spec.key, "", values, n, p.row, page)
    if len(values) >= n:
        k = 0
        for r in spec.rows:
            table.row_lines[r.key] = p.row.line
            for c in spec.columns:
                table.cells[(r.key, c.key)] = parse_cell(values[k], page)
                k += 1
            table.unplaced_rows.pop(r.key, None)
    else:
        parsed = [parse_cell(v, page) for v in values]
        for r in spec.rows:
            table.row_lines[r.key] = p.row.line
            table.unplaced_rows[r.key] = parsed
            for c in spec.columns:
                table.cells[(r.key, c.key)] = CellValue(status="unplaced", line=p.row.line, page=page)


def parse_tables(
    blocks: list[Block],
    sections: dict[str, Section],
    template: Template,
    overfull: list[OverfullRow] | None = None,
) -> dict[str, TableModel]:
    out: dict[str, TableModel] = {}
    for key, idx in assign_tables(blocks, sections, template).items():
        out[key] = read_table(template.tables[key], [blocks[i] for i in idx], overfull)
    return out


def overfull_rows(blocks: list[Block], sections: dict[str, Section], template: Template) -> list[OverfullRow]:
    """The rows of a report's tables that have more values than the format's columns, read again
    from the report's blocks exactly as :func:`parse_tables` did (a parsed report already has them
    as each ``TableModel.overfull``; this is for callers holding only blocks)."""
    out: list[OverfullRow] = []
    parse_tables(blocks, sections, template, out)
    return out


def decimal_or_none(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None
