"""The bytes of unfinished resumable uploads: one file per upload whose size is its offset.

Appending streams the request body to the end of the file in fixed-size chunks, so memory
stays flat whatever the upload's size. One writer at a time: an append holds an exclusive
`flock` on the file for its whole duration, so a second, concurrent append to the same upload
(from any thread or process on the host) is refused at once (`UploadLocked`) instead of
interleaving bytes. Several hosts must share the folder on a filesystem with working `flock`
(or route an upload's requests to one host).

An append with a checksum is all or nothing: the bytes are checked as they pass and, when the
digest differs or the body ends early, the file is cut back to where the append began. An
append without one keeps whatever arrived, so an interrupted request resumes from there.

The body is read into a few reused buffers (no new bytes object per block): while one block is
read, the previous one is written (`pwrite`, the kernel asked to start writing it back at
once) and hashed from the same memory. The offset is the file's size, made durable
(`fdatasync`, once per append; only the last block is still unwritten by then) before the lock
is released, so an offset a client is told survives a crash (a reader of the offset waits
for an append in progress to end: `offset`); a process killed mid-append leaves the bytes it
wrote, and the size says how many. The whole file's sha256 is kept running in
memory between the appends this process receives (`RunningDigests`), so completing an upload
needs no second read of its bytes; after a restart, or when another process took an append,
completion reads the file once instead.
"""

from __future__ import annotations

import base64
import binascii
import fcntl
import hashlib
import itertools
import os
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Protocol, cast

if TYPE_CHECKING:
    from hashlib import _Hash

CHUNK_SIZE = 1024 * 1024
SETTLE_WAIT_S = 2.0
"""How long reading an offset waits for an append in progress to end (`offset`)."""
SETTLE_POLL_S = 0.01
CHECKSUM_ALGORITHMS = ("sha1", "sha256", "md5")


class UploadError(Exception):
    """Base of what an append can refuse."""


class UploadMissing(UploadError):
    """No bytes are kept for this upload (never created, finished or cleaned)."""


class UploadLocked(UploadError):
    """Another request is appending to this upload right now."""


class OffsetMismatch(UploadError):
    def __init__(self, expected: int, given: int) -> None:
        super().__init__(f"the upload is at offset {expected}, not {given}")
        self.expected = expected
        self.given = given


class TooLong(UploadError):
    """The body would run past the upload's declared size."""

    def __init__(self, remaining: int) -> None:
        super().__init__(f"only {remaining} bytes remain")
        self.remaining = remaining


class ChecksumMismatch(UploadError):
    """The appended bytes do not have the digest the client declared; none were kept."""


class BodyIncomplete(UploadError):
    """The request body ended (or broke) before its declared length."""

    def __init__(self, kept: int) -> None:
        super().__init__(f"the body ended early; {kept} bytes kept")
        self.kept = kept


@dataclass(frozen=True)
class Checksum:
    """An `Upload-Checksum` header: the algorithm and the digest it names."""

    algorithm: str
    digest: bytes

    @classmethod
    def parse(cls, header: str) -> Checksum:
        """`"<algorithm> <base64 digest>"`; ValueError if malformed or unsupported."""
        algorithm, _, encoded = header.strip().partition(" ")
        algorithm = algorithm.lower()
        if algorithm not in CHECKSUM_ALGORITHMS:
            raise ValueError(f"unsupported checksum algorithm {algorithm!r}")
        try:
            digest = base64.b64decode(encoded.strip(), validate=True)
        except binascii.Error as exc:
            raise ValueError("the checksum is not base64") from exc
        if len(digest) != hashlib.new(algorithm).digest_size:
            raise ValueError(f"a {algorithm} digest has {hashlib.new(algorithm).digest_size} "
                             "bytes")
        return cls(algorithm, digest)


@dataclass(frozen=True)
class Appended:
    offset: int
    # The whole file's sha256 when this append made it complete and this process hashed every
    # byte of it as it arrived (saves a re-read).
    sha256_from_start: str | None


class RunningDigests:
    """The sha256 of each upload's bytes so far, for the uploads this process is receiving,
    valid only at the offset it was taken at (a cache: a miss costs one read at completion).
    Bounded, least recently used first out; safe across a worker's threads."""

    def __init__(self, capacity: int = 1024) -> None:
        self.capacity = capacity
        self._lock = threading.Lock()
        self._digests: OrderedDict[str, tuple[int, _Hash]] = OrderedDict()

    def resume(self, upload_id: str, offset: int) -> _Hash | None:
        """A copy of the digest of the first `offset` bytes; a fresh one at 0."""
        if offset == 0:
            return hashlib.sha256()
        with self._lock:
            kept = self._digests.get(upload_id)
        if kept is None or kept[0] != offset:
            return None
        return kept[1].copy()

    def keep(self, upload_id: str, offset: int, digest: _Hash) -> None:
        with self._lock:
            self._digests[upload_id] = (offset, digest)
            self._digests.move_to_end(upload_id)
            while len(self._digests) > self.capacity:
                self._digests.popitem(last=False)

    def forget(self, upload_id: str) -> None:
        with self._lock:
            self._digests.pop(upload_id, None)


