"""DOCX reader: ``word/document.xml`` walked with lxml, inside a size-checked zip.

Why not python-docx: it skips content controls (``w:sdt``), tracked insertions (``w:ins``) and
``w:customXml``, and opens the zip without any size checks.

Zip hardening (before any decompression, see :mod:`xxgk_lint.read.limits`): the end-of-central-
directory record is read first, so an archive with too many members is refused before ``zipfile``
builds its member list; then member count, each member's declared size and compression ratio, the
declared total and encryption flags are checked.  The few XML parts we need are stream-decompressed
in chunks and reading stops as soon as the output exceeds the declared size or the per-part cap.

XML hardening: ``XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
huge_tree=False)``; any part with a DOCTYPE or an ``<!ENTITY`` declaration is refused (E005), since
OOXML never uses a DTD.

Content:

* Body order: ``w:p`` and ``w:tbl``, descending into ``w:sdt/w:sdtContent``, ``w:customXml``,
  ``w:smartTag``, ``w:ins``, ``w:moveTo``; skipping ``w:del``/``w:moveFrom`` (deleted text),
  ``w:instrText`` (field codes), hidden runs (``w:vanish``), drawings/text boxes/embedded objects
  (``w:drawing``, ``w:pict``, ``mc:AlternateContent``, ``w:object``), footnote references.
* ``w:br``/``w:cr`` split a paragraph into several blocks that share its line number.
* Headings: a paragraph whose style (resolved through ``word/styles.xml`` and its ``basedOn`` chain)
  is named "heading N"/"标题 N", or that has an outline level 0-8 (own or from the style), gets
  ``role="heading"``.
* Automatic numbering: for ``w:numPr`` (own or from the style) the visible prefix is rebuilt from
  ``word/numbering.xml`` (``lvlText`` such as "%1、" or "（%2）", ``numFmt`` decimal,
  chineseCounting, chineseCountingThousand, ideographTraditional, decimalEnclosedCircle, letters,
  roman, ...; ``start``, ``lvlOverride/startOverride``, ``lvlRestart``) and prepended.  Counters run
  per ``numId`` and level; a level restarts after any shallower level.  Bullets add nothing.
* Line numbers: one ordinal per body paragraph and per table row, in document order (paragraphs
  inside table cells are not counted).  ``Block.line`` is that ordinal, ``Row.line`` the row's
  ordinal, ``Cell.line`` the row ordinal where the cell's text is (the origin row for vertically
  merged copies), ``Cell.column`` the 1-based grid column.  ``Document.source_lines[n-1]`` is the
  text of ordinal n (a row as its cells joined by " | ").
* Tables: ``w:gridBefore`` shifts a row, ``w:gridSpan`` is the colspan, ``w:vMerge`` restart /
  continue become the origin's rowspan and ``spanned`` copies (see :mod:`xxgk_lint.read.grid`),
  legacy ``w:hMerge`` continue widens the previous cell.  A table containing another table is layout
  and is read as flow, as is a one-column table.
* ``docProps/core.xml``: ``dc:title`` fills ``meta["title"]``; created/modified go to
  ``meta["file_created"]``/``meta["file_modified"]`` (never ``published_on``: they are file times,
  not publication dates).
"""

from __future__ import annotations

import hashlib
import re
import struct
import threading
import zipfile
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xxgk_lint.read import limits
from xxgk_lint.read.document import Block, Cell, Document, ReadError, Row
from xxgk_lint.read.grid import SrcCell, SrcRow, expand

_W_NS = (
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",
)
_WS = re.compile(r"[ \t\n\r\f\v\u00a0\u3000]+")
_HEADING_NAME = re.compile(r"^(?:heading|标题)\s*([1-9])$", re.IGNORECASE)
_DESCEND = frozenset({"sdt", "sdtContent", "customXml", "smartTag", "ins", "moveTo", "hyperlink", "fldSimple", "r", "dir", "bdo"})
_SKIP = frozenset(
    {
        "del", "moveFrom", "instrText", "delText", "delInstrText", "drawing", "pict", "object",
        "AlternateContent", "footnoteReference", "endnoteReference", "commentReference", "sdtPr",
        "sdtEndPr", "rPr", "pPr", "fldChar", "annotationRef", "footnoteRef", "endnoteRef",
        "proofErr", "bookmarkStart", "bookmarkEnd", "lastRenderedPageBreak",
    }
)  # fmt: skip


_DTD_HEAD = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)


def _bad(zh: str, en: str) -> ReadError:
    return ReadError("E005", zh, en)


# ---------------------------------------------------------------------------------------------
# zip


