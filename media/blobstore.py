"""Content-addressed blob storage keyed by sha256: a filesystem store and an S3-compatible one.

`put` streams in constant memory and is idempotent: the same bytes stored twice are one object.
An object is either complete under its key or absent; readers never see a partial object.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Any, BinaryIO, Protocol, cast
from urllib.parse import unquote, urlparse

import boto3
from botocore.exceptions import ClientError

CHUNK_SIZE = 1024 * 1024
_SHA256 = re.compile(r"[0-9a-f]{64}")



class Readable(Protocol):
    """Anything with a binary `read(size)`: a file, a request body, a socket stream."""

    def read(self, size: int = ..., /) -> bytes: ...


type Source = str | os.PathLike[str] | Readable


class BlobNotFound(LookupError):
    """No object is stored under this sha256."""


class BlobMismatch(ValueError):
    """The bytes given do not hash to the sha256 the caller declared."""


def check_sha256(sha256: str) -> str:
    """Return `sha256` if it is 64 lowercase hex digits, else raise ValueError."""
    if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
        raise ValueError(f"not a sha256 key (64 lowercase hex digits): {sha256!r}")
    return sha256


class BlobStore(Protocol):
    def put(self, source: Source) -> tuple[str, int]:
        """Store a file or stream; return (sha256, size). Idempotent."""
        ...

    def put_file(self, path: str | os.PathLike[str], sha256: str) -> int:
        """Store a file the caller says hashes to `sha256`; verified, BlobMismatch if not. Size."""
        ...

    def adopt(self, path: str | os.PathLike[str], sha256: str) -> int:
        """Store a file the caller has itself hashed to `sha256`, without hashing it again;
        the store may hard-link it, so the caller must not change the file afterwards. Size."""
        ...

    def open(self, sha256: str) -> BinaryIO:
        """A binary stream of the object; BlobNotFound if absent. The caller closes it."""
        ...

    def exists(self, sha256: str) -> bool: ...

    def check(self) -> None:
        """Raise if the store cannot be used right now (for health checks)."""
        ...

    def size(self, sha256: str) -> int:
        """Size in bytes; BlobNotFound if absent."""
        ...

    def delete(self, sha256: str) -> None:
        """Remove the object; deleting an absent object is not an error."""
        ...


def _copy_hashing(source: Readable, target: BinaryIO) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    while chunk := source.read(CHUNK_SIZE):
        digest.update(chunk)
        target.write(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def _hash_file(path: str | os.PathLike[str]) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK_SIZE):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _sync_dirs(dirs: list[Path]) -> None:
    """fsync each folder, so a name just made in it survives a crash as its data does (a
    rename or link is durable only once its folder is synced)."""
    for folder in dirs:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class FileBlobStore:
    """Objects at `root/ab/cd/<sha256>`; written to `root/.incoming/` and renamed into place."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self._incoming = self.root / ".incoming"

    def path_for(self, sha256: str) -> Path:
        check_sha256(sha256)
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, source: Source) -> tuple[str, int]:
        if isinstance(source, str | os.PathLike):
            with open(source, "rb") as f:
                return self._store(f, None)
        return self._store(source, None)

    def put_file(self, path: str | os.PathLike[str], sha256: str) -> int:
        check_sha256(sha256)
        with open(path, "rb") as f:
            return self._store(f, sha256)[1]

    def adopt(self, path: str | os.PathLike[str], sha256: str) -> int:
        final = self.path_for(sha256)
        size = os.stat(path).st_size
        if final.exists():
            return size
        made = self._make_folder_for(final)
        try:
            os.link(path, final)  # same filesystem: no copy at all
        except FileExistsError:
            pass  # another adopter's: synced below all the same
        except OSError:  # another filesystem, or no hard links: copy it in
            return self.put_file(path, sha256)
        _sync_dirs(made)
        return size

    def _store(self, source: Readable, expected: str | None) -> tuple[str, int]:
        self._incoming.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=self._incoming, prefix="put-")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                sha256, size = _copy_hashing(source, out)
                out.flush()
                os.fsync(out.fileno())
            if expected is not None and sha256 != expected:
                raise BlobMismatch(f"declared sha256 {expected}, content hashes to {sha256}")
            final = self.path_for(sha256)
            if final.exists():
                return sha256, size
            made = self._make_folder_for(final)
            os.replace(tmp, final)
            _sync_dirs(made)
            return sha256, size
        finally:
            tmp.unlink(missing_ok=True)

    def _make_folder_for(self, final: Path) -> list[Path]:
        """Make `final`'s folder if need be. Returns the folders to sync once `final` is
        there: its own, and with each folder made now, the one above it."""
        dirs = [final.parent]
        while not dirs[-1].exists() and dirs[-1] != self.root:
            dirs.append(dirs[-1].parent)
        final.parent.mkdir(parents=True, exist_ok=True)
        return dirs

    def open(self, sha256: str) -> BinaryIO:
        try:
            return self.path_for(sha256).open("rb")
        except FileNotFoundError:
            raise BlobNotFound(sha256) from None

    def check(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=self.root, prefix=".healthz-"):
            pass

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def size(self, sha256: str) -> int:
        try:
            return self.path_for(sha256).stat().st_size
        except FileNotFoundError:
            raise BlobNotFound(sha256) from None

    def delete(self, sha256: str) -> None:
        self.path_for(sha256).unlink(missing_ok=True)


