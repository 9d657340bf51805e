"""Configuration discovery and precedence, custom rule folders, bad rule files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner
from tests.conftest import SEED

from xxgk_lint.cli import main


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, list(args))
    return r.exit_code, r.stdout, r.stderr


def rules_in(out: str) -> list[str]:
    return [x["rule"] for f in json.loads(out)["files"] for x in f["findings"]]


def _project(tmp_path: Path, config_name: str, body: str) -> Path:
    proj = tmp_path / "proj"
    (proj / "reports" / "2019").mkdir(parents=True)
    shutil.copy(SEED["004"], proj / "reports" / "2019" / "r.txt")
    (proj / config_name).write_text(body, encoding="utf-8")
    return proj / "reports" / "2019" / "r.txt"


def test_yaml_config_discovered_upwards(tmp_path: Path) -> None:
    report = _project(tmp_path, "xxgk-lint.yaml", "ignore: [T1]\nseverity: {S101: warning}\nfail-on: error\n")
    code, out, _ = run("check", "--format", "json", str(report))
    found = rules_in(out)
    assert "S101" in found and not [r for r in found if r.startswith("T1")]
    s101 = next(x for f in json.loads(out)["files"] for x in f["findings"] if x["rule"] == "S101")
    assert s101["severity"] == "warning"
    assert code == 0  # the only error was downgraded to a warning


def test_pyproject_section_and_cli_precedence(tmp_path: Path) -> None:
    report = _project(tmp_path, "pyproject.toml", '[tool.xxgk-lint]\nselect = ["S"]\nlang = "en"\n')
    code, out, _ = run("check", "--color", "never", str(report))
    assert "S101 error section 六" in out and "T101" not in out
    code, out, _ = run("check", "--color", "never", "--lang", "zh", "--select", "T103", str(report))
    assert "T103 警告" in out and "S101" not in out


def test_no_config_and_explicit_config(tmp_path: Path) -> None:
    report = _project(tmp_path, ".xxgk-lint.yaml", "select: [S]\n")
    _, out, _ = run("check", "--format", "json", "--no-config", str(report))
    assert "T101" in rules_in(out)
    other = tmp_path / "other.yaml"
    other.write_text("select: [T103]\n", encoding="utf-8")
    _, out, _ = run("check", "--format", "json", "--config", str(other), str(report))
    assert set(rules_in(out)) == {"T103"}


def test_unknown_setting_is_a_clear_error(tmp_path: Path) -> None:
    report = _project(tmp_path, "xxgk-lint.yaml", "selekt: [S]\n")
    code, _, err = run("check", str(report))
    assert code == 2 and "selekt" in err and "xxgk-lint.yaml" in err


def test_custom_rule_folder_loads_beside_builtin_rules(tmp_path: Path) -> None:
    report = _project(tmp_path, "xxgk-lint.yaml", "rules: [house-rules]\n")
    rules_dir = report.parents[2] / "house-rules"
    rules_dir.mkdir()
    (rules_dir / "local.yaml").write_text(
        """rules:
  - code: S901
    name: mention-hotline
    check: content_keywords
    severity: warning
    params:
      scope: report
      groups:
        - name: {zh: 意见箱, en: suggestion box}
          any: [意见箱]
    summary: {zh: 未公布咨询电话, en: No hotline published}
    message: {zh: "未找到:{missing}", en: "not found: {missing}"}
    doc: {zh: 本省要求公布咨询电话。, en: The province asks for a hotline.}
    wrong: 无
    right: 咨询电话:0571-12345678
""",
        encoding="utf-8",
    )
    _, out, _ = run("check", "--format", "json", str(report))
    assert "S901" in rules_in(out) and "S101" in rules_in(out)


def test_bad_rule_file_names_file_and_line(tmp_path: Path) -> None:
    report = _project(tmp_path, "xxgk-lint.yaml", "rules: [house-rules]\n")
    rules_dir = report.parents[2] / "house-rules"
    rules_dir.mkdir()
    (rules_dir / "bad.yaml").write_text(
        "rules:\n  - code: S902\n    name: x\n    check: no_such_kind\n    message: m\n    summary: s\n",
        encoding="utf-8",
    )
    code, _, err = run("check", str(report))
    assert code == 2
    assert "bad.yaml:2" in err and "no_such_kind" in err
    (rules_dir / "bad.yaml").write_text("rules:\n  - code: S902\n    name: [unclosed\n", encoding="utf-8")
    code, _, err = run("check", str(report))
    assert code == 2 and "bad.yaml:" in err and "YAML" in err
    (rules_dir / "bad.yaml").write_text(
        "rules:\n  - code: S101\n    name: x\n    check: required_sections\n    message: m\n    summary: s\n",
        encoding="utf-8",
    )
    code, _, err = run("check", str(report))
    assert code == 2 and "S101" in err and "already defined" in err
