"""Parameter schemas of the check kinds: the ``params:`` keys a rule of each kind needs or may give.

Rule files are untrusted data, so :func:`xxgk_lint.check.rules.parse_rule_file` validates a rule's
``params`` against its kind's schema when the file loads: an unknown key, a missing required key, a
value of the wrong type or a relation / pattern that does not compile is a :class:`ParamError`
(turned into a ``RuleFileError`` naming the file and line), never a per-report ``E100``.

``SCHEMAS`` is keyed by check kind name (``check:`` in a rule file).  A kind without an entry is
accepted as it is (no validation); ``{}`` means the kind takes no parameters.  Value types:

``str`` ``int`` ``number`` ``bool``
    a YAML string, integer (not a boolean), integer or float, boolean;
``scalar``
    a string or a number;
``lang``
    a mapping with ``zh`` and/or ``en`` text (what the kinds read with ``.get(lang)``);
``mmdd``
    a ``"MM-DD"`` date string (a deadline);
``list[str]``
    a list of strings (a single string is not a list);
``mapping`` / ``list[mapping]``
    a mapping, or a list of mappings; ``fields`` is then the schema of each mapping;
``regex``
    a string compiled with :func:`re.compile`;
``relation`` / ``relations``
    one relation in the rule language (grammars/expr.lark), or one or a list of them: compiled with
    :func:`xxgk_lint.check.expr.compile_relation` at load time;
``claims``
    a list of ``narrative_claims`` claims, each parsed with
    :func:`xxgk_lint.check.kinds_narrative.parse_claim`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Param:
    type: str
    required: bool = False
    choices: tuple[str, ...] = ()
    fields: Mapping[str, Param] | None = None  # for mapping / list[mapping]: each mapping's schema
    doc: str = field(default="", compare=False)


class ParamError(Exception):
    """A rule's params that do not fit its kind's schema; ``line`` is the rule file line, if known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


_NONE: dict[str, Param] = {}

_STATUSES = Param("list[str]", required=True, doc="cell statuses to report (slash, blank, with_unit …)")
_KINDS = Param("list[str]", doc="template column kinds it applies to")

_GROUP = {
    "name": Param("lang", doc="what the group is, in messages"),
    "any": Param("list[str]", required=True, doc="any of these words satisfies the group"),
}
_REGIME = {
    "id": Param("str", required=True),
    "name": Param("lang"),
    "first_year": Param("int", required=True),
    "last_year": Param("int"),
    "deadline": Param(
        "mapping",
        required=True,
        fields={"department": Param("mmdd"), "government": Param("mmdd")},
    ),
}

_BOTH_WIDTHS = Param(
    "str", doc="ASCII characters whose full-width form is no variant (punctuation: “(” or “\uff08”)"
)
_ISSUES = Param(
    "mapping",
    required=True,
    fields={
        "separator": Param("lang", doc="another separator after the number ({char}, {expected})"),
        "space": Param("lang", doc="whitespace in the text ({spaces})"),
        "width": Param("lang", doc="full/half-width or compatibility forms ({chars})"),
    },
    doc="how each difference is named in the message ({what})",
)

