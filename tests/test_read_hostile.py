"""Hostile and odd inputs: every one gives a documented E code (or correct text), nothing else escapes.

All inputs are generated here; the big ones (a 1 GiB zip bomb, a 30 MiB page) are built by
streaming so the test itself stays small in memory.
"""

from __future__ import annotations

import os
import random
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readers_util import (
    BILLION_LAUGHS_DECL,
    billion_laughs_document_xml,
    build_encrypted_pdf,
    build_lines_pdf,
    build_scanned_pdf,
    docx_with_document_xml,
    lying_size_docx,
    read_in_child,
    seed_text,
    simple_document_xml,
    xxe_document_xml,
    zip_bomb_docx,
)
from xxgk_lint.read import SUPPORTED_SUFFIXES, limits, read_path
from xxgk_lint.read.document import ReadError
from xxgk_lint.read.encoding import check_not_binary, commonness, decode_bytes
from xxgk_lint.read.grid import SrcCell, SrcRow, expand, parse_span
from xxgk_lint.read.text import read_text


def code_of(path: Path) -> str:
    try:
        read_path(path)
    except ReadError as err:
        assert err.zh and err.en and err.code.startswith("E")
        return err.code
    return "OK"


needs_proc = pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="peak RSS is read from /proc")


@pytest.fixture(scope="module")
def baseline_rss(tmp_path_factory: pytest.TempPathFactory) -> float:
    """Peak RSS (MiB) of a fresh interpreter that reads a small real report: what any read costs."""
    p = tmp_path_factory.mktemp("base") / "seed.txt"
    p.write_text(seed_text("003"), encoding="utf-8")
    code, rss, _ = read_in_child(p)
    assert code == "OK"
    return rss


# ---------------------------------------------------------------------------------------------
# XML attacks


def test_billion_laughs_docx(tmp_path: Path) -> None:
    p = tmp_path / "lol.docx"
    docx_with_document_xml(p, billion_laughs_document_xml())
    t0 = time.monotonic()
    assert code_of(p) == "E005"
    assert time.monotonic() - t0 < 2


def test_external_entity_docx_does_not_leak(tmp_path: Path) -> None:
    p = tmp_path / "xxe.docx"
    docx_with_document_xml(p, xxe_document_xml("file:///etc/passwd"))
    with pytest.raises(ReadError) as ei:
        read_path(p)
    assert ei.value.code == "E005" and "root:" not in ei.value.en + ei.value.zh


def test_entity_in_styles_part_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "styles.docx"
    styles = (BILLION_LAUGHS_DECL + '<w:styles xmlns:w="x">&lol9;</w:styles>').encode()
    docx_with_document_xml(p, simple_document_xml("正文"), {"word/styles.xml": styles})
    assert code_of(p) == "E005"


@pytest.mark.parametrize(
    "doctype",
    [
        "<!DOCTYPE html " + BILLION_LAUGHS_DECL[len("<!DOCTYPE lolz ") :],
        '<!DOCTYPE html [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    ],
)
def test_html_doctype_with_entities(tmp_path: Path, doctype: str) -> None:
    p = tmp_path / "lol.html"
    p.write_text(doctype + "<html><body><p>&lol9; &xxe; 政府信息公开</p></body></html>", encoding="utf-8")
    assert code_of(p) == "E005"


def test_plain_html5_doctype_is_fine(tmp_path: Path) -> None:
    p = tmp_path / "ok.html"
    p.write_text("<!DOCTYPE html><html><body><p>政府信息公开工作年度报告</p></body></html>", encoding="utf-8")
    assert [b.text for b in read_path(p).blocks] == ["政府信息公开工作年度报告"]


def test_malformed_xml_and_containers(tmp_path: Path) -> None:
    bad = tmp_path / "bad.docx"
    docx_with_document_xml(bad, b"<w:document><w:body><w:p>")
    assert code_of(bad) == "E005"
    missing = tmp_path / "missing.docx"
    with zipfile.ZipFile(missing, "w") as z:
        z.writestr("hello.txt", "政府信息公开")
    assert code_of(missing) == "E005"
    good = tmp_path / "good.docx"
    docx_with_document_xml(good, simple_document_xml("政府信息公开", "工作年度报告"))
    assert [b.text for b in read_path(good).blocks] == ["政府信息公开", "工作年度报告"]
    truncated = tmp_path / "truncated.docx"
    truncated.write_bytes(good.read_bytes()[:-40])
    assert code_of(truncated) == "E005"
    ole = tmp_path / "legacy.docx"
    ole.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4000))
    with pytest.raises(ReadError) as ei:
        read_path(ole)
    assert ei.value.code == "E005" and ".doc" in ei.value.en
    empty_body = tmp_path / "nobody.docx"
    docx_with_document_xml(empty_body, simple_document_xml())
    assert code_of(empty_body) == "E006"


