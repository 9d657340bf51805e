"""Decode the bytes of a text or HTML file: which encoding, decided without guessing first.

Chain (first step that succeeds wins; the name of the codec that decoded is returned):

1. **BOM**: UTF-8 (``utf-8-sig``), UTF-32 LE/BE (``utf-32``), UTF-16 LE/BE (``utf-16``).
2. **NUL bytes** without a BOM: either BOM-less UTF-16 (ASCII digits and newlines of a report leave
   a NUL in every other byte; accepted only when the decoded text is plausible, named
   ``utf-16-le``/``utf-16-be``) or binary junk: :class:`ReadError` E008.
3. **strict UTF-8** (``utf-8``).  Random or legacy-encoded bytes practically never pass it, while
   UTF-8 Chinese *does* pass strict GB18030 as mojibake, so UTF-8 must come before GB18030.
4. **declared charset** (HTML ``<meta charset>`` / ``http-equiv``; ``declared`` argument), decoded
   strictly.  GB2312/GBK/CP936 declarations are decoded as GB18030 (the superset: pages that declare
   gb2312 routinely contain GBK-only characters); a declared single-byte Western charset
   (iso-8859-1, windows-1252, ascii) is ignored because it "succeeds" on any bytes, and Chinese
   pages that declare it are in fact GBK or UTF-8.
5. **strict GB18030** (also covers GBK and GB2312, reported as ``gb18030``) **vs strict Big5**:
   Big5 byte pairs are nearly all valid GBK pairs, so GB18030 also "succeeds" on a Big5 file (as
   mojibake of rare characters).  When both decode, each decoding is scored by the share of its
   non-ASCII characters that lie in the *frequent-character tier of its own standard*: GB2312
   level 1 (lead bytes B0-D7, the 3755 most common simplified hanzi) for the GB reading, Big5
   "常用字" (A440-C67E, the 5401 common traditional characters) for the Big5 reading, common CJK
   punctuation counting for both.  Real text scores > 0.9 in its own encoding; the wrong reading
   scores about 0.3-0.6 (the mojibake consists of rare characters).  Big5 wins only with a clear
   margin (0.1); ties go to GB18030 because mainland reports are the norm.  Most real GBK files
   fail strict Big5 outright (GBK trail bytes 0x80-0xA0, and common hanzi such as 请/全/确 fall
   into Big5's unassigned C6A1-C8FE), so the score only decides short or unusual files.
6. **charset-normalizer** (imported lazily, last because it confuses GBK with Big5 on some files).
   Nothing plausible: E003.

After decoding, :func:`check_not_binary` rejects text with many control characters (E008).
"""

from __future__ import annotations

import codecs
import re

from xxgk_lint.read.document import ReadError

# declared-name -> codec we decode with
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "cp936", "ms936", "euc-cn", "euccn", "x-gbk", "gb_2312-80", "csgb2312", "hz"}
_BIG5_FAMILY = {"big5", "big5-tw", "csbig5", "cp950", "ms950", "x-x-big5", "big5hkscs", "big5-hkscs"}
_IGNORED_DECLARED = {"latin_1", "iso8859-1", "cp1252", "ascii", "iso-8859-1", "windows-1252", "us-ascii"}

_COMMON_PUNCT = frozenset("，。、；：？！“”‘’（）《》【】—…·「」『』〈〉﹏～％　")
_CTRL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\x80-\x9f]")


