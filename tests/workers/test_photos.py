"""Photo processing on both databases: facts, flags, derivatives, rejections, idempotency."""

from __future__ import annotations

import hashlib
import io
import unicodedata
import uuid
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from inspection.models import AuditEntry, Photo
from media.blobstore import FileBlobStore
from tests.media.pictures import (
    CAN_THO,
    SAO_PAULO,
    exif,
    noisy,
    png_bomb,
    save_jpeg,
    stored_for_orientation_6,
    two_tone,
)
from tests.workers.evidence import DURING, inspection_at_can_tho, uploaded_photo
from workers.photos import process_photo

FAR_M = 300


@pytest.fixture
def store(tmp_path: Path) -> FileBlobStore:
    return FileBlobStore(tmp_path / "media")


@pytest.fixture
def inspection(session: Session):  # type: ignore[no-untyped-def]
    return inspection_at_can_tho(session)


def process(session: Session, store: FileBlobStore, photo: Photo) -> Photo:
    process_photo(session, store, photo.id, far_m=FAR_M)
    session.commit()  # as the job does: its entries are chained
    session.expire_all()
    reread = session.get(Photo, photo.id)
    assert reread is not None
    return reread


def audit_entries(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def good_jpeg(path: Path, lon_lat: tuple[float, float] = CAN_THO) -> Path:
    """Displayed 400 x 200, stored turned for orientation 6, taken at `lon_lat` during the visit."""
    data = exif(lon_lat=lon_lat, taken=DURING, make="samsung", model="SM-A556E", orientation=6)
    return save_jpeg(path, stored_for_orientation_6(two_tone(400, 200)), data, quality=95)


def test_a_jpeg_taken_at_the_site_during_the_visit_becomes_ready_with_its_facts(
        session, store, inspection, tmp_path):
    photo = uploaded_photo(session, store, inspection, good_jpeg(tmp_path / "p.jpg"))
    got = process(session, store, photo)
    assert got.status == "ready" and got.reason is None
    assert (got.width, got.height) == (400, 200)
    assert got.content_type == "image/jpeg"
    assert got.flags == []
    assert got.processed_at is not None
    assert got.exif is not None
    assert got.exif["taken_at"] == "2026-05-05T09:15:00+07:00"
    assert got.exif["lon"] == pytest.approx(CAN_THO[0], abs=1e-4)
    assert got.exif["lat"] == pytest.approx(CAN_THO[1], abs=1e-4)
    assert (got.exif["make"], got.exif["model"], got.exif["orientation"]) == (
        "samsung", "SM-A556E", 6)


def test_the_derivatives_are_stored_under_their_sha256_upright_and_without_exif(
        session, store, inspection, tmp_path):
    photo = uploaded_photo(session, store, inspection, good_jpeg(tmp_path / "p.jpg"))
    got = process(session, store, photo)
    for key in (got.thumbnail_sha256, got.preview_sha256):
        assert key is not None
        with store.open(key) as f:
            body = f.read()
        assert hashlib.sha256(body).hexdigest() == key
        img = Image.open(io.BytesIO(body))
        assert img.format == "JPEG" and img.size == (400, 200)
        assert not img.getexif()
        top, bottom = img.convert("RGB").getpixel((200, 20)), img.convert("RGB").getpixel(
            (200, 180))
        assert top[0] > 200 > top[2] and bottom[2] > 200 > bottom[0]  # red over blue
    assert got.sha256 not in (got.thumbnail_sha256, got.preview_sha256)
    assert store.exists(got.sha256)  # the original is kept as it was


def test_a_photo_taken_far_from_the_site_is_flagged(session, store, inspection, tmp_path):
    original = good_jpeg(tmp_path / "far.jpg", lon_lat=SAO_PAULO)
    got = process(session, store, uploaded_photo(session, store, inspection, original))
    assert got.status == "ready"
    assert got.flags == ["exif_far_from_site"]


def test_a_photo_without_exif_is_ready_but_flagged_for_position_and_time(
        session, store, inspection, tmp_path):
    original = save_jpeg(tmp_path / "plain.jpg", two_tone())
    got = process(session, store, uploaded_photo(session, store, inspection, original))
    assert got.status == "ready"
    assert got.flags == ["no_exif_position", "no_exif_time"]


def test_a_photo_taken_before_the_visit_began_is_flagged(session, store, inspection, tmp_path):
    data = exif(lon_lat=CAN_THO, taken="2026:05:04 16:00:00")
    original = save_jpeg(tmp_path / "yesterday.jpg", two_tone(), data)
    got = process(session, store, uploaded_photo(session, store, inspection, original))
    assert got.flags == ["exif_time_outside_visit"]


def png_bomb_file(path: Path) -> Path:
    return png_bomb(path.with_suffix(".png"), 30000, 30000)


def text_named_jpg(path: Path) -> Path:
    path.write_text("Đây không phải là ảnh.", encoding="utf-8")
    return path


def truncated_jpeg(path: Path) -> Path:
    whole = save_jpeg(path.with_name("whole.jpg"), noisy(800, 600), quality=90).read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    return path


@pytest.mark.parametrize(("make_bad", "code"), [
    (png_bomb_file, "decompression-bomb"),
    (text_named_jpg, "unsupported-type"),
    (truncated_jpeg, "truncated"),
])
def test_a_bad_upload_is_rejected_in_vietnamese_and_the_next_photo_still_processes(
        session, store, inspection, tmp_path, make_bad, code):
    bad = uploaded_photo(session, store, inspection, make_bad(tmp_path / "anh.jpg"))
    good = uploaded_photo(session, store, inspection, good_jpeg(tmp_path / "good.jpg"))
    rejected = process(session, store, bad)
    assert rejected.status == "rejected"
    assert rejected.reason is not None
    assert rejected.reason.startswith(f"{code}: ")
    message = rejected.reason.split(": ", 1)[1]
    assert unicodedata.is_normalized("NFC", message) and "ảnh" in message.lower()
    assert rejected.thumbnail_sha256 is None and rejected.width is None
    assert rejected.processed_at is not None
    assert process(session, store, good).status == "ready"


def _stored_objects(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file() and ".incoming" not in p.parts}


@pytest.mark.parametrize("original", ["good", "bad"])
def test_processing_a_photo_twice_writes_and_stores_nothing_the_second_time(
        session, store, inspection, tmp_path, original):
    path = (good_jpeg(tmp_path / "p.jpg") if original == "good"
            else text_named_jpg(tmp_path / "p.jpg"))
    photo = uploaded_photo(session, store, inspection, path)
    first = process(session, store, photo)
    state = (first.status, first.reason, first.processed_at, first.thumbnail_sha256)
    entries, objects = audit_entries(session), _stored_objects(tmp_path / "media")
    second = process(session, store, photo)
    assert (second.status, second.reason, second.processed_at, second.thumbnail_sha256) == state
    assert audit_entries(session) == entries
    assert _stored_objects(tmp_path / "media") == objects


def test_processing_writes_an_audit_entry_by_the_worker(session, store, inspection, tmp_path):
    photo = uploaded_photo(session, store, inspection, good_jpeg(tmp_path / "p.jpg"))
    process(session, store, photo)
    entry = session.scalars(select(AuditEntry).where(AuditEntry.entity_id == str(photo.id))
                            .order_by(AuditEntry.id.desc()).limit(1)).one()
    assert (entry.action, entry.device_id, entry.actor_id) == ("update", "worker", None)
    assert entry.after is not None and entry.after["status"] == "ready"


def test_a_photo_that_does_not_exist_is_logged_and_nothing_happens(session, store):
    assert process_photo(session, store, uuid.uuid4(), far_m=FAR_M) is None
