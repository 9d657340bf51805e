"""Locate the data folders (grammars/, rules/, reports/) in a wheel install or a source tree."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PKG = Path(__file__).resolve().parent


@cache
def data_root(name: str) -> Path:
    """``name`` is one of grammars, rules, reports.

    A wheel carries them as ``xxgk_lint/_data/<name>``; an editable install or a checkout uses the
    repository's top-level folders.
    """
    packaged = _PKG / "_data" / name
    if packaged.is_dir():
        return packaged
    source = _PKG.parents[1] / name
    if source.is_dir():
        return source
    raise FileNotFoundError(f"xxgk-lint data folder '{name}' not found (broken install?)")


def data_path(*parts: str) -> Path:
    return data_root(parts[0]).joinpath(*parts[1:])
