"""grammars/quantity.lark and xxgk_lint.parse.quantities."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xxgk_lint.parse.quantities import (
    DateMention,
    Quantity,
    parse_date,
    parse_quantity,
    scan_dates,
    scan_quantities,
    unit_words,
)

# ----------------------------------------------------------------------------- parse_quantity


@pytest.mark.parametrize(
    ("text", "value", "unit", "approx", "decimals", "kind"),
    [
        ("1629条", "1629", "条", None, 0, "count"),
        ("152万条", "1520000", "条", None, -4, "count"),
        ("62.8万条", "628000", "条", None, -3, "count"),
        ("3.7万条", "37000", "条", None, -3, "count"),
        ("40亿条", "4000000000", "条", None, -8, "count"),
        ("3000万份", "30000000", "份", None, -4, "count"),
        ("5234.55万元", "5234.55", "万元", None, 2, "money"),
        ("16.7亿元", "16.7", "亿元", None, 1, "money"),
        ("十五万元", "15", "万元", None, 0, "money"),
        ("3千万元", "3000", "万元", None, -3, "money"),
        ("3000余条", "3000", "条", "余", 0, "count"),
        ("近22条", "22", "条", "近", 0, "count"),
        ("超过31万人", "310000", "人", "超过", -4, "count"),
        ("2.3亿余条次", "230000000", "条次", "余", -7, "count"),
        ("3.3万余条", "33000", "条", "余", -3, "count"),
        ("100多家次", "100", "家次", "多", 0, "count"),
        ("20个工作日以上", "20", "个工作日", "以上", 0, "count"),
        ("近3000余条", "3000", "条", "近…余", 0, "count"),
        ("1500家（次）", "1500", "家(次)", None, 0, "count"),
        ("两件", "2", "件", None, 0, "count"),
        ("十余项", "10", "项", "余", 0, "count"),
        ("百余家", "100", "家", "余", 0, "count"),
        ("一百零五项", "105", "项", None, 0, "count"),
        ("三千", "3000", None, None, 0, "number"),
        ("1.5万", "15000", None, None, -3, "number"),
        ("一点五万", "15000", None, None, -3, "number"),
        ("1,234件", "1234", "件", None, 0, "count"),
        ("1，234，567条", "1234567", "条", None, 0, "count"),
        ("１２３４件", "1234", "件", None, 0, "count"),
        ("100%", "100", "%", None, 0, "percent"),
        ("89.52%", "89.52", "%", None, 2, "percent"),
        ("94.87％", "94.87", "%", None, 2, "percent"),
        ("百分之九十", "90", "%", None, 0, "percent"),
        ("百分之八十五点五", "85.5", "%", None, 1, "percent"),
        ("3个百分点", "3", "个百分点", None, 0, "percent"),
        ("2019年", "2019", "年", None, 0, "year"),
        ("近3年", "3", "年", "近", 0, "count"),
    ],
)
def test_parse_quantity(
    text: str, value: str, unit: str | None, approx: str | None, decimals: int, kind: str
) -> None:
    q = parse_quantity(text)
    assert q is not None, text
    assert (q.value, q.unit, q.approx, q.decimals, q.kind) == (Decimal(value), unit, approx, decimals, kind)
    assert (q.text, q.start, q.end) == (text, 0, len(text))


def test_value_is_written_plainly() -> None:
    q = parse_quantity("152万条")
    assert q is not None and str(q.value) == "1520000"


def test_bounds_follow_decimals() -> None:
    q = parse_quantity("152万条")
    assert q is not None and q.bounds() == (Decimal(1515000), Decimal(1525000))
    q = parse_quantity("62.8万条")
    assert q is not None and q.bounds() == (Decimal(627500), Decimal(628500))
    q = parse_quantity("89.52%")
    assert q is not None and q.bounds() == (Decimal("89.515"), Decimal("89.525"))


def test_parse_quantity_surrounding_space() -> None:
    q = parse_quantity("  395 条 ")
    assert q is not None
    assert (q.value, q.unit, q.text, q.start, q.end) == (Decimal(395), "条", "395 条", 2, 7)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "条",
        "开通心理援助热线条",
        "一百五",
        "三千五",
        "一二三",
        "2019年1月31日",
        "152万条条",
        "abc",
        "1..2",
    ],
)
def test_parse_quantity_rejects(text: str) -> None:
    assert parse_quantity(text) is None


# --------------------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019年1月31日", datetime.date(2019, 1, 31)),
        ("2019年12月31日", datetime.date(2019, 12, 31)),
        ("2019-01-31", datetime.date(2019, 1, 31)),
        ("2019/1/31", datetime.date(2019, 1, 31)),
        ("2019.1.31", datetime.date(2019, 1, 31)),
        ("二〇一九年一月三十一日", datetime.date(2019, 1, 31)),
        ("二零二零年十二月二十日", datetime.date(2020, 12, 20)),
        ("２０１９年１月３１日", datetime.date(2019, 1, 31)),
        (" 2019 年 1 月 31 日 ", datetime.date(2019, 1, 31)),
        ("2019年1月31号", datetime.date(2019, 1, 31)),
        ("2019年2月30日", None),
        ("2019年13月1日", None),
        ("2019年", None),
        ("1月31日", None),
        ("2019年1月", None),
        ("31条", None),
        ("", None),
    ],
)
def test_parse_date(text: str, expected: datetime.date | None) -> None:
    assert parse_date(text) == expected


def test_scan_dates_kinds() -> None:
    text = "截至2019年12月31日,2019年度共受理,1月31日前答复,2019年2月30日无效,于二〇一九年一月三十一日发布,2018年3月起,2019-01-31。"
    got = [(d.text, d.date, d.year, d.month, d.day) for d in scan_dates(text)]
    assert got == [
        ("2019年12月31日", datetime.date(2019, 12, 31), 2019, 12, 31),
        ("2019年度", None, 2019, None, None),
        ("1月31日", None, None, 1, 31),
        ("2019年2月30日", None, 2019, 2, 30),
        ("二〇一九年一月三十一日", datetime.date(2019, 1, 31), 2019, 1, 31),
        ("2018年3月", None, 2018, 3, None),
        ("2019-01-31", datetime.date(2019, 1, 31), 2019, 1, 31),
    ]
    for d in scan_dates(text):
        assert isinstance(d, DateMention) and text[d.start : d.end] == d.text


def test_scan_dates_skips_document_numbers_and_months_of_duration() -> None:
    assert scan_dates("国办公开办函〔2019〕60号,历时3个月") == []


# ------------------------------------------------------------------------------------ scanning


def _found(text: str, **kw: bool) -> list[tuple[str, Decimal, str | None, str | None]]:
    return [(q.text, q.value, q.unit, q.approx) for q in scan_quantities(text, **kw)]


def test_seed_003_hotline_sentence() -> None:
    text = (
        "2018年,“96128”政务热线共受理政务信息查询电话6960次,转接5873次,转接成功4382次,"
        "转接成功率为89.52%;群众满意数4157个,答复满意率为94.87%。"
    )
    qs = scan_quantities(text)
    assert [(q.text, q.value, q.unit, q.kind) for q in qs] == [
        ("6960次", Decimal(6960), "次", "count"),
        ("5873次", Decimal(5873), "次", "count"),
        ("4382次", Decimal(4382), "次", "count"),
        ("89.52%", Decimal("89.52"), "%", "percent"),
        ("4157个", Decimal(4157), "个", "count"),
        ("94.87%", Decimal("94.87"), "%", "percent"),
    ]
    assert qs[3].decimals == 2
    # neither the year nor the hotline number, even when bare numbers are asked for
    assert all(q.value not in (2018, 96128) for q in scan_quantities(text, bare=True))


def test_seed_001_channels() -> None:
    text = (
        "2017年,我委主动公开政府信息395条,其中通过市政府网站公开77条,通过政务微信、政务微博公开105条,"
        "通过工信委网站、报刊、广播、电视等媒体公开213条。"
    )
    assert [(q.value, q.unit) for q in scan_quantities(text)] == [
        (Decimal(395), "条"),
        (Decimal(77), "条"),
        (Decimal(105), "条"),
        (Decimal(213), "条"),
    ]


def test_seed_004_requests() -> None:
    text = "2019年度我厅共受理依申请公开事项9件,9件依申请公开事项均在20个工作日内给予答复。"
    assert _found(text) == [
        ("9件", Decimal(9), "件", None),
        ("9件", Decimal(9), "件", None),
        ("20个工作日", Decimal(20), "个工作日", None),
    ]
    text = "其中3件按照申请人要求予以公开;4件非我厅负责公开;1件信访事项复核的过程与论证为内部调查材料;1件由申请人中途撤销。"
    assert [q.value for q in scan_quantities(text)] == [3, 4, 1, 1]


def test_seed_004_approximations() -> None:
    text = "累计推送信息3000余条,关注人数超过31万人,平均阅读量超过4000次。平台归集省市县各涉企部门7大类近6000条惠企政策,推送政策2.3亿余条次。"
    assert _found(text) == [
        ("3000余条", Decimal(3000), "条", "余"),
        ("超过31万人", Decimal(310000), "人", "超过"),
        ("超过4000次", Decimal(4000), "次", "超过"),
        ("7大类", Decimal(7), "大类", None),
        ("近6000条", Decimal(6000), "条", "近"),
        ("2.3亿余条次", Decimal(230000000), "条次", "余"),
    ]


def test_seed_002_lost_number_and_party_congress() -> None:
    text = (
        "举行市级疫情防控新闻发布会79场,播出“疫情防控·专家面对面”43期,开通心理援助热线条,"
        "引导群众坚定抗疫信心。深入贯彻党的十九大和十九届二中、三中、四中、五中全会精神。"
        "全市主动公开政府信息152万条,其中,市本级公开政府信息62.8万条,区县公开政府信息89.2万条。"
    )
    qs = scan_quantities(text)
    assert [(q.text, q.value) for q in qs] == [
        ("79场", 79),
        ("43期", 43),
        ("152万条", 1520000),
        ("62.8万条", 628000),
        ("89.2万条", 892000),
    ]
    hole = text.index("开通心理援助热线条")
    assert not [q for q in qs if hole <= q.start < hole + len("开通心理援助热线条")]
    assert [q.decimals for q in qs[2:]] == [-4, -3, -3]


def test_seed_002_money_and_quotes() -> None:
    text = "公开“支持中小企业20条”“支持企业40条”等政策,累计降低企业用电成本16.7亿元,金额5234.55万元。"
    assert _found(text) == [
        ("16.7亿元", Decimal("16.7"), "亿元", None),
        ("5234.55万元", Decimal("5234.55"), "万元", None),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "根据《通知》(国办公开办函〔2019〕60号)要求",
        "依据《条例》第二十条、第1、2条和第三至五条规定",
        "2019年第一季度",
        "一是加强组织领导;二是完善制度",
        "(一)主动公开情况",
        "1.深入推进预决算公开",
        "全市“96128”热线,拨打12345政府服务热线",
        "深入贯彻党的十九大和十九届二中、三中、四中、五中全会精神",
        "推行一次性告知,打造一条龙服务,统一名称、统一位置",
        "发展5G网络,落实“5个100”重点任务,推行“最多跑一次”改革",
        "唯一入口,其中之一,逐一核对,新一轮规划,第六届互联网大会",
        "联系电话:0870-2123456,手机13812345678",
        "千家万户,万众创新,千方百计",
        "2019世界数字经济大会,2020—2022年",
    ],
)
def test_not_quantities(text: str) -> None:
    assert scan_quantities(text) == []
    assert scan_quantities(text, bare=True) == []


def test_approximation_word_inside_another_word() -> None:
    text = "与企业签约3家,节约30%,约30%,最近3天,近3天,赶超10%,超10%。"
    assert [(q.text, q.approx) for q in scan_quantities(text)] == [
        ("3家", None),
        ("30%", None),
        ("约30%", "约"),
        ("3天", None),
        ("近3天", "近"),
        ("10%", None),
        ("超10%", "超"),
    ]


def test_straight_quotes_do_not_pair_across_sentences() -> None:
    text = '"这是一段很长很长很长很长很长的引用文字",共3件,"B"'
    assert [q.text for q in scan_quantities(text)] == ["3件"]


def test_chinese_numerals_in_prose() -> None:
    text = "需要申请人跑两次,收到提案两件,设置十余项便民设施,共五类事项,涉及三个方面,组织两场吹风会,百余家企业参加。"
    assert [(q.text, q.value) for q in scan_quantities(text)] == [
        ("两次", 2),
        ("两件", 2),
        ("十余项", 10),
        ("五类", 5),
        ("三个", 3),
        ("两场", 2),
        ("百余家", 100),
    ]


def test_bare_numbers_only_on_request() -> None:
    text = "粉丝关注量从9243上涨至13245,阅读总量超过18万。"
    assert scan_quantities(text) == []
    got = [(q.text, q.value, q.unit, q.kind, q.approx) for q in scan_quantities(text, bare=True)]
    assert got == [
        ("9243", 9243, None, "number", None),
        ("13245", 13245, None, "number", None),
        ("超过18万", 180000, None, "number", "超过"),
    ]


def test_percent_forms_in_prose() -> None:
    text = "办结率99.8%,申请量较去年下降23%,满意率达到百分之九十以上,提高3个百分点。"
    assert [(q.text, q.value, q.unit, q.kind, q.approx) for q in scan_quantities(text)] == [
        ("99.8%", Decimal("99.8"), "%", "percent", None),
        ("23%", 23, "%", "percent", None),
        ("百分之九十以上", 90, "%", "percent", "以上"),
        ("3个百分点", 3, "个百分点", "percent", None),
    ]


def test_offsets_are_into_the_original_text() -> None:
    text = "共受理１２件，办结率１００％。"
    qs = scan_quantities(text)
    assert [(q.text, q.value, q.unit) for q in qs] == [("１２件", 12, "件"), ("１００％", 100, "%")]
    for q in qs:
        assert text[q.start : q.end] == q.text


def test_unit_words_come_from_the_grammar() -> None:
    words = unit_words()
    assert set(words) == {"count", "money", "percent"}
    assert {"条", "件", "个百分点", "万元", "亿元", "人次", "家次"} <= {
        w for ws in words.values() for w in ws
    }
    assert "万元" in words["money"] and "%" in words["percent"]


# ------------------------------------------------------------------------------------ property

_ALL_UNITS = sorted({(w, k) for k, ws in unit_words().items() for w in ws})
_CN = "零一二三四五六七八九"


def _cn_section(n: int, leading: bool) -> str:
    """0 < n < 10000 in standard place-value form; 十二 (not 一十二) only at the very start."""
    out = ""
    started = pending_zero = False
    for place, word in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // place % 10
        if d == 0:
            pending_zero = pending_zero or started
            continue
        if pending_zero:
            out += "零"
            pending_zero = False
        out += word if (place == 10 and d == 1 and leading and not started) else _CN[d] + word
        started = True
    return out


def to_chinese(n: int) -> str:
    if n == 0:
        return "零"
    high, low = divmod(n, 10000)
    if not high:
        return _cn_section(low, True)
    out = _cn_section(high, True) + "万"
    if low:
        out += ("零" if low < 1000 else "") + _cn_section(low, False)
    return out


@pytest.mark.parametrize(
    ("n", "cn"),
    [(0, "零"), (10, "十"), (12, "十二"), (105, "一百零五"), (110, "一百一十"), (1010, "一千零一十"),
     (3000, "三千"), (10005, "一万零五"), (10010, "一万零一十"), (15000, "一万五千"), (99999, "九万九千九百九十九")],
)  # fmt: skip
def test_to_chinese_helper(n: int, cn: str) -> None:
    assert to_chinese(n) == cn


@given(st.integers(min_value=0, max_value=10**15), st.sampled_from(_ALL_UNITS))
def test_arabic_round_trip(n: int, unit_kind: tuple[str, str]) -> None:
    unit, kind = unit_kind
    q = parse_quantity(f"{n}{unit}")
    assert isinstance(q, Quantity)
    assert (q.value, q.unit, q.decimals, q.approx) == (n, unit, 0, None)
    assert q.kind == ("year" if unit == "年" and 1900 <= n <= 2100 else kind)


@given(st.integers(min_value=0, max_value=99999), st.booleans())
def test_chinese_round_trip(n: int, liang: bool) -> None:
    cn = to_chinese(n)
    if liang and cn.startswith("二") and len(cn) > 1 and cn[1] in "千百万":
        cn = "两" + cn[1:]
    q = parse_quantity(cn)
    assert q is not None and q.value == n, cn
    q = parse_quantity(cn + "件")
    assert q is not None and (q.value, q.unit) == (n, "件"), cn


@given(
    st.integers(min_value=0, max_value=10**9), st.sampled_from(["条", "件", "万元", "%", "人次", "个工作日"])
)
def test_scan_finds_number_with_unit_in_a_sentence(n: int, unit: str) -> None:
    text = f"本年度共办理{n}{unit},较上年有所增加。"
    qs = scan_quantities(text)
    assert [(q.value, q.unit, q.text) for q in qs] == [(n, unit, f"{n}{unit}")]


def _check_spans(text: str, qs: list[Quantity] | list[DateMention]) -> None:
    last = 0
    for q in qs:
        assert 0 <= last <= q.start < q.end <= len(text)
        assert text[q.start : q.end] == q.text
        last = q.end


_PROSE = st.lists(
    st.sampled_from(list("0123456789０１２.,，%％一二两三十百千万亿零〇点年月日号条件个次余多近约超过以上第“”\"‘’（）()〔〕-/ 元之分共\n") + ["万元", "个百分点", "百分之", "以上"]),
    max_size=40,
).map("".join)  # fmt: skip


@settings(max_examples=300)
@given(st.one_of(st.text(), _PROSE))
def test_scan_never_raises_and_spans_are_sane(text: str) -> None:
    for bare in (False, True):
        _check_spans(text, scan_quantities(text, bare=bare))
    _check_spans(text, scan_dates(text))
    parse_quantity(text)
    parse_date(text)


@pytest.mark.parametrize(
    "text",
    [
        "为辖区汽车零件企业提供政策解读服务",
        "推动机械零部件产业链信息公开",
        "零件加工企业备案信息全部公开",
        "开展零元购等促销活动的监管信息",
    ],
)
def test_lone_zero_inside_a_word_is_not_a_quantity(text: str) -> None:
    assert scan_quantities(text) == []
    assert scan_quantities(text, bare=True) == []


def test_lone_zero_standing_apart_and_numerals_with_zero() -> None:
    text = "行政复议申请数量:零件。汽车零件企业3家,办理一百零五项,下降零点五个百分点,实现零投诉。"
    assert [(q.text, q.value, q.unit) for q in scan_quantities(text)] == [
        ("零件", 0, "件"),
        ("3家", 3, "家"),
        ("一百零五项", 105, "项"),
        ("零点五个百分点", Decimal("0.5"), "个百分点"),
    ]
    # the single-quantity parser is not the scanner: "零件" on its own is still 0件
    q = parse_quantity("零件")
    assert q is not None and (q.value, q.unit) == (0, "件")


@given(
    st.text(alphabet="汽车机械精密配套生产加工企业的", min_size=1, max_size=4),
    st.sampled_from(["件", "部件", "个", "次", "项"]),
    st.text(alphabet="企业加工制造销售,。", max_size=3),
)
def test_lone_zero_after_a_cjk_character_is_never_a_quantity(before: str, unit: str, after: str) -> None:
    text = f"{before}零{unit}{after}"
    assert [q for q in scan_quantities(text) if q.value == 0] == []


# -- the parse's shortcut for digits + measure word gives what the grammar gives


def _every_unit() -> list[str]:
    from xxgk_lint.parse.quantities import _grammar

    return [w for words in _grammar().units.values() for w in words]


def test_plain_quantities_parse_as_the_grammar_does() -> None:
    from xxgk_lint.parse.quantities import _NOT_PLAIN, _parse_lark, _parse_plain

    numbers = ["0", "7", "007", "12", "46", "1899", "1900", "2019", "2100", "2101", "3.5", "0.25", "100.00", "123456789", "9" * 30]
    checked = 0
    for unit in ["", *_every_unit()]:
        for n in numbers:
            s = n + unit
            got = _parse_plain(s)
            if got is _NOT_PLAIN:
                continue
            checked += 1
            assert got == _parse_lark(s), s
    assert checked >= 60 * len(numbers)  # every measure word takes the shortcut
    for s in ["12 件", "1,234件", "3万件", "十二件", "约12件", "12余件", "12件以上", "百分之五", "12abc"]:
        assert _parse_plain(s) is _NOT_PLAIN, s


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"[0-9]{1,12}(\.[0-9]{1,6})?", fullmatch=True), st.sampled_from(["", "件", "%", "年", "万元", "个工作日", "元", "人次"]))
def test_plain_quantities_random(digits: str, unit: str) -> None:
    from xxgk_lint.parse.quantities import _parse_lark, _parse_plain

    assert _parse_plain(digits + unit) == _parse_lark(digits + unit)
