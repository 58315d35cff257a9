"""Photo evidence: resumable uploads into an inspection, the photo records they become, and
who may see them.

An upload is created by a member of the inspection's team (`start_upload`; after a violation
notice is issued, also by the post office sending remediation evidence for one of the notice's
findings, even though the inspection is approved), receives its bytes
in one or more appends (`open_for_append`, then `media.uploads`), and when its last byte has
arrived becomes a `processing` Photo (`complete`) once the whole file hashes to the sha256 the
client declared; otherwise nothing of it is kept. The client may choose the photo's id
(`photo_id`), so an answer to a `photo` or `signature` item can name the photo before its bytes
are sent; creating the same upload again (same photo id, or same inspection, item and bytes)
answers the existing upload instead of a second copy of the evidence.

Functions take the session first and flush; the caller commits. `complete` and `terminate`
leave file removal to the caller, after its commit (`finish_after_commit`).
"""

from __future__ import annotations

import functools
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, delete, false, func, or_, select
from sqlalchemy.orm import Session, joinedload

from inspection import audit, errors
from inspection.config import Settings
from inspection.db import utcnow
from inspection.inspections.queries import photos_clause
from inspection.inspections.services import get_inspection
from inspection.models import ChecklistItem, Finding, Inspection, Notice, Photo, Upload, User
from inspection.models.notices import NOTICED_FINDINGS
from media.blobstore import BlobStore
from media.uploads import PartialUploads

UPLOADABLE = ("draft", "returned", "submitted")
METADATA_KEYS = ("inspection_id", "item_code", "filename", "filetype", "sha256", "captured_at",
                 "photo_id")
PROCESS_JOB = "workers.jobs.process_photo_job"
EARLIEST_CAPTURE = 2000  # no tablet evidence predates this year
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Ticket:
    """What an append needs to know about its upload, read before the bytes stream in (so no
    database transaction stays open while they do)."""

    id: str
    length: int
    completed: bool
    expires_at: datetime


def processing_key(photo_id: uuid.UUID | str) -> str:
    """The queue's key for processing one photo: a photo waiting or being processed is never
    queued twice."""
    return f"photo-{photo_id}"


def ticket_for(upload: Upload) -> Ticket:
    return Ticket(str(upload.id), upload.length, upload.completed_at is not None,
                  upload.expires_at)


def upload_expiry(settings: Settings) -> timedelta:
    return timedelta(hours=settings.upload_expiry_hours)


def start_upload(session: Session, actor: User, *, device_id: str | None, length: int,
                 metadata: dict[str, str], settings: Settings, partials: PartialUploads,
                 now: datetime | None = None) -> Upload:
    """Create an upload (or answer the existing one for the same photo)."""
    now = now or utcnow()
    meta = _check_metadata(metadata)
    if length > settings.max_upload_bytes:
        raise errors.PayloadTooLarge(
            f"Tệp {length} byte vượt giới hạn {settings.max_upload_bytes} byte.",
            errors={"Upload-Length": [f"at most {settings.max_upload_bytes}"]})
    if length < 1:
        raise errors.ValidationFailed("Tệp rỗng, không có gì để tải lên.",
                                      errors={"Upload-Length": ["must be at least 1"]})
    item_code = meta.get("item_code")
    inspection = _team_inspection(session, actor, meta["inspection_id"], item_code)
    if item_code is not None and session.scalar(select(ChecklistItem.id).where(
            ChecklistItem.checklist_id == inspection.checklist_id,
            ChecklistItem.code == item_code)) is None:
        raise errors.ValidationFailed(f"Bảng kiểm không có mục {item_code}.",
                                      errors={"item_code": ["no such item"]})
    existing, held = _same_upload(session, actor, inspection, meta, length, now)
    if existing is not None:
        return existing
    if inspection.status not in UPLOADABLE and actor.role != "post":
        raise errors.InvalidState("Phiên kiểm tra đã được duyệt; không nhận thêm ảnh.")
    if held is None:
        held = session.scalar(_HELD, {"inspection_id": inspection.id, "now": now}) or 0
    _check_count(held, settings)
    upload = Upload(
        id=uuid.uuid4(), inspection_id=inspection.id, item_code=item_code,
        photo_id=meta.get("photo_id") or uuid.uuid4(), user_id=actor.id, device_id=device_id,
        length=length, sha256=meta["sha256"], filename=meta.get("filename"),
        filetype=meta.get("filetype"), captured_at=meta.get("captured_at"), created_at=now,
        expires_at=now + upload_expiry(settings))
    session.add(upload)
    session.flush()
    audit.record_event(session, audit.UPLOAD_CREATED, entity=Upload.__tablename__,
                       entity_id=upload.id, province_code=inspection.province_code, detail={
                           "inspection_id": inspection.id, "item_code": item_code,
                           "photo_id": upload.photo_id, "length": length,
                           "sha256": upload.sha256})
    partials.create(str(upload.id))
    return upload