def _eocd_counts(path: Path) -> tuple[int, int] | None:
    """(entries, central directory size) from the end-of-central-directory record, or None."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, 2)
            size = fh.tell()
            tail_len = min(size, 65536 + 22)
            fh.seek(size - tail_len)
            tail = fh.read(tail_len)
            pos = tail.rfind(b"PK\x05\x06")
            if pos < 0 or pos + 22 > len(tail):
                return None
            entries = struct.unpack_from("<H", tail, pos + 10)[0]
            cd_size = struct.unpack_from("<I", tail, pos + 12)[0]
            if (entries == 0xFFFF or cd_size == 0xFFFFFFFF) and pos >= 20:
                loc = tail[pos - 20 : pos]
                if loc[:4] == b"PK\x06\x07":
                    off = struct.unpack_from("<Q", loc, 8)[0]
                    if off < size:
                        fh.seek(off)
                        rec = fh.read(56)
                        if rec[:4] == b"PK\x06\x06" and len(rec) == 56:
                            entries = struct.unpack_from("<Q", rec, 32)[0]
                            cd_size = struct.unpack_from("<Q", rec, 40)[0]
            return entries, cd_size
    except OSError as exc:
        raise limits.os_error(exc) from None


class SafeZip:
    """A zip opened after the checks in the module docstring; :meth:`read` is size-bounded."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with open(path, "rb") as fh:
            magic = fh.read(8)
        if magic.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
            raise _bad(
                "这不是 .docx(zip)文件,而是旧版 Word .doc 或加密的文档;请另存为未加密的 .docx",
                "not a .docx (zip) file but a legacy Word .doc or an encrypted document; save it as an unencrypted .docx",
            )
        if not magic.startswith(b"PK"):
            raise _bad("文件不是有效的 .docx(不是 zip 压缩包)", "not a valid .docx file (not a zip archive)")
        counts = _eocd_counts(path)
        if counts is None:
            raise _bad("docx 压缩包损坏(找不到中央目录)", "corrupt .docx archive (no central directory)")
        entries, cd_size = counts
        if entries > limits.ZIP_MAX_MEMBERS or cd_size > limits.ZIP_MAX_MEMBERS * 1100:
            raise _bad(
                f"docx 压缩包成员过多({entries} 个,上限 {limits.ZIP_MAX_MEMBERS}),疑为恶意文件",
                f"too many members in the .docx archive ({entries}, limit {limits.ZIP_MAX_MEMBERS}); looks hostile",
            )
        try:
            self.zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, struct.error) as exc:
            raise _bad(f"docx 压缩包损坏:{exc}", f"corrupt .docx archive: {exc}") from None
        infos = self.zf.infolist()
        if len(infos) > limits.ZIP_MAX_MEMBERS:
            raise _bad(
                f"docx 压缩包成员过多({len(infos)} 个),疑为恶意文件",
                f"too many members in the .docx archive ({len(infos)}); looks hostile",
            )
        total = 0
        self.members: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            if info.file_size > limits.ZIP_RATIO_MIN_SIZE:
                ratio = info.file_size / max(1, info.compress_size)
                if ratio > limits.ZIP_MAX_RATIO:
                    raise _bad(
                        f"docx 成员 {info.filename} 压缩比异常({ratio:.0f}:1,上限 {limits.ZIP_MAX_RATIO}:1),"
                        f"疑为压缩炸弹,未解压即拒绝",
                        f"member {info.filename} has a compression ratio of {ratio:.0f}:1 "
                        f"(limit {limits.ZIP_MAX_RATIO}:1): looks like a zip bomb; refused without decompressing",
                    )
            total += info.file_size
            self.members.setdefault(info.filename, info)
        if total > limits.ZIP_MAX_TOTAL:
            raise limits.too_large(total, limits.ZIP_MAX_TOTAL, "docx 解压后内容", "uncompressed .docx content")

    def close(self) -> None:
        self.zf.close()

    def has(self, name: str) -> bool:
        return name in self.members

    def check(self, name: str) -> zipfile.ZipInfo:
        """The checks :meth:`read` makes before decompressing anything (declared size, encryption)."""
        info = self.members[name]
        cap = limits.ZIP_MAX_XML_MEMBER
        if info.file_size > cap:
            raise limits.too_large(info.file_size, cap, f"docx 成员 {name}", f".docx member {name}")
        if info.flag_bits & 0x1:
            raise _bad("docx 已加密,无法读取", "the .docx is encrypted; cannot read it")
        return info

    def raw_key(self, name: str) -> bytes | None:
        """A digest of everything :meth:`read` of ``name`` depends on: the member's local header and
        compressed bytes (the byte range ``zipfile`` reads) and its central-directory fields.  Equal
        keys mean equal outcomes, so a part seen before is known without decompressing it again.
        None when that cannot be told cheaply (a large or truncated member, an I/O error)."""
        info = self.members[name]
        if info.compress_size > _RAW_KEY_MAX:
            return None
        try:
            with open(self.path, "rb") as fh:
                fh.seek(info.header_offset)
                head = fh.read(30)
                if len(head) != 30 or head[:4] != b"PK\x03\x04":
                    return None
                n_name, n_extra = struct.unpack_from("<HH", head, 26)
                want = n_name + n_extra + info.compress_size
                rest = fh.read(want)
                if len(rest) != want:
                    return None
        except (OSError, ValueError, OverflowError):
            return None
        end = getattr(info, "_end_offset", None)  # newer zipfile: overlapping-member check
        fields = (info.orig_filename, info.flag_bits, info.compress_type, info.compress_size, info.CRC, info.file_size,
                  None if end is None else end - info.header_offset)  # fmt: skip
        h = hashlib.sha256(head)
        h.update(rest)
        h.update(repr(fields).encode())
        return h.digest()

    def read(self, name: str) -> bytes:
        info = self.check(name)
        bound = min(info.file_size, limits.ZIP_MAX_XML_MEMBER)
        chunks: list[bytes] = []
        got = 0
        try:
            with self.zf.open(info) as fh:
                while True:
                    chunk = fh.read(65536)
                    if not chunk:
                        break
                    got += len(chunk)
                    if got > bound:
                        raise _bad(
                            f"docx 成员 {name} 解压后超过其声明的大小,疑为压缩炸弹",
                            f".docx member {name} decompresses to more than its declared size: looks like a zip bomb",
                        )
                    chunks.append(chunk)
        except ReadError:
            raise
        except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError, ValueError) as exc:
            raise _bad(f"docx 成员 {name} 无法解压:{exc}", f".docx member {name} cannot be decompressed: {exc}") from None
        except Exception as exc:  # noqa: BLE001 - zlib.error and friends
            raise _bad(f"docx 成员 {name} 无法解压:{exc}", f".docx member {name} cannot be decompressed: {exc}") from None
        return b"".join(chunks)


# ---------------------------------------------------------------------------------------------
# XML


