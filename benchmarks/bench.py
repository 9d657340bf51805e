"""Benchmark for xxgk-lint: throughput, overhead over bare parsing, start-up, memory, scaling.

    python benchmarks/bench.py            # CI small mode: N=200 synthetic reports
    python benchmarks/bench.py --n 40 --quick
    python benchmarks/bench.py --full     # N=100000: the memory figure at 100k (minutes; not run in CI)

It generates N synthetic reports in a temporary folder - valid and defective, as .txt, .html,
.docx, .md and .pdf - built from ``tests/fixtures/clean-2019.txt`` by varying the agency, year and every figure of
tables 三 and 四 (consistently, with the narrative sentence that states them), dropping parts of
section 一 (so sizes range over ~10-15 KB of text) and, for defective ones, dropping section 六,
breaking a total or garbling a cell.  Then it prints one line per figure with its target:

- ``startup``: wall time of ``xxgk-lint check`` on one report in a subprocess (best and median of
  5, after one untimed run; with bytecode caching on, as in an installed package);
- ``throughput txt|html|docx|md|pdf``: reports/s on one core (``lint_path`` in this process);
- ``overhead``: full check time / bare read+parse time on the same inputs (txt, md: read and decode
  the file; html: ``lxml.html`` parse; docx: unzip and ``lxml.etree`` parse of document.xml; pdf:
  ``pdfplumber`` words of every page);
- ``stages``: the same check split into our own read, parse and rule stages (ms per report), and the
  rules' time as a multiple of our read+parse;
- ``peak_rss``: peak RSS of ``xxgk-lint audit --jobs 1 --no-pages`` over N txt reports
  (``os.wait4`` rusage of that process, which includes its pool worker);
- ``rss_growth``: how much a worker's resident memory grows per report between a quarter of the
  txt sample and all of it (judged from 1 000 reports on): what predicts the 100k figure;
- ``speedup``: audit wall time with ``--jobs 1`` / with ``--jobs 2`` on the same txt reports.

The generator (:func:`make_report`, :func:`write_tree`) is also used by tests/test_audit.py.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLEAN = ROOT / "tests" / "fixtures" / "clean-2019.txt"

TARGETS = {
    "throughput": 300.0,  # txt reports/s per core
    "overhead": 2.0,  # check time <= 2x bare read+parse
    "startup": 0.3,  # s for one-report CLI
    "rss_mb": 300.0,  # MB, flat at 100k
    "growth_kb": 2.0,  # KB per report a worker may grow by: 100k reports stay well under rss_mb
}

CITIES = ["昭通市", "曲靖市", "玉溪市", "保山市", "丽江市", "普洱市", "临沧市", "楚雄州", "红河州", "文山州", "大理州", "德宏州"]
COUNTIES = ["昭阳区", "鲁甸县", "巧家县", "盐津县", "大关县", "永善县"]
DEPARTMENTS = ["政务服务管理局", "交通运输局", "教育局", "卫生健康委员会", "自然资源局", "生态环境局", "住房和城乡建设局", "农业农村局", "市场监督管理局", "财政局"]

# table 三's numeric rows, in the order they appear in the fixture
REQ_ROWS = [
    "new", "carried_over", "granted", "partial",
    "denied_secret", "denied_law", "denied_safety", "denied_third_party", "denied_internal", "denied_process", "denied_case_file", "denied_query",
    "unable_not_held", "unable_create", "unable_unclear",
    "refused_petition", "refused_repeat", "refused_publication", "refused_massive", "refused_confirm",
    "other", "outcome_total", "carried_forward",
]
OUTCOMES = REQ_ROWS[2:21]
NARRATIVE = re.compile(
    r"共收到政府信息公开申请\d+件,上年结转\d+件;予以公开\d+件,部分公开\d+件,结转下年度继续办理\d+件。因政府信息公开被申请行政复议\d+件,被提起行政诉讼\d+件。"
)
DEFECTS = ("missing_section", "bad_total", "garbled_cell")

# Agencies word the same work differently.  Each report picks its own synonyms in its prose, so
# its paragraphs are its own, as real reports' are (without this, a few hundred paragraphs would
# serve every report, and caches keyed by paragraph text would flatter the figures).
WORDING = {
    "推进": ("推进", "推动", "深入推进"),
    "进一步": ("进一步", "持续", "不断"),
    "完善": ("完善", "健全", "优化"),
    "积极": ("积极", "主动", "认真"),
    "加强": ("加强", "强化", "着力加强"),
    "规范": ("规范", "规范化"),
    "开展": ("开展", "组织开展", "实施"),
    "严格": ("严格", "严肃", "从严"),
    "及时": ("及时", "第一时间", "按时"),
    "切实": ("切实", "扎实", "有力"),
    "全面": ("全面", "全方位", "系统"),
}
_WORDING = re.compile("|".join(sorted(WORDING, key=len, reverse=True)))
_KEEP_HEAD = 20  # characters at the start of a line left alone (a heading may begin the line)


def vary_wording(lines: list[str], rng: random.Random) -> list[str]:
    """Long prose lines with this report's own choice of synonyms (tables and headings untouched)."""
    pick = {w: rng.choice(options) for w, options in WORDING.items()}
    out = []
    for ln in lines:
        if len(ln) > 80 and "|" not in ln:
            ln = ln[:_KEEP_HEAD] + _WORDING.sub(lambda m: pick[m.group(0)] if rng.random() < 0.7 else m.group(0), ln[_KEEP_HEAD:])
        out.append(ln)
    return out


