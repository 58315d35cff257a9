"""Violation notices: asked for on an approved inspection, numbered without gaps, issued.

A supervisor asks for a notice (`request_notice`) in the web request's transaction, which
also creates the job users follow; the job (`workers.notices`) re-checks the inspection,
gathers what the document needs (`facts`), takes the next number (`assign_number`) and
records the stored documents (`mark_issued`) in one transaction, so a number is only ever
committed together with its documents: none is shared, none is skipped. A notice that has its
documents is never numbered or written again.

Issuing bodies (the Sở KH&CN of each province) are derived from the province's row of the
official unit list (`issuing_body`); the notice is signed by an official of the province's
register (`inspection.signers`) chosen when it is asked for.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspection import documents, errors, jobs, legal, signers
from inspection.db import utcnow
from inspection.documents import take_number
from inspection.inspections.queries import sees
from inspection.inspections.services import get_inspection
from inspection.models import (
    ChecklistItem,
    ChecklistSection,
    Commune,
    Finding,
    Inspection,
    Job,
    Notice,
    Photo,
    Province,
    Signer,
    Site,
    User,
)
from inspection.models.notices import NOTICED_FINDINGS
from inspection.scope import require_role

REQUESTERS = ("supervisor", "admin")
NOTICE_KIND = "notice"
NOTICE_JOB = "workers.jobs.render_notice_job"
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class IssuingBody:
    """`parent` as the header prints it (capitals), `name` as a sentence writes it,
    `abbreviation` the tail of the symbol ("TB-SKHCN"), `place` the date line's place."""

    parent: str
    name: str
    abbreviation: str
    place: str


DOST = "Sở Khoa học và Công nghệ"
UNIT_TYPES = ("Thành phố ", "Tỉnh ")
NAME_CORRECTIONS = {("22", "Thành phố Quảng Ninh"): "Tỉnh Quảng Ninh",
                    ("24", "Thành phố Bắc Ninh"): "Tỉnh Bắc Ninh"}
"""The override hook: names the vietnam-provinces package (2026.9.0) gets wrong against the
official list of 2026-07-25 (`tests/geo/test_units.py`), applied only to that wrong name, so a
unit list loaded from the official file is taken as it is."""
PLACES = {"Thành phố Hồ Chí Minh": "Thành phố Hồ Chí Minh"}
"""Places written in full: the city's proper name alone is a person's."""


def issuing_body(session: Session, province_code: str) -> IssuingBody:
    """The Sở KH&CN of the province, from its official name ("Thành phố Cần Thơ", "Tỉnh Cà
    Mau"): parent "UBND THÀNH PHỐ CẦN THƠ" (Decree 30/2020: the governing body, capitals),
    place "Cần Thơ" (the proper name, for the date line)."""
    province = session.get_one(Province, province_code)
    name = NAME_CORRECTIONS.get((province.code, province.name), province.name)
    place = PLACES.get(name) or next(
        (name.removeprefix(t) for t in UNIT_TYPES if name.startswith(t)), name)
    return IssuingBody(f"UBND {name}".upper(), DOST, "SKHCN", place)


def symbol_for(body: IssuingBody) -> str:
    return f"TB-{body.abbreviation}"


def today_in_vietnam(now: datetime | None = None) -> date:
    """The calendar day in Vietnam at `now` (default: this moment): deadlines, reminders and
    risk are counted in Vietnamese days."""
    return (now or utcnow()).astimezone(VIETNAM).date()


# --- Asking for a notice (web side) ----------------------------------------------------------

