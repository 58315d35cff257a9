"""Photo processing: check an uploaded original, record its facts and store its derivatives.

The visit window a photo's EXIF time is checked against runs from the inspection's
`started_at` to its `submitted_at`; while the inspection is not submitted, to the time of
processing plus 12 hours (a photo cannot be taken later than it is processed; the slack absorbs
a camera clock kept in another time zone, since EXIF without an offset is read as Vietnam time).
"""

from __future__ import annotations

import io
import logging
import shutil
import tempfile
import uuid
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.points import lon_lat
from inspection import audit
from inspection.db import utcnow
from inspection.models import ChecklistItem, Inspection, Photo
from media.blobstore import CHUNK_SIZE, BlobStore
from media.images import (
    DEFAULT_MAX_PIXELS,
    ImageInfo,
    ImageRejected,
    flags_for,
    process_image,
)

log = logging.getLogger(__name__)

DONE = frozenset({"ready", "rejected"})
OPEN_VISIT_SLACK = timedelta(hours=12)


def process_photo(
    session: Session,
    store: BlobStore,
    photo_id: uuid.UUID | str,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    far_m: float,
) -> Photo | None:
    """Make a `processing` photo `ready` (facts, flags, derivatives) or `rejected` (reason
    `"<code>: <Vietnamese message>"`). Flushes only; the caller commits.

    Idempotent: a photo already ready or rejected is returned unchanged, nothing written or
    stored. None (logged) if there is no such photo. An unacceptable image never raises;
    a missing original (`BlobNotFound`) or a store failure does, so the job is retried.
    """
    audit.set_actor(session, None, "worker")
    photo = session.get(Photo, uuid.UUID(str(photo_id)), with_for_update=True,
                        populate_existing=True)
    if photo is None:
        log.warning("photo %s not found; nothing to process", photo_id)
        return None
    if photo.status in DONE:
        return photo
    with tempfile.TemporaryDirectory(prefix="kt1-photo-") as tmp:
        original = Path(tmp) / "original"
        _fetch(store, photo.sha256, original)
        try:
            processed = process_image(original, max_pixels=max_pixels)
            if processed.info.mime != "image/png" and _is_signature(session, photo):
                raise ImageRejected("signature-not-png", "Chữ ký phải là ảnh PNG.")
        except ImageRejected as rejected:
            photo.status = "rejected"
            photo.reason = str(rejected)
            photo.processed_at = utcnow()
            photo.version += 1
            session.flush()
            log.info("photo %s rejected: %s", photo.id, rejected.reason_code)
            return photo
    photo.thumbnail_sha256, _ = store.put(io.BytesIO(processed.derivatives["thumbnail"]))
    photo.preview_sha256, _ = store.put(io.BytesIO(processed.derivatives["preview"]))
    _record(session, photo, processed.info, far_m=far_m)
    session.flush()
    return photo


def _is_signature(session: Session, photo: Photo) -> bool:
    """Whether the photo answers a `signature` item (signatures are drawn, saved as PNG)."""
    if photo.item_code is None:
        return False
    return session.scalar(
        select(ChecklistItem.answer_type)
        .join(Inspection, Inspection.checklist_id == ChecklistItem.checklist_id)
        .where(Inspection.id == photo.inspection_id, ChecklistItem.code == photo.item_code)
    ) == "signature"


def _fetch(store: BlobStore, sha256: str, target: Path) -> None:
    """Copy the original out of the store in constant memory."""
    with closing(store.open(sha256)) as source, target.open("wb") as out:
        shutil.copyfileobj(source, out, CHUNK_SIZE)


def _record(session: Session, photo: Photo, info: ImageInfo, *, far_m: float) -> None:
    inspection = session.get_one(Inspection, photo.inspection_id)
    site = lon_lat(inspection.site.location)
    now = utcnow()
    photo.flags = flags_for(
        info,
        site_lon=site[0] if site else None,
        site_lat=site[1] if site else None,
        far_m=far_m,
        visit_start=inspection.started_at,
        visit_end=inspection.submitted_at or now + OPEN_VISIT_SLACK,
    )
    photo.content_type = info.mime
    photo.width, photo.height = info.width, info.height
    photo.exif = _exif(info)
    photo.status = "ready"
    photo.reason = None
    photo.processed_at = now
    photo.version += 1


def _exif(info: ImageInfo) -> dict[str, Any]:
    taken: datetime | None = info.taken_at
    return {
        "taken_at": taken.isoformat() if taken else None,
        "lon": info.lon,
        "lat": info.lat,
        "make": info.make,
        "model": info.model,
        "orientation": info.orientation,
    }