def parse_xml(data: bytes, name: str) -> Any:
    """Parse one OOXML part safely (no DTD, no entities, no network, no huge tree)."""
    from lxml import etree

    head = data[:4096]
    if _DTD_HEAD.search(head) or _ENTITY.search(data) or b"<\x00!\x00" in head:
        raise _bad(
            f"docx 成员 {name} 含有 DTD/实体声明(<!DOCTYPE>/<!ENTITY>),可能是实体扩展(billion laughs)或外部实体攻击,拒绝读取",
            f".docx member {name} has a DTD/entity declaration (<!DOCTYPE>/<!ENTITY>): possible entity-expansion "
            f"(billion laughs) or external-entity attack; refused",
        )
    # elements counted on the bytes before lxml builds a tree ("<" that opens neither an end tag, a
    # PI nor a comment); a real report's document.xml has some ten thousand.  All "<" are at least
    # that many, so the other three counts are only needed when they alone pass the cap.
    count = data.count(b"<")
    if count > limits.MAX_XML_ELEMENTS:
        limits.check_count(
            count - data.count(b"</") - data.count(b"<?") - data.count(b"<!"),
            limits.MAX_XML_ELEMENTS,
            f"XML 元素(docx 成员 {name})",
            f"XML elements (.docx member {name})",
        )
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise _bad(f"docx 成员 {name} 不是有效的 XML:{exc}", f".docx member {name} is not well-formed XML: {exc}") from None
    if root is None:
        raise _bad(f"docx 成员 {name} 为空", f".docx member {name} is empty")
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise _bad(
            f"docx 成员 {name} 含有 DTD,拒绝读取",
            f".docx member {name} has a DTD; refused",
        )
    return root


def _local(el: Any) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    local = _LOCAL_NAMES.get(tag)
    if local is None:
        local = tag.rsplit("}", 1)[-1]
        if len(_LOCAL_NAMES) < 4096:  # a document's tags are a small set; bounded for hostile ones
            _LOCAL_NAMES[tag] = local
    return local


_LOCAL_NAMES: dict[str, str] = {}


def _first(el: Any, tag: str) -> Any:
    """The first child of ``el`` whose tag is the Clark name ``tag`` (as ``el.find(tag)``; a plain
    loop over the few children of a property element is several times faster than ``find`` or
    ``iterchildren(tag)``, which set up a tag matcher on every call)."""
    for child in el:
        if child.tag == tag:
            return child
    return None


class _W:
    """Attribute access in the document's WordprocessingML namespace, with the Clark names of the
    tags and attributes the reader looks up made once per document."""

    def __init__(self, ns: str) -> None:
        self.ns = ns
        self._tags: dict[str, str] = {}  # name -> {ns}name
        q = f"{{{ns}}}"
        self.VAL = q + "val"
        self.CHAR = q + "char"
        self.PPR = q + "pPr"
        self.PSTYLE = q + "pStyle"
        self.OUTLINE = q + "outlineLvl"
        self.NUMPR = q + "numPr"
        self.NUMID = q + "numId"
        self.ILVL = q + "ilvl"
        self.RPR = q + "rPr"
        self.VANISH = q + "vanish"
        self.TRPR = q + "trPr"
        self.DEL = q + "del"
        self.GRID_BEFORE = q + "gridBefore"
        self.TCPR = q + "tcPr"
        self.GRID_SPAN = q + "gridSpan"
        self.VMERGE = q + "vMerge"
        self.HMERGE = q + "hMerge"
        self.GRID_COLS = f"{q}tblGrid/{q}gridCol"

    def a(self, el: Any, name: str) -> str | None:
        v = el.get(f"{{{self.ns}}}{name}")
        return v if v is not None else el.get(name)

    def v(self, el: Any) -> str | None:
        """``a(el, "val")``."""
        v = el.get(self.VAL)
        return v if v is not None else el.get("val")

    def child(self, el: Any, name: str) -> Any:
        if el is None:
            return None
        tag = self._tags.get(name)
        if tag is None:
            tag = self._tags[name] = f"{{{self.ns}}}{name}"
        return _first(el, tag)

    def val(self, el: Any, path: str) -> str | None:
        cur = el
        for part in path.split("/"):
            cur = self.child(cur, part)
            if cur is None:
                return None
        return self.a(cur, "val")


def _int(v: str | None, default: int = 0) -> int:
    if v is None:
        return default
    try:
        return int(v.strip())
    except ValueError:
        return default


def _on(v: str | None, present: bool) -> bool:
    """OOXML on/off property: present with no val (or true/1/on) means on."""
    if not present:
        return False
    return v is None or v.lower() not in ("0", "false", "off")


# ---------------------------------------------------------------------------------------------
# styles and numbering


@dataclass(slots=True)
class _Style:
    name: str = ""
    based_on: str | None = None
    outline: int | None = None
    num_id: str | None = None
    ilvl: int | None = None


def _load_styles(root: Any, w: _W) -> dict[str, _Style]:
    out: dict[str, _Style] = {}
    for st in root.iter(f"{{{w.ns}}}style"):
        sid = w.a(st, "styleId")
        if not sid:
            continue
        s = _Style(name=(w.val(st, "name") or "").strip(), based_on=w.val(st, "basedOn"))
        ppr = w.child(st, "pPr")
        if ppr is not None:
            ol = w.val(ppr, "outlineLvl")
            s.outline = _int(ol, 9) if ol is not None else None
            num_pr = w.child(ppr, "numPr")
            if num_pr is not None:
                s.num_id = w.val(num_pr, "numId")
                il = w.val(num_pr, "ilvl")
                s.ilvl = _int(il) if il is not None else None
        out[sid] = s
    return out