type Read = Callable[[int], bytes]
"""`read(n)`: at most n bytes of the body, b"" at its end."""


class Readinto(Protocol):
    def readinto(self, buffer: memoryview, /) -> int:
        """Fill the start of `buffer` with the body's next bytes; how many (0 at its end)."""
        ...


type Body = Read | Readinto


def _filler(body: Body) -> Callable[[memoryview], int]:
    """`fill(view)`: as many of the body's next bytes as fit in `view` (fewer only at the
    end of the body), however it ends: the server's stream raises its own error types (a
    client gone away, a broken chunked encoding), which end the body here."""
    readinto = getattr(body, "readinto", None)
    if readinto is None:
        read = cast("Read", body)

        def readinto(view: memoryview) -> int:
            data = read(len(view))
            view[: len(data)] = data
            return len(data)

    def fill(view: memoryview) -> int:
        got = 0
        try:
            while got < len(view):
                n = readinto(view[got:])
                if not n:
                    break
                got += n
        except Exception:  # noqa: BLE001 - any failure to read is the body's end
            pass
        return got

    return fill


def _write(fd: int, view: memoryview, position: int) -> None:
    """All of `view` at `position`; then the kernel starts writing it back to the disk (not
    waited for), so that the `fdatasync` ending the append has little left to wait for."""
    done = 0
    while done < len(view):
        done += os.pwrite(fd, view[done:], position + done)
    if _START_WRITEBACK is not None:
        os.posix_fadvise(fd, position, len(view), _START_WRITEBACK)


def _hash(view: memoryview, digests: list[_Hash]) -> None:
    for digest in digests:
        digest.update(view)


# Linux starts the write-back of a range's dirty pages for POSIX_FADV_DONTNEED (and drops
# only the pages already clean): PostgreSQL's fallback for sync_file_range.
_START_WRITEBACK = getattr(os, "POSIX_FADV_DONTNEED", None) if sys.platform == "linux" else None


class _Buffers:
    """Blocks of CHUNK_SIZE bytes reused across appends (a new one per block costs page
    faults on every use); at most `keep` are kept."""

    def __init__(self, keep: int = 16) -> None:
        self.keep = keep
        self._lock = threading.Lock()
        self._free: list[bytearray] = []

    def take(self) -> bytearray:
        with self._lock:
            if self._free:
                return self._free.pop()
        return bytearray(CHUNK_SIZE)

    def give(self, block: bytearray) -> None:
        with self._lock:
            if len(self._free) < self.keep:
                self._free.append(block)


