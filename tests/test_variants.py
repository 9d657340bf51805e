"""Width, separator and spacing variants of headings (S104) and table labels (T007).

The parser matches headings and labels after NFKC and with whitespace removed, so a variant is
still read as the template's heading or row; these rules report how it was written.  Exactly one
rule speaks about a heading (S103 for wording, S104 for the writing) and about a label (T004/T005
for wording, T007 for spacing or width).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import CLEAN_2019, FIXTURES, SEED, lint_file, lint_text

from xxgk_lint.check.kinds import _stray_spaces
from xxgk_lint.check.params import ParamError, validate_params
from xxgk_lint.parse.model import Heading
from xxgk_lint.parse.outline import parse_heading, written_heading

CLEAN = CLEAN_2019.read_text(encoding="utf-8")
CLEAN_2021 = FIXTURES / "clean-2021.txt"
VARIANT_RULES = ("S104", "T007")
WORDING_RULES = ("S103", "T004", "T005")


def _lint(old: str, new: str, text: str = CLEAN, **opts: object):  # type: ignore[no-untyped-def]
    assert old in text, old
    return lint_text(text.replace(old, new, 1), "variant.txt", **opts)


def _hits(result, *rules: str) -> list[tuple[str, object, object]]:  # type: ignore[no-untyped-def]
    return [(f.rule, f.expected, f.actual) for f in result.findings if f.rule in rules]


# ------------------------------------------------------------------------------------ headings (S104)


@pytest.mark.parametrize(
    ("written", "what"),
    [
        ("一\uff0e总体情况", "序号后用了“\uff0e”而不是“、”"),  # full-width dot
        ("一.总体情况", "序号后用了“.”而不是“、”"),
        ("一\uff0c总体情况", "序号后用了“\uff0c”而不是“、”"),
        ("一,总体情况", "序号后用了“,”而不是“、”"),
        ("一、 总体情况", "有多余的空格"),
        ("一、\u3000总体情况", "有多余的全角空格"),
        ("一、总体\u3000情况", "有多余的全角空格"),
        ("一、总\u00a0体情况", "有多余的不换行空格"),
        ("一\uff0e 总体情况", "序号后用了“\uff0e”而不是“、”;有多余的空格"),
        ("一\ufe51总体情况", "序号后用了“\ufe51”而不是“、”"),  # small ideographic comma
    ],
)
def test_heading_variant_is_reported_once_as_info(written: str, what: str) -> None:
    result = _lint("一、总体情况", written)
    assert _hits(result, "S103", "S104") == [("S104", "一、总体情况", written)]
    (f,) = [f for f in result.findings if f.rule == "S104"]
    assert (f.severity, f.section, f.line) == ("info", "一", 3)
    assert what in f.message
    # still recognised as section 一: nothing else changes
    assert [x.rule for x in result.findings] == ["S104"]


def test_heading_variant_in_the_middle_of_a_title_and_in_english() -> None:
    result = _lint(
        "四、政府信息公开行政复议、行政诉讼情况", "四、政府信息公开行政复议、 行政诉讼情况", lang="en"
    )
    (f,) = [f for f in result.findings if f.rule == "S104"]
    assert f.expected == "四、政府信息公开行政复议、行政诉讼情况"
    assert f.message == (
        "heading “四、政府信息公开行政复议、 行政诉讼情况” is written differently from the format (stray space); "
        "expected “四、政府信息公开行政复议、行政诉讼情况”"
    )


def test_compatibility_character_in_a_title() -> None:
    # ⾏ (KANGXI RADICAL WALK) reads as 行: the wording is the format's, the character is not
    written = "四、政府信息公开\u2f8f政复议、行政诉讼情况"
    result = _lint("四、政府信息公开行政复议、行政诉讼情况", written)
    assert _hits(result, "S103", "S104") == [("S104", "四、政府信息公开行政复议、行政诉讼情况", written)]
    assert "“\u2f8f”是全角/半角或兼容写法" in result.findings[0].message


def test_other_wording_is_s103_only_even_with_a_variant() -> None:
    result = _lint("五、存在的主要问题及改进情况", "五\uff0e 存在主要问题及改进情况")
    assert [r for r, _, _ in _hits(result, "S103", "S104")] == ["S103"]
    # a wrong number is wording too
    result = _lint("一、总体情况", "七\uff0e总体情况")
    assert "S104" not in [f.rule for f in result.findings]


def test_heading_followed_by_prose_or_a_full_stop_is_not_a_variant() -> None:
    # the clean fixture's 六、其他需要报告的事项。 ends in a full stop: not reported
    assert "六、其他需要报告的事项。\n" in CLEAN
    result = _lint("一、总体情况\n", "一、总体情况。本年度,我局认真贯彻落实《条例》。\n")
    assert _hits(result, *VARIANT_RULES) == []
    # only the heading, not the prose after it, is quoted
    result = _lint("一、总体情况\n", "一、 总体情况。本年度,我局认真贯彻落实《条例》。\n")
    assert _hits(result, "S104") == [("S104", "一、总体情况", "一、 总体情况")]


def test_written_heading_splits_the_line_as_written() -> None:
    h = parse_heading("一\uff0e\u3000总体 情况:本年度", 1)
    assert h is not None and h.title == "总体 情况"
    w = written_heading(h)
    assert w is not None
    assert (w.ordinal, w.separator, w.gap, w.title) == ("一", "\uff0e", "\u3000", "总体 情况")
    assert w.text == "一\uff0e\u3000总体 情况"
    h2 = parse_heading("(一)主动公开", 1)
    assert h2 is not None and written_heading(h2) is None  # level 2: not a section heading
    odd = Heading(level=1, ordinal="一", number=1, title="总体情况", text="总体情况", line=1)
    assert written_heading(odd) is None


# -------------------------------------------------------------------------------------- labels (T007)


@pytest.mark.parametrize(
    ("old", "new", "cell", "expected", "message"),
    [
        ("(一)予以公开 |", "(一)\u3000予以公开 |", "granted", "(一)予以公开", "行标题"),
        ("(一)予以公开 |", "(一) 予以公开 |", "granted", "(一)予以公开", "行标题"),
        ("(一)予以公开 |", "(一)予以\u3000公开 |", "granted", "(一)予以公开", "行标题"),
        ("商业企业 |", "商 业 企 业 |", "*.commercial", "商业企业", "列标题"),
        ("商业企业 |", "商业\u3000企业 |", "*.commercial", "商业企业", "列标题"),
        ("1.属于国家秘密", "\uff11.属于国家秘密", "denied_secret", "1.属于国家秘密", "行标题"),
        ("第二十条第(一)项 |", "第二十条第(一)\u3000项 |", "art20_1", "第二十条第(一)项", "分表标题"),
        ("规章 | 0 | 0 | 0 |", "规 章 | 0 | 0 | 0 |", "regulations", "规章", "行标题"),
    ],
)
def test_label_variant_is_reported_once_as_info(
    old: str, new: str, cell: str, expected: str, message: str
) -> None:
    result = _lint(old, new)
    written = new.split(" |")[0] if new.endswith("|") else new
    assert _hits(result, *WORDING_RULES, "T007") == [("T007", expected, written)]
    (f,) = [f for f in result.findings if f.rule == "T007"]
    assert (f.severity, f.cell, f.line is not None) == ("info", cell, True)
    assert f.message.startswith(message)
    assert [x.rule for x in result.findings] == ["T007"]


def test_label_written_without_its_ordinal_is_corrected_as_written() -> None:
    # matched exactly without its (一): the expected text keeps it that way, only the space goes
    result = _lint("(一)予以公开 |", "予以\u3000公开 |")
    assert _hits(result, "T004", "T007") == [("T007", "予以公开", "予以\u3000公开")]


def test_other_wording_is_t004_or_t005_only_even_with_a_variant() -> None:
    result = _lint("(二)部分公开", "(二)不分\u3000公开")
    assert [r for r, _, _ in _hits(result, *WORDING_RULES, "T007")] == ["T004"]
    result = _lint("商业企业 |", "商\u3000业\u3000机\u3000构 |")
    assert [r for r, _, _ in _hits(result, *WORDING_RULES, "T007")] == ["T005"]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # full-width and ASCII brackets are both the format's own
        ("(一)予以公开 |", "\uff08一\uff09予以公开 |"),
        (
            "(二)部分公开(区分处理的,只计这一情形,不计其他情形)",
            "\uff08二\uff09部分公开\uff08区分处理的\uff0c只计这一情形\uff0c不计其他情形\uff09",
        ),
        ("第二十条第(一)项 |", "第二十条第\uff08一\uff09项 |"),
        # so are other punctuation marks of either width
        ("1.属于国家秘密", "1\uff0e属于国家秘密"),
        # one ASCII break inside a label: the cell's line wrap (seeds 003/004: 本年新 公开数量)
        ("商业企业 |", "商业 企业 |"),
        ("本年新制作数量", "本年新 制作数量"),
        # leading/trailing whitespace of a cell is not part of its label
        ("(一)予以公开 |", "(一)予以公开\u3000 |"),
    ],
)
def test_accepted_forms_are_quiet(old: str, new: str) -> None:
    result = _lint(old, new)
    assert result.findings == [], [f"{f.rule} {f.message}" for f in result.findings]


def test_a_wrap_break_is_the_only_space_let_through() -> None:
    assert _stray_spaces("本年新 公开数量", wrap_break=True) == []
    assert _stray_spaces("本年新 公开数量", wrap_break=False) == [" "]
    assert _stray_spaces("商 业 企 业", wrap_break=True) == [" ", " ", " "]
    assert _stray_spaces("商业\u3000企业", wrap_break=True) == ["\u3000"]
    assert _stray_spaces("(一) 予以公开", wrap_break=True) == [" "]  # at the ordinal: typed
    assert _stray_spaces("( 一)予以公开", wrap_break=True) == [" "]
    assert _stray_spaces("1. 属于国家秘密", wrap_break=True) == [" "]
    assert _stray_spaces("规 章", wrap_break=True) == [" "]  # no line holds one character
    assert _stray_spaces("予以公开", wrap_break=True) == []


def test_markdown_grid_and_2021_template_report_label_variants_too() -> None:
    grid = FIXTURES / "clean-2019-grid.md"
    text = grid.read_text(encoding="utf-8")
    result = lint_text(text.replace("| 商业企业 |", "| 商 业 企 业 |", 1), "grid.md")
    assert _hits(result, *WORDING_RULES, "T007") == [("T007", "商业企业", "商 业 企 业")]
    text21 = CLEAN_2021.read_text(encoding="utf-8")
    text21 = text21.replace("一、总体情况", "一.总体情况", 1).replace("商业企业 |", "商 业 企 业 |", 1)
    result = lint_text(text21, "r.txt")
    assert sorted(r for r, _, _ in _hits(result, *WORDING_RULES, *VARIANT_RULES)) == ["S104", "T007"]


# ------------------------------------------------------------------------------ seeds and fixtures


@pytest.mark.parametrize("seed", sorted(SEED))
def test_seeds_have_no_width_or_spacing_variants(seed: str) -> None:
    # 003/004 write 本年新 公开数量 / 对外公开 总数量: one break in a header cell, the format's own wrap
    result = lint_file(SEED[seed])
    assert _hits(result, *VARIANT_RULES) == []


@pytest.mark.parametrize(
    "path",
    [
        CLEAN_2019,
        CLEAN_2021,
        FIXTURES / "clean-2019-grid.md",
        FIXTURES / "clean-2019-grid-2col.md",
        *sorted((FIXTURES / "yoy").glob("*.txt")),
    ],
    ids=lambda p: Path(p).name,
)
def test_clean_fixtures_are_quiet(path: Path) -> None:
    assert _hits(lint_file(path), *VARIANT_RULES) == []


def test_seed_003_wording_findings_are_unchanged() -> None:
    result = lint_file(SEED["003"])
    assert sorted(f.rule for f in result.findings if f.rule in WORDING_RULES + VARIANT_RULES) == [
        "S103", "T004", "T004", "T005", "T005",
    ]  # fmt: skip


def test_params_are_validated() -> None:
    with pytest.raises(ParamError, match="separator"):
        validate_params("heading_punctuation", {"issues": {}})
    with pytest.raises(ParamError, match="issues"):
        validate_params("label_spacing", {"wrap_break": True})
    with pytest.raises(ParamError, match="wrap_break"):
        validate_params("label_spacing", {"issues": {"space": {"zh": "x"}}, "wrap_break": "yes"})