def _bom(data: bytes) -> tuple[str, str] | None:
    """(codec, reported name) for a leading byte-order mark."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", "utf-8-sig"
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32", "utf-32"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", "utf-16"
    return None


_IMPLAUSIBLE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ue000-\uf8ff\ufffd]")


def _plausible(text: str, sample: int = 200_000) -> bool:
    """Mostly printable text (used to accept BOM-less UTF-16 and charset-normalizer's guess)."""
    part = text[:sample]
    if not part.strip():
        return False
    return len(_IMPLAUSIBLE.findall(part)) <= len(part) * 0.01


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    if len(data) % 2:
        return None
    even = data[0::2].count(0)
    odd = data[1::2].count(0)
    if max(even, odd) < len(data) // 20 or min(even, odd) > max(even, odd) // 4:
        return None
    codec = "utf-16-le" if odd > even else "utf-16-be"
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None
    return (text, codec) if _plausible(text) and "\x00" not in text else None


def _gb_common(ch: str) -> bool:
    try:
        b = ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return len(b) == 2 and 0xB0 <= b[0] <= 0xD7


def _big5_common(ch: str) -> bool:
    try:
        b = ch.encode("big5")
    except UnicodeEncodeError:
        return False
    return len(b) == 2 and 0xA440 <= (b[0] << 8 | b[1]) <= 0xC67E


def commonness(text: str, standard: str, sample: int = 20_000) -> float:
    """Share of the non-ASCII characters of ``text`` in the frequent tier of ``standard`` (gb|big5)."""
    test = _gb_common if standard == "gb" else _big5_common
    total = hits = 0
    for ch in text:
        if ch < "\x80" or ch.isspace():
            continue
        total += 1
        if ch in _COMMON_PUNCT or test(ch):
            hits += 1
        if total >= sample:
            break
    return hits / total if total else 1.0


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _normalize_declared(declared: str | None) -> str | None:
    if not declared:
        return None
    name = declared.strip().strip("'\"").lower()
    if not name:
        return None
    if name in _GB_FAMILY:
        return "gb18030"
    if name in _BIG5_FAMILY:
        return "big5"
    try:
        codec = codecs.lookup(name).name
    except (LookupError, ValueError):
        return None
    if codec in _IGNORED_DECLARED or name in _IGNORED_DECLARED:
        return None
    if codec in ("gb2312", "gbk"):
        return "gb18030"
    return codec


def _decode_big5(data: bytes) -> tuple[str, str] | None:
    for codec in ("big5", "cp950", "big5hkscs"):
        text = _strict(data, codec)
        if text is not None:
            return text, codec
    return None


def decode_bytes(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode ``data`` -> ``(text, encoding name)``; see the module docstring for the chain.

    Raises :class:`ReadError` E003 (no encoding fits) or E008 (binary data), nothing else.
    """
    if not data:
        return "", "utf-8"
    bom = _bom(data)
    if bom is not None:
        codec, name = bom
        text = _strict(data, codec)
        if text is None:
            raise ReadError(
                "E003",
                f"文件以 {name.upper()} 字节顺序标记开头,但内容无法按该编码解码",
                f"file starts with a {name.upper()} byte-order mark but its content does not decode as {name}",
            )
        return text.lstrip("\ufeff"), name
    if b"\x00" in data:
        u16 = _utf16_without_bom(data)
        if u16 is not None:
            return u16
        raise ReadError(
            "E008",
            f"文件含有 NUL 字节(共 {data.count(0)} 个),是二进制数据而不是文字",
            f"file contains NUL bytes ({data.count(0)} of them): binary data, not text",
        )
    text = _strict(data, "utf-8")
    if text is not None:
        return text, "utf-8"
    codec = _normalize_declared(declared)
    if codec is not None and codec != "utf-8":
        if codec == "big5":
            got = _decode_big5(data)
            if got is not None:
                return got
        else:
            text = _strict(data, codec)
            if text is not None:
                return text, codec
    gb = _strict(data, "gb18030")
    big5 = _decode_big5(data)
    if gb is not None and big5 is not None:
        if commonness(big5[0], "big5") > commonness(gb, "gb") + 0.1:
            return big5
        return gb, "gb18030"
    if gb is not None:
        return gb, "gb18030"
    if big5 is not None and commonness(big5[0], "big5") >= 0.5:
        return big5
    return _last_resort(data)


def _last_resort(data: bytes) -> tuple[str, str]:
    try:
        from charset_normalizer import from_bytes

        # UTF-16/32 are decided above (BOM or NUL pattern); letting the detector pick them for
        # BOM-less, NUL-free bytes only turns junk into "text"
        best = from_bytes(data, cp_exclusion=["utf_16", "utf_16_le", "utf_16_be", "utf_32", "utf_32_le", "utf_32_be"]).best()
    except Exception:  # noqa: BLE001 - a detector failure is just "no guess"
        best = None
    if best is not None:
        try:
            text = str(best)
        except Exception:  # noqa: BLE001
            text = ""
        if text and _plausible(text):
            return text, best.encoding.replace("_", "-")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start
    else:  # pragma: no cover - utf-8 was tried first
        offset = 0
    raise ReadError(
        "E003",
        f"无法识别文字编码:不是 UTF-8、GB18030(GBK/GB2312)或 Big5(第 {offset} 字节处起无法按 UTF-8 解码)",
        f"cannot determine the text encoding: not UTF-8, GB18030 (GBK/GB2312) or Big5 "
        f"(UTF-8 fails at byte {offset})",
    )


def check_not_binary(text: str) -> None:
    """E008 when decoded text is mostly control characters (binary data that happened to decode)."""
    if "\x00" in text:
        raise ReadError("E008", "文件含有 NUL 字符,是二进制数据而不是文字", "file contains NUL characters: binary data, not text")
    limit = max(8, len(text) // 100)
    for n, _ in enumerate(_CTRL.finditer(text), start=1):
        if n > limit:
            raise ReadError(
                "E008",
                f"文件含有大量控制字符(超过 {limit} 个),是二进制数据而不是文字",
                f"file contains many control characters (more than {limit}): binary data, not text",
            )


_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""",
    re.IGNORECASE,
)


_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)""")


def sniff_html_charset(data: bytes, window: int = 4096) -> str | None:
    """The charset a page declares in its first ``window`` bytes (the browsers' prescan, simplified):
    ``<meta charset="gb2312">``, ``<meta http-equiv="Content-Type" content="text/html; charset=gbk">``
    or, for XHTML, ``<?xml version="1.0" encoding="gb2312"?>``.
    """
    m = _META_CHARSET.search(data[:window]) or _XML_DECL.search(data[:window])
    return m.group(1).decode("ascii", "replace") if m else None
