"""Property tests: the reader and parser never raise, whatever text or rows they are given."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import CLEAN_2019

from xxgk_lint.parse import parse_document
from xxgk_lint.parse.outline import parse_heading
from xxgk_lint.parse.tables import parse_cell
from xxgk_lint.pipeline import Options, lint_document
from xxgk_lint.read.document import Cell
from xxgk_lint.read.text import read_text

CLEAN_LINES = CLEAN_2019.read_text(encoding="utf-8").split("\n")
PIECES = [
    "|",
    " | ",
    "/",
    "0",
    "9",
    "-3",
    "5234.55万元",
    "一、",
    "(一)",
    "1.",
    "总计",
    "自然人",
    "第二十条第(一)项",
    "\n",
    " ",
    "、",
    "“",
    "|||",
]
cell_text = st.text(
    alphabet=st.sampled_from(list("0123456789/-.| 一二三四五六七八九十()、万元件条总计其他予以公开")),
    max_size=20,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_arbitrary_text_never_crashes(text: str) -> None:
    result = lint_document(read_text(text, "x.txt"), Options())
    assert all(f.rule != "E100" for f in result.findings), [f.message for f in result.findings]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=80))
def test_table_like_text_never_crashes(parts: list[str]) -> None:
    result = lint_document(read_text("".join(parts), "x.md", "md"), Options())
    assert all(f.rule != "E100" for f in result.findings)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_mangled_clean_report_never_crashes(data: st.DataObject) -> None:
    lines = list(CLEAN_LINES)
    for _ in range(data.draw(st.integers(0, 8))):
        op = data.draw(st.sampled_from(["drop", "dup", "garble", "swap"]))
        i = data.draw(st.integers(0, len(lines) - 1))
        if op == "drop" and len(lines) > 1:
            del lines[i]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "garble":
            lines[i] = data.draw(cell_text) + " | " + data.draw(cell_text)
        else:
            j = data.draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
    doc = read_text("\n".join(lines), "mangled.txt")
    report = parse_document(doc)
    assert report.template in ("gov-2019", "pre-2019", "gov-2021")
    result = lint_document(doc, Options())
    assert all(f.rule != "E100" for f in result.findings), [f.message for f in result.findings]


@given(st.text(max_size=60))
def test_heading_parser_total(text: str) -> None:
    h = parse_heading(text, 1)
    if h is not None:
        assert 1 <= h.level <= 3 and h.title


@given(cell_text)
def test_cell_parser_total(text: str) -> None:
    v = parse_cell(Cell(text=text, line=1))
    assert v.status in ("number", "blank", "slash", "with_unit", "text")
    if v.status in ("number", "with_unit"):
        assert v.value is not None


@settings(max_examples=400, deadline=None)
@given(
    st.text(alphabet="一二三十()（）1２、.,:：。；;!?！ \t主动公开情况总体", max_size=30),
)
def test_a_heading_parses_as_the_whole_line_does(text: str) -> None:
    """parse_heading reads a line only up to its first sentence break; the grammar on the whole
    (normalised) line must say the same."""
    import unicodedata

    from xxgk_lint.parse import outline

    h = parse_heading(text, 1)
    t = unicodedata.normalize("NFKC", text).strip()
    whole = outline._heading_parts.__wrapped__(t) if t and outline._HEADING_START.match(t) else None
    assert (h is None) == (whole is None), (text, h, whole)
    if h is not None and whole is not None:
        assert (h.level, h.ordinal, h.number, h.title) == whole
