"""The audit dashboard in headless Chromium: charts render, the hashed script runs under the CSP,
sorting and filtering (state in the address) work, and report text cannot inject markup."""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote

import lxml.html
import pytest
from benchmarks.bench import write_report
from click.testing import CliRunner

from xxgk_lint.cli import main

CHROMIUM = shutil.which("chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HOSTILE = '<img src=x onerror="document.title=\'pwned\'">某某局</td></tr><script>document.title="pwned"</script>'
REGIONS = ["滇中", "滇西", "滇东北"]

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not on PATH (Debian package: chromium)")


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("dash")
    rows = []
    for i in range(24):
        defect = ("missing_section", "bad_total", "garbled_cell")[i % 3] if i % 4 == 3 else None
        path, _t = write_report(root / "tree", i, "txt", defect=defect, agencies=12)
        rows.append({"path": path.relative_to(root).as_posix(), "region": REGIONS[i % 3], "agency": HOSTILE if i == 5 else ""})
    (root / "tree" / "junk.docx").write_bytes(b"\x00" * 100)
    rows.append({"path": "tree/junk.docx", "region": "滇中", "agency": ""})
    manifest = root / "manifest.csv"
    with open(manifest, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["path", "region", "agency"])
        w.writeheader()
        w.writerows(rows)
    out = root / "out"
    r = CliRunner().invoke(main, ["audit", str(root / "tree"), "--manifest", str(manifest), "--out", str(out), "--progress", "none", "--jobs", "2"])
    assert r.exit_code == 0, r.output
    return out


def _chromium(tmp: Path, *args: str) -> str:
    assert CHROMIUM is not None
    proc = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={tmp / 'profile'}", *args], capture_output=True, text=True, timeout=90, check=False
    )
    return proc.stdout


def _dom(tmp: Path, url: str) -> lxml.html.HtmlElement:
    text = _chromium(tmp, "--dump-dom", url)
    assert "<table" in text, text[:500]
    return lxml.html.fromstring(text)


def _rows(tree: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    return tree.xpath('//table[@id="reports"]/tbody/tr')


def _errors(row: lxml.html.HtmlElement) -> int:
    return int(row.xpath('./td[contains(@class, "errors")]')[0].text_content())


def test_charts_and_page_render(dashboard: Path, tmp_path: Path) -> None:
    url = (dashboard / "index.html").as_uri()
    tree = _dom(tmp_path, url)
    assert tree.findtext(".//title") == "政府信息公开工作年度报告审查汇总"  # no report text ran
    for chart in ("chart-rules", "chart-regions", "chart-kinds"):
        bars = tree.xpath(f'//figure[@id="{chart}"]//*[local-name()="g"][contains(@class, "bar")]')
        assert bars, chart
        widths = [float(b.xpath('./*[local-name()="rect"]')[0].get("width")) for b in bars]
        assert max(widths) > 0
    regions = {b.get("data-label") for b in tree.xpath('//figure[@id="chart-regions"]//*[@data-label]')}
    assert set(REGIONS) <= regions
    assert len(_rows(tree)) == 25
    # the hostile agency name is text, not markup
    assert not tree.xpath('//table[@id="reports"]//img') and len(tree.xpath("//script")) == 1
    assert any("onerror" in td.text_content() for td in tree.xpath('//table[@id="reports"]//td'))
    # links to the per-report pages, which exist
    links = tree.xpath('//table[@id="reports"]//td[contains(@class, "path")]/a/@href')
    assert len(links) == 25 and all((dashboard / href).is_file() for href in links)
    shot = tmp_path / "shot.png"
    _chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,1800", url)
    assert shot.stat().st_size > 30_000


def test_sort_from_the_query(dashboard: Path, tmp_path: Path) -> None:
    base = (dashboard / "index.html").as_uri()
    tree = _dom(tmp_path, base + "?sort=-errors")
    assert tree.xpath('//table[@id="reports"]/@data-sort') == ["-errors"]
    errors = [_errors(r) for r in _rows(tree)]
    assert errors == sorted(errors, reverse=True) and errors[0] > errors[-1]
    assert tree.xpath('//th[@data-key="errors"]/@aria-sort') == ["descending"]
    tree = _dom(tmp_path, base + "#sort=errors")
    errors = [_errors(r) for r in _rows(tree)]
    assert errors == sorted(errors)
    tree = _dom(tmp_path, base + "?sort=year&dir=desc")
    years = [int(r.xpath("./td")[4].text_content() or 0) for r in _rows(tree)]
    assert years == sorted(years, reverse=True) and tree.xpath('//th[@data-key="year"]/@aria-sort') == ["descending"]


def test_filter_from_the_address(dashboard: Path, tmp_path: Path) -> None:
    base = (dashboard / "index.html").as_uri()
    tree = _dom(tmp_path, base + "?filter=" + quote("region:滇西") + "&sort=-errors")
    rows = _rows(tree)
    visible = [r for r in rows if r.get("hidden") is None]
    assert visible and len(visible) < len(rows)
    assert all(r.get("data-f-region") == "滇西" for r in visible)
    assert all(r.get("data-f-region") != "滇西" for r in rows if r.get("hidden") is not None)
    assert tree.get_element_by_id("shown").text_content().startswith(f"显示 {len(visible)} / {len(rows)}")
    errors = [_errors(r) for r in visible]
    assert errors == sorted(errors, reverse=True)
    # a rule filter and a free-text term, combined
    tree = _dom(tmp_path, base + "#filter=" + quote("rule:S101;滇中"))
    visible = [r for r in _rows(tree) if r.get("hidden") is None]
    assert visible and all("S101" in r.get("data-f-rule").split() and r.get("data-f-region") == "滇中" for r in visible)
