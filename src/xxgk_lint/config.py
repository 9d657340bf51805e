"""Configuration files: ``xxgk-lint.yaml``, ``.xxgk-lint.yaml`` or ``[tool.xxgk-lint]`` in pyproject.toml.

Discovery follows ruff: for each checked file the closest configuration upwards from its folder
wins (no merging with parents); ``--config FILE`` names one for every file.  Command-line options
override the file.  A ``severity`` key that is not a rule code (built-in or from the ``rules:``
folders) is an error naming the file and line, so a typo is never silently ignored (``select`` /
``ignore`` codes matching no rule are refused by the command line).  Keys::

    select: [S, T]            # rule codes or prefixes
    ignore: [T107]
    severity: {T101: info}    # per-rule severity overrides (whole codes)
    kind: department          # default entity kind
    lang: zh                  # message language
    template: auto
    fail-on: error
    deadline-rollover: none
    rules: [my-rules/]        # extra rule folders, relative to the config file
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

NAMES = ("xxgk-lint.yaml", ".xxgk-lint.yaml")
KEYS = {"select", "ignore", "severity", "kind", "lang", "template", "fail-on", "deadline-rollover", "rules"}


class ConfigError(Exception):
    def __init__(self, path: Path, message: str, line: int | None = None) -> None:
        super().__init__(f"{path}{':' + str(line) if line else ''}: {message}")
        self.path = path
        self.line = line


@dataclass(frozen=True)
class Config:
    path: Path | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: dict[str, str] = field(default_factory=dict, hash=False)
    kind: str | None = None
    lang: str | None = None
    template: str | None = None
    fail_on: str | None = None
    deadline_rollover: str | None = None
    rule_dirs: tuple[Path, ...] = ()


def _codes(value: Any, key: str, path: Path) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [v for v in value.replace(" ", ",").split(",") if v]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(path, f"'{key}' must be a list of rule codes or prefixes")
    return tuple(v.strip().upper() for v in value)


def _choice(data: dict[str, Any], key: str, allowed: tuple[str, ...], path: Path) -> str | None:
    v = data.get(key)
    if v is None:
        return None
    if v not in allowed:
        raise ConfigError(path, f"'{key}' must be one of {', '.join(allowed)} (got {v!r})")
    return str(v)


def known_codes(rule_dirs: tuple[Path, ...] = ()) -> set[str]:
    """Codes of the built-in rules and of the rules in ``rule_dirs`` (a bad rule file raises
    :class:`~xxgk_lint.check.rules.RuleFileError`)."""
    from xxgk_lint.check.kinds import CHECKS
    from xxgk_lint.check.rules import builtin_rules, load_rule_dirs

    codes = {r.code for r in builtin_rules()}
    if rule_dirs:
        codes |= {r.code for r in load_rule_dirs(rule_dirs, CHECKS)}
    return codes


def _line_of(text: str | None, code: str) -> int | None:
    """The first line of the configuration text naming ``code`` (for the error message)."""
    if not text:
        return None
    pattern = re.compile(rf"(?<![A-Za-z0-9]){re.escape(code)}(?![A-Za-z0-9])", re.IGNORECASE)
    for no, line in enumerate(text.splitlines(), 1):
        if pattern.search(line.split("#", 1)[0]):
            return no
    return None


def check_codes(cfg: Config, known: set[str], text: str | None = None) -> None:
    """``severity`` keys must be whole rule codes (an override names one rule).  Raises
    :class:`ConfigError` with the line naming the code.

    ``select`` / ``ignore`` are checked by the command line (``cli._check_codes``) after its own
    options are applied, since ``--select`` / ``--ignore`` replace the file's lists."""
    assert cfg.path is not None
    for code in cfg.severity:
        if code not in known:
            hint = (
                " (severity overrides name whole rule codes, e.g. T101)"
                if any(c.startswith(code) for c in known)
                else ""
            )
            raise ConfigError(
                cfg.path, f"'severity': unknown rule code {code}{hint} (see `xxgk-lint rules`)", _line_of(text, code)
            )


def parse_config(data: Any, path: Path, text: str | None = None) -> Config:
    if data is None:
        return Config(path=path)
    if not isinstance(data, dict):
        raise ConfigError(path, "expected a mapping of settings")
    unknown = set(data) - KEYS
    if unknown:
        raise ConfigError(
            path, f"unknown setting(s): {', '.join(sorted(unknown))} (known: {', '.join(sorted(KEYS))})"
        )
    severity = data.get("severity") or {}
    if not isinstance(severity, dict) or any(
        v not in ("error", "warning", "info") for v in severity.values()
    ):
        raise ConfigError(path, "'severity' must map rule codes to error, warning or info")
    rules = data.get("rules") or []
    if isinstance(rules, str):
        rules = [rules]
    if not isinstance(rules, list):
        raise ConfigError(path, "'rules' must be a list of folders")
    rule_dirs = []
    for r in rules:
        d = (path.parent / str(r)).resolve()
        if not d.is_dir():
            raise ConfigError(path, f"rule folder not found: {r}")
        rule_dirs.append(d)
    cfg = Config(
        path=path,
        select=_codes(data.get("select"), "select", path),
        ignore=_codes(data.get("ignore"), "ignore", path),
        severity={str(k).upper(): str(v) for k, v in severity.items()},
        kind=_choice(data, "kind", ("department", "government"), path),
        lang=_choice(data, "lang", ("zh", "en"), path),
        template=str(data["template"]) if data.get("template") else None,
        fail_on=_choice(data, "fail-on", ("error", "warning", "info", "never"), path),
        deadline_rollover=_choice(data, "deadline-rollover", ("none", "next-workday"), path),
        rule_dirs=tuple(rule_dirs),
    )
    if cfg.severity:
        check_codes(cfg, known_codes(cfg.rule_dirs), text)
    return cfg


def load_config(path: Path) -> Config:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, f"cannot read: {exc}") from None
    if path.name == "pyproject.toml":
        import tomllib  # here: a run without a pyproject.toml never needs it

        try:
            data = tomllib.loads(text).get("tool", {}).get("xxgk-lint")
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(path, f"TOML error: {exc}") from None
        return parse_config(data, path, text)
    import yaml  # here, not at the top: a run without a config file never needs it

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError(
            path, f"YAML error: {getattr(exc, 'problem', exc)}", mark.line + 1 if mark else None
        ) from None
    return parse_config(data, path, text)


def _has_tool_section(pyproject: Path) -> bool:
    import tomllib

    try:
        return "xxgk-lint" in tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False


@cache
def find_config(directory: Path) -> Path | None:
    """The closest configuration file at or above ``directory`` (None when there is none)."""
    d = directory.resolve()
    for folder in (d, *d.parents):
        for name in NAMES:
            candidate = folder / name
            if candidate.is_file():
                return candidate
        py = folder / "pyproject.toml"
        if py.is_file() and _has_tool_section(py):
            return py
    return None
