"""The Lark analysis cache lives only in a private per-user directory (never a shared /tmp pickle)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from xxgk_lint import larkcache

GRAMMAR = 'start: WORD+\n%import common.WORD\n%ignore " "\n'

posix_only = pytest.mark.skipif(not hasattr(os, "getuid"), reason="file ownership checks are POSIX")


@pytest.fixture(autouse=True)
def _fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    larkcache.cache_dir.cache_clear()
    monkeypatch.delenv("XXGK_LINT_NO_CACHE", raising=False)
    yield
    larkcache.cache_dir.cache_clear()


def test_cache_written_in_the_chosen_private_dir_and_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    d = tmp_path / "cache"
    monkeypatch.setenv("XXGK_LINT_CACHE_DIR", str(d))
    p = larkcache.build_lark(GRAMMAR, "t")
    assert p.parse("a b").children
    files = list(d.iterdir())
    assert len(files) == 1 and files[0].name.startswith("t-") and files[0].name.endswith(f"py{sys.version_info[0]}{sys.version_info[1]}.lark")
    if hasattr(os, "getuid"):
        assert d.stat().st_mode & 0o777 == 0o700
    again = larkcache.build_lark(GRAMMAR, "t")  # loaded from the file
    assert again.parse("x y z").children and len(list(d.iterdir())) == 1


@posix_only
def test_a_directory_others_can_write_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    d = tmp_path / "shared"
    d.mkdir()
    d.chmod(0o777)  # like /tmp: anyone could plant a pickle here
    monkeypatch.setenv("XXGK_LINT_CACHE_DIR", str(d))
    assert larkcache.cache_dir() is None
    assert larkcache.build_lark(GRAMMAR, "t").parse("a").children
    assert list(d.iterdir()) == []


@posix_only
def test_a_symlinked_cache_dir_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    link = tmp_path / "link"
    link.symlink_to(real)
    monkeypatch.setenv("XXGK_LINT_CACHE_DIR", str(link))
    assert larkcache.cache_dir() is None


def test_a_damaged_cache_file_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    d = tmp_path / "cache"
    monkeypatch.setenv("XXGK_LINT_CACHE_DIR", str(d))
    larkcache.build_lark(GRAMMAR, "t")
    (f,) = d.iterdir()
    f.write_bytes(b"garbage\n\x00\x01")
    assert larkcache.build_lark(GRAMMAR, "t").parse("a b").children


def test_no_cache_switch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XXGK_LINT_CACHE_DIR", str(tmp_path / "c"))
    monkeypatch.setenv("XXGK_LINT_NO_CACHE", "1")
    assert larkcache.cache_dir() is None
    assert larkcache.build_lark(GRAMMAR, "t").parse("a").children
    assert not (tmp_path / "c").exists()
