"""Hygiene rules (H): chrome, injected spam, lost numbers, mojibake — on the seeds and the clean fixtures."""

from __future__ import annotations

from tests.conftest import CLEAN_2019, FIXTURES, SEED, lint_file, lint_text

CLEAN = CLEAN_2019.read_text(encoding="utf-8")


def h(result, code: str) -> list:  # type: ignore[no-untyped-def]
    return [f for f in result.findings if f.rule == code]


def test_clean_fixtures_are_quiet() -> None:
    for path in (CLEAN_2019, FIXTURES / "clean-2021.txt"):
        assert not [f for f in lint_file(path).findings if f.rule[0] == "H"]


def test_seed_000_ends_with_scan_prompt() -> None:
    f = h(lint_file(SEED["000"]), "H101")
    assert [(x.line, x.actual) for x in f] == [(22, ["扫一扫在手机打开当前页"])]


def test_seed_001_login_box() -> None:
    assert [x.line for x in h(lint_file(SEED["001"]), "H101")] == [109, 110, 111, 112]


def test_seed_002_spam_chrome_and_lost_numbers() -> None:
    r = lint_file(SEED["002"])
    spam = h(r, "H102")
    assert len(spam) == 1 and spam[0].severity == "error" and spam[0].line == 14
    assert "电子游戏官网" in spam[0].actual
    assert {x.line for x in h(r, "H101")} == {12, 13, 14}
    lost = {x.actual for x in h(r, "H103")}
    assert lost == {"开通心理援助热线条", "社区养老等线万次"}


def test_counts_with_numbers_are_not_lost_numbers() -> None:
    # seed 004 "推送政策2.3亿余条次", seed 003 "中介服务项目采购公告共390个" etc.
    assert not h(lint_file(SEED["004"]), "H103")
    assert not h(lint_file(SEED["003"]), "H103")


def test_lost_number_in_clean_fixture() -> None:
    text = CLEAN.replace("共计信息33条。", "共计信息条。")
    f = h(lint_text(text, "x.txt"), "H103")
    assert len(f) == 1 and f[0].actual == "共计信息条" and f[0].section == "一"


def test_mojibake() -> None:
    text = CLEAN.replace("发布各类政府信息1629条", "发布锟斤拷锟斤拷信息1629条")
    f = h(lint_text(text, "x.txt"), "H104")
    assert len(f) == 1 and f[0].actual == "锟斤拷"
    latin1 = CLEAN.replace(
        "发布各类政府信息1629条", "å‘布各ç±»æ”¿府信息1629条".encode().decode("latin-1", errors="replace")
    )
    assert h(lint_text(latin1, "x.txt"), "H104")


def test_utf8_read_as_gbk_is_mojibake_with_the_recovered_text() -> None:
    line = "发布各类政府信息1629条,主动公开政府信息情况良好。"
    garbled = line.encode("utf-8").decode("gb18030", errors="replace").replace("\ufffd", "")
    assert garbled.startswith("鍙戝竷")
    f = h(lint_text(CLEAN.replace("共计信息33条。", garbled), "x.txt"), "H104")
    assert len(f) == 1 and f[0].actual == garbled.split(",")[0][:20]
    assert "发布各类政府信息" in f[0].expected
    # with a replacement character left by the wrong decoding, the recovered text is still given
    marked = line.encode("utf-8").decode("gb18030", errors="replace")
    g = h(lint_text(CLEAN.replace("共计信息33条。", marked), "x.txt"), "H104")
    assert len(g) == 1 and "发布各类政府信息" in g[0].expected


def test_utf8_read_as_gbk_stays_quiet_on_real_chinese() -> None:
    for code in ("000", "001", "002", "003", "004"):
        assert not h(lint_file(SEED[code]), "H104"), code
    assert not h(lint_file(FIXTURES / "clean-2021.txt"), "H104")


def test_date_labels_are_not_lost_numbers() -> None:
    """发布日期/受理日期/公开日期 end in the measure character 期 but lost no number."""
    text = CLEAN.replace("共计信息33条。", "共计信息33条。发布日期:2021-01-20,受理日期和公开日期见附表,与上年同期相比持平。")
    assert not h(lint_text(text, "x.txt"), "H103")
    lost = CLEAN.replace("共计信息33条。", "共计信息33条。发布政策解读期,开通热线条。")
    assert {x.actual for x in h(lint_text(lost, "x.txt"), "H103")} >= {"开通热线条"}


def _page(tmp_path, body: str, hidden: str = ""):  # type: ignore[no-untyped-def]
    paras = "".join(f"<p>{line}</p>\n" for line in CLEAN.split("\n") if line and "|" not in line)
    html = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>年度报告</title></head><body>\n'
        f'{hidden}\n<div id="zoom">\n{paras}{body}</div></body></html>'
    )
    p = tmp_path / "page.html"
    p.write_text(html, encoding="utf-8")
    return lint_file(p)


def test_spam_hidden_on_the_page_is_found_and_marked_hidden(tmp_path) -> None:  # type: ignore[no-untyped-def]
    r = _page(tmp_path, "", '<div style="display:none"><a href="http://x.example">澳门新葡京 百家乐</a></div>')
    f = h(r, "H102")
    assert len(f) == 1 and f[0].actual == ["百家乐", "澳门新葡京"] and f[0].line == 2
    assert "(隐藏文字)" in f[0].message and f[0].section is None
    en = [x for x in _page(tmp_path, "", '<div hidden>百家乐</div>').findings if x.rule == "H102"]
    assert en and en[0].actual == ["百家乐"]
    assert not h(_page(tmp_path, ""), "H102")  # the same page without the hidden div


def test_link_farm_on_a_line_fires_h105() -> None:
    farm = "www.bet-abc.com vip888.cc ag-casino.net 娱乐城官网"
    f = h(lint_text(CLEAN.replace("共计信息33条。", "共计信息33条。\n" + farm), "x.txt"), "H105")
    assert len(f) == 1 and f[0].severity == "error"
    assert f[0].actual == ["www.bet-abc.com", "vip888.cc", "ag-casino.net"] and f[0].expected == 3


def test_link_farm_in_hidden_text_needs_two_links(tmp_path) -> None:  # type: ignore[no-untyped-def]
    r = _page(tmp_path, "", '<div style="visibility:hidden"><a>88bet.vip</a> <a>xpj.cc</a></div>')
    f = h(r, "H105")
    assert len(f) == 1 and "(隐藏文字)" in f[0].message and f[0].actual == ["88bet.vip", "xpj.cc"]


def test_government_links_and_file_names_are_not_a_link_farm() -> None:
    lines = [
        "本报告电子版可在昭通市人民政府门户网站(www.zt.gov.cn)和 http://xxgk.yn.gov.cn/ 查阅,也可关注 www.gov.cn。",
        "附件:附件1.docx、附件2.pdf、统计表.xlsx、说明.doc",
        "如对本报告有疑问,请发邮件至 zfxxgk@zt.gov.cn 或访问 www.example-news.com。",
    ]
    text = CLEAN.replace("共计信息33条。", "共计信息33条。\n" + "\n".join(lines))
    assert not h(lint_text(text, "x.txt"), "H105")
    for code in ("000", "001", "002", "003", "004"):
        assert not h(lint_file(SEED[code]), "H105"), code
