"""Inspections with photo evidence awaiting processing, built with the factories on any session."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy.orm import Session

from inspection.models import Checklist, Inspection, Photo
from media.blobstore import BlobStore
from tests import factories
from tests.legal_world import VERIFIED_174

VN = timezone(timedelta(hours=7))
STARTED = datetime(2026, 5, 5, 8, 30, tzinfo=VN)
DURING = "2026:05:05 09:15:00"  # EXIF local time, inside the visit


def inspection_at_can_tho(session: Session, checklist: Checklist | None = None) -> Inspection:
    """A draft joint inspection, begun at STARTED, of a site at Cần Thơ's centre, on
    `checklist` (by default the factories' inspection checklist). Cần Thơ gets its signer
    (`factories.the_signer`), so a notice of the inspection can be asked for."""
    factories.the_signer("92")
    inspector, police = factories.joint_team()
    site = factories.SiteFactory()
    checklist = checklist or factories.inspection_checklist()
    inspection = Inspection(
        id=uuid.uuid4(), site_id=site.id, checklist_id=checklist.id, province_code="92",
        started_at=STARTED, request_hash=hashlib.sha256(b"evidence").hexdigest(),
        created_by=inspector.id, version=1, team=[inspector, police])
    session.add(inspection)
    session.flush()
    return inspection


def uploaded_photo(session: Session, store: BlobStore, inspection: Inspection,
                   original: Path) -> Photo:
    """The record an upload leaves: the original stored, the photo `processing`."""
    sha256, size = store.put(original)
    photo = Photo(id=uuid.uuid4(), inspection_id=inspection.id, item_code="A2", sha256=sha256,
                  size=size, status="processing")
    session.add(photo)
    session.flush()
    return photo


def approved_with_finding(session: Session) -> uuid.UUID:
    """An approved inspection with one confirmed finding (A1); its id."""
    from inspection.models import Finding

    inspection = inspection_at_can_tho(session)
    inspection.status = "approved"
    session.add(Finding(inspection_id=inspection.id, site_id=inspection.site_id, item_code="A1",
                        severity="high", legal_basis="NĐ 174/2026/NĐ-CP Đ.9(1)",
                        legal_refs=[VERIFIED_174], status="confirmed",
                        description="Thiếu dấu ngày giờ chấp nhận",
                        province_code="92"))
    session.flush()
    return inspection.id
