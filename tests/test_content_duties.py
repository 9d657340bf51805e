"""Content duties (S3xx): what counts as covering a duty — not the heading, not a comparison with
the previous year, not a placeholder in 【】."""

from __future__ import annotations

import pytest
from tests.conftest import FIXTURES, SEED, lint_text

CLEAN_2021 = (FIXTURES / "clean-2021.txt").read_text(encoding="utf-8")
RECTIFIED = "上年度报告所列问题均已整改:针对上年度提出的公开渠道单一问题,已开设政务新媒体专栏,整改到位。"


def _section_five(body: str) -> str:
    """clean-2021 with section 五's text (up to 六) replaced by ``body``."""
    start = CLEAN_2021.index("五、存在的主要问题及改进情况\n") + len("五、存在的主要问题及改进情况\n")
    end = CLEAN_2021.index("六、其他需要报告的事项")
    return CLEAN_2021[:start] + body + "\n" + CLEAN_2021[end:]


def hits(text: str, code: str, **opts: object) -> list:  # type: ignore[type-arg]
    return [f for f in lint_text(text, "x.txt", **opts).findings if f.rule == code]


def test_clean_2021_covers_the_duties() -> None:
    assert RECTIFIED in CLEAN_2021
    r = lint_text(CLEAN_2021, "clean-2021.txt")
    assert not [f for f in r.findings if f.rule.startswith("S3")]


@pytest.mark.parametrize(
    "body",
    [
        "无。",
        # generic text: "与上年相比" names the previous year but no problem of it; 持续改进 no rectification
        "与上年相比,我局政务公开工作取得新进展,但仍存在一些不足,下一步将持续改进。",
        "较上年度,公开数量有所增加。下一步将进一步完善制度。",
    ],
    ids=["only-none", "compared-with-last-year", "compared-with-last-year-2"],
)
def test_section_five_without_last_years_problems_fires_s302(body: str) -> None:
    """The heading 五、存在的主要问题及改进情况 says 改进情况 itself; it no longer satisfies the duty."""
    f = hits(_section_five(body), "S302")
    assert len(f) == 1 and f[0].section == "五" and f[0].severity == "warning"
    assert "上年度问题" in f[0].message and "整改情况" in f[0].message
    assert f[0].line == _section_five(body).splitlines().index("五、存在的主要问题及改进情况") + 1


def test_section_five_with_the_rectification_is_quiet() -> None:
    assert not hits(_section_five(RECTIFIED), "S302")
    assert not hits(_section_five("去年报告提出的栏目更新慢问题已解决。"), "S302")
    # the heading on the same line as its text: the text after the heading still counts
    same_line = CLEAN_2021.replace("五、存在的主要问题及改进情况\n", "五、存在的主要问题及改进情况。", 1)
    assert not hits(same_line, "S302")


def test_only_the_heading_naming_the_duty_fires() -> None:
    """One half of the duty in the text, the other only in the heading: the missing half is named."""
    f = hits(_section_five("上年度存在的问题主要是公开渠道单一。"), "S302")
    assert len(f) == 1 and "整改情况" in f[0].message and "上年度问题" not in f[0].message


@pytest.mark.parametrize(
    "placeholder", ["【此处填写上年度问题整改情况】", "【请写明:上年度问题、整改情况。】"]
)
def test_a_placeholder_does_not_satisfy_the_duty(placeholder: str) -> None:
    text = _section_five(placeholder)
    f = hits(text, "S302")
    assert len(f) == 1 and "上年度问题" in f[0].message and "整改情况" in f[0].message
    # the placeholder itself is H201's finding, on its line
    h201 = hits(text, "H201")
    assert [x.line for x in h201] == [text.splitlines().index(placeholder) + 1]
    # filled in: quiet
    assert not hits(_section_five(RECTIFIED), "H201")


def test_a_placeholder_in_section_six_does_not_report_the_fee() -> None:
    text = CLEAN_2021.replace("本年度未收取信息处理费。", "【此处填写信息处理费收取情况】")
    assert [f.section for f in hits(text, "S303")] == ["六"]
    assert not hits(CLEAN_2021, "S303")


def test_a_placeholder_does_not_cover_a_governments_accountability_results() -> None:
    gov = CLEAN_2021.replace("昭通市政务服务管理局\n2023年1月20日", "昭通市人民政府\n2023年3月20日")
    covered = gov.replace(
        "五、存在的主要问题", "本年度开展社会评议1次,未发生责任追究情况。\n五、存在的主要问题", 1
    )
    assert not hits(covered, "S301")
    placeholder = gov.replace(
        "五、存在的主要问题", "【请写明:工作考核、社会评议、责任追究。】\n五、存在的主要问题", 1
    )
    f = hits(placeholder, "S301")
    assert len(f) == 1 and "社会评议" in f[0].message and "责任追究" in f[0].message


def test_placeholder_words_of_h201_are_quiet_on_the_seeds() -> None:
    for key in ("001", "002", "003", "004"):
        assert not hits(SEED[key].read_text(encoding="utf-8"), "H201"), key
