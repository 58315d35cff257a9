"""BlobStore behaviour, the same on the filesystem store and on a real S3-compatible server."""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from media.blobstore import (
    BlobMismatch,
    BlobNotFound,
    BlobStore,
    FileBlobStore,
    S3BlobStore,
    store_from_url,
)

MB = 1024 * 1024
ROOT = Path(__file__).resolve().parents[2]


class GeneratedStream:
    """`size` pseudo-random bytes made as they are read; never held in memory as a whole."""

    def __init__(self, size: int, *, fail_after: int | None = None) -> None:
        self.remaining = size
        self.fail_after = fail_after
        self.sent = 0
        self.block = random.Random(1).randbytes(MB)
        self.digest = hashlib.sha256()

    def read(self, size: int = -1, /) -> bytes:
        if self.fail_after is not None and self.sent >= self.fail_after:
            raise OSError("connection reset by the tablet")
        n = min(size if size > 0 else MB, self.remaining, MB)
        chunk = (self.sent // MB).to_bytes(8, "big") + self.block[8:n] if n >= 8 else self.block[:n]
        self.digest.update(chunk)
        self.remaining -= n
        self.sent += n
        return chunk


def test_putting_the_same_bytes_twice_stores_one_object_under_their_sha256(
    store: BlobStore,
) -> None:
    data = b"bien ban kiem tra KT1" * 1000
    first = store.put(io.BytesIO(data))
    second = store.put(io.BytesIO(data))
    assert first == second == (hashlib.sha256(data).hexdigest(), len(data))
    with store.open(first[0]) as stream:
        assert stream.read() == data


def test_the_filesystem_store_keeps_one_file_in_fan_out_directories(
    file_store: FileBlobStore, tmp_path: Path
) -> None:
    source = tmp_path / "photo.jpg"
    source.write_bytes(b"\xff\xd8\xff" + b"x" * 5000)
    sha, _ = file_store.put(source)
    file_store.put(source)
    file_store.put(io.BytesIO(source.read_bytes()))
    objects = [p for p in file_store.root.rglob("*") if p.is_file()]
    assert objects == [file_store.root / sha[:2] / sha[2:4] / sha]
    assert objects[0].read_bytes() == source.read_bytes()


def test_a_path_and_a_stream_of_the_same_bytes_give_the_same_object(
    store: BlobStore, tmp_path: Path
) -> None:
    source = tmp_path / "a.bin"
    source.write_bytes(bytes(range(256)) * 100)
    assert store.put(source) == store.put(io.BytesIO(source.read_bytes()))


def test_open_exists_size_and_delete_work_on_a_stored_object(store: BlobStore) -> None:
    sha, size = store.put(io.BytesIO(b"evidence"))
    assert store.exists(sha)
    assert store.size(sha) == size == 8
    store.delete(sha)
    assert not store.exists(sha)
    with pytest.raises(BlobNotFound):
        store.open(sha)
    with pytest.raises(BlobNotFound):
        store.size(sha)
    store.delete(sha)  # deleting again is not an error


def test_put_file_stores_a_file_whose_declared_sha256_is_right(
    store: BlobStore, tmp_path: Path
) -> None:
    source = tmp_path / "upload.part"
    source.write_bytes(b"tus upload body")
    sha = hashlib.sha256(b"tus upload body").hexdigest()
    assert store.put_file(source, sha) == 15
    assert store.put_file(source, sha) == 15
    with store.open(sha) as stream:
        assert stream.read() == b"tus upload body"


def test_put_file_refuses_a_declared_sha256_the_bytes_do_not_have_and_keeps_nothing(
    store: BlobStore, tmp_path: Path
) -> None:
    source = tmp_path / "upload.part"
    source.write_bytes(b"tampered")
    wrong = hashlib.sha256(b"original").hexdigest()
    with pytest.raises(BlobMismatch):
        store.put_file(source, wrong)
    assert not store.exists(wrong)
    assert not store.exists(hashlib.sha256(b"tampered").hexdigest())


def test_adopting_a_file_stores_it_and_survives_the_file_being_removed(
    store: BlobStore, tmp_path: Path
) -> None:
    source = tmp_path / "upload.part"
    source.write_bytes(b"an upload checked by its receiver")
    sha = hashlib.sha256(source.read_bytes()).hexdigest()
    assert store.adopt(source, sha) == 33
    assert store.adopt(source, sha) == 33  # idempotent
    source.unlink()  # the upload folder forgets it after the commit
    with store.open(sha) as stream:
        assert stream.read() == b"an upload checked by its receiver"


def test_the_filesystem_store_adopts_by_hard_link_without_a_copy(
    file_store: FileBlobStore, tmp_path: Path
) -> None:
    source = tmp_path / "upload.part"
    source.write_bytes(b"200 MB in real life")
    sha = hashlib.sha256(source.read_bytes()).hexdigest()
    file_store.adopt(source, sha)
    assert file_store.path_for(sha).stat().st_ino == source.stat().st_ino


@pytest.mark.parametrize(
    "bad",
    ["", "abc", "A" * 64, "g" * 64, "0" * 63, "0" * 65, "../" + "0" * 61, "0" * 62 + "/x"],
)
def test_a_key_that_is_not_64_lowercase_hex_digits_is_a_value_error(
    store: BlobStore, bad: str, tmp_path: Path
) -> None:
    source = tmp_path / "f"
    source.write_bytes(b"x")
    for call in (store.open, store.exists, store.size, store.delete):
        with pytest.raises(ValueError):
            call(bad)
    with pytest.raises(ValueError):
        store.put_file(source, bad)
    with pytest.raises(ValueError):
        store.adopt(source, bad)


def test_a_50_mb_stream_is_stored_and_hashed_correctly(store: BlobStore) -> None:
    stream = GeneratedStream(50 * MB)
    sha, size = store.put(stream)
    assert (sha, size) == (stream.digest.hexdigest(), 50 * MB)
    assert store.size(sha) == 50 * MB
    check = hashlib.sha256()
    with store.open(sha) as body:
        while chunk := body.read(MB):
            check.update(chunk)
    assert check.hexdigest() == sha


# Run in a fresh interpreter: tracemalloc counts the allocations of every thread, and a test
# process may still hold other modules' threads (live servers, clients). moto keeps S3 objects
# in memory, so only the file store is measured.
PEAK_SCRIPT = """
import json, sys, tracemalloc
from pathlib import Path
from media.blobstore import FileBlobStore
from tests.media.test_blobstore import MB, GeneratedStream
store = FileBlobStore(Path(sys.argv[1]))
stream = GeneratedStream(50 * MB)
tracemalloc.start()
sha, size = store.put(stream)
peak = tracemalloc.get_traced_memory()[1]
print(json.dumps({"sha": sha, "size": size, "expected": stream.digest.hexdigest(), "peak": peak}))
"""


def test_a_50_mb_stream_is_stored_in_less_than_8_mb_of_memory(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, "-c", PEAK_SCRIPT, str(tmp_path / "media")],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    got = json.loads(run.stdout.splitlines()[-1])
    assert (got["sha"], got["size"]) == (got["expected"], 50 * MB)
    assert got["peak"] < 8 * MB


def test_a_stream_that_fails_midway_leaves_no_object_and_no_temporary_file(
    file_store: FileBlobStore,
) -> None:
    with pytest.raises(OSError, match="connection reset"):
        file_store.put(GeneratedStream(10 * MB, fail_after=3 * MB))
    assert [p for p in file_store.root.rglob("*") if p.is_file()] == []


def test_a_successful_put_leaves_no_temporary_file(file_store: FileBlobStore) -> None:
    sha, _ = file_store.put(io.BytesIO(b"x" * 100))
    files = [p for p in file_store.root.rglob("*") if p.is_file()]
    assert files == [file_store.path_for(sha)]


def test_an_s3_stream_that_fails_midway_uploads_nothing(s3_store: S3BlobStore) -> None:
    with pytest.raises(OSError, match="connection reset"):
        s3_store.put(GeneratedStream(10 * MB, fail_after=3 * MB))
    listing = s3_store.client.list_objects_v2(Bucket=s3_store.bucket)
    assert listing.get("KeyCount", 0) == 0


def test_s3_objects_live_under_the_prefix_and_are_uploaded_once(s3_store: S3BlobStore) -> None:
    sha, _ = s3_store.put(io.BytesIO(b"same bytes"))
    s3_store.put(io.BytesIO(b"same bytes"))
    listing = s3_store.client.list_objects_v2(Bucket=s3_store.bucket)
    assert [o["Key"] for o in listing["Contents"]] == [f"photos/originals/{sha}"]


def test_store_from_url_chooses_the_filesystem_for_a_file_url(tmp_path: Path) -> None:
    store = store_from_url(f"file://{tmp_path}/media")
    assert isinstance(store, FileBlobStore)
    assert store.root == tmp_path / "media"


def test_store_from_url_chooses_s3_for_an_s3_url(
    s3_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    store = store_from_url("s3://kt1-evidence/hcm/photos/", s3_endpoint_url=s3_endpoint)
    assert isinstance(store, S3BlobStore)
    assert (store.bucket, store.prefix) == ("kt1-evidence", "hcm/photos/")
    store.client.create_bucket(Bucket="kt1-evidence")
    sha, _ = store.put(io.BytesIO(b"via url"))
    assert store.exists(sha)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://host/media", "unsupported KT1_MEDIA_URL scheme 'ftp'"),
        ("/var/media", "unsupported KT1_MEDIA_URL scheme ''"),
        ("file://server/media", "no host"),
        ("file:relative/media", "absolute path"),
        ("s3:///prefix", "no bucket"),
    ],
)
def test_store_from_url_refuses_what_it_cannot_serve_with_a_clear_message(
    url: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        store_from_url(url)


def test_a_usable_store_passes_its_check(store):
    store.check()


def test_a_file_store_under_an_unwritable_path_fails_its_check(tmp_path):
    from media.blobstore import FileBlobStore

    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    with pytest.raises(OSError):
        FileBlobStore(blocker / "media").check()


@pytest.fixture
def synced_dirs(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The folders the file store fsyncs, in order."""
    synced: list[Path] = []
    fsync = os.fsync

    def recorded(fd: int) -> None:
        target = Path(os.readlink(f"/proc/self/fd/{fd}"))
        if target.is_dir():
            synced.append(target)
        fsync(fd)

    monkeypatch.setattr(os, "fsync", recorded)
    return synced


def test_a_new_object_s_name_is_synced_with_every_folder_made_for_it(
    tmp_path: Path, synced_dirs: list[Path]
) -> None:
    """A rename or a hard link survives a crash only once its folder is synced: a put and an
    adoption each sync the folder that holds the new name and the folders made for it; an
    object already stored syncs nothing more."""
    put_store, adopt_store = FileBlobStore(tmp_path / "a"), FileBlobStore(tmp_path / "b")
    for store in (put_store, adopt_store):
        store.root.mkdir()
    sha, _ = put_store.put(io.BytesIO(b"an object"))
    folder = put_store.path_for(sha).parent
    assert synced_dirs == [folder, folder.parent, put_store.root]

    synced_dirs.clear()
    source = tmp_path / "upload.part"
    source.write_bytes(b"an upload checked by its receiver")
    other = hashlib.sha256(source.read_bytes()).hexdigest()
    adopt_store.adopt(source, other)
    folder = adopt_store.path_for(other).parent
    assert synced_dirs == [folder, folder.parent, adopt_store.root]
    assert adopt_store.path_for(other).stat().st_ino == source.stat().st_ino

    synced_dirs.clear()
    adopt_store.adopt(source, other)
    put_store.put(io.BytesIO(b"an object"))
    assert synced_dirs == []
