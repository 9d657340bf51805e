"""SARIF 2.1.0 output, shaped for GitHub code scanning.

One run per invocation.  ``tool.driver.rules`` lists every built-in rule first (so ``ruleIndex`` is
the same in every run), then every rule loaded from a configuration's ``rules:`` folders (full
descriptors: summary, doc, examples), plus a bare descriptor for any other rule code a finding names.  Locations:

- ``physicalLocation.artifactLocation.uri``: the path as given, forward slashes, percent-encoded
  (a relative reference with ``uriBaseId: %SRCROOT%``; an absolute path becomes a ``file://`` URI,
  which GitHub relativises against the checkout);
- ``region``: ``startLine`` (and ``startColumn``/``endColumn`` in Unicode code points, see
  ``run.columnKind``) only when the finding has a line: SARIF requires ``startLine >= 1``, so a
  finding with no line (an unreadable file, a missing section) is a file-level result;
- ``logicalLocations``: the template place, ``fullyQualifiedName`` = ``section/table/cell``
  (e.g. ``三/requests/partial.total``).

``partialFingerprints["xxgkFingerprint/v1"]`` is the line-independent :attr:`Finding.fingerprint`;
GitHub's upload action adds its own ``primaryLocationLineHash``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from xxgk_lint import __version__
from xxgk_lint.check.findings import Finding, _jsonable
from xxgk_lint.check.rules import FAMILIES, Rule, builtin_rules, known_rules
from xxgk_lint.pipeline import FileResult
from xxgk_lint.read.document import Document

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "xxgkFingerprint/v1"
SRCROOT = "%SRCROOT%"

# GitHub code scanning limits short/full descriptions to 1024 characters
_MAX_DESCRIPTION = 1024
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
_PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "info": "recommendation"}
_LANGUAGE = {"zh": "zh-CN", "en": "en-US"}
_HELP_LABELS = {
    "zh": {"wrong": "错误示例", "right": "正确示例"},
    "en": {"wrong": "Wrong", "right": "Right"},
}
# characters left unescaped in a URI path (RFC 3986 pchar minus ":" so a relative path's first
# segment is never read as a scheme, plus "/")
_URI_SAFE = "/-._~!$&'()*+,;=@"


def _cjk(ch: str) -> bool:
    return ch >= "\u2e80" or ch in "”’"


def unwrap(text: str) -> str:
    """Join a YAML block's hard-wrapped lines into paragraphs (no space between CJK characters)."""
    paragraphs = []
    for para in text.strip().split("\n\n"):
        out = ""
        for line in (ln.strip() for ln in para.splitlines()):
            if not line:
                continue
            if out and not (_cjk(line[0]) and (_cjk(out[-1]) or out[-1] in ",.;:!?)")):
                out += " "
            out += line
        if out:
            paragraphs.append(out)
    return "\n\n".join(paragraphs)


def _clip(text: str, limit: int = _MAX_DESCRIPTION) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def artifact_location(path: str) -> dict[str, str]:
    """``{"uri": ..., "uriBaseId": ...}`` for a path as the user gave it."""
    posix = path.replace("\\", "/")
    win = PureWindowsPath(path)
    if win.drive and win.is_absolute():
        return {"uri": win.as_uri()}
    if posix.startswith("/"):
        return {"uri": PurePosixPath(posix).as_uri()}
    while posix.startswith("./"):
        posix = posix[2:]
    return {"uri": quote(posix, safe=_URI_SAFE), "uriBaseId": SRCROOT}


def reporting_descriptor(rule: Rule, lang: str) -> dict[str, Any]:
    summary = rule.text("summary", lang) or rule.code
    doc = unwrap(rule.text("doc", lang))
    labels = _HELP_LABELS.get(lang, _HELP_LABELS["zh"])
    help_text = [doc or summary]
    help_md = [doc or summary]
    for part in ("wrong", "right"):
        example = getattr(rule, part).strip()
        if example:
            help_text.append(f"{labels[part]}:\n{example}")
            help_md.append(f"**{labels[part]}**\n\n```text\n{example}\n```")
    family = FAMILIES.get(rule.family)
    return {
        "id": rule.code,
        "name": rule.name[:255],
        "shortDescription": {"text": _clip(summary)},
        "fullDescription": {"text": _clip(doc or summary)},
        "help": {"text": "\n\n".join(help_text), "markdown": "\n\n".join(help_md)},
        "defaultConfiguration": {"level": _LEVEL.get(rule.severity, "warning")},
        "properties": {
            "tags": [family[1] if family else rule.family],
            "problem.severity": _PROBLEM_SEVERITY.get(rule.severity, "warning"),
        },
    }