# styles.xml parts by content: documents made from one template (Word's defaults, an office's
# letterhead) carry the same 100-400 KB part, whose parse is most of the reading time.  numbering.xml
# likewise.  Both keys also hold the element cap parse_xml applies, so a cached part is never let
# past a lower cap.  _RAW_KEYS maps a member's SafeZip.raw_key (its compressed bytes) to the
# SHA-256 of what it decompressed to, so a part seen before is not even decompressed again.
_STYLES_CACHE: OrderedDict[tuple[Any, ...], dict[str, _Style]] = OrderedDict()
_NUMBERING_CACHE: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_RAW_KEYS: OrderedDict[bytes, bytes] = OrderedDict()
_STYLES_CACHE_SIZE = 32
_RAW_KEY_MAX = 8 * 1024 * 1024  # compressed bytes hashed for a raw key; larger parts are just read
_STYLES_LOCK = threading.Lock()


def _cached_part(z: SafeZip, name: str, w: _W, cache: OrderedDict[tuple[Any, ...], Any], load: Any, extra: tuple[Any, ...] = ()) -> Any:
    """``load(parse_xml(z.read(name), name), w)``, memoised by the part's SHA-256 (the results are
    only read, never changed, by the reader)."""
    z.check(name)
    raw = z.raw_key(name)
    if raw is not None:
        with _STYLES_LOCK:
            digest = _RAW_KEYS.get(raw)
            if digest is not None:
                key = (w.ns, digest, *extra)
                hit = cache.get(key)
                if hit is not None:
                    _RAW_KEYS.move_to_end(raw)
                    cache.move_to_end(key)
                    return hit
    data = z.read(name)
    digest = hashlib.sha256(data).digest()
    key = (w.ns, digest, *extra)
    with _STYLES_LOCK:
        if raw is not None:
            _RAW_KEYS[raw] = digest
            while len(_RAW_KEYS) > 2 * _STYLES_CACHE_SIZE:
                _RAW_KEYS.popitem(last=False)
        hit = cache.get(key)
        if hit is not None:
            cache.move_to_end(key)
            return hit
    value = load(parse_xml(data, name), w)
    with _STYLES_LOCK:
        cache[key] = value
        while len(cache) > _STYLES_CACHE_SIZE:
            cache.popitem(last=False)
    return value


def _styles_part(z: SafeZip, name: str, w: _W) -> dict[str, _Style]:
    return dict(_cached_part(z, name, w, _STYLES_CACHE, _load_styles, (limits.MAX_XML_ELEMENTS,)))


def _numbering_part(z: SafeZip, name: str, w: _W) -> _Numbering:
    return _cached_part(z, name, w, _NUMBERING_CACHE, _load_numbering, (limits.MAX_XML_ELEMENTS,))  # type: ignore[no-any-return]


@dataclass(slots=True)
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."
    restart: int | None = None  # lvlRestart: restart after this (1-based) level; 0 = never
    legal: bool = False


@dataclass(slots=True)
class _Numbering:
    abstract: dict[str, dict[int, _Level]] = field(default_factory=dict)
    nums: dict[str, tuple[str, dict[int, int]]] = field(default_factory=dict)  # numId -> (abstractId, start overrides)
    level_overrides: dict[str, dict[int, _Level]] = field(default_factory=dict)

    def level(self, num_id: str, ilvl: int) -> _Level | None:
        over = self.level_overrides.get(num_id, {}).get(ilvl)
        if over is not None:
            return over
        if num_id not in self.nums:
            return None
        return self.abstract.get(self.nums[num_id][0], {}).get(ilvl)


def _parse_level(lvl: Any, w: _W) -> _Level:
    restart = w.val(lvl, "lvlRestart")
    return _Level(
        start=_int(w.val(lvl, "start"), 1),
        fmt=w.val(lvl, "numFmt") or "decimal",
        text=w.val(lvl, "lvlText") or "",
        restart=_int(restart) if restart is not None else None,
        legal=_on(w.val(lvl, "isLgl"), w.child(lvl, "isLgl") is not None),
    )


def _load_numbering(root: Any, w: _W) -> _Numbering:
    nb = _Numbering()
    for an in root.iter(f"{{{w.ns}}}abstractNum"):
        aid = w.a(an, "abstractNumId")
        if aid is None:
            continue
        levels: dict[int, _Level] = {}
        for lvl in an.iter(f"{{{w.ns}}}lvl"):
            levels[_int(w.a(lvl, "ilvl"))] = _parse_level(lvl, w)
        nb.abstract[aid] = levels
    for num in root.iter(f"{{{w.ns}}}num"):
        nid = w.a(num, "numId")
        aid = w.val(num, "abstractNumId")
        if nid is None or aid is None:
            continue
        starts: dict[int, int] = {}
        for ov in num.iter(f"{{{w.ns}}}lvlOverride"):
            il = _int(w.a(ov, "ilvl"))
            so = w.val(ov, "startOverride")
            if so is not None:
                starts[il] = _int(so, 1)
            lvl = w.child(ov, "lvl")
            if lvl is not None:
                nb.level_overrides.setdefault(nid, {})[il] = _parse_level(lvl, w)
        nb.nums[nid] = (aid, starts)
    return nb


_CN_DIGITS = "零一二三四五六七八九"
_TRAD_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_HEAVENLY = "甲乙丙丁戊己庚辛壬癸"
_ZODIAC = "子丑寅卯辰巳午未申酉戌亥"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def _chinese(n: int, digits: str = _CN_DIGITS, ten: str = "十", hundred: str = "百", thousand: str = "千") -> str:
    if n <= 0:
        return digits[0]
    if n >= 10000:
        return str(n)
    out = ""
    units = [(1000, thousand), (100, hundred), (10, ten)]
    zero = False
    rest = n
    for value, name in units:
        d, rest = divmod(rest, value)
        if d:
            if zero:
                out += digits[0]
                zero = False
            if not (value == 10 and d == 1 and not out):
                out += digits[d]
            out += name
        elif out:
            zero = True
    if rest:
        if zero:
            out += digits[0]
        out += digits[rest]
    return out