def _check_metadata(metadata: dict[str, str]) -> dict[str, Any]:
    problems: dict[str, list[str]] = {}
    out: dict[str, Any] = {k: v for k, v in metadata.items()
                           if k in METADATA_KEYS and v != ""}
    for key in ("inspection_id", "sha256"):
        if key not in out:
            problems[key] = ["required"]
    for key in ("inspection_id", "photo_id"):
        if key in out:
            try:
                out[key] = uuid.UUID(out[key])
            except ValueError:
                problems[key] = ["not a UUID"]
    if "sha256" in out:
        out["sha256"] = out["sha256"].lower()
        if not _SHA256.fullmatch(out["sha256"]):
            problems["sha256"] = ["64 hex digits"]
    if "captured_at" in out:
        try:
            captured = datetime.fromisoformat(out["captured_at"].replace("Z", "+00:00"))
        except ValueError:
            captured = None
        if captured is None or captured.tzinfo is None:
            problems["captured_at"] = ["RFC 3339 date-time with offset"]
        elif _utc_year(captured) < EARLIEST_CAPTURE:
            problems["captured_at"] = [f"a time from the year {EARLIEST_CAPTURE}"]
        else:
            out["captured_at"] = captured
    for key, limit in (("item_code", 20), ("filename", 255), ("filetype", 100)):
        if key in out and len(out[key]) > limit:
            problems[key] = [f"at most {limit} characters"]
    if problems:
        raise errors.ValidationFailed("Siêu dữ liệu tải lên (Upload-Metadata) không hợp lệ.",
                                      errors=problems)
    return out


def _utc_year(moment: datetime) -> int:
    """The year of `moment` in UTC; 0 when UTC cannot hold it (year 1 east of Greenwich)."""
    try:
        return moment.astimezone(UTC).year
    except OverflowError:
        return 0


def _team_inspection(session: Session, actor: User, inspection_id: uuid.UUID,
                     item_code: str | None = None) -> Inspection:
    """The inspection, for a member of its team; or for a `post` user of the site's
    organisation (who sees it) sending remediation evidence: the inspection has an issued
    notice and `item_code` is one of the notice's findings (see `_remediation_evidence`)."""
    inspection = get_inspection(session, actor, inspection_id)
    if actor.id in {u.id for u in inspection.team}:
        return inspection
    if actor.role == "post" and _remediation_evidence(session, inspection, item_code):
        return inspection
    raise errors.Forbidden("Chỉ thành viên đoàn kiểm tra (hoặc bưu điện gửi ảnh khắc phục cho "
                           "một phát hiện đã thông báo) mới được tải ảnh lên phiên này.")


def _remediation_evidence(session: Session, inspection: Inspection,
                          item_code: str | None) -> bool:
    if item_code is None:
        return False
    noticed = select(Finding.id).where(Finding.inspection_id == inspection.id,
                                       Finding.item_code == item_code,
                                       Finding.status.in_(NOTICED_FINDINGS))
    return session.scalar(select(Notice.id).where(
        Notice.inspection_id == inspection.id, Notice.status == "issued",
        noticed.exists())) is not None


