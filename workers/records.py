"""Writing an inspection record: the domain's facts turned into the document model, rendered
to PDF and DOCX, stored in the blob store, and the record issued with its number (replacing
the inspection's current record, if it was resubmitted since that one issued).

`render_record` is the job's body, called directly by tests: idempotent (a record that has its
documents is returned unchanged) and committed by its caller in one transaction, so the number
taken here is committed only together with the documents' keys.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from inspection import audit, records
from inspection.checklists import kt1_provider
from inspection.config import Settings
from inspection.models import InspectionRecord, User
from inspection.notices import DOST
from media.blobstore import BlobStore
from workers.documents import issuing, model, render_record_docx, render_record_pdf
from workers.documents.signing import signer_for
from workers.documents.vietnamese import answer_text
from workers.notices import POSITIONS

BLANK_NAME = "…………………………………"
BLANK_POSITION = "Chức vụ: ……………………"
"""A representative's row left to be filled in by hand (the closing items unanswered)."""


def render_record(session: Session, store: BlobStore, record_id: uuid.UUID | str, *,
                  settings: Settings | None = None) -> InspectionRecord:
    """Issue the record (number, documents) unless it is issued already; the caller commits.
    The PDF is signed with the certificate `settings` name for the province (none: unsigned).
    Raises the domain's errors (inspection not submitted, the certificate unusable) and the
    store's (a signature's original missing)."""
    audit.set_actor(session, None, "worker")
    record = records.lock_for_issue(session, record_id)
    if records.is_issued(record):  # issued already (and maybe replaced since)
        return record
    facts = records.facts(session, record)
    signatures = {signer: issuing.read(store, photo.sha256)
                  for signer, photo in facts.signatures.items()}
    records.assign_number(session, record, drawn_on=records.drawn_on(facts))
    files = issuing.issue_signed(
        store, record_document(facts, signatures), pdf=render_record_pdf,
        docx=render_record_docx,
        signer=signer_for(settings, record.province_code, location=facts.body.place)
        if settings else None)
    return records.mark_issued(session, record, files=files)


def record_document(facts: records.RecordFacts,
                    signatures: dict[uuid.UUID | None, bytes]) -> model.Record:
    site, inspection = facts.site, facts.inspection
    body = issuing.issuing_body(facts.body)
    name, position = facts.representative or ("", "")
    representative = model.Representative(
        name or BLANK_NAME, position or BLANK_POSITION,
        signature=signatures.get(None))
    return model.Record(
        body=body,
        number=facts.record.number,
        site=model.Site(site.name, site.organization, site.address, facts.commune,
                        facts.province),
        inspection=model.Inspection(started_at=inspection.started_at, ended_at=facts.ended_at,
                                    team=_team(facts.team, facts.province, signatures)),
        representatives=(representative,),
        answers=tuple(_answer(a) for a in facts.answers if not _signing(a)),
        replaces=_replaced(facts.replaces),
    )


def _replaced(record: InspectionRecord | None) -> model.Replaced | None:
    if record is None or record.label is None or record.drawn_on is None:
        return None
    return model.Replaced(record.label, record.drawn_on)


def _team(users: tuple[User, ...], province: str,
          signatures: dict[uuid.UUID | None, bytes]) -> tuple[model.TeamMember, ...]:
    """In the domain's order (the Sở KH&CN first); the first of the Sở's members leads."""
    members = []
    for n, user in enumerate(users):
        agency = model.Agency.POLICE if user.agency == "police" else model.Agency.DOST
        organisation = user.organization or (
            f"Công an {province}" if agency is model.Agency.POLICE else DOST)
        role = model.TeamRole.LEADER if n == 0 and user.agency == "skhcn" else (
            model.TeamRole.MEMBER)
        members.append(model.TeamMember(user.full_name or user.username,
                                        POSITIONS.get(user.agency, ""), agency, organisation,
                                        role, signature=signatures.get(user.id)))
    return tuple(members)


def _signing(a: records.AnswerFacts) -> bool:
    """The items of the signing (the representative's name and title, every signature) are
    printed among the participants and in the signature block, not in the answers table."""
    return a.item.answer_type == "signature" or a.item.code in (
        kt1_provider.REPRESENTATIVE_NAME, kt1_provider.REPRESENTATIVE_TITLE)


def _answer(a: records.AnswerFacts) -> model.Answer:
    kind = a.item.answer_type
    if kind == "photo":
        shown = f"{a.photos} ảnh" if a.photos else "Chưa có ảnh"
    else:
        shown = answer_text(kind, a.value)
    photos = 0 if kind == "photo" else a.photos
    return model.Answer(section=a.section, item_code=a.item.code, question=a.item.text,
                        answer=shown, compliant=a.compliant, note=a.note, photos=photos)