@dataclass(slots=True)
class Truth:
    """What a generated report is, for checking an audit's figures."""

    name: str
    agency: str
    kind: str  # department | government
    year: int
    signature: str  # YYYY-MM-DD written under the signature
    defect: str | None
    granted: int
    partial: int
    outcome_total: int
    review_corrected: int
    review_closed: int
    suit_corrected: int
    suit_closed: int
    fmt: str = "txt"
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def disclosure_rate(self) -> Decimal | None:
        return Decimal(self.granted + self.partial) / Decimal(self.outcome_total) if self.outcome_total else None


def _split(n: int, parts: int, rng: random.Random, weights: list[float] | None = None) -> list[int]:
    """n as a sum of `parts` non-negative integers."""
    weights = weights or [1.0] * parts
    out = [0] * parts
    for _ in range(n):
        out[rng.choices(range(parts), weights)[0]] += 1
    return out


def _requests(rng: random.Random) -> dict[str, list[int]]:
    """Table 三 rows (6 applicant columns + total) that reconcile."""
    col_w = [6, 2, 0.5, 0.5, 0.5, 0.5]
    rows: dict[str, list[int]] = {}
    for key in OUTCOMES:
        n = rng.choice([0, 0, 0, 1, 2]) if key not in ("granted", "partial", "unable_not_held") else rng.randint(0, 60)
        rows[key] = _split(n, 6, rng, col_w)
    total = [sum(rows[k][c] for k in OUTCOMES) for c in range(6)]
    forward = [rng.randint(0, 2) if total[c] else 0 for c in range(6)]
    carried = [rng.randint(0, min(2, total[c] + forward[c])) for c in range(6)]
    new = [total[c] + forward[c] - carried[c] for c in range(6)]
    rows["outcome_total"] = total
    rows["carried_forward"] = forward
    rows["carried_over"] = carried
    rows["new"] = new
    return {k: [*v, sum(v)] for k, v in rows.items()}