SCHEMAS: dict[str, dict[str, Param]] = {
    # structure and tables (kinds.py)
    "required_sections": _NONE,
    "section_order": _NONE,
    "heading_wording": _NONE,
    "table_present": _NONE,
    "rows_present": _NONE,
    "columns_present": _NONE,
    "row_labels": _NONE,
    "column_labels": _NONE,
    "unknown_rows": _NONE,
    "heading_punctuation": {
        "separator": Param("str", required=True, doc="the format's separator after a section's number"),
        "both_widths": _BOTH_WIDTHS,
        "issues": _ISSUES,
    },
    "label_spacing": {
        "both_widths": _BOTH_WIDTHS,
        "wrap_break": Param(
            "bool", doc="one ASCII break inside a label is the cell's line wrap, not a variant"
        ),
        "issues": _ISSUES,
    },
    "unplaced_values": _NONE,
    "excess_values": _NONE,
    "input_error": _NONE,
    "cell_status": {
        "statuses": _STATUSES,
        "kinds": _KINDS,
        "per": Param("str", choices=("row", "cell")),
        "expected": Param("scalar"),
    },
    "cell_value": {
        "test": Param("str", required=True, choices=("negative", "fraction")),
        "kinds": _KINDS,
        "expected": Param("scalar"),
    },
    # content duties and templates (kinds_content.py)
    "template_outdated": _NONE,
    "flattened_recovered": _NONE,
    "flattened_ambiguous": _NONE,
    "content_keywords": {
        "scope": Param("str", doc="report, or a section key"),
        "kinds": Param("list[str]", doc="entity kinds it applies to"),
        "groups": Param("list[mapping]", required=True, fields=_GROUP),
        "ignore": Param("list[str]", doc="phrases that satisfy no group (removed before the search)"),
    },
    # dates and deadlines (kinds_dates.py)
    "deadline": {
        "regimes": Param("list[mapping]", required=True, fields=_REGIME),
        "unknown_kind": Param("str", choices=("department", "government")),
    },
    "deadline_unchecked": _NONE,
    "no_publication_date": _NONE,
    "date_before_year_end": _NONE,
    "title_year_mismatch": {"min_mentions": Param("int")},
    "signature_vs_page_date": _NONE,
    # hygiene (kinds_hygiene.py)
    "phrases": {
        "words": Param("list[str]", required=True),
        "hidden": Param("bool", doc="search the text a web page hid too (display:none and the like)"),
    },
    "pages_without_text": _NONE,
    "link_farm": {
        "min_links": Param("int", doc="foreign web addresses on one line that make a link farm"),
        "min_hidden_links": Param("int", doc="the same, in text the page hid"),
        "own_suffixes": Param("list[str]", doc="domain endings that are the government's own (.gov.cn)"),
        "words": Param("list[str]", doc="brand words that count as addresses"),
    },
    "garbled_numbers": {
        "verbs": Param("list[str]", required=True),
        "measures": Param("list[str]", required=True),
        "stops": Param("str", required=True),
        "numerals": Param("str"),
        "words": Param("list[str]"),
        "window": Param("int"),
    },
    "mojibake": {
        "markers": Param("list[str]"),
        "latin1_lead": Param("str"),
        "min_latin1_pairs": Param("int"),
        "gbk_min_recovered": Param("int", doc="UTF-8 read as GBK: Chinese characters a line must give back (0 = off)"),
    },
    # relations (kinds_relations.py)
    "relation": {"assert": Param("relations", required=True), "report_unknown": Param("bool")},
    "unplaced_row_sum": _NONE,
    # narrative (kinds_narrative.py)
    "narrative_claims": {"claims": Param("claims", required=True), "skip_before": Param("regex")},
    "narrative_parts": {"test": Param("str", choices=("exceed", "total"))},
    "narrative_rates": _NONE,
    "narrative_growth": _NONE,
    # continuity (kinds_continuity.py, evaluated by compare/continuity.py)
    "continuity_relation": {"assert": Param("relations", required=True), "last_templates": Param("list[str]")},
    "continuity_agency": _NONE,
    "continuity_copy": {
        "section": Param("str"),
        "metric": Param("str", choices=("carried", "jaccard", "retained")),
        "threshold": Param("number"),
        "min_chars": Param("int"),
        "shingle": Param("int"),
        "passage_chars": Param("int"),
    },
}

# kinds that do nothing unless at least one of these keys is given
REQUIRE_ONE_OF: dict[str, tuple[str, ...]] = {"mojibake": ("markers", "latin1_lead")}

_TYPE_NAMES = {
    "str": "a string",
    "int": "an integer",
    "number": "a number",
    "bool": "true or false",
    "scalar": "a string or a number",
    "lang": "a mapping with zh/en text",
    "mmdd": 'a "MM-DD" date',
    "list[str]": "a list of strings",
    "mapping": "a mapping",
    "list[mapping]": "a list of mappings",
    "regex": "a regular expression (string)",
    "relation": "a relation (string)",
    "relations": "a relation or a list of relations",
    "claims": "a list of claims (mappings)",
}
_MMDD = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")


def _keys(value: dict[str, Any]) -> list[str]:
    return [k for k in value if not (isinstance(k, str) and k.startswith("__"))]


def _lines(value: Any) -> dict[Any, Any]:
    lines = value.get("__lines__") if isinstance(value, dict) else None
    return lines if isinstance(lines, dict) else {}


def _line_of(container: dict[str, Any], key: str, index: int | None = None) -> int | None:
    got = _lines(container).get(key)
    if isinstance(got, list):
        if index is not None and 0 <= index < len(got):
            return got[index]  # type: ignore[no-any-return]
        return got[0] if got else container.get("__line__")
    if isinstance(got, int):
        return got
    return container.get("__line__")  # type: ignore[no-any-return]


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def validate_params(kind: str, params: dict[str, Any]) -> None:
    """Check a rule's raw params (as loaded, with ``__line__``/``__lines__``) against its kind.

    Raises :class:`ParamError` with the rule file line; a kind without a schema is not checked.
    """
    schema = SCHEMAS.get(kind)
    if schema is None:
        return
    _check_mapping(params, schema, "params", f"check kind {kind}")
    one_of = REQUIRE_ONE_OF.get(kind)
    if one_of and not any(params.get(k) not in (None, "", []) for k in one_of):
        raise ParamError(
            f"check kind {kind} needs params {' or '.join(one_of)} (without them the rule finds nothing)",
            params.get("__line__"),
        )


def _check_mapping(value: dict[str, Any], schema: Mapping[str, Param], where: str, what: str) -> None:
    line = value.get("__line__")
    unknown = [k for k in _keys(value) if k not in schema]
    if unknown:
        allowed = ", ".join(sorted(schema)) if schema else "none"
        raise ParamError(
            f"unknown key {'/'.join(map(repr, map(str, unknown)))} in {where} of {what} (allowed: {allowed})",
            _line_of(value, str(unknown[0])) if isinstance(unknown[0], str) else line,
        )
    for key, spec in schema.items():
        if spec.required and value.get(key) in (None, "", [], {}):
            raise ParamError(f"{where}.{key} is required for {what} ({_TYPE_NAMES[spec.type]})", line)
    for key in _keys(value):
        v = value[key]
        if v is None:
            continue
        _check_value(value, key, v, schema[key], f"{where}.{key}")


