"""xxgk-lint audit: figures against a generated tree, resume after SIGKILL, crash/hang isolation,
baseline and decisions, indicators, manifest, Dask, progress, and the benchmark's small mode."""

from __future__ import annotations

import contextlib
import csv
import html as html_lib
import io
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from benchmarks.bench import Truth, write_report
from click.testing import CliRunner

from xxgk_lint.audit.baseline import load_decisions
from xxgk_lint.audit.executors import IN_FLIGHT_PER_WORKER, run_local
from xxgk_lint.audit.indicators import Aggregator, builtin_indicators, extract_cells, fmt_pct, report_values
from xxgk_lint.audit.manifest import ManifestError, load_manifest
from xxgk_lint.audit.progress import Progress
from xxgk_lint.audit.runner import AuditConfig, run_audit
from xxgk_lint.audit.store import JsonlAppender, scan_jsonl
from xxgk_lint.audit.worker import Task, audit_file
from xxgk_lint.cli import main
from xxgk_lint.pipeline import Options, lint_path

ROOT = Path(__file__).resolve().parents[1]
CLEAN = ROOT / "tests" / "fixtures" / "clean-2019.txt"
REGIONS = {"昭通市": "滇东北", "曲靖市": "滇东北", "玉溪市": "滇中", "楚雄州": "滇中", "保山市": "滇西", "丽江市": "滇西北",
           "大理州": "滇西", "德宏州": "滇西", "普洱市": "滇南", "临沧市": "滇西南", "红河州": "滇南", "文山州": "滇东南"}
DEFECTIVE = {"missing_section": "S101", "bad_total": "T2", "garbled_cell": "T106"}


# --- the generated tree ---------------------------------------------------------------------------


def region_of(agency: str) -> str:
    for city, region in REGIONS.items():
        if agency.startswith(city):
            return region
    return "县级"


def deadline(t: Truth) -> date:
    if t.year <= 2018:
        return date(t.year + 1, 3, 31)
    return date(t.year + 1, 1, 31) if t.kind == "department" else date(t.year + 1, 3, 31)


def build_tree(root: Path, n: int = 200, seed: int = 7) -> tuple[Path, Path, dict[str, dict[str, Any]]]:
    """n reports in nested folders (txt, some html/docx, every 5th defective), one corrupt .docx, and
    a manifest giving region/url for all, a late published_on for some, agency/year/kind for a few."""
    rng = random.Random(seed)
    tree = root / "tree"
    truth: dict[str, dict[str, Any]] = {}
    rows = []
    for i in range(n):
        fmt = "html" if i % 25 == 3 else ("docx" if i % 40 == 7 else "txt")
        defect = ("missing_section", "bad_total", "garbled_cell")[(i // 5) % 3] if i % 5 == 4 else None
        path, t = write_report(tree / f"g{i % 4}" / f"s{i % 3}", i, fmt, seed=seed, defect=defect, agencies=70)
        pub = date.fromisoformat(t.signature)
        row = {"path": path.relative_to(root).as_posix(), "region": region_of(t.agency), "url": f"https://example.gov.cn/xxgk/{t.name}.html",
               "agency": "", "kind": "", "year": "", "published_on": ""}
        agency, year, kind = t.agency, t.year, t.kind
        if i % 7 == 2:  # published late according to the office's records
            pub = date(t.year + 1, 5, 20)
            row["published_on"] = pub.isoformat()
        elif i % 11 == 5:  # on time according to the office's records
            pub = date(t.year + 1, 1, 10)
            row["published_on"] = pub.isoformat()
        if i == 12:
            agency = row["agency"] = "昭通市某某局(清单名称)"
        if i == 13:  # the office knows better: the report's year is wrong
            year = t.year - 1
            row["year"] = str(year)
        if i == 14:  # the entity kind is given, and checked with it
            kind = "government" if t.kind == "department" else "department"
            row["kind"] = kind
        rows.append(row)
        key = path.relative_to(tree).as_posix()
        due = deadline(replace(t, kind=kind, year=year))
        truth[key] = {"t": t, "agency": agency, "year": year, "kind": kind, "published_on": pub, "deadline": due,
                      "on_time": pub <= due, "region": row["region"], "url": row["url"]}
    bad = tree / "g0" / "corrupt.docx"
    bad.write_bytes(random.Random(1).randbytes(4096))
    truth["g0/corrupt.docx"] = {"corrupt": True}
    rows.append({"path": bad.relative_to(root).as_posix(), "region": "滇中", "url": "", "agency": "", "kind": "", "year": "", "published_on": ""})
    rng.shuffle(rows)
    manifest = root / "manifest.csv"
    with open(manifest, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["path", "agency", "kind", "region", "year", "published_on", "url"])
        w.writeheader()
        w.writerows(rows)
    return tree, manifest, truth


def read_summary(out: Path) -> dict[str, dict[str, str]]:
    with open(out / "summary.csv", encoding="utf-8-sig", newline="") as fh:
        return {row["key"]: row for row in csv.DictReader(fh)}


def read_jsonl(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (out / "findings.jsonl").read_text(encoding="utf-8").splitlines()]


def invoke(*args: str) -> Any:
    result = CliRunner().invoke(main, ["audit", *args], catch_exceptions=False)
    return result


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, dict[str, Any]]]:
    return build_tree(tmp_path_factory.mktemp("audit"))


