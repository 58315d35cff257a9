"""Writing a violation notice: the domain's facts turned into the document model, rendered to
PDF and DOCX, stored in the blob store, and the notice issued with its number.

`render_notice` is the job's body, called directly by tests: idempotent (a notice that has its
documents is returned unchanged) and committed by its caller in one transaction, so the number
taken here is committed only together with the documents' keys.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from inspection import audit, notices
from inspection.config import Settings
from inspection.db import utcnow
from inspection.models import Job, Notice, Photo, Signer, User
from media.blobstore import BlobStore
from workers.documents import issuing, model, render_notice_docx, render_notice_pdf
from workers.documents.signing import signer_for

POSITIONS = {"skhcn": "Công chức Sở Khoa học và Công nghệ",
             "police": "Cán bộ Công an"}


def render_notice(session: Session, store: BlobStore, notice_id: uuid.UUID | str, *,
                  settings: Settings, now: datetime | None = None) -> Notice:
    """Issue the notice (number, documents) unless it is issued already; the caller commits.
    Raises the domain's errors (not approved, nothing confirmed) and the store's (a photo's
    thumbnail missing)."""
    audit.set_actor(session, None, "worker")
    notice = notices.lock_for_issue(session, notice_id)
    if notices.is_issued(notice):
        return notice
    facts = notices.facts(session, notice)
    thumbnails = {p.id: issuing.read(store, p.thumbnail_sha256) if p.thumbnail_sha256 else None
                  for p in facts.photos}
    notices.assign_number(session, notice, issued_on=notices.today_in_vietnam(now or utcnow()),
                          due_days=settings.notice_due_days)
    job = session.get(Job, notice.job_id) if notice.job_id else None
    served_at = (job.args or {}).get("served_at") if job else None
    document = notice_document(facts, thumbnails,
                               verify_url=verify_url(settings, notice.id, served_at))
    files = issuing.issue_signed(
        store, document, pdf=render_notice_pdf, docx=render_notice_docx,
        signer=signer_for(settings, notice.province_code, location=facts.body.place))
    return notices.mark_issued(session, notice, files=files, photos=facts.photos)


LOCAL = "http://localhost:5000"  # `make run`'s address: the last resort of a notice's link


def verify_url(settings: Settings, notice_id: uuid.UUID, served_at: str | None = None) -> str:
    """The verification page printed in the notice's QR code: under KT1_PUBLIC_URL when it is
    set, else under the address the request asking for the notice reached (`served_at`)."""
    if served_at and len(served_at) > 255:  # a Host header no service is reached by
        served_at = None
    base = settings.public_url or served_at or LOCAL
    return f"{base.rstrip('/')}/notices/{notice_id}/verify"


def notice_document(facts: notices.NoticeFacts, thumbnails: dict[uuid.UUID, bytes | None], *,
                    verify_url: str) -> model.Notice:
    notice, inspection, site = facts.notice, facts.inspection, facts.site
    assert notice.issued_on is not None and notice.due_on is not None
    body = issuing.issuing_body(facts.body)
    ended_at = max(inspection.started_at, inspection.submitted_at or inspection.started_at)
    return model.Notice(
        body=body,
        number=notice.number,
        issued_on=notice.issued_on,
        site=model.Site(site.name, site.organization, site.address, facts.commune,
                        facts.province),
        inspection=model.Inspection(started_at=inspection.started_at, ended_at=ended_at,
                                    team=_team(facts.team, facts.province)),
        findings=tuple(model.Finding(f.finding.item_code, f.section, f.finding.description,
                                     f.basis, model.Severity(f.finding.severity))
                       for f in facts.findings),
        due_on=notice.due_on,
        recipients=_recipients(site.organization or site.name, facts.province),
        signer=signature(facts.signer),
        photos=tuple(_photo(p, thumbnails.get(p.id)) for p in facts.photos),
        verify_url=verify_url,
    )


UNNAMED = model.Signer("Phó Giám đốc", "", authority="KT. Giám đốc")
"""The block of a document asked for before signers were registered: no name."""


def signature(signer: Signer | None) -> model.Signer:
    """The signature block of the register's signer: delegation, title, then the name."""
    if signer is None:
        return UNNAMED
    return model.Signer(signer.title, signer.full_name, authority=signer.delegation or "")


def _team(users: tuple[User, ...], province: str) -> tuple[model.TeamMember, ...]:
    """The DOST members first, the first of them leading; the police after them."""
    ordered = sorted(users, key=lambda u: (u.agency != "skhcn", u.full_name))
    members = []
    for n, user in enumerate(ordered):
        agency = model.Agency.POLICE if user.agency == "police" else model.Agency.DOST
        organisation = user.organization or (
            f"Công an {province}" if agency is model.Agency.POLICE else notices.DOST)
        role = model.TeamRole.LEADER if n == 0 and user.agency == "skhcn" else (
            model.TeamRole.MEMBER)
        members.append(model.TeamMember(user.full_name or user.username,
                                        POSITIONS.get(user.agency, ""), agency, organisation,
                                        role))
    return tuple(members)


def _recipients(addressee: str, province: str) -> tuple[str, ...]:
    return (f"{addressee} (để thực hiện)", f"Công an {province} (để phối hợp)",
            "Giám đốc Sở (để báo cáo)")


def _photo(photo: Photo, thumbnail: bytes | None) -> model.PhotoEvidence:
    exif = photo.exif or {}
    taken = datetime.fromisoformat(exif["taken_at"]) if exif.get("taken_at") else (
        photo.captured_at)
    if taken is not None and taken.utcoffset() is None:
        taken = taken.replace(tzinfo=notices.VIETNAM)
    return model.PhotoEvidence(
        item_code=photo.item_code or "", sha256=photo.sha256, taken_at=taken,
        lon=exif.get("lon"), lat=exif.get("lat"), thumbnail=thumbnail)
