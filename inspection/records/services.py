"""Inspection records (biên bản kiểm tra): asked for on a submitted inspection, numbered
without gaps, issued.

Like a notice (`inspection.notices`): the request creates the record and its job in the web
request's transaction; the job re-checks the inspection, gathers what the document states
(`facts`), takes the next number and records the stored documents in one transaction, so a
number is only ever committed with its documents. Records are numbered on the notices'
counter under their own issuer key (`BB-SKHCN`), per province and year.

An inspection returned and submitted again gets a new record with the next number, which
replaces the issued one as it issues (`inspection.records.lineage`); the old one keeps its
number and documents and reads `replaced`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspection import documents, errors
from inspection.checklists import kt1_provider
from inspection.checklists.compliance import is_compliant
from inspection.documents import take_number
from inspection.inspections.queries import sees_inspection
from inspection.inspections.services import get_inspection
from inspection.models import (
    ChecklistItem,
    Commune,
    Inspection,
    InspectionRecord,
    Job,
    Photo,
    Province,
    Site,
    User,
)
from inspection.models.records import ISSUED
from inspection.notices import IssuingBody, issuing_body, today_in_vietnam
from inspection.records import lineage as record_lineage
from inspection.scope import require_role

RECORD_KIND = record_lineage.RECORD_KIND
RECORD_JOB = record_lineage.RECORD_JOB
RECORDABLE = ("submitted", "approved")
TYPE_CODE = "BB"
OVERSEERS = ("supervisor", "admin")
REPRESENTATIVE_WORDS = ("đại diện", "đơn vị được kiểm tra", "cơ sở được kiểm tra")
"""A `signature` item whose text says one of these is signed by the inspected site."""
AGENCY_WORDS = {"police": ("công an",), "skhcn": ("sở kh&cn", "khoa học và công nghệ")}
"""A team member's `signature` item whose text names an agency is signed by that agency's
member (by `User.agency`)."""


def symbol_for(body: IssuingBody) -> str:
    return f"{TYPE_CODE}-{body.abbreviation}"


# --- Asking for a record (web side) ----------------------------------------------------------

def request_record(session: Session, actor: User,
                   inspection_id: uuid.UUID) -> tuple[InspectionRecord, Job, bool]:
    """The record stating the inspection as submitted now, and its job; `queued` says whether
    a job was just created (the caller enqueues it after commit). Asking again answers the
    same record and its job, unless it failed, which queues a new attempt; once the
    inspection is resubmitted after its record was drawn, asking answers the new record
    that will replace it (`record_lineage.ask`). The team's members and the province's
    supervisors and admins may ask (Forbidden for others, NotFound outside the province)."""
    inspection = get_inspection(session, actor, inspection_id)
    if actor.id not in {m.id for m in inspection.team}:
        require_role(actor, *OVERSEERS)
    ensure_recordable(inspection)
    return record_lineage.ask(session, actor, inspection,
                              symbol=symbol_for(issuing_body(session,
                                                             inspection.province_code)))


def ensure_recordable(inspection: Inspection) -> None:
    if inspection.status not in RECORDABLE:
        raise errors.InvalidState(
            "Chỉ lập biên bản cho phiên kiểm tra đã nộp hoặc đã được duyệt "
            f"(trạng thái hiện tại: {inspection.status}).")


# --- Reading ---------------------------------------------------------------------------------

def find_record(session: Session, actor: User,
                record_id: uuid.UUID) -> InspectionRecord | None:
    """The record if the actor may see its inspection (province; a `post` user: an approved
    inspection of its organisation's sites only)."""
    record = session.get(InspectionRecord, record_id)
    if record is None or not sees_inspection(actor, record.inspection):
        return None
    return record


def get_record(session: Session, actor: User, record_id: uuid.UUID) -> InspectionRecord:
    record = find_record(session, actor, record_id)
    if record is None:
        raise errors.NotFound("Không tìm thấy biên bản.")
    return record


def is_current(record: InspectionRecord) -> bool:
    """Issued with its documents and not replaced: the inspection's current record."""
    return record.status == ISSUED and is_issued(record)


is_issued = documents.RECORD.is_issued
"""Issued, now or before it was replaced: its number and documents are final."""
document_sha256 = documents.RECORD.document_sha256
"""The stored document's key, a replaced record's too; InvalidState before it is issued."""


# --- Issuing (job side) ----------------------------------------------------------------------

@dataclass(frozen=True)
class AnswerFacts:
    """One checklist item and its answer (`value` None: not answered)."""

    item: ChecklistItem
    section: str
    """"A. Chấp nhận bưu gửi KT1": the section's code and title."""
    value: object
    note: str
    compliant: bool | None
    photos: int
    """Ready photos of the item."""


@dataclass(frozen=True)
class RecordFacts:
    """What the record states, read from the database (signature bytes are the caller's:
    `signatures` maps a team member's id, or None for the site's representative, to the
    ready PNG photo of their signature)."""

    record: InspectionRecord
    body: IssuingBody
    inspection: Inspection
    site: Site
    commune: str
    province: str
    team: tuple[User, ...]
    answers: tuple[AnswerFacts, ...]
    signatures: dict[uuid.UUID | None, Photo]
    representative: tuple[str, str] | None = None
    """The site representative's name and title as answered (the closing items), either
    may be empty; None when the checklist has no such items or neither is answered."""
    replaces: InspectionRecord | None = None
    """The inspection's current record, which this one replaces as it issues."""

    @property
    def ended_at(self) -> datetime:
        insp = self.inspection
        return max(insp.started_at, insp.submitted_at or insp.started_at)


lock_for_issue = documents.RECORD.lock_for_issue
mark_failed = documents.RECORD.mark_failed


def facts(session: Session, record: InspectionRecord) -> RecordFacts:
    """Everything the record states; InvalidState if the inspection is no longer
    submitted or approved (returned for changes, say). The inspection's row is read-locked
    (PostgreSQL) so that it is not returned and resubmitted before the record issues."""
    inspection = session.get_one(Inspection, record.inspection_id, populate_existing=True,
                                 with_for_update={"read": True})
    ensure_recordable(inspection)
    photos = list(session.scalars(
        select(Photo).where(Photo.inspection_id == inspection.id, Photo.status == "ready")
        .order_by(Photo.created_at, Photo.id)))
    site = inspection.site
    commune = session.get(Commune, site.commune_code) if site.commune_code else None
    province = session.get_one(Province, site.province_code)
    team = tuple(sorted(inspection.team, key=lambda u: (u.agency != "skhcn", u.full_name)))
    return RecordFacts(
        record=record, body=issuing_body(session, record.province_code),
        inspection=inspection, site=site, commune=commune.name if commune else "",
        province=province.name, team=team, answers=_answers(inspection, photos),
        signatures=_signatures(inspection, photos, team),
        representative=_representative(inspection),
        replaces=_replaced(session, record))


def _replaced(session: Session, record: InspectionRecord) -> InspectionRecord | None:
    issued = record_lineage.current(session, record.inspection_id)
    return issued if issued is not None and issued.id != record.id else None


def _representative(inspection: Inspection) -> tuple[str, str] | None:
    """The closing items' answers naming who spoke for the site (blank when unanswered)."""
    answers = {a.item_code: a.value for a in inspection.answers}
    name, title = (answers.get(code) for code in (kt1_provider.REPRESENTATIVE_NAME,
                                                  kt1_provider.REPRESENTATIVE_TITLE))
    shown = tuple(v.strip() if isinstance(v, str) else "" for v in (name, title))
    return (shown[0], shown[1]) if any(shown) else None


def _answers(inspection: Inspection, photos: list[Photo]) -> tuple[AnswerFacts, ...]:
    answers = {a.item_code: a for a in inspection.answers}
    values = {code: a.value for code, a in answers.items()}
    out = []
    for section in inspection.checklist.sections:
        for item in section.items:
            answer = answers.get(item.code)
            value = answer.value if answer else None
            out.append(AnswerFacts(
                item=item, section=f"{section.code}. {section.title}", value=value,
                note=(answer.note or "") if answer else "",
                compliant=is_compliant(item, value, values),
                photos=sum(1 for p in photos if p.item_code == item.code)))
    return tuple(out)


def _signatures(inspection: Inspection, photos: list[Photo],
                team: tuple[User, ...]) -> dict[uuid.UUID | None, Photo]:
    """Each `signature` item's photo (the one its answer names, else its latest ready
    photo) given to a signer: the site's representative when the item's text says so,
    else (among the members of the agency the item's text names, if it names one) the
    member who uploaded it, else the first, else the next member unsigned."""
    answers = {a.item_code: a.value for a in inspection.answers}
    members = [u.id for u in team]
    agency_of = {u.id: u.agency for u in team}
    out: dict[uuid.UUID | None, Photo] = {}
    for item in inspection.checklist.items():
        if item.answer_type != "signature":
            continue
        mine = [p for p in photos if p.item_code == item.code]
        named = [p for p in mine if str(p.id) == str(answers.get(item.code))]
        if not (named or mine):
            continue
        photo = (named or mine)[-1]
        signer: uuid.UUID | None
        text = item.text.lower()
        agency = next((a for a, words in AGENCY_WORDS.items()
                       if any(word in text for word in words)), None)
        if any(word in text for word in REPRESENTATIVE_WORDS):
            signer = None
        else:
            free = [m for m in members if m not in out
                    and (agency is None or agency_of[m] == agency)]
            if photo.uploaded_by in free:
                signer = photo.uploaded_by
            elif free:
                signer = free[0]
            else:
                continue
        out.setdefault(signer, photo)
    return out


def assign_number(session: Session, record: InspectionRecord, *,
                  drawn_on: date) -> InspectionRecord:
    """Number the record (once: a numbered record keeps its number) and date it."""
    if record.number is None:
        record.year = drawn_on.year
        record.number = take_number(session, issuer=record.issuer,
                                    province_code=record.province_code, year=drawn_on.year)
    record.drawn_on = drawn_on
    session.flush()
    return record


def drawn_on(record_facts: RecordFacts) -> date:
    """The record is drawn up on the day the inspection ended (Vietnam time)."""
    return today_in_vietnam(record_facts.ended_at)


def mark_issued(session: Session, record: InspectionRecord, *,
                files: dict[str, str]) -> InspectionRecord:
    """Issued with its documents (`files`: the stored pdf and docx), stating the inspection's
    latest submission; the record it replaces (the inspection's current one, if any) becomes
    `replaced` by it."""
    record_lineage.replace(session, record)
    record.states_submitted_at = record.inspection.submitted_at
    return documents.RECORD.mark_issued(session, record, files=files)
