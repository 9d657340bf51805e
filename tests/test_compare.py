"""Year over year (xxgk_lint.compare): continuity rules X1xx, copy detection, cell mapping, compare CLI."""

from __future__ import annotations

import json
import pickle
import shutil
import struct
import subprocess
import time
from decimal import Decimal
from pathlib import Path

import lxml.html
import pytest
from click.testing import CliRunner
from tests.conftest import CLEAN_2019, FIXTURES, lint_text

from xxgk_lint.cli import main
from xxgk_lint.compare import compare, consecutive_pairs, continuity_findings, normalise_agency, snapshot
from xxgk_lint.compare.continuity import section_passages
from xxgk_lint.compare.mapping import forward_links, links, load_mappings
from xxgk_lint.compare.model import Snapshot
from xxgk_lint.compare.render import render_html, render_json, render_text
from xxgk_lint.compare.similarity import normalise, score, shingles
from xxgk_lint.pipeline import FileResult
from xxgk_lint.render.html import CSP

YOY = FIXTURES / "yoy"
FIVE = "五、存在的主要问题及改进情况\n"
ONE = "一、总体情况\n"


def _text(name: str) -> str:
    path = CLEAN_2019 if name == "2018" else YOY / f"zhaotong-{name}.txt"
    return path.read_text(encoding="utf-8")


def _lint(text: str, name: str) -> FileResult:
    return lint_text(text, name, rules=())  # parse only; compare does not need the single-report rules


@pytest.fixture(scope="module")
def years() -> dict[str, FileResult]:
    return {y: _lint(_text(y), f"{y}.txt") for y in ("2018", "2019", "2020", "2021")}


def _section(text: str, head: str, nxt: str) -> str:
    return text.split(head, 1)[1].split(nxt, 1)[0]


