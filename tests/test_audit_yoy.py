"""Year over year inside `xxgk-lint audit`: the continuity rules (X1xx) over each agency's consecutive
years, their place in findings.jsonl / summary.csv / the report pages, the per-agency trend pages,
incremental re-runs, pairing by manifest id, and the agency page in headless Chromium."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import lint_text

from xxgk_lint.audit.yoy import scan_snapshots, snapshot_from_json, snapshot_to_json
from xxgk_lint.cli import main
from xxgk_lint.compare.model import snapshot

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "tests" / "fixtures"
AGENCY = "昭通市政务服务管理局"
CARRIED_2020 = "二、上年结转政府信息公开申请数量 | 1 | 1 | 0 | 0 | 0 | 0 | 2 |"
CARRIED_2020_BROKEN = "二、上年结转政府信息公开申请数量 | 1 | 2 | 0 | 0 | 0 | 0 | 3 |"
CHROMIUM = shutil.which("chromium")


def _tree(root: Path) -> Path:
    """One agency's four consecutive reports (2018 in the 2019 layout … 2021 in the 2021 layout)."""
    tree = root / "tree"
    tree.mkdir(parents=True)
    shutil.copy(FIX / "clean-2019.txt", tree / "zhaotong-2018.txt")
    for y in (2019, 2020, 2021):
        shutil.copy(FIX / "yoy" / f"zhaotong-{y}.txt", tree / f"zhaotong-{y}.txt")
    return tree


def _audit(tree: Path, out: Path, *extra: str) -> dict[str, Any]:
    r = CliRunner().invoke(main, ["audit", str(tree), "--out", str(out), "--progress", "none", "--jobs", "1", *extra],
                           catch_exceptions=False)
    assert r.exit_code in (0, 1), r.output
    return json.loads((out / "run.json").read_text(encoding="utf-8"))


def _records(out: Path) -> dict[str, dict[str, Any]]:
    recs = [json.loads(line) for line in (out / "findings.jsonl").read_text(encoding="utf-8").splitlines()]
    return {Path(r["path"]).name: r for r in recs}


def _summary(out: Path) -> dict[str, dict[str, str]]:
    with open(out / "summary.csv", encoding="utf-8-sig", newline="") as fh:
        return {Path(row["path"]).name: row for row in csv.DictReader(fh)}


def _x(rec: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in rec["findings"] if f["rule"].startswith("X")]


def _break(tree: Path) -> None:
    p = tree / "zhaotong-2020.txt"
    text = p.read_text(encoding="utf-8")
    assert CARRIED_2020 in text
    p.write_text(text.replace(CARRIED_2020, CARRIED_2020_BROKEN), encoding="utf-8")


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("yoy-clean")
    out = root / "out"
    _audit(_tree(root), out)
    return out


@pytest.fixture(scope="module")
def broken_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("yoy-broken")
    tree = _tree(root)
    _break(tree)
    out = root / "out"
    _audit(tree, out)
    return out


def test_consecutive_clean_years_are_quiet_and_get_an_agency_page(clean_run: Path) -> None:
    recs = _records(clean_run)
    assert sorted(recs) == [f"zhaotong-{y}.txt" for y in (2018, 2019, 2020, 2021)]
    assert all(_x(r) == [] and r["findings"] == [] for r in recs.values())
    run = json.loads((clean_run / "run.json").read_text(encoding="utf-8"))
    assert run["continuity"]["agencies"] == 1 and run["continuity"]["pairs"] == 3
    rows = _summary(clean_run)
    pages = {r["agency_page"] for r in rows.values()}
    assert len(pages) == 1 and next(iter(pages)).startswith("agencies/")
    page = lxml.html.fromstring((clean_run / next(iter(pages))).read_text(encoding="utf-8"))
    assert page.findtext(".//h1") == AGENCY
    assert [int(y) for y in page.xpath('//section[@id="reports"]//tr/@data-year')] == [2018, 2019, 2020, 2021]
    assert not page.xpath('//ul[@class="breaks"]/li')
    assert not page.xpath('//td[contains(concat(" ", @class, " "), " break ")]')
    # every template cell is a row with one value per year; a cell the 2021 format renamed is mapped
    new_total = page.xpath('//tr[@data-cell="new.total"]')[0]
    assert [td.get("data-v") for td in new_total.xpath('./td[@data-year]')] == ["25", "22", "21", "24"]
    assert new_total.xpath('.//svg[@class="spark"]/*[local-name()="polyline"]')
    # the dashboard lists the agency and links its rows to the page
    index = lxml.html.fromstring((clean_run / "index.html").read_text(encoding="utf-8"))
    assert index.xpath('//table[@id="agency-list"]//a/@href') == [next(iter(pages))]
    assert len(index.xpath('//table[@id="reports"]//td[@class="agency"]/a')) == 4


