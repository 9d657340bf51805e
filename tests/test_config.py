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


# --- rule parameters are validated when the rule file loads ------------------------------------------

_RELATION_RULE = """rules:
  - code: T901
    name: granted-at-most-received
    check: relation
    severity: error
    summary: {{zh: 予以公开不超过收到申请, en: granted at most received}}
    message: {{zh: "{{relation}}", en: "{{relation}}"}}
{params}"""


def _house_rule(tmp_path: Path, body: str) -> tuple[int, str, str]:
    report = tmp_path / "proj" / "reports" / "2019" / "r.txt"
    if not report.exists():
        report = _project(tmp_path, "xxgk-lint.yaml", "rules: [house-rules]\n")
    rules_dir = report.parents[2] / "house-rules"
    rules_dir.mkdir(exist_ok=True)
    (rules_dir / "house.yaml").write_text(body, encoding="utf-8")
    return run("check", "--format", "json", str(report))


def test_rule_param_with_the_wrong_key_is_a_load_error(tmp_path: Path) -> None:
    body = _RELATION_RULE.format(params="    params:\n      expr: requests.granted.total <= requests.received.total\n")
    code, out, err = _house_rule(tmp_path, body)
    assert code == 2 and out == ""
    assert "house.yaml:9:" in err  # the line of `expr:`
    assert "T901" in err and "'expr'" in err and "allowed: assert, report_unknown" in err
    assert "E100" not in err and "KeyError" not in err


def test_rule_with_a_bad_relation_names_its_line(tmp_path: Path) -> None:
    params = "    params:\n      assert: |\n        forall $r in rows(requests):\n          requests.$r.total >= ) requests.$r.granted\n"
    code, _, err = _house_rule(tmp_path, _RELATION_RULE.format(params=params))
    assert code == 2
    # line 11 of the file is the relation's second line, where the cell key breaks off
    assert "house.yaml:11:" in err and "params.assert" in err and "relation line 2, column 24" in err
    assert "ExprError" not in err


def test_rule_param_unknown_key_and_bad_type(tmp_path: Path) -> None:
    params = "    params:\n      assert: requests.granted.total >= 0\n      report_unkown: false\n"
    code, _, err = _house_rule(tmp_path, _RELATION_RULE.format(params=params))
    assert code == 2 and "house.yaml:10:" in err and "'report_unkown'" in err
    body = _RELATION_RULE.format(params="    params:\n      assert: requests.granted.total >= 0\n").replace(
        "check: relation", "check: required_sections"
    )
    code, _, err = _house_rule(tmp_path, body)
    assert code == 2 and "house.yaml:9:" in err and "'assert'" in err and "allowed: none" in err
    phrases = """rules:
  - code: H901
    name: words
    check: phrases
    params:
      words: 扫一扫
    summary: s
    message: m
"""
    code, _, err = _house_rule(tmp_path, phrases)
    assert code == 2 and "house.yaml:6:" in err and "params.words must be a list of strings" in err
    # `- 上一篇:` is YAML for the mapping {上一篇: null}: the rule would never match the word
    code, _, err = _house_rule(tmp_path, phrases.replace("words: 扫一扫", "words:\n        - 扫一扫\n        - 上一篇:"))
    assert code == 2 and "house.yaml:8:" in err and "params.words[1]" in err and 'quote it as "上一篇:"' in err
    groups = "    params:\n      groups:\n        - {name: 意见箱, any: [意见箱]}\n"
    body = _RELATION_RULE.format(params=groups).replace("check: relation", "check: content_keywords")
    code, _, err = _house_rule(tmp_path, body)
    assert code == 2 and "house.yaml:10:" in err and "params.groups[0].name must be a mapping with zh/en text" in err


def test_rule_without_its_required_params_is_a_load_error(tmp_path: Path) -> None:
    code, _, err = _house_rule(tmp_path, _RELATION_RULE.format(params=""))
    assert code == 2 and "house.yaml:2:" in err and "params.assert is required" in err
    mojibake = "rules:\n  - code: H902\n    name: m\n    check: mojibake\n    params: {min_latin1_pairs: 3}\n    summary: s\n    message: m\n"
    code, _, err = _house_rule(tmp_path, mojibake)
    assert code == 2 and "house.yaml:5:" in err and "markers or latin1_lead" in err


def test_valid_house_relation_rule_runs(tmp_path: Path) -> None:
    params = "    params:\n      assert: requests.granted.total > 1000\n      report_unknown: false\n"
    code, out, err = _house_rule(tmp_path, _RELATION_RULE.format(params=params))
    assert err == "" and code == 1
    (t901,) = [x for f in json.loads(out)["files"] for x in f["findings"] if x["rule"] == "T901"]
    assert t901["cell"] == "granted.total" and t901["expected"] == 1000