class PartialUploads:
    """A folder of unfinished uploads, named by upload id. Keep one per process (the web app
    does) for the running digests to save the re-read at completion."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.digests = RunningDigests()
        self._buffers = _Buffers()
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="kt1-upload")

    def path(self, upload_id: str) -> Path:
        if not upload_id or "/" in upload_id or upload_id.startswith("."):
            raise UploadMissing(upload_id)
        return self.root / f"{upload_id}.part"

    def create(self, upload_id: str) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.path(upload_id).touch(exist_ok=True)

    def exists(self, upload_id: str) -> bool:
        return self.path(upload_id).exists()

    def offset(self, upload_id: str, *, wait_s: float = SETTLE_WAIT_S) -> int:
        """The upload's offset: its file's size. While an append holds the file's lock its
        last bytes may not be synced yet, so the size is read once it has ended (the offset
        told then survives a crash, and the client's next append finds the lock free),
        waiting up to `wait_s`; past that (a slow body still arriving), what has arrived."""
        try:
            fh = self.path(upload_id).open("rb")
        except FileNotFoundError as exc:
            raise UploadMissing(upload_id) from exc
        with fh:
            fd, deadline = fh.fileno(), time.monotonic() + wait_s
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        return os.fstat(fd).st_size
                    time.sleep(SETTLE_POLL_S)
                    continue
                try:  # held for one fstat: an append arriving meanwhile is refused (423)
                    return os.fstat(fd).st_size
                finally:
                    fcntl.flock(fd, fcntl.LOCK_UN)

    def modified_at(self, upload_id: str) -> datetime:
        """When bytes last arrived (UTC)."""
        try:
            return datetime.fromtimestamp(self.path(upload_id).stat().st_mtime, UTC)
        except FileNotFoundError as exc:
            raise UploadMissing(upload_id) from exc

    def append(self, upload_id: str, body: Body, *, offset: int, length: int | None,
               total: int | None = None, checksum: Checksum | None = None) -> Appended:
        """Append `length` bytes of `body` at `offset`, which must be the current one; with
        `total` (the upload's whole size), never past it (`TooLong`), and `length` None takes
        what remains. Checked in that order, under the lock: locked, offset, size.

        `body` is a `read(n)` (at most n bytes, b"" at the end of the body) or has a
        `readinto(buffer)` (then read straight into this side's buffers); an early end (or a
        failing read) raises `BodyIncomplete`, the bytes kept unless `checksum` was given."""
        with self._locked(upload_id) as fh:
            fd = fh.fileno()
            current = os.fstat(fd).st_size
            if current != offset:
                raise OffsetMismatch(current, offset)
            remaining = None if total is None else total - offset
            if length is None:
                if remaining is None:
                    raise ValueError("an append of unknown length needs the upload's total")
                length = remaining
            elif remaining is not None and length > remaining:
                raise TooLong(remaining)
            check = hashlib.new(checksum.algorithm) if checksum else None
            whole = self.digests.resume(upload_id, offset)
            try:
                # Durable when it returns: the file is `offset + received` bytes, synced.
                received = self._receive(fd, offset, _filler(body), length,
                                         [h for h in (check, whole) if h is not None])
                if received < length:
                    kept = 0 if checksum else received
                    if kept < received:
                        self._settle(fd, offset + kept)
                    if kept:
                        self._keep(upload_id, offset + kept, whole, total)
                    raise BodyIncomplete(kept)
                if check is not None and checksum is not None and (
                        check.digest() != checksum.digest):
                    self._settle(fd, offset)
                    raise ChecksumMismatch(upload_id)
            except OSError:
                self.digests.forget(upload_id)  # what it hashed may not be what is on disk
                raise
            return Appended(offset + received,
                            self._keep(upload_id, offset + received, whole, total))

    def _receive(self, fd: int, position: int, fill: Callable[[memoryview], int],
                 length: int, digests: list[_Hash]) -> int:
        """Copy up to `length` bytes from `fill` to `fd` at `position`, through `digests`; how
        many came. Two blocks take turns: one is filled while the other is written and hashed
        (on the pool, in parallel; both release the GIL), so reading, writing and hashing
        overlap and memory stays at two blocks. Writes go to their own positions; the
        digests take the blocks one after the other, in order. Once the last write is done
        the file is synced (`fdatasync`) while the last block is still being hashed."""
        received = 0
        blocks = [self._buffers.take(), self._buffers.take()]
        using: list[list[Future[None]]] = [[], []]  # what still reads each block
        try:
            for turn in itertools.count():
                if received >= length:
                    break
                for future in using[turn % 2]:
                    future.result()
                block = memoryview(blocks[turn % 2])[: min(CHUNK_SIZE, length - received)]
                got = fill(block)
                if got:
                    view = block[:got]
                    using[turn % 2] = [self._pool.submit(_write, fd, view, position + received)]
                    if digests:
                        for future in using[(turn + 1) % 2][1:]:
                            future.result()  # the digests take the blocks in order
                        using[turn % 2].append(self._pool.submit(_hash, view, digests))
                    received += got
                if got < len(block):
                    break
            for futures in using:
                if futures:
                    futures[0].result()  # the writes
            os.fdatasync(fd)
        finally:
            # Every block is idle again before it is reused, even when a write failed.
            wait([future for futures in using for future in futures])
            for spent in blocks:
                self._buffers.give(spent)
        for futures in using:
            for future in futures:
                future.result()  # a failed write (OSError) is raised here
        return received

    def _keep(self, upload_id: str, offset: int, digest: _Hash | None,
              total: int | None) -> str | None:
        """Keep `digest` (of the first `offset` bytes, or None) for the next append; the
        whole file's sha256 once `offset` is its `total`."""
        if digest is None:
            return None
        if offset == total:
            self.digests.forget(upload_id)
            return digest.hexdigest()
        self.digests.keep(upload_id, offset, digest)
        return None

    def sha256(self, upload_id: str) -> str:
        """The sha256 of what the upload holds, read in blocks into a reused buffer."""
        digest = hashlib.sha256()
        block = self._buffers.take()
        try:
            view = memoryview(block)
            with self.path(upload_id).open("rb", buffering=0) as fh:
                while n := fh.readinto(view):
                    digest.update(view[:n])
        finally:
            self._buffers.give(block)
        return digest.hexdigest()

    def open(self, upload_id: str) -> BinaryIO:
        try:
            return self.path(upload_id).open("rb")
        except FileNotFoundError as exc:
            raise UploadMissing(upload_id) from exc

    def discard(self, upload_id: str) -> None:
        self.digests.forget(upload_id)
        self.path(upload_id).unlink(missing_ok=True)

    def ids(self) -> Iterator[str]:
        """Every upload id with bytes in the folder."""
        if self.root.is_dir():
            for entry in self.root.glob("*.part"):
                yield entry.name[: -len(".part")]

    @contextmanager
    def _locked(self, upload_id: str) -> Iterator[BinaryIO]:
        try:
            fh = self.path(upload_id).open("r+b")
        except FileNotFoundError as exc:
            raise UploadMissing(upload_id) from exc
        with fh:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise UploadLocked(upload_id) from exc
            try:
                yield fh
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    @staticmethod
    def _settle(fd: int, size: int) -> None:
        """Make the file exactly `size` bytes long and durable before the lock is released:
        its data and its size (which `fdatasync` writes too; only the times are left)."""
        if os.fstat(fd).st_size != size:
            os.ftruncate(fd, size)
        os.fdatasync(fd)
