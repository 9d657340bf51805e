"""The DOCX reader's shortcuts give what the long way gives: plain tables built without
grid.expand, styles/numbering parts recognised by their compressed bytes, the element count."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import pytest
from tests.readers_util import W, docx_with_document_xml, simple_document_xml

from xxgk_lint.read import limits, read_path
from xxgk_lint.read.document import ReadError
from xxgk_lint.read.grid import SrcCell, SrcRow, expand

STYLES = f"""<w:styles xmlns:w="{W}">
<w:style w:type="paragraph" w:styleId="h1"><w:name w:val="heading 1"/></w:style>
</w:styles>""".encode()


def _tc(text: str) -> str:
    return f'<w:tc><w:tcPr><w:tcW w:w="100" w:type="dxa"/></w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>'


def _document(body: str) -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>'.encode()


def test_plain_table_rows_are_what_expand_makes(tmp_path: Path) -> None:
    rows = [["项目", "数量", "备注"], ["主动公开", "12", ""], ["依申请公开", "3"], []]
    body = '<w:p><w:pPr><w:pStyle w:val="h1"/></w:pPr><w:r><w:t>一、总体情况</w:t></w:r></w:p><w:tbl>'
    body += "".join("<w:tr>" + "".join(_tc(t) for t in r) + "</w:tr>" for r in rows) + "</w:tbl>"
    p = tmp_path / "plain.docx"
    docx_with_document_xml(p, _document(body), {"word/styles.xml": STYLES})
    doc = read_path(p)
    (table,) = [b for b in doc.blocks if b.kind == "table"]
    src = [SrcRow(cells=[SrcCell(text=t, line=i + 2, col=j) for j, t in enumerate(r)], line=i + 2) for i, r in enumerate(rows)]
    assert table.rows == tuple(expand(src))
    assert doc.blocks[0].role == "heading"


def test_plain_table_over_the_grid_cap_still_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = "<w:tbl><w:tr>" + _tc("a") + _tc("b") + "</w:tr><w:tr>" + _tc("c") + _tc("d") + "</w:tr></w:tbl>"
    p = tmp_path / "cap.docx"
    docx_with_document_xml(p, _document(body))
    assert read_path(p).blocks[0].kind == "table"
    monkeypatch.setattr(limits, "MAX_TABLE_CELLS", 3)
    with pytest.raises(ReadError) as ei:
        read_path(p)
    assert ei.value.code == "E004" and ei.value.line == 2


def _patch_crc(data: bytes, name: str) -> bytes:
    """``data`` with the central-directory CRC-32 of member ``name`` changed."""
    out = bytearray(data)
    pos = out.find(b"PK\x01\x02")
    while pos >= 0:
        n = struct.unpack_from("<H", out, pos + 28)[0]
        if bytes(out[pos + 46 : pos + 46 + n]) == name.encode():
            struct.pack_into("<I", out, pos + 16, struct.unpack_from("<I", out, pos + 16)[0] ^ 1)
        pos = out.find(b"PK\x01\x02", pos + 4)
    return bytes(out)


@pytest.mark.parametrize("part", ["word/styles.xml", "word/numbering.xml"])
def test_a_part_seen_before_is_still_checked(tmp_path: Path, part: str) -> None:
    numbering = f'<w:numbering xmlns:w="{W}"><w:num w:numId="1"><w:abstractNumId w:val="1"/></w:num></w:numbering>'.encode()
    good = tmp_path / "good.docx"
    docx_with_document_xml(good, simple_document_xml("政府信息公开"), {"word/styles.xml": STYLES, "word/numbering.xml": numbering})
    first = read_path(good)
    assert read_path(good) == first  # from the caches
    bad = tmp_path / "badcrc.docx"
    bad.write_bytes(_patch_crc(good.read_bytes(), part))
    with pytest.raises(ReadError) as ei:
        read_path(bad)
    assert ei.value.code == "E005" and part in ei.value.en
    stored = tmp_path / "stored.docx"  # the same content, not deflated: read again, same result
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(stored, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info.filename, data, compress_type=zipfile.ZIP_STORED if info.filename == part else None)
    doc = read_path(stored)
    assert (doc.blocks, doc.source_lines, doc.meta) == (first.blocks, first.source_lines, first.meta)


def test_cached_numbering_still_meets_a_lower_element_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    levels = "".join(f'<w:lvl w:ilvl="{i}"><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>' for i in range(9))
    numbering = f'<w:numbering xmlns:w="{W}"><w:abstractNum w:abstractNumId="1">{levels}</w:abstractNum></w:numbering>'.encode()
    p = tmp_path / "n.docx"
    docx_with_document_xml(p, simple_document_xml("政府信息公开"), {"word/numbering.xml": numbering})
    assert read_path(p).blocks  # numbering.xml now cached
    monkeypatch.setattr(limits, "MAX_XML_ELEMENTS", 20)  # document.xml has 5 elements, numbering.xml 29
    with pytest.raises(ReadError) as ei:
        read_path(p)
    assert ei.value.code == "E004" and "numbering.xml" in ei.value.en and "at least 29" in ei.value.en


def test_cached_styles_still_meet_a_lower_element_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    defs = "".join(f'<w:style w:type="paragraph" w:styleId="s{i}"><w:name w:val="样式{i}"/></w:style>' for i in range(12))
    styles = f'<w:styles xmlns:w="{W}">{defs}</w:styles>'.encode()  # 1 + 2 * 12 = 25 elements
    p = tmp_path / "s.docx"
    docx_with_document_xml(p, simple_document_xml("政府信息公开"), {"word/styles.xml": styles})
    assert read_path(p).blocks  # styles.xml now cached
    monkeypatch.setattr(limits, "MAX_XML_ELEMENTS", 20)  # document.xml has 5 elements
    with pytest.raises(ReadError) as ei:
        read_path(p)
    assert ei.value.code == "E004" and "styles.xml" in ei.value.en and "at least 25" in ei.value.en


def test_element_count_message_is_exact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = tmp_path / "e.docx"
    docx_with_document_xml(p, simple_document_xml(*["政府信息公开"] * 10))  # 2 + 3 * 10 elements
    monkeypatch.setattr(limits, "MAX_XML_ELEMENTS", 31)
    with pytest.raises(ReadError) as ei:
        read_path(p)
    assert ei.value.code == "E004" and "at least 32," in ei.value.en
    monkeypatch.setattr(limits, "MAX_XML_ELEMENTS", 32)
    assert len(read_path(p).blocks) == 10