def _roman(n: int) -> str:
    if not 0 < n < 4000:
        return str(n)
    vals = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
            (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]  # fmt: skip
    out = ""
    for v, s in vals:
        while n >= v:
            out += s
            n -= v
    return out


def _letters(n: int) -> str:
    if n <= 0:
        return str(n)
    k = (n - 1) // 26 + 1
    return chr(ord("A") + (n - 1) % 26) * k


def format_number(n: int, fmt: str) -> str:
    """One counter value in an OOXML ``numFmt``."""
    if fmt in ("chineseCounting", "chineseCountingThousand", "ideographDigital", "taiwaneseCounting",
               "taiwaneseCountingThousand", "chineseLegalSimplified"):  # fmt: skip
        if fmt == "ideographDigital":
            return "".join("〇一二三四五六七八九"[int(d)] for d in str(n))
        if fmt == "chineseLegalSimplified":
            return _chinese(n, _TRAD_DIGITS, "拾", "佰", "仟")
        return _chinese(n)
    if fmt == "ideographTraditional":
        return _HEAVENLY[(n - 1) % 10] if n > 0 else str(n)
    if fmt == "ideographZodiac":
        return _ZODIAC[(n - 1) % 12] if n > 0 else str(n)
    if fmt == "decimalEnclosedCircle" or fmt == "decimalEnclosedCircleChinese":
        return _CIRCLED[n - 1] if 0 < n <= len(_CIRCLED) else str(n)
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "decimalFullWidth" or fmt == "decimalFullWidth2":
        return "".join(chr(0xFF10 + int(d)) for d in str(n))
    if fmt == "decimalEnclosedParen":
        return f"({n})"
    if fmt == "decimalEnclosedFullstop":
        return f"{n}."
    if fmt == "upperLetter":
        return _letters(n)
    if fmt == "lowerLetter":
        return _letters(n).lower()
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt in ("none", "bullet"):
        return ""
    return str(n)


class _Counters:
    def __init__(self, numbering: _Numbering) -> None:
        self.nb = numbering
        self.values: dict[str, dict[int, int]] = {}

    def prefix(self, num_id: str, ilvl: int) -> str:
        if num_id in ("0", "") or num_id not in self.nb.nums:
            return ""
        lvl = self.nb.level(num_id, ilvl)
        if lvl is None or lvl.fmt == "bullet" or lvl.fmt == "none":
            return ""
        starts = self.nb.nums[num_id][1]
        vals = self.values.setdefault(num_id, {})
        if ilvl in vals:
            vals[ilvl] += 1
        else:
            vals[ilvl] = starts.get(ilvl, lvl.start)
        for deeper in [k for k in vals if k > ilvl]:
            dl = self.nb.level(num_id, deeper)
            restart = dl.restart if dl is not None else None
            if restart is None or (restart != 0 and restart - 1 >= ilvl):
                del vals[deeper]

        def sub(m: re.Match[str]) -> str:
            k = int(m.group(1)) - 1
            other = self.nb.level(num_id, k)
            if other is None:
                return ""
            value = vals.get(k, starts.get(k, other.start))
            fmt = "decimal" if (lvl.legal and other.fmt not in ("none",)) else other.fmt
            return format_number(value, fmt)

        return re.sub(r"%([1-9])", sub, lvl.text)


# ---------------------------------------------------------------------------------------------
# walking the body


# what the run walk does with a child, by tag (cached per Clark name like _LOCAL_NAMES)
_K_SKIP, _K_T, _K_TAB, _K_BR, _K_HYPHEN, _K_SYM, _K_R, _K_DESCEND = range(8)
_RUN_KINDS: dict[str, int] = {}
_CONTAINERS = frozenset({"sdt", "sdtContent", "customXml", "ins", "moveTo"})  # of rows and cells
_BODY_CONTAINERS = _CONTAINERS | {"smartTag"}  # of paragraphs and tables


def _run_kind(tag: Any) -> int:
    kind = _RUN_KINDS.get(tag)
    if kind is not None:
        return kind
    name = tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
    if not name or name in _SKIP:
        kind = _K_SKIP
    elif name == "t":
        kind = _K_T
    elif name in ("tab", "ptab"):
        kind = _K_TAB
    elif name in ("br", "cr"):
        kind = _K_BR
    elif name == "noBreakHyphen":
        kind = _K_HYPHEN
    elif name == "sym":
        kind = _K_SYM
    elif name == "r":
        kind = _K_R
    elif name in _DESCEND:
        kind = _K_DESCEND
    else:
        kind = _K_SKIP
    if len(_RUN_KINDS) < 4096:
        _RUN_KINDS[tag] = kind
    return kind


def _plain(layout: list[tuple[int, list[list[Any]]]]) -> bool:
    """Whether pass 1 of a table without vMerge gave plain rows: each cell one grid column wide,
    in consecutive columns from the first, and no more positions than grid.expand accepts."""
    n = 0
    for _, cells in layout:
        for i, c in enumerate(cells):
            if c[0] != i or c[1] != 1:
                return False
        n += len(cells)
    return n <= limits.MAX_TABLE_CELLS


