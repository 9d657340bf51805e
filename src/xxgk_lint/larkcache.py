"""Build Lark parsers with their grammar analysis cached in a private directory (and cache other
start-up work there: the validated built-in rule set, :func:`cached`).

Lark's own ``cache=True`` writes a pickle to the system temporary directory and unpickles whatever
file of that name it finds there on the next start.  On a shared machine (an oversight office's
audit server) anyone can plant that file in ``/tmp`` and so run code as the user who runs
xxgk-lint.  This module keeps the cache in the user's own cache directory instead, and uses it
only when that directory belongs to the user and nobody else can write to it; otherwise the parser
is built without a cache (slower start-up, same results).

``XXGK_LINT_CACHE_DIR`` chooses the directory; ``XXGK_LINT_NO_CACHE=1`` turns the cache off.
Lark checks a hash of the grammar and options before it uses a cached file, so an edited grammar
is analysed afresh.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import stat
import sys
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from lark import Lark

T = TypeVar("T")


def _candidate() -> Path | None:
    if os.environ.get("XXGK_LINT_NO_CACHE"):
        return None
    explicit = os.environ.get("XXGK_LINT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME")
    if base:
        return Path(base) / "xxgk-lint"
    try:
        home = Path.home()
    except (RuntimeError, KeyError):  # no home directory (some service accounts)
        return None
    return home / ".cache" / "xxgk-lint"


def _private(path: Path) -> bool:
    """The directory exists, is not a symlink, is owned by this user and writable by no one else."""
    try:
        st = path.lstat()
    except OSError:
        return False
    if not stat.S_ISDIR(st.st_mode):
        return False
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        return False
    return not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


@cache
def cache_dir() -> Path | None:
    """The private cache directory (created mode 0700 when missing), or None when there is none."""
    path = _candidate()
    if path is None:
        return None
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    return path if _private(path) else None


def build_lark(grammar: str, name: str, **options: Any) -> Lark:
    """``Lark(grammar, parser="lalr", **options)``, cached under :func:`cache_dir` when it is usable.

    ``name`` labels the cache file (one per grammar, Python version and grammar text)."""
    directory = cache_dir()
    if directory is None:
        return Lark(grammar, parser="lalr", **options)
    digest = hashlib.sha256(grammar.encode("utf-8")).hexdigest()[:16]
    path = directory / f"{name}-{digest}-py{sys.version_info[0]}{sys.version_info[1]}.lark"
    try:
        return Lark(grammar, parser="lalr", cache=str(path), **options)
    except Exception:  # a damaged cache file or an unwritable one: build without the cache
        return Lark(grammar, parser="lalr", **options)


def cached(name: str, key: str, build: Callable[[], T]) -> T:
    """``build()``, kept under :func:`cache_dir` as ``name-<key>.pickle`` and read back on the next
    start while ``key`` (a hash of everything the result depends on) is the same.  The file is
    read only from the private directory (see the module doc: the user alone can write there), is
    written atomically, and anything wrong with it means ``build()`` runs again."""
    directory = cache_dir()
    if directory is None:
        return build()
    path = directory / f"{name}-{key[:32]}-py{sys.version_info[0]}{sys.version_info[1]}.pickle"
    try:
        with path.open("rb") as fh:
            return pickle.load(fh)  # noqa: S301 - a file in the user's private cache directory
    except Exception:  # missing, damaged or stale (classes changed): build afresh
        pass
    value = build()
    tmp = ""
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{name}-", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except Exception:  # an unwritable cache costs only start-up time
        if tmp:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    return value


def cached_from_files(name: str, salt: str, paths: list[Path], build: Callable[[], T]) -> T:
    """:func:`cached` keyed by the package version, ``salt`` and every file's name and bytes, so
    editing one of ``paths`` rebuilds the value.  A file that cannot be read means no cache:
    ``build()`` runs and says what is wrong."""
    from xxgk_lint import __version__

    h = hashlib.sha256(f"{__version__}\0{salt}\0".encode())
    try:
        for path in paths:
            h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    except OSError:
        return build()
    return cached(name, h.hexdigest(), build)