# ---------------------------------------------------------------------------------------------
# zip bombs and caps


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    p = tmp_path_factory.mktemp("bomb") / "bomb.docx"
    zip_bomb_docx(p)  # 1 GiB of zeros, about 1 MiB on disk
    return p


@needs_proc
def test_zip_bomb_is_refused_without_decompressing(bomb: Path, baseline_rss: float) -> None:
    assert bomb.stat().st_size < 2 * 1024 * 1024
    with zipfile.ZipFile(bomb) as z:
        assert z.getinfo("word/document.xml").file_size > 1 << 30
    with pytest.raises(ReadError) as ei:
        read_path(bomb)
    assert ei.value.code == "E005" and "zip bomb" in ei.value.en
    # memory and time measured in a fresh process (this one's high-water mark says nothing)
    code, rss, wall = read_in_child(bomb)
    assert code == "E005" and wall < 1.0
    assert rss - baseline_rss < 30, (rss, baseline_rss)


def test_zip_bomb_under_the_ratio_cap_hits_the_total_cap(bomb: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "ZIP_MAX_RATIO", 10**6)
    assert code_of(bomb) == "E004"  # declared total 1 GiB > 100 MiB


def test_zip_member_lying_about_its_size(tmp_path: Path) -> None:
    p = tmp_path / "lying.docx"
    lying_size_docx(p)
    assert code_of(p) == "E005"


