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
MAX_TABLE_CELLS        200 000     grid positions of one expanded table (HTML/docx spans): E004
=====================  ==========  ===================================================================
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
MAX_TABLE_CELLS = 200_000

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
            data = fh.read(cap + 1)
    except OSError as exc:
        raise os_error(exc) from None
    if len(data) > cap:
        raise too_large(len(data), cap)
    return data