def _reviews(rng: random.Random) -> list[list[int]]:
    out = []
    for scale in (12, 6, 6):
        parts = [rng.randint(0, scale), rng.randint(0, scale // 3), rng.randint(0, 2), rng.randint(0, 2)]
        out.append([*parts, sum(parts)])
    return out


def agency_of(a: int) -> tuple[str, str]:
    """(name, kind) of the a-th synthetic agency."""
    rng = random.Random(f"agency:{a}")
    city = CITIES[a % len(CITIES)]
    if rng.random() < 0.25:
        return (rng.choice(COUNTIES) if rng.random() < 0.5 else city) + "人民政府", "government"
    return city + DEPARTMENTS[(a // len(CITIES)) % len(DEPARTMENTS)], "department"


def make_report(i: int, *, seed: int = 0, defect: str | None = None, agencies: int | None = None) -> tuple[str, Truth]:
    """The i-th synthetic report: its text and what it contains (``agencies``: how many distinct
    agencies the reports cycle through; default one per report)."""
    rng = random.Random(f"{seed}:{i}")
    base = CLEAN.read_text(encoding="utf-8")
    year = rng.choice([2018, 2019, 2019, 2020])
    agency, kind = agency_of(i % agencies if agencies else i)
    sig_day = rng.randint(5, 28)
    sig_month = rng.choice([1, 1, 2, 3])
    signature = f"{year + 1}-{sig_month:02d}-{sig_day:02d}"
    text = base.replace("2019年1月31日", "@SIG@").replace("2018", str(year)).replace("2017", str(year - 1))
    text = text.replace("@SIG@", f"{year + 1}年{sig_month}月{sig_day}日").replace("昭通市政务服务管理局", agency)
    lines = text.split("\n")

    req = _requests(rng)
    rev = _reviews(rng)
    start = next(n for n, ln in enumerate(lines) if ln.startswith("三、收到和处理"))
    end = next(n for n, ln in enumerate(lines) if ln.startswith("四、政府信息公开行政复议"))
    k = 0
    for n in range(start, end):
        cells = lines[n].split(" | ")
        if len(cells) >= 8 and all(c.strip().rstrip("|").strip().lstrip("-").isdigit() for c in cells[-7:]):
            nums = req[REQ_ROWS[k]]
            lines[n] = " | ".join(cells[:-7] + [str(v) for v in nums]) + " |"
            k += 1
    assert k == len(REQ_ROWS), k
    rev_line = next(n for n in range(end, len(lines)) if lines[n].count("|") >= 15)
    lines[rev_line] = " | ".join(str(v) for row in rev for v in row) + " |"
    suits = rev[1][4] + rev[2][4]
    sentence = (
        f"共收到政府信息公开申请{req['new'][6]}件,上年结转{req['carried_over'][6]}件;予以公开{req['granted'][6]}件,"
        f"部分公开{req['partial'][6]}件,结转下年度继续办理{req['carried_forward'][6]}件。"
        f"因政府信息公开被申请行政复议{rev[0][4]}件,被提起行政诉讼{suits}件。"
    )
    text = "\n".join(lines)
    text, n_sub = NARRATIVE.subn(sentence, text)
    assert n_sub == 1
    # vary the size: drop one of section 一's long paragraphs ((三) and (四) are 2-4 KB each)
    lines = text.split("\n")
    drop = rng.choice([None, "(四)推进", "(三)重点领域"])
    if drop:
        lines = [ln for ln in lines if not ln.startswith(drop)]
    lines = vary_wording(lines, rng)
    if defect == "missing_section":
        at = next(n for n, ln in enumerate(lines) if ln.startswith("六、其他需要报告的事项"))
        del lines[at : at + 2]
    elif defect == "bad_total":
        at = next(n for n, ln in enumerate(lines) if ln.startswith("(七)总计"))
        cells = lines[at].split(" | ")
        cells[-1] = f"{int(cells[-1].rstrip(' |')) + 3} |"
        lines[at] = " | ".join(cells)
    elif defect == "garbled_cell":
        at = next(n for n, ln in enumerate(lines) if ln.startswith("(二)部分公开"))
        cells = lines[at].split(" | ")
        cells[1] = "约十"
        lines[at] = " | ".join(cells)
    text = "\n".join(lines)
    truth = Truth(
        name=f"r{i:06d}",
        agency=agency,
        kind=kind,
        year=year,
        signature=signature,
        defect=defect,
        granted=req["granted"][6],
        partial=req["partial"][6],
        outcome_total=req["outcome_total"][6] + (3 if defect == "bad_total" else 0),
        review_corrected=rev[0][1],
        review_closed=rev[0][4] - rev[0][3],
        suit_corrected=rev[1][1] + rev[2][1],
        suit_closed=rev[1][4] - rev[1][3] + rev[2][4] - rev[2][3],
    )
    if defect == "garbled_cell":
        truth.partial = -1  # the partial row's total is still readable, but the row is not
    return text, truth


# --- formats --------------------------------------------------------------------------------------


def _is_table_line(line: str) -> bool:
    return line.count("|") >= 1 and line.rstrip().endswith("|")


def blocks(text: str) -> Iterator[str | list[list[str]]]:
    """The report text as paragraphs (a line, str) and tables (consecutive ``|`` lines, as rows of cells)."""
    table: list[list[str]] = []
    for line in text.split("\n"):
        if _is_table_line(line):
            table.append([c.strip() for c in line.rstrip().rstrip("|").split("|")])
            continue
        if table:
            yield table
            table = []
        yield line
    if table:
        yield table


def _padded(table: list[list[str]]) -> list[list[str]]:
    width = max(len(r) for r in table)
    return [r + [""] * (width - len(r)) for r in table]


def to_html(text: str, title: str) -> str:
    from html import escape

    out = [
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\">",
        f"<title>{escape(title)}</title></head><body><div class=\"article\">",
        f"<h1>{escape(title)}</h1>",
    ]
    for b in blocks(text):
        if isinstance(b, str):
            out.append(f"<p>{escape(b)}</p>")
            continue
        out.append("<table>")
        out.extend("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>" for cells in b)
        out.append("</table>")
    out.append("</div></body></html>")
    return "\n".join(out)


def to_docx(text: str, path: Path) -> None:
    import docx

    d = docx.Document()
    for b in blocks(text):
        if isinstance(b, str):
            d.add_paragraph(b)
            continue
        t = d.add_table(rows=len(b), cols=max(len(r) for r in b))
        for row, values in zip(t.rows, b, strict=True):  # (t.cell(r, c) is quadratic)
            for cell, val in zip(row.cells, values, strict=False):
                cell.text = val
    d.save(str(path))


def to_md(text: str, title: str) -> str:
    """Markdown: a title heading, paragraphs, and each table as a GFM table (its first row the header)."""
    out = [f"# {title}", ""]
    for b in blocks(text):
        if isinstance(b, str):
            out.extend([b, ""] if b.strip() else [])
            continue
        rows = _padded(b)
        out.append("| " + " | ".join(rows[0]) + " |")
        out.append("|" + "---|" * len(rows[0]))
        out.extend("| " + " | ".join(r) + " |" for r in rows[1:])
        out.append("")
    return "\n".join(out) + "\n"


PDF_FONT = "STSong-Light"  # a CID font reportlab has built in; its text extracts with pdfplumber


def to_pdf(text: str, path: Path) -> None:
    """An A4 PDF (reportlab): wrapped paragraphs and ruled tables, as a PDF export of the report."""
    from html import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

    try:
        pdfmetrics.getFont(PDF_FONT)
    except KeyError:
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    body = ParagraphStyle("body", fontName=PDF_FONT, fontSize=10, leading=15, wordWrap="CJK")
    cell = ParagraphStyle("cell", fontName=PDF_FONT, fontSize=6.5, leading=8, wordWrap="CJK")
    story: list[object] = []
    for b in blocks(text):
        if isinstance(b, str):
            if b.strip():
                story.append(Paragraph(escape(b), body))
            continue
        rows = _padded(b)
        width = len(rows[0])
        data = [[Paragraph(escape(c), cell) if c else "" for c in r] for r in rows]
        story.append(Table(data, colWidths=[495.0 / width] * width, style=[("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
        story.append(Spacer(1, 4))
    SimpleDocTemplate(str(path), pagesize=A4, leftMargin=50, rightMargin=50, topMargin=50, bottomMargin=50).build(story)


FORMATS = ("txt", "html", "docx", "md", "pdf")


def write_report(
    folder: Path, i: int, fmt: str, *, seed: int = 0, defect: str | None = None, agencies: int | None = None
) -> tuple[Path, Truth]:
    text, truth = make_report(i, seed=seed, defect=defect, agencies=agencies)
    truth.fmt = fmt
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{truth.name}.{fmt}"
    if fmt == "txt":
        path.write_text(text, encoding="utf-8")
    elif fmt == "html":
        path.write_text(to_html(text, f"{truth.agency}{truth.year}年政府信息公开工作年度报告"), encoding="utf-8")
    elif fmt == "docx":
        to_docx(text, path)
    elif fmt == "md":
        path.write_text(to_md(text, f"{truth.agency}{truth.year}年政府信息公开工作年度报告"), encoding="utf-8")
    elif fmt == "pdf":
        to_pdf(text, path)
    else:
        raise ValueError(fmt)
    return path, truth


def write_tree(folder: Path, n: int, *, fmt: str = "txt", seed: int = 0, defect_every: int = 5, subdirs: int = 1) -> list[tuple[Path, Truth]]:
    """n reports; every `defect_every`-th one defective (cycling through DEFECTS)."""
    out = []
    for i in range(n):
        defect = DEFECTS[(i // defect_every) % len(DEFECTS)] if defect_every and i % defect_every == defect_every - 1 else None
        sub = folder / f"d{i % subdirs:02d}" if subdirs > 1 else folder
        out.append(write_report(sub, i, fmt, seed=seed, defect=defect))
    return out


# --- measurements ---------------------------------------------------------------------------------


def _cli() -> list[str]:
    exe = shutil.which("xxgk-lint")
    return [exe] if exe else [sys.executable, "-m", "xxgk_lint"]


def measure_startup(path: Path, repeat: int) -> tuple[float, float]:
    """(best, median) wall seconds of ``check`` on one report, after one untimed run.  An installed
    package has its bytecode (pip compiles it); an environment with PYTHONDONTWRITEBYTECODE set
    (some containers and CI images) would make every run compile ~190 modules again, ~0.1 s that no
    user pays, so the runs here write and use it as an installation does."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    cmd = [*_cli(), "check", "--color", "never", str(path)]
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=env)
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=env)
        times.append(time.perf_counter() - t)
    return min(times), statistics.median(times)


def measure_check(paths: list[Path]) -> float:
    from xxgk_lint.check.rules import builtin_rules
    from xxgk_lint.pipeline import Options, lint_path, settle

    opts = Options()
    rules = opts.active_rules()
    builtin_rules()
    lint_path(paths[0], opts, rules)  # warm caches (rules, templates, grammars)
    settle()  # as `check` and the audit workers do after their first report
    t = time.perf_counter()
    for p in paths:
        lint_path(p, opts, rules)
    return time.perf_counter() - t


def measure_stages(paths: list[Path]) -> tuple[float, float, float]:
    """Seconds spent in our own read, parse and rule stages over ``paths`` (after settle(), as in
    measure_check): where the time of a check goes, beside the bare-parser ratio."""
    from xxgk_lint.check.engine import run_checks
    from xxgk_lint.parse import parse_document, report_template
    from xxgk_lint.pipeline import Options
    from xxgk_lint.read import ReadError, read_path

    rules = Options().active_rules()
    read = parse = check = 0.0
    for p in paths:
        t0 = time.perf_counter()
        try:
            doc = read_path(p)
        except ReadError:
            continue
        t1 = time.perf_counter()
        report = parse_document(doc)
        t2 = time.perf_counter()
        run_checks(report, doc, report_template(report), rules)
        t3 = time.perf_counter()
        read, parse, check = read + t1 - t0, parse + t2 - t1, check + t3 - t2
    return read, parse, check


def measure_bare(paths: list[Path], fmt: str) -> float:
    import zipfile

    import lxml.etree
    import lxml.html

    t = time.perf_counter()
    for p in paths:
        data = p.read_bytes()
        if fmt in ("txt", "md"):
            data.decode("utf-8")
        elif fmt == "pdf":
            import pdfplumber

            with pdfplumber.open(p) as pdf:
                for page in pdf.pages:
                    page.extract_words()
        elif fmt == "html":
            lxml.html.document_fromstring(data)
        else:
            with zipfile.ZipFile(p) as z:
                lxml.etree.fromstring(z.read("word/document.xml"))
    return time.perf_counter() - t


# Runs a command and prints "<exit code> <wall s> <ru_maxrss KB>".  A fresh small interpreter starts
# the audit: a child forked straight from this (large) process would report this process's RSS.
_RUSAGE = """
import os, subprocess, sys, time
t = time.perf_counter()
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
err = p.stderr.read()
_pid, status, usage = os.wait4(p.pid, 0)
sys.stderr.write(err.decode(errors="replace")[-2000:])
print(os.waitstatus_to_exitcode(status), time.perf_counter() - t, usage.ru_maxrss)
"""


def run_audit(folder: Path, out: Path, jobs: int) -> tuple[float, int]:
    """(wall seconds, peak RSS in bytes of the audit process tree's largest process)."""
    cmd = [*_cli(), "audit", str(folder), "--out", str(out), "--jobs", str(jobs), "--no-pages", "--progress", "none"]
    r = subprocess.run([sys.executable, "-c", _RUSAGE, *cmd], capture_output=True, text=True, check=False)
    code, wall, maxrss = r.stdout.split()
    if code != "0":
        raise SystemExit(f"audit failed ({code}): {r.stderr}")
    return float(wall), int(maxrss) * 1024  # Linux: kilobytes


# The audit's per-file function over the given paths in a fresh interpreter, printing its resident
# memory (/proc/self/statm, Linux) after the first quarter of them and after all of them.
_GROWTH = """
import sys
from xxgk_lint.audit.executors import prepared
from xxgk_lint.audit.worker import Task, audit_file
from xxgk_lint.pipeline import Options

def rss():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * 4096

opts = Options()
paths = sys.argv[1:]
marks = {len(paths) // 4: None, len(paths): None}
for i, p in enumerate(paths, 1):
    prepared(audit_file, Task(index=i, path=p, key=p, opts=opts, settings="", rules_version=""), None)
    if i in marks:
        marks[i] = rss()
print(*marks, *marks.values())
"""


def measure_growth(paths: list[Path]) -> tuple[int, int, float] | None:
    """(first mark, last mark, bytes per report between them) of a worker's resident memory: a
    worker that keeps something of every report it checks grows without bound over a 100k audit
    even when a 2 000-report peak looks small.  None where /proc is missing."""
    if not Path("/proc/self/statm").is_file() or len(paths) < 8:
        return None
    r = subprocess.run([sys.executable, "-c", _GROWTH, *map(str, paths)], capture_output=True, text=True, check=False)
    if r.returncode != 0:
        raise SystemExit(f"growth run failed: {r.stderr[-2000:]}")
    a, b, ra, rb = map(int, r.stdout.split())
    return a, b, (rb - ra) / (b - a)


def _line(name: str, value: str, target: str, ok: bool | None) -> None:
    mark = "" if ok is None else ("  ok" if ok else "  MISSED")
    print(f"{name:<22} {value:<28} target {target}{mark}", flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=200, help="number of synthetic reports (default 200, the CI small mode)")
    ap.add_argument("--full", action="store_true", help="N=100000 for the memory figure at 100k (slow; not run in CI)")
    ap.add_argument("--quick", action="store_true", help="fewer repetitions and smaller html/docx sets (for the test suite)")
    ap.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    args = ap.parse_args(argv)
    n = 100_000 if args.full else max(4, args.n)
    n_fmt = max(4, n // 5) if args.quick else min(n, 200)  # html/docx/md throughput samples
    n_pdf = max(3, n // 10) if args.quick else min(n, 100)  # PDFs: slow to write and to read

    tmp = args.keep or Path(tempfile.mkdtemp(prefix="xxgk-bench-"))
    try:
        t = time.perf_counter()
        txt = [p for p, _ in write_tree(tmp / "txt", n, fmt="txt", subdirs=max(1, n // 1000))]
        others = {fmt: [p for p, _ in write_tree(tmp / fmt, n_pdf if fmt == "pdf" else n_fmt, fmt=fmt)] for fmt in FORMATS[1:]}
        sizes = [p.stat().st_size for p in txt[:200]]
        counts = ", ".join(f"{len(v)} {k}" for k, v in others.items())
        print(f"# xxgk-lint benchmark: {n} txt, {counts} reports "
              f"(txt {min(sizes) // 1024}-{max(sizes) // 1024} KB), generated in {time.perf_counter() - t:.1f} s, "
              f"{os.cpu_count()} core(s), Python {sys.version.split()[0]}", flush=True)

        s, med = measure_startup(txt[0], 5 if not args.quick else 2)
        _line("startup", f"{s:.3f} s best, {med:.3f} median", f"<= {TARGETS['startup']} s", s <= TARGETS["startup"])

        sample = txt[: min(n, 2000)]
        for fmt, paths in (("txt", sample), *others.items()):
            check = measure_check(paths)
            bare = measure_bare(paths, fmt)
            rate = len(paths) / check
            target = f">= {TARGETS['throughput']:.0f}/s" if fmt == "txt" else "(no target)"
            _line(f"throughput {fmt}", f"{rate:.1f} reports/s/core", target, rate >= TARGETS["throughput"] if fmt == "txt" else None)
            ratio = check / bare if bare > 0 else float("inf")
            _line(f"overhead {fmt}", f"{ratio:.1f}x bare read+parse", f"<= {TARGETS['overhead']:.0f}x", ratio <= TARGETS["overhead"])
            rd, ps, ck = measure_stages(paths)
            per = 1000 / len(paths)
            share = f", rules = {ck / (rd + ps):.1f}x our read+parse" if rd + ps > 0 else ""
            _line(f"stages {fmt}", f"read {rd * per:.2f} + parse {ps * per:.2f} + rules {ck * per:.2f} ms/report{share}",
                  "(no target)", None)

        wall1, rss = run_audit(tmp / "txt", tmp / "audit-1", 1)
        _line("peak_rss", f"{rss / 2**20:.0f} MB (audit, {n} txt)", f"< {TARGETS['rss_mb']:.0f} MB", rss / 2**20 < TARGETS["rss_mb"])
        growth = measure_growth(sample)
        if growth is None:
            _line("rss_growth", "n/a (needs /proc)", "flat", None)
        else:
            a, b, per_report = growth
            judged = b - a >= 750  # fewer reports: the bounded caches still filling dominate
            _line("rss_growth", f"{per_report / 1024:.1f} KB/report (worker, {a} -> {b})",
                  f"<= {TARGETS['growth_kb']:.0f} KB/report" + ("" if judged else " (too few reports to judge)"),
                  per_report / 1024 <= TARGETS["growth_kb"] if judged else None)
        if (os.cpu_count() or 1) >= 2:
            wall2, _ = run_audit(tmp / "txt", tmp / "audit-2", 2)
            _line("speedup", f"{wall1 / wall2:.2f}x (1 -> 2 jobs)", "~2x", None)
            _line("audit", f"{n / wall1:.1f} reports/s (1 job), {n / wall2:.1f} (2 jobs)", "(end to end)", None)
        else:
            _line("speedup", "n/a (1 core)", "~2x", None)
    finally:
        if args.keep is None:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
