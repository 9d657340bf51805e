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


def test_cached_value_is_reused_while_the_key_holds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    d = tmp_path / "cache"
    monkeypatch.setenv("XXGK_LINT_CACHE_DIR", str(d))
    calls: list[int] = []

    def build() -> dict[str, int]:
        calls.append(1)
        return {"n": len(calls)}

    assert larkcache.cached("v", "k1", build) == {"n": 1}
    assert larkcache.cached("v", "k1", build) == {"n": 1} and len(calls) == 1  # read back
    assert larkcache.cached("v", "k2", build) == {"n": 2}  # another key: built again
    for f in d.glob("v-k1*"):
        f.write_bytes(b"not a pickle")
    assert larkcache.cached("v", "k1", build) == {"n": 3}  # damaged: built again
    assert not list(d.glob(".v-*.tmp"))  # no temporary files left behind


@posix_only
def test_cached_value_is_never_read_from_a_shared_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pickle

    d = tmp_path / "shared"
    d.mkdir()
    d.chmod(0o777)
    monkeypatch.setenv("XXGK_LINT_CACHE_DIR", str(d))
    planted = d / f"v-k1-py{sys.version_info[0]}{sys.version_info[1]}.pickle"
    planted.write_bytes(pickle.dumps({"n": "planted"}))
    assert larkcache.cached("v", "k1", lambda: {"n": "built"}) == {"n": "built"}


def test_builtin_rules_from_the_cache_equal_a_fresh_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from xxgk_lint.check.kinds import CHECKS
    from xxgk_lint.check.rules import builtin_rules, load_rule_dirs
    from xxgk_lint.data import data_root

    monkeypatch.setenv("XXGK_LINT_CACHE_DIR", str(tmp_path / "c"))
    fresh = load_rule_dirs([data_root("rules")], CHECKS)
    for _ in range(2):  # the first call writes the cache, the second reads it
        builtin_rules.cache_clear()
        got = builtin_rules()
        assert [(r.code, r.check, r.severity, r.params.keys()) for r in got] == [
            (r.code, r.check, r.severity, r.params.keys()) for r in fresh
        ]
    assert list((tmp_path / "c").glob("rules-*.pickle"))
    builtin_rules.cache_clear()


def test_templates_from_the_cache_equal_a_fresh_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from xxgk_lint.data import data_root
    from xxgk_lint.parse.template import _read_templates, load_templates

    monkeypatch.setenv("XXGK_LINT_CACHE_DIR", str(tmp_path / "c"))
    fresh = _read_templates(sorted((data_root("grammars") / "templates").glob("*.yaml")))
    try:
        for _ in range(2):  # the first call writes the cache, the second reads it
            load_templates.cache_clear()
            got = load_templates()
            assert got == fresh
        assert list((tmp_path / "c").glob("templates-*.pickle"))
    finally:
        load_templates.cache_clear()


def test_a_warm_check_run_does_not_import_yaml(tmp_path: Path) -> None:
    """With the rules and templates cached, a check needs no YAML parser (start-up time)."""
    import subprocess

    sample = Path(__file__).parent / "fixtures" / "clean-2021.txt"
    probe = (
        "import sys\n"
        "from xxgk_lint.cli import main\n"
        f"sys.argv = ['xxgk-lint', 'check', {str(sample)!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('YAML' if 'yaml' in sys.modules else 'NOYAML', file=sys.stderr)\n"
    )
    env = {**os.environ, "XXGK_LINT_CACHE_DIR": str(tmp_path / "c")}
    env.pop("XXGK_LINT_NO_CACHE", None)
    runs = [subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True) for _ in range(2)]
    assert runs[0].stderr.splitlines()[-1] == "YAML"  # the cold run builds the caches
    assert runs[1].stderr.splitlines()[-1] == "NOYAML", runs[1].stderr


def test_the_rules_cache_carries_their_relations_compiled(tmp_path: Path) -> None:
    """A warm run takes the rules' relations from the cache: none is parsed again, and each equals
    a fresh compile of its text."""
    import subprocess

    sample = Path(__file__).parent / "fixtures" / "clean-2019.txt"
    probe = (
        "import sys\n"
        "from xxgk_lint.check import expr\n"
        "from xxgk_lint.pipeline import Options, lint_path\n"
        f"lint_path({str(sample)!r}, Options())\n"
        "fresh = {src: expr._compile.__wrapped__(src) for src in expr._PRELOADED}\n"
        "same = all(fresh[src] == rel for src, rel in expr._PRELOADED.items())\n"
        "print(len(expr._PRELOADED), expr._compile.cache_info().misses, same, file=sys.stderr)\n"
    )
    env = {**os.environ, "XXGK_LINT_CACHE_DIR": str(tmp_path / "c")}
    env.pop("XXGK_LINT_NO_CACHE", None)
    runs = [subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True) for _ in range(2)]
    cold, warm = (r.stderr.split() for r in runs)
    assert int(cold[1]) > 20  # the cold run compiles them (and caches them)
    assert int(warm[0]) > 20 and warm[1] == "0" and warm[2] == "True", runs[1].stderr
