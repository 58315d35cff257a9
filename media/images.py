"""Photo evidence processing: sniffed type, bomb and pixel limits, EXIF facts, safe derivatives.

Nothing in an upload is trusted: the type comes from the bytes, the declared dimensions are
checked before any pixel is decoded, and every failure becomes an `ImageRejected` with a stable
reason code and a Vietnamese message for the inspector, never a crashed worker.
"""

from __future__ import annotations

import io
import math
import os
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from functools import cache, lru_cache
from itertools import chain, product
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PIL import Image, ImageChops, ImageCms, ImageOps

from media.sniff import sniff_file

DEFAULT_MAX_PIXELS = 50_000_000
# Declared pixels per byte of file above which an oversized image counts as a decompression bomb.
# Camera photos are a few pixels per byte, even a solid-colour JPEG under 100; a zlib bomb is ~8000.
BOMB_PIXELS_PER_BYTE = 1_000
EARTH_RADIUS_M = 6_371_008.8

_PIL_FORMATS = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/webp": "WEBP",
    "image/heic": "HEIF",
    "image/heif": "HEIF",
}
_HEIF_TYPES = frozenset({"image/heic", "image/heif"})
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, RuntimeError, IndexError)
_RESAMPLE = Image.Resampling.BICUBIC
# A profile that moves no channel of any probed colour by more than this is taken as sRGB.
_SRGB_TOLERANCE = 2

_MESSAGES_VI = {
    "unsupported-type": (
        "Tệp không phải là ảnh được hỗ trợ; chỉ nhận ảnh JPEG, PNG, HEIC/HEIF hoặc WebP."
    ),
    "truncated": "Tệp ảnh bị thiếu dữ liệu (tải lên chưa trọn vẹn); vui lòng tải lại ảnh.",
    "corrupt": "Tệp ảnh bị hỏng, không đọc được; vui lòng chụp hoặc tải lại ảnh.",
    "decompression-bomb": (
        "Tệp ảnh khai báo kích thước bất thường so với dung lượng tệp (nghi là tệp độc hại) "
        "nên đã bị từ chối."
    ),
    "too-many-pixels": (
        "Ảnh quá lớn ({pixels} megapixel), vượt giới hạn {limit} megapixel; "
        "vui lòng chụp lại ở độ phân giải thấp hơn."
    ),
}


class ImageRejected(Exception):
    """The upload is not an image we accept; `reason_code` is stable, `message_vi` is shown."""

    def __init__(self, reason_code: str, message_vi: str) -> None:
        super().__init__(f"{reason_code}: {message_vi}")
        self.reason_code = reason_code
        self.message_vi = message_vi


def _reject(reason_code: str, **values: object) -> ImageRejected:
    return ImageRejected(reason_code, _MESSAGES_VI[reason_code].format(**values))


@dataclass(frozen=True)
class ImageInfo:
    """What an original shows: width and height as displayed (orientation applied), EXIF facts."""

    mime: str
    width: int
    height: int
    taken_at: datetime | None = None
    lon: float | None = None
    lat: float | None = None
    make: str | None = None
    model: str | None = None
    orientation: int | None = None


@cache
def ensure_heif() -> None:
    """Teach Pillow to open HEIC/HEIF (once per process)."""
    import pillow_heif

    pillow_heif.register_heif_opener()


@cache
def local_zone() -> tzinfo:
    """Asia/Ho_Chi_Minh, or its fixed UTC+07:00 (no DST since 1975) where tzdata is missing."""
    try:
        return ZoneInfo("Asia/Ho_Chi_Minh")
    except ZoneInfoNotFoundError:
        return timezone(timedelta(hours=7), "ICT")