def _colon_word(item: Any) -> str | None:
    """``- 上一篇:`` in a YAML word list is the mapping ``{上一篇: null}``: the word meant (``上一篇:``)."""
    if isinstance(item, dict):
        keys = _keys(item)
        if len(keys) == 1 and isinstance(keys[0], str) and item[keys[0]] is None:
            return f"{keys[0]}:"
    return None


def _type_error(where: str, spec: Param, v: Any, line: int | None) -> ParamError:
    shown = v if not isinstance(v, (dict, list)) else type(v).__name__
    return ParamError(f"{where} must be {_TYPE_NAMES[spec.type]} (got {shown!r})", line)


def _check_value(container: dict[str, Any], key: str, v: Any, spec: Param, where: str) -> None:
    line = _line_of(container, key)
    t = spec.type
    if t == "list[str]" and isinstance(v, list):
        for i, x in enumerate(v):
            word = _colon_word(x)
            if word is not None:
                raise ParamError(
                    f"{where}[{i}] is the YAML mapping {{{word[:-1]}: null}}, not a word: quote it as \"{word}\"",
                    _line_of(container, key, i),
                )
    ok = {
        "str": lambda: isinstance(v, str),
        "int": lambda: _is_int(v),
        "number": lambda: _is_number(v),
        "bool": lambda: isinstance(v, bool),
        "scalar": lambda: isinstance(v, str) or _is_number(v),
        "lang": lambda: isinstance(v, dict)
        and any(k in v for k in ("zh", "en"))
        and all(isinstance(v[k], str) for k in ("zh", "en") if k in v),
        "mmdd": lambda: isinstance(v, str) and bool(_MMDD.match(v)),
        "list[str]": lambda: isinstance(v, list) and all(isinstance(x, str) for x in v),
        "mapping": lambda: isinstance(v, dict),
        "list[mapping]": lambda: isinstance(v, list) and all(isinstance(x, dict) for x in v),
        "regex": lambda: isinstance(v, str),
        "relation": lambda: isinstance(v, str),
        "relations": lambda: isinstance(v, str) or (isinstance(v, list) and all(isinstance(x, str) for x in v)),
        "claims": lambda: isinstance(v, list) and all(isinstance(x, dict) for x in v),
    }[t]
    if not ok():
        if t == "list[str]" and isinstance(v, list):
            bad = next(i for i, x in enumerate(v) if not isinstance(x, str))
            raise _type_error(f"{where}[{bad}]", Param("str"), v[bad], _line_of(container, key, bad))
        raise _type_error(where, spec, v, line)
    if spec.choices and v not in spec.choices:
        raise ParamError(f"{where} must be one of {', '.join(spec.choices)} (got {v!r})", line)
    if t == "mapping" and spec.fields is not None:
        _check_mapping(v, spec.fields, where, "this rule")
    elif t == "list[mapping]" and spec.fields is not None:
        for i, item in enumerate(v):
            _check_mapping(item, spec.fields, f"{where}[{i}]", "this rule")
    elif t == "regex":
        try:
            re.compile(v)
        except re.error as exc:
            raise ParamError(f"{where}: bad regular expression: {exc}", line) from None
    elif t in ("relation", "relations"):
        items = v if isinstance(v, list) else [v]
        for i, src in enumerate(items):
            _compile_relation(src, f"{where}[{i}]" if isinstance(v, list) else where, container, key, i)
    elif t == "claims":
        from xxgk_lint.check.expr import ExprError
        from xxgk_lint.check.kinds_narrative import parse_claim

        for i, item in enumerate(v):
            try:
                parse_claim(strip_lines(item))
            except (ValueError, ExprError) as exc:
                raise ParamError(f"{where}[{i}]: {exc}", item.get("__line__") or line) from None


def _compile_relation(src: str, where: str, container: dict[str, Any], key: str, index: int) -> None:
    from xxgk_lint.check.expr import ExprError, compile_relation

    try:
        compile_relation(src)
    except ExprError as exc:
        start = _line_of(container, key, index)
        block = _lines(container).get(f"{key}:block")
        if isinstance(block, list):
            block = block[index] if index < len(block) else False
        # a block scalar (assert: |) starts on the line after its key
        first = (start + 1 if block else start) if start is not None else None
        line = first + exc.line - 1 if first is not None else None
        raise ParamError(
            f"{where}: {exc.message} (relation line {exc.line}, column {exc.column})", line
        ) from None


def strip_lines(value: Any) -> Any:
    """The value without the loader's ``__line__`` / ``__lines__`` bookkeeping keys."""
    if isinstance(value, dict):
        return {k: strip_lines(v) for k, v in value.items() if not (isinstance(k, str) and k.startswith("__"))}
    if isinstance(value, list):
        return [strip_lines(v) for v in value]
    return value
