"""Template versions as data: load grammars/templates/*.yaml into typed, read-only objects."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from xxgk_lint.data import data_root
from xxgk_lint.parse.textnorm import norm

T = TypeVar("T")
R = TypeVar("R")


class TemplateError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    key: str
    label: str
    kind: str = "count"
    group: str | None = None
    variants: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RowSpec:
    key: str
    label: str
    parent: str | None = None
    group: str | None = None
    variants: tuple[str, ...] = ()
    # the sub-table (table 二) this row belongs to; its columns come from there
    subtable: str | None = None


@dataclass(frozen=True, slots=True)
class SubTable:
    key: str
    caption: str
    columns: tuple[ColumnSpec, ...]
    rows: tuple[RowSpec, ...]


@dataclass(frozen=True, slots=True)
class TableSpec:
    key: str
    section: str
    title: str
    columns: tuple[ColumnSpec, ...] = ()
    rows: tuple[RowSpec, ...] = ()
    subtables: tuple[SubTable, ...] = ()
    header_labels: tuple[str, ...] = ()
    row_groups: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    layout: str = "grid"  # grid | flat (one row of rows x columns values)
    label_column: str | None = None
    unit_words: tuple[str, ...] = ()  # words of a 单位 column (legacy statistics tables), not labels

    def columns_for(self, row: RowSpec) -> tuple[ColumnSpec, ...]:
        if row.subtable:
            for st in self.subtables:
                if st.key == row.subtable:
                    return st.columns
        return self.columns

    def all_rows(self) -> tuple[RowSpec, ...]:
        if self.subtables:
            return tuple(r for st in self.subtables for r in st.rows)
        return self.rows

    def row(self, key: str) -> RowSpec | None:
        return _row_index(self).get(key)

    def column(self, row: RowSpec | None, key: str) -> ColumnSpec | None:
        return _column_index(self).get((row.subtable if row else None, key)) or _column_index(self).get(
            (None, key)
        )

    def cell_keys(self) -> list[tuple[str, str]]:
        return [(r.key, c.key) for r in self.all_rows() for c in self.columns_for(r)]


def cache_by_identity(fn: Callable[[T], R]) -> Callable[[T], R]:
    """Memoise a function of one long-lived template object by its identity (not its hash)."""
    return _identity_memo(fn, None)


def cache_by_identity_bounded(maxsize: int) -> Callable[[Callable[[T], R]], Callable[[T], R]]:
    """:func:`cache_by_identity` holding at most ``maxsize`` objects (emptied when full), for objects
    a process may make without end: an audit worker unpickles each task's rules afresh when a
    configuration brings its own, so a cache keyed by rule object would keep every task's copy."""
    return lambda fn: _identity_memo(fn, maxsize)


def _identity_memo(fn: Callable[[T], R], maxsize: int | None) -> Callable[[T], R]:
    store: dict[int, tuple[T, R]] = {}

    def wrapper(obj: T) -> R:
        hit = store.get(id(obj))
        if hit is None or hit[0] is not obj:
            if maxsize is not None and len(store) >= maxsize:
                store.clear()
            hit = store[id(obj)] = (obj, fn(obj))
        return hit[1]

    wrapper.cache_len = store.__len__  # type: ignore[attr-defined]
    return wrapper


# lookups by key, built once per table spec (keyed by identity: hashing a spec walks all its rows)
_ROW_INDEX: dict[int, dict[str, RowSpec]] = {}
_COLUMN_INDEX: dict[int, dict[tuple[str | None, str], ColumnSpec]] = {}


def _row_index(spec: TableSpec) -> dict[str, RowSpec]:
    idx = _ROW_INDEX.get(id(spec))
    if idx is None:
        idx = _ROW_INDEX[id(spec)] = {r.key: r for r in spec.all_rows()}
    return idx


def _column_index(spec: TableSpec) -> dict[tuple[str | None, str], ColumnSpec]:
    """(sub-table key or None, column key) -> column; (None, key) also finds sub-table columns."""
    idx = _COLUMN_INDEX.get(id(spec))
    if idx is None:
        idx = {}
        for c in spec.columns:
            idx[(None, c.key)] = c
        for st in spec.subtables:
            for c in st.columns:
                idx[(st.key, c.key)] = c
                idx.setdefault((None, c.key), c)
        _COLUMN_INDEX[id(spec)] = idx
    return idx