def _same_upload(session: Session, actor: User, inspection: Inspection, meta: dict[str, Any],
                 length: int, now: datetime) -> tuple[Upload | None, int | None]:
    """The upload (or photo) this creation repeats, if any; Conflict if the photo id is
    taken by different evidence. An unfinished upload that has expired is forgotten here
    (its bytes go with the orphans), so the photo can be sent again. Also, when it was read
    on the way (a creation without a photo id that repeats nothing), how many photos the
    inspection holds (`_held`), else None."""
    same = (inspection.id, meta.get("item_code"), meta["sha256"], length)
    photo_id, item_code = meta.get("photo_id"), meta.get("item_code")
    params = {"inspection_id": inspection.id, "sha256": meta["sha256"], "now": now,
              "length": length, "item_code": item_code}
    candidates = session.scalars(_candidates(photo_id is None, item_code is None),
                                 params).all()
    stale = [u for u in candidates if u.completed_at is None and u.expires_at <= now]
    for old in stale:
        session.delete(old)
    session.flush()
    if photo_id is not None:
        upload = session.scalar(select(Upload).where(Upload.photo_id == photo_id))
        photo = session.get(Photo, photo_id)
        held = upload or photo
        if held is not None:
            held_length = upload.length if upload is not None else photo.size  # type: ignore[union-attr]
            if (held.inspection_id, held.item_code, held.sha256, held_length) != same:
                raise errors.Conflict("Mã ảnh này đã được dùng cho một ảnh khác.",
                                      errors={"photo_id": ["already used"]})
        if upload is not None:
            return upload, None
        return (_completed_upload(session, photo, actor) if photo is not None else None), None
    repeated = next((u for u in candidates if u not in stale), None)
    if repeated is not None:
        return repeated, None
    count, twin_id = session.execute(_held_and_twin(item_code is None), params).one()
    if twin_id is None:
        return None, count or 0
    return _completed_upload(session, session.get_one(Photo, twin_id), actor), None


def _same_item(column: Any, no_item: bool) -> Any:
    return column.is_(None) if no_item else column == bindparam("item_code")


@functools.cache
def _candidates(no_photo_id: bool, no_item: bool) -> Any:
    """One read for both: the expired unfinished uploads of these bytes, and (without a
    photo id) the uploads this creation repeats, finished first, then the newest. Built once
    per kind of creation, as the reads below (parameters: `inspection_id`, `sha256`, `now`,
    `length`, `item_code`)."""
    return select(Upload).where(
        Upload.inspection_id == bindparam("inspection_id"),
        Upload.sha256 == bindparam("sha256"),
        or_(and_(Upload.completed_at.is_(None), Upload.expires_at <= bindparam("now")),
            and_(Upload.length == bindparam("length"), _same_item(Upload.item_code, no_item))
            if no_photo_id else false()),
    ).order_by(Upload.completed_at.is_(None), Upload.created_at.desc())


@functools.cache
def _held_and_twin(no_item: bool) -> Any:
    """How many photos the inspection holds (`_held`) and a photo of the same bytes and item
    (its upload record gone), in one read."""
    twin = select(Photo.id).where(
        Photo.inspection_id == bindparam("inspection_id"), Photo.sha256 == bindparam("sha256"),
        _same_item(Photo.item_code, no_item)).limit(1).scalar_subquery()
    return select(_held(), twin)


def _completed_upload(session: Session, photo: Photo, actor: User) -> Upload:
    """A finished upload standing for a photo whose own upload record has expired."""
    now = utcnow()
    upload = Upload(id=uuid.uuid4(), inspection_id=photo.inspection_id,
                    item_code=photo.item_code, photo_id=photo.id, user_id=actor.id,
                    length=photo.size, sha256=photo.sha256, filename=photo.filename,
                    created_at=now, expires_at=now + timedelta(days=1), completed_at=now)
    session.add(upload)
    session.flush()
    return upload


