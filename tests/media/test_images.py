"""Image safety, EXIF facts and derivatives for photo evidence."""

from __future__ import annotations

import io
import unicodedata
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from PIL import Image, ImageCms

from media.images import (
    ImageInfo,
    ImageRejected,
    distance_m,
    flags_for,
    process_image,
)
from tests.media.pictures import (
    BLUE,
    CAN_THO,
    RED,
    SAO_PAULO,
    exif,
    noisy,
    png_bomb,
    save_heic,
    save_jpeg,
    stored_for_orientation_6,
    swapped_red_and_blue,
    two_tone,
)

ICT = timezone(timedelta(hours=7))


def close_to(pixel: object, colour: tuple[int, int, int], tolerance: int = 40) -> bool:
    assert isinstance(pixel, tuple)
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], colour, strict=True))


def assert_healthy(tmp_path: Path) -> None:
    """A normal photo still processes after a rejection."""
    path = save_jpeg(tmp_path / "normal.jpg", two_tone(300, 200))
    assert process_image(path).info.width == 300
    assert set(process_image(path).derivatives) == {"thumbnail", "preview"}


# EXIF facts ------------------------------------------------------------------------------


def test_jpeg_exif_gives_the_position_time_make_and_model(tmp_path: Path) -> None:
    data = exif(
        lon_lat=CAN_THO,
        taken="2026:03:01 09:30:00",
        offset="+07:00",
        make="Samsung",
        model="Galaxy Tab S9",
    )
    info = process_image(save_jpeg(tmp_path / "p.jpg", two_tone(), data)).info
    assert info.mime == "image/jpeg"
    assert (info.width, info.height) == (400, 200)
    assert info.lon == pytest.approx(105.7469, abs=1e-6)
    assert info.lat == pytest.approx(10.0452, abs=1e-6)
    assert info.taken_at == datetime(2026, 3, 1, 9, 30, tzinfo=ICT)
    assert info.taken_at is not None and info.taken_at.utcoffset() == timedelta(hours=7)
    assert (info.make, info.model) == ("Samsung", "Galaxy Tab S9")


def test_southern_and_western_positions_are_negative(tmp_path: Path) -> None:
    data = exif(lon_lat=SAO_PAULO, taken="2026:03:01 09:30:00", offset="-03:00")
    info = process_image(save_jpeg(tmp_path / "p.jpg", two_tone(), data)).info
    assert info.lon == pytest.approx(-46.6333, abs=1e-6)
    assert info.lat == pytest.approx(-23.5505, abs=1e-6)
    assert info.taken_at == datetime(2026, 3, 1, 12, 30, tzinfo=UTC)


def test_a_time_without_an_offset_is_read_as_vietnam_time(tmp_path: Path) -> None:
    data = exif(taken="2026:03:01 09:30:00")
    info = process_image(save_jpeg(tmp_path / "p.jpg", two_tone(), data)).info
    assert info.taken_at is not None
    assert info.taken_at.utcoffset() == timedelta(hours=7)
    assert info.taken_at.astimezone(UTC) == datetime(2026, 3, 1, 2, 30, tzinfo=UTC)


def test_a_photo_without_exif_has_no_facts(tmp_path: Path) -> None:
    info = process_image(save_jpeg(tmp_path / "p.jpg", two_tone())).info
    assert (info.taken_at, info.lon, info.lat, info.make, info.model) == (None,) * 5


def test_nonsense_exif_values_count_as_absent(tmp_path: Path) -> None:
    data = exif(taken="0000:00:00 00:00:00", offset="+99:00")
    gps = data.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "X", (10.0, 2.0, 42.72), "E", (200.0, 0.0, 0.0)
    info = process_image(save_jpeg(tmp_path / "p.jpg", two_tone(), data)).info
    assert (info.taken_at, info.lon, info.lat) == (None, None, None)