def _is_missing(error: ClientError) -> bool:
    code = str(error.response.get("Error", {}).get("Code", ""))
    return code in {"404", "NoSuchKey", "NotFound"}


class S3BlobStore:
    """Objects at `s3://bucket/prefix<sha256>` on any S3-compatible service.

    A stream is spooled to a local temporary file while hashing (its key is its hash), so memory
    stays constant; an object already present is not uploaded again.
    """

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        endpoint_url: str | None = None,
        client: Any = None,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        if client is None:
            client = boto3.client("s3", endpoint_url=endpoint_url)
        self.client = client

    def key_for(self, sha256: str) -> str:
        return self.prefix + check_sha256(sha256)

    def put(self, source: Source) -> tuple[str, int]:
        if isinstance(source, str | os.PathLike):
            sha256, size = _hash_file(source)
            self._upload(source, sha256)
            return sha256, size
        with tempfile.TemporaryFile() as spool:
            sha256, size = _copy_hashing(source, cast(BinaryIO, spool))
            spool.seek(0)
            if not self.exists(sha256):
                self.client.upload_fileobj(spool, self.bucket, self.key_for(sha256))
        return sha256, size

    def put_file(self, path: str | os.PathLike[str], sha256: str) -> int:
        check_sha256(sha256)
        actual, size = _hash_file(path)
        if actual != sha256:
            raise BlobMismatch(f"declared sha256 {sha256}, content hashes to {actual}")
        self._upload(path, sha256)
        return size

    def adopt(self, path: str | os.PathLike[str], sha256: str) -> int:
        self._upload(path, check_sha256(sha256))
        return os.stat(path).st_size

    def _upload(self, path: str | os.PathLike[str], sha256: str) -> None:
        if self.exists(sha256):
            return
        with open(path, "rb") as f:
            self.client.upload_fileobj(f, self.bucket, self.key_for(sha256))

    def open(self, sha256: str) -> BinaryIO:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self.key_for(sha256))
        except ClientError as error:
            if _is_missing(error):
                raise BlobNotFound(sha256) from None
            raise
        return cast(BinaryIO, response["Body"])

    def check(self) -> None:
        self.client.head_bucket(Bucket=self.bucket)

    def exists(self, sha256: str) -> bool:
        try:
            self._head(sha256)
        except BlobNotFound:
            return False
        return True

    def size(self, sha256: str) -> int:
        return int(self._head(sha256)["ContentLength"])

    def _head(self, sha256: str) -> dict[str, Any]:
        try:
            return cast(
                dict[str, Any],
                self.client.head_object(Bucket=self.bucket, Key=self.key_for(sha256)),
            )
        except ClientError as error:
            if _is_missing(error):
                raise BlobNotFound(sha256) from None
            raise

    def delete(self, sha256: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.key_for(sha256))


def store_from_url(media_url: str, *, s3_endpoint_url: str | None = None) -> BlobStore:
    """A store from `KT1_MEDIA_URL`: `file:///absolute/path` or `s3://bucket/prefix`."""
    parsed = urlparse(media_url)
    if parsed.scheme == "file":
        if parsed.netloc not in ("", "localhost"):
            raise ValueError(f"KT1_MEDIA_URL file URLs name no host: {media_url!r}")
        path = Path(unquote(parsed.path))
        if not path.is_absolute() or not parsed.path:
            raise ValueError(f"KT1_MEDIA_URL needs an absolute path (file:///...): {media_url!r}")
        return FileBlobStore(path)
    if parsed.scheme == "s3":
        if not parsed.netloc:
            raise ValueError(f"KT1_MEDIA_URL names no bucket (s3://bucket/prefix): {media_url!r}")
        return S3BlobStore(parsed.netloc, unquote(parsed.path), endpoint_url=s3_endpoint_url)
    raise ValueError(
        f"unsupported KT1_MEDIA_URL scheme {parsed.scheme!r} in {media_url!r}; "
        "use file:///absolute/path or s3://bucket/prefix"
    )