def test_a_broken_carry_over_fires_x101_in_this_years_record(broken_run: Path) -> None:
    recs = _records(broken_run)
    assert _x(recs["zhaotong-2019.txt"]) == [] and _x(recs["zhaotong-2021.txt"]) == []
    xs = {f["cell"]: f for f in _x(recs["zhaotong-2020.txt"])}
    assert set(xs) == {"carried_over.commercial", "carried_over.total"}
    f = xs["carried_over.commercial"]
    assert (f["rule"], f["severity"], f["expected"], f["actual"], f["line"]) == ("X101", "error", 1, 2, 33)
    assert f["last"]["report_year"] == 2019 and f["last"]["path"].endswith("zhaotong-2019.txt")
    assert "2019" in f["message"] and f["fingerprint"]
    assert (xs["carried_over.total"]["expected"], xs["carried_over.total"]["actual"]) == (2, 3)
    # counted like any finding: the summary's X column and errors, the patched report page
    row = _summary(broken_run)["zhaotong-2020.txt"]
    assert row["X"] == "2" and int(row["errors"]) >= 2 and "X101" in row["rules"].split()
    report_page = (broken_run / row["page"]).read_text(encoding="utf-8")
    assert "X101" in report_page and 'name="xxgk-lint-continuity"' in report_page
    # the agency page: the break listed, this year's cell boxed, last year's cell it was compared with dashed
    page = lxml.html.fromstring((broken_run / row["agency_page"]).read_text(encoding="utf-8"))
    assert sorted(li.get("data-rule") for li in page.xpath('//ul[@class="breaks"]/li')) == ["X101", "X101"]
    cell = page.xpath('//tr[@data-cell="carried_over.commercial"]/td[@data-year="2020"]')[0]
    assert "break" in cell.get("class").split() and cell.get("data-v") == "2"
    ref = page.xpath('//tr[@data-cell="carried_forward.commercial"]/td[@data-year="2019"]')[0]
    assert "break-ref" in ref.get("class").split()


def test_rerun_reuses_pairs_and_a_fix_clears_the_break(tmp_path: Path) -> None:
    tree = _tree(tmp_path)
    _break(tree)
    out = tmp_path / "out"
    _audit(tree, out)
    page = _summary(out)["zhaotong-2020.txt"]["agency_page"]
    mtime = (out / page).stat().st_mtime_ns
    again = _audit(tree, out)
    assert again["counts"]["reused"] == 4 and again["counts"]["checked"] == 0
    c = again["continuity"]
    assert (c["pairs_computed"], c["pairs_reused"], c["pages_patched"]) == (0, 3, 0)
    assert c["agency_pages"]["unchanged"] == 1 and (out / page).stat().st_mtime_ns == mtime
    assert len(_x(_records(out)["zhaotong-2020.txt"])) == 2
    # fix the file: only it is checked again, the two pairs it is in are recomputed, the break is gone
    p = tree / "zhaotong-2020.txt"
    p.write_text(p.read_text(encoding="utf-8").replace(CARRIED_2020_BROKEN, CARRIED_2020), encoding="utf-8")
    fixed = _audit(tree, out)
    assert fixed["counts"]["checked"] == 1 and fixed["continuity"]["pairs_computed"] == 2
    recs = _records(out)
    assert all(_x(r) == [] for r in recs.values())
    assert "X101" not in (out / _summary(out)["zhaotong-2020.txt"]["page"]).read_text(encoding="utf-8")
    doc = lxml.html.fromstring((out / page).read_text(encoding="utf-8"))
    assert not doc.xpath('//ul[@class="breaks"]/li')


