"""HTML report: self-contained, escaped, CSP-locked, and it shows the report's own rows and lines."""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import lxml.html
import pytest
from lxml.html import HtmlElement
from tests.conftest import SEED, lint_file, lint_text

from xxgk_lint.pipeline import FileResult
from xxgk_lint.render.html import CSP, render_html

TITLE_ZH = "政府信息公开工作年度报告检查结果"
PWN = "<script>document.title='pwned'</script>"
HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(1)>" + PWN
HOSTILE_CELL = "<img src=x onerror=alert(1)>"
HOSTILE_CELL2 = "5234.55<script>alert(1)</script>"
HOSTILE_NAME = "x<script>alert(1)</script>.txt"


@pytest.fixture(scope="module")
def seed004() -> FileResult:
    return lint_file(SEED["004"])


@pytest.fixture(scope="module")
def seed_html(seed004: FileResult) -> str:
    return render_html([seed004])


@pytest.fixture(scope="module")
def hostile() -> FileResult:
    """Seed 004 with markup in a paragraph (the last line, quoted by S101) and in two table cells."""
    text = SEED["004"].read_text(encoding="utf-8")
    for old, new in [
        ("规章 | / | / | 8 |", f"规章 | / | {HOSTILE_CELL} | 8 |"),
        ("政府集中采购 | 158 | 5234.55万元 |", f"政府集中采购 | 158 | {HOSTILE_CELL2} |"),
    ]:
        assert old in text
        text = text.replace(old, new)
    text = text.rstrip("\n") + "\n附:" + HOSTILE + "\n"
    return lint_text(text, name=HOSTILE_NAME)


@pytest.fixture(scope="module")
def hostile_html(hostile: FileResult) -> str:
    return render_html([hostile])


def _tree(html: str) -> HtmlElement:
    return lxml.html.document_fromstring(html)


def _findings(tree: HtmlElement, rule: str, cell: str | None = None) -> list[HtmlElement]:
    xp = f'//article[@data-rule="{rule}"]' + (f'[@data-cell="{cell}"]' if cell else "")
    return tree.xpath(xp)


def _hl_cells(article: HtmlElement) -> list[HtmlElement]:
    return article.xpath('.//td[contains(concat(" ", normalize-space(@class), " "), " hl ")]')


def _assert_locked_down(tree: HtmlElement) -> None:
    assert tree.xpath("//script") == []
    metas = tree.xpath('//head/meta[@http-equiv="Content-Security-Policy"]')
    assert len(metas) == 1
    csp = metas[0].get("content")
    assert csp == CSP
    assert "default-src 'none'" in csp and "script-src" not in csp and "unsafe-inline" in csp
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on"), (el.tag, name)
            if name in ("src", "href", "action", "formaction", "data"):
                assert value.startswith("#"), (el.tag, name, value)
    assert tree.xpath("//link | //img | //iframe | //object | //embed | //form | //base") == []


def test_seed_004_summary_block(seed_html: str, seed004: FileResult) -> None:
    tree = _tree(seed_html)
    _assert_locked_down(tree)
    assert tree.get("lang") == "zh-CN"
    assert tree.findtext(".//title") == TITLE_ZH
    section = tree.xpath('//section[@class and contains(@class, "file")]')[0]
    assert section.findtext(".//h2") == str(SEED["004"])
    meta = dict(zip(section.xpath(".//dt/text()"), section.xpath(".//dd/text()"), strict=True))
    assert meta["格式版本"] == "gov-2019"
    assert meta["报告年度"] == "2019"
    assert set(meta) >= {"机关", "主体类型", "发布日期"}
    # no publication date in seed 004 (D102): the deadline is still shown, timeliness cannot be told
    assert seed004.report is not None and seed004.report.published_on is None
    assert "D102" in [f.rule for f in seed004.findings]
    due = "2020-01-31" if seed004.report.kind == "department" else "2020-03-31"
    assert meta["法定期限"].startswith(f"{due}(《政府信息公开条例》(2019年修订)第四十九条;")
    assert meta["发布日期"] == "未识别" and meta["是否按期"] == "无法判断"
    counts = " ".join(section.xpath('.//p[@class="counts"]//text()'))
    errors = sum(f.severity == "error" for f in seed004.findings)
    warnings = sum(f.severity == "warning" for f in seed004.findings)
    assert f"错误 {errors}" in counts and f"警告 {warnings}" in counts