class _Reader:
    def __init__(self, w: _W, styles: dict[str, _Style], numbering: _Numbering) -> None:
        self.w = w
        self.styles = styles
        self.counters = _Counters(numbering)
        self.blocks: list[Block] = []
        self.source: list[str] = []
        self.budget = limits.Budget()
        # style id -> (heading by name, outline, numId, ilvl) from its basedOn chain
        self._chains: dict[str | None, tuple[bool, int | None, str | None, int | None]] = {}

    # -- styles
    def _style_chain(self, sid: str | None) -> list[_Style]:
        out: list[_Style] = []
        seen: set[str] = set()
        while sid and sid in self.styles and sid not in seen and len(out) < 20:
            seen.add(sid)
            st = self.styles[sid]
            out.append(st)
            sid = st.based_on
        return out

    def _chain_props(self, sid: str | None) -> tuple[bool, int | None, str | None, int | None]:
        """What a paragraph of style ``sid`` inherits: whether a style of the chain is named as a
        heading, the first outline level and the first numbering (numId with that style's ilvl)."""
        hit = self._chains.get(sid)
        if hit is not None:
            return hit
        heading = False
        outline: int | None = None
        num_id: str | None = None
        ilvl: int | None = None
        for st in self._style_chain(sid):
            if not heading and _HEADING_NAME.match(st.name.replace("\u00a0", " ")):
                heading = True
            if outline is None and st.outline is not None:
                outline = st.outline
            if num_id is None and st.num_id is not None:
                num_id = st.num_id
                ilvl = st.ilvl
        hit = self._chains[sid] = (heading, outline, num_id, ilvl)
        return hit

    def _para_props(self, ppr: Any) -> tuple[bool, str | None, int | None]:
        """(heading, numId, ilvl) of a paragraph with properties ``ppr`` (its first w:pPr)."""
        w = self.w
        sid: str | None = None
        outline: int | None = None
        num_id: str | None = None
        ilvl: int | None = None
        pstyle = ol = num_pr = None
        for c in ppr:
            tag = c.tag
            if tag == w.PSTYLE:
                if pstyle is None:
                    pstyle = c
            elif tag == w.OUTLINE:
                if ol is None:
                    ol = c
            elif tag == w.NUMPR and num_pr is None:
                num_pr = c
        if pstyle is not None:
            sid = w.v(pstyle)
        if ol is not None:
            v = w.v(ol)
            if v is not None:
                outline = _int(v, 9)
        if num_pr is not None:
            nid = il = None
            for c in num_pr:
                tag = c.tag
                if tag == w.NUMID:
                    if nid is None:
                        nid = c
                elif tag == w.ILVL and il is None:
                    il = c
            if nid is not None:
                num_id = w.v(nid)
            if il is not None:
                v = w.v(il)
                ilvl = _int(v) if v is not None else None
        heading, ch_outline, ch_num_id, ch_ilvl = self._chain_props(sid)
        if outline is None:
            outline = ch_outline
        if num_id is None and ch_num_id is not None:
            num_id = ch_num_id
            if ilvl is None:
                ilvl = ch_ilvl
        if outline is not None and 0 <= outline <= 8:
            heading = True
        return heading, num_id, ilvl if ilvl is not None else 0

    # -- text
    def _runs(self, el: Any, lines: list[list[str]], depth: int = 0) -> Any:
        """Text of ``el``'s runs appended to ``lines`` (each line a list of parts, joined once at
        the end, so a paragraph of very many runs is not rebuilt run by run).  A run's own children
        are walked inline (as ``_runs(run, lines, depth + 1)`` would), text first.  Returns the
        first w:pPr child of ``el`` (None if it has none), for :meth:`paragraph`."""
        w = self.w
        ppr_tag = w.PPR
        kinds = _RUN_KINDS
        ppr = None
        cur = lines[-1]
        for child in el:
            tag = child.tag
            kind = kinds.get(tag)  # comments and the like have a function as tag: skipped
            if kind is None:
                kind = _run_kind(tag)
            if kind == _K_T:
                cur.append(child.text or "")
            elif kind == _K_R:
                # hidden: the run's first w:rPr has a w:vanish that is on
                hidden = False
                for sub in child:
                    if sub.tag == w.RPR:
                        for v in sub:
                            if v.tag == w.VANISH:
                                hidden = _on(w.v(v), True)
                                break
                        break
                if hidden:
                    continue
                for sub in child:
                    tag = sub.tag
                    kind = kinds.get(tag)
                    if kind is None:
                        kind = _run_kind(tag)
                    if kind == _K_T:
                        cur.append(sub.text or "")
                    elif kind != _K_SKIP:
                        cur = self._other(sub, kind, lines, depth + 1)
            elif kind != _K_SKIP:
                cur = self._other(child, kind, lines, depth)
            elif tag == ppr_tag and ppr is None:
                ppr = child
        return ppr

    def _hidden(self, run: Any) -> bool:
        """Whether a w:r is hidden text (w:rPr/w:vanish on)."""
        w = self.w
        rpr = _first(run, w.RPR)
        if rpr is not None:
            vanish = _first(rpr, w.VANISH)
            if vanish is not None and _on(w.v(vanish), True):
                return True
        return False

    def _other(self, child: Any, kind: int, lines: list[list[str]], depth: int) -> list[str]:
        """A child of ``kind`` other than skip and w:t met at ``depth``; returns the current line."""
        if kind == _K_TAB:
            lines[-1].append(" ")
        elif kind == _K_BR:
            lines.append([])
        elif kind == _K_HYPHEN:
            lines[-1].append("-")
        elif kind == _K_SYM:
            ch = self.w.a(child, "char")
            if ch:
                try:
                    code = int(ch, 16)
                except ValueError:
                    code = 0
                if 0x20 <= code < 0xE000 or code > 0xF8FF:
                    lines[-1].append(chr(code))
        elif kind == _K_R:
            if not self._hidden(child):
                self._runs(child, lines, depth + 1)
        elif depth < 64:  # _K_DESCEND
            self._runs(child, lines, depth + 1)
        return lines[-1]

    def paragraph(self, p: Any, with_numbering: bool = True) -> tuple[list[str], bool]:
        """(lines, heading) of a w:p: its text split at w:br/w:cr, the numbering prefix on the first
        non-empty line."""
        parts: list[list[str]] = [[]]
        ppr = self._runs(p, parts)
        if ppr is None:  # no own properties and no style: not a heading, not numbered
            heading, num_id, ilvl = False, None, 0
        else:
            heading, num_id, ilvl = self._para_props(ppr)
        lines = [_WS.sub(" ", "".join(ln)).strip() for ln in parts]
        if num_id and with_numbering:
            if any(lines):
                prefix = self.counters.prefix(num_id, ilvl or 0)
                if prefix:
                    first = next(i for i, ln in enumerate(lines) if ln)
                    lines[first] = prefix + lines[first]
            else:
                self.counters.prefix(num_id, ilvl or 0)  # an empty numbered paragraph still counts
        return lines, heading

    def _emit_para(self, para: tuple[list[str], bool]) -> None:
        ordinal = len(self.source) + 1
        texts = [ln for ln in para[0] if ln]
        self.budget.block(len(texts), sum(map(len, texts)))
        self.source.append(" ".join(texts))
        role = "heading" if para[1] else None
        for t in texts:
            self.blocks.append(Block(kind="paragraph", line=ordinal, end_line=ordinal, text=t, role=role))

    # -- containers
    def body(self, el: Any, depth: int = 0) -> None:
        names = _LOCAL_NAMES
        for child in el:
            tag = child.tag
            name = names.get(tag) if isinstance(tag, str) else ""
            if name is None:
                name = _local(child)
            if name == "p":
                self._emit_para(self.paragraph(child))
            elif name == "tbl":
                self.table(child, depth)
            elif name in _BODY_CONTAINERS and depth < 64:
                self.body(child, depth + 1)

    def _rows(self, tbl: Any, out: list[tuple[Any, Any]], depth: int = 0) -> list[tuple[Any, Any]]:
        """The table's rows (through content controls and tracked insertions) as (w:tr, its
        w:trPr or None), without tracked deleted rows."""
        w = self.w
        names = _LOCAL_NAMES
        for child in tbl:
            tag = child.tag
            name = names.get(tag) if isinstance(tag, str) else ""
            if name is None:
                name = _local(child)
            if name == "tr":
                trpr = _first(child, w.TRPR)
                if trpr is not None and _first(trpr, w.DEL) is not None:
                    continue  # a tracked deleted row
                out.append((child, trpr))
            elif name in _CONTAINERS and depth < 64:
                self._rows(child, out, depth + 1)
        return out

    def _cells(self, tr: Any, out: list[Any], depth: int = 0) -> list[Any]:
        names = _LOCAL_NAMES
        for child in tr:
            tag = child.tag
            name = names.get(tag) if isinstance(tag, str) else ""
            if name is None:
                name = _local(child)
            if name == "tc":
                out.append(child)
            elif name in _CONTAINERS and depth < 64:
                self._cells(child, out, depth + 1)
        return out

    def _cell_content(self, tc: Any, out: list[Any], depth: int = 0) -> list[Any]:
        names = _LOCAL_NAMES
        for child in tc:
            tag = child.tag
            name = names.get(tag) if isinstance(tag, str) else ""
            if name is None:
                name = _local(child)
            if name == "p" or name == "tbl":
                out.append(child)
            elif name in _BODY_CONTAINERS and depth < 64:
                self._cell_content(child, out, depth + 1)
        return out

    def table(self, tbl: Any, depth: int) -> None:
        w = self.w
        rows = self._rows(tbl, [])
        # a table inside: any descendant whose local name is tbl ({*} matches any or no namespace);
        # the rows are descendants of the table, so none under the table means none under a row
        nested = next(tbl.iterdescendants("{*}tbl"), None) is not None and any(
            next(r.iterdescendants("{*}tbl"), None) is not None for r, _ in rows
        )
        grid_cols = len(tbl.findall(w.GRID_COLS))
        if nested or depth > 8:
            self._layout(rows, depth)
            return
        # pass 1: positions, spans and texts; a cell is [col, colspan, text, vMerge state, line, SrcCell]
        layout: list[tuple[int, list[list[Any]]]] = []  # (ordinal, cells)
        source = self.source
        names = _LOCAL_NAMES
        merges = False
        for tr, trpr in rows:
            ordinal = len(source) + 1
            source.append("")
            col = 0
            if trpr is not None:
                gb = _first(trpr, w.GRID_BEFORE)
                col = _int(w.v(gb)) if gb is not None else 0
            cells: list[list[Any]] = []
            for tc in self._cells(tr, []):
                # one pass over the cell: its first w:tcPr and its paragraphs (through containers)
                tcpr = None
                paras: list[Any] = []
                for child in tc:
                    tag = child.tag
                    if tag == w.TCPR:
                        if tcpr is None:
                            tcpr = child
                        continue
                    name = names.get(tag) if isinstance(tag, str) else ""
                    if name is None:
                        name = _local(child)
                    if name == "p":
                        paras.append(child)
                    elif name in _BODY_CONTAINERS:
                        paras.extend(item for item in self._cell_content(child, [], 1) if _local(item) == "p")
                span = 1
                vstate = None
                if tcpr is not None:
                    gs = vm = hm = None
                    for c in tcpr:
                        tag = c.tag
                        if tag == w.GRID_SPAN:
                            if gs is None:
                                gs = c
                        elif tag == w.VMERGE:
                            if vm is None:
                                vm = c
                        elif tag == w.HMERGE and hm is None:
                            hm = c
                    span = max(1, _int(w.v(gs), 1)) if gs is not None else 1
                    if vm is not None:
                        vstate = "restart" if (w.v(vm) or "continue") == "restart" else "continue"
                        merges = True
                    if hm is not None and (w.v(hm) or "continue") != "restart" and cells:
                        cells[-1][1] += span
                        col += span
                        continue
                # (a nested table in a cell of a data table cannot happen here: nested -> layout)
                texts: list[str] = []
                for item in paras:
                    texts.extend(filter(None, self.paragraph(item)[0]))
                cells.append([col, span, " ".join(texts), vstate, ordinal, None])
                col += span
            layout.append((ordinal, cells))
        # pass 2: vMerge continue -> origin rowspan
        src_rows: list[SrcRow] = []
        if not merges and _plain(layout):
            # no spans and every row from the first grid column: the grid is the cells as they are
            # (what grid.expand makes of such rows, without placing them on an occupancy map)
            grid = [
                Row(cells=tuple([Cell(text=c[2], line=ordinal, column=i) for i, c in enumerate(cells, 1)]), line=ordinal)
                for ordinal, cells in layout
            ]
        elif not merges:
            for ordinal, cells in layout:
                src_rows.append(
                    SrcRow(cells=[SrcCell(text=c[2], line=ordinal, colspan=c[1], rowspan=1, col=c[0]) for c in cells], line=ordinal)
                )
            grid = expand(src_rows)
        else:
            open_at: dict[int, list[Any]] = {}  # grid column -> origin cell
            for ordinal, cells in layout:
                row = SrcRow(cells=[], line=ordinal)
                for c in cells:
                    if c[3] == "continue" and c[0] in open_at:
                        open_at[c[0]][5].rowspan += 1
                        continue
                    sc = SrcCell(text=c[2], line=ordinal, colspan=c[1], rowspan=1, col=c[0])
                    c[5] = sc
                    row.cells.append(sc)
                    for k in range(c[0], c[0] + c[1]):
                        open_at.pop(k, None)
                    if c[3] == "restart":
                        open_at[c[0]] = c
                # a column not continued in this row closes its merge
                continued = {c[0] for c in cells if c[3] == "continue"}
                for k in [k for k in open_at if k not in continued and open_at[k][4] != ordinal]:
                    del open_at[k]
                src_rows.append(row)
            grid = expand(src_rows)
        self.budget.table_cells(sum(len(r.cells) for r in grid))
        width = max((len(r.cells) for r in grid), default=0)
        if max(width, grid_cols) <= 1 or not any(c.text for r in grid for c in r.cells):
            # a one-column table is a text box: read its paragraphs as flow, on the row ordinals
            for r in grid:
                for c in r.cells:
                    if c.text and not c.spanned:
                        source[r.line - 1] = c.text
                        self.budget.block(1, len(c.text))
                        self.blocks.append(Block(kind="paragraph", line=r.line, end_line=r.line, text=c.text))
            return
        row_texts = []
        for r in grid:
            source[r.line - 1] = rt = " | ".join([c.text for c in r.cells])
            row_texts.append(rt)
        text = "\n".join(row_texts)
        self.budget.block(1, len(text))
        self.blocks.append(Block(kind="table", line=grid[0].line, end_line=grid[-1].line, text=text, rows=tuple(grid)))

    def _layout(self, rows: list[tuple[Any, Any]], depth: int) -> None:
        for tr, _ in rows:
            for tc in self._cells(tr, []):
                for item in self._cell_content(tc, []):
                    if _local(item) == "p":
                        self._emit_para(self.paragraph(item))
                    else:
                        self.table(item, depth + 1)