def test_streaming_cap_stops_decompression(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = tmp_path / "big.docx"
    rnd = random.Random(3)
    text = "".join(chr(rnd.randrange(0x4E00, 0x9FA5)) for _ in range(600_000))  # 1.8 MB, compresses ~1.5:1
    docx_with_document_xml(p, simple_document_xml(text))
    monkeypatch.setattr(limits, "ZIP_MAX_XML_MEMBER", 1 << 20)
    assert code_of(p) == "E004"
    monkeypatch.setattr(limits, "ZIP_MAX_XML_MEMBER", 32 << 20)
    monkeypatch.setattr(limits, "ZIP_MAX_TOTAL", 1 << 20)
    assert code_of(p) == "E004"
    monkeypatch.setattr(limits, "ZIP_MAX_TOTAL", 100 << 20)
    assert read_path(p).blocks[0].text == text


def test_too_many_zip_members(tmp_path: Path) -> None:
    p = tmp_path / "many.docx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("word/document.xml", simple_document_xml("正文"))
        for i in range(limits.ZIP_MAX_MEMBERS + 10):
            z.writestr(f"x/{i}", b"")
    with pytest.raises(ReadError) as ei:
        read_path(p)
    assert ei.value.code == "E005" and "too many members" in ei.value.en


@needs_proc
def test_oversized_text_and_html_are_refused_from_stat(tmp_path: Path, baseline_rss: float) -> None:
    line = ("<p>" + "政府信息公开工作年度报告。" * 30 + "</p>\n").encode()
    p = tmp_path / "huge.html"
    with open(p, "wb") as fh:
        fh.write(b"<html><body><div id='zoom'>")
        written = 0
        while written < 30 * 1024 * 1024:
            fh.write(line)
            written += len(line)
        fh.write(b"</div></body></html>")
    code, rss, wall = read_in_child(p)
    assert code == "E004" and wall < 0.5
    assert rss - baseline_rss < 10, (rss, baseline_rss)
    txt = tmp_path / "huge.txt"
    os.truncate(p, 0)
    with open(txt, "wb") as fh:
        fh.truncate(limits.MAX_TEXT_BYTES + 1)
    assert code_of(txt) == "E004"


# the count caps: a real report has a few hundred to a few thousand blocks; inputs of very many tiny
# blocks are refused while reading, before a tree or a line list is built


def _tiny_inputs(d: Path) -> dict[str, Path]:
    """Inputs just under the byte caps made of very many tiny blocks (the shapes that took 1.1-1.5 GB)."""
    out = {"txt": d / "lines.txt", "html": d / "tiny.html", "docx": d / "paras.docx"}
    with open(out["txt"], "wb") as fh:
        fh.write("第一行文字\n".encode() * 1_250_000)  # 19 MiB, 1.25 M lines
    with open(out["html"], "wb") as fh:
        fh.write(b'<html><body><div class="content">')
        fh.write("<p>一</p>".encode() * 2_000_000)  # 19 MiB, 2 M elements
        fh.write(b"</div></body></html>")
    para = "<w:p><w:r><w:t>一</w:t></w:r></w:p>".encode()
    body = para * (31 * 1024 * 1024 // len(para))  # 31 MiB document.xml, 900 k paragraphs
    docx_with_document_xml(out["docx"], simple_document_xml().replace(b"<w:body>", b"<w:body>" + body), stored=True)
    return out


@needs_proc
def test_very_many_tiny_blocks_are_refused_in_bounded_memory(tmp_path: Path, baseline_rss: float) -> None:
    for fmt, path in _tiny_inputs(tmp_path).items():
        assert path.stat().st_size > 18 * 1024 * 1024
        code, rss, wall = read_in_child(path)
        assert code == "E004", fmt
        # was 1.1-1.5 GB and about a minute; the input itself is 19-31 MiB
        assert rss - baseline_rss < 150 and wall < 3.0, (fmt, rss, baseline_rss, wall)


def _cap_input(kind: str, d: Path) -> Path:
    p = d / {"txt": "r.txt", "html": "r.html", "docx": "r.docx"}[kind.split("_")[0]]
    body = {
        "txt_lines": "政府信息公开\n\n" * 60,
        "txt_blocks": "政府信息公开\n" * 60,
        "txt_cells": "一、主动公开 | 1 | 2 | 3 |\n" * 20,
        "txt_chars": "政府信息公开" * 100,
        "html_tags": "<p><span>政府</span><b>信息</b></p>" * 20,
        "html_blocks": "<p>政府信息公开</p>" * 60,
        "html_cells": "<table>" + "<tr><td>一、主动公开</td><td>1</td><td>2</td></tr>" * 20 + "</table>",
        "html_chars": "<p>" + "政府信息公开" * 100 + "</p>",
        "docx_blocks": "",
        "docx_elements": "",
        "docx_chars": "",
    }[kind]
    if kind.startswith("txt"):
        p.write_text(body, encoding="utf-8")
    elif kind.startswith("html"):
        p.write_text(f"<html><body><div class='content'>{body}</div></body></html>", encoding="utf-8")
    else:
        texts = ["政府信息公开" * 100] if kind == "docx_chars" else ["政府信息公开"] * 60
        docx_with_document_xml(p, simple_document_xml(*texts))
    return p


@pytest.mark.parametrize(
    ("kind", "cap", "unit"),
    [
        ("txt_lines", "MAX_LINES", "lines"),
        ("txt_blocks", "MAX_BLOCKS", "paragraphs and tables"),
        ("txt_cells", "MAX_CELLS", "table cells"),
        ("txt_chars", "MAX_TEXT_CHARS", "characters"),
        ("html_tags", "MAX_HTML_TAGS", "HTML tags"),
        ("html_blocks", "MAX_BLOCKS", "paragraphs and tables"),
        ("html_cells", "MAX_CELLS", "table cells"),
        ("html_chars", "MAX_TEXT_CHARS", "characters"),
        ("docx_blocks", "MAX_BLOCKS", "paragraphs and tables"),
        ("docx_elements", "MAX_XML_ELEMENTS", "XML elements"),
        ("docx_chars", "MAX_TEXT_CHARS", "characters"),
    ],
)
def test_count_caps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str, cap: str, unit: str) -> None:
    p = _cap_input(kind, tmp_path)
    assert read_path(p).blocks  # fine under the real caps
    monkeypatch.setattr(limits, cap, 50 if cap != "MAX_TEXT_CHARS" else 500)
    with pytest.raises(ReadError) as ei:
        read_path(p)
    assert ei.value.code == "E004" and unit in ei.value.en and "上限" in ei.value.zh, ei.value.en


def test_pdf_block_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = tmp_path / "lines.pdf"
    build_lines_pdf(p, [[(56.0, f"({i}){word}") for i in range(1, 41)] for word in ("政府信息公开", "依申请公开")])
    assert len(read_path(p).blocks) == 80
    monkeypatch.setattr(limits, "MAX_BLOCKS", 50)
    with pytest.raises(ReadError) as ei:
        read_path(p)
    assert ei.value.code == "E004" and "paragraphs and tables" in ei.value.en
    monkeypatch.setattr(limits, "MAX_BLOCKS", 20_000)
    monkeypatch.setattr(limits, "MAX_LINES", 60)
    with pytest.raises(ReadError) as ei:
        read_path(p)
    assert ei.value.code == "E004" and "lines" in ei.value.en


def test_file_growing_past_the_cap_while_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = tmp_path / "grows.txt"
    p.write_text("政府信息公开\n" * 100, encoding="utf-8")
    monkeypatch.setattr(limits, "MAX_TEXT_BYTES", 100)
    with pytest.raises(ReadError) as ei:
        limits.read_capped(p, 100)
    assert ei.value.code == "E004"


# ---------------------------------------------------------------------------------------------
# empty, junk, filesystem oddities


@pytest.mark.parametrize("suffix", sorted(SUPPORTED_SUFFIXES))
def test_zero_byte_files(tmp_path: Path, suffix: str) -> None:
    p = tmp_path / f"empty{suffix}"
    p.write_bytes(b"")
    assert code_of(p) == "E006"


@pytest.mark.parametrize(("suffix", "code"), [(".txt", "E008"), (".md", "E008"), (".html", "E008"), (".docx", "E005"), (".pdf", "E005")])
def test_random_bytes(tmp_path: Path, suffix: str, code: str) -> None:
    rnd = random.Random(suffix)
    for i in range(5):
        p = tmp_path / f"junk{i}{suffix}"
        p.write_bytes(rnd.randbytes(rnd.choice([4096, 50_000])))  # long enough to hold NUL bytes
        assert code_of(p) == code


def test_random_bytes_without_nul_are_undecodable(tmp_path: Path) -> None:
    rnd = random.Random(7)
    p = tmp_path / "junk.txt"
    p.write_bytes(bytes(rnd.randrange(1, 256) for _ in range(8192)))
    assert code_of(p) in ("E003", "E008")


def test_control_characters_are_binary(tmp_path: Path) -> None:
    p = tmp_path / "ctrl.txt"
    p.write_bytes(("政府信息公开" + "\x01\x02\x03\x1b" * 50).encode())
    assert code_of(p) == "E008"
    ok = tmp_path / "tabs.txt"
    ok.write_bytes("政府\t信息\f公开\r\n".encode())
    assert code_of(ok) == "OK"


def test_whitespace_only_files(tmp_path: Path) -> None:
    for suffix, data in ((".txt", b" \n\t\n"), (".md", "\u3000\n".encode()), (".html", b"<html><body>  </body></html>")):
        p = tmp_path / f"blank{suffix}"
        p.write_bytes(data)
        assert code_of(p) == "E006"


def test_directory_symlink_loop_fifo_missing(tmp_path: Path) -> None:
    d = tmp_path / "folder.txt"
    d.mkdir()
    assert code_of(d) == "E001"
    assert code_of(tmp_path) == "E001"
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.symlink_to(b)
    b.symlink_to(a)
    with pytest.raises(ReadError) as ei:
        read_path(a)
    assert ei.value.code == "E001" and "loop" in ei.value.en
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    assert code_of(fifo) == "E001"  # and it must not block
    assert code_of(tmp_path / "nope.pdf") == "E001"
    assert code_of(tmp_path / "bad\0name.txt") == "E001"


def test_input_error_messages_say_it_once(tmp_path: Path) -> None:
    from xxgk_lint.pipeline import Options, lint_path

    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.symlink_to(b)
    b.symlink_to(a)
    (f,) = lint_path(a, Options()).findings
    assert (f.rule, f.message) == ("E001", "无法读取文件:符号链接循环")
    (f,) = lint_path(tmp_path / "nope.txt", Options(lang="en")).findings
    assert (f.rule, f.message) == ("E001", "cannot read file: no such file")


@pytest.mark.parametrize(("name", "zh", "en"), [("年报.doc", "旧版 Word 文档(.doc)", "old Word"), ("年报.WPS", "WPS 文字文档", "WPS Writer")])
def test_legacy_word_files_advise_docx(tmp_path: Path, name: str, zh: str, en: str) -> None:
    p = tmp_path / name
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)  # an OLE2 header, as .doc/.wps have
    with pytest.raises(ReadError) as ei:
        read_path(p)
    assert ei.value.code == "E002" and zh in ei.value.zh and "另存为 .docx" in ei.value.zh
    assert en in ei.value.en and "save it as .docx" in ei.value.en


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_permission_denied(tmp_path: Path) -> None:  # pragma: no cover - CI runs as root here
    p = tmp_path / "secret.txt"
    p.write_text("政府信息公开", encoding="utf-8")
    p.chmod(0)
    assert code_of(p) == "E001"