@contextmanager
def _opened(path: str | os.PathLike[str], max_pixels: int) -> Iterator[tuple[Image.Image, str]]:
    """Open lazily (header only) after sniffing; refuse bombs and oversize before any decode."""
    mime = sniff_file(path)
    if mime is None:
        raise _reject("unsupported-type")
    if mime in _HEIF_TYPES:
        ensure_heif()
    file_size = os.path.getsize(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(path, formats=[_PIL_FORMATS[mime]])
    except Image.DecompressionBombError:
        raise _reject("decompression-bomb") from None
    except _DECODE_ERRORS as error:
        raise _decode_failure(error) from None
    with img:
        _check_pixels(img.size, file_size, max_pixels)
        yield img, mime


def _check_pixels(size: tuple[int, int], file_size: int, max_pixels: int) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise _reject("corrupt")
    pixels = width * height
    if pixels <= max_pixels:
        return
    if pixels > BOMB_PIXELS_PER_BYTE * max(file_size, 1):
        raise _reject("decompression-bomb")
    raise _reject(
        "too-many-pixels", pixels=round(pixels / 1_000_000), limit=round(max_pixels / 1_000_000)
    )


def _decode_failure(error: BaseException) -> ImageRejected:
    if isinstance(error, EOFError) or "truncated" in str(error).lower():
        return _reject("truncated")
    return _reject("corrupt")


def _load(img: Image.Image) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img.load()
    except Image.DecompressionBombError:
        raise _reject("decompression-bomb") from None
    except _DECODE_ERRORS as error:
        raise _decode_failure(error) from None


@dataclass(frozen=True)
class Processed:
    """An accepted original: its facts and its JPEG derivatives by name (thumbnail, preview)."""

    info: ImageInfo
    derivatives: dict[str, bytes]


def process_image(
    path: str | os.PathLike[str],
    *,
    thumb: int = 512,
    preview: int = 1600,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> Processed:
    """Facts and derivatives of an original from one decode; ImageRejected if not acceptable.

    The dimensions are checked from the header before any pixel is decoded. The one decode (a
    JPEG through DCT scaling at the smallest scale that still serves `preview`) reads all the
    pixel data, so it also proves the file whole. The derivatives are JPEGs, long side at most
    `thumb` / `preview` px, upright, sRGB, with no EXIF, ICC or XMP; the thumbnail is made from
    the preview.
    """
    with _opened(path, max_pixels) as (img, mime):
        info = _info(img, mime)
        if mime == "image/jpeg":
            _draft(img, preview)
        _load(img)
        preview_img = _reduced(img, preview)
    thumb_img = preview_img.copy()
    thumb_img.thumbnail((thumb, thumb), _RESAMPLE)
    return Processed(info, {"thumbnail": _jpeg(thumb_img), "preview": _jpeg(preview_img)})


def _info(img: Image.Image, mime: str) -> ImageInfo:
    width, height = img.size
    facts = _exif_facts(img)
    orientation = facts.pop("orientation", None)
    if mime in _HEIF_TYPES:
        # libheif has already applied the rotation; pillow-heif keeps the original tag aside.
        original = img.info.get("original_orientation")
        orientation = original if isinstance(original, int) and 1 <= original <= 8 else None
    elif orientation in (5, 6, 7, 8):
        width, height = height, width
    return ImageInfo(mime=mime, width=width, height=height, orientation=orientation, **facts)


def _draft(img: Image.Image, long_side: int) -> None:
    """Have the JPEG decoder scale down (1/2, 1/4, 1/8) as far as still reaches `long_side`."""
    scale = max(img.size) / long_side
    if scale > 1:
        img.draft("RGB", (max(1, int(img.width / scale)), max(1, int(img.height / scale))))


def _exif_facts(img: Image.Image) -> dict[str, Any]:
    """taken_at, lon, lat, make, model, orientation; malformed EXIF counts as absent."""
    try:
        exif = img.getexif()
        main = dict(exif)
        sub = dict(exif.get_ifd(0x8769))
        gps = dict(exif.get_ifd(0x8825))
    except (*_DECODE_ERRORS, KeyError, TypeError, ZeroDivisionError):
        return {}
    lon, lat = _gps_position(gps)
    orientation = main.get(0x0112)
    if not (isinstance(orientation, int) and 1 <= orientation <= 8):
        orientation = None
    taken_at = _exif_datetime(sub.get(0x9003), sub.get(0x9011)) or _exif_datetime(
        sub.get(0x9004), sub.get(0x9012)
    )
    return {
        "taken_at": taken_at,
        "lon": lon,
        "lat": lat,
        "make": _exif_text(main.get(0x010F)),
        "model": _exif_text(main.get(0x0110)),
        "orientation": orientation,
    }


def _exif_text(value: object) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return None
    text = value.replace("\x00", "").strip()
    return text or None


_DATETIME = re.compile(r"(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_OFFSET = re.compile(r"([+-])(\d{2}):(\d{2})")


def _exif_datetime(value: object, offset: object) -> datetime | None:
    """An aware datetime; without an offset tag the camera clock is taken as Vietnam time."""
    text = _exif_text(value)
    match = _DATETIME.match(text) if text else None
    if match is None:
        return None
    try:
        year, month, day, hour, minute, second = (int(part) for part in match.groups())
        naive = datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
    offset_text = _exif_text(offset)
    offset_match = _OFFSET.fullmatch(offset_text) if offset_text else None
    if offset_match is None:
        return naive.replace(tzinfo=local_zone())
    sign, hours, minutes = offset_match.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    if delta > timedelta(hours=14):
        return naive.replace(tzinfo=local_zone())
    return naive.replace(tzinfo=timezone(-delta if sign == "-" else delta))


def _gps_position(gps: dict[int, Any]) -> tuple[float | None, float | None]:
    lat = _gps_degrees(gps.get(2), gps.get(1), "N", "S", 90.0)
    lon = _gps_degrees(gps.get(4), gps.get(3), "E", "W", 180.0)
    if lat is None or lon is None:
        return None, None
    return lon, lat


def _gps_degrees(
    value: object, ref: object, positive: str, negative: str, limit: float
) -> float | None:
    hemisphere = (_exif_text(ref) or "").upper()
    if hemisphere not in (positive, negative):
        return None
    if not isinstance(value, tuple | list) or not 1 <= len(value) <= 3:
        return None
    try:
        parts = [float(part) for part in value]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    degrees = sum(part / 60**i for i, part in enumerate(parts))
    if not math.isfinite(degrees) or not 0 <= degrees <= limit:
        return None
    return -degrees if hemisphere == negative else degrees


def _reduced(img: Image.Image, long_side: int) -> Image.Image:
    """Decoded pixels made small first, then upright, sRGB, alpha flattened on white, RGB, with
    no metadata: every step after the resize works on the fewest pixels."""
    icc = img.info.get("icc_profile")
    if img.mode == "P":
        img = img.convert("RGBA" if "transparency" in img.info else "RGB")
    elif "transparency" in img.info or img.mode in ("LA", "PA", "La", "RGBa"):
        img = img.convert("RGBA")
    elif img.mode not in ("RGB", "RGBA", "L", "CMYK"):
        img = img.convert("RGB")
    img.thumbnail((long_side, long_side), _RESAMPLE)
    try:
        img = ImageOps.exif_transpose(img)
    except _DECODE_ERRORS:
        img = img.copy()
    if img.mode == "RGBA":
        flat = Image.new("RGB", img.size, (255, 255, 255))
        flat.paste(img, mask=img.getchannel("A"))
        img = flat
    if icc:
        img = _to_srgb(img, icc)
    if img.mode != "RGB":
        img = img.convert("RGB")
    img.info.clear()  # Pillow would carry a JPEG comment over into the derivative
    return img


def _to_srgb(img: Image.Image, icc: bytes) -> Image.Image:
    """The pixels in sRGB; as they are if the profile is sRGB already or unusable."""
    transform = _srgb_transform(icc, img.mode)
    if transform is None:
        return img
    try:
        return ImageCms.applyTransform(img, transform) or img
    except (ImageCms.PyCMSError, ValueError):
        return img


@lru_cache(maxsize=16)
def _srgb_transform(icc: bytes, mode: str) -> ImageCms.ImageCmsTransform | None:
    """The transform from an embedded profile to sRGB, built once per profile; None when the
    profile is unusable or already sRGB in effect (as most phones' are), so nothing is done."""
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        transform = ImageCms.buildTransform(source, _srgb_profile(), mode, "RGB")
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return None
    if mode == "RGB":
        probe = _colour_probe()
        converted = ImageCms.applyTransform(probe, transform) or probe
        moved = ImageChops.difference(probe, converted).point(
            lambda value: 255 if value > _SRGB_TOLERANCE else 0
        )
        if moved.getbbox() is None:
            return None
    return transform


@cache
def _srgb_profile() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


@cache
def _colour_probe() -> Image.Image:
    """A 16 x 16 x 16 cube of RGB colours, to see what a transform does to them."""
    levels = range(0, 256, 17)
    data = bytes(chain.from_iterable(product(levels, repeat=3)))
    return Image.frombytes("RGB", (len(levels) ** 3, 1), data)


def _jpeg(img: Image.Image) -> bytes:
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85)
    return out.getvalue()


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle (haversine) distance in metres between two WGS84 points in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def flags_for(
    info: ImageInfo,
    *,
    site_lon: float | None,
    site_lat: float | None,
    far_m: float,
    visit_start: datetime | None,
    visit_end: datetime | None,
) -> list[str]:
    """Doubts about a photo as evidence; an unknown site or visit bound skips that check.

    `visit_start`/`visit_end` must be aware datetimes.
    """
    flags: list[str] = []
    if info.lon is None or info.lat is None:
        flags.append("no_exif_position")
    elif (
        site_lon is not None
        and site_lat is not None
        and distance_m(info.lon, info.lat, site_lon, site_lat) > far_m
    ):
        flags.append("exif_far_from_site")
    if info.taken_at is None:
        flags.append("no_exif_time")
    elif (visit_start is not None and info.taken_at < visit_start) or (
        visit_end is not None and info.taken_at > visit_end
    ):
        flags.append("exif_time_outside_visit")
    return flags
