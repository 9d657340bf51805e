"""SARIF 2.1.0 output: schema-valid, and shaped the way GitHub code scanning needs it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from tests.conftest import SEED, lint_file

from xxgk_lint.check.rules import builtin_rules
from xxgk_lint.pipeline import FileResult
from xxgk_lint.render.sarif import FINGERPRINT_KEY, artifact_location, render_sarif, to_sarif

SCHEMAS = sorted((Path(__file__).parent / "schemas").glob("sarif*.json"))
LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _as_given(path: Path, **opts: object) -> FileResult:
    """Lint a seed and report it under the relative path a user in the repo root would type."""
    result = lint_file(path, **opts)
    result.path = f"tests/fixtures/seeds/{path.name}"
    return result


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> list[FileResult]:
    missing = tmp_path_factory.mktemp("sarif") / "不存在 的报告.txt"
    return [_as_given(SEED["004"]), _as_given(SEED["003"]), lint_file(missing)]


@pytest.fixture(scope="module")
def log(results: list[FileResult]) -> dict[str, Any]:
    return json.loads(render_sarif(results))


def _result_for(log: dict[str, Any], rule: str, cell: str | None = None) -> dict[str, Any]:
    for r in log["runs"][0]["results"]:
        if r["ruleId"] == rule and (cell is None or r["properties"]["cell"] == cell):
            return r
    raise AssertionError(f"no {rule} {cell} result")


def test_schema_copy_present() -> None:
    assert SCHEMAS, "tests/schemas/ holds no SARIF schema"


@pytest.mark.parametrize("schema_path", SCHEMAS, ids=[p.name for p in SCHEMAS])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_valid_against_sarif_schema(schema_path: Path, lang: str, results: list[FileResult]) -> None:
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    validator_cls = jsonschema.validators.validator_for(schema)
    validator_cls.check_schema(schema)
    doc = json.loads(render_sarif(results, lang=lang))
    errors = sorted(validator_cls(schema).iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def test_top_level_and_driver(log: dict[str, Any]) -> None:
    assert log["$schema"].startswith("https://")
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "xxgk-lint"
    assert driver["version"] and driver["semanticVersion"] == driver["version"]
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["language"] == "zh-CN"


def test_rules_meet_github_requirements(log: dict[str, Any]) -> None:
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids))
    assert {r.code for r in builtin_rules()} <= set(ids)
    for r in rules:
        for key in ("shortDescription", "fullDescription", "help"):
            assert r[key]["text"].strip(), (r["id"], key)
        assert len(r["shortDescription"]["text"]) <= 1024
        assert len(r["fullDescription"]["text"]) <= 1024
        assert len(r["name"]) <= 255
        assert r["defaultConfiguration"]["level"] in ("note", "warning", "error")
        assert 1 <= len(r["properties"]["tags"]) <= 20
    by_id = {r["id"]: r for r in rules}
    t101 = by_id["T101"]
    assert t101["name"] == "slash-for-zero"
    assert t101["defaultConfiguration"]["level"] == "warning"
    assert t101["properties"]["tags"] == ["tables"]
    assert "规章 | 0 | 0 | 8 |" in t101["help"]["text"]  # the right example
    assert "```text" in t101["help"]["markdown"]
    assert by_id["T107"]["defaultConfiguration"]["level"] == "note"
    assert by_id["S101"]["defaultConfiguration"]["level"] == "error"


def test_one_result_per_finding_with_consistent_rule_index(log: dict[str, Any], results: list[FileResult]) -> None:
    run = log["runs"][0]
    findings = [f for fr in results for f in fr.findings]
    assert len(run["results"]) == len(findings)
    rules = run["tool"]["driver"]["rules"]
    for res, f in zip(run["results"], findings, strict=True):
        assert res["ruleId"] == f.rule == rules[res["ruleIndex"]]["id"]
        assert res["level"] == LEVEL[f.severity]
        assert res["message"]["text"] == f.message
        assert res["partialFingerprints"] == {FINGERPRINT_KEY: f.fingerprint}
        assert len(res["locations"]) == 1
        phys = res["locations"][0]["physicalLocation"]
        uri = phys["artifactLocation"]["uri"]
        assert "\\" not in uri and not uri.startswith("/")
        if f.line is None:
            assert "region" not in phys
        else:
            assert phys["region"]["startLine"] == f.line >= 1
            assert phys["region"].get("startColumn") == f.column
        props = res["properties"]
        assert (props["section"], props["table"], props["cell"]) == (f.section, f.table, f.cell)


def test_table_cell_result(log: dict[str, Any]) -> None:
    r = _result_for(log, "T101", "regulations.made")
    loc = r["locations"][0]
    assert loc["physicalLocation"]["artifactLocation"] == {
        "uri": "tests/fixtures/seeds/004_09f4574b615ba3f1.txt",
        "uriBaseId": "%SRCROOT%",
    }
    # "规章 | / | / | 8 |": the first "/" is the 6th code point; endColumn is exclusive
    assert loc["physicalLocation"]["region"] == {"startLine": 25, "startColumn": 6, "endColumn": 7}
    assert loc["logicalLocations"] == [{"name": "regulations.made", "fullyQualifiedName": "二/active/regulations.made"}]
    assert r["properties"]["expected"] == "0"
    assert r["properties"]["actual"] == ["/", "/"]
    partial = _result_for(log, "T101", "partial.total")
    assert partial["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "三/requests/partial.total"


def test_missing_section_and_heading_results(log: dict[str, Any]) -> None:
    s101 = _result_for(log, "S101")
    assert s101["level"] == "error"
    assert s101["properties"]["expected"] == "六、其他需要报告的事项"
    assert s101["locations"][0]["logicalLocations"] == [{"name": "六", "fullyQualifiedName": "六"}]
    s103 = _result_for(log, "S103")  # seed 003: 五、存在主要问题及改进情况
    assert s103["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("003_7487cbc35b761747.txt")
    assert s103["locations"][0]["physicalLocation"]["region"]["startLine"] == 60


def test_unreadable_file_has_no_region(log: dict[str, Any]) -> None:
    e001 = _result_for(log, "E001")
    phys = e001["locations"][0]["physicalLocation"]
    assert "region" not in phys
    assert "logicalLocations" not in e001["locations"][0]
    assert e001["level"] == "error"
    # the temp path is absolute: a file URI, percent-encoded
    assert phys["artifactLocation"]["uri"].startswith("file:///")
    assert "%E4%B8%8D%E5%AD%98%E5%9C%A8%20" in phys["artifactLocation"]["uri"]


def test_english_messages(results: list[FileResult]) -> None:
    en = [_as_given(SEED["004"], lang="en")]
    log = to_sarif(en, lang="en")
    run = log["runs"][0]
    assert run["language"] == "en-US"
    t101 = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "T101")
    assert t101["shortDescription"]["text"].startswith("A count cell")
    assert any("instead of a number" in r["message"]["text"] for r in run["results"])


def test_unknown_rule_gets_a_descriptor() -> None:
    from xxgk_lint.check.findings import Finding

    fr = FileResult("r.txt", [Finding(rule="X999", severity="info", message="custom", line=3)])
    run = to_sarif([fr])["runs"][0]
    res = run["results"][0]
    assert run["tool"]["driver"]["rules"][res["ruleIndex"]]["id"] == "X999"
    assert res["level"] == "note"
    assert res["locations"][0]["physicalLocation"]["region"] == {"startLine": 3}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("reports/a.txt", {"uri": "reports/a.txt", "uriBaseId": "%SRCROOT%"}),
        ("./reports/a.txt", {"uri": "reports/a.txt", "uriBaseId": "%SRCROOT%"}),
        ("reports\\2019\\a.txt", {"uri": "reports/2019/a.txt", "uriBaseId": "%SRCROOT%"}),
        ("年报 2019/报告#1.txt", {"uri": "%E5%B9%B4%E6%8A%A5%202019/%E6%8A%A5%E5%91%8A%231.txt", "uriBaseId": "%SRCROOT%"}),
        ("a:b.txt", {"uri": "a%3Ab.txt", "uriBaseId": "%SRCROOT%"}),
        ("/srv/r/a b.txt", {"uri": "file:///srv/r/a%20b.txt"}),
        ("C:\\reports\\a.txt", {"uri": "file:///C:/reports/a.txt"}),
    ],
)
def test_artifact_location(path: str, expected: dict[str, str]) -> None:
    assert artifact_location(path) == expected


def test_empty_run_is_valid() -> None:
    log = json.loads(render_sarif([]))
    assert log["runs"][0]["results"] == []
    schema = json.loads(SCHEMAS[0].read_text(encoding="utf-8"))
    jsonschema.validators.validator_for(schema)(schema).validate(log)


HOUSE_RULE = """rules:
  - code: S951
    name: mention-hotline
    check: content_keywords
    severity: warning
    params:
      scope: report
      groups:
        - name: {zh: 咨询电话, en: hotline}
          any: [咨询电话号码]
    summary: {zh: 未公布政府信息公开咨询电话, en: No information-disclosure hotline published}
    message: {zh: "未找到:{missing}", en: "not found: {missing}"}
    doc: {zh: 本省要求年度报告公布咨询电话。, en: The province asks reports to publish a hotline.}
    wrong: 无
    right: 咨询电话:0571-12345678
