"""Every rule fires on a one-defect mutation of the clean fixture and stays quiet on the clean one."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import CLEAN_2019, codes, lint_text


def _sub(old: str, new: str, count: int = 1) -> Callable[[str], str]:
    def f(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, count)

    return f


def _drop_lines(pattern: str, n: int = 1) -> Callable[[str], str]:
    def f(text: str) -> str:
        lines = text.split("\n")
        i = next(i for i, line in enumerate(lines) if re.search(pattern, line))
        return "\n".join(lines[:i] + lines[i + n :])

    return f


def _move_section_five_before_four(text: str) -> str:
    lines = text.split("\n")
    i4 = lines.index("四、政府信息公开行政复议、行政诉讼情况")
    i5 = next(i for i, line in enumerate(lines) if line.startswith("五、"))
    i6 = next(i for i, line in enumerate(lines) if line.startswith("六、"))
    return "\n".join(lines[:i4] + lines[i5:i6] + lines[i4:i5] + lines[i6:])


# rule -> (mutation, expected (section, table, cell) of one finding or None)
MUTATIONS: dict[str, tuple[Callable[[str], str], dict[str, object]]] = {
    "S101": (_drop_lines(r"^六、", 2), {"section": "六", "severity": "error"}),
    "S102": (_move_section_five_before_four, {"section": "四"}),
    "S103": (
        _sub("五、存在的主要问题及改进情况", "五、存在问题及改进情况"),
        {"section": "五", "expected": "五、存在的主要问题及改进情况"},
    ),
    "S104": (
        _sub("一、总体情况", "一\uff0e总体情况"),
        {"section": "一", "severity": "info", "expected": "一、总体情况", "actual": "一\uff0e总体情况"},
    ),
    "T001": (_drop_lines(r"^行政复议 \| 行政诉讼", 4), {"table": "reviews", "section": "四"}),
    "T002": (_drop_lines(r"^\(二\)部分公开"), {"table": "requests", "cell": "partial"}),
    "T003": (_drop_lines(r"^商业企业 \|"), {"table": "requests", "cell": "*.commercial"}),
    "T004": (
        _sub("(二)部分公开", "(二)不分公开"),
        {"cell": "partial", "expected": "(二)部分公开(区分处理的,只计这一情形,不计其他情形)"},
    ),
    "T005": (_sub("商业企业 |", "商业机构 |"), {"cell": "*.commercial", "actual": "商业机构"}),
    "T006": (
        _sub("(六)其他处理 |", "其中:网上申请 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |\n(六)其他处理 |"),
        {"table": "requests", "actual": "其中:网上申请"},
    ),
    "T007": (
        _sub("商业企业 |", "商\u3000业\u3000企\u3000业 |"),
        {
            "cell": "*.commercial",
            "severity": "info",
            "expected": "商业企业",
            "actual": "商\u3000业\u3000企\u3000业",
        },
    ),
    "T101": (
        _sub("规章 | 0 | 0 | 0 |", "规章 | / | - | 0 |"),
        {"cell": "regulations.made", "actual": ["/", "-"]},
    ),
    "T102": (_sub("规章 | 0 | 0 | 0 |", "规章 |  | 0 | 0 |"), {"cell": "regulations.made", "actual": ""}),
    "T103": (
        _sub("政府集中采购 | 5 | 128.5 |", "政府集中采购 | 5 | 128.5万元 |"),
        {"cell": "procurement.amount", "expected": "128.5"},
    ),
    "T104": (
        _sub("行政处罚 | 6 | 0 | 12 |", "行政处罚 | 6 | 0 | -12 |"),
        {"cell": "punishment.decisions", "severity": "error", "actual": "-12"},
    ),
    "T105": (
        _sub("行政处罚 | 6 | 0 | 12 |", "行政处罚 | 6 | 0 | 12.5 |"),
        {"cell": "punishment.decisions", "actual": "12.5"},
    ),
    "T106": (
        _sub("行政强制 | 2 | 0 | 0 |", "行政强制 | 2 | 0 | 见附件 |"),
        {"cell": "coercion.decisions", "actual": "见附件"},
    ),
    "T107": (
        _sub("(六)其他处理 | 0 | 0 | 1 | 0 | 0 | 0 | 1 |", "(六)其他处理 | 1 | 1 | ||||||"),
        {"table": "requests", "severity": "info"},
    ),
}


def test_clean_fixture_is_quiet() -> None:
    result = lint_text(CLEAN_2019.read_text(encoding="utf-8"), "clean-2019.txt")
    assert result.findings == [], [f"{f.rule} {f.message}" for f in result.findings]


@pytest.mark.parametrize("code", sorted(MUTATIONS))
def test_rule_fires_on_its_defect(code: str, clean_text: str) -> None:
    mutate, expect = MUTATIONS[code]
    result = lint_text(mutate(clean_text), "mutated.txt")
    hits = [f for f in result.findings if f.rule == code]
    assert hits, f"{code} did not fire; got {codes(result)}"
    assert any(all(getattr(f, k) == v for k, v in expect.items()) for f in hits), [
        {k: getattr(f, k) for k in expect} for f in hits
    ]
    for f in hits:
        assert f.line is not None, f"{code} finding has no line"
    # a single defect gives findings of that rule only (no collateral structure/table noise),
    # except rules whose defect necessarily implies another (a dropped row also has no label)
    others = {
        f.rule for f in result.findings if f.rule != code and f.rule[0] in "ST" and f.severity != "info"
    }
    assert not others, others


def test_every_rule_is_documented_with_examples() -> None:
    from xxgk_lint.check.rules import builtin_rules

    for r in builtin_rules():
        assert r.text("summary", "zh") and r.text("summary", "en"), r.code
        assert r.text("message", "zh") and r.text("message", "en"), r.code
        assert r.text("doc", "zh") and r.text("doc", "en"), r.code
        if r.family != "E":
            assert r.wrong and r.right, f"{r.code} needs a wrong and a right example"


def test_every_rule_has_a_test() -> None:
    from xxgk_lint.check.rules import builtin_rules

    corpus = "\n".join(p.read_text(encoding="utf-8") for p in Path(__file__).parent.glob("test_*.py"))
    missing = [r.code for r in builtin_rules() if f'"{r.code}"' not in corpus]
    assert not missing, f"rules without a test: {missing}"