def _bare_descriptor(code: str) -> dict[str, Any]:
    return {"id": code, "shortDescription": {"text": code}}


def _cell_width(doc: Document | None, line: int, column: int) -> int | None:
    """Length of the table cell that starts at (line, column), for ``endColumn``."""
    if doc is None:
        return None
    for block in doc.blocks:
        if block.kind != "table" or not (block.line <= line <= block.end_line):
            continue
        for row in block.rows:
            for cell in row.cells:
                if cell.line == line and cell.column == column and cell.text:
                    return len(cell.text)
    return None


def _region(f: Finding, doc: Document | None) -> dict[str, int] | None:
    if f.line is None or f.line < 1:
        return None
    region = {"startLine": f.line}
    if f.column is not None and f.column >= 1:
        region["startColumn"] = f.column
        width = _cell_width(doc, f.line, f.column)
        if width:
            region["endColumn"] = f.column + width
    return region


def logical_location(f: Finding) -> dict[str, str] | None:
    parts = [p for p in (f.section, f.table, f.cell) if p]
    if not parts:
        return None
    return {"name": parts[-1], "fullyQualifiedName": "/".join(parts)}


def _result(f: Finding, fr: FileResult, rule_index: dict[str, int]) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": artifact_location(fr.path)}
    region = _region(f, fr.doc)
    if region:
        physical["region"] = region
    location: dict[str, Any] = {"physicalLocation": physical}
    logical = logical_location(f)
    if logical:
        location["logicalLocations"] = [logical]
    props: dict[str, Any] = {
        "expected": _jsonable(f.expected),
        "actual": _jsonable(f.actual),
        "section": f.section,
        "table": f.table,
        "cell": f.cell,
    }
    if f.page is not None:
        props["page"] = f.page
    if f.context:
        props["context"] = f.context
    return {
        "ruleId": f.rule,
        "ruleIndex": rule_index[f.rule],
        "level": _LEVEL.get(f.severity, "warning"),
        "message": {"text": f.message or f.rule},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint},
        "properties": props,
    }


def rule_set(rules: Iterable[Rule] | None = None) -> list[Rule]:
    """The rules to describe: the built-in ones first, in their order (so a built-in rule's
    ``ruleIndex`` is the same in every run), then every other loaded rule (a configuration's
    ``rules:`` folders) by code.  ``rules``: the run's rule set; by default every rule loaded in
    this process (:func:`~xxgk_lint.check.rules.known_rules`)."""
    builtin = list(builtin_rules())
    codes = {r.code for r in builtin}
    extra = [r for r in known_rules(rules or ()) if r.code not in codes]
    return builtin + extra


def to_sarif(results: Sequence[FileResult], *, lang: str = "zh", rules: Iterable[Rule] | None = None) -> dict[str, Any]:
    """The SARIF log as a JSON-ready dict."""
    rules_out = [reporting_descriptor(r, lang) for r in rule_set(rules)]
    rule_index = {d["id"]: i for i, d in enumerate(rules_out)}
    for fr in results:
        for f in fr.findings:
            if f.rule not in rule_index:
                rule_index[f.rule] = len(rules_out)
                rules_out.append(_bare_descriptor(f.rule))
    return {
        "$schema": SARIF_SCHEMA_URI,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "xxgk-lint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": rules_out,
                    }
                },
                "language": _LANGUAGE.get(lang, "zh-CN"),
                "columnKind": "unicodeCodePoints",
                "results": [_result(f, fr, rule_index) for fr in results for f in fr.findings],
            }
        ],
    }


def render_sarif(results: Sequence[FileResult], *, lang: str = "zh", rules: Iterable[Rule] | None = None) -> str:
    return json.dumps(to_sarif(results, lang=lang, rules=rules), ensure_ascii=False, indent=2) + "\n"
