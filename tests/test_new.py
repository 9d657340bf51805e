"""``xxgk-lint new``: blank report skeletons built from the template data pass ``check``."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from xxgk_lint.fix.cli import new
from xxgk_lint.fix.skeleton import build_skeleton, render_markdown, template_for_year
from xxgk_lint.parse.template import get_template
from xxgk_lint.pipeline import Options, lint_path


@pytest.mark.parametrize("fmt", ["md", "docx"])
@pytest.mark.parametrize("kind", ["department", "government"])
@pytest.mark.parametrize("year", [2020, 2024])
def test_new_then_check_is_clean(tmp_path: Path, year: int, kind: str, fmt: str) -> None:
    out = tmp_path / f"report.{fmt}"
    res = CliRunner().invoke(new, ["--year", str(year), "--kind", kind, "--format", fmt, "--output", str(out)])
    assert res.exit_code == 0, res.output
    r = lint_path(out, Options())
    assert r.report is not None
    assert r.report.template == ("gov-2019" if year == 2020 else "gov-2021")
    assert r.report.report_year == year and r.report.kind == kind
    bad = [
        (f.rule, f.severity, f.message)
        for f in r.findings
        if f.rule[0] in "ST" and f.severity in ("error", "warning") and not f.rule.startswith("S3")
    ]
    assert bad == []
    # the content duties (S3xx) are not met by the skeleton's 【请写明:…】 placeholders: each duty it
    # reports is one a placeholder asks for, and H201 points at that placeholder
    duties = [f for f in r.findings if f.rule.startswith("S3")]
    asks = [t for _, t in r.report.paragraphs if t.startswith("【请写明:")]
    for f in duties:
        assert f.actual in (None, [], "") and any(str(f.expected[0][0]) in t for t in asks), (f.rule, f.expected, asks)
    assert bool(duties) == bool(asks)
    assert any(f.rule == "H201" for f in r.findings)
    # every template cell was read, as the number 0
    template = get_template(r.report.template)
    for key, spec in template.tables.items():
        table = r.report.tables[key]
        for rk, ck in spec.cell_keys():
            cv = table.cell(rk, ck)
            assert (cv.status, cv.raw) == ("number", "0"), (key, rk, ck, cv)


def test_skeleton_follows_the_template_data() -> None:
    for year in (2019, 2020, 2021, 2024, 2030):
        tpl = template_for_year(year)
        assert tpl.id == ("gov-2019" if year < 2021 else "gov-2021")
        text = render_markdown(build_skeleton(year))
        for sec in tpl.sections:
            assert f"## {sec.ordinal}、{sec.title}\n" in text
        for spec in tpl.tables.values():
            for r in spec.all_rows():
                assert r.label in text
            for c in list(spec.columns) + [c for st in spec.subtables for c in st.columns]:
                assert f"| {c.label} |" in text
            for st in spec.subtables:
                assert f"| {st.caption} |" in text
    text = render_markdown(build_skeleton(2024, "government", "某某县人民政府"))
    assert text.startswith("# 某某县人民政府2024年政府信息公开工作年度报告\n")
    assert "信息处理费" in text and "上年度" in text and "社会评议" in text  # content duties of 2021 / governments
    assert text.rstrip().endswith("某某县人民政府\n\n2025年  月  日")
    assert "信息处理费" not in render_markdown(build_skeleton(2020))


def test_new_md_to_stdout_and_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    res = runner.invoke(new, ["--year", "2021", "--agency", "某某市教育局"])
    assert res.exit_code == 0 and res.output.startswith("# 某某市教育局2021年政府信息公开工作年度报告")
    res = runner.invoke(new, ["--year", "2018"])
    assert res.exit_code == 2 and "2018年度没有统一的年度报告格式" in res.output
    res = runner.invoke(new, ["--year", "2018", "--lang", "en"])
    assert res.exit_code == 2 and "no unified report format for 2018" in res.output
    out = tmp_path / "x.md"
    out.write_text("keep", encoding="utf-8")
    res = runner.invoke(new, ["--year", "2024", "-o", str(out)])
    assert res.exit_code == 2 and out.read_text(encoding="utf-8") == "keep"
    res = runner.invoke(new, ["--year", "2024", "-o", str(out), "--force"])
    assert res.exit_code == 0 and out.read_text(encoding="utf-8").startswith("# XX市XX局2024年")
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    res = runner.invoke(new, ["--year", "2024", "--format", "docx"])
    assert res.exit_code == 0 and (cwd / "xxgk-report-2024.docx").is_file()


def test_new_is_registered_and_light() -> None:
    from xxgk_lint.cli import main

    assert main.get_command(None, "new") is new  # type: ignore[arg-type]
    code = "import sys, xxgk_lint.fix.cli; print(sorted(m for m in ('lxml', 'docx', 'yaml', 'lark') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def _fill(text: str, year: int) -> str:
    """What an agency writes over the skeleton's placeholders (the duties' keywords included)."""
    text = re.sub(
        r"【请写明本报告电子版的查阅网址[^】]*】",
        "本报告电子版可在某某市人民政府门户网站查阅;对本报告有疑问的,可联系某某市教育局办公室(电话:0571-12345678)。",
        text,
    )
    text = text.replace(
        "【请写明:上年度问题、整改情况。】",
        "针对上年度报告指出的栏目更新不及时问题,已完成整改:建立栏目责任人制度,每月检查一次。",
    )
    text = text.replace("【请写明:信息处理费收取情况。】", "本年度未收取信息处理费。")
    text = text.replace(
        "【请写明:工作考核、社会评议、责任追究。】",
        "本年度将政府信息公开纳入工作考核,组织社会评议,未发生责任追究情形。",
    )
    text = re.sub(r"【请填写本部分内容:([^】]*)。】(?:(请在下表[^)]*))?", r"本年度\1详见下文,数据如下。", text)
    return text.replace(f"{year + 1}年  月  日", f"{year + 1}年1月20日")


@pytest.mark.parametrize("kind", ["department", "government"])
def test_unfilled_skeleton_fires_h201_and_a_filled_one_passes(tmp_path: Path, kind: str) -> None:
    blank = tmp_path / "blank.md"
    blank.write_text(render_markdown(build_skeleton(2024, kind, "某某市教育局")), encoding="utf-8")
    r = lint_path(blank, Options())
    assert r.report is not None
    h201 = [f for f in r.findings if f.rule == "H201"]
    lines = blank.read_text(encoding="utf-8").splitlines()
    placeholder_lines = [i for i, line in enumerate(lines, 1) if "【请" in line]
    assert [f.line for f in h201] == placeholder_lines and len(h201) >= 7
    assert all(f.severity == "warning" and f.actual == ["【请"] for f in h201)
    five = next(f for f in h201 if f.context == "【请写明:上年度问题、整改情况。】")
    assert five.section == "五" and five.column == 1
    intro = h201[0]  # the placeholder at the end of the opening paragraph: its column, not 1
    assert intro.column == lines[intro.line - 1].index("【请") + 1 > 100  # type: ignore[operator]

    filled = tmp_path / "filled.md"
    filled.write_text(_fill(blank.read_text(encoding="utf-8"), 2024), encoding="utf-8")
    assert "【请" not in filled.read_text(encoding="utf-8")
    r = lint_path(filled, Options())
    assert [(f.rule, f.message) for f in r.findings] == []  # "passes check once filled"


@pytest.mark.parametrize("kind", ["department", "government"])
@pytest.mark.parametrize("year", [2020, 2024])
def test_filled_in_skeleton_meets_the_content_duties(tmp_path: Path, year: int, kind: str) -> None:
    """Writing the asked-for content in place of each 【请写明:…】 placeholder silences S3xx."""
    out = tmp_path / "report.md"
    res = CliRunner().invoke(new, ["--year", str(year), "--kind", kind, "--format", "md", "--output", str(out)])
    assert res.exit_code == 0, res.output
    text = out.read_text(encoding="utf-8")
    filled = re.sub(r"【请写明:([^】]*)。】", lambda m: f"本年度{m.group(1)}情况如下:已按要求落实。", text)
    out.write_text(filled, encoding="utf-8")
    r = lint_path(out, Options())
    assert not [f.rule for f in r.findings if f.rule.startswith("S3")]