def _held() -> Any:
    """How many photos the inspection holds, the uploads still arriving included: one
    expression (parameters `inspection_id`, `now`), to select alone or with another read."""
    photos = select(func.count()).select_from(Photo).where(
        Photo.inspection_id == bindparam("inspection_id")).scalar_subquery()
    pending = select(func.count()).select_from(Upload).where(
        Upload.inspection_id == bindparam("inspection_id"), Upload.completed_at.is_(None),
        Upload.expires_at > bindparam("now")).scalar_subquery()
    return photos + pending


_HELD = select(_held())


def _check_count(held: int, settings: Settings) -> None:
    if held >= settings.max_photos_per_inspection:
        raise errors.RuleViolation(
            f"Phiên kiểm tra đã có {held} ảnh (kể cả ảnh đang tải); tối đa "
            f"{settings.max_photos_per_inspection}.",
            errors={"inspection_id": [f"at most {settings.max_photos_per_inspection} photos"]})


def get_upload(session: Session, actor: User, upload_id: str,
               now: datetime | None = None) -> Upload:
    """The upload, for a member of its inspection's team; Gone once it has expired
    unfinished. Someone who may not see the inspection gets NotFound."""
    found = _find_with_team(session, upload_id)
    if found is None:
        raise errors.NotFound("Không tìm thấy phiên tải lên.")
    upload, inspection = found  # held: the session's identity map keeps it only while used
    _team_inspection(session, actor, inspection.id, upload.item_code)
    if upload.completed_at is None and upload.expires_at <= (now or utcnow()):
        raise errors.Gone("Phiên tải lên đã hết hạn; hãy tải lại tệp từ đầu.")
    return upload


def _find_with_team(session: Session, upload_id: str) -> tuple[Upload, Inspection] | None:
    """The upload, re-read, and its inspection with site and team, in one statement (every
    tus request checks who may see and write it: one round trip instead of four)."""
    try:
        key = uuid.UUID(upload_id)
    except ValueError:
        return None
    row = session.execute(_WITH_TEAM, {"upload_id": key}).unique().first()
    return None if row is None else (row[0], row[1])


_WITH_TEAM = (
    select(Upload, Inspection).join(Inspection, Inspection.id == Upload.inspection_id)
    .where(Upload.id == bindparam("upload_id"))
    .options(joinedload(Inspection.site), joinedload(Inspection.team))
    .execution_options(populate_existing=True))
_LOCKED_WITH_SITE = (
    select(Upload, Inspection).join(Inspection, Inspection.id == Upload.inspection_id)
    .where(Upload.id == bindparam("upload_id")).options(joinedload(Inspection.site))
    .with_for_update(of=Upload).execution_options(populate_existing=True))
"""Built once: every append and every completion runs one (a statement built anew costs its
construction and its cache key every time)."""


def open_for_append(session: Session, actor: User, upload_id: str) -> Ticket:
    return ticket_for(get_upload(session, actor, upload_id))


def complete(session: Session, ticket: Ticket, *, store: BlobStore,
             partials: PartialUploads, sha256_from_start: str | None) -> Photo:
    """Turn a fully received upload into a `processing` Photo, storing its bytes; the
    declared sha256 must be the whole file's (`sha256_from_start` when the last append
    hashed it all, else the file is read once), else ChecksumMismatch and the upload is
    gone (its row deleted here, its bytes at once). Idempotent for a completed upload."""
    # The upload, locked and read anew, with its inspection and site in the same read: the
    # audit and the sync feed of the new photo read them (held below, so not read again).
    row = session.execute(_LOCKED_WITH_SITE, {"upload_id": uuid.UUID(ticket.id)}).first()
    if row is None:
        raise errors.NotFound("Phiên tải lên không còn (đã huỷ hoặc hết hạn).")
    upload, inspection = row
    if upload.completed_at is not None:
        return session.get_one(Photo, upload.photo_id)
    if (sha256_from_start or partials.sha256(ticket.id)) != upload.sha256:
        partials.discard(ticket.id)
        session.delete(upload)
        session.flush()
        raise errors.ChecksumMismatch(
            "Tệp nhận được không có mã sha256 đã khai báo; không lưu gì, hãy tải lại.",
            errors={"sha256": ["does not match the received file"]})
    store.adopt(partials.path(ticket.id), upload.sha256)
    photo = Photo(id=upload.photo_id, inspection_id=upload.inspection_id,
                  item_code=upload.item_code, sha256=upload.sha256, size=upload.length,
                  captured_at=upload.captured_at, filename=upload.filename,
                  uploaded_by=upload.user_id, status="processing", version=1)
    session.add(photo)
    upload.completed_at = utcnow()
    session.flush()
    audit.record_event(session, audit.UPLOAD_COMPLETED, entity=Upload.__tablename__,
                       entity_id=upload.id, province_code=inspection.province_code, detail={
                           "inspection_id": upload.inspection_id, "photo_id": photo.id,
                           "length": upload.length, "sha256": upload.sha256})
    return photo


