"""Crash-safe files for the audit's output folder.

- ``findings.jsonl`` is appended one record per line, each line written to the OS (flushed) before
  the next file is counted as done, so a killed audit loses nothing it counted; the fsyncs that make
  lines survive a power failure are batched (:class:`JsonlAppender`: every ``sync_lines`` lines or
  ``sync_s`` seconds, and on close), so a power cut loses at most that much, which a resumed run
  checks again.  A line cut short by a kill is dropped (and the file truncated back to the last
  whole line) when the audit is resumed.
- every other file is written to a temporary file in the same folder, fsync'd, then moved over the
  old one with ``os.replace`` (atomic on POSIX and Windows), so a reader never sees half a file.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, NamedTuple, TypeVar

T = TypeVar("T")


def dumps(rec: dict[str, Any]) -> str:
    return json.dumps(rec, ensure_ascii=False, separators=(",", ":"))


@contextlib.contextmanager
def atomic_writer(path: Path, *, newline: str | None = None, binary: bool = False) -> Iterator[IO[Any]]:
    """Write ``path`` via a temporary sibling and ``os.replace``; on error the old file stays."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fh: IO[Any] = open(tmp, "wb") if binary else open(tmp, "w", encoding="utf-8", newline=newline)  # noqa: SIM115
    try:
        yield fh
        fh.flush()
        os.fsync(fh.fileno())
        fh.close()
        os.replace(tmp, path)
    except BaseException:
        fh.close()
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_atomic(path: Path, text: str, *, sync: bool = True) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
            if sync:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class JsonlAppender:
    """Append records to a JSON-lines file: each line flushed to the OS at once, fsync'd in batches.

    ``fsync``: False = never (tests, benchmarks).  Otherwise :meth:`due` says when ``sync_lines``
    lines or ``sync_s`` seconds have gone by since the last :meth:`sync` (the caller syncs files that
    depend on each other in order), and :meth:`close` syncs what is left."""

    def __init__(self, path: Path, *, fsync: bool = True, sync_lines: int = 64, sync_s: float = 1.0) -> None:
        self.path = path
        self.fsync = fsync
        self.sync_lines = max(1, sync_lines)
        self.sync_s = sync_s
        self.fh = open(path, "a", encoding="utf-8")  # noqa: SIM115
        self.unsynced = 0
        self.synced_at = time.monotonic()

    def append(self, rec: dict[str, Any]) -> int:
        """Write one record; returns the byte offset its line starts at."""
        return self.append_line(dumps(rec))

    def append_line(self, line: str) -> int:
        """Write one already serialised record (no newline in it)."""
        offset = self.fh.tell()
        self.fh.write(line + "\n")
        self.fh.flush()
        self.unsynced += 1
        return offset

    def due(self) -> bool:
        return self.fsync and self.unsynced > 0 and (
            self.unsynced >= self.sync_lines or time.monotonic() - self.synced_at >= self.sync_s
        )

    def sync(self) -> None:
        if self.fsync and self.unsynced:
            self.fh.flush()
            os.fsync(self.fh.fileno())
        self.unsynced = 0
        self.synced_at = time.monotonic()

    def close(self) -> None:
        if self.fh.closed:
            return
        try:
            self.sync()
        finally:
            self.fh.close()

    def __enter__(self) -> JsonlAppender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Done(NamedTuple):
    sha256: str | None
    rules_version: str | None
    settings: str | None
    page: str | None
    # what the end of the run pairs consecutive years by (audit.yoy), and the pair's signature
    agency: str | None = None
    year: int | None = None
    agency_id: str | None = None
    xsig: str | None = None


def scan_lines(path: Path, head: Callable[[bytes], tuple[str, T]], *, repair: bool = True) -> tuple[dict[str, tuple[int, T]], int]:
    """Index a JSON-lines file by key: ``{key: (offset of its last good line, head(line))}`` and the
    number of bad lines skipped.  ``head`` returns a line's key and what to keep of it, raising
    ValueError/KeyError/TypeError for a line that is not one.  A last line without its newline (cut by
    a kill) is bad; with ``repair`` the file is truncated back to the end of the last whole line so
    appends start clean."""
    index: dict[str, tuple[int, T]] = {}
    bad = 0
    if not path.exists():
        return index, 0
    good_end = 0
    with open(path, "rb") as fh:
        offset = 0
        for raw in fh:
            start = offset
            offset += len(raw)
            if not raw.endswith(b"\n"):
                bad += 1
                break
            good_end = offset
            try:
                key, kept = head(raw)
            except (ValueError, KeyError, TypeError):
                bad += 1
                continue
            index[key] = (start, kept)
    if repair and good_end < path.stat().st_size:
        with open(path, "r+b") as fh:
            fh.truncate(good_end)
            fh.flush()
            os.fsync(fh.fileno())
    return index, bad


def shared(value: Any) -> Any:
    """``sys.intern`` for the strings an index keeps per file: the rules version, the settings
    hash and agency names repeat in every record, and a file's key and sha256 appear in both the
    findings and the snapshot index; one copy each keeps a 100k-file index about half the size."""
    return sys.intern(value) if isinstance(value, str) else value


def _done(raw: bytes) -> tuple[str, Done]:
    meta = json.loads(raw)["audit"]
    # only what decides whether the file must be checked again, and what pairs its years (a tuple:
    # 100k of them stay small)
    pair = meta.get("continuity") or {}
    g = meta.get
    done = Done(
        shared(g("sha256")), shared(g("rules_version")), shared(g("settings")), g("page"),
        shared(g("agency")), g("year"), shared(g("agency_id")), pair.get("sig") if isinstance(pair, dict) else None,
    )
    return shared(meta["key"]), done


def scan_jsonl(path: Path, *, repair: bool = True) -> tuple[dict[str, tuple[int, Done]], int]:
    """Index a findings.jsonl (:func:`scan_lines`): ``{key: (offset of its last good line, Done)}``
    and the number of bad lines skipped."""
    return scan_lines(path, _done, repair=repair)


def read_at(fh: IO[bytes], offset: int) -> dict[str, Any]:
    fh.seek(offset)
    return json.loads(fh.readline())
