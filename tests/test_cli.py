"""The command line: exit codes, JSON contract, selection, language, colour, rules/explain."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner
from tests.conftest import CLEAN_2019, SEED

from xxgk_lint import __version__
from xxgk_lint.cli import main

FILE_KEYS = {"path", "template", "report_year", "agency", "kind", "published_on", "findings"}
FINDING_KEYS = {
    "rule",
    "severity",
    "message",
    "line",
    "column",
    "section",
    "table",
    "cell",
    "expected",
    "actual",
    "context",
    "fingerprint",
}


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env=env or {})
    return result.exit_code, result.output


def test_clean_report_exits_zero() -> None:
    code, out = run("check", str(CLEAN_2019))
    assert code == 0
    assert "0 个错误" in out


def test_errors_exit_one_and_fail_on() -> None:
    assert run("check", str(SEED["004"]))[0] == 1
    assert run("check", "--fail-on", "never", str(SEED["004"]))[0] == 0
    # seed 003 has warnings only
    assert run("check", str(SEED["003"]))[0] == 0
    assert run("check", "--fail-on", "warning", str(SEED["003"]))[0] == 1


def test_unreadable_input_exits_two_and_batch_goes_on(tmp_path: Path) -> None:
    bogus = tmp_path / "nope.txt"
    weird = tmp_path / "report.xyz"
    weird.write_text("x", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    code, out = run("check", "--format", "json", str(bogus), str(weird), str(empty), str(CLEAN_2019))
    assert code == 2
    doc = json.loads(out)
    by_path = {Path(f["path"]).name: [x["rule"] for x in f["findings"]] for f in doc["files"]}
    assert by_path["nope.txt"] == ["E001"]
    assert by_path["report.xyz"] == ["E002"]
    assert by_path["empty.txt"] == ["E006"]
    assert by_path["clean-2019.txt"] == []


def test_usage_error_exits_two() -> None:
    assert run("check", "--template", "gov-1999", str(CLEAN_2019))[0] == 2
    assert run("check", "--published-on", "yesterday", str(CLEAN_2019))[0] == 2
    assert run("check")[0] == 2


def test_json_contract(tmp_path: Path) -> None:
    out_file = tmp_path / "findings.json"
    code, _ = run("check", "--format", "json", "--output", str(out_file), str(SEED["004"]), str(SEED["003"]))
    assert code == 1
    doc = json.loads(out_file.read_text(encoding="utf-8"))
    assert doc["tool"] == "xxgk-lint" and doc["version"] == __version__ and doc["schema"] == 1
    assert doc["summary"]["files"] == 2
    assert doc["summary"]["errors"] == sum(
        1 for f in doc["files"] for x in f["findings"] if x["severity"] == "error"
    )
    for f in doc["files"]:
        assert set(f) >= FILE_KEYS
        assert f["template"] == "gov-2019"
        for x in f["findings"]:
            assert set(x) == FINDING_KEYS
            assert x["severity"] in ("error", "warning", "info")
            assert re.fullmatch(r"[0-9a-f]{16}", x["fingerprint"])
            assert x["section"] in (None, "一", "二", "三", "四", "五", "六")
            assert x["table"] in (None, "active", "requests", "reviews")
    s003 = next(f for f in doc["files"] if f["path"].endswith("003_7487cbc35b761747.txt"))
    assert s003["report_year"] == 2018 and s003["kind"] == "department"


def test_fingerprints_survive_unrelated_edits(tmp_path: Path) -> None:
    text = SEED["003"].read_text(encoding="utf-8")
    a = tmp_path / "a.txt"
    b = tmp_path / "b.txt"
    a.write_text(text, encoding="utf-8")
    b.write_text(
        "某某局2018年政府信息公开工作年度报告\n补充说明一段。\n" + text.replace("一年来", "过去一年"),
        encoding="utf-8",
    )
    fa = json.loads(run("check", "--format", "json", str(a))[1])["files"][0]["findings"]
    fb = json.loads(run("check", "--format", "json", str(b))[1])["files"][0]["findings"]
    assert {x["fingerprint"] for x in fa} == {x["fingerprint"] for x in fb}
    assert [x["line"] for x in fa] != [x["line"] for x in fb]


def test_select_and_ignore_prefixes() -> None:
    _, out = run("check", "--format", "json", "--select", "T1", str(SEED["004"]))
    rules = {x["rule"] for x in json.loads(out)["files"][0]["findings"]}
    assert rules and all(r.startswith("T1") for r in rules)
    _, out = run("check", "--format", "json", "--ignore", "T101,T107", str(SEED["004"]))
    rules = {x["rule"] for x in json.loads(out)["files"][0]["findings"]}
    assert "T101" not in rules and "T107" not in rules and "S101" in rules
    _, out = run(
        "check", "--format", "json", "--select", "T", "--ignore", "T1", "--select", "T103", str(SEED["004"])
    )
    rules = {x["rule"] for x in json.loads(out)["files"][0]["findings"]}
    assert "T103" in rules and not {r for r in rules if r.startswith("T1") and r != "T103"}


def test_english_messages() -> None:
    _, out = run("check", "--lang", "en", "--color", "never", str(SEED["004"]))
    assert "S101 error section 六" in out
    assert "1 error(s)" in out


def test_folder_input(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "r.txt").write_text(CLEAN_2019.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "notes.bin").write_bytes(b"\x00\x01")
    code, out = run("check", "--format", "json", str(tmp_path))
    assert code == 0
    assert [Path(f["path"]).name for f in json.loads(out)["files"]] == ["r.txt"]


def test_color_modes() -> None:
    _, plain = run("check", "--color", "never", str(SEED["004"]))
    assert "\x1b[" not in plain
    _, forced = run("check", "--color", "always", str(SEED["004"]))
    assert "\x1b[1;31m" in forced
    _, auto_forced = run("check", str(SEED["004"]), env={"FORCE_COLOR": "1"})
    assert "\x1b[" in auto_forced
    _, no_color = run("check", str(SEED["004"]), env={"NO_COLOR": "1", "FORCE_COLOR": "1"})
    assert "\x1b[" not in no_color


def test_rules_and_explain() -> None:
    code, out = run("rules")
    assert code == 0 and "S101" in out and "T107" in out and "E001" in out
    code, out = run("rules", "--format", "json", "--lang", "en")
    data = json.loads(out)
    assert {"code", "name", "severity", "summary", "templates"} <= set(data[0])
    code, out = run("explain", "T101")
    assert code == 0 and "规章 | / | / | 8 |" in out and "规章 | 0 | 0 | 8 |" in out
    code, out = run("explain", "S103", "--lang", "en")
    assert "wrong" in out and "right" in out
    assert run("explain", "Z999")[0] == 2


def test_sarif_and_html_formats(tmp_path: Path) -> None:
    code, out = run("check", "--format", "sarif", str(SEED["004"]))
    assert code == 1
    sarif = json.loads(out)
    assert sarif["version"] == "2.1.0"
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} >= {"S101", "T101"}
    page = tmp_path / "r.html"
    code, _ = run("check", "--format", "html", "--output", str(page), str(SEED["004"]))
    assert code == 1 and 'data-rule="S101"' in page.read_text(encoding="utf-8")


def test_fix_rewrites_a_derivable_total(tmp_path: Path) -> None:
    text = CLEAN_2019.read_text(encoding="utf-8")
    broken = text.replace(
        "(一)予以公开 | 8 | 2 | 0 | 0 | 1 | 0 | 11 |", "(一)予以公开 | 8 | 2 | 0 | 0 | 1 | 0 | 13 |"
    )
    report = tmp_path / "r.txt"
    report.write_text(broken, encoding="utf-8")
    assert run("check", str(report))[0] == 1
    result = CliRunner().invoke(main, ["check", "--fix", str(report)])
    assert result.exit_code == 0, result.output
    assert "13 → 11" in result.stderr
    assert report.read_text(encoding="utf-8") == text


def _invoke(*args: str) -> object:
    return CliRunner().invoke(main, list(args), env={})


def test_select_or_ignore_matching_no_rule_is_a_usage_error() -> None:
    for opt, value, bad in (("--select", "S99", "'S99'"), ("--ignore", "T1,X9", "'X9'"), ("--select", "t9", "'t9'")):
        result = _invoke("check", opt, value, str(CLEAN_2019))
        assert result.exit_code == 2, (opt, value, result.output)
        assert isinstance(result.exception, SystemExit)  # click's usage exit, no traceback
        assert bad in result.stderr and opt in result.stderr and "xxgk-lint rules" in result.stderr
        assert "Traceback" not in result.output
    # prefixes that do match, any case, and ALL, are fine
    assert _invoke("check", "--select", "s1,T", "--ignore", "all", str(CLEAN_2019)).exit_code == 0
    assert _invoke("check", "--select", "ALL", str(CLEAN_2019)).exit_code == 0


def test_unknown_code_in_a_config_file_is_a_config_error(tmp_path: Path) -> None:
    cfg = tmp_path / "lint.yaml"
    cfg.write_text("select: [S1, Q12]\n", encoding="utf-8")
    result = _invoke("check", "--config", str(cfg), str(CLEAN_2019))
    assert result.exit_code == 2
    assert "lint.yaml" in result.stderr and "'Q12'" in result.stderr and "select" in result.stderr
    # the command line's own --select replaces the file's, so the file's bad code no longer applies
    assert _invoke("check", "--config", str(cfg), "--select", "S1", str(CLEAN_2019)).exit_code == 0


def test_output_that_cannot_be_written_exits_two_without_traceback(tmp_path: Path) -> None:
    a_file = tmp_path / "a.txt"
    a_file.write_text("x", encoding="utf-8")
    dangling = tmp_path / "link.json"
    dangling.symlink_to(tmp_path / "gone" / "out.json")
    cases = [
        (tmp_path / "missing" / "out.json", "does not exist"),  # a folder that is not there
        (tmp_path, "directory"),  # a folder, not a file
        (a_file / "out.json", "does not exist"),  # "inside" a file
        (dangling, "cannot write"),  # fails only when written
    ]
    for target, words in cases:
        result = _invoke("check", "--format", "json", "--output", str(target), str(CLEAN_2019))
        assert result.exit_code == 2, (target, result.output)
        assert isinstance(result.exception, SystemExit), result.exception
        assert words in result.stderr and "--output" in result.stderr, result.stderr
    assert not (tmp_path / "missing").exists() and not (tmp_path / "gone").exists()
    # a writable path still works
    good = tmp_path / "out.json"
    assert _invoke("check", "--format", "json", "--output", str(good), str(CLEAN_2019)).exit_code == 0
    assert json.loads(good.read_text(encoding="utf-8"))["files"][0]["findings"] == []
