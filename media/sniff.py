"""Content sniffing and hashing: the real type comes from the bytes, never the name or a header."""

from __future__ import annotations

import hashlib
import os
from typing import Protocol

SNIFF_BYTES = 256
CHUNK_SIZE = 1024 * 1024

_HEIC_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs"})
_HEIF_BRANDS = frozenset({b"mif1", b"msf1"})
_AVIF_BRANDS = frozenset({b"avif", b"avis"})


class Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


def sniff(head: bytes) -> str | None:
    """MIME type of a supported image from its first bytes (`SNIFF_BYTES` suffice), else None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return _sniff_isobmff(head)


def _sniff_isobmff(head: bytes) -> str | None:
    if len(head) < 16 or head[4:8] != b"ftyp":
        return None
    box_size = int.from_bytes(head[:4], "big")
    if box_size < 16:
        return None
    major = head[8:12]
    end = min(box_size, len(head))
    compatible = {head[i : i + 4] for i in range(16, end - 3, 4)}
    if major in _HEIC_BRANDS:
        return "image/heic"
    if major in _HEIF_BRANDS:
        if compatible & _HEIC_BRANDS:
            return "image/heic"
        if compatible & _AVIF_BRANDS:
            return None
        return "image/heif"
    return None


def sniff_file(path: str | os.PathLike[str]) -> str | None:
    """`sniff` on the first bytes of a file."""
    with open(path, "rb") as f:
        return sniff(f.read(SNIFF_BYTES))


def sha256_of(source: str | os.PathLike[str] | Readable) -> str:
    """Hex sha256 of a file or of a binary stream read to its end, in constant memory."""
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as f:
            return sha256_of(f)
    digest = hashlib.sha256()
    while chunk := source.read(CHUNK_SIZE):
        digest.update(chunk)
    return digest.hexdigest()
