"""Autofix (check --fix / --fix-unsafe): derivable totals rewritten in place, nothing else touched."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from tests.conftest import CLEAN_2019, SEED

from xxgk_lint.fix.apply import FixError, apply_docx_edits, apply_text_edits, edit_text_bytes, fix_paths
from xxgk_lint.fix.plan import Edit, plan_fixes
from xxgk_lint.fix.skeleton import build_skeleton, render_markdown, write_docx
from xxgk_lint.parse import parse_document
from xxgk_lint.parse.template import get_template
from xxgk_lint.pipeline import Options, lint_path
from xxgk_lint.read import read_path
from xxgk_lint.read.text import read_text

CLEAN = CLEAN_2019.read_text(encoding="utf-8")

# one broken total per relation: a row total (T203), a column total (T202), a table 四 total (T204)
BREAKS = [
    ("(一)予以公开 | 8 | 2 | 0 | 0 | 1 | 0 | 11 |", "(一)予以公开 | 8 | 2 | 0 | 0 | 1 | 0 | 13 |"),  # T203 (and T202 on 总计)
    ("(七)总计 | 20 | 3 | 1 |", "(七)总计 | 20 | 7 | 1 |"),  # T202 (and T203 on its row)
    ("1 | 1 | 0 | 1 | 3 | 1 | 0 | 0 | 0 | 1 |", "1 | 1 | 0 | 1 | 9 | 1 | 0 | 0 | 0 | 1 |"),  # T204
]


def broken(text: str = CLEAN) -> str:
    for old, new in BREAKS:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def plan(text: str, name: str = "r.txt", unsafe: bool = False) -> list[Edit]:
    doc = read_text(text, name, "md" if name.endswith(".md") else "txt")
    report = parse_document(doc)
    return plan_fixes(report, doc, get_template(report.template or "gov-2019"), unsafe)


def t2_errors(path: Path) -> list[str]:
    r = lint_path(path, Options())
    return [f"{f.rule} {f.cell}" for f in r.findings if f.rule.startswith("T2") and f.severity == "error"]


# ------------------------------------------------------------------------------------- planning


def test_plan_names_each_broken_total() -> None:
    edits = plan(broken())
    got = {e.cell: (e.old, e.new, e.rule) for e in edits}
    assert got == {
        "requests.granted.total": ("13", "11", "T203"),
        "requests.outcome_total.commercial": ("7", "3", "T202"),
        "reviews.review.total": ("9", "3", "T204"),
    }
    e = next(e for e in edits if e.cell == "requests.granted.total")
    assert (e.path, e.line) == ("r.txt", 35) and CLEAN.splitlines()[34][e.column - 1 :].startswith("11 |")
    assert "(一)予以公开" in e.describe() and "13 → 11" in e.describe() and "table 三" in e.describe("en")


def test_clean_report_needs_no_fix_and_fixing_is_idempotent() -> None:
    assert plan(CLEAN) == []
    fixed = edit_text_bytes(broken().encode(), plan(broken())).decode()
    assert plan(fixed) == []


def test_unknown_parts_are_never_used() -> None:
    # a part that is text: the row total and the column total that need it stay as written
    text = CLEAN.replace("(一)予以公开 | 8 | 2 | 0 | 0 | 1 | 0 | 11 |", "(一)予以公开 | 见附件 | 2 | 0 | 0 | 1 | 0 | 12 |")
    text = text.replace("(七)总计 | 20 |", "(七)总计 | 21 |")
    cells = {e.cell: e.new for e in plan(text)}
    assert "requests.granted.total" not in cells and "requests.outcome_total.natural_person" not in cells
    # (七)总计's 总计 is still derivable: from the row totals and from its own row, both 26
    assert cells == {"requests.outcome_total.total": "26"}
    # a row whose blanks a scrape collapsed: its values have no columns, its total is not recomputed
    text = CLEAN.replace("(六)其他处理 | 0 | 0 | 1 | 0 | 0 | 0 | 1 |", "(六)其他处理 | 5 | 1 |")
    assert plan(text) == []
    # a number with a unit is not a plain number either
    text = CLEAN.replace("2.重复申请 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |", "2.重复申请 | 1件 | 1 | 0 | 0 | 0 | 0 | 1 |")
    assert plan(text) == []


def test_slash_and_blank_become_zero_only_when_unsafe() -> None:
    text = CLEAN.replace("2.重复申请 | 1 | 0 | 0 |", "2.重复申请 | 1 | / |  |").replace("规章 | 0 | 0 | 0 |", "规章 | / | 0 | — |")
    assert plan(text) == []  # "/" parts: the totals are left alone too
    edits = plan(text, unsafe=True)
    assert {(e.cell, e.old, e.new, e.rule) for e in edits} == {
        ("active.regulations.made", "/", "0", "T101"),
        ("active.regulations.total_public", "—", "0", "T101"),
        ("requests.refused_repeat.commercial", "/", "0", "T101"),
        ("requests.refused_repeat.research", "", "0", "T102"),
    }
    assert edit_text_bytes(text.encode(), edits).decode() == CLEAN.replace("规章 | 0 | 0 | 0 |", "规章 | 0 | 0 | 0 |")


def test_zero_fill_then_totals() -> None:
    # "/" in a part and a wrong total: zeros first, then the total from the zeroed parts
    text = CLEAN.replace("2.重复申请 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |", "2.重复申请 | / | 0 | 0 | 0 | 0 | 0 | / |")
    assert plan(text) == []
    edits = {e.cell: (e.old, e.new, e.rule) for e in plan(text, unsafe=True)}
    assert edits["requests.refused_repeat.natural_person"] == ("/", "0", "T101")
    assert edits["requests.refused_repeat.total"] == ("/", "0", "T101")
    assert edits["requests.outcome_total.natural_person"] == ("20", "19", "T202")
    assert edits["requests.outcome_total.total"] == ("25", "24", "T202")


def test_contradictory_totals_are_left_alone() -> None:
    # (七)总计's 总计 from its row (26) and from the column (25) disagree; one part is unreadable
    text = CLEAN.replace("(一)予以公开 | 8 |", "(一)予以公开 | 见附件 |").replace("(七)总计 | 20 |", "(七)总计 | 21 |")
    assert plan(text) == []


# ------------------------------------------------------------------------------------- txt / md


def test_fix_txt_in_place_byte_exact(tmp_path: Path) -> None:
    p = tmp_path / "report.txt"
    p.write_text(broken(), encoding="utf-8")
    lines: list[str] = []
    edits = fix_paths([p], Options(), echo=lines.append)
    assert len(edits) == 3
    assert p.read_bytes() == CLEAN_2019.read_bytes()
    assert t2_errors(p) == []
    assert any("13 → 11" in s and "T203" in s and f"{p}:35:" in s for s in lines), lines
    assert lines[-1].startswith("已修复 1 个文件中的 3 处")
    assert fix_paths([p], Options()) == []  # nothing left to fix


def test_fix_keeps_encoding_line_endings_and_other_bytes(tmp_path: Path) -> None:
    p = tmp_path / "gbk.txt"
    p.write_bytes(broken().replace("\n", "\r\n").encode("gb18030"))
    edits = fix_paths([p], Options(lang="en"))
    assert len(edits) == 3
    assert p.read_bytes() == CLEAN.replace("\n", "\r\n").encode("gb18030")


def test_fix_md_skeleton(tmp_path: Path) -> None:
    sk = filled_skeleton()
    good = render_markdown(sk)
    sk.set_value("requests", "new", "total", "52")
    sk.set_value("requests", "outcome_total", "natural_person", "0")
    sk.set_value("reviews", "suit_after", "total", "7")
    p = tmp_path / "r.md"
    p.write_text(render_markdown(sk), encoding="utf-8")
    edits = fix_paths([p], Options())
    assert {e.cell for e in edits} == {"requests.new.total", "requests.outcome_total.natural_person", "reviews.suit_after.total"}
    assert p.read_text(encoding="utf-8") == good
    assert t2_errors(p) == []


def test_unsafe_fix_via_fix_paths(tmp_path: Path) -> None:
    p = tmp_path / "r.txt"
    text = CLEAN.replace("规章 | 0 | 0 | 0 |", "规章 | / | / | / |")
    p.write_text(text, encoding="utf-8")
    assert fix_paths([p], Options()) == [] and p.read_text(encoding="utf-8") == text
    assert len(fix_paths([p], Options(), unsafe=True)) == 3
    assert p.read_bytes() == CLEAN_2019.read_bytes()


def test_seed_with_collapsed_rows_is_not_touched(tmp_path: Path) -> None:
    p = tmp_path / "seed.txt"
    p.write_bytes(SEED["004"].read_bytes())
    fix_paths([p], Options(), unsafe=True)
    fixed = p.read_text(encoding="utf-8")
    # only cells with a known column changed: the collapsed rows ("| / | / | |||||||") stay as they were
    for a, b in zip(SEED["004"].read_text(encoding="utf-8").splitlines(), fixed.splitlines(), strict=True):
        if "|||" in a:
            assert a == b


def test_stale_edit_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "r.txt"
    p.write_text(broken(), encoding="utf-8")
    edits = plan(broken())
    p.write_text(broken().replace("| 13 |", "| 14 |"), encoding="utf-8")
    with pytest.raises(FixError):
        apply_text_edits(p, edits)
    assert "| 14 |" in p.read_text(encoding="utf-8")
    assert [x.name for x in tmp_path.iterdir()] == ["r.txt"]  # no temporary file left behind


def test_html_and_pdf_are_not_fixed(tmp_path: Path) -> None:
    p = tmp_path / "r.html"
    p.write_text("<html><body><p>x</p></body></html>", encoding="utf-8")
    lines: list[str] = []
    assert fix_paths([p], Options(), echo=lines.append) == []
    assert lines and "不支持自动修复" in lines[0]


# ------------------------------------------------------------------------------------------ docx


def filled_skeleton(year: int = 2019):  # type: ignore[no-untyped-def]
    """A 2019 skeleton holding the clean fixture's table values."""
    sk = build_skeleton(year, "department", "昭通市政务服务管理局")
    doc = read_text(CLEAN, "clean.txt")
    report = parse_document(doc)
    for tkey, table in report.tables.items():
        for (rk, ck), cv in table.cells.items():
            sk.set_value(tkey, rk, ck, cv.raw)
    return sk


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def test_fix_docx_in_place(tmp_path: Path) -> None:
    sk = filled_skeleton()
    good = tmp_path / "good.docx"
    write_docx(sk, good)
    assert t2_errors(good) == []
    sk.set_value("requests", "granted", "total", "13")
    sk.set_value("requests", "outcome_total", "commercial", "7")
    sk.set_value("reviews", "review", "total", "9")
    bad = tmp_path / "bad.docx"
    write_docx(sk, bad)
    before = _members(bad)
    assert {e.split()[0] for e in t2_errors(bad)} >= {"T202", "T203", "T204"}
    lines: list[str] = []
    edits = fix_paths([bad], Options(), echo=lines.append)
    assert {(e.cell, e.old, e.new) for e in edits} == {
        ("requests.granted.total", "13", "11"),
        ("requests.outcome_total.commercial", "7", "3"),
        ("reviews.review.total", "9", "3"),
    }
    after = _members(bad)
    assert after.keys() == before.keys()
    assert all(after[k] == before[k] for k in after if k != "word/document.xml")
    # the fixed document.xml is the one written with the right values, byte for byte
    assert after["word/document.xml"] == _members(good)["word/document.xml"]
    assert t2_errors(bad) == []
    assert len(lines) == 4 and all(".docx:" in s for s in lines[:3])