def request_notice(session: Session, actor: User, inspection_id: uuid.UUID, *,
                   served_at: str | None = None,
                   signer_id: uuid.UUID | None = None) -> tuple[Notice, Job, bool]:
    """The inspection's notice and the job writing it; `queued` says whether a job was just
    created (the caller enqueues it after commit). An inspection has one notice: asking again
    answers the existing one and its job, unless it failed, which queues a new attempt.
    `served_at` is the address the request reached the service on (the job keeps it for the
    verification link when KT1_PUBLIC_URL is unset). `signer_id` names the signer
    (`inspection.signers.choose`: by default the province's only active one; ValidationFailed
    otherwise), set when the notice is created or retried."""
    require_role(actor, *REQUESTERS)
    inspection = get_inspection(session, actor, inspection_id)
    notice = session.scalar(select(Notice).where(Notice.inspection_id == inspection.id))
    if notice is not None and notice.status != "failed" and notice.job_id is not None:
        return notice, session.get_one(Job, notice.job_id), False  # asked before: answered
    ensure_issuable(session, inspection)
    signer = signers.choose(session, province_code=inspection.province_code,
                            signer_id=signer_id)
    if notice is None:
        body = issuing_body(session, inspection.province_code)
        notice = Notice(id=uuid.uuid4(), inspection_id=inspection.id,
                        province_code=inspection.province_code, issuer=body.abbreviation,
                        symbol=symbol_for(body), status="pending", created_by=actor.id,
                        signer_id=signer.id, version=1)
        session.add(notice)
    else:
        notice.status = "pending"
        notice.signer_id = signer.id
        notice.version += 1
    session.flush()
    args = {"notice_id": str(notice.id)} | ({"served_at": served_at} if served_at else {})
    job = jobs.create(session, actor, NOTICE_KIND, args, inspection.province_code)
    notice.job_id = job.id
    session.flush()
    return notice, job, True


def ensure_issuable(session: Session, inspection: Inspection) -> dict[str, str]:
    """The printed legal basis of each confirmed finding, when a notice may be issued."""
    if inspection.status != "approved":
        raise errors.InvalidState(
            "Chỉ lập thông báo vi phạm cho phiên kiểm tra đã được duyệt "
            f"(trạng thái hiện tại: {inspection.status}).")
    found = confirmed_findings(session, inspection.id)
    if not found:
        raise errors.RuleViolation(
            "Phiên kiểm tra không có phát hiện nào đã được xác nhận; không có gì để thông báo.")
    return citations(session, inspection, found)


def violated_on(inspection: Inspection) -> date:
    """The violation's date, as the law in force is picked: the day of the visit that found
    it (in Vietnam); conduct that went on until then is judged under the law of that day."""
    return today_in_vietnam(inspection.started_at)


def citations(session: Session, inspection: Inspection,
              found: list[Finding]) -> dict[str, str]:
    """The printed legal basis of each finding (by item code); a RuleViolation listing every
    citation that is unverified, superseded, repealed or not in force on the violation's
    date, with what supersedes it."""
    on = violated_on(inspection)
    cited = legal.cite(session, [(f.item_code, f.legal_refs or []) for f in found], on=on,
                       province_code=inspection.province_code)
    if cited.blocked:
        raise errors.RuleViolation(
            "Chưa lập được thông báo: căn cứ pháp lý của các phát hiện sau chưa được xác minh "
            "hoặc không còn áp dụng. Hãy xác minh căn cứ trong danh mục căn cứ pháp lý hoặc "
            "ban hành phiên bản bảng kiểm tra mới.\n" + "\n".join(b.line() for b in cited.blocked),
            citations=[b.as_problem() for b in cited.blocked])
    return cited.basis


def confirmed_findings(session: Session, inspection_id: uuid.UUID) -> list[Finding]:
    return list(session.scalars(
        select(Finding).where(Finding.inspection_id == inspection_id,
                              Finding.status.in_(NOTICED_FINDINGS))
        .order_by(Finding.item_code)))


# --- Reading ---------------------------------------------------------------------------------

def find_notice(session: Session, actor: User, notice_id: uuid.UUID) -> Notice | None:
    """The notice if the actor may see it (its province; a `post` user: its organisation's
    sites only)."""
    notice = session.get(Notice, notice_id)
    if notice is None or not sees(actor, notice.province_code, notice.inspection.site):
        return None
    return notice


