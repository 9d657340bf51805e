"""The pre-commit hook (.pre-commit-hooks.yaml), installed from this checkout with ``pre-commit try-repo``.

pre-commit builds the hook's virtual environment by pip-installing the hook repository (dependencies
come from the package index) into a temporary PRE_COMMIT_HOME.  ``try-repo`` reads the hook from a
repository's HEAD commit plus uncommitted changes to *tracked* files only, so a new untracked module
would be missing; the test therefore commits a snapshot of the checkout's files as they are on disk
into a temporary repository and points ``try-repo`` at that.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from tests.conftest import CLEAN_2019, SEED

ROOT = Path(__file__).resolve().parents[1]
HOOKS = ROOT / ".pre-commit-hooks.yaml"


def test_hook_definition() -> None:
    hooks = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "xxgk-lint")
    assert hook["entry"] == "xxgk-lint check" and hook["language"] == "python"
    assert hook.get("pass_filenames", True) is True
    import re

    files = re.compile(hook["files"])
    for name in ("a.txt", "b.md", "c.html", "d.htm", "e.shtml", "f.docx", "g.pdf"):
        assert files.search(name), name
    for name in ("a.py", "b.doc", "c.txt.bak", "docx"):
        assert not files.search(name), name


def _unavailable() -> str | None:
    if shutil.which("git") is None:
        return "git is not installed"
    if shutil.which("pre-commit") is None:
        return "pre-commit is not installed (pip install -e '.[dev]')"
    return None


def _git(*args: str, cwd: Path, env: dict[str, str]) -> str:
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def snapshot(dest: Path, env: dict[str, str]) -> Path:
    """This checkout's files as they are on disk (tracked and untracked, not ignored), committed in a
    fresh repository: what try-repo installs is exactly the code under test, whatever is staged."""
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        env=env,
    )
    if listed.returncode == 0:
        dest.mkdir()
        for rel in filter(None, listed.stdout.decode("utf-8", "surrogateescape").split("\0")):
            src = ROOT / rel
            if src.is_file():
                (dest / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dest / rel)
    else:  # not a git checkout (e.g. an unpacked sdist)
        junk = shutil.ignore_patterns(".git", "__pycache__", "*.pyc", ".venv", ".ci-venv", "*.egg-info", ".pytest_cache", ".ruff_cache", ".hypothesis", "build", "dist")
        shutil.copytree(ROOT, dest, ignore=junk)
    _git("init", "-q", cwd=dest, env=env)
    _git("add", "-A", cwd=dest, env=env)
    _git("-c", "user.name=xxgk-lint tests", "-c", "user.email=tests@example.invalid", "-c", "commit.gpgsign=false", "commit", "-q", "-m", "snapshot", cwd=dest, env=env)
    return dest


@pytest.mark.skipif(_unavailable() is not None, reason=str(_unavailable()))
def test_hook_blocks_a_bad_report_and_passes_a_clean_one(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"), NO_COLOR="1", PRE_COMMIT_COLOR="never")
    hook_repo = snapshot(tmp_path / "xxgk-lint", env)
    repo = tmp_path / "reports"
    repo.mkdir()
    _git("init", "-q", cwd=repo, env=env)
    shutil.copyfile(SEED["004"], repo / "bad.txt")  # lacks section 六: S101 error
    shutil.copyfile(CLEAN_2019, repo / "clean.txt")
    _git("add", "bad.txt", "clean.txt", cwd=repo, env=env)

    def try_repo(name: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["pre-commit", "try-repo", str(hook_repo), "xxgk-lint", "--files", name],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )

    bad = try_repo("bad.txt")
    assert bad.returncode != 0, bad.stdout + bad.stderr
    assert "Failed" in bad.stdout and "S101" in bad.stdout, bad.stdout + bad.stderr
    clean = try_repo("clean.txt")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "Passed" in clean.stdout
