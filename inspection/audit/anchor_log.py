"""The file of audit checkpoints: one line each, only ever appended (O_APPEND, under an
exclusive lock, fsynced), never rewritten."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable
from pathlib import Path


def _lines(data: bytes) -> list[str]:
    lines = data.decode("utf-8", "replace").split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines


class AnchorLog:
    """An append-only text file of lines (a missing file holds none)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def exists(self) -> bool:
        return self.path.exists()

    def read(self) -> list[str]:
        try:
            return _lines(self.path.read_bytes())
        except FileNotFoundError:
            return []

    def append(self, make_line: Callable[[list[str]], str | None]) -> tuple[int, str]:
        """Append `make_line(lines so far)` as one line, with no other writer in between
        (an exclusive `flock`); returns its 1-based line number and the line (`make_line`
        None: nothing is written, and the last line is returned). The line is on disk
        (fsynced, and the folder too) when this returns. A last line left without its
        newline by a crash stays as it was, on a line of its own."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            data = os.pread(fd, os.fstat(fd).st_size, 0)
            lines = _lines(data)
            line = make_line(lines)
            if line is None:
                return len(lines), lines[-1]
            if "\n" in line:
                raise ValueError("a line must not contain a newline")
            out = (b"\n" if data and not data.endswith(b"\n") else b"") + line.encode() + b"\n"
            while out:
                out = out[os.write(fd, out):]
            os.fsync(fd)
        finally:
            os.close(fd)  # releases the lock
        folder = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
        return len(lines) + 1, line