def _core_meta(z: SafeZip) -> dict[str, str]:
    if not z.has("docProps/core.xml"):
        return {}
    try:
        root = parse_xml(z.read("docProps/core.xml"), "docProps/core.xml")
    except ReadError:
        return {}
    meta: dict[str, str] = {}
    for el in root:
        name = _local(el)
        text = _WS.sub(" ", el.text or "").strip()
        if not text:
            continue
        if name == "title":
            meta["title"] = text
        elif name == "created":
            meta["file_created"] = text
        elif name == "modified":
            meta["file_modified"] = text
    return meta


def _main_part(z: SafeZip) -> str:
    if z.has("word/document.xml"):
        return "word/document.xml"
    if z.has("_rels/.rels"):
        rels = parse_xml(z.read("_rels/.rels"), "_rels/.rels")
        for rel in rels:
            if (rel.get("Type") or "").endswith("/officeDocument"):
                target = (rel.get("Target") or "").lstrip("/")
                if z.has(target):
                    return target
    raise _bad("docx 中缺少正文部件 word/document.xml,不是 Word 文档", "no word/document.xml in the archive: not a Word document")


def read_docx(path: Path, name: str) -> Document:
    z = SafeZip(path)
    try:
        main = _main_part(z)
        root = parse_xml(z.read(main), main)
        ns = root.tag[1:].split("}", 1)[0] if isinstance(root.tag, str) and root.tag.startswith("{") else _W_NS[0]
        w = _W(ns)
        base = main.rsplit("/", 1)[0] + "/" if "/" in main else ""
        styles: dict[str, _Style] = {}
        if z.has(base + "styles.xml"):
            styles = _styles_part(z, base + "styles.xml", w)
        numbering = _Numbering()
        if z.has(base + "numbering.xml"):
            numbering = _numbering_part(z, base + "numbering.xml", w)
        meta = _core_meta(z)
    finally:
        z.close()
    body = w.child(root, "body")
    if body is None:
        raise _bad("docx 正文中没有 w:body", "the document part has no w:body")
    reader = _Reader(w, styles, numbering)
    reader.body(body)
    if not any(b.text.strip() for b in reader.blocks):
        raise ReadError("E006", "Word 文档中没有文字", "the Word document contains no text")
    return Document(path=name, format="docx", blocks=reader.blocks, encoding=None, meta=meta, source_lines=reader.source)

