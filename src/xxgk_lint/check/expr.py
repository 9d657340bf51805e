"""Relations between table cells (勾稽关系): a small expression language with exact interval semantics.

Rule files say which totals must reconcile; this module parses those relations with our own Lark
grammar (``grammars/expr.lark``) and evaluates them with our own code.  A rule file is untrusted input:
nothing in it is ever passed to ``eval``/``exec``, there is no attribute access and no Python callable
is looked up by a name the rule chooses - the four functions below are a fixed table.

Syntax
------
::

    relation  :=  ("forall" $var "in" domain {"," $var "in" domain} ":")*  ["when" cond ":"]  cond
    domain    :=  rows(TABLE[, GROUP]) | cols(TABLE[, GROUP]) | [key, key, ...]
    reference :=  TABLE.ROW.COL   where ROW / COL is a template key, a $variable, an @group (every key
                  of that group) or * (every key); @group and * only inside sum(), min() and max()
    value     :=  reference | 12 | 0.5 | value + value | value - value | value * value | -value
                  | (value) | sum(v, ...) | min(v, ...) | max(v, ...) | abs(v)
    cond      :=  value = value (also == != < <= > >=) | not cond | cond and cond | cond or cond | (cond)

Precedence, loosest first: ``or``, ``and``, ``not``, comparisons (not chained), ``+ -``, ``*``,
unary ``-``.  ``#`` starts a comment; line breaks are free, so a relation may span several YAML lines.
The keys are the template's (``grammars/templates/*.yaml``), e.g. for the 2019 format::

    forall $c in cols(requests):
        requests.new.$c + requests.carried_over.$c = requests.outcome_total.$c + requests.carried_forward.$c
    forall $c in cols(requests): requests.outcome_total.$c = sum(requests.@outcomes.$c)
    forall $r in rows(requests): requests.$r.total = sum(requests.$r.@applicants)
    forall $r in rows(reviews): reviews.$r.total = sum(reviews.$r.@parts)
    when active.procurement.projects = 0: active.procurement.amount = 0

Semantics
---------
* Every cell is an exact decimal interval ``[v - h, v + h]``; ``h = 0.5 * 10**-decimals`` for a value
  written with ``decimals > 0`` places (``5234.55`` covers ``5234.545 … 5234.555``), ``h = 0`` for
  integers.  Literals in the rule are exact.  ``+ - *``, ``sum``, ``min``, ``max`` and ``abs`` are
  interval operations in :class:`decimal.Decimal` (never float).  This is the XBRL Calculations 1.1 idea:
  a relation FAILS only when no choice of true values inside the intervals could satisfy it -
  ``a = b`` fails when the (closed) intervals do not meet, ``a <= b`` when ``min(a) > max(b)``, ``a != b``
  only when both sides are the same exact number.  Each condition is evaluated to the pair
  "can be true / can be false", so ``not``, ``and`` and ``or`` stay sound.
* ``when c: r`` means ``not c or r``: it fails only when ``c`` surely holds and ``r`` surely fails; when
  ``c`` surely does not hold the instantiation passes with ``vacuous=True``.
* A cell whose :meth:`CellValue.arithmetic_value` is ``None`` (text, missing row, unplaced value) is
  UNKNOWN; blank and "/" count as 0.  An unknown cell makes every value computed from it unknown, and an
  instantiation whose result depends on an unknown value is ``"unknown"`` (cannot check) with the cells
  listed - never a false failure.  (``x = 1 and y = 2`` with ``y`` unknown still fails when ``x`` is 3.)
* Quantifiers range over template keys from the :class:`CellSource`, so a row that is absent from the
  report is still visited; its cells are MISSING and that instantiation is unknown.

API
---
:func:`compile_relation` parses once (cached) and raises :class:`ExprError` with line and column;
:func:`evaluate` returns one :class:`Outcome` per instantiation of the quantifiers.
:attr:`Relation.variables`, :attr:`Relation.references`, :attr:`Relation.tables`,
:meth:`Relation.cells` (every cell any instantiation reads) and :meth:`Relation.check_keys` (template
keys exist) let a caller validate rules and tell which checks a set of unreadable cells blocks.
"""

from __future__ import annotations

import contextlib
import decimal
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, lru_cache
from typing import Literal, Protocol, TypeAlias

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from xxgk_lint.data import data_path
from xxgk_lint.larkcache import build_lark
from xxgk_lint.parse.model import CellValue

__all__ = [
    "CellSource",
    "ExprError",
    "Interval",
    "Outcome",
    "Relation",
    "compile_relation",
    "evaluate",
    "evaluate_all",
    "evaluate_doubtful",
]

Cell: TypeAlias = tuple[str, str, str]  # (table, row, col)

# Limits for untrusted rule text: generous for real relations, small enough that nothing recurses deep.
MAX_LENGTH = 4000  # characters
MAX_NESTING = 32  # open brackets at once
MAX_DEPTH = 120  # levels of the parse tree
MAX_VARIABLES = 4
MAX_NUMBER_DIGITS = 30
_MAX_MEMO = 4096  # texts remembered per compiled relation (one per instantiation; templates have ~50)
_PREC = 80  # decimal digits for interval arithmetic; anything inexact at this precision is refused

FUNCTIONS = ("sum", "min", "max", "abs")


class ExprError(Exception):
    """A relation that cannot be compiled (or names keys the template lacks).

    ``line`` and ``column`` are 1-based positions in the relation text.
    """

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message, line, column)
        self.message = message
        self.line = line
        self.column = column

    def __str__(self) -> str:
        return f"{self.message} (line {self.line}, column {self.column})"


