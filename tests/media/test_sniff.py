"""The real type of an upload comes from its bytes, never its name."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from PIL import Image

from media.sniff import SNIFF_BYTES, sha256_of, sniff, sniff_file
from tests.media.pictures import save_heic, two_tone


@pytest.mark.parametrize(
    ("fmt", "mime"),
    [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")],
)
def test_sniff_recognises_each_supported_type_from_pillow_output(fmt: str, mime: str) -> None:
    out = io.BytesIO()
    two_tone(32, 32).save(out, fmt)
    assert sniff(out.getvalue()[:SNIFF_BYTES]) == mime


def test_sniff_recognises_a_heic_written_by_pillow_heif(tmp_path: Path) -> None:
    path = save_heic(tmp_path / "ipad.heic", two_tone(64, 64))
    assert sniff_file(path) == "image/heic"


@pytest.mark.parametrize(
    ("ftyp", "mime"),
    [
        (b"heic" + b"\0\0\0\0" + b"mif1heic", "image/heic"),
        (b"heix" + b"\0\0\0\0" + b"mif1heix", "image/heic"),
        (b"mif1" + b"\0\0\0\0" + b"mif1heic", "image/heic"),
        (b"mif1" + b"\0\0\0\0" + b"mif1miaf", "image/heif"),
        (b"msf1" + b"\0\0\0\0" + b"msf1iso8", "image/heif"),
        (b"mif1" + b"\0\0\0\0" + b"mif1avif", None),
        (b"avif" + b"\0\0\0\0" + b"mif1avif", None),
        (b"isom" + b"\0\0\0\0" + b"isomiso2", None),
    ],
)
def test_sniff_reads_iso_bmff_brands(ftyp: bytes, mime: str | None) -> None:
    box = (8 + len(ftyp)).to_bytes(4, "big") + b"ftyp" + ftyp
    assert sniff(box + b"\0\0\0\x08meta") == mime


@pytest.mark.parametrize(
    "head",
    [b"", b"\xff\xd8", b"RIFF\0\0\0\0WAVE", b"GIF89a", b"%PDF-1.7", b"Xin chao, day la van ban"],
)
def test_sniff_refuses_anything_else(head: bytes) -> None:
    assert sniff(head) is None


def test_a_text_file_named_jpg_is_not_an_image(tmp_path: Path) -> None:
    path = tmp_path / "anh-vi-pham.jpg"
    path.write_text("Đây không phải là ảnh.", encoding="utf-8")
    assert sniff_file(path) is None


def test_sha256_of_streams_a_path_or_a_stream(tmp_path: Path) -> None:
    data = b"\x00\x01" * 3_000_000
    path = tmp_path / "blob"
    path.write_bytes(data)
    expected = hashlib.sha256(data).hexdigest()
    assert sha256_of(path) == sha256_of(str(path)) == sha256_of(io.BytesIO(data)) == expected


def test_a_png_sniffs_as_png_whatever_its_name(tmp_path: Path) -> None:
    path = tmp_path / "photo.heic"
    Image.new("RGB", (8, 8)).save(path, "PNG")
    assert sniff_file(path) == "image/png"