def _meta_of(html: str) -> dict[str, str]:
    section = _tree(html).xpath('//section[@class and contains(@class, "file")]')[0]
    return {
        div.findtext("dt"): (div.findtext("dd"), div.get("class"))
        for div in section.xpath('.//dl[@class="meta"]/div')
    }


def test_published_on_option_gives_date_source_and_days_late(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from xxgk_lint.cli import main

    page = tmp_path / "r.html"
    args = ["check", "--no-config", "--format", "html", "--kind", "department", "-o", str(page)]
    res = CliRunner().invoke(main, [*args, "--published-on", "2020-02-15", str(SEED["004"])])
    assert res.exit_code == 1, res.output
    html = page.read_text(encoding="utf-8")
    meta = _meta_of(html)
    assert meta["发布日期"] == ("2020-02-15(来源:命令行参数)", "meta-published_on")
    assert meta["法定期限"] == ("2020-01-31(《政府信息公开条例》(2019年修订)第四十九条;政府部门)", "meta-deadline")
    assert meta["是否按期"] == ("逾期 15 天", "meta-timeliness late")
    (d101,) = _findings(_tree(html), "D101")  # the summary and the finding agree
    assert "逾期 15 天" in d101.text_content()

    res = CliRunner().invoke(main, [*args, "--lang", "en", "--published-on", "2020-01-31", str(SEED["004"])])
    meta = _meta_of(page.read_text(encoding="utf-8"))
    assert meta["published"] == ("2020-01-31 (source: command-line option)", "meta-published_on")
    assert meta["legal deadline"][0] == "2020-01-31 (Regulation (2019 revision), art. 49; department)"
    assert meta["on time"] == ("on time", "meta-timeliness on-time")
    assert not _findings(_tree(page.read_text(encoding="utf-8")), "D101")


def test_every_finding_rendered_with_data_rule(seed_html: str, seed004: FileResult) -> None:
    tree = _tree(seed_html)
    articles = tree.xpath("//article[@data-rule]")
    rules_in_page = sorted(a.get("data-rule") for a in articles if "finding" in a.get("class"))
    assert rules_in_page == sorted(f.rule for f in seed004.findings)
    assert len(_findings(tree, "S101")) == 1
    assert len(_findings(tree, "T101")) >= 19


def test_missing_section_shows_expected_text(seed_html: str) -> None:
    s101 = _findings(_tree(seed_html), "S101")[0]
    assert "sev-error" in s101.get("class")
    text = s101.text_content()
    assert "缺少第六部分" in text
    assert "六、其他需要报告的事项" in s101.xpath('.//div[@class="expected"]/code/text()')


def test_slash_cells_of_the_regulations_row_are_highlighted(seed_html: str) -> None:
    tree = _tree(seed_html)
    (t101,) = _findings(tree, "T101", "regulations.made")
    row = t101.xpath('.//tr[@data-line="25"]')[0]
    cells = row.xpath("./td")
    assert [c.text_content() for c in cells][:4] == ["规章", "/", "/", "8"]
    hl = _hl_cells(t101)
    assert [(c.text_content(), c.get("data-column")) for c in hl] == [("/", "6"), ("/", "10")]
    assert "hl" not in cells[3].get("class").split()  # the 8 is fine
    # the header row above is shown as context, not highlighted
    header = t101.xpath('.//tr[@data-line="24"]')[0]
    assert "ctx" in header.get("class").split() and not _hl_cells(header)


def test_unplaced_and_grouped_cells_are_highlighted(seed_html: str) -> None:
    tree = _tree(seed_html)
    (partial,) = _findings(tree, "T101", "partial.total")
    assert [c.text_content() for c in _hl_cells(partial)] == ["/", "/"]  # the placed 总计 and the unplaced one
    columns = {}
    for cell in ("review.upheld", "suit_direct.upheld", "suit_after.upheld"):
        (art,) = _findings(tree, "T101", cell)
        columns[cell] = [int(c.get("data-column")) for c in _hl_cells(art)]
    assert columns == {
        "review.upheld": [1, 5, 9, 13, 17],
        "suit_direct.upheld": [21, 25, 29, 33, 37],
        "suit_after.upheld": [41, 45, 49, 53, 57],
    }


def test_row_level_finding_highlights_the_row(seed_html: str) -> None:
    (t107,) = _findings(_tree(seed_html), "T107")
    row = t107.xpath('.//tr[@data-line="45"]')[0]
    assert "hl" in row.get("class").split()
    assert not _hl_cells(t107)


def test_rule_docs_are_linked(seed_html: str) -> None:
    tree = _tree(seed_html)
    link = _findings(tree, "T101")[0].xpath('.//a[@class="code"]')[0]
    assert link.get("href") == "#rule-T101"
    rule = tree.get_element_by_id("rule-T101")
    assert "规章 | 0 | 0 | 8 |" in rule.text_content()


def test_report_text_is_escaped_never_markup(hostile_html: str, hostile: FileResult) -> None:
    tree = _tree(hostile_html)
    _assert_locked_down(tree)  # no <script>, no <img>, no on* attribute anywhere
    # escaped in the source ...
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile_html
    assert "&lt;img src=x onerror=alert(1)&gt;" in hostile_html
    # ... and shown as text: the paragraph (quoted as the last line by S101) and both cells
    (s101,) = _findings(tree, "S101")
    focus = s101.xpath('.//tr[contains(@class, "focus")]/td')[0]
    assert focus.text_content() == "附:" + HOSTILE
    t106 = {a.get("data-cell"): a for a in _findings(tree, "T106")}
    assert [c.text_content() for c in _hl_cells(t106["regulations.published"])] == [HOSTILE_CELL]
    assert [c.text_content() for c in _hl_cells(t106["procurement.amount"])] == [HOSTILE_CELL2]
    assert tree.xpath("//section/h2")[0].text_content() == HOSTILE_NAME
    assert tree.findtext(".//title") == TITLE_ZH


def test_english(seed004: FileResult) -> None:
    en = lint_file(SEED["004"], lang="en")
    tree = _tree(render_html([en, seed004], lang="en"))
    assert tree.get("lang") == "en"
    assert "expected" in tree.xpath('//div[@class="expected"]/span/text()')
    assert tree.xpath('//nav[@class="index"]//a/@href') == ["#file-1", "#file-2"]
    assert any("instead of a number" in m for m in tree.xpath('//p[@class="message"]/text()'))


def test_unreadable_file_and_empty_run(tmp_path: Path) -> None:
    missing = lint_file(tmp_path / "nope.txt")
    tree = _tree(render_html([missing]))
    (e001,) = _findings(tree, "E001")
    assert e001.get("data-line") is None
    assert "无行号" in e001.text_content()
    assert e001.xpath('.//p[contains(@class, "missing")]')
    empty = _tree(render_html([]))
    assert empty.xpath("//article") == []
    assert empty.findtext(".//title") == TITLE_ZH


def test_merged_cells_and_rows_without_columns() -> None:
    """A docx/HTML-like table: a rowspan copy keeps the row's columns; no column = the whole row."""
    from xxgk_lint.check.findings import Finding
    from xxgk_lint.read.document import Block, Cell, Document, Row

    rows = (
        Row((Cell("行政复议", 10, 1, rowspan=2), Cell("维持", 10, 6)), 10),
        Row((Cell("行政复议", 10, 1, spanned=True, origin_column=1), Cell("/", 11, 3)), 11),
    )
    doc = Document("t.docx", "docx", blocks=[Block("table", 10, 11, rows=rows)])
    by_cell = Finding(rule="T101", severity="warning", message="m", line=11, column=3, table="reviews", cell="review.upheld")
    by_row = Finding(rule="T002", severity="error", message="m", line=11, table="reviews", cell="review")
    tree = _tree(render_html([FileResult("t.docx", [by_cell, by_row], doc=doc)]))
    (t101,) = _findings(tree, "T101")
    row = t101.xpath('.//tr[@data-line="11"]')[0]
    assert [(c.text_content(), c.get("class")) for c in row.xpath("./td")] == [("行政复议", "cell span"), ("/", "cell hl")]
    (t002,) = _findings(tree, "T002")
    assert "hl" in t002.xpath('.//tr[@data-line="11"]')[0].get("class").split()


# --- a real browser -----------------------------------------------------------------------------

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


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    profile = tmp_path / "profile"
    return subprocess.run(
        [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


# Test-only paint markers: a unique colour for each element the first screen must show.  The page
# allows no script, so positions are read back from the screenshot's pixels, not from the DOM.
MARKERS = {
    "S101": ('article[data-rule="S101"] tr.focus td.text', (0, 255, 0)),
    "T101": ('article[data-rule="T101"] td.cell.hl', (0, 0, 255)),
    "T204": ('article[data-rule="T204"] td.cell.hl', (255, 0, 255)),
}


def _painted_rows(tmp_path: Path, html: str, height: int) -> dict[str, tuple[int, int] | None]:
    """Screenshot the page in a 1280 x ``height`` window; for each marker, the first and last pixel
    row painted in its colour (None: not within the window)."""
    image = pytest.importorskip("PIL.Image")
    style = "".join(f"{sel} {{ background: rgb{rgb} !important; }}" for sel, rgb in MARKERS.values())
    page = tmp_path / "marked.html"
    page.write_text(html.replace("</head>", f"<style>{style}</style></head>", 1), encoding="utf-8")
    shot = tmp_path / "marked.png"
    _chromium(tmp_path, "--hide-scrollbars", f"--screenshot={shot}", f"--window-size=1280,{height}", page.as_uri())
    assert _png_size(shot) == (1280, height)
    with image.open(shot) as im:
        rgb = im.convert("RGB")
        out: dict[str, tuple[int, int] | None] = {}
        for code, (_sel, colour) in MARKERS.items():
            rows = [y for y in range(0, height, 2) if any(rgb.getpixel((x, y)) == colour for x in range(0, 1280, 8))]
            out[code] = (rows[0], rows[-1]) if rows else None
    return out


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not on PATH (Debian package: chromium)")
def test_first_screen_shows_the_errors_then_the_slash_cells(tmp_path: Path, seed_html: str) -> None:
    """Errors come first in a file's findings: seed 004's S101 (missing section 六) is no longer the
    last of ~28 findings, and the first T101 "/" cells follow within a 1280x1600 window."""
    tree = _tree(seed_html)
    order = [a.get("data-severity") for a in tree.xpath('//article[contains(@class, "finding")]')]
    assert order == sorted(order, key=["error", "warning", "info"].index)
    assert tree.xpath('//article[contains(@class, "finding")]')[0].get("data-rule") == "S101"
    painted = _painted_rows(tmp_path, seed_html, 1600)
    s101, t101 = painted["S101"], painted["T101"]
    assert s101 is not None and t101 is not None, painted
    assert s101[1] < t101[0] < 1600


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not on PATH (Debian package: chromium)")
def test_headless_chromium_renders_and_runs_no_report_script(tmp_path: Path, hostile_html: str) -> None:
    page = tmp_path / "report.html"
    page.write_text(hostile_html, encoding="utf-8")
    shot = tmp_path / "shot.png"
    _chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,2000", page.as_uri())
    assert shot.stat().st_size > 20_000
    assert _png_size(shot) == (1280, 2000)

    dom = _chromium(tmp_path, "--dump-dom", page.as_uri()).stdout
    tree = _tree(dom)
    assert tree.findtext(".//title") == TITLE_ZH  # the report's document.title='pwned' never ran
    assert len(tree.xpath("//article[@data-rule]")) >= 20
    assert _findings(tree, "S101") and _findings(tree, "T101")
    assert tree.xpath('//td[@class="cell hl"]')
    assert tree.xpath("//script") == []

    # and the CSP blocks inline script even if escaping ever failed
    leaky = page.with_name("leaky.html")
    leaky.write_text(hostile_html.replace("<main>", "<main>" + PWN, 1), encoding="utf-8")
    leaky_dom = _chromium(tmp_path, "--dump-dom", leaky.as_uri()).stdout
    leaky_tree = _tree(leaky_dom)
    assert len(leaky_tree.xpath("//script")) == 1  # the injected element is there ...
    assert leaky_tree.findtext(".//title") == TITLE_ZH  # ... and did not run


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not on PATH (Debian package: chromium)")
def test_reconciliation_error_highlighted_in_the_browser(tmp_path: Path) -> None:
    """A broken 总计 in table 四 (T204) and a broken row total in table 三 (T203) are shown with the
    offending cell highlighted, next to seed 004's missing section and "/" cells."""
    from tests.conftest import CLEAN_2019, lint_text

    text = CLEAN_2019.read_text(encoding="utf-8")
    text = text.replace("1 | 1 | 0 | 1 | 3 | 1 |", "1 | 1 | 0 | 1 | 4 | 1 |")
    text = text.replace("(一)予以公开 | 8 | 2 | 0 | 0 | 1 | 0 | 11 |", "(一)予以公开 | 8 | 2 | 0 | 0 | 1 | 0 | 13 |")
    broken = lint_text(text, "broken.txt")
    html = render_html([broken, lint_file(SEED["004"])])
    page = tmp_path / "r.html"
    page.write_text(html, encoding="utf-8")
    # the broken cell, seed 004's missing section and its first "/" cells are all on the first screen
    painted = _painted_rows(tmp_path, html, 3000)
    assert all(painted.values()), painted
    assert painted["T204"] < painted["S101"] < painted["T101"]  # type: ignore[operator]
    tree = _tree(_chromium(tmp_path, "--dump-dom", page.as_uri()).stdout)
    (t204,) = _findings(tree, "T204", "review.total")
    assert [c.text_content() for c in _hl_cells(t204)] == ["4"]
    t203 = _findings(tree, "T203", "granted.total")
    assert t203 and [c.text_content() for c in _hl_cells(t203[0])] == ["13"]
    assert _findings(tree, "S101") and _hl_cells(_findings(tree, "T101")[0])


def test_config_rules_are_documented_in_the_page(tmp_path: Path) -> None:
    from click.testing import CliRunner
    from tests.test_render_sarif import _house_project

    from xxgk_lint.cli import main

    page = tmp_path / "r.html"
    res = CliRunner().invoke(main, ["check", "--format", "html", "-o", str(page), str(_house_project(tmp_path))])
    assert res.exit_code == 1, res.output
    tree = _tree(page.read_text(encoding="utf-8"))
    (s951,) = _findings(tree, "S951")
    assert s951.xpath('.//a[@class="code"]/@href') == ["#rule-S951"]
    doc = tree.get_element_by_id("rule-S951")
    assert "本省要求年度报告公布咨询电话。" in doc.text_content() and "咨询电话:0571-12345678" in doc.text_content()
