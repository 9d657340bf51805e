"""Which cell of last year's template is which cell of this year's: data in grammars/mappings/.

Same template: every cell maps to itself.  Different templates: ``grammars/mappings/A--B.yaml``
(``from: A``, ``to: B``) links cells by meaning - tables whose keys agree (``identical``), explicit
links (``cells``, a list on either side is summed) and the cells with ``no_counterpart`` (with the
reason).  The reverse direction (B -> A) is the same file read backwards.  Two templates with no
mapping file share only the cells whose (table, row, column) keys coincide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml

from xxgk_lint.data import data_root
from xxgk_lint.parse.template import Template, get_template

Cell = tuple[str, str, str]
_VAR = re.compile(r"\$([A-Za-z_]\w*)")


class MappingError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Link:
    """Cells of LAST's template <-> cells of THIS's; an empty side has no counterpart."""

    last: tuple[Cell, ...]
    this: tuple[Cell, ...]
    how: str  # identical (same key and labels) | renamed (key or labels differ) | sum | none
    note: dict[str, str]

    def text(self, lang: str) -> str:
        return self.note.get(lang) or self.note.get("zh") or ""


@cache
def load_mappings() -> dict[tuple[str, str], dict[str, Any]]:
    folder = data_root("grammars") / "mappings"
    out: dict[tuple[str, str], dict[str, Any]] = {}
    if not folder.is_dir():
        return out
    for path in sorted(folder.glob("*.yaml")):
        with path.open(encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
        if not isinstance(data, dict) or "from" not in data or "to" not in data:
            raise MappingError(f"{path.name}: expected a mapping with 'from' and 'to'")
        data.setdefault("id", path.stem)
        out[(str(data["from"]), str(data["to"]))] = data
    return out


def _all_cells(tpl: Template) -> list[Cell]:
    return [(t, r, c) for t, spec in tpl.tables.items() for r, c in spec.cell_keys()]


def _parse_ref(ref: str) -> tuple[str, str, str]:
    parts = str(ref).split(".")
    if len(parts) != 3:
        raise MappingError(f"cell reference {ref!r} must be table.row.column")
    return parts[0], parts[1], parts[2]


def _expand(
    from_refs: list[str], to_refs: list[str], src: Template, dst: Template
) -> list[tuple[tuple[Cell, ...], tuple[Cell, ...]]]:
    """Instantiate $c (columns of the first `from` row) and $r (rows of its table)."""
    names = sorted({v for r in from_refs + to_refs for v in _VAR.findall(r)})
    if not names:
        return [(tuple(_parse_ref(r) for r in from_refs), tuple(_parse_ref(r) for r in to_refs))]
    t, row, _ = _parse_ref(from_refs[0])
    spec = src.tables.get(t)
    if spec is None:
        raise MappingError(f"template {src.id} has no table {t!r}")
    domains: dict[str, list[str]] = {}
    for name in names:
        if name == "c":
            r = spec.row(row) if not row.startswith("$") else None
            domains[name] = [c.key for c in (spec.columns_for(r) if r else spec.columns)]
        elif name == "r":
            domains[name] = [r.key for r in spec.all_rows()]
        else:
            raise MappingError(f"unknown variable ${name} (use $c or $r)")
    combos: list[dict[str, str]] = [{}]
    for name in names:
        combos = [{**b, name: v} for b in combos for v in domains[name]]
    out = []
    for b in combos:

        def sub(ref: str, b: dict[str, str] = b) -> Cell:
            return _parse_ref(_VAR.sub(lambda m: b[m.group(1)], ref))

        out.append((tuple(sub(r) for r in from_refs), tuple(sub(r) for r in to_refs)))
    return out


def _labels(tpl: Template, cell: Cell) -> tuple[str, str]:
    spec = tpl.tables[cell[0]]
    row = spec.row(cell[1])
    col = spec.column(row, cell[2])
    return (row.label if row else "", col.label if col else "")


def _as_list(v: Any) -> list[str]:
    return [str(x) for x in v] if isinstance(v, list) else [str(v)]


def _lang(v: Any) -> dict[str, str]:
    if isinstance(v, dict):
        return {str(k): str(x) for k, x in v.items()}
    return {"zh": str(v), "en": str(v)} if v else {}


def _pattern_note(cell: Cell, notes: dict[str, Any]) -> dict[str, str] | None:
    t, r, c = cell
    for key in (f"{t}.{r}.{c}", f"{t}.{r}.*", f"{t}.*.*"):
        if key in notes:
            return _lang(notes[key])
    return None


@cache
def forward_links(from_id: str, to_id: str) -> tuple[Link, ...]:
    """Links from template ``from_id`` (LAST) to ``to_id`` (THIS), every cell of both appearing once."""
    src, dst = get_template(from_id), get_template(to_id)
    src_cells, dst_cells = _all_cells(src), _all_cells(dst)
    src_set, dst_set = set(src_cells), set(dst_cells)
    links: list[Link] = []
    used_src: set[Cell] = set()
    used_dst: set[Cell] = set()
    if from_id == to_id:
        return tuple(Link((c,), (c,), "identical", {}) for c in src_cells)
    data = load_mappings().get((from_id, to_id))
    if data is None:
        for c in dst_cells:
            if c in src_set:
                links.append(Link((c,), (c,), "identical", {}))
                used_src.add(c)
                used_dst.add(c)
        nc_from: dict[str, Any] = {}
        nc_to: dict[str, Any] = {}
    else:
        for entry in data.get("cells", []) or []:
            note = _lang(entry.get("note"))
            froms, tos = _as_list(entry["from"]), _as_list(entry["to"])
            for a, b in _expand(froms, tos, src, dst):
                for c in a:
                    if c not in src_set:
                        raise MappingError(f"{data['id']}: {'.'.join(c)} is not a cell of {from_id}")
                for c in b:
                    if c not in dst_set:
                        raise MappingError(f"{data['id']}: {'.'.join(c)} is not a cell of {to_id}")
                if used_src & set(a) or used_dst & set(b):
                    raise MappingError(f"{data['id']}: a cell is linked twice ({a} -> {b})")
                how = "sum" if len(a) > 1 or len(b) > 1 else ("identical" if a == b and _labels(src, a[0]) == _labels(dst, b[0]) else "renamed")
                links.append(Link(a, b, how, note))
                used_src.update(a)
                used_dst.update(b)
        for table, opts in (data.get("identical") or {}).items():
            opts = opts or {}
            skip = set(opts.get("except_rows", []) or [])
            for c in dst_cells:
                if c[0] == table and c[1] not in skip and c in src_set and c not in used_dst and c not in used_src:
                    links.append(Link((c,), (c,), "identical", {}))
                    used_src.add(c)
                    used_dst.add(c)
        nc = data.get("no_counterpart") or {}
        nc_from, nc_to = nc.get("from") or {}, nc.get("to") or {}
    for c in src_cells:
        if c not in used_src:
            links.append(Link((c,), (), "none", _pattern_note(c, nc_from) or {}))
    for c in dst_cells:
        if c not in used_dst:
            links.append(Link((), (c,), "none", _pattern_note(c, nc_to) or {}))
    return tuple(links)


@cache
def links(last_id: str, this_id: str) -> tuple[Link, ...]:
    """Links between LAST's template and THIS's, in THIS template's cell order (LAST-only cells last)."""
    mappings = load_mappings()
    if last_id == this_id or (last_id, this_id) in mappings or (this_id, last_id) not in mappings:
        raw = forward_links(last_id, this_id)
    else:
        raw = tuple(Link(x.this, x.last, x.how, x.note) for x in forward_links(this_id, last_id))
    order = {c: i for i, c in enumerate(_all_cells(get_template(this_id)))}
    last_order = {c: i for i, c in enumerate(_all_cells(get_template(last_id)))}
    big = len(order) + 1

    def key(x: Link) -> tuple[int, int]:
        if x.this:
            return (min(order[c] for c in x.this), 0)
        return (big, min(last_order[c] for c in x.last))

    return tuple(sorted(raw, key=key))


def mapping_id(last_id: str, this_id: str) -> str:
    if last_id == this_id:
        return "identity"
    m = load_mappings()
    data = m.get((last_id, this_id)) or m.get((this_id, last_id))
    return str(data["id"]) if data else "same-keys"


def last_value_for(this_cell: Cell, last_id: str, this_id: str) -> tuple[Cell, ...] | None:
    """LAST's cells that give the value of THIS's ``this_cell`` (None when it has no single counterpart)."""
    for x in _by_this(last_id, this_id).get(this_cell, ()):
        if x.this == (this_cell,) and x.last:
            return x.last
    return None


@cache
def _by_this(last_id: str, this_id: str) -> dict[Cell, tuple[Link, ...]]:
    out: dict[Cell, list[Link]] = {}
    for x in links(last_id, this_id):
        for c in x.this:
            out.setdefault(c, []).append(x)
    return {k: tuple(v) for k, v in out.items()}