def test_every_builtin_rule_kind_has_a_param_schema() -> None:
    from xxgk_lint.check.kinds import CHECKS
    from xxgk_lint.check.params import SCHEMAS, validate_params
    from xxgk_lint.check.rules import builtin_rules

    assert set(SCHEMAS) <= set(CHECKS)  # no schema for a kind that does not exist
    # every kind there was when the schemas were written (a newer kind without one loads unchecked)
    kinds = {
        "cell_status", "cell_value", "column_labels", "columns_present", "content_keywords",
        "continuity_agency", "continuity_copy", "continuity_relation", "date_before_year_end", "deadline",
        "deadline_unchecked", "excess_values", "flattened_ambiguous", "flattened_recovered",
        "garbled_numbers", "heading_wording", "input_error", "mojibake", "narrative_claims",
        "narrative_growth", "narrative_parts", "narrative_rates", "no_publication_date", "phrases",
        "relation", "required_sections", "row_labels", "rows_present", "section_order",
        "signature_vs_page_date", "table_present", "template_outdated", "title_year_mismatch",
        "unknown_rows", "unplaced_row_sum", "unplaced_values",
    }
    assert kinds <= set(SCHEMAS), f"add a schema in check/params.py for {kinds - set(SCHEMAS)}"
    rules = builtin_rules()
    assert "上一篇:" in next(r for r in rules if r.code == "H101").params["words"]
    for r in rules:
        validate_params(r.check, r.params)  # the loaded (line-free) params validate too


# --- config typos are errors, not silently ignored ---------------------------------------------------


def test_unknown_codes_in_a_config_are_errors(tmp_path: Path) -> None:
    report = _project(tmp_path, "xxgk-lint.yaml", "select: [S, T]\nignore: [T107, T1O1]\n")
    code, out, err = run("check", str(report))
    assert code == 2 and out == ""
    assert "xxgk-lint.yaml" in err and "'ignore'" in err and "T1O1" in err and "T107" not in err
    config = report.parents[2] / "xxgk-lint.yaml"
    config.write_text("fail-on: error\nseverity:\n  S101: warning\n  T1: info\n", encoding="utf-8")
    code, _, err = run("check", str(report))
    assert code == 2 and "xxgk-lint.yaml:4:" in err and "'severity'" in err and "T1 " in err and "whole rule codes" in err
    config.write_text("severity: {S101: warning, S1010: info}\n", encoding="utf-8")
    code, _, err = run("check", str(report))
    assert code == 2 and "xxgk-lint.yaml:1:" in err and "S1010" in err and "whole rule codes" not in err


def test_unknown_code_in_pyproject_and_prefixes_that_are_fine(tmp_path: Path) -> None:
    report = _project(tmp_path, "pyproject.toml", '[tool.xxgk-lint]\nselect = ["ALL"]\nignore = ["T10", "h1"]\n')
    code, out, err = run("check", "--format", "json", str(report))
    assert err == "" and code == 1
    found = rules_in(out)
    assert "S101" in found and not [r for r in found if r.startswith(("T10", "H1"))]
    (report.parents[2] / "pyproject.toml").write_text(
        '[tool.xxgk-lint]\n[tool.xxgk-lint.severity]\nT101 = "info"\nT999 = "error"\n', encoding="utf-8"
    )
    code, _, err = run("check", str(report))
    assert code == 2 and "pyproject.toml:4:" in err and "T999" in err


def test_codes_of_config_rule_folders_are_known(tmp_path: Path) -> None:
    report = _project(tmp_path, "xxgk-lint.yaml", "rules: [house-rules]\nseverity: {S901: error}\nselect: [S9]\n")
    rules_dir = report.parents[2] / "house-rules"
    rules_dir.mkdir()
    (rules_dir / "local.yaml").write_text(
        "rules:\n  - code: S901\n    name: box\n    check: content_keywords\n    params:\n"
        "      groups: [{name: {zh: 意见箱}, any: [意见箱]}]\n    summary: s\n    message: '未找到:{missing}'\n",
        encoding="utf-8",
    )
    code, out, err = run("check", "--format", "json", str(report))
    assert err == "" and code == 1
    (s901,) = [x for f in json.loads(out)["files"] for x in f["findings"]]
    assert (s901["rule"], s901["severity"]) == ("S901", "error")


def test_a_kind_without_a_schema_loads_unchecked() -> None:
    from xxgk_lint.check.rules import parse_rule_file

    text = "rules:\n  - code: T990\n    name: x\n    check: future_kind\n    params: {anything: 1}\n    summary: s\n    message: m\n"
    (rule,) = parse_rule_file(text, "future.yaml", ["future_kind"])
    assert rule.params == {"anything": 1}


def test_configured_severity_beats_a_hit_level_severity(tmp_path: Path) -> None:
    """N101 on seed 004 is a warning decided per hit (scope may differ); a configured severity still wins."""
    from tests.conftest import SEED

    cfg = tmp_path / "xxgk-lint.yaml"
    cfg.write_text("severity: {N101: info}\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["check", "--format", "json", "--config", str(cfg), str(SEED["004"])])
    found = [f for f in json.loads(r.output)["files"][0]["findings"] if f["rule"] == "N101"]
    assert found and {f["severity"] for f in found} == {"info"}
    r = CliRunner().invoke(main, ["check", "--format", "json", "--no-config", str(SEED["004"])])
    assert {f["severity"] for f in json.loads(r.output)["files"][0]["findings"] if f["rule"] == "N101"} == {"warning"}
