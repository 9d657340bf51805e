"""Read stage: any supported file -> Document.  ``read_path`` never raises anything but ReadError."""

from __future__ import annotations

from pathlib import Path

from xxgk_lint.read.document import Document, ReadError
from xxgk_lint.read.text import read_text

TEXT_SUFFIXES = {".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md"}
SUPPORTED_SUFFIXES = set(TEXT_SUFFIXES)
MAX_BYTES = 20 * 1024 * 1024


def read_path(path: str | Path) -> Document:
    p = Path(path)
    fmt = TEXT_SUFFIXES.get(p.suffix.lower())
    if fmt is None:
        raise ReadError("E002", f"不支持的文件格式:{p.suffix or '(无扩展名)'}", f"unsupported file format: {p.suffix or '(none)'}")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise ReadError("E001", f"无法读取文件:{exc.strerror or exc}", f"cannot read file: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise ReadError("E004", f"文件过大({len(data)} 字节,上限 {MAX_BYTES})", f"file too large ({len(data)} bytes, limit {MAX_BYTES})")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ReadError("E003", f"文件不是 UTF-8 编码(第 {exc.start} 字节处无法解码)", f"file is not UTF-8 (undecodable byte at offset {exc.start})") from None
    if not text.strip():
        raise ReadError("E006", "文件为空,没有可检查的文字", "file is empty: no text to check")
    return read_text(text, str(path), fmt, "utf-8")


__all__ = ["Document", "ReadError", "read_path", "SUPPORTED_SUFFIXES"]