def test_manifest_id_pairs_years_whose_names_differ(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    shutil.copy(FIX / "yoy" / "zhaotong-2019.txt", tree / "a.txt")
    text = (FIX / "yoy" / "zhaotong-2020.txt").read_text(encoding="utf-8")
    assert CARRIED_2020 in text
    (tree / "b.txt").write_text(text.replace(CARRIED_2020, CARRIED_2020_BROKEN), encoding="utf-8")
    manifest = tmp_path / "m.csv"

    def audit_with(rows: list[dict[str, str]], out: Path) -> dict[str, dict[str, Any]]:
        with open(manifest, "w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=["path", "agency", "id"])
            w.writeheader()
            w.writerows(rows)
        _audit(tree, out, "--manifest", str(manifest))
        return _records(out)

    # two names for one agency: not paired by name ...
    names = [{"path": "tree/a.txt", "agency": "昭通市政务服务局", "id": ""}, {"path": "tree/b.txt", "agency": "昭通市政务服务管理局", "id": ""}]
    assert _x(audit_with(names, tmp_path / "o1")["b.txt"]) == []
    # ... but by the id the manifest gives both
    ids = [dict(r, id="11530600MB0000000X") for r in names]
    xs = _x(audit_with(ids, tmp_path / "o2")["b.txt"])
    assert {f["rule"] for f in xs} >= {"X101"}
    # one name, two ids: two agencies, not a pair
    split = [dict(names[1], path="tree/a.txt", id="A"), dict(names[1], id="B")]
    assert _x(audit_with(split, tmp_path / "o3")["b.txt"]) == []


def test_a_torn_snapshot_line_is_dropped_and_that_report_rechecked(tmp_path: Path) -> None:
    tree = _tree(tmp_path)
    out = tmp_path / "out"
    _audit(tree, out)
    snaps = out / "snapshots.jsonl"
    lines = snaps.read_bytes().splitlines(keepends=True)
    assert len(lines) == 4
    snaps.write_bytes(b"".join(lines[:3]) + lines[3][: len(lines[3]) // 2])  # a kill mid-write
    run = _audit(tree, out)
    assert run["counts"]["bad_snapshot_lines_dropped"] == 1
    assert run["counts"]["checked"] == 1 and run["counts"]["reused"] == 3
    index, bad = scan_snapshots(snaps, repair=False)
    assert len(index) == 4 and bad == 0
    assert all(_x(r) == [] for r in _records(out).values())


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.one_of(st.integers(0, 10**6).map(str), st.sampled_from(["/", "", "无", "5234.55万元", "-3", "1,024"])),
                    min_size=7, max_size=7),
)
def test_snapshot_json_round_trip(values: list[str]) -> None:
    text = (FIX / "yoy" / "zhaotong-2019.txt").read_text(encoding="utf-8")
    row = "一、本年新收政府信息公开申请数量 | 16 | 4 | 0 | 1 | 1 | 0 | 22 |"
    assert row in text
    fr = lint_text(text.replace(row, "一、本年新收政府信息公开申请数量 | " + " | ".join(values) + " |"), "r.txt", rules=())
    snap = snapshot(fr, sections=("一", "五"))
    back = snapshot_from_json(json.loads(json.dumps(snapshot_to_json(snap), ensure_ascii=False)))
    assert back == snap


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not on PATH (Debian package: chromium)")
def test_agency_page_in_headless_chromium(broken_run: Path, tmp_path: Path) -> None:
    page = broken_run / _summary(broken_run)["zhaotong-2020.txt"]["agency_page"]
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}"]
    assert CHROMIUM is not None
    dom = subprocess.run([CHROMIUM, *flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=90).stdout
    tree = lxml.html.fromstring(dom)
    assert tree.findtext(".//h1") == AGENCY
    assert len(tree.xpath('//td[contains(concat(" ", @class, " "), " break ")]')) == 2
    assert tree.xpath('//svg[@class="spark"]//*[local-name()="circle"][contains(@class, "break")]')
    # the links from the page lead to files that exist
    for href in tree.xpath("//a/@href"):
        if not href.startswith("#"):
            assert (page.parent / href.split("#")[0]).is_file(), href
    shot = tmp_path / "agency.png"
    subprocess.run([CHROMIUM, *flags, f"--screenshot={shot}", "--window-size=1280,2000", page.as_uri()],
                   capture_output=True, timeout=90, check=False)
    assert shot.stat().st_size > 30_000
