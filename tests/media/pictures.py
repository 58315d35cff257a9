"""Test pictures made on the fly with Pillow and pillow-heif; no binary fixtures are committed."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

from PIL import Image, ImageCms

from media.images import ensure_heif

RED = (255, 0, 0)
BLUE = (0, 0, 255)
CAN_THO = (105.7469, 10.0452)  # lon, lat
SAO_PAULO = (-46.6333, -23.5505)


def two_tone(width: int = 400, height: int = 200) -> Image.Image:
    """As displayed: the top half red, the bottom half blue."""
    img = Image.new("RGB", (width, height), RED)
    img.paste(BLUE, (0, height // 2, width, height))
    return img


def stored_for_orientation_6(displayed: Image.Image) -> Image.Image:
    """The pixels a camera stores for Orientation 6 (display = stored turned 90° clockwise)."""
    return displayed.transpose(Image.Transpose.ROTATE_90)


def swapped_red_and_blue() -> bytes:
    """An RGB ICC profile that is sRGB with the red and blue primaries exchanged."""
    data = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    (count,) = struct.unpack_from(">I", data, 128)
    entries = {bytes(data[132 + 12 * n : 136 + 12 * n]): 132 + 12 * n for n in range(count)}
    red, blue = entries[b"rXYZ"], entries[b"bXYZ"]
    data[red + 4 : red + 12], data[blue + 4 : blue + 12] = (
        data[blue + 4 : blue + 12],
        data[red + 4 : red + 12],
    )
    return bytes(data)


def dms(value: float) -> tuple[float, float, float]:
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round((value - degrees - minutes / 60) * 3600, 4)
    return float(degrees), float(minutes), seconds


def exif(
    *,
    lon_lat: tuple[float, float] | None = None,
    taken: str | None = None,
    offset: str | None = None,
    make: str | None = None,
    model: str | None = None,
    orientation: int | None = None,
) -> Image.Exif:
    data = Image.Exif()
    if make:
        data[0x010F] = make
    if model:
        data[0x0110] = model
    if orientation:
        data[0x0112] = orientation
    if taken:
        sub = data.get_ifd(0x8769)
        sub[0x9003] = taken
        if offset:
            sub[0x9011] = offset
    if lon_lat:
        lon, lat = lon_lat
        gps = data.get_ifd(0x8825)
        gps[1] = "N" if lat >= 0 else "S"
        gps[2] = dms(lat)
        gps[3] = "E" if lon >= 0 else "W"
        gps[4] = dms(lon)
    return data


def save_jpeg(
    path: Path, img: Image.Image, data: Image.Exif | None = None, **params: object
) -> Path:
    if data is not None:
        params["exif"] = data.tobytes()
    img.save(path, "JPEG", **params)
    return path


def save_heic(path: Path, img: Image.Image, data: Image.Exif | None = None) -> Path:
    ensure_heif()
    params: dict[str, object] = {"quality": 90}
    if data is not None:
        params["exif"] = data.tobytes()
    img.save(path, "HEIF", **params)
    return path


def noisy(width: int, height: int) -> Image.Image:
    """A picture with detail, so its JPEG has a substantial entropy-coded body."""
    return Image.effect_noise((width, height), 64).convert("RGB")


def png_bomb(path: Path, width: int, height: int) -> Path:
    """A real, valid 1-bit PNG of zeros: a tiny file that would decode to width x height pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    row = b"\x00" * (1 + (width + 7) // 8)
    packer = zlib.compressobj(9)
    body = io.BytesIO()
    rows_per_batch = 1000
    for start in range(0, height, rows_per_batch):
        body.write(packer.compress(row * min(rows_per_batch, height - start)))
    body.write(packer.flush())
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", body.getvalue())
        + chunk(b"IEND", b"")
    )
    return path
