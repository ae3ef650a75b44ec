"""A progress line for long commands: percent, amount, rate and time left, on stderr."""

from __future__ import annotations

import sys
import time
from typing import TextIO


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"  # pragma: no cover


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


class ProgressBar:
    """Redraw one line on a terminal; elsewhere print a plain line every few seconds."""

    def __init__(
        self, total: int, unit: str = "bytes", stream: TextIO | None = None, start: int = 0
    ) -> None:
        self.total = total
        self.unit = unit
        self.stream = stream or sys.stderr
        self.start_value = start
        self.started = time.monotonic()
        self.last_draw = 0.0
        self.tty = self.stream.isatty()
        self.interval = 0.2 if self.tty else 5.0
        self.last_text = ""

    def line(self, done: int, messages: int) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = (done - self.start_value) / elapsed
        amount = _size if self.unit == "bytes" else (lambda n: f"{n:,.0f}")
        parts = []
        if self.total:
            fraction = min(1.0, done / self.total)
            filled = int(fraction * 24)
            parts.append(f"[{'#' * filled}{'.' * (24 - filled)}] {100 * fraction:5.1f}%")
            parts.append(f"{amount(done)}/{amount(self.total)}")
        else:
            parts.append(amount(done))
        parts.append(f"{amount(rate)}/s")
        parts.append(f"{messages:,} msgs")
        if self.total and rate > 0 and done < self.total:
            parts.append(f"ETA {_duration((self.total - done) / rate)}")
        else:
            parts.append(f"{_duration(elapsed)} elapsed")
        return "  ".join(parts)

    def update(self, done: int, messages: int, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last_draw < self.interval:
            return
        self.last_draw = now
        text = self.line(done, messages)
        if not self.tty and text.split("  ")[:2] == self.last_text.split("  ")[:2] and force:
            return  # the closing line would repeat the last one
        self.last_text = text
        if self.tty:
            self.stream.write("\r" + text.ljust(100))
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def close(self, done: int, messages: int) -> None:
        self.update(done, messages, force=True)
        if self.tty:
            self.stream.write("\n")
