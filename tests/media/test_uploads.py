"""The bytes of unfinished uploads: appends in blocks, the offset on disk, and the whole file's
sha256 kept running across appends without a wrong digest ever coming out of it."""

from __future__ import annotations

import base64
import hashlib
import io
import itertools
import os
import threading
import time
from pathlib import Path

import pytest

from media.uploads import (
    CHUNK_SIZE,
    BodyIncomplete,
    Checksum,
    ChecksumMismatch,
    PartialUploads,
)

DATA = os.urandom(3 * CHUNK_SIZE + 12345)
SHA256 = hashlib.sha256(DATA).hexdigest()


@pytest.fixture
def partials(tmp_path: Path) -> PartialUploads:
    uploads = PartialUploads(tmp_path)
    uploads.create("u1")
    return uploads


def send(partials: PartialUploads, start: int, end: int, **kwargs):  # type: ignore[no-untyped-def]
    return partials.append("u1", io.BytesIO(DATA[start:end]).read, offset=start,
                           length=end - start, total=len(DATA), **kwargs)


def checksum(data: bytes) -> Checksum:
    return Checksum.parse(f"sha1 {base64.b64encode(hashlib.sha1(data).digest()).decode()}")


def test_appends_in_several_requests_end_with_the_whole_files_sha256(partials):
    cuts = [0, 700_000, 2 * CHUNK_SIZE + 5, len(DATA)]
    answers = [send(partials, a, b) for a, b in itertools.pairwise(cuts)]
    assert [a.offset for a in answers] == cuts[1:]
    assert [a.sha256_from_start for a in answers] == [None, None, SHA256]
    assert partials.path("u1").read_bytes() == DATA


def test_a_refused_checksum_leaves_the_running_digest_at_the_kept_offset(partials):
    send(partials, 0, CHUNK_SIZE)
    with pytest.raises(ChecksumMismatch):
        send(partials, CHUNK_SIZE, len(DATA), checksum=checksum(b"other bytes"))
    assert partials.offset("u1") == CHUNK_SIZE
    done = send(partials, CHUNK_SIZE, len(DATA), checksum=checksum(DATA[CHUNK_SIZE:]))
    assert done.sha256_from_start == SHA256


def test_a_body_cut_short_keeps_its_bytes_and_the_digest_follows_them(partials):
    half = 1_500_000
    body = io.BytesIO(DATA[:half])
    with pytest.raises(BodyIncomplete) as cut:
        partials.append("u1", body.read, offset=0, length=len(DATA), total=len(DATA))
    assert cut.value.kept == half == partials.offset("u1")
    assert send(partials, half, len(DATA)).sha256_from_start == SHA256


def test_bytes_another_process_appended_are_never_taken_for_known_ones(tmp_path, partials):
    other = PartialUploads(tmp_path)  # another web process on the same folder
    send(partials, 0, CHUNK_SIZE)
    other.append("u1", io.BytesIO(DATA[CHUNK_SIZE:2 * CHUNK_SIZE]).read, offset=CHUNK_SIZE,
                 length=CHUNK_SIZE, total=len(DATA))
    done = send(partials, 2 * CHUNK_SIZE, len(DATA))
    assert done.sha256_from_start is None  # not seen here: completion reads the file
    assert partials.sha256("u1") == SHA256


def test_a_discarded_upload_forgets_its_digest(tmp_path, partials):
    send(partials, 0, CHUNK_SIZE)
    partials.discard("u1")
    partials.create("u1")
    other = os.urandom(CHUNK_SIZE)
    PartialUploads(tmp_path).append("u1", io.BytesIO(other).read, offset=0,
                                    length=CHUNK_SIZE, total=len(DATA))
    done = send(partials, CHUNK_SIZE, len(DATA))
    assert done.sha256_from_start is None
    assert partials.sha256("u1") == hashlib.sha256(other + DATA[CHUNK_SIZE:]).hexdigest()


class Trickle:
    """A body with `readinto` that hands out its bytes in uneven pieces, as a socket does."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.sizes = itertools.cycle([1, 70_000, 4096, CHUNK_SIZE, 333_333])

    def readinto(self, buffer: memoryview) -> int:
        n = min(len(buffer), next(self.sizes), len(self.data))
        buffer[:n] = self.data[:n]
        self.data = self.data[n:]
        return n


def test_a_body_read_into_the_buffers_in_uneven_pieces_lands_whole_and_hashed_in_order(
        partials):
    done = partials.append("u1", Trickle(DATA), offset=0, length=len(DATA), total=len(DATA),
                           checksum=checksum(DATA))
    assert done.sha256_from_start == SHA256
    assert partials.path("u1").read_bytes() == DATA


def test_the_buffers_of_one_append_never_leak_into_the_next(tmp_path):
    uploads = PartialUploads(tmp_path)
    first, second = os.urandom(2 * CHUNK_SIZE + 10), os.urandom(CHUNK_SIZE // 2)
    for name, data in (("a", first), ("b", second)):
        uploads.create(name)
        uploads.append(name, Trickle(data), offset=0, length=len(data), total=len(data))
    assert uploads.path("a").read_bytes() == first
    assert uploads.path("b").read_bytes() == second


class Dropped:
    """A body whose link drops: `sent` bytes arrive, then nothing until `drop` is set, then
    its end (as a socket closed by the client)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.drop = threading.Event()
        self.waiting = threading.Event()

    def readinto(self, buffer: memoryview) -> int:
        if self.data:
            n = min(len(buffer), len(self.data))
            buffer[:n] = self.data[:n]
            self.data = self.data[n:]
            return n
        self.waiting.set()
        self.drop.wait(10)
        return 0


def test_reading_the_offset_waits_for_an_append_in_progress_to_end_and_keep_its_bytes(
        partials):
    sent = CHUNK_SIZE + 1000  # one block written, the next one filling when the link drops
    body = Dropped(DATA[:sent])
    failed: list[BaseException] = []

    def append() -> None:
        try:
            partials.append("u1", body, offset=0, length=len(DATA), total=len(DATA))
        except BodyIncomplete as exc:
            failed.append(exc)

    appending = threading.Thread(target=append)
    appending.start()
    assert body.waiting.wait(10)
    # Not waiting: what is on disk so far, while the append still holds the upload.
    assert partials.offset("u1", wait_s=0) < sent
    told: list[int] = []
    reader = threading.Thread(target=lambda: told.append(partials.offset("u1", wait_s=10)))
    reader.start()
    time.sleep(0.2)
    assert told == []  # still waiting for the append
    body.drop.set()
    reader.join(10)
    appending.join(10)
    assert told == [sent] and len(failed) == 1 and failed[0].kept == sent
    # The next append finds the upload free at that offset.
    rest = partials.append("u1", io.BytesIO(DATA[sent:]).read, offset=sent,
                           length=len(DATA) - sent, total=len(DATA))
    assert rest.offset == len(DATA)
    assert partials.path("u1").read_bytes() == DATA