@pytest.fixture(scope="module")
def audited(generated: tuple[Path, Path, dict[str, Any]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    tree, manifest, _ = generated
    out = tmp_path_factory.mktemp("out") / "clean-run"
    result = invoke(str(tree), "--manifest", str(manifest), "--out", str(out), "--jobs", "2", "--progress", "none")
    assert result.exit_code == 0, result.output
    return out


# --- figures --------------------------------------------------------------------------------------


def test_tree_is_realistic(generated: tuple[Path, Path, dict[str, Any]]) -> None:
    _, _, truth = generated
    reports = [v for v in truth.values() if "t" in v]
    assert len(reports) == 200
    assert 60 <= len({v["t"].agency for v in reports}) <= 70  # ~70 agencies
    assert sum(1 for v in reports if not v["on_time"]) >= 30
    assert sum(1 for v in reports if v["t"].defect) == 40


def test_summary_matches_what_was_generated(audited: Path, generated: tuple[Path, Path, dict[str, Any]]) -> None:
    _, _, truth = generated
    rows = read_summary(audited)
    assert set(rows) == set(truth)
    # the generator's consecutive years of an agency are unrelated, so the continuity rules (X) fire
    # between them: the truth is about the single-report rules
    x_errors = {r["audit"]["key"]: sum(1 for f in r["findings"] if f["rule"].startswith("X") and f["severity"] == "error")
                for r in read_jsonl(audited)}
    assert sum(x_errors.values()) > 0
    for key, exp in truth.items():
        row = rows[key]
        if exp.get("corrupt"):
            assert row["read_error"] == "yes" and row["errors"] == "1" and row["E"] == "1", row
            assert row["region"] == "滇中"
            continue
        t: Truth = exp["t"]
        assert row["agency"] == exp["agency"], key
        assert row["region"] == exp["region"]
        assert row["url"] == exp["url"]
        assert row["year"] == str(exp["year"])
        assert row["kind"] == exp["kind"]
        assert row["template"] == "gov-2019"
        assert row["published_on"] == exp["published_on"].isoformat(), key
        assert row["deadline"] == exp["deadline"].isoformat(), key
        assert row["on_time"] == ("yes" if exp["on_time"] else "no"), key
        rules = row["rules"].split()
        if exp["year"] == t.year:  # (the check itself judges the year the report states)
            assert ("D101" in rules) == (not exp["on_time"]), (key, rules)
            expect_errors = bool(t.defect) or not exp["on_time"]
            assert (int(row["errors"]) - x_errors[key] > 0) == expect_errors, (key, t.defect, rules)
        if t.defect:
            assert any(r.startswith(DEFECTIVE[t.defect]) for r in rules), (key, t.defect, rules)
        assert int(row["errors"]) + int(row["warnings"]) + int(row["infos"]) == sum(int(row[f]) for f in "STNDHEX")
        if t.defect is None:
            assert Decimal(row["disclosure_rate"]) == t.disclosure_rate.quantize(Decimal("0.000001")).normalize(), key
            closed = t.review_closed
            got = row["review_correction_rate"]
            assert (Decimal(got) == (Decimal(t.review_corrected) / closed).quantize(Decimal("0.000001"))) if closed > 0 else got == ""
        assert row["page"].startswith("reports/") and (audited / row["page"]).stat().st_size > 1000


def test_totals_and_outputs(audited: Path, generated: tuple[Path, Path, dict[str, Any]]) -> None:
    _, _, truth = generated
    run = json.loads((audited / "run.json").read_text(encoding="utf-8"))
    rows = read_summary(audited)
    assert run["status"] == "complete"
    assert run["counts"]["inputs"] == 201 and run["counts"]["checked"] == 201 and run["counts"]["reused"] == 0
    tot = run["totals"]
    assert tot["reports"] == 201
    assert tot["errors"] == sum(int(r["errors"]) for r in rows.values())
    assert tot["reports_with_errors"] == sum(1 for r in rows.values() if r["errors"] != "0")
    assert tot["read_errors"] == 1
    on_time = run["indicators"]["overall"]["on_time_rate"]
    n_known = sum(1 for v in truth.values() if "t" in v)
    assert on_time["reports"] == n_known
    assert Decimal(on_time["numerator"]) == sum(1 for v in truth.values() if v.get("on_time"))
    settings = run["settings"]
    assert settings["rules_version"] and settings["tool_version"] and settings["options"]["lang"] == "zh"
    assert settings["manifest"]["rows"] == 201 and settings["manifest"]["unmatched"] == []
    # findings.jsonl: one line per file, the check JSON file object plus region/url
    recs = read_jsonl(audited)
    assert len(recs) == 201
    for rec in recs:
        assert {"path", "template", "report_year", "agency", "kind", "published_on", "published_on_source", "encoding", "findings",
                "region", "url"} <= set(rec)
        for f in rec["findings"]:
            assert len(f["fingerprint"]) == 16
    sources = {r["published_on_source"] for r in recs if r["template"]}
    assert sources == {"manifest", "signature"}
    late = [r for r in recs if r["published_on_source"] == "manifest" and any(f["rule"] == "D101" for f in r["findings"])]
    assert late and all("清单" in next(f["message"] for f in r["findings"] if f["rule"] == "D101") for r in late)
    # indicators by region/kind; rankings only over groups with enough cases
    with open(audited / "indicators.csv", encoding="utf-8-sig", newline="") as fh:
        ind = list(csv.DictReader(fh))
    assert {r["group_by"] for r in ind} == {"all", "region", "kind", "agency"}
    for r in ind:
        if r["group_by"] != "all" and r["value"]:
            assert (r["ranked"] == "yes") == (Decimal(r["denominator"]) >= 30)
    html = (audited / "index.html").read_text(encoding="utf-8")
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert csp is not None
    directives = {d.split()[0]: d.split()[1:] for d in html_lib.unescape(csp.group(1)).split(";") if d.strip()}
    assert directives["default-src"] == ["'none'"] and len(directives["script-src"]) == 1
    assert directives["script-src"][0].startswith("'sha256-")
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "") and "https://" not in html.replace("https://example.gov.cn", "")
    assert html.count("<tr class=") == 201 and "<svg" in html


def test_indicators_on_the_clean_fixture() -> None:
    iset = builtin_indicators()
    fr = lint_path(CLEAN, Options())
    cells = extract_cells(fr.report, iset.refs())
    assert cells["requests.granted.total"] == "11" and cells["requests.partial.total"] == "2" and cells["requests.outcome_total.total"] == "25"
    rec = {"cells": cells, "on_time": True, "parsed": True, "active": []}
    values = report_values(iset, rec)
    assert values["disclosure_rate"] == Decimal("0.52") and fmt_pct(values["disclosure_rate"]) == "52%"
    assert values["review_correction_rate"] == Decimal("0.5")  # 1 corrected / (3 - 1 pending)
    assert values["suit_correction_rate"] == Decimal(0)  # 0 / (1 + 1 - 1 pending)
    assert values["on_time_rate"] == 1 and values["reconciliation_error_share"] == 0


def test_indicators_pool_exactly_and_rank_only_enough_cases() -> None:
    iset = builtin_indicators()
    agg = Aggregator(iset)

    def rec(region: str, granted: int, partial: int, total: int) -> dict[str, Any]:
        cells = {r: "0" for r in iset.refs()}
        cells.update({"requests.granted.total": str(granted), "requests.partial.total": str(partial), "requests.outcome_total.total": str(total)})
        return {"cells": cells, "region": region, "kind": "department", "agency": region + "局", "parsed": True, "active": [], "on_time": None}

    agg.add(rec("甲", 1, 0, 3))
    agg.add(rec("甲", 20, 0, 30))  # pooled: 21/33, not the mean of 1/3 and 2/3
    agg.add(rec("乙", 9, 0, 10))  # 90% but only 10 cases
    agg.add(rec("丙", 10, 5, 40))
    pool = agg.groups["region"]["甲"]["disclosure_rate"]
    assert pool.value == Decimal(21) / Decimal(33) and fmt_pct(pool.value) == "63.64%"
    ranked = agg.rankings("region", 30)["disclosure_rate"]
    assert [r["group"] for r in ranked] == ["甲", "丙"]
    assert [r["group"] for r in agg.rankings("region", 5)["disclosure_rate"]] == ["乙", "甲", "丙"]
    assert agg.total["disclosure_rate"].value == Decimal(45) / Decimal(83)


# --- resume ---------------------------------------------------------------------------------------


def _audit_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "xxgk_lint", "audit", *args]