def test_heic_exif_gives_the_same_facts_as_jpeg(tmp_path: Path) -> None:
    data = exif(
        lon_lat=CAN_THO, taken="2026:03:01 09:30:00", offset="+07:00", make="Apple", model="iPad"
    )
    info = process_image(save_heic(tmp_path / "p.heic", two_tone(), data)).info
    assert info.mime == "image/heic"
    assert (info.width, info.height) == (400, 200)
    assert info.lon == pytest.approx(105.7469, abs=1e-6)
    assert info.lat == pytest.approx(10.0452, abs=1e-6)
    assert info.taken_at == datetime(2026, 3, 1, 9, 30, tzinfo=ICT)
    assert (info.make, info.model) == ("Apple", "iPad")


# Orientation and derivatives -------------------------------------------------------------


def test_a_rotated_jpeg_reports_its_displayed_size_and_derivatives_are_right_side_up(
    tmp_path: Path,
) -> None:
    stored = stored_for_orientation_6(two_tone(400, 200))
    path = save_jpeg(tmp_path / "p.jpg", stored, exif(orientation=6), quality=95)
    assert stored.size == (200, 400)
    info = process_image(path).info
    assert (info.width, info.height, info.orientation) == (400, 200, 6)
    for name, data in process_image(path).derivatives.items():
        out = Image.open(io.BytesIO(data))
        assert out.size == (400, 200), name
        assert close_to(out.getpixel((200, 5)), RED), name
        assert close_to(out.getpixel((200, 195)), BLUE), name


def test_a_rotated_heic_gives_right_side_up_derivatives(tmp_path: Path) -> None:
    stored = stored_for_orientation_6(two_tone(400, 200))
    path = save_heic(tmp_path / "p.heic", stored, exif(orientation=6))
    info = process_image(path).info
    assert (info.width, info.height, info.orientation) == (400, 200, 6)
    preview = Image.open(io.BytesIO(process_image(path).derivatives["preview"]))
    assert preview.size == (400, 200)
    assert close_to(preview.getpixel((200, 5)), RED)
    assert close_to(preview.getpixel((200, 195)), BLUE)


def test_derivatives_fit_their_bounds_and_carry_no_metadata(tmp_path: Path) -> None:
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = exif(lon_lat=CAN_THO, taken="2026:03:01 09:30:00", make="Apple", model="iPad")
    path = save_jpeg(
        tmp_path / "p.jpg",
        noisy(3000, 2000),
        data,
        icc_profile=srgb,
        xmp=b"<x:xmpmeta>secret</x:xmpmeta>",
        comment="Ghi chú của máy ảnh".encode(),
    )
    derivatives = process_image(path).derivatives
    bounds = {"thumbnail": 512, "preview": 1600}
    for name, blob in derivatives.items():
        out = Image.open(io.BytesIO(blob))
        assert out.format == "JPEG"
        assert max(out.size) == bounds[name]
        assert out.width == bounds[name]
        assert abs(out.height - bounds[name] * 2 / 3) <= 1
        assert len(out.getexif()) == 0
        assert not {"exif", "icc_profile", "xmp"} & set(out.info)
        assert b"Exif\x00\x00" not in blob and b"xmpmeta" not in blob and b"Apple" not in blob
        assert "comment" not in out.info and "Ghi chú".encode() not in blob


def test_small_photos_are_not_enlarged(tmp_path: Path) -> None:
    path = save_jpeg(tmp_path / "p.jpg", two_tone(300, 200))
    for blob in process_image(path).derivatives.values():
        assert Image.open(io.BytesIO(blob)).size == (300, 200)


def test_a_transparent_png_is_flattened_on_white(tmp_path: Path) -> None:
    img = Image.new("RGBA", (100, 100), (0, 0, 0, 0))
    img.paste((255, 0, 0, 255), (0, 0, 50, 100))
    path = tmp_path / "p.png"
    img.save(path)
    thumb = Image.open(io.BytesIO(process_image(path).derivatives["thumbnail"]))
    assert close_to(thumb.getpixel((80, 50)), (255, 255, 255), 10)
    assert close_to(thumb.getpixel((20, 50)), RED)


def test_webp_photos_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "p.webp"
    two_tone(300, 200).save(path, "WEBP")
    processed = process_image(path)
    assert processed.info.mime == "image/webp"
    assert Image.open(io.BytesIO(processed.derivatives["preview"])).size == (300, 200)


