"""Rule files (rules/*.yaml): untrusted data, loaded with yaml.safe_load and validated strictly."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from xxgk_lint.check.params import ParamError, strip_lines, validate_params
from xxgk_lint.data import data_root

CODE_RE = re.compile(r"^[STNDHEX]\d{3}$")
SEVERITIES = ("error", "warning", "info")
FAMILIES = {
    "S": ("结构", "structure"),
    "T": ("表格", "tables"),
    "N": ("叙述与数字", "narrative"),
    "D": ("日期与期限", "dates/deadlines"),
    "H": ("页面卫生", "hygiene"),
    "E": ("输入错误", "input errors"),
    "X": ("跨年度", "cross-report"),
}


class RuleFileError(Exception):
    """A rule file that cannot be used: names the file and, where known, the line."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")
        self.path = path
        self.line = line

# rule objects a check kind's per-rule cache holds (parse.template.cache_by_identity_bounded): a run
# has a few hundred rules, but an audit worker unpickles every task's rules afresh when a
# configuration brings its own, so such a cache must not keep them all
RULE_CACHE_SIZE = 256


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str
    check: str
    severity: str
    message: dict[str, str]
    summary: dict[str, str]
    doc: dict[str, str]
    wrong: str = ""
    right: str = ""
    templates: tuple[str, ...] = ()  # empty = every template
    params: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    # alternative messages a check kind may choose (e.g. "unknown" for a relation that cannot be checked)
    messages: dict[str, dict[str, str]] = field(default_factory=dict, hash=False, compare=False)
    source: str = ""
    line: int | None = None

    @property
    def family(self) -> str:
        return self.code[0]

    def applies_to(self, template: str | None) -> bool:
        return not self.templates or (template is not None and template in self.templates)

    def text(self, part: str, lang: str) -> str:
        d: dict[str, str] = (
            self.messages.get(part.split(":", 1)[1], {})
            if part.startswith("message:")
            else getattr(self, part)
        )
        return d.get(lang) or d.get("zh") or d.get("en") or ""


@cache
def _line_loader() -> Any:
    """A SafeLoader (libyaml's when available: ~10x faster) that remembers the line of every
    mapping, for error messages.  Built on first use: with the rule set cached, a check run
    never imports yaml."""
    import yaml

    base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    def node_line(node: Any) -> int:
        return int(node.start_mark.line) + 1

    def is_block(node: Any) -> bool:
        return isinstance(node, yaml.ScalarNode) and node.style in ("|", ">")

    def construct_mapping(loader: Any, node: Any) -> dict[str, Any]:
        """The mapping plus ``__line__`` (its first line) and ``__lines__`` (the line of each value;
        for a list, of each item; ``"<key>:block"`` tells a block scalar, whose text starts on the
        next line)."""
        mapping = base.construct_mapping(loader, node, deep=True)
        lines: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            key = key_node.value
            if isinstance(value_node, yaml.SequenceNode):
                lines[key] = [node_line(n) for n in value_node.value]
                lines[f"{key}:block"] = [is_block(n) for n in value_node.value]
            else:
                lines[key] = node_line(value_node)
                lines[f"{key}:block"] = is_block(value_node)
        mapping["__line__"] = node_line(node)
        mapping["__lines__"] = lines
        return mapping

    loader = type("_LineLoader", (base,), {})
    loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    return loader


def _lang_map(value: Any, what: str, path: str, line: int | None, required: bool = True) -> dict[str, str]:
    if value is None and not required:
        return {}
    if isinstance(value, str):
        return {"zh": value, "en": value}
    if isinstance(value, dict):
        out = {k: str(v) for k, v in value.items() if k in ("zh", "en")}
        if out:
            return out
    raise RuleFileError(path, f"'{what}' must be a string or a mapping with zh/en", line)


def parse_rule_file(text: str, path: str, known_checks: Iterable[str]) -> list[Rule]:
    import yaml

    known = set(known_checks)
    try:
        data = yaml.load(text, Loader=_line_loader())  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise RuleFileError(
            path, f"YAML syntax error: {getattr(exc, 'problem', exc)}", mark.line + 1 if mark else None
        ) from None
    if data is None:
        return []
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise RuleFileError(path, "expected a mapping with a 'rules:' list")
    out: list[Rule] = []
    for entry in data["rules"]:
        if not isinstance(entry, dict):
            raise RuleFileError(path, "each rule must be a mapping")
        line = entry.get("__line__")
        code = entry.get("code")
        if not isinstance(code, str) or not CODE_RE.match(code):
            raise RuleFileError(
                path, f"rule code {code!r} must be a family letter (S T N D H E X) and three digits", line
            )
        check = entry.get("check")
        if check not in known:
            raise RuleFileError(
                path, f"rule {code}: unknown check kind {check!r} (known: {', '.join(sorted(known))})", line
            )
        severity = entry.get("severity", "warning")
        if severity not in SEVERITIES:
            raise RuleFileError(path, f"rule {code}: severity must be one of {', '.join(SEVERITIES)}", line)
        templates = entry.get("templates") or []
        if not isinstance(templates, list):
            raise RuleFileError(path, f"rule {code}: 'templates' must be a list", line)
        alt = entry.get("messages") or {}
        if not isinstance(alt, dict):
            raise RuleFileError(
                path, f"rule {code}: 'messages' must be a mapping of name to zh/en text", line
            )
        params = entry.get("params") or {}
        if not isinstance(params, dict):
            raise RuleFileError(path, f"rule {code}: 'params' must be a mapping", line)
        try:
            validate_params(str(check), params)
        except ParamError as exc:
            raise RuleFileError(path, f"rule {code}: {exc.message}", exc.line or line) from None
        out.append(
            Rule(
                code=code,
                name=str(entry.get("name", code)),
                check=str(check),
                severity=severity,
                message=_lang_map(entry.get("message"), "message", path, line),
                summary=_lang_map(entry.get("summary"), "summary", path, line),
                doc=_lang_map(entry.get("doc"), "doc", path, line, required=False),
                wrong=str(entry.get("wrong", "") or ""),
                right=str(entry.get("right", "") or ""),
                templates=tuple(map(str, templates)),
                params=strip_lines(params),
                messages={
                    str(k): _lang_map(v, f"messages.{k}", path, line)
                    for k, v in alt.items()
                    if not str(k).startswith("__")
                },
                source=path,
                line=line,
            )
        )
    return out