@dataclass(frozen=True, slots=True)
class SectionSpec:
    ordinal: str
    key: str
    title: str
    variants: tuple[str, ...] = ()
    required: bool = True


@dataclass(frozen=True, slots=True)
class Template:
    id: str
    name_zh: str
    name_en: str
    years: tuple[int, ...]
    markers: tuple[str, ...]
    sections: tuple[SectionSpec, ...]
    tables: dict[str, TableSpec]
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def section(self, ordinal: str) -> SectionSpec | None:
        for s in self.sections:
            if s.ordinal == ordinal:
                return s
        return None


def _cols(items: list[dict[str, Any]] | None) -> tuple[ColumnSpec, ...]:
    return tuple(
        ColumnSpec(
            key=str(c["key"]),
            label=str(c["label"]),
            kind=str(c.get("kind", "count")),
            group=c.get("group"),
            variants=tuple(map(str, c.get("variants", []) or [])),
        )
        for c in items or []
    )


def _rows(items: list[dict[str, Any]] | None, subtable: str | None = None) -> tuple[RowSpec, ...]:
    return tuple(
        RowSpec(
            key=str(r["key"]),
            label=str(r["label"]),
            parent=r.get("parent"),
            group=r.get("group"),
            variants=tuple(map(str, r.get("variants", []) or [])),
            subtable=subtable,
        )
        for r in items or []
    )


def _load(data: dict[str, Any]) -> Template:
    try:
        tables: dict[str, TableSpec] = {}
        for key, t in (data.get("tables") or {}).items():
            subs = tuple(
                SubTable(
                    key=str(g["key"]),
                    caption=str(g["caption"]),
                    columns=_cols(g.get("columns")),
                    rows=_rows(g.get("rows"), str(g["key"])),
                )
                for g in t.get("groups", []) or []
            )
            tables[key] = TableSpec(
                key=key,
                section=str(t.get("section", "")),
                title=str(t.get("title", "")),
                columns=_cols(t.get("columns")),
                rows=_rows(t.get("rows")),
                subtables=subs,
                header_labels=tuple(map(str, t.get("header_labels", []) or [])),
                row_groups={str(k): str(v) for k, v in (t.get("row_groups") or {}).items()},
                layout=str(t.get("layout", "grid")),
                label_column=t.get("label_column"),
                unit_words=tuple(map(str, t.get("unit_words", []) or [])),
            )
        name = data.get("name") or {}
        return Template(
            id=str(data["id"]),
            name_zh=str(name.get("zh", data["id"])),
            name_en=str(name.get("en", data["id"])),
            years=tuple(int(y) for y in data.get("years", []) or []),
            markers=tuple(map(str, data.get("markers", []) or [])),
            sections=tuple(
                SectionSpec(
                    ordinal=str(s["ordinal"]),
                    key=str(s["key"]),
                    title=str(s["title"]),
                    variants=tuple(map(str, s.get("variants", []) or [])),
                    required=bool(s.get("required", True)),
                )
                for s in data.get("sections", []) or []
            ),
            tables=tables,
            raw=data,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise TemplateError(f"bad template data: {exc!r}") from exc


@cache
def load_templates() -> dict[str, Template]:
    """Every template of grammars/templates/, kept in the private per-user cache
    (:mod:`xxgk_lint.larkcache`) keyed by the package version and the files' bytes, so a run with
    an unchanged install neither imports yaml nor rebuilds the objects."""
    from xxgk_lint.larkcache import cached_from_files

    paths = sorted((data_root("grammars") / "templates").glob("*.yaml"))
    return cached_from_files("templates", "", paths, lambda: _read_templates(paths))


def _read_templates(paths: list[Path]) -> dict[str, Template]:
    import yaml

    out: dict[str, Template] = {}
    for path in paths:
        with path.open(encoding="utf-8") as fh:
            data = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - a safe loader
        tpl = _load(data)
        out[tpl.id] = tpl
    return out


def get_template(template_id: str) -> Template:
    templates = load_templates()
    if template_id not in templates:
        raise TemplateError(f"unknown template '{template_id}' (known: {', '.join(sorted(templates))})")
    return templates[template_id]


@cache
def marker_set(template_id: str) -> frozenset[str]:
    return frozenset(norm(m) for m in get_template(template_id).markers)
