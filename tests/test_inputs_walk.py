"""The folder walk: legacy Word files are reported (E002), not skipped; a folder with no reports is a
usage error (exit 2) with a message on stderr."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner
from tests.conftest import SEEDS

from xxgk_lint.cli import main
from xxgk_lint.pipeline import iter_inputs


def _tree(tmp_path: Path) -> Path:
    d = tmp_path / "reports"
    (d / "sub").mkdir(parents=True)
    shutil.copy(sorted(SEEDS.glob("003_*.txt"))[0], d / "003.txt")
    (d / "sub" / "draft.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)  # an OLE2 header
    (d / "sub" / "notes.wps").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 60)
    (d / "sub" / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    (d / ".hidden.txt").write_text("x", encoding="utf-8")
    return d


def test_walk_yields_legacy_word_files_but_not_images_or_hidden_files(tmp_path: Path) -> None:
    names = sorted(p.name for p in iter_inputs([_tree(tmp_path)]))
    assert names == ["003.txt", "draft.doc", "notes.wps"]


def test_legacy_word_files_in_a_folder_get_e002_and_the_good_file_is_checked(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["check", "--format", "json", "--fail-on", "never", str(_tree(tmp_path))])
    assert res.exit_code == 2, res.output  # an unreadable input: exit 2, the rest still reported
    files = {Path(f["path"]).name: f for f in json.loads(res.stdout)["files"]}
    assert [x["rule"] for x in files["draft.doc"]["findings"]] == ["E002"]
    assert ".docx" in files["draft.doc"]["findings"][0]["message"]
    assert [x["rule"] for x in files["notes.wps"]["findings"]] == ["E002"]
    assert files["003.txt"]["report_year"] == 2018 and files["003.txt"]["findings"]


def test_a_folder_without_reports_is_a_usage_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    res = CliRunner().invoke(main, ["check", str(empty)])
    assert res.exit_code == 2
    assert res.stdout == ""
    assert "未找到报告文件" in res.stderr and str(empty) in res.stderr
    en = CliRunner().invoke(main, ["check", "--lang", "en", str(empty)])
    assert en.exit_code == 2 and "no report files found" in en.stderr