def get_notice(session: Session, actor: User, notice_id: uuid.UUID) -> Notice:
    notice = find_notice(session, actor, notice_id)
    if notice is None:
        raise errors.NotFound("Không tìm thấy thông báo.")
    return notice


# --- Issuing (job side) ----------------------------------------------------------------------

@dataclass(frozen=True)
class FindingFacts:
    finding: Finding
    section: str
    """"A. Chấp nhận bưu gửi KT1": the section's code and title."""
    basis: str
    """The legal basis as printed: the verified references in force on the violation's date."""


@dataclass(frozen=True)
class NoticeFacts:
    """What the document says, read from the database (photos' bytes are the caller's)."""

    notice: Notice
    body: IssuingBody
    inspection: Inspection
    site: Site
    commune: str
    province: str
    team: tuple[User, ...]
    findings: tuple[FindingFacts, ...]
    photos: tuple[Photo, ...]
    signer: Signer | None = None
    """None for a notice asked for before signers were registered."""


lock_for_issue = documents.NOTICE.lock_for_issue
is_issued = documents.NOTICE.is_issued
document_sha256 = documents.NOTICE.document_sha256
mark_failed = documents.NOTICE.mark_failed
"""Locking, checking, serving and failing a notice: the lifecycle every issued document shares
(`inspection.documents`)."""


def facts(session: Session, notice: Notice) -> NoticeFacts:
    """Everything the notice states; raises the DomainErrors of `ensure_issuable`."""
    inspection = session.get_one(Inspection, notice.inspection_id, populate_existing=True)
    basis = ensure_issuable(session, inspection)
    found = confirmed_findings(session, inspection.id)
    sections: dict[str, str] = dict(session.execute(  # type: ignore[arg-type]
        select(ChecklistItem.code, ChecklistSection.code + ". " + ChecklistSection.title)
        .join(ChecklistSection, ChecklistItem.section_id == ChecklistSection.id)
        .where(ChecklistItem.checklist_id == inspection.checklist_id)).all())
    codes = [f.item_code for f in found]
    photos = session.scalars(
        select(Photo).where(Photo.inspection_id == inspection.id, Photo.status == "ready",
                            Photo.item_code.in_(codes))
        .order_by(Photo.item_code, Photo.created_at)).all()
    site = inspection.site
    commune = session.get(Commune, site.commune_code) if site.commune_code else None
    province = session.get_one(Province, site.province_code)
    return NoticeFacts(
        notice=notice, body=issuing_body(session, notice.province_code),
        inspection=inspection, site=site, commune=commune.name if commune else "",
        province=province.name, team=tuple(inspection.team),
        findings=tuple(FindingFacts(f, sections.get(f.item_code, ""), basis[f.item_code])
                       for f in found),
        photos=tuple(photos),
        signer=session.get(Signer, notice.signer_id) if notice.signer_id else None)


def assign_number(session: Session, notice: Notice, *, issued_on: date,
                  due_days: int) -> Notice:
    """Number the notice (once: a numbered notice keeps its number) and date it."""
    if notice.number is None:
        notice.year = issued_on.year
        notice.number = take_number(session, issuer=notice.issuer,
                                    province_code=notice.province_code, year=issued_on.year)
    notice.issued_on = issued_on
    notice.due_on = issued_on + timedelta(days=due_days)
    session.flush()
    return notice


def mark_issued(session: Session, notice: Notice, *, files: dict[str, str],
                photos: tuple[Photo, ...] = ()) -> Notice:
    """Issued with its documents (`files`: the stored pdf and docx) and the photo evidence
    its appendix printed (what the verification page checks the store against)."""
    notice.evidence = [{"photo_id": str(p.id), "item_code": p.item_code, "sha256": p.sha256}
                       for p in photos]
    return documents.NOTICE.mark_issued(session, notice, files=files)