def test_a_large_jpeg_gets_full_size_derivatives_from_its_reduced_decode(tmp_path: Path) -> None:
    # A DCT-scaled decode at 1/4 (1024 px) would fall short of the preview; 1/2 serves it.
    stored = stored_for_orientation_6(two_tone(4096, 3072))
    path = save_jpeg(tmp_path / "big.jpg", stored, exif(orientation=6))
    processed = process_image(path)
    assert (processed.info.width, processed.info.height) == (4096, 3072)
    sizes = {"thumbnail": (512, 384), "preview": (1600, 1200)}
    for name, blob in processed.derivatives.items():
        out = Image.open(io.BytesIO(blob))
        assert out.size == sizes[name], name
        assert close_to(out.getpixel((out.width // 2, 5)), RED), name
        assert close_to(out.getpixel((out.width // 2, out.height - 5)), BLUE), name


def test_a_photo_in_another_colour_space_is_converted_to_srgb(tmp_path: Path) -> None:
    # A profile whose red primary is sRGB's blue and the other way round: what the file stores
    # as red is shown blue.
    path = save_jpeg(tmp_path / "p.jpg", two_tone(), icc_profile=swapped_red_and_blue())
    for name, blob in process_image(path).derivatives.items():
        out = Image.open(io.BytesIO(blob))
        assert close_to(out.getpixel((200, 5)), BLUE), name
        assert close_to(out.getpixel((200, 195)), RED), name


def test_an_srgb_photo_keeps_its_colours(tmp_path: Path) -> None:
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    path = save_jpeg(tmp_path / "p.jpg", two_tone(), icc_profile=srgb)
    for name, blob in process_image(path).derivatives.items():
        out = Image.open(io.BytesIO(blob))
        assert close_to(out.getpixel((200, 5)), RED), name
        assert close_to(out.getpixel((200, 195)), BLUE), name


# Rejections ------------------------------------------------------------------------------


def assert_rejected_in_vietnamese(error: ImageRejected) -> None:
    message = error.message_vi
    assert unicodedata.is_normalized("NFC", message)
    assert "ảnh" in message.lower()


def test_a_png_decompression_bomb_is_rejected_and_the_worker_stays_healthy(
    tmp_path: Path,
) -> None:
    path = png_bomb(tmp_path / "bomb.png", 30000, 30000)
    assert path.stat().st_size < 200_000
    with pytest.raises(ImageRejected) as caught:
        process_image(path)
    assert caught.value.reason_code == "decompression-bomb"
    assert_rejected_in_vietnamese(caught.value)
    assert_healthy(tmp_path)


def test_a_bomb_below_pillows_own_limit_is_caught_by_ours(tmp_path: Path) -> None:
    path = png_bomb(tmp_path / "bomb.png", 4000, 4000)
    with pytest.raises(ImageRejected) as caught:
        process_image(path, max_pixels=10_000_000)
    assert caught.value.reason_code == "decompression-bomb"


# The large one is decoded at half scale (DCT scaling): the one decode must still read it all.
@pytest.mark.parametrize("size", [(800, 600), (3600, 2400)], ids=["small", "scaled-decode"])
def test_a_truncated_jpeg_is_rejected_and_the_worker_stays_healthy(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    whole = save_jpeg(tmp_path / "whole.jpg", noisy(*size), quality=90).read_bytes()
    path = tmp_path / "cut.jpg"
    path.write_bytes(whole[: len(whole) * 9 // 10])
    with pytest.raises(ImageRejected) as caught:
        process_image(path)
    assert caught.value.reason_code == "truncated"
    assert_rejected_in_vietnamese(caught.value)
    assert_healthy(tmp_path)


def test_a_text_file_named_jpg_is_rejected_and_the_worker_stays_healthy(tmp_path: Path) -> None:
    path = tmp_path / "anh.jpg"
    path.write_text("Đây không phải là ảnh.", encoding="utf-8")
    with pytest.raises(ImageRejected) as caught:
        process_image(path)
    assert caught.value.reason_code == "unsupported-type"
    assert_rejected_in_vietnamese(caught.value)
    assert "JPEG, PNG, HEIC/HEIF hoặc WebP" in caught.value.message_vi
    assert_healthy(tmp_path)


def test_a_100_megapixel_photo_is_rejected_and_the_worker_stays_healthy(tmp_path: Path) -> None:
    path = save_jpeg(tmp_path / "huge.jpg", Image.new("L", (10000, 10000), 90), quality=1)
    with pytest.raises(ImageRejected) as caught:
        process_image(path)
    assert caught.value.reason_code == "too-many-pixels"
    assert_rejected_in_vietnamese(caught.value)
    assert "100 megapixel" in caught.value.message_vi
    assert "50 megapixel" in caught.value.message_vi
    assert process_image(path, max_pixels=120_000_000).info.width == 10000
    assert_healthy(tmp_path)


def test_a_jpeg_whose_body_is_garbage_is_rejected_as_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "bad.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00garbage" * 100)
    with pytest.raises(ImageRejected) as caught:
        process_image(path)
    assert caught.value.reason_code in {"corrupt", "truncated"}
    assert_rejected_in_vietnamese(caught.value)


def test_each_rejection_has_its_own_reason_code() -> None:
    from media.images import _MESSAGES_VI

    assert len(set(_MESSAGES_VI)) == 5
    assert len(set(_MESSAGES_VI.values())) == 5
    for message in _MESSAGES_VI.values():
        assert unicodedata.is_normalized("NFC", message)


# Flags ------------------------------------------------------------------------------------

VISIT_START = datetime(2026, 3, 1, 8, 0, tzinfo=ICT)
VISIT_END = datetime(2026, 3, 1, 11, 0, tzinfo=ICT)


def photo(**facts: object) -> ImageInfo:
    return ImageInfo(mime="image/jpeg", width=1, height=1, **facts)  # type: ignore[arg-type]


def flags(info: ImageInfo, site: tuple[float, float] | None = CAN_THO) -> list[str]:
    lon, lat = site if site else (None, None)
    return flags_for(
        info,
        site_lon=lon,
        site_lat=lat,
        far_m=500,
        visit_start=VISIT_START,
        visit_end=VISIT_END,
    )


def test_a_photo_taken_at_the_site_during_the_visit_has_no_flags() -> None:
    info = photo(lon=105.7470, lat=10.0455, taken_at=datetime(2026, 3, 1, 9, 30, tzinfo=ICT))
    assert flags(info) == []


def test_a_photo_far_from_the_site_is_flagged() -> None:
    info = photo(lon=105.7469, lat=10.0552, taken_at=datetime(2026, 3, 1, 9, 30, tzinfo=ICT))
    assert flags(info) == ["exif_far_from_site"]


def test_a_photo_taken_outside_the_visit_is_flagged_whatever_its_offset() -> None:
    before = photo(lon=105.7469, lat=10.0452, taken_at=datetime(2026, 3, 1, 0, 59, tzinfo=UTC))
    inside = photo(lon=105.7469, lat=10.0452, taken_at=datetime(2026, 3, 1, 1, 0, tzinfo=UTC))
    after = photo(lon=105.7469, lat=10.0452, taken_at=datetime(2026, 3, 2, 9, 30, tzinfo=ICT))
    assert flags(before) == ["exif_time_outside_visit"]
    assert flags(inside) == []
    assert flags(after) == ["exif_time_outside_visit"]


def test_a_photo_without_exif_is_flagged_for_both_missing_facts() -> None:
    assert flags(photo()) == ["no_exif_position", "no_exif_time"]


def test_an_unknown_site_skips_the_distance_check() -> None:
    info = photo(lon=-46.6, lat=-23.5, taken_at=datetime(2026, 3, 1, 9, 0, tzinfo=ICT))
    assert flags(info, site=None) == []


def test_distance_is_the_great_circle_distance_in_metres() -> None:
    assert distance_m(105.7469, 10.0452, 105.7469, 10.0552) == pytest.approx(1112, abs=2)
    # Cần Thơ to Hà Nội (105.8542, 21.0285): about 1,223 km as the crow flies.
    assert distance_m(*CAN_THO, 105.8542, 21.0285) == pytest.approx(1_223_000, rel=0.01)
