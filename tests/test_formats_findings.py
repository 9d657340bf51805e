"""The same report in txt, HTML, DOCX and PDF gives the same findings (modulo positions).

Fixtures are the seeds rendered into each format by ``readers_util`` (merged header cells as real
sites and Word documents have them).  Compared: rule, severity, section, table and cell of every
finding, and every result's path is the file that was checked.  DOCX and PDF are compared on all
rules.  Only for HTML are date rules (D) left out — a page carries its own publish date — and so are
hygiene rules (H): the HTML reader drops site chrome that the scraped .txt still contains.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from readers_util import build_docx, build_pdf, html_legacy, html_modern, seed_model, seed_path
from xxgk_lint.pipeline import FileResult, Options, lint_path

TITLES = {
    "000": ("重庆市经济和信息化委员会2018年政府信息公开工作年度报告", "重庆市经济和信息化委员会", "2019-03-20"),
    "001": ("商丘市工业和信息化委员会2017年政府信息公开工作年度报告", "商丘市工业和信息化委员会", "2018-03-20"),
    "002": ("重庆市2020年政府信息公开工作年度报告", "重庆市人民政府", "2021-03-25"),
    "003": ("昭通市政务服务管理局2018年政府信息公开工作年度报告", "昭通市政务服务管理局", "2019-01-31"),
    "004": ("浙江省经济和信息化厅2019年政府信息公开工作年度报告", "浙江省经济和信息化厅", "2020-01-15"),
}


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], FileResult]:
    d = tmp_path_factory.mktemp("same")
    out: dict[tuple[str, str], FileResult] = {}
    for prefix, (title, agency, published) in TITLES.items():
        model = seed_model(prefix)
        files: dict[str, Path] = {"txt": seed_path(prefix)}
        html = d / f"{prefix}.html"
        modern = prefix in ("000", "002", "003")
        maker = html_modern if modern else html_legacy
        text = maker(model, title=title, agency=agency, published=published)
        if modern:
            html.write_text(text, encoding="utf-8")
        else:
            html.write_bytes(text.encode("gb18030"))
        files["html"] = html
        for fmt, build in (("docx", build_docx), ("pdf", build_pdf)):
            files[fmt] = d / f"{prefix}.{fmt}"
            build(model, files[fmt])
        for fmt, path in files.items():
            out[(fmt, prefix)] = lint_path(path, Options())
    return out


# rule families that differ for a real reason in a format (page chrome and metadata in HTML)
DIFFERS: dict[str, str] = {"html": "DH", "docx": "", "pdf": ""}


def signature(r: FileResult, fmt: str) -> Counter[tuple[object, ...]]:
    skip = DIFFERS.get(fmt, "")
    return Counter(
        (f.rule, f.severity, f.section, f.table, f.cell) for f in r.findings if f.rule[0] not in skip
    )


@pytest.mark.parametrize("prefix", sorted(TITLES))
@pytest.mark.parametrize("fmt", ["html", "docx", "pdf"])
def test_same_findings_in_every_format(
    results: dict[tuple[str, str], FileResult], fmt: str, prefix: str
) -> None:
    txt = results[("txt", prefix)]
    other = results[(fmt, prefix)]
    assert other.report is not None and other.report.template == txt.report.template
    # the result names the file checked (not e.g. a metadata key the reader reused as a name)
    assert other.path.endswith(f"{prefix}.{fmt}") and Path(other.path).is_file()
    assert other.doc is not None and other.doc.path == other.path
    assert signature(other, fmt) == signature(txt, fmt), (
        signature(other, fmt) - signature(txt, fmt),
        signature(txt, fmt) - signature(other, fmt),
    )


def test_findings_point_into_each_format(results: dict[tuple[str, str], FileResult]) -> None:
    r = results[("pdf", "004")]
    slash = next(f for f in r.findings if f.rule == "T101" and f.table == "active")
    assert slash.page is not None and slash.line is not None
    r = results[("html", "004")]
    missing = next(f for f in r.findings if f.rule == "S101")
    assert missing.section == "六"
    assert r.doc is not None and r.doc.encoding == "gb18030"
