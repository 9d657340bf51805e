"""Read stage: any supported file -> Document.  ``read_path`` never raises anything but ReadError.

Dispatch is by suffix (:data:`SUPPORTED_SUFFIXES`).  Input error codes (details in the messages):

====  =====================================================================================
E001  cannot read: missing, no permission, a directory, a FIFO/device, a symlink loop
E002  unsupported suffix (.doc/.wps: with the advice to save as .docx)
E003  text/HTML whose encoding cannot be determined (see :mod:`xxgk_lint.read.encoding`)
E004  over a size or count cap (see :mod:`xxgk_lint.read.limits`): file size, zip total, table
      grid, PDF pages or PDF time; lines, HTML tags, XML elements, blocks or table cells
E005  malformed or hostile container/XML: corrupt zip, zip bomb (compression ratio, member
      count, member larger than declared), bad XML, DTD/entity declarations, an encrypted or
      corrupt PDF, an HTML DOCTYPE declaring entities; also any unexpected reader failure
E006  empty: a 0-byte file of any format, or no text found
E007  PDF without a text layer (scanned images only)
E008  binary junk named as text: NUL bytes (not UTF-16) or many control characters
====  =====================================================================================

The parsers (lxml, pdfplumber, charset-normalizer) are imported lazily inside the readers so
that reading a .txt file does not pay their import time.
"""

from __future__ import annotations

from pathlib import Path

from xxgk_lint.read import limits
from xxgk_lint.read.document import Document, ReadError
from xxgk_lint.read.text import read_text

TEXT_SUFFIXES = {".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md"}
HTML_SUFFIXES = {".html": "html", ".htm": "html", ".shtml": "html", ".xhtml": "html"}
FORMATS: dict[str, str] = {**TEXT_SUFFIXES, **HTML_SUFFIXES, ".docx": "docx", ".pdf": "pdf"}
SUPPORTED_SUFFIXES = frozenset(FORMATS)
# formats a report is often saved in that we cannot read: E002 with the way out (save as .docx).
# A folder walk should report these rather than skip them silently (see WALKED_SUFFIXES).
LEGACY_WORD_SUFFIXES: dict[str, tuple[str, str]] = {
    ".doc": ("旧版 Word 文档(.doc)", "old Word document (.doc)"),
    ".wps": ("WPS 文字文档(.wps)", "WPS Writer document (.wps)"),
}
WALKED_SUFFIXES = SUPPORTED_SUFFIXES | frozenset(LEGACY_WORD_SUFFIXES)
MAX_BYTES = limits.MAX_TEXT_BYTES  # kept for callers of the first version


def format_of(path: str | Path) -> str | None:
    """``"txt" | "md" | "html" | "docx" | "pdf"`` for a supported suffix, else None."""
    return FORMATS.get(Path(path).suffix.lower())


def read_path(path: str | Path) -> Document:
    """Read one file into a Document; every failure is a :class:`ReadError` with an E code."""
    try:
        return _read(Path(path), str(path))
    except ReadError:
        raise
    except MemoryError:
        raise ReadError("E004", "文件过大,读取时内存不足", "file too large: out of memory while reading") from None
    except RecursionError:
        raise ReadError("E005", "文件结构嵌套过深,拒绝读取", "file structure nested too deeply; refused") from None
    except OSError as exc:
        raise limits.os_error(exc) from None
    except Exception as exc:  # noqa: BLE001 - the contract: nothing but ReadError escapes
        raise ReadError(
            "E005",
            f"文件无法解析({type(exc).__name__}: {exc})",
            f"file cannot be parsed ({type(exc).__name__}: {exc})",
        ) from None


def _empty(fmt: str) -> ReadError:
    return ReadError("E006", f"文件为空(0 字节,{fmt} 格式),没有可检查的文字", f"file is empty (0 bytes, {fmt}): no text to check")


def _read(p: Path, name: str) -> Document:
    st = limits.stat_regular(p)
    suffix = p.suffix.lower()
    fmt = FORMATS.get(suffix)
    if fmt is None and suffix in LEGACY_WORD_SUFFIXES:
        zh, en = LEGACY_WORD_SUFFIXES[suffix]
        raise ReadError(
            "E002",
            f"不支持的文件格式:{zh};请在 Word 或 WPS 中另存为 .docx 后再检查",
            f"unsupported file format: {en}; save it as .docx in Word or WPS and check that",
        )
    if fmt is None:
        shown = suffix or "(无扩展名)"
        raise ReadError(
            "E002",
            f"不支持的文件格式:{shown}(支持 {' '.join(sorted(SUPPORTED_SUFFIXES))})",
            f"unsupported file format: {suffix or '(none)'} (supported: {' '.join(sorted(SUPPORTED_SUFFIXES))})",
        )
    size = st.st_size
    if size == 0:
        raise _empty(fmt)
    if fmt in ("txt", "md", "html"):
        if size > limits.MAX_TEXT_BYTES:
            raise limits.too_large(size, limits.MAX_TEXT_BYTES)
        data = limits.read_capped(p, limits.MAX_TEXT_BYTES)
        if not data:
            raise _empty(fmt)
        if fmt == "html":
            from xxgk_lint.read.html import read_html

            return read_html(data, name)
        return _read_plain(data, name, fmt)
    if fmt == "docx":
        if size > limits.MAX_DOCX_BYTES:
            raise limits.too_large(size, limits.MAX_DOCX_BYTES)
        from xxgk_lint.read.docx import read_docx

        return read_docx(p, name)
    if size > limits.MAX_PDF_BYTES:
        raise limits.too_large(size, limits.MAX_PDF_BYTES)
    from xxgk_lint.read.pdf import read_pdf

    return read_pdf(p, name)


def hidden_lines(doc: Document) -> list[tuple[int, str]]:
    """(source line, text) of the text a page hid (``display:none`` and the like: HTML only, see
    :mod:`xxgk_lint.read.html`); not part of ``doc.blocks``.  Empty for other formats."""
    out: list[tuple[int, str]] = []
    for entry in (doc.meta.get("hidden_text") or "").split("\n"):
        line, sep, text = entry.partition("\t")
        if sep and line.isdigit() and text:
            out.append((int(line), text))
    return out


def _read_plain(data: bytes, name: str, fmt: str) -> Document:
    from xxgk_lint.read.encoding import check_not_binary, decode_bytes

    text, encoding = decode_bytes(data)
    check_not_binary(text)
    if not text.strip():
        raise ReadError("E006", "文件为空,没有可检查的文字", "file is empty: no text to check")
    # count caps on the decoded text, before it becomes a list of lines and cells
    limits.check_count(len(text), limits.MAX_TEXT_CHARS, "文字(字符)", "characters of text")
    limits.check_count(limits.count_lines(text), limits.MAX_LINES, "行", "lines")
    limits.check_count(text.count("|"), limits.MAX_CELLS, "表格单元格", "table cells")
    return read_text(text, name, fmt, encoding, budget=limits.Budget())


__all__ = ["Document", "ReadError", "read_path", "format_of", "hidden_lines", "SUPPORTED_SUFFIXES", "WALKED_SUFFIXES", "LEGACY_WORD_SUFFIXES"]