def terminate(session: Session, actor: User, upload_id: str) -> Upload:
    """Cancel an unfinished upload (its row deleted; its bytes are the caller's to discard
    after commit). A finished upload is evidence and stays: InvalidState."""
    upload = get_upload(session, actor, upload_id)
    if upload.completed_at is not None:
        raise errors.InvalidState("Tệp đã tải lên xong và là ảnh bằng chứng; không thể huỷ.")
    session.delete(upload)
    session.flush()
    return upload


@dataclass(frozen=True)
class Expiry:
    expired: int  # unfinished uploads whose time ran out
    forgotten: int  # finished uploads' records, kept until then for repeated creations
    discard: list[str]  # upload ids whose bytes the caller removes after committing


def expire_uploads(session: Session, partials: PartialUploads, settings: Settings,
                   now: datetime | None = None) -> Expiry:
    """Forget every upload past its expiry (an unfinished one with its bytes), and bytes
    without a record that are older than the expiry period (left by a crash)."""
    now = now or utcnow()
    rows = session.execute(select(Upload.id, Upload.completed_at)
                           .where(Upload.expires_at <= now)).all()
    if rows:
        session.execute(delete(Upload).where(Upload.id.in_([r.id for r in rows])))
    unfinished = [str(r.id) for r in rows if r.completed_at is None]
    known = {str(i) for i in session.scalars(select(Upload.id))}
    cutoff = (now - upload_expiry(settings)).timestamp()
    orphans = [i for i in partials.ids() if i not in known and i not in unfinished
               and partials.path(i).stat().st_mtime < cutoff]
    return Expiry(len(unfinished), len(rows) - len(unfinished), unfinished + orphans)


def clean_expired(session: Session, partials: PartialUploads, settings: Settings,
                  now: datetime | None = None) -> Expiry:
    """The whole clean-up (a daily job or `kt1 uploads expire`): forget what has expired,
    commit, and only then remove the bytes, so a failed commit leaves nothing dangling."""
    expiry = expire_uploads(session, partials, settings, now)
    session.commit()
    for upload_id in expiry.discard:
        partials.discard(upload_id)
    return expiry


def find_photo(session: Session, actor: User, photo_id: uuid.UUID) -> Photo:
    """The photo if the actor may see its inspection and the photo in it (`photos_clause`:
    a `post` user only the evidence of findings it sees and its organisation's own photos),
    else NotFound."""
    photo = session.get(Photo, photo_id)
    if photo is None or (actor.role == "post" and session.scalar(
            select(Photo.id).where(Photo.id == photo_id, photos_clause(actor))) is None):
        raise errors.NotFound("Không tìm thấy ảnh.")
    get_inspection(session, actor, photo.inspection_id)
    return photo


def list_photos(session: Session, actor: User, inspection_id: uuid.UUID) -> Any:
    """A select of the inspection's photos the actor may see, oldest first (NotFound if the
    inspection is not visible)."""
    get_inspection(session, actor, inspection_id)
    return (select(Photo).where(Photo.inspection_id == inspection_id, photos_clause(actor))
            .order_by(Photo.created_at, Photo.id))