def _sub(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def _rules(findings: list) -> list[str]:
    return [f.rule for f in findings]


# ------------------------------------------------------------------------------ continuity rules


@pytest.mark.parametrize(("last", "this"), [("2018", "2019"), ("2019", "2020"), ("2020", "2021")])
def test_consecutive_years_that_continue_cleanly_are_quiet(years: dict[str, FileResult], last: str, this: str) -> None:
    assert years[this].report is not None and years[this].report.report_year == int(this)
    findings = continuity_findings(years[last], years[this])
    assert findings == [], [(f.rule, f.message) for f in findings]


def test_carried_over_off_by_one_fires_x101(years: dict[str, FileResult]) -> None:
    broken = _sub(
        _text("2019"),
        "二、上年结转政府信息公开申请数量 | 2 | 1 | 0 | 0 | 0 | 0 | 3 |",
        "二、上年结转政府信息公开申请数量 | 2 | 2 | 0 | 0 | 0 | 0 | 4 |",
    )
    findings = continuity_findings(years["2018"], _lint(broken, "2019.txt"))
    assert _rules(findings) == ["X101", "X101"]
    by_cell = {f.cell: f for f in findings}
    f = by_cell["carried_over.commercial"]
    assert (f.severity, f.table, f.section) == ("error", "requests", "三")
    assert (f.expected, f.actual) == (1, 2)
    assert f.line == 33 and f.column is not None
    assert "商业企业" in f.message and "2018" in f.message and "1" in f.message
    assert f.context and f.context.startswith("二、上年结转")
    last = f.extra["last"]
    assert last["report_year"] == 2018
    assert last["cells"] == [{"cell": "requests.carried_forward.commercial", "value": 1, "raw": "1", "line": 55}]
    assert (by_cell["carried_over.total"].expected, by_cell["carried_over.total"].actual) == (3, 4)
    en = continuity_findings(years["2018"], _lint(broken, "2019.txt"), lang="en")
    assert "carried over" in en[0].message and "商业企业" in en[0].message


def test_x101_spans_the_2019_to_2021_format_change(years: dict[str, FileResult]) -> None:
    broken = _sub(
        _text("2021"),
        "二、上年结转政府信息公开申请数量 | 0 | 1 | 0 | 0 | 0 | 0 | 1 |",
        "二、上年结转政府信息公开申请数量 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |",
    )
    findings = continuity_findings(years["2020"], _lint(broken, "2021.txt"))
    assert sorted(f.cell for f in findings) == ["carried_over.commercial", "carried_over.total"]
    assert {f.rule for f in findings} == {"X101"}


def test_item_counts_follow_last_years_change_x102(years: dict[str, FileResult]) -> None:
    broken = _sub(_text("2019"), "行政许可 | 17 | 3 | 350 |", "行政许可 | 16 | 3 | 350 |")
    findings = continuity_findings(years["2018"], _lint(broken, "2019.txt"))
    assert _rules(findings) == ["X102"]
    f = findings[0]
    assert (f.severity, f.table, f.cell, f.expected, f.actual) == ("warning", "active", "licensing.prev_count", 17, 16)
    assert "行政许可" in f.message
    assert {c["cell"] for c in f.extra["last"]["cells"]} == {"active.licensing.prev_count", "active.licensing.change"}


def _advance_2021(valid: int) -> str:
    """A 2022 report continuing zhaotong-2021 (2021 layout) with the given 现行有效件数."""
    text = _text("2021").replace("2022年1月17日", "2023年1月16日").replace("2021", "2022")
    text = _sub(text, "二、上年结转政府信息公开申请数量 | 0 | 1 | 0 | 0 | 0 | 0 | 1 |", "二、上年结转政府信息公开申请数量 | 2 | 0 | 0 | 0 | 0 | 0 | 2 |")
    text = _sub(text, "一、本年新收政府信息公开申请数量 | 19 | 3 |", "一、本年新收政府信息公开申请数量 | 17 | 4 |")
    # 本年制发 4, 废止 1: from last year's 19 the documents in force should be 22
    return _sub(text, "行政规范性文件 | 3 | 2 | 19 |", f"行政规范性文件 | 4 | 1 | {valid} |")


def test_valid_documents_follow_made_and_repealed_x103(years: dict[str, FileResult]) -> None:
    from xxgk_lint.check.rules import builtin_rules, select_rules

    cells_only = select_rules(builtin_rules(), ["X101", "X102", "X103"])  # the advanced copy's prose is last year's
    this = _lint(_advance_2021(22), "2022.txt")
    assert this.report is not None and (this.report.template, this.report.report_year) == ("gov-2021", 2022)
    assert continuity_findings(years["2021"], this, rules=cells_only) == []
    findings = continuity_findings(years["2021"], _lint(_advance_2021(25), "2022.txt"), rules=cells_only)
    assert _rules(findings) == ["X103"]
    f = findings[0]
    assert (f.severity, f.cell, f.expected, f.actual) == ("warning", "normative_docs.valid", 22, 25)
    # across the format change 对外公开总数量 is not 现行有效件数: not compared by default
    assert not [f for f in continuity_findings(years["2020"], years["2021"]) if f.rule == "X103"]


def test_agency_name_consistency_x104(years: dict[str, FileResult]) -> None:
    renamed = _lint(_sub(_text("2019"), "\n昭通市政务服务管理局\n", "\n昭通市政务服务局\n"), "2019.txt")
    findings = continuity_findings(years["2018"], renamed)
    assert _rules(findings) == ["X104"]
    f = findings[0]
    assert (f.expected, f.actual) == ("昭通市政务服务管理局", "昭通市政务服务局")
    assert f.line is not None and f.line > 60
    spaced = _lint(_sub(_text("2019"), "\n昭通市政务服务管理局\n", "\n昭通市 政务服务管理局\n"), "2019.txt")
    assert continuity_findings(years["2018"], spaced) == []


def test_normalise_agency() -> None:
    assert normalise_agency("昭通市人民政府办公室") == normalise_agency("昭通市政府办公室")
    assert normalise_agency(" 昭通市　政务服务管理局 ") == "昭通市政务服务管理局"
    assert normalise_agency("《北京市（海淀区）人民政府》") == normalise_agency("北京市(海淀区)政府")
    assert normalise_agency("ＡＢＣ局") == "ABC局"
    assert normalise_agency(None) == normalise_agency("") == ""
    assert normalise_agency("昭通市政务服务局") != normalise_agency("昭通市政务服务管理局")


def test_section_five_copied_with_only_the_year_changed_fires_x105(years: dict[str, FileResult]) -> None:
    y2020 = _text("2020")
    five_2019 = _section(_text("2019"), FIVE, "六、")
    copied = five_2019.replace("2020年", "2021年").replace("4次", "6次")
    this = _lint(_sub(y2020, _section(y2020, FIVE, "六、"), copied), "2020.txt")
    findings = continuity_findings(years["2019"], this)
    assert _rules(findings) == ["X105"]
    f = findings[0]
    assert (f.severity, f.section, f.actual) == ("warning", "五", "100%")
    assert f.line == next(i for i, line in enumerate(y2020.split("\n"), 1) if line.startswith("五、"))
    assert f.extra["similarity"]["carried"] == 1.0
    passages = f.extra["passages"]
    assert passages and passages[0]["text"].startswith("(一)上年度问题整改情况")
    assert "2021年" in passages[-1]["text"]  # shown as written this year, years changed and all
    assert passages[0]["this_lines"][0] == f.line + 1 and passages[0]["last_lines"][0] == 61


def test_section_five_robust_to_punctuation_and_spacing(years: dict[str, FileResult]) -> None:
    y2020 = _text("2020")
    five_2019 = _section(_text("2019"), FIVE, "六、")
    retyped = five_2019.replace(",", ",").replace(";", ";").replace("、", " ").replace("。", ".\n")
    this = _lint(_sub(y2020, _section(y2020, FIVE, "六、"), retyped), "2020.txt")
    assert _rules(continuity_findings(years["2019"], this)) == ["X105"]


def test_rewritten_section_five_does_not_fire(years: dict[str, FileResult]) -> None:
    c = compare(years["2019"], years["2020"])
    five = next(s for s in c.sections if s.ordinal == "五")
    assert five.score is not None and five.score.carried < 0.3
    assert not [f for f in c.findings if f.rule == "X105"]


def test_overview_copied_fires_x106(years: dict[str, FileResult]) -> None:
    y2020 = _text("2020")
    one_2019 = _section(_text("2019"), ONE, "二、")
    this = _lint(_sub(y2020, _section(y2020, ONE, "二、"), one_2019.replace("2019年", "2020年")), "2020.txt")
    findings = continuity_findings(years["2019"], this)
    assert _rules(findings) == ["X106"]
    assert findings[0].section == "一" and findings[0].line == 3


def test_years_that_are_not_consecutive_are_not_checked(years: dict[str, FileResult]) -> None:
    assert continuity_findings(years["2018"], years["2020"]) == []
    c = compare(years["2018"], years["2020"])
    assert c.consecutive is False and c.findings == [] and "不相邻" in c.notes[0]
    assert compare(years["2018"], years["2020"], lang="en").notes[0].startswith("the report years are not consecutive")


def test_check_skips_the_two_report_rules() -> None:
    from xxgk_lint.check.rules import builtin_rules

    x = [r for r in builtin_rules() if r.family == "X"]
    assert [r.code for r in x] == ["X101", "X102", "X103", "X104", "X105", "X106"]
    assert all(r.check.startswith("continuity_") for r in x)
    result = lint_text(_text("2019"), "2019.txt")
    assert result.findings == []
    out = CliRunner().invoke(main, ["explain", "X105"])
    assert out.exit_code == 0 and "5" in out.output and "阈值" in out.output


# ------------------------------------------------------------------------------ similarity


def test_normalisation_folds_width_punctuation_and_numbers() -> None:
    a = normalise("2018年，共收到申请25件；转接成功率为74.61%。")
    b = normalise("2019年, 共收到申请 1,203 件;转接成功率为 80%.")
    assert a.text == b.text == "0年共收到申请0件转接成功率为0"
    assert score(a.text, b.text).carried == 1.0
    n = normalise("前文。(一)ＡＢ 12.5万元")
    assert n.text == "前文一ab0万元"
    start, stop = n.span(n.text.index("0"), n.text.index("0") + 1)
    assert "前文。(一)ＡＢ 12.5万元"[start:stop] == "12.5"
    assert shingles("abc") == frozenset({"abc"}) and len(shingles("abcdefg", 5)) == 3
    assert score("", "").carried == 0.0


def test_passages_of_long_unrelated_sections_are_fast() -> None:
    from tests.conftest import SEED

    from xxgk_lint.compare.similarity import passages

    texts = [p.read_text(encoding="utf-8") for p in SEED.values()]
    a, b = normalise("".join(texts[:2]) * 3), normalise("".join(texts[2:]) * 3)
    assert len(a.text) > 20_000 and len(b.text) > 20_000
    start = time.perf_counter()
    found = passages(a, b)
    assert time.perf_counter() - start < 1.0
    assert all(m.size >= 20 for m in found)
    same = passages(a, a)
    assert [(m.last_start, m.this_start, m.size) for m in same] == [(0, 0, len(a.text))]


def test_passages_map_back_to_source_lines(years: dict[str, FileResult]) -> None:
    last, this = snapshot(years["2018"]), snapshot(years["2019"])
    found = section_passages(last.sections["一"], this.sections["一"])
    longest = max(found, key=lambda p: p.chars)
    assert longest.chars > 400 and longest.this_lines[0] == 4 and longest.last_lines[0] == 4
    assert longest.text.startswith("(一)强化高层引领。")  # the opening bracket is taken in
    line_4 = _text("2019").split("\n")[3]
    assert line_4.startswith(longest.text.split("\n")[0])


# ------------------------------------------------------------------------------ mapping


def test_mapping_2019_to_2021_links_cells_by_meaning(years: dict[str, FileResult]) -> None:
    c = compare(years["2020"], years["2021"])
    assert c.mapping == "gov-2019--gov-2021" and c.consecutive is True
    rows = {(r.table, r.cell): r for r in c.cells}
    valid = rows[("active", "normative_docs.valid")]
    assert (valid.how, valid.last.cells, valid.last.value, valid.this.value, valid.change) == (
        "renamed",
        (("active", "normative_docs", "total_public"),),
        Decimal(18),
        Decimal(19),
        Decimal(1),
    )
    other = rows[("requests", "other_overdue_correction.total")]
    assert other.how == "sum" and other.last.cells == (("requests", "other", "total"),)
    assert len(other.this.cells) == 3 and (other.last.value, other.this.value) == (1, 2)
    assert "(六)其他处理" in other.label
    assert rows[("requests", "carried_over.total")].how == "identical"
    only_last = {r.cell for r in c.only_last}
    only_this = {r.cell for r in c.only_this}
    assert {"regulations.published", "licensing.prev_count", "other_services.decisions", "procurement.amount"} <= only_last
    assert only_this == {"regulations.repealed", "normative_docs.repealed", "fees.fee_amount"}
    assert all(r.note for r in c.only_last + c.only_this)
    # the reverse direction reads the same file backwards
    back = {(r.table, r.cell): r for r in compare(years["2021"], years["2020"]).cells}
    assert back[("active", "normative_docs.total_public")].last.value == 19
    assert back[("requests", "other.total")].how == "sum"


def test_mapping_from_the_pre_2019_statistics_table(years: dict[str, FileResult]) -> None:
    from tests.conftest import SEED

    old = _lint(SEED["001"].read_text(encoding="utf-8"), "001.txt")  # a 2017 report with the statistics table
    assert old.report is not None and (old.report.template, old.report.report_year) == ("pre-2019", 2017)
    c = compare(old, years["2018"])
    assert c.mapping == "pre-2019--gov-2019" and c.consecutive is True
    rows = {(r.table, r.cell): r for r in c.cells}
    new = rows[("requests", "new.total")]
    assert new.how == "renamed" and new.last.cells == (("stats", "received", "value"),) and new.this.value == 25
    suits = rows[("reviews", "suit_direct.total")]
    assert suits.how == "sum" and suits.this.cells == (("reviews", "suit_direct", "total"), ("reviews", "suit_after", "total"))
    assert ("stats", "fees.value") in {(r.table, r.cell) for r in c.only_last}
    # the cell rules need both years in the 2019/2021 formats: nothing to say here but the name
    assert {f.rule for f in c.findings} <= {"X104"}


def test_mapping_files_cover_every_cell() -> None:
    from xxgk_lint.parse.template import get_template

    assert ("gov-2019", "gov-2021") in load_mappings()
    for (a, b), data in load_mappings().items():
        fwd = forward_links(a, b)
        for side, tpl in (("last", get_template(a)), ("this", get_template(b))):
            cells = [c for x in fwd for c in getattr(x, side)]
            assert sorted(cells) == sorted((t, r, c) for t, s in tpl.tables.items() for r, c in s.cell_keys()), data["id"]
        unexplained = [x for x in fwd if x.how == "none" and not x.note]
        assert unexplained == [], data["id"]
    same = links("gov-2021", "gov-2021")
    assert all(x.how == "identical" for x in same)


# ------------------------------------------------------------------------------ audit helpers


def test_consecutive_pairs_by_manifest_id_then_name() -> None:
    items = [
        ("a18", 2018, "昭通市人民政府办公室", "zt-gov"),
        ("a19", 2019, "昭通市政府办公室", None),  # no id: joins zt-gov by its normalised name
        ("a20", 2020, "昭通市政府办公厅", "zt-gov"),  # renamed, same id
        ("b19", 2019, "某某局", None),
        ("b20", 2020, "某 某 局", None),
        ("b22", 2022, "某某局", None),  # 2021 missing: no pair
        ("c20", None, "某某委", None),
    ]
    pairs = list(consecutive_pairs(items, year=lambda x: x[1], agency=lambda x: x[2], manifest_id=lambda x: x[3]))
    assert [(k, a[0], b[0]) for k, a, b in pairs] == [("id:zt-gov", "a18", "a19"), ("id:zt-gov", "a19", "a20"), ("name:某某局", "b19", "b20")]


def test_snapshots_are_small_picklable_and_fast(years: dict[str, FileResult]) -> None:
    snaps = {y: snapshot(r) for y, r in years.items()}
    slim = snapshot(years["2019"], sections=("一", "五"))
    assert set(slim.sections) == {"一", "五"} and len(pickle.dumps(slim)) < len(pickle.dumps(snaps["2019"]))
    assert continuity_findings(snaps["2018"], slim) == []
    again = pickle.loads(pickle.dumps(snaps["2019"]))
    assert isinstance(again, Snapshot) and again.sections["五"].text == snaps["2019"].sections["五"].text
    assert continuity_findings(snaps["2018"], again) == []
    # an audit's hot path: continuity over snapshots of consecutive years (no copied section)
    start = time.perf_counter()
    for _ in range(50):
        for a, b in (("2018", "2019"), ("2019", "2020"), ("2020", "2021")):
            fresh_a = pickle.loads(pickle.dumps(snaps[a]))  # nothing cached between pairs
            continuity_findings(fresh_a, snaps[b])
    per_pair = (time.perf_counter() - start) / 150
    assert per_pair < 0.05, per_pair


# ------------------------------------------------------------------------------ outputs and CLI


def test_text_output(years: dict[str, FileResult]) -> None:
    text = render_text(compare(years["2020"], years["2021"]))
    assert "2020年度, gov-2019" in text and "2021年度, gov-2021" in text
    assert "行政规范性文件 · 现行有效件数" in text and "18 → 19" in text and "[改名]" in text
    assert "只在上年格式中" in text and "procurement.amount" in text
    assert "== 各部分 ==" in text and "沿用上年" in text
    assert text.rstrip().endswith("0 个错误,0 个警告,0 个提示")
    en = render_text(compare(years["2018"], years["2019"], lang="en"), lang="en", all_cells=False)
    assert "Continuity checks" in en and "carried over 63%" in en
    assert "lines 4–5 ← last year lines 4–5" in en


def test_compare_cli_text_json_and_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    last, this = str(CLEAN_2019), str(YOY / "zhaotong-2019.txt")
    out = runner.invoke(main, ["compare", last, this])
    assert out.exit_code == 0, out.output
    assert "连续性检查" in out.output and "未发现问题" in out.output

    broken = tmp_path / "2019.txt"
    broken.write_text(
        _sub(_text("2019"), "二、上年结转政府信息公开申请数量 | 2 | 1 |", "二、上年结转政府信息公开申请数量 | 3 | 1 |"), encoding="utf-8"
    )
    js = runner.invoke(main, ["compare", last, str(broken), "--format", "json", "--lang", "en"])
    assert js.exit_code == 1  # an error finding, --fail-on error
    doc = json.loads(js.output)
    assert (doc["tool"], doc["schema"], doc["command"]) == ("xxgk-lint", 1, "compare")
    assert doc["last"]["report_year"] == 2018 and doc["this"]["report_year"] == 2019
    assert doc["mapping"] == "identity" and doc["consecutive"] is True
    x101 = [f for f in doc["findings"] if f["rule"] == "X101"]
    assert [(f["cell"], f["expected"], f["actual"]) for f in x101] == [("carried_over.natural_person", 2, 3)]
    assert x101[0]["last"]["cells"][0]["line"] == 55 and x101[0]["fingerprint"]
    cell = next(c for c in doc["cells"] if c["table"] == "active" and c["cell"] == "licensing.prev_count")
    assert (cell["last"]["value"], cell["this"]["value"], cell["change"]) == (15, 17, 2)
    one = next(s for s in doc["sections"] if s["ordinal"] == "一")
    assert one["status"] == "reworded" and 0.5 < one["similarity"]["carried"] < 0.9
    assert one["passages"] and one["passages"][0]["this_lines"] == [4, 5]
    assert doc["summary"] == {"errors": 1, "warnings": 0, "infos": 0}
    assert runner.invoke(main, ["compare", last, str(broken), "--fail-on", "never"]).exit_code == 0

    target = tmp_path / "out.json"
    assert runner.invoke(main, ["compare", last, this, "--format", "json", "-o", str(target)]).exit_code == 0
    assert json.loads(target.read_text(encoding="utf-8"))["findings"] == []

    missing = runner.invoke(main, ["compare", last, str(tmp_path / "nope.txt")])
    assert missing.exit_code == 2 and "E001" in missing.output


def test_compare_cli_module_is_light() -> None:
    import ast

    tree = ast.parse((Path(__file__).parents[1] / "src/xxgk_lint/compare/cli.py").read_text(encoding="utf-8"))
    top = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    names = {a.name for n in top for a in n.names} | {n.module for n in top if isinstance(n, ast.ImportFrom)}
    assert names <= {"annotations", "__future__", "sys", "Path", "pathlib", "click"}, names


HOSTILE = "<script>document.title='pwned'</script>"


def _copied_pair() -> tuple[FileResult, FileResult]:
    """2019 -> 2020 with section 五 copied (years changed) and 上年结转 off; both carry a script tag."""
    y2019 = _sub(_text("2019"), "督促按时更新。", "督促按时更新。" + HOSTILE)
    y2020 = _text("2020")
    copied = _section(y2019, FIVE, "六、").replace("2020年", "2021年")
    text = _sub(y2020, _section(y2020, FIVE, "六、"), copied)
    text = _sub(text, "二、上年结转政府信息公开申请数量 | 1 | 1 |", "二、上年结转政府信息公开申请数量 | 2 | 1 |")
    return _lint(y2019, "2019.txt"), _lint(text, f"2020{HOSTILE}.txt")


def _tree(html: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(html.encode("utf-8"))


def test_html_is_self_contained_and_escaped() -> None:
    last, this = _copied_pair()
    html = render_html(compare(last, this))
    tree = _tree(html)
    assert tree.xpath("//script") == [] and "<script>document" not in html
    assert html.count("&lt;script&gt;document.title") >= 3  # the path, the passage, the finding
    assert tree.xpath('//meta[@http-equiv="Content-Security-Policy"]/@content') == [CSP]
    assert tree.xpath("//link | //img | //iframe | //object | //form") == []
    assert all(h.startswith("#") for h in tree.xpath("//@href"))
    assert tree.xpath('//article[@data-rule="X101"][@data-cell="requests.carried_over.natural_person"]')
    assert tree.xpath('//tr[@data-cell="requests.carried_over.natural_person"][contains(@class, "flagged")]')
    en = _tree(render_html(compare(last, this, lang="en"), lang="en"))
    assert en.get("lang") == "en" and en.findtext(".//h2") == "last year"
    assert json.loads(render_json(compare(last, this)))["summary"] == {"errors": 1, "warnings": 1, "infos": 0}


CHROMIUM = shutil.which("chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _chromium(tmp_path: Path, *args: str) -> str:
    assert CHROMIUM is not None
    done = subprocess.run(
        [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not on PATH (Debian package: chromium)")
def test_compare_html_in_headless_chromium(tmp_path: Path) -> None:
    last, this = _copied_pair()
    page = tmp_path / "compare.html"
    assert CliRunner().invoke(main, ["compare", str(YOY / "zhaotong-2020.txt"), str(YOY / "zhaotong-2021.txt")]).exit_code == 0
    page.write_text(render_html(compare(last, this)), encoding="utf-8")
    dom = _tree(_chromium(tmp_path, "--dump-dom", page.as_uri()))
    assert dom.findtext(".//title") == "政府信息公开工作年度报告逐年比较"  # the report's script never ran
    assert dom.xpath("//script") == []
    # the cell table: every cell of the 2019 format, with last year's value, this year's and the change
    rows = dom.xpath('//table[@id="cell-table"]//tr[@data-cell]')
    assert len(rows) == 22 + 161 + 15
    prev = dom.xpath('//tr[@data-cell="active.licensing.prev_count"]')[0]
    assert [td.text_content() for td in prev.xpath("./td")[2:5]] == ["17", "20", "+3"]
    # the copied passages, as written this year, with their lines in both years
    quotes = dom.xpath('//section[@id="s-五"]//blockquote[@class="passage"]')
    assert quotes and "上年度问题整改情况" in quotes[0].text_content() and "2021年" in quotes[-1].text_content()
    assert dom.xpath('//article[@data-rule="X105"]//blockquote[@class="passage"]')
    assert HOSTILE[:-1] in quotes[-1].text_content()  # shown as text, never run

    shot = tmp_path / "compare.png"
    _chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,2400", page.as_uri())
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", data[16:24]) == (1280, 2400)
    assert len(data) > 50_000