def test_fix_docx_unsafe_blank_and_slash_keep_formatting(tmp_path: Path) -> None:
    sk = filled_skeleton()
    sk.set_value("requests", "refused_repeat", "commercial", "/")
    sk.set_value("requests", "refused_repeat", "research", "")
    p = tmp_path / "r.docx"
    write_docx(sk, p)
    assert fix_paths([p], Options()) == []
    edits = fix_paths([p], Options(), unsafe=True)
    assert {(e.cell, e.old, e.new) for e in edits} == {
        ("requests.refused_repeat.commercial", "/", "0"),
        ("requests.refused_repeat.research", "", "0"),
    }
    t = parse_document(read_path(p)).tables["requests"]
    assert t.cell("refused_repeat", "commercial").raw == "0" and t.cell("refused_repeat", "research").raw == "0"
    # the runs kept their formatting: the same XML as a document written with 0 in those cells
    sk.set_value("requests", "refused_repeat", "commercial", "0")
    sk.set_value("requests", "refused_repeat", "research", "0")
    ref = tmp_path / "ref.docx"
    write_docx(sk, ref)
    assert _members(p)["word/document.xml"] == _members(ref)["word/document.xml"]


def test_docx_stale_edit_is_refused(tmp_path: Path) -> None:
    sk = filled_skeleton()
    p = tmp_path / "r.docx"
    write_docx(sk, p)
    data = p.read_bytes()
    wrong = Edit(path=str(p), line=1, column=1, old="13", new="11", rule="T203", cell="requests.granted.total")
    with pytest.raises(FixError):
        apply_docx_edits(p, [wrong])
    assert p.read_bytes() == data
    assert [x.name for x in tmp_path.iterdir()] == ["r.docx"]


def test_docx_locator_agrees_with_the_reader(tmp_path: Path) -> None:
    """Every cell the docx reader reports is found at the same (row ordinal, grid column) by the
    fixer - with numbering, content controls, tracked changes and merged cells in the document."""
    from tests.readers_util import build_docx, seed_model

    from xxgk_lint.fix.apply import _cell_text, _Locator
    from xxgk_lint.read.docx import parse_xml

    p = tmp_path / "seed.docx"
    build_docx(seed_model("003"), p)
    doc = read_path(p)
    root = parse_xml(_members(p)["word/document.xml"], "word/document.xml")
    ns = root.tag[1:].split("}", 1)[0]
    loc = _Locator(ns)
    loc.body(root.find(f"{{{ns}}}body"))
    checked = 0
    for block in doc.blocks:
        for row in block.rows:
            for cell in row.cells:
                if cell.spanned or not cell.text:
                    continue
                tc = loc.cells.get((cell.line, cell.column or 0))
                assert tc is not None and _cell_text(tc, ns) == cell.text, (cell, tc is not None and _cell_text(tc, ns))
                checked += 1
    assert checked > 250
