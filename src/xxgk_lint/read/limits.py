"""Resource caps for the read stage, and the small I/O helpers that enforce them.

Every cap is a module attribute read at call time (``limits.X``), so tests can lower it with
``monkeypatch.setattr``.  The numbers are generous for real annual reports (a typical report is
10-40 KB of text, a docx 50-500 KB, a PDF 5-30 pages) and small enough that one hostile file cannot
exhaust a batch worker.

=====================  ==========  ===================================================================
cap                    value       what happens beyond it
=====================  ==========  ===================================================================
MAX_TEXT_BYTES         20 MiB      .txt/.md/.html larger than this: E004, decided from ``stat`` (the
                                   file is never read), and re-checked while reading (bounded read)
MAX_DOCX_BYTES         50 MiB      the .docx file itself: E004
ZIP_MAX_MEMBERS        2000        zip entries (from the end-of-central-directory record, before
                                   ``zipfile`` builds its member list): E005
ZIP_MAX_TOTAL          100 MiB     sum of the declared uncompressed sizes: E004
ZIP_MAX_RATIO          100         declared size / compressed size of one member, checked for members
                                   over ZIP_RATIO_MIN_SIZE: E005 (zip bomb)
ZIP_MAX_XML_MEMBER     32 MiB      one XML part we decompress (document.xml ...): E004.  Parts are
                                   stream-decompressed in 64 KiB chunks and reading stops as soon as
                                   the output passes the member's declared size or this cap: E005/E004
MAX_PDF_BYTES          100 MiB     the .pdf file: E004
MAX_PDF_PAGES          500         pages: E004
PDF_TIME_BUDGET        120 s       wall time for all pages, checked between pages: E004
MAX_TABLE_CELLS        50 000      grid positions of one expanded table (HTML/docx spans): E004
MAX_LINES              100 000     source lines of a .txt/.md/.html, counted on the decoded text
                                   before it is split into lines: E004
MAX_HTML_TAGS          200 000     start tags of a page, counted on the text before lxml builds a
                                   tree: E004
MAX_XML_ELEMENTS       500 000     elements of one docx XML part, counted on its bytes before lxml
                                   builds a tree: E004
MAX_BLOCKS             20 000      paragraphs and tables of one document, counted as the reader
                                   makes them (:class:`Budget`): E004
MAX_CELLS              50 000      table cells (grid positions) of one document, likewise: E004
MAX_TEXT_CHARS         2 000 000   characters of text of one document (a .txt/.md: its decoded text,
                                   before it is split; other formats: block texts as they are made):
                                   E004.  A real report has 10 000-100 000
=====================  ==========  ===================================================================

The count caps keep every accepted input small in memory and time whatever its bytes are (a real
report has a few hundred to a few thousand blocks and under 2 000 table cells): without them a
19 MiB page of 1.2 million tiny ``<p>`` took 1.4 GB and a minute.  They are decided before a
parse tree or a line list is built, or while blocks are made, never after the whole input is in
memory.  ``benchmarks/memory.py`` measures the peak RSS and wall time of each shape.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from xxgk_lint.read.document import ReadError

MiB = 1024 * 1024

MAX_TEXT_BYTES = 20 * MiB
MAX_DOCX_BYTES = 50 * MiB
ZIP_MAX_MEMBERS = 2000
ZIP_MAX_TOTAL = 100 * MiB
ZIP_MAX_RATIO = 100
ZIP_RATIO_MIN_SIZE = 1 * MiB
ZIP_MAX_XML_MEMBER = 32 * MiB
MAX_PDF_BYTES = 100 * MiB
MAX_PDF_PAGES = 500
PDF_TIME_BUDGET = 120.0
MAX_TABLE_CELLS = 50_000
MAX_LINES = 100_000
MAX_HTML_TAGS = 200_000
MAX_XML_ELEMENTS = 500_000
MAX_BLOCKS = 20_000
MAX_CELLS = 50_000
MAX_TEXT_CHARS = 2_000_000

_CHUNK = 64 * 1024


def human(n: int) -> str:
    """``20971520`` -> ``"20 MiB"`` (for messages)."""
    if n >= MiB and n % MiB == 0:
        return f"{n // MiB} MiB"
    if n >= MiB:
        return f"{n / MiB:.1f} MiB"
    if n >= 1024:
        return f"{n / 1024:.1f} KiB"
    return f"{n} B"


def too_large(size: int, cap: int, what_zh: str = "文件", what_en: str = "file") -> ReadError:
    return ReadError(
        "E004",
        f"{what_zh}过大({human(size)},上限 {human(cap)}),为避免耗尽资源不予读取",
        f"{what_en} too large ({human(size)}, limit {human(cap)}); not read to bound memory and time",
    )


def too_many(count: int, cap: int, what_zh: str, what_en: str) -> ReadError:
    """E004 for a count cap: ``what_zh``/``what_en`` name the unit ("段落"/"paragraphs").  ``count``
    is how many were seen when reading stopped (so "at least")."""
    return ReadError(
        "E004",
        f"文件的{what_zh}过多(至少 {count} 个,上限 {cap}),不像一份年度报告;为避免耗尽内存和时间不予读取",
        f"too many {what_en} (at least {count}, limit {cap}): not an annual report; not read to bound memory and time",
    )


def check_count(count: int, cap: int, what_zh: str, what_en: str) -> None:
    if count > cap:
        raise too_many(count, cap, what_zh, what_en)


def count_lines(text: str) -> int:
    """Lines of ``text`` (``\\n``, ``\\r\\n`` or ``\\r`` ending one), counted without splitting it."""
    return max(text.count("\n"), text.count("\r")) + 1


class Budget:
    """Blocks and table cells of one document, counted as a reader makes them: E004 as soon as
    :data:`MAX_BLOCKS` or :data:`MAX_CELLS` is passed, before the rest of the input is turned into
    objects.  The caps are read when the budget is made (so a test's ``monkeypatch`` applies)."""

    __slots__ = ("blocks", "cells", "chars", "max_blocks", "max_cells", "max_chars")

    def __init__(self) -> None:
        self.blocks = 0
        self.cells = 0
        self.chars = 0
        self.max_blocks = MAX_BLOCKS
        self.max_cells = MAX_CELLS
        self.max_chars = MAX_TEXT_CHARS

    def block(self, n: int = 1, chars: int = 0) -> None:
        """``n`` more blocks holding ``chars`` characters of text."""
        self.blocks += n
        self.chars += chars
        if self.blocks > self.max_blocks:
            raise too_many(self.blocks, self.max_blocks, "段落和表格", "paragraphs and tables")
        if self.chars > self.max_chars:
            raise too_many(self.chars, self.max_chars, "文字(字符)", "characters of text")

    def table_cells(self, n: int) -> None:
        self.cells += n
        if self.cells > self.max_cells:
            raise too_many(self.cells, self.max_cells, "表格单元格", "table cells")


def os_error(exc: OSError) -> ReadError:
    """Map an OSError to E001 with a specific message."""
    code = exc.errno
    if code == errno.ENOENT:
        zh, en = "文件不存在", "no such file"
    elif code in (errno.EACCES, errno.EPERM):
        zh, en = "没有读取权限", "permission denied"
    elif code == errno.ELOOP:
        zh, en = "符号链接循环", "symbolic link loop"
    elif code == errno.EISDIR:
        zh, en = "这是一个目录,不是文件", "is a directory, not a file"
    elif code == errno.ENAMETOOLONG:
        zh, en = "文件名过长", "file name too long"
    else:
        reason = exc.strerror or type(exc).__name__
        zh, en = f"操作系统错误({reason})", f"operating-system error ({reason})"
    return ReadError("E001", f"无法读取文件:{zh}", f"cannot read file: {en}")


def stat_regular(path: Path) -> os.stat_result:
    """``os.stat`` that accepts only regular files (E001 for directories, FIFOs, devices, loops)."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise os_error(exc) from None
    except ValueError:  # embedded NUL in the path
        raise ReadError("E001", "无法读取文件:文件名无效", "cannot read file: invalid file name") from None
    if stat.S_ISDIR(st.st_mode):
        raise ReadError("E001", "无法读取文件:这是一个目录,不是文件", "cannot read file: is a directory, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise ReadError(
            "E001",
            "无法读取文件:不是普通文件(设备、管道或套接字)",
            "cannot read file: not a regular file (device, pipe or socket)",
        )
    return st


def read_capped(path: Path, cap: int) -> bytes:
    """Read a whole file but never more than ``cap`` bytes (E004 when it turns out larger)."""
    try:
        with open(path, "rb") as fh:
            # ask for the file's own size (+1 to see it grew), not cap + 1: a read of n bytes
            # allocates n bytes first, and the cap is megabytes for files of kilobytes
            size = os.fstat(fh.fileno()).st_size
            data = fh.read(min(size, cap) + 1)
            if size < len(data) <= cap:  # it grew since: read on, up to the cap
                data += fh.read(cap + 1 - len(data))
    except OSError as exc:
        raise os_error(exc) from None
    if len(data) > cap:
        raise too_large(len(data), cap)
    return data