def test_unexpected_reader_failure_becomes_e005(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import xxgk_lint.read.html as html_reader

    def boom(data: bytes, path: str) -> None:
        raise KeyError("surprise")

    monkeypatch.setattr(html_reader, "read_html", boom)
    p = tmp_path / "x.html"
    p.write_text("<p>政府</p>", encoding="utf-8")
    with pytest.raises(ReadError) as ei:
        read_path(p)
    assert ei.value.code == "E005" and "KeyError" in ei.value.en


# ---------------------------------------------------------------------------------------------
# PDFs without text


def test_scanned_pdf(tmp_path: Path) -> None:
    p = tmp_path / "scan.pdf"
    build_scanned_pdf(p)
    assert code_of(p) == "E007"


def test_encrypted_pdf(tmp_path: Path) -> None:
    p = tmp_path / "locked.pdf"
    build_encrypted_pdf(p)
    with pytest.raises(ReadError) as ei:
        read_path(p)
    assert ei.value.code == "E005" and "encrypted" in ei.value.en


def test_truncated_pdf(tmp_path: Path) -> None:
    p = tmp_path / "cut.pdf"
    build_encrypted_pdf(p)
    p.write_bytes(p.read_bytes()[:300])
    assert code_of(p) == "E005"


# ---------------------------------------------------------------------------------------------
# encodings


@pytest.fixture(scope="module")
def seed003() -> str:
    return seed_text("003")


def _roundtrip(tmp_path: Path, name: str, data: bytes) -> tuple[str, str | None, list[str]]:
    p = tmp_path / name
    p.write_bytes(data)
    doc = read_path(p)
    return "\n".join(doc.source_lines), doc.encoding, [b.text for b in doc.blocks]


@pytest.mark.parametrize(
    ("codec", "prefix", "name"),
    [
        ("gbk", b"", "gb18030"),
        ("gb2312", b"", "gb18030"),
        ("utf-16-le", b"\xff\xfe", "utf-16"),
        ("utf-16-be", b"\xfe\xff", "utf-16"),
        ("utf-16-le", b"", "utf-16-le"),
        ("utf-32-le", b"\xff\xfe\x00\x00", "utf-32"),
        ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"),
        ("utf-8", b"", "utf-8"),
    ],
)
def test_seed_in_other_encodings(tmp_path: Path, seed003: str, codec: str, prefix: bytes, name: str) -> None:
    text = seed003
    if codec == "gb2312":  # GB2312 lacks a few of the seed's characters
        text = text.encode("gb2312", "ignore").decode("gb2312")
    original = read_text(text, "x.txt")
    got_text, encoding, blocks = _roundtrip(tmp_path, f"s.{codec}.txt", prefix + text.encode(codec))
    assert encoding == name
    assert got_text == "\n".join(text.splitlines())
    assert blocks == [b.text for b in original.blocks]


def test_gb18030_four_byte_characters(tmp_path: Path, seed003: str) -> None:
    text = seed003 + "\n生僻字:𠀀𪚥䶮\n"
    data = text.encode("gb18030")
    with pytest.raises(UnicodeEncodeError):
        text.encode("gbk")
    got, encoding, _ = _roundtrip(tmp_path, "s.txt", data)
    assert encoding == "gb18030" and got == "\n".join(text.splitlines())


TRADITIONAL = (
    "本機關依據政府資訊公開法，辦理民眾申請案件共計十二件，其中准予提供者八件，部分提供者二件，"
    "不予提供者二件。為落實資訊公開，本年度持續更新網站資料，並加強同仁教育訓練，提升服務品質與效率。\n"
    "一、總體情況\n二、主動公開政府資訊情況\n三、收到和處理政府資訊公開申請情況\n"
)


def test_big5(tmp_path: Path, seed003: str) -> None:
    # traditional Chinese written for Big5
    got, encoding, _ = _roundtrip(tmp_path, "trad.txt", TRADITIONAL.encode("big5"))
    assert encoding == "big5" and got == TRADITIONAL.rstrip("\n")
    # the Big5-encodable part of seed 003 (simplified-only characters cannot be written in Big5)
    subset = seed003.encode("big5", "ignore").decode("big5")
    data = subset.encode("big5")
    assert data.decode("gb18030")  # strict GB18030 also "succeeds" on these bytes: mojibake
    got, encoding, _ = _roundtrip(tmp_path, "subset.txt", data)
    assert encoding == "big5" and got == "\n".join(subset.splitlines())
    assert commonness(subset, "big5") > 0.9 > 0.5 > commonness(data.decode("gb18030"), "gb")


def test_short_gb_text_that_also_decodes_as_big5_stays_gb() -> None:
    for word in ("年度报告", "政府信息公开", "主动公开"):
        data = word.encode("gb2312")
        assert decode_bytes(data) == (word, "gb18030")


def test_html_declared_charset(tmp_path: Path) -> None:
    body = "<p>政府信息公开工作年度报告，镕基珺瑄。</p>"  # 镕/珺/瑄 are GBK, not GB2312
    for declared, codec, expect in (
        ("gb2312", "gbk", "gb18030"),  # the usual lie: declared gb2312, written GBK
        ("utf-8", "gbk", "gb18030"),  # declared UTF-8 but not UTF-8
        ("big5", "big5", "big5"),
        ("iso-8859-1", "gbk", "gb18030"),  # a Western declaration on a Chinese page is ignored
    ):
        text = body if codec != "big5" else "<p>政府資訊公開工作年度報告</p>"
        page = f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={declared}"></head><body>{text}</body></html>'
        p = tmp_path / f"{declared}.html"
        p.write_bytes(page.encode(codec))
        doc = read_path(p)
        assert doc.encoding == expect, declared
        assert doc.blocks[0].text == text[3:-4]


def test_undecodable_bom(tmp_path: Path) -> None:
    p = tmp_path / "bom.txt"
    p.write_bytes(b"\xef\xbb\xbf" + "政府".encode("gbk") + b"\xff\xfe\xfa")
    assert code_of(p) == "E003"


# ---------------------------------------------------------------------------------------------
# grid helpers


def test_parse_span_is_lenient_and_clamped() -> None:
    assert parse_span("2;") == 2 and parse_span(" 3 ") == 3 and parse_span("x") == 1 and parse_span("") == 1
    assert parse_span("0") == 1 and parse_span("0", 1, 0, 65534) == 0
    assert parse_span("99999999999") == 1000 and parse_span("-2") == 1 and parse_span("２") == 1


# ---------------------------------------------------------------------------------------------
# properties: nothing but ReadError escapes


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@SETTINGS
@given(st.binary(max_size=3000), st.sampled_from([None, "gb2312", "utf-8", "big5", "latin-1", "nonsense", "utf-16"]))
def test_decode_bytes_only_raises_read_error(data: bytes, declared: str | None) -> None:
    try:
        text, name = decode_bytes(data, declared)
    except ReadError as err:
        assert err.code in ("E003", "E008")
        return
    assert isinstance(text, str) and isinstance(name, str) and name
    try:
        check_not_binary(text)
    except ReadError as err:
        assert err.code == "E008"


@SETTINGS
@given(st.text(max_size=2000))
def test_read_text_never_raises(text: str) -> None:
    doc = read_text(text, "x.md", "md")
    for b in doc.blocks:
        assert 1 <= b.line <= b.end_line


@SETTINGS
@given(st.text(max_size=2000).map(lambda s: s.encode("utf-8", "surrogatepass")))
def test_decode_utf8_text_roundtrips(data: bytes) -> None:
    try:
        expected = data.decode("utf-8")
    except UnicodeDecodeError:
        return
    if "\x00" in expected:
        return
    assert decode_bytes(data) == (expected.lstrip("\ufeff") if data.startswith(b"\xef\xbb\xbf") else expected, "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8")


_HTML_TOKENS = st.sampled_from(
    ["<p>", "</p>", "<br>", "<table>", "</table>", "<tr>", "</tr>", "<td rowspan=3>", "<td colspan='2;'>", "<td>", "</td>",
     "<th rowspan=0>", "<div id='zoom'>", "<div class='share'>", "</div>", "<h2>", "</h2>", "<script>", "</script>",
     "政府信息公开", "一、总体情况", "(三)不予公开", "0", "发布日期:2020-02-30", "来源:某局", "&nbsp;", "&lt;", "<!--", "-->",
     "<meta name='PubDate' content='2020-13-01'>", "<title>", "</title>", "\n", "\r", " ", "<![CDATA[", "<?xml?>",
     "<!DOCTYPE html>", "<tbody>", "<li>", "<font>", "\x00", "\ufeff"]
)  # fmt: skip


@SETTINGS
@given(st.lists(_HTML_TOKENS, max_size=80))
def test_read_path_html_soup(tmp_path_factory: pytest.TempPathFactory, tokens: list[str]) -> None:
    p = tmp_path_factory.getbasetemp() / "soup.html"
    p.write_bytes("".join(tokens).encode("utf-8"))
    try:
        doc = read_path(p)
    except ReadError as err:
        assert err.code in ("E003", "E005", "E006", "E008")
        return
    for b in doc.blocks:
        assert b.line >= 1 and b.end_line >= b.line
        for r in b.rows:
            assert [c.column for c in r.cells] == list(range(1, len(r.cells) + 1))


@SETTINGS
@given(st.binary(max_size=5000), st.sampled_from(sorted(SUPPORTED_SUFFIXES)))
def test_read_path_random_bytes(tmp_path_factory: pytest.TempPathFactory, data: bytes, suffix: str) -> None:
    p = tmp_path_factory.getbasetemp() / f"rand{suffix}"
    p.write_bytes(data)
    try:
        read_path(p)
    except ReadError as err:
        assert err.code in ("E003", "E005", "E006", "E007", "E008")


@SETTINGS
@given(
    st.lists(
        st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), max_size=6),
        max_size=8,
    )
)
def test_grid_expansion_invariants(spec: list[list[tuple[int, int]]]) -> None:
    rows = [SrcRow(cells=[SrcCell(f"{r}.{c}", r + 1, cs, rs) for c, (cs, rs) in enumerate(row)], line=r + 1) for r, row in enumerate(spec)]
    out = expand(rows)
    assert len(out) == len(rows)
    origins = 0
    for row in out:
        assert [c.column for c in row.cells] == list(range(1, len(row.cells) + 1))
        for c in row.cells:
            if c.spanned:
                assert c.colspan == 1 and c.rowspan == 1 and c.origin_column is not None
            elif c.text:
                origins += 1
    assert origins == sum(len(r) for r in spec)


