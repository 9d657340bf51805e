"""Progress on stderr: a redrawn bar (files/s, ETA) on a terminal, plain lines otherwise."""

from __future__ import annotations

import time
from typing import IO


def _clock(seconds: float) -> str:
    s = int(seconds + 0.5)
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class Progress:
    """``mode``: ``auto`` (bar on a TTY, lines otherwise), ``bar``, ``lines`` or ``none``."""

    WIDTH = 28
    LINE_EVERY_S = 5.0
    BAR_EVERY_S = 0.1

    def __init__(self, total: int, stream: IO[str], *, mode: str = "auto", reused: int = 0) -> None:
        self.total = total
        self.stream = stream
        self.done = 0
        isatty = getattr(stream, "isatty", None)
        tty = bool(isatty and isatty())
        self.mode = ("bar" if tty else "lines") if mode == "auto" else mode
        self.start = time.monotonic()
        self.last = 0.0
        self.last_pct = -1
        if self.mode != "none":
            note = f", {reused} unchanged file(s) reused from the previous run" if reused else ""
            self._write(f"audit: {total} file(s) to check{note}\n")

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # a closed pipe must not stop the audit
            self.mode = "none"

    def rate(self) -> float:
        elapsed = time.monotonic() - self.start
        return self.done / elapsed if elapsed > 0 else 0.0

    def status(self) -> str:
        rate = self.rate()
        left = self.total - self.done
        eta = _clock(left / rate) if rate > 0 else "?"
        pct = 100 * self.done / self.total if self.total else 100.0
        return f"{self.done}/{self.total} ({pct:.0f}%) {rate:.1f} files/s ETA {eta}"

    def update(self, n: int = 1) -> None:
        self.done += n
        if self.mode == "none":
            return
        now = time.monotonic()
        if self.mode == "bar":
            if now - self.last >= self.BAR_EVERY_S or self.done == self.total:
                self.last = now
                filled = int(self.WIDTH * self.done / self.total) if self.total else self.WIDTH
                bar = "#" * filled + "-" * (self.WIDTH - filled)
                self._write(f"\r[{bar}] {self.status()}\x1b[K")
            return
        pct = int(100 * self.done / self.total) if self.total else 100
        if now - self.last >= self.LINE_EVERY_S or (pct // 10 > self.last_pct // 10) or self.done == self.total:
            self.last = now
            self.last_pct = pct
            self._write(f"audit: {self.status()}\n")

    def close(self) -> None:
        if self.mode == "bar" and self.total:
            self._write("\n")
        if self.mode != "none":
            elapsed = time.monotonic() - self.start
            self._write(f"audit: checked {self.done} file(s) in {_clock(elapsed)}\n")