class CellSource(Protocol):
    """Where values come from.  Keys are template keys; lists are in template order.

    ``rows(t)``/``cols(t)`` without a group return every key the table has (for a table made of
    sub-tables, the union of their columns); an unknown table returns ``[]``.

    A source may also carry ``read_memo``, a dict the evaluator fills with each cell's interval
    (or its status when it has no value) so that the relations of one report read a cell once;
    a source whose values can change must not have one.
    """

    def cell(self, table: str, row: str, col: str) -> CellValue: ...

    def rows(self, table: str, group: str | None = None) -> list[str]: ...

    def cols(self, table: str, group: str | None = None) -> list[str]: ...


# ------------------------------------------------------------------------------------- intervals


def _fmt(d: Decimal) -> str:
    s = format(d, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _clean(d: Decimal) -> Decimal:
    """Drop trailing zeros without rounding (10.500 -> 10.5, 1E+1 stays 10)."""
    return Decimal(_fmt(d))


@dataclass(frozen=True, slots=True)
class Interval:
    """A closed interval of exact decimals; a written value ``v`` with precision ``h`` is ``[v-h, v+h]``."""

    lo: Decimal
    hi: Decimal

    @classmethod
    def exact(cls, v: Decimal) -> Interval:
        return cls(v, v)

    @classmethod
    def of_cell(cls, v: Decimal, decimals: int) -> Interval:
        if decimals <= 0:
            return cls(v, v)
        h = Decimal(5).scaleb(-(decimals + 1))
        return cls(v - h, v + h)

    @property
    def is_exact(self) -> bool:
        return self.lo == self.hi

    @property
    def point(self) -> Decimal:
        """The value itself when exact, else the midpoint (the sum of the written values)."""
        if self.lo == self.hi:
            return self.lo
        return _clean((self.lo + self.hi) / 2)

    @property
    def radius(self) -> Decimal:
        return _clean((self.hi - self.lo) / 2)

    def __add__(self, other: Interval) -> Interval:
        return Interval(self.lo + other.lo, self.hi + other.hi)

    def __sub__(self, other: Interval) -> Interval:
        return Interval(self.lo - other.hi, self.hi - other.lo)

    def __neg__(self) -> Interval:
        return Interval(-self.hi, -self.lo)

    def __mul__(self, other: Interval) -> Interval:
        ps = (self.lo * other.lo, self.lo * other.hi, self.hi * other.lo, self.hi * other.hi)
        return Interval(min(ps), max(ps))

    def __abs__(self) -> Interval:
        if self.lo >= 0:
            return self
        if self.hi <= 0:
            return -self
        return Interval(Decimal(0), max(-self.lo, self.hi))

    def __str__(self) -> str:
        if self.is_exact:
            return _fmt(self.lo)
        return f"{_fmt(self.point)}±{_fmt(self.radius)}"


def _imin(xs: Sequence[Interval]) -> Interval:
    return Interval(min(x.lo for x in xs), min(x.hi for x in xs))


def _imax(xs: Sequence[Interval]) -> Interval:
    return Interval(max(x.lo for x in xs), max(x.hi for x in xs))


# ------------------------------------------------------------------------------------------- AST


@dataclass(frozen=True, slots=True)
class Seg:
    """One position (row or column) of a reference."""

    kind: Literal["key", "var", "group", "all"]
    name: str = ""  # key, variable (without $) or group (without @)
    line: int = field(default=1, compare=False)
    column: int = field(default=1, compare=False)

    @property
    def multi(self) -> bool:
        return self.kind in ("group", "all")

    def text(self, bindings: dict[str, str] | None = None) -> str:
        if self.kind == "key":
            return self.name
        if self.kind == "var":
            if bindings and self.name in bindings:
                return bindings[self.name]
            return "$" + self.name
        if self.kind == "group":
            return "@" + self.name
        return "*"


@dataclass(frozen=True, slots=True)
class Num:
    value: Decimal


@dataclass(frozen=True, slots=True)
class Ref:
    table: str
    row: Seg
    col: Seg
    line: int = field(default=1, compare=False)
    column: int = field(default=1, compare=False)

    @property
    def multi(self) -> bool:
        return self.row.multi or self.col.multi

    def text(self, bindings: dict[str, str] | None = None) -> str:
        return f"{self.table}.{self.row.text(bindings)}.{self.col.text(bindings)}"


@dataclass(frozen=True, slots=True)
class Add:
    terms: tuple[tuple[Literal["+", "-"], Node], ...]  # the first sign is always "+"


@dataclass(frozen=True, slots=True)
class Mul:
    factors: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Neg:
    arg: Node


@dataclass(frozen=True, slots=True)
class Call:
    func: Literal["sum", "min", "max", "abs"]
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Cmp:
    op: Literal["=", "!=", "<", "<=", ">", ">="]
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Not:
    arg: Node


@dataclass(frozen=True, slots=True)
class BoolOp:
    op: Literal["and", "or"]
    args: tuple[Node, ...]


Node: TypeAlias = Num | Ref | Add | Mul | Neg | Call | Cmp | Not | BoolOp


@dataclass(frozen=True, slots=True)
class Binding:
    """``$var in rows(table, group)`` / ``cols(...)`` / ``[k1, k2]``."""

    var: str
    kind: Literal["rows", "cols", "list"]
    table: str = ""
    group: str | None = None
    items: tuple[str, ...] = ()
    line: int = field(default=1, compare=False)
    column: int = field(default=1, compare=False)

    def domain(self, source: CellSource) -> list[str]:
        if self.kind == "list":
            return list(self.items)
        if self.kind == "rows":
            return list(source.rows(self.table, self.group))
        return list(source.cols(self.table, self.group))

    def text(self) -> str:
        if self.kind == "list":
            return f"${self.var} in [{', '.join(self.items)}]"
        group = f", {self.group}" if self.group else ""
        return f"${self.var} in {self.kind}({self.table}{group})"


def _children(n: Node) -> tuple[Node, ...]:
    if isinstance(n, Add):
        return tuple(t for _, t in n.terms)
    if isinstance(n, Mul):
        return n.factors
    if isinstance(n, Neg | Not):
        return (n.arg,)
    if isinstance(n, Call | BoolOp):
        return n.args
    if isinstance(n, Cmp):
        return (n.left, n.right)
    return ()


def _walk(n: Node) -> Iterator[Node]:
    stack = [n]
    while stack:
        x = stack.pop()
        yield x
        stack.extend(reversed(_children(x)))


# --------------------------------------------------------------------------------- pretty printing

_PREC_OR, _PREC_AND, _PREC_NOT, _PREC_CMP, _PREC_ADD, _PREC_MUL, _PREC_NEG, _PREC_ATOM = range(1, 9)


def _prec(n: Node) -> int:
    if isinstance(n, BoolOp):
        return _PREC_OR if n.op == "or" else _PREC_AND
    if isinstance(n, Not):
        return _PREC_NOT
    if isinstance(n, Cmp):
        return _PREC_CMP
    if isinstance(n, Add):
        return _PREC_ADD
    if isinstance(n, Mul):
        return _PREC_MUL
    if isinstance(n, Neg):
        return _PREC_NEG
    return _PREC_ATOM


def _show(n: Node, b: dict[str, str] | None, need: int = 0) -> str:
    if isinstance(n, Num):
        s = _fmt(n.value)
    elif isinstance(n, Ref):
        s = n.text(b)
    elif isinstance(n, Call):
        s = f"{n.func}({', '.join(_show(a, b) for a in n.args)})"
    elif isinstance(n, Neg):
        s = "-" + _show(n.arg, b, _PREC_NEG)
    elif isinstance(n, Not):
        s = "not " + _show(n.arg, b, _PREC_NOT)
    elif isinstance(n, Mul):
        s = " * ".join(_show(f, b, _PREC_MUL + (i > 0)) for i, f in enumerate(n.factors))
    elif isinstance(n, Add):
        parts = []
        for i, (sign, t) in enumerate(n.terms):
            txt = _show(t, b, _PREC_ADD + (i > 0))
            parts.append(txt if i == 0 else f"{sign} {txt}")
        s = " ".join(parts)
    elif isinstance(n, Cmp):
        s = f"{_show(n.left, b, _PREC_CMP + 1)} {n.op} {_show(n.right, b, _PREC_CMP + 1)}"
    else:  # BoolOp
        s = f" {n.op} ".join(_show(a, b, _prec(n) + 1) for a in n.args)
    return f"({s})" if _prec(n) < need else s


# ------------------------------------------------------------------------------------- relation


@dataclass(frozen=True, slots=True)
class Relation:
    """A compiled relation; immutable, so compiled relations are cached and shared."""

    source: str
    quantifiers: tuple[Binding, ...]
    condition: Node | None
    body: Node
    # derived values computed on first use (texts by bindings, tables); not part of the relation
    _memo: dict[object, object] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def variables(self) -> tuple[str, ...]:
        """Quantifier variables in order, without the ``$``."""
        return tuple(q.var for q in self.quantifiers)

    def _nodes(self) -> Iterator[Node]:
        if self.condition is not None:
            yield from _walk(self.condition)
        yield from _walk(self.body)

    @property
    def references(self) -> tuple[str, ...]:
        """The reference patterns as written, e.g. ``("requests.$r.total", "requests.$r.@applicants")``."""
        seen: dict[str, None] = {}
        for n in self._nodes():
            if isinstance(n, Ref):
                seen.setdefault(n.text(), None)
        return tuple(seen)

    @property
    def tables(self) -> frozenset[str]:
        cached = self._memo.get("tables")
        if cached is None:
            t = {n.table for n in self._nodes() if isinstance(n, Ref)}
            t.update(q.table for q in self.quantifiers if q.kind != "list")
            cached = self._memo["tables"] = frozenset(t)
        return cached  # type: ignore[return-value]

    def text(self, bindings: dict[str, str] | None = None) -> str:
        """The relation (without quantifiers), with ``bindings`` substituted for the variables."""
        key = ("text", None if bindings is None else tuple(bindings.items()))
        cached = self._memo.get(key)
        if cached is None:
            body = _show(self.body, bindings)
            cached = body if self.condition is None else f"when {_show(self.condition, bindings)}: {body}"
            if len(self._memo) < _MAX_MEMO:
                self._memo[key] = cached
        return cached  # type: ignore[return-value]

    def __str__(self) -> str:
        qs = "".join(f"forall {q.text()}: " for q in self.quantifiers)
        return qs + self.text()

    def instantiations(self, source: CellSource) -> Iterator[dict[str, str]]:
        domains = [q.domain(source) for q in self.quantifiers]
        for values in itertools.product(*domains):
            yield dict(zip(self.variables, values, strict=True))

    def cells(self, source: CellSource) -> list[Cell]:
        """Every cell any instantiation reads, in first-use order (no values are read)."""
        seen: dict[Cell, None] = {}
        for b in self.instantiations(source):
            for n in self._nodes():
                if isinstance(n, Ref):
                    for c in _expand(n, b, source):
                        seen.setdefault(c, None)
        return list(seen)

    def check_keys(self, source: CellSource) -> None:
        """Raise :class:`ExprError` at the first table, row, column or group key ``source`` lacks."""
        for q in self.quantifiers:
            if q.kind == "list":
                continue
            if not source.rows(q.table):
                raise ExprError(f"unknown table '{q.table}'", q.line, q.column)
            if q.group and not q.domain(source):
                raise ExprError(
                    f"table '{q.table}' has no {'row' if q.kind == 'rows' else 'column'} group '{q.group}'",
                    q.line,
                    q.column,
                )
        for n in self._nodes():
            if not isinstance(n, Ref):
                continue
            if not source.rows(n.table):
                raise ExprError(f"unknown table '{n.table}'", n.line, n.column)
            for seg, what, keys in (("row", "row", source.rows), ("col", "column", source.cols)):
                s: Seg = getattr(n, seg)
                if s.kind == "key" and s.name not in keys(n.table):
                    raise ExprError(f"table '{n.table}' has no {what} '{s.name}'", s.line, s.column)
                if s.kind == "group" and not keys(n.table, s.name):
                    raise ExprError(f"table '{n.table}' has no {what} group '{s.name}'", s.line, s.column)


def _seg_keys(s: Seg, table: str, b: dict[str, str], lister: Callable[[str, str | None], list[str]]) -> list[str]:
    if s.kind == "key":
        return [s.name]
    if s.kind == "var":
        return [b[s.name]]
    if s.kind == "group":
        return list(lister(table, s.name))
    return list(lister(table, None))


def _expand(ref: Ref, b: dict[str, str], source: CellSource) -> list[Cell]:
    rows = _seg_keys(ref.row, ref.table, b, source.rows)
    cols = _seg_keys(ref.col, ref.table, b, source.cols)
    return [(ref.table, r, c) for r in rows for c in cols]


def _one_key(s: Seg, b: dict[str, str]) -> str:
    """The key of a single-valued segment (a key or a bound variable)."""
    return s.name if s.kind == "key" else b[s.name]


# ---------------------------------------------------------------------------------------- parsing


@cache
def _parser() -> Lark:
    grammar = data_path("grammars", "expr.lark").read_text(encoding="utf-8")
    return build_lark(grammar, "expr", propagate_positions=True, maybe_placeholders=False)


_TERMINAL_NAMES = {
    "NAME": "a key or name",
    "VAR": "a variable such as $c",
    "GROUP": "a group such as @outcomes",
    "NUMBER": "a number",
    "$END": "the end of the relation",
}


@cache
def _comparison_terminals() -> frozenset[str]:
    ops = {"=", "==", "!=", "<", "<=", ">", ">="}
    return frozenset(
        t.name for t in _parser().terminals if t.pattern.type == "str" and t.pattern.value in ops
    )


def _describe_terminal(name: str) -> str:
    if name in _TERMINAL_NAMES:
        return _TERMINAL_NAMES[name]
    try:
        pattern = _parser().get_terminal(name).pattern
    except KeyError:
        return name
    return f"'{pattern.value}'" if pattern.type == "str" else name


def _end_position(src: str) -> tuple[int, int]:
    lines = src.split("\n")
    return len(lines), len(lines[-1]) + 1


def _syntax_error(src: str, e: UnexpectedInput) -> ExprError:
    if isinstance(e, UnexpectedCharacters):
        ch = src[e.pos_in_stream] if 0 <= e.pos_in_stream < len(src) else e.char
        return ExprError(f"unexpected character {ch!r}", e.line, e.column)
    if isinstance(e, UnexpectedEOF) or (isinstance(e, UnexpectedToken) and e.token.type == "$END"):
        line, col = _end_position(src)
        expected = sorted({_describe_terminal(t) for t in e.expected})
        return ExprError(f"the relation ends too early; expected {' or '.join(expected)}", line, col)
    comparisons = _comparison_terminals()
    if isinstance(e, UnexpectedToken) and e.token.type in comparisons and "AND" in e.expected:
        return ExprError(
            f"unexpected {e.token.value!r}: comparisons cannot be chained; write 'a = b and b = c'",
            e.line,
            e.column,
        )
    if isinstance(e, UnexpectedToken):
        expected = sorted({_describe_terminal(t) for t in e.expected})
        shown = ", ".join(expected[:8]) + (", …" if len(expected) > 8 else "")
        return ExprError(f"unexpected {e.token.value!r}; expected {shown}", e.line, e.column)
    return ExprError(
        f"cannot read the relation: {e}", getattr(e, "line", 1) or 1, getattr(e, "column", 1) or 1
    )


def _position_of(src: str, index: int) -> tuple[int, int]:
    before = src[:index]
    return before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1


def _precheck(src: str) -> None:
    if len(src) > MAX_LENGTH:
        line, col = _position_of(src, MAX_LENGTH)
        raise ExprError(f"relation too long ({len(src)} characters, at most {MAX_LENGTH})", line, col)
    depth = 0
    for i, ch in enumerate(src):
        if ch in "([":
            depth += 1
            if depth > MAX_NESTING:
                line, col = _position_of(src, i)
                raise ExprError(f"brackets nested too deeply (at most {MAX_NESTING})", line, col)
        elif ch in ")]":
            depth = max(0, depth - 1)


def _check_depth(tree: Tree) -> None:
    stack: list[tuple[Tree, int]] = [(tree, 1)]
    while stack:
        t, d = stack.pop()
        if d > MAX_DEPTH:
            meta = t.meta
            raise ExprError(
                f"relation nested too deeply (at most {MAX_DEPTH} levels)",
                getattr(meta, "line", 1),
                getattr(meta, "column", 1),
            )
        stack.extend((c, d + 1) for c in t.children if isinstance(c, Tree))


def _pos(x: Tree | Token) -> tuple[int, int]:
    if isinstance(x, Token):
        return x.line or 1, x.column or 1
    meta = x.meta
    if getattr(meta, "empty", True):
        return 1, 1
    return meta.line, meta.column


Kind: TypeAlias = Literal["num", "multi", "bool"]


class _Compiler:
    def __init__(self) -> None:
        self.bound: set[str] = set()

    def relation(self, src: str, tree: Tree) -> Relation:
        quantifiers: list[Binding] = []
        condition: Node | None = None
        body_tree: Tree | Token | None = None
        for child in tree.children:
            if isinstance(child, Tree) and child.data == "quantifier":
                for b in child.children:
                    quantifiers.append(self.binding(b))  # type: ignore[arg-type]
            elif isinstance(child, Tree) and child.data == "guard":
                condition = self.boolean(child.children[0], "the condition after 'when'")
            else:
                body_tree = child
        if len(quantifiers) > MAX_VARIABLES:
            q = quantifiers[MAX_VARIABLES]
            raise ExprError(f"too many quantified variables (at most {MAX_VARIABLES})", q.line, q.column)
        assert body_tree is not None
        body = self.boolean(body_tree, "a relation")
        return Relation(src, tuple(quantifiers), condition, body)

    def binding(self, tree: Tree) -> Binding:
        var_tok, dom = tree.children
        assert isinstance(var_tok, Token) and isinstance(dom, Tree)
        line, col = _pos(var_tok)
        var = str(var_tok)[1:]
        if var in self.bound:
            raise ExprError(f"variable ${var} is already bound", line, col)
        self.bound.add(var)
        names = [str(t) for t in dom.children]
        if dom.data == "domain_list":
            if len(set(names)) != len(names):
                raise ExprError(f"the list for ${var} repeats a key", *_pos(dom))
            return Binding(var, "list", items=tuple(names), line=line, column=col)
        func, table, *group = names
        if func not in ("rows", "cols"):
            fl, fc = _pos(dom.children[0])
            raise ExprError(f"unknown domain '{func}': use rows(table), cols(table) or [key, ...]", fl, fc)
        return Binding(var, func, table=table, group=group[0] if group else None, line=line, column=col)  # type: ignore[arg-type]

    def boolean(self, t: Tree | Token, what: str) -> Node:
        node, kind = self.node(t)
        if kind != "bool":
            line, col = _pos(t)
            raise ExprError(f"{what} must be a comparison (=, !=, <, <=, >, >=), not a bare value", line, col)
        return node

    def number(self, t: Tree | Token, what: str) -> Node:
        node, kind = self.node(t)
        line, col = _pos(t)
        if kind == "bool":
            raise ExprError(f"{what} must be a value, not a comparison", line, col)
        if kind == "multi":
            raise ExprError(
                "a reference with @group or * stands for several cells; use it inside sum(), min() or max()",
                line,
                col,
            )
        return node

    def node(self, t: Tree | Token) -> tuple[Node, Kind]:
        if isinstance(t, Token):  # pragma: no cover - the grammar wraps every token
            raise ExprError(f"unexpected {t.value!r}", *_pos(t))
        d = t.data
        if d == "number":
            tok = t.children[0]
            if len(tok) > MAX_NUMBER_DIGITS:
                raise ExprError(f"number too long (at most {MAX_NUMBER_DIGITS} characters)", *_pos(tok))
            return Num(Decimal(str(tok))), "num"
        if d == "ref":
            return self.ref(t)
        if d == "call":
            return self.call(t)
        if d == "neg":
            return Neg(self.number(t.children[0], "the operand of '-'")), "num"
        if d == "term":
            return Mul(tuple(self.number(c, "an operand of '*'") for c in t.children)), "num"
        if d == "arith":
            terms: list[tuple[Literal["+", "-"], Node]] = []
            sign: Literal["+", "-"] = "+"
            for c in t.children:
                if isinstance(c, Tree) and c.data == "add_op":
                    sign = "-" if str(c.children[0]) == "-" else "+"
                else:
                    terms.append((sign, self.number(c, f"an operand of '{sign}'")))
            return Add(tuple(terms)), "num"
        if d == "comparison":
            left, op_tree, right = t.children
            assert isinstance(op_tree, Tree)
            op = str(op_tree.children[0])
            op = "=" if op == "==" else op
            lhs = self.number(left, f"the left side of '{op}'")
            rhs = self.number(right, f"the right side of '{op}'")
            return Cmp(op, lhs, rhs), "bool"  # type: ignore[arg-type]
        if d == "not_op":
            return Not(self.boolean(t.children[0], "the operand of 'not'")), "bool"
        if d in ("and_expr", "or_expr"):
            op = "and" if d == "and_expr" else "or"
            return BoolOp(op, tuple(self.boolean(c, f"an operand of '{op}'") for c in t.children)), "bool"
        raise ExprError(f"unsupported construct '{d}'", *_pos(t))  # pragma: no cover

    def seg(self, t: Tree) -> Seg:
        line, col = _pos(t)
        if t.data == "wild":
            return Seg("all", line=line, column=col)
        tok = t.children[0]
        line, col = _pos(tok)
        if t.data == "key":
            return Seg("key", str(tok), line, col)
        if t.data == "group":
            return Seg("group", str(tok)[1:], line, col)
        name = str(tok)[1:]
        if name not in self.bound:
            raise ExprError(f"variable ${name} is not bound by a 'forall'", line, col)
        return Seg("var", name, line, col)

    def ref(self, t: Tree) -> tuple[Node, Kind]:
        table, row, col = t.children
        assert isinstance(table, Token) and isinstance(row, Tree) and isinstance(col, Tree)
        line, column = _pos(table)
        r = Ref(str(table), self.seg(row), self.seg(col), line, column)
        return r, ("multi" if r.multi else "num")

    def call(self, t: Tree) -> tuple[Node, Kind]:
        name_tok, *arg_trees = t.children
        assert isinstance(name_tok, Token)
        func = str(name_tok)
        line, col = _pos(name_tok)
        if func not in FUNCTIONS:
            raise ExprError(f"unknown function '{func}' (functions: {', '.join(FUNCTIONS)})", line, col)
        if func == "abs":
            if len(arg_trees) != 1:
                raise ExprError("abs() takes exactly one value", line, col)
            return Call("abs", (self.number(arg_trees[0], "the argument of abs()"),)), "num"
        if not arg_trees:
            raise ExprError(f"{func}() needs at least one value", line, col)
        args: list[Node] = []
        for a in arg_trees:
            node, kind = self.node(a)
            if kind == "bool":
                raise ExprError(f"an argument of {func}() must be a value, not a comparison", *_pos(a))
            args.append(node)
        return Call(func, tuple(args)), "num"  # type: ignore[arg-type]


def compile_relation(src: str) -> Relation:
    """Parse and check a relation; raises :class:`ExprError` (message, line, column).

    Compiled relations are immutable and cached by their text.
    """
    if not isinstance(src, str):
        raise ExprError(f"a relation must be text, not {type(src).__name__}")
    got = _PRELOADED.get(src)
    if got is None:
        got = _compile(src)
    if _RECORDING:
        _RECORDING[-1][src] = got
    return got


# Relations handed in ready-made: the built-in rules' cache (check/rules.py) keeps the relations
# the rules use with them, so a one-report run does not parse them again.
_PRELOADED: dict[str, Relation] = {}
_RECORDING: list[dict[str, Relation]] = []
_MAX_KEPT = 2048


@contextlib.contextmanager
def recording() -> Iterator[dict[str, Relation]]:
    """Collect every relation :func:`compile_relation` returns inside the ``with`` block."""
    seen: dict[str, Relation] = {}
    _RECORDING.append(seen)
    try:
        yield seen
    finally:
        _RECORDING.pop()


def preload_relations(relations: dict[str, Relation]) -> None:
    """Relations compiled earlier (by :func:`compile_relation` of the same text) to use as they are."""
    if len(_PRELOADED) + len(relations) > _MAX_KEPT:
        _PRELOADED.clear()
    _PRELOADED.update(relations)


@lru_cache(maxsize=512)
def _compile(src: str) -> Relation:
    if not src.strip():
        raise ExprError("empty relation")
    _precheck(src)
    try:
        tree = _parser().parse(src)
    except UnexpectedInput as e:
        raise _syntax_error(src, e) from None
    _check_depth(tree)
    return _Compiler().relation(src, tree)


# -------------------------------------------------------------------------------------- evaluation

# A condition's value: (can be true, can be false), or None when it depends on an unknown cell.
Truth: TypeAlias = tuple[bool, bool] | None


@dataclass(slots=True)
class Outcome:
    """One instantiation of a relation.

    ``lhs``/``rhs`` are the two sides when the relation is a single comparison (``None`` otherwise or
    when a side is unknown).  ``target`` is the cell to fix when a side is a single cell (the left side
    preferred; ``target_side`` says which); ``expected`` is the other side's value (its point value;
    the bound for ``<``-style comparisons) and ``actual`` the target's own value.
    """

    status: Literal["pass", "fail", "unknown"]
    bindings: dict[str, str]
    lhs: Interval | None = None
    rhs: Interval | None = None
    expected: Decimal | None = None
    actual: Decimal | None = None
    target: Cell | None = None
    target_side: Literal["left", "right"] | None = None  # the side of the comparison ``target`` is
    cells: list[Cell] = field(default_factory=list)
    unknown: list[Cell] = field(default_factory=list)
    text: str = ""
    op: str | None = None  # the comparison operator when the relation is one comparison
    vacuous: bool = False  # a "when" condition that surely does not hold
    reason: str = ""  # why unknown, in plain words (English; cells carry the details)


class _Evaluator:
    def __init__(self, source: CellSource, bindings: dict[str, str]) -> None:
        self.source = source
        self.b = bindings
        self.cells: dict[Cell, None] = {}
        self.unknown: dict[Cell, str] = {}
        self.notes: list[str] = []
        self.memo: dict[Cell, Interval | str] | None = getattr(source, "read_memo", None)

    def read(self, cell: Cell) -> Interval | None:
        self.cells.setdefault(cell, None)
        got = self.memo.get(cell) if self.memo is not None else None
        if got is None:
            cv = self.source.cell(*cell)
            v = cv.arithmetic_value()
            got = cv.status if v is None else Interval.of_cell(v, cv.decimals)
            if self.memo is not None:
                self.memo[cell] = got
        if isinstance(got, str):
            self.unknown.setdefault(cell, got)
            return None
        return got

    def values(self, n: Node) -> list[Interval | None]:
        """A node as a list of values: several for an @group / * reference, else one."""
        if isinstance(n, Ref) and n.multi:
            cells = _expand(n, self.b, self.source)
            if not cells:
                note = f"{n.text(self.b)} names no cells"
                self.notes.append(note)
                return [None]
            return [self.read(c) for c in cells]
        return [self.num(n)]

    def num(self, n: Node) -> Interval | None:
        if isinstance(n, Num):
            return Interval.exact(n.value)
        if isinstance(n, Ref):
            if not n.multi:  # one cell: as _expand(n, ...)[0], without building the list
                return self.read((n.table, _one_key(n.row, self.b), _one_key(n.col, self.b)))
            return self.read(_expand(n, self.b, self.source)[0])
        if isinstance(n, Neg):
            x = self.num(n.arg)
            return None if x is None else -x
        if isinstance(n, Add):
            vals = [(s, self.num(t)) for s, t in n.terms]
            # the bounds of acc + v / acc - v folded from 0, without an Interval per step
            lo = hi = Decimal(0)
            for s, v in vals:
                if v is None:
                    return None
                if s == "+":
                    lo, hi = lo + v.lo, hi + v.hi
                else:
                    lo, hi = lo - v.hi, hi - v.lo
            return Interval(lo, hi)
        if isinstance(n, Mul):
            fs = [self.num(f) for f in n.factors]
            if any(f is None for f in fs):
                return None
            acc = Interval.exact(Decimal(1))
            for f in fs:
                acc = acc * f  # type: ignore[operator]
            return acc
        if isinstance(n, Call):
            vals = [v for a in n.args for v in self.values(a)]
            if any(v is None for v in vals):
                return None
            xs: list[Interval] = vals  # type: ignore[assignment]
            if n.func == "sum":
                lo = hi = Decimal(0)
                for x in xs:
                    lo, hi = lo + x.lo, hi + x.hi
                return Interval(lo, hi)
            if n.func == "min":
                return _imin(xs)
            if n.func == "max":
                return _imax(xs)
            return abs(xs[0])
        raise TypeError(f"not a value: {n!r}")  # pragma: no cover - compile_relation type-checks

    def truth(self, n: Node) -> Truth:
        if isinstance(n, Cmp):
            return _compare(n.op, self.num(n.left), self.num(n.right))
        if isinstance(n, Not):
            t = self.truth(n.arg)
            return None if t is None else (t[1], t[0])
        if isinstance(n, BoolOp):
            ts = [self.truth(a) for a in n.args]  # evaluate all, so every cell read is recorded
            return _and(ts) if n.op == "and" else _or(ts)
        raise TypeError(f"not a condition: {n!r}")  # pragma: no cover


def _and(ts: Sequence[Truth]) -> Truth:
    """Kleene conjunction over (can be true, can be false) pairs; None is unknown."""
    if any(t is not None and not t[0] for t in ts):
        return (False, True)
    known = [t for t in ts if t is not None]
    if len(known) < len(ts):
        return None
    return (True, any(t[1] for t in known))


def _or(ts: Sequence[Truth]) -> Truth:
    if any(t is not None and not t[1] for t in ts):
        return (True, False)
    known = [t for t in ts if t is not None]
    if len(known) < len(ts):
        return None
    return (any(t[0] for t in known), True)


def _compare(op: str, a: Interval | None, b: Interval | None) -> Truth:
    if a is None or b is None:
        return None
    meet = a.lo <= b.hi and b.lo <= a.hi
    same_point = a.is_exact and b.is_exact and a.lo == b.lo
    if op == "=":
        return (meet, not same_point)
    if op == "!=":
        return (not same_point, meet)
    if op == "<=":
        return (a.lo <= b.hi, a.hi > b.lo)
    if op == "<":
        return (a.lo < b.hi, a.hi >= b.lo)
    if op == ">=":
        return (a.hi >= b.lo, a.lo < b.hi)
    if op == ">":
        return (a.hi > b.lo, a.lo <= b.hi)
    raise ValueError(op)  # pragma: no cover


def _single_cell(n: Node, b: dict[str, str]) -> Cell | None:
    if isinstance(n, Ref) and not n.multi:
        return (n.table, n.row.text(b), n.col.text(b))
    return None


def _arith_context() -> decimal.Context:
    ctx = decimal.Context(prec=_PREC, rounding=decimal.ROUND_HALF_EVEN)
    ctx.traps[decimal.Inexact] = True
    ctx.traps[decimal.Overflow] = True
    ctx.traps[decimal.InvalidOperation] = True
    return ctx


_ARITH = _arith_context()  # never used directly: decimal.localcontext() installs a copy


def _evaluate_one(rel: Relation, source: CellSource, b: dict[str, str]) -> Outcome:
    """One instantiation; called with the arithmetic context (_ARITH) installed (see evaluate)."""
    ev = _Evaluator(source, b)
    out = Outcome(status="unknown", bindings=dict(b), text=rel.text(b))
    try:
        cond = ev.truth(rel.condition) if rel.condition is not None else (True, False)
        body = rel.body
        if isinstance(body, Cmp):
            lhs, rhs = ev.num(body.left), ev.num(body.right)
            result = _compare(body.op, lhs, rhs)
            out.lhs, out.rhs, out.op = lhs, rhs, body.op
            target, other = _single_cell(body.left, b), rhs
            side: Literal["left", "right"] = "left"
            if target is None and (target := _single_cell(body.right, b)) is not None:
                other, side = lhs, "right"
            if target is not None:
                out.target = target
                out.target_side = side
                out.expected = other.point if other is not None else None
                out.actual = source.cell(*target).arithmetic_value()
        else:
            result = ev.truth(body)
    except decimal.DecimalException:
        ev.notes.append("the arithmetic is out of range")
        cond = result = None
    # when c: r  ==  not c or r
    out.vacuous = cond is not None and not cond[0]
    combined = _or([None if cond is None else (cond[1], cond[0]), result])
    if combined is None:
        out.status = "unknown"
    else:
        out.status = "pass" if combined[0] else "fail"
    out.cells = list(ev.cells)
    out.unknown = list(ev.unknown)
    if out.status == "unknown":
        reasons = [f"{'.'.join(c)} is {s}" for c, s in ev.unknown.items()] + ev.notes
        out.reason = "cannot check: " + "; ".join(reasons) if reasons else "cannot check"
    return out


def evaluate(rel: Relation, source: CellSource) -> list[Outcome]:
    """Evaluate every instantiation of ``rel`` (one per combination of quantifier values)."""
    # one arithmetic context for all of them: a trap raises whatever flags earlier ones set
    with decimal.localcontext(_ARITH):
        return [_evaluate_one(rel, source, b) for b in rel.instantiations(source)]


def evaluate_all(rels: Iterable[Relation], source: CellSource) -> list[tuple[Relation, Outcome]]:
    """Convenience: evaluate several relations, pairing each outcome with its relation."""
    return [(r, o) for r in rels for o in evaluate(r, source)]


# ------------------------------------------------------------------------- the integer shortcut
#
# Most cells of a real report are whole numbers written exactly, and most instantiations of a
# relation hold.  For those, the interval arithmetic above gives a plain two-valued answer, and an
# Outcome is built only to be thrown away.  ``_surely_holds`` evaluates an instantiation with
# Python ints and answers True only when every value it reads is an exact whole number and the
# relation holds: exactly the instantiations ``_evaluate_one`` would call "pass" on the same
# values (exact intervals compare as their points; nothing is near the 80-digit precision, which
# the bound below keeps far off).  Anything else - a blank-free decimal, text, a missing cell, a
# failing or out-of-range instantiation - answers None and goes the long way.

_INT_LIMIT = 10**40  # far below 10**_PREC: sums and products of values under it stay exact there


class _Doubt(Exception):
    """The shortcut cannot answer; the instantiation is evaluated the long way.

    Raised as a new instance each time: re-raising one shared instance would chain every raise's
    frames onto its ``__traceback__``, keeping each report's cell source (and so the report) alive
    for the life of the process."""


_NOT_READ = object()  # memo sentinel: the cell has not been read yet


def _int_of(source: CellSource, memo: dict[Cell, int | None] | None, cell: Cell) -> int:
    got = memo.get(cell, _NOT_READ) if memo is not None else _NOT_READ
    if got is _NOT_READ:
        cv = source.cell(*cell)
        v = cv.arithmetic_value()
        got = None
        if v is not None and cv.decimals <= 0 and v.is_finite() and v == v.to_integral_value():
            i = int(v)
            if -_INT_LIMIT < i < _INT_LIMIT:
                got = i
        if memo is not None:
            memo[cell] = got
    if got is None:
        raise _Doubt
    return got  # type: ignore[return-value]


def _int_checked(i: int) -> int:
    if -_INT_LIMIT < i < _INT_LIMIT:
        return i
    raise _Doubt


def _int_num(n: Node, source: CellSource, memo: dict[Cell, int | None] | None, b: dict[str, str]) -> int:
    if isinstance(n, Ref):
        if not n.multi:
            return _int_of(source, memo, (n.table, _one_key(n.row, b), _one_key(n.col, b)))
        cells = _expand(n, b, source)
        if not cells:
            raise _Doubt
        return _int_of(source, memo, cells[0])
    if isinstance(n, Add):
        acc = 0
        for sign, t in n.terms:
            v = _int_num(t, source, memo, b)
            acc = acc + v if sign == "+" else acc - v
        return _int_checked(acc)
    if isinstance(n, Call):
        vals: list[int] = []
        for a in n.args:
            if isinstance(a, Ref) and a.multi:
                cells = _expand(a, b, source)
                if not cells:
                    raise _Doubt
                vals.extend(_int_of(source, memo, c) for c in cells)
            else:
                vals.append(_int_num(a, source, memo, b))
        if n.func == "sum":
            return _int_checked(sum(vals))
        if n.func == "min":
            return min(vals)
        if n.func == "max":
            return max(vals)
        return abs(vals[0])
    if isinstance(n, Num):
        v = n.value
        if not v.is_finite() or v != v.to_integral_value():
            raise _Doubt
        return _int_checked(int(v))
    if isinstance(n, Neg):
        return -_int_num(n.arg, source, memo, b)
    if isinstance(n, Mul):
        acc = 1
        for f in n.factors:
            acc = _int_checked(acc * _int_num(f, source, memo, b))
        return acc
    raise _Doubt  # pragma: no cover - compile_relation type-checks


_INT_CMP: dict[str, Callable[[int, int], bool]] = {
    "=": lambda a, c: a == c,
    "!=": lambda a, c: a != c,
    "<": lambda a, c: a < c,
    "<=": lambda a, c: a <= c,
    ">": lambda a, c: a > c,
    ">=": lambda a, c: a >= c,
}


def _int_truth(n: Node, source: CellSource, memo: dict[Cell, int | None] | None, b: dict[str, str]) -> bool:
    if isinstance(n, Cmp):
        return _INT_CMP[n.op](_int_num(n.left, source, memo, b), _int_num(n.right, source, memo, b))
    if isinstance(n, Not):
        return not _int_truth(n.arg, source, memo, b)
    if isinstance(n, BoolOp):
        # every argument is evaluated, as the long way does, so a doubtful one is never skipped
        ts = [_int_truth(a, source, memo, b) for a in n.args]
        return all(ts) if n.op == "and" else any(ts)
    raise _Doubt  # pragma: no cover


def _surely_holds(rel: Relation, source: CellSource, memo: dict[Cell, int | None] | None, b: dict[str, str]) -> bool:
    """True when the instantiation surely passes by whole-number arithmetic (see above)."""
    try:
        cond = _int_truth(rel.condition, source, memo, b) if rel.condition is not None else True
        body = _int_truth(rel.body, source, memo, b)
    except _Doubt:
        return False
    return (not cond) or body


def evaluate_doubtful(rel: Relation, source: CellSource) -> list[Outcome]:
    """The outcomes of :func:`evaluate` whose status is not "pass", in the same order.

    An instantiation that surely holds by whole-number arithmetic gets no Outcome; every other one
    is evaluated the long way, so the "fail" and "unknown" outcomes are exactly :func:`evaluate`'s.
    A source with ``read_memo`` (one that does not change) also gets an ``int_memo`` of its cells.
    """
    memo: dict[Cell, int | None] | None = None
    if getattr(source, "read_memo", None) is not None:
        memo = getattr(source, "int_memo", None)
        if memo is None:
            memo = {}
            with contextlib.suppress(AttributeError):
                source.int_memo = memo  # type: ignore[attr-defined]
    out: list[Outcome] = []
    with decimal.localcontext(_ARITH):
        for b in rel.instantiations(source):
            if _surely_holds(rel, source, memo, b):
                continue
            o = _evaluate_one(rel, source, b)
            if o.status != "pass":
                out.append(o)
    return out
