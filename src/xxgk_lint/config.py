"""Configuration files: ``xxgk-lint.yaml``, ``.xxgk-lint.yaml`` or ``[tool.xxgk-lint]`` in pyproject.toml.

Discovery follows ruff: for each checked file the closest configuration upwards from its folder
wins (no merging with parents); ``--config FILE`` names one for every file.  Command-line options
override the file.  Keys::

    select: [S, T]            # rule codes or prefixes
    ignore: [T107]
    severity: {T101: info}    # per-rule severity overrides
    kind: department          # default entity kind
    lang: zh                  # message language
    template: auto
    fail-on: error
    deadline-rollover: none
    rules: [my-rules/]        # extra rule folders, relative to the config file
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

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


def parse_config(data: Any, path: Path) -> Config:
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
    return Config(
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


def load_config(path: Path) -> Config:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, f"cannot read: {exc}") from None
    if path.name == "pyproject.toml":
        try:
            data = tomllib.loads(text).get("tool", {}).get("xxgk-lint")
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(path, f"TOML error: {exc}") from None
        return parse_config(data, path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError(
            path, f"YAML error: {getattr(exc, 'problem', exc)}", mark.line + 1 if mark else None
        ) from None
    return parse_config(data, path)


def _has_tool_section(pyproject: Path) -> bool:
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