def load_rule_dirs(dirs: Iterable[Path], known_checks: Iterable[str]) -> list[Rule]:
    known = list(known_checks)
    rules: dict[str, Rule] = {}
    for d in dirs:
        for path in sorted(Path(d).glob("*.y*ml")):
            display = path.name if Path(d) == data_root("rules") else str(path)
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise RuleFileError(display, f"cannot read rule file: {exc}") from None
            for rule in parse_rule_file(text, display, known):
                if rule.code in rules and rules[rule.code].source != rule.source:
                    raise RuleFileError(
                        display,
                        f"rule code {rule.code} is already defined in {rules[rule.code].source}",
                        rule.line,
                    )
                rules[rule.code] = rule
    out = sorted(rules.values(), key=lambda r: r.code)
    _LOADED.update((r.code, r) for r in out)
    return out


# every rule loaded in this process (built-in and from configurations' rule folders), by code: what
# the renderers document when they are not handed the rule set (SARIF descriptors, HTML rule docs)
_LOADED: dict[str, Rule] = {}


def known_rules(extra: Iterable[Rule] = ()) -> list[Rule]:
    """The built-in rules, every rule loaded from a rule folder so far, and ``extra`` (which wins),
    by code.  A code defined differently by two configurations' folders keeps the later one."""
    out = {r.code: r for r in builtin_rules()}
    out.update(_LOADED)
    out.update((r.code, r) for r in extra)
    return sorted(out.values(), key=lambda r: r.code)


@cache
def builtin_rules() -> tuple[Rule, ...]:
    """The rules of the package's rules/ folder.  Loading and validating them (YAML, parameter
    schemas, the relation expressions) is most of a one-report run's start-up, so the result is
    kept in the private per-user cache (:mod:`xxgk_lint.larkcache`), keyed by the package version,
    the check kinds and every rule file's bytes; editing a rule file invalidates it."""
    from xxgk_lint.check import expr
    from xxgk_lint.check.kinds import CHECKS
    from xxgk_lint.larkcache import cached_from_files

    def build() -> tuple[tuple[Rule, ...], dict[str, expr.Relation]]:
        # validation compiles every relation the rules hold (and their claims' values): keep them
        with expr.recording() as relations:
            rules = tuple(load_rule_dirs([folder], CHECKS))
        return rules, relations

    folder = data_root("rules")
    paths = sorted(folder.glob("*.y*ml"))
    # the pickled classes' own source is part of the key: a changed Rule or Relation is rebuilt
    own = [Path(__file__), Path(expr.__file__)]
    rules, relations = cached_from_files("rules", ",".join(sorted(CHECKS)), paths + own, build)
    expr.preload_relations(relations)
    _LOADED.update((r.code, r) for r in rules)
    return rules


_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


def fill(template: str, values: dict[str, Any]) -> str:
    """Fill ``{name}`` placeholders.  No attribute/index access: rule text is untrusted."""

    def sub(m: re.Match[str]) -> str:
        v = values.get(m.group(1))
        return m.group(0) if v is None else str(v)

    return _PLACEHOLDER.sub(sub, template)


def select_rules(rules: Iterable[Rule], select: Iterable[str] = (), ignore: Iterable[str] = ()) -> list[Rule]:
    """ruff-style: codes or prefixes ("T", "T1", "T104"); ignore wins over select for equal length."""
    sel = [s.strip().upper() for s in select if s.strip()]
    ign = [s.strip().upper() for s in ignore if s.strip()]
    out = []
    for r in rules:
        s_len = max((len(p) for p in sel if r.code.startswith(p) or p == "ALL"), default=-1) if sel else 0
        i_len = max((len(p) for p in ign if r.code.startswith(p) or p == "ALL"), default=-1)
        if s_len < 0:
            continue
        if i_len >= 0 and i_len >= s_len:
            continue
        out.append(r)
    return out