"""


def _house_project(tmp_path: Path) -> Path:
    import shutil

    proj = tmp_path / "proj"
    (proj / "house-rules").mkdir(parents=True)
    (proj / "house-rules" / "house.yaml").write_text(HOUSE_RULE, encoding="utf-8")
    (proj / "xxgk-lint.yaml").write_text("rules: [house-rules]\n", encoding="utf-8")
    shutil.copy(SEED["004"], proj / "r.txt")
    return proj / "r.txt"


def test_config_rules_get_full_descriptors(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from xxgk_lint.cli import main

    res = CliRunner().invoke(main, ["check", "--format", "sarif", str(_house_project(tmp_path))])
    assert res.exit_code == 1, res.output
    run = json.loads(res.stdout)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    (s951,) = [r for r in run["results"] if r["ruleId"] == "S951"]
    d = rules[s951["ruleIndex"]]
    assert d["id"] == "S951" and d["name"] == "mention-hotline"
    assert d["shortDescription"]["text"] == "未公布政府信息公开咨询电话"
    assert d["fullDescription"]["text"] == "本省要求年度报告公布咨询电话。"
    assert "咨询电话:0571-12345678" in d["help"]["text"] and "```text" in d["help"]["markdown"]
    assert d["defaultConfiguration"]["level"] == "warning" and d["properties"]["tags"] == ["structure"]
    # the built-in rules keep their indexes: they come first, in their own order
    assert [r["id"] for r in rules[: len(builtin_rules())]] == [r.code for r in builtin_rules()]
    schema = json.loads(SCHEMAS[0].read_text(encoding="utf-8"))
    jsonschema.validators.validator_for(schema)(schema).validate(json.loads(res.stdout))


def test_rule_set_given_explicitly(tmp_path: Path) -> None:
    from xxgk_lint.check.kinds import CHECKS
    from xxgk_lint.check.rules import parse_rule_file

    (rule,) = parse_rule_file(HOUSE_RULE.replace("S951", "S952"), "house.yaml", CHECKS)
    run = to_sarif([], lang="en", rules=[*builtin_rules(), rule])["runs"][0]
    (d,) = [r for r in run["tool"]["driver"]["rules"] if r["id"] == "S952"]
    assert d["shortDescription"]["text"] == "No information-disclosure hotline published"
    assert d["help"]["text"].startswith("The province asks reports to publish a hotline.")
