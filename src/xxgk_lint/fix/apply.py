"""Applying planned edits to files, and ``check --fix`` for many files (:func:`fix_paths`).

* txt/md (:func:`apply_text_edits`): the bytes are decoded with the encoding the reader found and
  must re-encode to exactly the same bytes (else nothing is written); each edit replaces exactly the
  cell's text at its line/column, so every other byte stays as it was (line endings, BOM, spacing).
  A blank cell's whitespace between its two ``|`` becomes `` 0 ``.
* docx (:func:`apply_docx_edits`): ``word/document.xml`` is parsed (no DTD, no entities, no network),
  the cell is found by the reader's row ordinal and grid column, and its text is put into the
  cell's first text run, keeping that run's formatting (a blank cell gets a run formatted like its
  paragraph mark).  Every other zip member is copied unchanged.
* Both write to a temporary file beside the target and ``os.replace`` it, so a crash never leaves a
  half-written report.  :func:`fix_paths` re-reads the result before replacing and writes nothing
  when a fixed cell does not read back as planned, another cell changed, or a T2xx error remains on
  a fixed cell.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xxgk_lint.fix.plan import Edit, plan_fixes

if TYPE_CHECKING:
    from xxgk_lint.parse.model import Report
    from xxgk_lint.pipeline import Options
    from xxgk_lint.read.document import Document

TEXT_FORMATS = frozenset({"txt", "md"})
FIXABLE_FORMATS = TEXT_FORMATS | {"docx"}


class FixError(Exception):
    """An edit that cannot be applied safely; nothing has been written."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en

    def text(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


# ---------------------------------------------------------------------------------------------
# txt / md


def edit_text_bytes(data: bytes, edits: Iterable[Edit]) -> bytes:
    """The file's bytes with the edits applied (pure).  Raises :class:`FixError`."""
    from xxgk_lint.read.encoding import decode_bytes

    text, encoding = decode_bytes(data)
    try:
        same = text.encode(encoding) == data
    except (LookupError, UnicodeError):
        same = False
    if not same:
        raise FixError(
            f"文件编码({encoding})无法原样写回,未修改",
            f"the file's encoding ({encoding}) cannot be written back byte for byte; not modified",
        )
    lines = text.splitlines(keepends=True)
    by_line: dict[int, list[Edit]] = {}
    for e in edits:
        by_line.setdefault(e.line, []).append(e)
    for line_no, line_edits in by_line.items():
        if not 1 <= line_no <= len(lines):
            raise FixError(f"第{line_no}行不存在", f"line {line_no} does not exist")
        raw = lines[line_no - 1]
        body = raw.rstrip("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
        ending = raw[len(body) :]
        for e in sorted(line_edits, key=lambda x: x.column, reverse=True):
            body = _edit_line(body, e)
        lines[line_no - 1] = body + ending
    return "".join(lines).encode(encoding)


def _edit_line(body: str, e: Edit) -> str:
    i = e.column - 1
    if e.old.strip():
        if body[i : i + len(e.old)] != e.old:
            raise FixError(
                f"第{e.line}行第{e.column}列不是“{e.old}”,文件可能已被修改",
                f"line {e.line}, column {e.column} is not “{e.old}”; the file may have changed",
            )
        return body[:i] + e.new + body[i + len(e.old) :]
    # a blank cell: the reader's column is just after its whitespace (at the closing "|")
    right = i if i < len(body) and body[i] == "|" else (len(body) if i >= len(body) else -1)
    left = body.rfind("|", 0, max(right, 0))
    if right < 0 or left < 0 or body[left + 1 : right].strip():
        raise FixError(
            f"第{e.line}行第{e.column}列找不到空白单元格",
            f"line {e.line}, column {e.column}: no blank cell there",
        )
    return body[: left + 1] + f" {e.new} " + body[right:]


def apply_text_edits(path: str | Path, edits: Iterable[Edit]) -> None:
    """Apply edits to a txt/md file in place (temporary file + ``os.replace``)."""
    p = Path(path)
    new = edit_text_bytes(p.read_bytes(), list(edits))
    _replace_atomically(p, new)


# ---------------------------------------------------------------------------------------------
# docx

_CONTAINERS = frozenset({"sdt", "sdtContent", "customXml", "ins", "moveTo", "smartTag"})
_ROW_CONTAINERS = frozenset({"sdt", "sdtContent", "customXml", "ins", "moveTo"})
_WS = re.compile(r"[ \t\n\r\f\v\u00a0\u3000]+")


def _local(el: Any) -> str:
    tag = el.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


class _Locator:
    """The reader's positions (:mod:`xxgk_lint.read.docx`): one ordinal per body paragraph and table
    row; a cell's column is its 1-based grid column.  Maps (ordinal, column) -> ``w:tc``."""

    def __init__(self, ns: str) -> None:
        self.ns = ns
        self.ordinal = 0
        self.cells: dict[tuple[int, int], Any] = {}

    def _a(self, el: Any, name: str) -> str | None:
        v = el.get(f"{{{self.ns}}}{name}")
        return v if v is not None else el.get(name)

    def _child(self, el: Any, name: str) -> Any:
        return el.find(f"{{{self.ns}}}{name}") if el is not None else None

    def _val_int(self, el: Any, name: str, default: int) -> int:
        c = self._child(el, name)
        if c is None:
            return default
        try:
            return int((self._a(c, "val") or "").strip())
        except ValueError:
            return default

    def body(self, el: Any, depth: int = 0) -> None:
        for child in el:
            name = _local(child)
            if name == "p":
                self.ordinal += 1
            elif name == "tbl":
                self.table(child, depth)
            elif name in _CONTAINERS and depth < 64:
                self.body(child, depth + 1)

    def _items(self, el: Any, wanted: tuple[str, ...], containers: frozenset[str], depth: int = 0) -> list[Any]:
        out: list[Any] = []
        for child in el:
            name = _local(child)
            if name in wanted:
                out.append(child)
            elif name in containers and depth < 64:
                out.extend(self._items(child, wanted, containers, depth + 1))
        return out

    def table(self, tbl: Any, depth: int) -> None:
        rows = []
        for tr in self._items(tbl, ("tr",), _ROW_CONTAINERS):
            trpr = self._child(tr, "trPr")
            if trpr is not None and self._child(trpr, "del") is not None:
                continue
            rows.append(tr)
        nested = any(_local(d) == "tbl" for r in rows for d in r.iterdescendants())
        if nested or depth > 8:
            for tr in rows:
                for tc in self._items(tr, ("tc",), _ROW_CONTAINERS):
                    for item in self._items(tc, ("p", "tbl"), _CONTAINERS):
                        if _local(item) == "p":
                            self.ordinal += 1
                        else:
                            self.table(item, depth + 1)
            return
        for tr in rows:
            self.ordinal += 1
            trpr = self._child(tr, "trPr")
            col = self._val_int(trpr, "gridBefore", 0) if trpr is not None else 0
            placed = False
            for tc in self._items(tr, ("tc",), _ROW_CONTAINERS):
                tcpr = self._child(tc, "tcPr")
                span = max(1, self._val_int(tcpr, "gridSpan", 1)) if tcpr is not None else 1
                hm = self._child(tcpr, "hMerge") if tcpr is not None else None
                if hm is not None and (self._a(hm, "val") or "continue") != "restart" and placed:
                    col += span  # legacy horizontal merge: widens the previous cell
                    continue
                self.cells[(self.ordinal, col + 1)] = tc
                placed = True
                col += span


def _cell_text(tc: Any, ns: str) -> str:
    texts = [t.text or "" for t in tc.iter(f"{{{ns}}}t")]
    return _WS.sub(" ", "".join(texts)).strip()


def _set_cell_text(tc: Any, ns: str, old: str, new: str) -> None:
    from lxml import etree

    w = f"{{{ns}}}"
    ts = [t for t in tc.iter(f"{w}t")]
    first = next((t for t in ts if (t.text or "").strip()), None)
    if first is not None:
        stripped = (first.text or "").strip()
        first.text = (first.text or "").replace(stripped, new, 1) if stripped == old.strip() else new
        for t in ts:
            if t is not first and (t.text or ""):
                t.text = ""
        return
    if ts:  # an empty text element: fill it
        ts[0].text = new
        return
    # a blank cell: its first run (keeping its formatting), else a new run formatted like the
    # paragraph mark
    p = tc.find(f"{w}p")
    if p is None:
        p = etree.SubElement(tc, f"{w}p")
    existing = p.find(f"{w}r")
    if existing is not None:
        etree.SubElement(existing, f"{w}t").text = new
        return
    run = etree.SubElement(p, f"{w}r")
    ppr = p.find(f"{w}pPr")
    mark = ppr.find(f"{w}rPr") if ppr is not None else None
    if mark is not None:
        import copy

        rpr = copy.deepcopy(mark)
        for bad in [c for c in rpr if _local(c) in ("ins", "del", "moveFrom", "moveTo", "rPrChange")]:
            rpr.remove(bad)
        run.append(rpr)
    t = etree.SubElement(run, f"{w}t")
    t.text = new


def edit_document_xml(xml: bytes, edits: Iterable[Edit]) -> bytes:
    """``word/document.xml`` with the edits applied (pure).  Raises :class:`FixError`."""
    from lxml import etree

    head = xml[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in xml.lower():
        raise FixError("document.xml 含有 DTD/实体声明,拒绝修改", "document.xml has a DTD/entity declaration; refused")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_blank_text=False)
    try:
        root = etree.fromstring(xml, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise FixError(f"document.xml 不是有效的 XML:{exc}", f"document.xml is not well-formed XML: {exc}") from None
    ns = root.tag[1:].split("}", 1)[0] if isinstance(root.tag, str) and root.tag.startswith("{") else ""
    body = root.find(f"{{{ns}}}body")
    if body is None:
        raise FixError("document.xml 中没有正文", "document.xml has no body")
    loc = _Locator(ns)
    loc.body(body)
    for e in edits:
        tc = loc.cells.get((e.line, e.column))
        if tc is None:
            raise FixError(f"找不到第{e.line}行第{e.column}列的单元格", f"no table cell at row {e.line}, column {e.column}")
        found = _cell_text(tc, ns)
        if found != _WS.sub(" ", e.old).strip():
            raise FixError(
                f"第{e.line}行第{e.column}列的单元格是“{found}”而不是“{e.old}”,文件可能已被修改",
                f"the cell at row {e.line}, column {e.column} is “{found}”, not “{e.old}”; the file may have changed",
            )
        _set_cell_text(tc, ns, e.old, e.new)
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8", standalone=True)


def _main_part(zf: zipfile.ZipFile) -> str:
    names = set(zf.namelist())
    if "word/document.xml" in names:
        return "word/document.xml"
    from xxgk_lint.read.docx import parse_xml

    if "_rels/.rels" in names:
        for rel in parse_xml(zf.read("_rels/.rels"), "_rels/.rels"):
            if (rel.get("Type") or "").endswith("/officeDocument"):
                target = (rel.get("Target") or "").lstrip("/")
                if target in names:
                    return target
    raise FixError("docx 中没有 word/document.xml", "no word/document.xml in the .docx")


def docx_with_edits(path: str | Path, edits: Iterable[Edit], out: str | Path) -> None:
    """Write a copy of the .docx at ``path`` to ``out`` with the edits applied."""
    from xxgk_lint.read.document import ReadError
    from xxgk_lint.read.docx import SafeZip

    try:
        z = SafeZip(Path(path))  # the reader's size/ratio/member checks
    except ReadError as err:
        raise FixError(err.zh, err.en) from None
    try:
        main = _main_part(z.zf)
        try:
            xml = z.read(main)
        except ReadError as err:
            raise FixError(err.zh, err.en) from None
        new_xml = edit_document_xml(xml, list(edits))
        with zipfile.ZipFile(out, "w") as zout:
            for info in z.zf.infolist():
                data = new_xml if info.filename == main else z.zf.read(info)
                zout.writestr(info, data)
    finally:
        z.close()


def apply_docx_edits(path: str | Path, edits: Iterable[Edit]) -> None:
    """Apply edits to a .docx in place (temporary file + ``os.replace``)."""
    p = Path(path)
    tmp = _temp_beside(p)
    try:
        docx_with_edits(p, edits, tmp)
        _finish(p, tmp)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


# ---------------------------------------------------------------------------------------------
# files


def _temp_beside(p: Path) -> Path:
    fd, name = tempfile.mkstemp(dir=p.parent, prefix=f".{p.stem}.", suffix=".xxgk-fix" + p.suffix)
    os.close(fd)
    return Path(name)


def _finish(p: Path, tmp: Path) -> None:
    with contextlib.suppress(OSError):
        shutil.copymode(p, tmp)
    os.replace(tmp, p)


def _replace_atomically(p: Path, data: bytes) -> None:
    tmp = _temp_beside(p)
    try:
        tmp.write_bytes(data)
        _finish(p, tmp)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _verify(before: Report, after_doc: Document, edits: list[Edit], opts: Options) -> str | None:
    """None when the re-read report has exactly the planned changes and no T2xx error on them."""
    from xxgk_lint.check.engine import run_checks
    from xxgk_lint.check.rules import builtin_rules, select_rules
    from xxgk_lint.parse import parse_document
    from xxgk_lint.parse.template import get_template

    after = parse_document(after_doc, opts.template, kind=opts.kind, published_on=opts.published_on)
    if after.template != before.template:
        return f"template {before.template} -> {after.template}"
    planned = {e.cell: e.new for e in edits}
    for tkey, table in before.tables.items():
        t2 = after.tables.get(tkey)
        if t2 is None:
            return f"table {tkey} lost"
        for (rk, ck), cv in table.cells.items():
            got = t2.cell(rk, ck)
            key = f"{tkey}.{rk}.{ck}"
            if key in planned:
                if got.status != "number" or got.raw.strip() != planned[key]:
                    return f"{key} reads back as {got.raw!r}, not {planned[key]!r}"
            elif (got.status, got.raw) != (cv.status, cv.raw):
                return f"{key} changed from {cv.raw!r} to {got.raw!r}"
    template = get_template(after.template) if after.template else None
    rules = select_rules(builtin_rules(), ("T2",))
    for f in run_checks(after, after_doc, template, rules, lang=opts.lang):
        if f.severity == "error" and f.table and f.cell and f"{f.table}.{f.cell}" in planned:
            return f"{f.rule} still fails on {f.table}.{f.cell}"
    return None


def fix_paths(
    paths: Iterable[str | Path],
    opts: Options,
    unsafe: bool = False,
    *,
    echo: Callable[[str], Any] | None = None,
    dry_run: bool = False,
) -> list[Edit]:
    """``check --fix``: plan, apply and verify the fixes of every txt/md/docx file under ``paths``.

    Returns the edits written (with ``dry_run``, the edits that would be written).  ``echo`` (e.g.
    ``lambda s: click.echo(s, err=True)``) receives one line per edit
    (``file:line:col old → new  [rule] 表三 · 行 · 列``), a line per file that could not be fixed
    safely and a summary, in ``opts.lang``.  Unreadable files are left to ``check`` to report.
    """
    from xxgk_lint.parse import parse_document
    from xxgk_lint.parse.template import get_template
    from xxgk_lint.pipeline import iter_inputs
    from xxgk_lint.read import format_of, read_path
    from xxgk_lint.read.document import ReadError
    from xxgk_lint.read.text import read_text

    en = opts.lang == "en"
    say = echo or (lambda _s: None)
    done: list[Edit] = []
    files = 0
    for path in iter_inputs(paths):
        fmt = format_of(path)
        if fmt not in FIXABLE_FORMATS:
            if fmt is not None:
                say(f"{path}: " + (f"automatic fixes are not supported for {fmt} files" if en else f"{fmt} 文件不支持自动修复"))
            continue
        try:
            doc = read_path(path)
            report = parse_document(doc, opts.template, kind=opts.kind, published_on=opts.published_on)
        except ReadError:
            continue
        except Exception as exc:  # noqa: BLE001 - a parser bug must not stop a batch; check reports it
            say(f"{path}: " + (f"not fixed ({type(exc).__name__})" if en else f"未修复({type(exc).__name__})"))
            continue
        template = get_template(report.template) if report.template else None
        edits = plan_fixes(report, doc, template, unsafe)
        if not edits:
            continue
        p = Path(path)
        tmp: Path | None = None
        try:
            if fmt in TEXT_FORMATS:
                data = edit_text_bytes(p.read_bytes(), edits)
                from xxgk_lint.read.encoding import decode_bytes

                after_doc = read_text(decode_bytes(data)[0], doc.path, fmt, doc.encoding)
            else:
                data = b""
                tmp = _temp_beside(p)
                docx_with_edits(p, edits, tmp)
                try:
                    after_doc = read_path(tmp)
                except ReadError as err:
                    raise FixError(err.zh, err.en) from None
                after_doc.path = doc.path
            problem = _verify(report, after_doc, edits, opts)
            if problem is not None:
                raise FixError(f"修复后复核未通过({problem}),未修改", f"the fixed file did not verify ({problem}); not modified")
            if not dry_run:
                if tmp is not None:
                    _finish(p, tmp)
                    tmp = None
                else:
                    _replace_atomically(p, data)
        except FixError as err:
            say(f"{path}: {err.text(opts.lang)}")
            continue
        except OSError as exc:
            say(f"{path}: " + (f"cannot write: {exc}" if en else f"无法写入:{exc}"))
            continue
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
        for e in edits:
            say(e.describe(opts.lang))
        done.extend(edits)
        files += 1
    if done:
        if dry_run:
            say(f"would fix {len(done)} cell(s) in {files} file(s)" if en else f"可修复 {files} 个文件中的 {len(done)} 处")
        else:
            say(f"fixed {len(done)} cell(s) in {files} file(s)" if en else f"已修复 {files} 个文件中的 {len(done)} 处")
    return done