# ---------------------------------------------------------------------------------------------
# one batch over a folder of every hostile case


def test_batch_over_a_folder_of_hostile_files(tmp_path: Path, bomb: Path) -> None:
    """One ``check --format json`` run over a folder: exit 2, one E finding with its documented code
    per hostile file, the good files (a seed, and its GBK and GB18030 copies) checked as usual."""
    import json

    from click.testing import CliRunner

    from xxgk_lint.cli import main
    from xxgk_lint.pipeline import Options, lint_path

    d = tmp_path / "batch"
    d.mkdir()
    expected: dict[str, str] = {}

    def hostile(name: str, code: str) -> Path:
        expected[name] = code
        return d / name

    docx_with_document_xml(hostile("lol.docx", "E005"), billion_laughs_document_xml())
    docx_with_document_xml(hostile("xxe.docx", "E005"), xxe_document_xml("file:///etc/passwd"))
    hostile("bomb.docx", "E005").write_bytes(bomb.read_bytes())
    hostile("empty.txt", "E006").write_bytes(b"")
    hostile("empty.pdf", "E006").write_bytes(b"")
    rnd = random.Random(4)
    hostile("junk.txt", "E008").write_bytes(rnd.randbytes(50_000))
    hostile("junk.docx", "E005").write_bytes(rnd.randbytes(50_000))
    with open(hostile("huge.html", "E004"), "wb") as fh:
        fh.write(b"<html><body><p>")
        fh.truncate(limits.MAX_TEXT_BYTES + 1)  # sparse: refused from stat, never read
    good = d / "good.docx"
    docx_with_document_xml(good, simple_document_xml("政府信息公开", "工作年度报告"))
    hostile("cut.docx", "E005").write_bytes(good.read_bytes()[:-40])
    good.unlink()
    cut_pdf = hostile("cut.pdf", "E005")
    build_encrypted_pdf(cut_pdf)
    cut_pdf.write_bytes(cut_pdf.read_bytes()[:300])
    text = seed_text("003")
    (d / "seed.txt").write_text(text, encoding="utf-8")
    (d / "seed-gbk.txt").write_bytes(text.encode("gbk"))
    (d / "seed-gb18030.txt").write_bytes(text.encode("gb18030"))

    result = CliRunner().invoke(main, ["check", "--format", "json", str(d)])
    assert result.exit_code == 2, result.output
    doc = json.loads(result.output)
    by_name = {Path(f["path"]).name: f for f in doc["files"]}
    assert set(by_name) == set(expected) | {"seed.txt", "seed-gbk.txt", "seed-gb18030.txt"}
    for name, code in expected.items():
        assert [x["rule"] for x in by_name[name]["findings"]] == [code], name
        assert "root:" not in by_name[name]["findings"][0]["message"]
    normal = [(f.rule, f.line, f.cell) for f in lint_path(d / "seed.txt", Options()).findings]
    assert normal and not any(r.startswith("E") for r, _, _ in normal)
    for name, encoding in (("seed.txt", "utf-8"), ("seed-gbk.txt", "gb18030"), ("seed-gb18030.txt", "gb18030")):
        got = by_name[name]
        assert got["encoding"] == encoding
        assert [(x["rule"], x["line"], x["cell"]) for x in got["findings"]] == normal, name
