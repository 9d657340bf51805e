"""Peak memory and wall time of ``xxgk-lint check`` on hostile-but-accepted-looking inputs.

    python benchmarks/memory.py                 # every case
    python benchmarks/memory.py --case txt_lines --case html_tiny_p
    python benchmarks/memory.py --list

Each case is generated in a temporary folder (by a child process, so that this process stays small:
Linux counts the RSS a child had at fork/exec in its peak), then checked by ``python -m xxgk_lint
check --format json`` in a child process of its own; the figures are that child's wall time and its
peak RSS (``os.wait4`` rusage of exactly that child, so one case never inherits another's
high-water mark).
The output is one line per case: name, input size, wall seconds, peak RSS MiB, exit code and the
E codes reported (an input refused by a cap shows its E004), then a verdict against the budget
(``--max-rss`` MiB, ``--max-seconds``).

The cases are the shapes the reader caps (``xxgk_lint.read.limits``) are for: very many tiny
blocks (lines, ``<p>`` elements, ``w:p`` paragraphs), very many table cells, very long lines, and
the same shapes just under the block caps (which must be accepted and stay in budget), beside a
real seed report as the baseline.  Exit code 1 when a case is over budget.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = next((ROOT / "tests" / "fixtures" / "seeds").glob("003_*.txt"))
MiB = 1024 * 1024

sys.path.insert(0, str(ROOT / "src"))
from xxgk_lint.read import limits  # noqa: E402

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _fill(unit: bytes, size: int) -> bytes:
    return unit * max(1, size // len(unit))


def _html(body: bytes) -> bytes:
    head = b'<!DOCTYPE html><html><head><meta charset="utf-8"><title>t</title></head><body><div class="content">\n'
    return head + body + b"\n</div></body></html>\n"


def _docx(path: Path, body_xml: bytes) -> None:
    doc = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        + f'<w:document xmlns:w="{W_NS}"><w:body>'.encode()
        + body_xml
        + b"</w:body></w:document>"
    )
    ct = (
        b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        b'<Override PartName="/word/document.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    rels = (
        b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        b'Target="word/document.xml"/></Relationships>'
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", ct)
        z.writestr("_rels/.rels", rels)
        # stored, not deflated: repetitive XML compresses past the zip-bomb ratio cap
        z.writestr(zipfile.ZipInfo("word/document.xml"), doc, compress_type=zipfile.ZIP_STORED)
    path.write_bytes(buf.getvalue())


def _para(text: str) -> bytes:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>".encode()


def _lines_pdf(path: Path, pages: int) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path), pagesize=A4)
    line = "2020年,本机关主动公开政府信息,通过政府网站公开各类信息,及时回应社会关切。"
    for _ in range(pages):
        c.setFont("STSong-Light", 10)
        y = A4[1] - 60
        while y > 60:
            c.drawString(56, y, line)
            y -= 15
        c.showPage()
    c.save()


def _just_under(cap: int) -> int:
    return cap - cap // 20


# name -> (file name, writer)
Case = tuple[str, Callable[[Path], None]]


def cases() -> dict[str, Case]:
    under_lines = _just_under(limits.MAX_LINES)
    under_blocks = _just_under(limits.MAX_BLOCKS)
    under_cells = _just_under(limits.MAX_CELLS)
    return {
        "seed_txt": ("seed.txt", lambda p: p.write_bytes(SEED.read_bytes())),
        # the shapes of the issue: inputs just under the byte caps
        "txt_lines": ("lines.txt", lambda p: p.write_bytes(_fill("第一行文字\n".encode(), 19 * MiB))),
        "html_tiny_p": ("tiny.html", lambda p: p.write_bytes(_html(_fill("<p>一</p>".encode(), 19 * MiB)))),
        "docx_paras": ("paras.docx", lambda p: _docx(p, _fill(_para("一"), 31 * MiB))),
        # very many cells, very long lines
        "txt_cells": ("cells.txt", lambda p: p.write_bytes(_fill(b"1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 |\n", 19 * MiB))),
        "html_cells": (
            "cells.html",
            lambda p: p.write_bytes(_html(b"<table>" + _fill(b"<tr><td>1</td><td>2</td><td>3</td></tr>", 19 * MiB) + b"</table>")),
        ),
        "txt_long_lines": ("long.txt", lambda p: p.write_bytes(_fill(("公开" * 200_000 + "\n").encode(), 19 * MiB))),
        "txt_one_line": ("oneline.txt", lambda p: p.write_bytes(_fill("政府信息公开".encode(), 19 * MiB))),
        # libxml2 refuses a text node over 10 MB (huge_tree off): 9 MiB is the longest a page can hold
        "html_one_p": ("onep.html", lambda p: p.write_bytes(_html(b"<p>" + _fill("政府信息公开".encode(), 9 * MiB) + b"</p>"))),
        "docx_one_para_runs": (
            "runs.docx",
            lambda p: _docx(p, b"<w:p>" + b"<w:r><w:t>\xe4\xb8\x80</w:t></w:r>" * (_just_under(limits.MAX_XML_ELEMENTS) // 2) + b"</w:p>"),
        ),
        # just under the element caps: accepted, must stay in budget
        "txt_lines_under_cap": ("under.txt", lambda p: p.write_bytes(("第一行文字\n" * under_blocks).encode())),
        "txt_blank_lines_under_cap": (
            "blank.txt",
            lambda p: p.write_bytes(("第一行文字\n" + "\n" * (under_lines // under_blocks - 1)).encode() * (under_blocks - 10)),
        ),
        "txt_chars_under_cap": ("chars.txt", lambda p: p.write_bytes(("政府信息公开" * 1000 + "\n").encode() * (_just_under(limits.MAX_TEXT_CHARS) // 6001))),
        "html_one_p_under_cap": (
            "onep_under.html",
            lambda p: p.write_bytes(_html(b"<p>" + "政府信息公开".encode() * (_just_under(limits.MAX_TEXT_CHARS) // 6) + b"</p>")),
        ),
        "html_p_under_cap": ("under.html", lambda p: p.write_bytes(_html(("<p>一</p>\n" * under_blocks).encode()))),
        "docx_paras_under_cap": ("under.docx", lambda p: _docx(p, _para("一") * under_blocks)),
        "txt_cells_under_cap": (
            "under_cells.txt",
            lambda p: p.write_bytes(("1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 |\n" * (under_cells // 10)).encode()),
        ),
        "html_cells_under_cap": (
            "under_cells.html",
            lambda p: p.write_bytes(_html(b"<table>" + b"<tr><td>1</td><td>2</td><td>3</td><td>4</td></tr>\n" * (under_cells // 4) + b"</table>")),
        ),
        "pdf_pages": ("pages.pdf", lambda p: _lines_pdf(p, 60)),
    }


def measure(path: Path, out: Path) -> tuple[float, float, int, list[str]]:
    """(wall s, peak RSS MiB, exit code, E codes) of one check in a fresh child process."""
    cmd = [sys.executable, "-m", "xxgk_lint", "check", "--format", "json", "--output", str(out), str(path)]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - started
    rss = usage.ru_maxrss / 1024  # KiB on Linux
    codes: list[str] = []
    try:
        data = json.loads(out.read_text(encoding="utf-8"))
        files = data.get("files", data) if isinstance(data, dict) else data
        for f in files:
            codes += [x["rule"] for x in f.get("findings", []) if x["rule"].startswith("E")]
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        codes = ["(no json: " + err.decode("utf-8", "replace").strip().splitlines()[-1:][0] + ")"] if err.strip() else []
    return wall, rss, proc.returncode, codes


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--case", action="append", help="run only these cases (repeatable)")
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    ap.add_argument("--write", nargs=2, metavar=("CASE", "PATH"), help=argparse.SUPPRESS)
    ap.add_argument("--max-rss", type=float, default=300.0, help="budget: peak RSS MiB per case")
    ap.add_argument("--max-seconds", type=float, default=10.0, help="budget: wall seconds per case")
    args = ap.parse_args()
    table = cases()
    if args.write:
        table[args.write[0]][1](Path(args.write[1]))
        return 0
    if args.list:
        print("\n".join(table))
        return 0
    names = args.case or list(table)
    over = 0
    print(f"{'case':<22} {'size':>10} {'wall s':>7} {'RSS MiB':>8} {'exit':>4}  E codes")
    with tempfile.TemporaryDirectory(prefix="xxgk-mem-") as tmp:
        for name in names:
            fname, _write = table[name]
            path = Path(tmp) / fname
            subprocess.run([sys.executable, __file__, "--write", name, str(path)], check=True)
            size = path.stat().st_size
            wall, rss, rc, codes = measure(path, Path(tmp) / f"{name}.json")
            ok = rss <= args.max_rss and wall <= args.max_seconds
            over += not ok
            shown = " ".join(sorted(set(codes))) or "-"
            print(f"{name:<22} {limits.human(size):>10} {wall:7.2f} {rss:8.1f} {rc:>4}  {shown}{'' if ok else '  OVER BUDGET'}")
            path.unlink()
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