def _without_run(rec: dict[str, Any]) -> dict[str, Any]:
    rec = json.loads(json.dumps(rec))
    for k in ("run_id", "checked_at"):
        rec["audit"].pop(k, None)
    return rec


def test_resume_after_sigkill(generated: tuple[Path, Path, dict[str, Any]], audited: Path, tmp_path: Path) -> None:
    tree, manifest, _ = generated
    out = tmp_path / "killed"
    args = [str(tree), "--manifest", str(manifest), "--out", str(out), "--jobs", "1", "--progress", "lines"]
    proc = subprocess.Popen(_audit_cmd(*args), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    jsonl = out / "findings.jsonl"
    deadline_s = time.monotonic() + 60
    while time.monotonic() < deadline_s:
        if jsonl.exists() and jsonl.read_bytes().count(b"\n") >= 25:
            break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert not (out / "summary.csv").exists()
    # what survived the kill (a line cut by the kill is not done), plus a torn last line as a kill
    # mid-write would leave
    whole = jsonl.read_bytes().split(b"\n")[:-1]
    before = {r["audit"]["key"]: r for r in map(json.loads, whole)}
    assert 25 <= len(before) < 201
    with open(jsonl, "a", encoding="utf-8") as fh:
        fh.write('{"path": "tree/g1/cut-off", "findings": [{"rule": "T1')
    assert json.loads((out / "run.json").read_text(encoding="utf-8"))["status"] == "running"

    done = subprocess.run(_audit_cmd(*args), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "files/s" in done.stderr and "ETA" in done.stderr  # plain progress lines (not a TTY)
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["counts"]["reused"] == len(before)
    assert run["counts"]["checked"] == 201 - len(before)
    assert run["counts"]["bad_lines_dropped"] == 1
    assert run["history"][-1]["status"] == "running"
    after = {r["audit"]["key"]: r for r in read_jsonl(out)}
    for key, rec in before.items():  # not redone: same run id and timestamp
        assert after[key]["audit"]["run_id"] == rec["audit"]["run_id"]
        assert after[key]["audit"]["checked_at"] == rec["audit"]["checked_at"]
    # the final results equal a clean run's
    clean = {r["audit"]["key"]: r for r in read_jsonl(audited)}
    assert set(after) == set(clean)
    for key in clean:
        assert _without_run(after[key]) == _without_run(clean[key]), key
    assert (out / "summary.csv").read_bytes() == (audited / "summary.csv").read_bytes()

    # incremental: change one file, re-run: only that file is checked again
    victim = next(p for p in sorted(tree.rglob("*.txt")))
    original = victim.read_bytes()
    try:
        victim.write_bytes(original.replace("六、其他需要报告的事项".encode(), "六、其他事项".encode()))
        again = subprocess.run(_audit_cmd(*args), capture_output=True, text=True, timeout=120)
        assert again.returncode == 0, again.stderr
        run = json.loads((out / "run.json").read_text(encoding="utf-8"))
        assert run["counts"]["checked"] == 1 and run["counts"]["reused"] == 200
        assert len(read_jsonl(out)) == 201  # compacted: still one line per file
    finally:
        victim.write_bytes(original)


def _children(pid: int) -> set[int]:
    """The pids whose parent is ``pid`` (from /proc)."""
    out = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            out.add(int(stat.parent.name))
    return out


def _alive(pid: int) -> bool:
    """A process that exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _start_and_wait_for_workers(args: list[str], jsonl: Path, lines: int) -> tuple[subprocess.Popen[bytes], set[int]]:
    proc = subprocess.Popen(_audit_cmd(*args), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    deadline_s = time.monotonic() + 60
    workers: set[int] = set()
    while time.monotonic() < deadline_s:
        workers |= _children(proc.pid)
        if jsonl.exists() and jsonl.read_bytes().count(b"\n") >= lines:
            break
        time.sleep(0.05)
    workers = {w for w in workers | _children(proc.pid) if _alive(w)}
    assert workers, "the audit started no pool process"
    return proc, workers


def _gone(pids: set[int], within: float) -> set[int]:
    """The pids still alive after ``within`` seconds."""
    deadline_s = time.monotonic() + within
    while time.monotonic() < deadline_s and any(_alive(p) for p in pids):
        time.sleep(0.05)
    return {p for p in pids if _alive(p)}


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_killing_only_the_main_process_leaves_no_workers_and_no_lock(
    generated: tuple[Path, Path, dict[str, Any]], tmp_path: Path, sig: signal.Signals
) -> None:
    """`kill PID` (SIGTERM) or the OOM killer (SIGKILL) hit only the audit's main process: its pool
    processes must not outlive it, and a rerun with the same --out is not refused by the lock."""
    tree, manifest, _ = generated
    out = tmp_path / "out"
    args = [str(tree), "--manifest", str(manifest), "--out", str(out), "--jobs", "2", "--progress", "none", "--no-pages"]
    jsonl = out / "findings.jsonl"
    proc, workers = _start_and_wait_for_workers(args, jsonl, 20)
    try:
        t0 = time.monotonic()
        os.kill(proc.pid, sig)  # the main process only, not its group
        proc.wait(timeout=20)
        stopped = time.monotonic() - t0
        survivors = _gone(workers, 10)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # never leave anything behind if the test fails
    assert survivors == set(), f"pool processes {survivors} outlived the audit"
    assert proc.stderr is not None
    err = proc.stderr.read()  # (an orphaned worker would hold the pipe open)
    proc.stderr.close()
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    if sig == signal.SIGTERM:
        assert proc.returncode == 143, err
        assert stopped < 10
        assert run["status"] == "interrupted" and run["finished_at"]
        assert b"SIGTERM" in err
    else:
        assert proc.returncode == -signal.SIGKILL
        assert run["status"] == "running"
    assert (out / ".audit.lock").exists()
    done_before = {json.loads(line)["audit"]["key"] for line in jsonl.read_bytes().split(b"\n")[:-1]}
    assert 20 <= len(done_before) < 201
    again = subprocess.run(_audit_cmd(*args), capture_output=True, text=True, timeout=180)
    assert again.returncode == 0, again.stderr
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["status"] == "complete"
    assert run["counts"]["reused"] == len(done_before) and run["counts"]["checked"] == 201 - len(done_before)
    assert run["history"][-1]["status"] == ("interrupted" if sig == signal.SIGTERM else "running")
    assert len(read_jsonl(out)) == 201


def test_a_live_audit_still_locks_its_folder(tmp_path: Path) -> None:
    """The lock still refuses a second audit of the same --out while the first one lives (another
    process, and this one), and names the owner."""
    tree = tmp_path / "tree"
    write_report(tree, 0, "txt")
    out = tmp_path / "out"
    out.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; from xxgk_lint.audit.runner import _locked\n"
         "with _locked(Path(sys.argv[1])):\n    print('locked', flush=True); time.sleep(60)", str(out)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        r = invoke(str(tree), "--out", str(out), "--progress", "none", "--jobs", "1")
        assert r.exit_code == 2 and f"pid {holder.pid}" in r.output
    finally:
        holder.kill()
        holder.wait()
    from xxgk_lint.audit.runner import AuditError, _locked

    with _locked(out), pytest.raises(AuditError, match="this process"), _locked(out):
        pass
    r = invoke(str(tree), "--out", str(out), "--progress", "none", "--jobs", "1")  # the dead holder's lock is taken over
    assert r.exit_code == 0, r.output


def test_jsonl_scan_tolerates_a_torn_line(tmp_path: Path) -> None:
    p = tmp_path / "f.jsonl"
    with JsonlAppender(p) as app:
        app.append({"path": "a", "audit": {"key": "a", "sha256": "1"}})
        app.append({"path": "b", "audit": {"key": "b", "sha256": "2"}})
    with open(p, "ab") as fh:
        fh.write(b'{"path": "c", "aud')
    index, bad = scan_jsonl(p)
    assert set(index) == {"a", "b"} and bad == 1
    assert p.read_bytes().endswith(b"}\n")  # truncated back to the last whole line


# --- crashes and hangs ----------------------------------------------------------------------------


def dying_worker(task: Task) -> tuple[dict[str, Any], str | None]:
    if task.path.endswith("r000003.txt"):
        os._exit(7)  # like a segfault in a C extension
    if task.path.endswith("r000005.txt"):
        time.sleep(60)
    return audit_file(task)


def test_dying_and_hanging_workers_are_isolated(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    for i in range(8):
        write_report(tree, i, "txt")
    out = tmp_path / "out"
    cfg = AuditConfig(paths=[tree], out=out, jobs=2, timeout=3, progress="none", pages=False)
    t0 = time.monotonic()
    outcome = run_audit(cfg, worker=dying_worker)
    assert time.monotonic() - t0 < 40
    rows = read_summary(out)
    assert len(rows) == 8
    assert rows["r000003.txt"]["rules"] == "E100" and rows["r000003.txt"]["read_error"] == "yes"
    assert rows["r000005.txt"]["rules"] == "E100"
    recs = {r["audit"]["key"]: r for r in read_jsonl(out)}
    assert "died" in recs["r000003.txt"]["findings"][0]["message"]
    assert "timed out" in recs["r000005.txt"]["findings"][0]["message"]
    for key in set(rows) - {"r000003.txt", "r000005.txt"}:
        assert "E100" not in rows[key]["rules"], key
    assert outcome.counts["crashed"] == 1 and outcome.counts["timed_out"] == 1 and outcome.counts["pool_restarts"] >= 1


def test_run_local_bounded_submission(tmp_path: Path) -> None:
    write_report(tmp_path, 0, "txt")
    seen: list[int] = []

    def tasks() -> Any:
        for i in range(12):
            seen.append(i)
            yield Task(index=i, path=str(tmp_path / "r000000.txt"), key=f"k{i}", opts=Options(), settings="s", rules_version="r")

    for jobs in (1, 2):
        seen.clear()
        got: list[str] = []
        pulled_at_first: list[int] = []

        def handle(res: Any, got: list[str] = got, first: list[int] = pulled_at_first) -> None:
            if not got:
                first.append(len(seen))
            got.append(res[0]["audit"]["key"])

        run_local(tasks(), audit_file, handle, jobs=jobs)
        assert sorted(got) == sorted(f"k{i}" for i in range(12))
        assert len(seen) == 12
        # submission is bounded: by the first result only a few tasks per worker had been pulled
        assert 1 <= pulled_at_first[0] <= jobs * IN_FLIGHT_PER_WORKER + 1, (jobs, pulled_at_first)


# --- baseline and decisions -----------------------------------------------------------------------


def test_baseline_and_decisions(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    for i in range(6):
        write_report(tree, i, "txt", defect="missing_section" if i == 1 else ("bad_total" if i == 2 else None))
    out = tmp_path / "out"
    base = tmp_path / "baseline.json"
    r = invoke(str(tree), "--out", str(out), "--write-baseline", str(base), "--progress", "none", "--jobs", "1")
    assert r.exit_code == 0, r.output
    first = {x["audit"]["key"]: x for x in read_jsonl(out)}
    s101 = next(f for f in first["r000001.txt"]["findings"] if f["rule"] == "S101")
    t2 = [f for f in first["r000002.txt"]["findings"] if f["rule"].startswith("T2")]
    assert t2
    # the report with S101 is fixed; report 3 gets a new defect; report 2's lines shift (fingerprints don't)
    write_report(tree, 1, "txt")
    write_report(tree, 3, "txt", defect="garbled_cell")
    p2 = tree / "r000002.txt"
    p2.write_text("前言:本报告按要求编制。\n" + p2.read_text(encoding="utf-8"), encoding="utf-8")
    decisions = tmp_path / "decisions.yaml"
    decisions.write_text(
        "decisions:\n"
        + "".join(f"  - {{fingerprint: {f['fingerprint']}, decision: dismissed, note: 表格为扫描件误差, reviewer: 张三, path: r000002.txt}}\n" for f in t2),
        encoding="utf-8",
    )
    r = invoke(str(tree), "--out", str(out), "--baseline", str(base), "--decisions", str(decisions), "--progress", "none", "--jobs", "1")
    assert r.exit_code == 0, r.output
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    b = run["baseline"]
    fixed = {(x["key"], x["fingerprint"]) for x in b["fixed"]}
    assert ("r000001.txt", s101["fingerprint"]) in fixed
    assert b["new"] >= 1 and b["known"] >= len(t2)
    recs = {x["audit"]["key"]: x for x in read_jsonl(out)}
    assert any(f["baseline"] == "new" and f["rule"] == "T106" for f in recs["r000003.txt"]["findings"])
    dismissed = [f for f in recs["r000002.txt"]["findings"] if f.get("decision")]
    assert {f["fingerprint"] for f in dismissed} == {f["fingerprint"] for f in t2}
    assert all(f["decision"] == {"decision": "dismissed", "note": "表格为扫描件误差", "reviewer": "张三"} for f in dismissed)
    assert all(f["baseline"] == "known" for f in dismissed)  # the shifted lines kept their fingerprints
    rows = read_summary(out)
    assert rows["r000002.txt"]["dismissed"] == str(len(t2))
    assert "T2" not in rows["r000002.txt"]["rules"]
    assert run["totals"]["dismissed"] == len(t2) and run["decisions"]["unused"] == []
    assert run["totals"]["errors"] == sum(int(x["errors"]) for x in rows.values())
    assert "T201" not in run["totals"]["by_rule"]
    html = (out / "index.html").read_text(encoding="utf-8")
    assert 'id="baseline-fixed"' in html and 'id="total-dismissed">' + str(len(t2)) in html
    assert html.count('<tr class="dismissed"') == len(t2) and "表格为扫描件误差" in html

    # decisions survive re-runs, as CSV too; "confirmed" keeps the finding counted
    csv_dec = tmp_path / "decisions.csv"
    with open(csv_dec, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["fingerprint", "decision", "note", "reviewer"])
        for f in t2:
            w.writerow([f["fingerprint"], "confirmed", "核实属实", "李四"])
    r = invoke(str(tree), "--out", str(out), "--decisions", str(csv_dec), "--progress", "none", "--jobs", "1")
    assert r.exit_code == 0, r.output
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["counts"]["checked"] == 0  # triage changes no file's check
    assert run["totals"]["dismissed"] == 0 and run["decisions"]["confirmed"] == len(t2)
    assert "T2" in read_summary(out)["r000002.txt"]["rules"]


def _page(out: Path) -> Any:
    import lxml.html

    return lxml.html.fromstring((out / "index.html").read_bytes())


def test_dashboard_shows_the_run_settings_and_documents_decisions(tmp_path: Path) -> None:
    """The header says which rules the totals count (select, ignore, severity overrides, template,
    config and its sha256, rules version); the decisions help's examples are files the audit reads."""
    tree = tmp_path / "tree"
    for i in range(3):
        write_report(tree, i, "txt", defect="missing_section" if i == 0 else None)
    office = tmp_path / "office.yaml"
    office.write_text("severity: {S101: warning}\n", encoding="utf-8")
    out = tmp_path / "out"
    r = invoke(str(tree), "--out", str(out), "--progress", "none", "--jobs", "1", "--config", str(office), "--ignore", "X,H1", "--template", "gov-2019")
    assert r.exit_code == 0, r.output
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    doc = _page(out)
    shown = {dd.get("data-setting"): dd.text_content() for dd in doc.xpath('//header//section[@id="run-settings"]//dd')}
    assert shown["ignore"] == "X H1" and shown["select"] == "全部"
    assert shown["severity"] == "S101=warning" and shown["template"] == "gov-2019"
    assert shown["config"] == f"{office} (sha256 {run['settings']['config']['sha256']})"
    assert shown["rules_version"] == run["settings"]["rules_version"]
    # the default run says so too (no silent exclusion either way)
    plain = tmp_path / "plain"
    assert invoke(str(tree), "--out", str(plain), "--progress", "none", "--jobs", "1", "--lang", "en").exit_code == 0
    shown = {dd.get("data-setting"): dd.text_content() for dd in _page(plain).xpath('//section[@id="run-settings"]//dd')}
    assert shown["ignore"] == "none" and shown["select"] == "all" and shown["severity"] == "none" and shown["template"] == "auto"
    assert shown["config"].startswith("none")
    # the decisions help: fields, both formats, and where a fingerprint comes from
    help_ = doc.xpath('//details[@id="decisions-help"]')
    assert len(help_) == 1
    text = help_[0].text_content()
    for field in ("fingerprint", "decision", "note", "reviewer", "path", "confirmed", "dismissed", "findings.jsonl", "data-fingerprint"):
        assert field in text, field
    (out_yaml,) = doc.xpath('//pre[@id="decisions-yaml"]')
    (out_csv,) = doc.xpath('//pre[@id="decisions-csv"]')
    for name, pre in (("d.yaml", out_yaml), ("d.csv", out_csv)):
        f = tmp_path / name
        f.write_text(pre.text_content(), encoding="utf-8")
        decisions = load_decisions(f)
        assert len(decisions) == 2, name
    # and the fingerprints it points to are the ones the audit matches
    rec = next(x for x in read_jsonl(out) if x["audit"]["key"] == "r000000.txt")
    s101 = next(f for f in rec["findings"] if f["rule"] == "S101")
    dec = tmp_path / "mine.yaml"
    dec.write_text(out_yaml.text_content().replace("3f2a9c0d1e4b5a67", s101["fingerprint"]).replace("2023/某某局.docx", "r000000.txt"), encoding="utf-8")
    r = invoke(str(tree), "--out", str(out), "--progress", "none", "--jobs", "1", "--config", str(office), "--ignore", "X,H1",
               "--template", "gov-2019", "--decisions", str(dec))
    assert r.exit_code == 0, r.output
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["decisions"]["dismissed"] == 1 and run["totals"]["dismissed"] == 1


def test_manifest_rows_without_a_file_are_reported(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    for i in range(3):
        write_report(tree, i, "txt")
    (tmp_path / "elsewhere").mkdir()
    write_report(tmp_path / "elsewhere", 9, "txt")
    man = tmp_path / "m.csv"
    man.write_text(
        "path,region\ntree/r000000.txt,滇中\ntree/r000001.txt,滇西\ntree/gone-2019.docx,滇中\nelsewhere/r000009.txt,滇南\n", encoding="utf-8"
    )
    out = tmp_path / "out"
    r = invoke(str(tree), "--manifest", str(man), "--out", str(out), "--progress", "none", "--jobs", "1")
    assert r.exit_code == 0, r.output
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    unmatched = run["settings"]["manifest"]["unmatched"]
    assert sorted(Path(u).name for u in unmatched) == ["gone-2019.docx", "r000009.txt"]
    assert run["counts"]["inputs"] == 3
    assert "2 manifest row(s) name no file" in r.stderr and "gone-2019.docx" in r.stderr
    items = _page(out).xpath('//details[@id="manifest-unmatched"]//li/code/text()')
    assert sorted(items) == sorted(unmatched)
    assert _page(out).xpath('//details[@id="manifest-unmatched"]/summary/b/text()') == ["2"]
    # a complete manifest: no warning, no section
    man.write_text("path,region\ntree/r000000.txt,滇中\n", encoding="utf-8")
    r = invoke(str(tree), "--manifest", str(man), "--out", str(tmp_path / "o2"), "--progress", "none", "--jobs", "1")
    assert r.exit_code == 0 and "manifest row" not in r.stderr
    assert not _page(tmp_path / "o2").xpath('//details[@id="manifest-unmatched"]')


def test_unmatched_message_is_bounded() -> None:
    from xxgk_lint.audit.runner import unmatched_message

    msg = unmatched_message([f"/data/r{i}.txt" for i in range(40)])
    assert msg.startswith("xxgk-lint audit: 40 manifest row(s)") and "/data/r4.txt" in msg and "/data/r5.txt" not in msg
    assert msg.endswith("(+35)")


def test_bad_inputs_are_usage_errors(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    write_report(tree, 0, "txt")
    bad_dec = tmp_path / "d.csv"
    bad_dec.write_text("fingerprint,decision\nabc,maybe\n", encoding="utf-8")
    r = invoke(str(tree), "--out", str(tmp_path / "o"), "--decisions", str(bad_dec))
    assert r.exit_code == 2 and "maybe" in r.output
    man = tmp_path / "m.csv"
    man.write_text("path,published_on\ntree/r000000.txt,2020-13-45\n", encoding="utf-8")
    r = invoke(str(tree), "--out", str(tmp_path / "o"), "--manifest", str(man))
    assert r.exit_code == 2 and "m.csv:2" in r.output
    r = invoke(str(tree), "--out", str(tmp_path / "o"), "--executor", "dask")
    assert r.exit_code == 2


def test_manifest_columns_aliases_and_gb18030(tmp_path: Path) -> None:
    write_report(tmp_path / "t", 0, "txt")
    m = tmp_path / "m.csv"
    m.write_bytes("路径,机关,类型,地区,年度,发布日期,网址\nt/r000000.txt,某局,部门,滇中,2019年,2020/02/01,http://x\n".encode("gb18030"))
    rows = load_manifest(m)
    (row,) = rows.values()
    assert (row.agency, row.kind, row.region, row.year, row.published_on, row.url) == ("某局", "department", "滇中", 2019, date(2020, 2, 1), "http://x")
    m.write_text("path\nt/r000000.txt\nt/r000000.txt\n", encoding="utf-8")
    with pytest.raises(ManifestError, match="twice"):
        load_manifest(m)


def test_config_inside_the_tree_is_ignored(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    for i in range(3):
        write_report(tree, i, "txt", defect="missing_section")
    plain = invoke(str(tree), "--out", str(tmp_path / "a"), "--progress", "none", "--jobs", "1")
    assert plain.exit_code == 0
    (tree / "xxgk-lint.yaml").write_text("ignore: [S, T, N, D, H, E, X]\n", encoding="utf-8")
    (tree / ".xxgk-lint.yaml").write_text("ignore: [S, T, N, D, H, E, X]\n", encoding="utf-8")
    (tree / "pyproject.toml").write_text('[tool.xxgk-lint]\nignore = ["S", "T", "N", "D", "H", "E", "X"]\n', encoding="utf-8")
    # `check` would obey them ...
    r = CliRunner().invoke(main, ["check", "--format", "json", str(tree)])
    assert json.loads(r.output)["summary"]["errors"] == 0
    # ... the audit does not; only the office's --config counts
    office = tmp_path / "office.yaml"
    office.write_text("severity: {S101: warning}\nlang: en\n", encoding="utf-8")
    r = invoke(str(tree), "--out", str(tmp_path / "b"), "--progress", "none", "--jobs", "1", "--config", str(office))
    assert r.exit_code == 0, r.output
    a, b = read_summary(tmp_path / "a"), read_summary(tmp_path / "b")
    assert [x["rules"] for x in a.values()] == [x["rules"] for x in b.values()]
    assert all("S101" in x["rules"] for x in b.values())
    assert [int(x["errors"]) for x in b.values()] == [int(x["errors"]) - 1 for x in a.values()]  # S101 now a warning
    run = json.loads((tmp_path / "b" / "run.json").read_text(encoding="utf-8"))
    assert run["settings"]["config"]["path"] == str(office) and run["settings"]["config"]["sha256"]
    assert run["settings"]["config_discovery"] is False and run["settings"]["options"]["lang"] == "en"


def test_output_folder_inside_the_tree_is_not_audited(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    for i in range(3):
        write_report(tree, i, "txt")
    for _ in range(2):
        r = invoke(str(tree), "--out", str(tree / "_audit"), "--progress", "none", "--jobs", "1")
        assert r.exit_code == 0, r.output
        run = json.loads((tree / "_audit" / "run.json").read_text(encoding="utf-8"))
        assert run["counts"]["inputs"] == 3
    assert run["counts"]["reused"] == 3
    assert run["settings"]["jobs"] == 1 and run["settings"]["executor"] == "local"


def test_english_and_fail_on(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    write_report(tree, 0, "txt", defect="missing_section")
    r = invoke(str(tree), "--out", str(tmp_path / "o"), "--lang", "en", "--progress", "none", "--fail-on", "error", "--jobs", "1")
    assert r.exit_code == 1
    html = (tmp_path / "o" / "index.html").read_text(encoding="utf-8")
    assert 'lang="en"' in html and "audit summary" in html
    (rec,) = read_jsonl(tmp_path / "o")
    s101 = next(f for f in rec["findings"] if f["rule"] == "S101")
    assert s101["message"].isascii() or "section" in s101["message"].lower()


def test_progress_bar_on_a_terminal() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    s = Tty()
    p = Progress(3, s)
    for _ in range(3):
        p.update()
    p.close()
    text = s.getvalue()
    assert "\r[" in text and "files/s" in text and "ETA" in text and "3/3" in text
    plain = io.StringIO()
    p = Progress(3, plain)
    p.update()
    p.close()
    assert "\r" not in plain.getvalue() and "audit: 1/3" in plain.getvalue()


def test_check_start_up_does_not_import_the_audit() -> None:
    code = "import sys, xxgk_lint.cli; print(sorted(m for m in sys.modules if m.startswith('xxgk_lint.audit')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['xxgk_lint.audit', 'xxgk_lint.audit.cli']"


# --- Dask -----------------------------------------------------------------------------------------


def test_dask_cluster_gives_the_local_results(tmp_path: Path) -> None:
    pytest.importorskip("distributed", reason='dask is not installed (pip install "xxgk-lint[dask]")')
    from distributed import LocalCluster

    tree = tmp_path / "tree"
    for i in range(16):
        write_report(tree, i, "txt", defect="bad_total" if i % 4 == 3 else None)
    (tree / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    local = tmp_path / "local"
    assert invoke(str(tree), "--out", str(local), "--progress", "none", "--jobs", "2").exit_code == 0
    with LocalCluster(processes=True, n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster:
        dist = tmp_path / "dask"
        r = invoke(str(tree), "--out", str(dist), "--progress", "none", "--executor", "dask", "--scheduler", cluster.scheduler_address)
        assert r.exit_code == 0, r.output
    run = json.loads((dist / "run.json").read_text(encoding="utf-8"))
    assert run["settings"]["executor"] == "dask" and run["counts"]["checked"] == 17
    assert (dist / "summary.csv").read_bytes() == (local / "summary.csv").read_bytes()
    a = {r["audit"]["key"]: _without_run(r) for r in read_jsonl(local)}
    b = {r["audit"]["key"]: _without_run(r) for r in read_jsonl(dist)}
    assert a == b
    for key, rec in b.items():
        assert (dist / rec["audit"]["page"]).read_bytes() == (local / a[key]["audit"]["page"]).read_bytes()


# --- the benchmark cannot rot ---------------------------------------------------------------------


def test_benchmark_small_mode() -> None:
    # the timeout only stops a hung run: how fast it is belongs to the figures it prints
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--n", "40", "--quick"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    for name in ("startup", *(f"{m} {fmt}" for m in ("throughput", "overhead", "stages") for fmt in ("txt", "html", "docx", "md", "pdf")), "peak_rss", "rss_growth", "speedup"):
        assert any(line.startswith(name) for line in r.stdout.splitlines()), (name, r.stdout)
    assert "target" in r.stdout
    assert re.search(r"^startup +[0-9.]+ s best, [0-9.]+ median +target <= 0\.3 s", r.stdout, re.M), r.stdout
    assert re.search(r"^throughput txt +[0-9.]+ reports/s/core +target >= 300/s", r.stdout, re.M), r.stdout
