"""The records of one inspection over time: which is current, which is being made, and a new
record asked for when an inspection whose record was issued is submitted again.

An inspection has at most one `issued` record (the current one) and at most one in the making
(`pending`, or `failed` until asked for again): the partial unique indexes of
`inspection_records` hold this on SQLite and PostgreSQL, and `ask` takes the inspection's row
lock before it writes so that two requests asking at once (PostgreSQL) wait for each other
instead of one failing on those indexes (SQLite's writers are serialised already). A record issued
while another is current replaces it (`replace`): the old one reads `replaced`, names its
successor and keeps its number and documents.

Called by `inspection.inspections.services` (the resubmission hook), so it imports neither
that module nor `inspection.notices`.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspection import jobs
from inspection.models import Inspection, InspectionRecord, Job, User
from inspection.models.records import IN_THE_MAKING, ISSUED, REPLACED

RECORD_KIND = "record"
RECORD_JOB = "workers.jobs.render_record_job"


def current(session: Session, inspection_id: uuid.UUID) -> InspectionRecord | None:
    """The inspection's issued record (None before the first issues)."""
    return session.scalar(select(InspectionRecord).where(
        InspectionRecord.inspection_id == inspection_id, InspectionRecord.status == ISSUED)
        .execution_options(populate_existing=True))


def in_the_making(session: Session, inspection_id: uuid.UUID) -> InspectionRecord | None:
    """The inspection's record asked for and not issued (pending, or failed)."""
    return session.scalar(select(InspectionRecord).where(
        InspectionRecord.inspection_id == inspection_id,
        InspectionRecord.status.in_(IN_THE_MAKING))
        .execution_options(populate_existing=True))


def states_latest(record: InspectionRecord, inspection: Inspection) -> bool:
    """Whether the record states the inspection as last submitted (False if it was
    resubmitted after the record's facts were drawn, or that is not known)."""
    drawn, submitted = record.states_submitted_at, inspection.submitted_at
    return drawn is not None and (submitted is None or drawn >= submitted)


def ask(session: Session, actor: User, inspection: Inspection, *,
        symbol: str) -> tuple[InspectionRecord, Job, bool]:
    """The record stating the inspection as submitted now, and its job; `queued` says whether
    a job was just created (to deliver after commit). The record in the making if there is
    one (a failed one is queued again), else the current record if it states the latest
    submission, else a new record (numbered `symbol` when it issues) replacing the current
    one when it issues. Only a request that writes takes the inspection's row lock."""
    answered = _answered(session, inspection)
    if answered is not None:
        return (*answered, False)
    session.scalar(select(Inspection.id).where(Inspection.id == inspection.id)
                   .with_for_update())
    answered = _answered(session, inspection)  # asked for meanwhile (while we waited)
    if answered is not None:
        return (*answered, False)
    making = in_the_making(session, inspection.id)
    if making is not None:  # failed (or without a job): asked for again
        making.status = "pending"
        making.version += 1
        return making, _job_for(session, actor, making), True
    issued = current(session, inspection.id)
    record = InspectionRecord(id=uuid.uuid4(), inspection_id=inspection.id,
                              province_code=inspection.province_code, issuer=symbol,
                              symbol=symbol, status="pending", created_by=actor.id, version=1,
                              replaces_id=issued.id if issued is not None else None)
    session.add(record)
    return record, _job_for(session, actor, record), True


def _answered(session: Session,
              inspection: Inspection) -> tuple[InspectionRecord, Job] | None:
    """The record (and job) that answers a request as it is: one pending with its job, else
    the issued one if it states the latest submission."""
    making = in_the_making(session, inspection.id)
    if making is not None:
        if making.status == "failed" or making.job_id is None:
            return None
        return making, session.get_one(Job, making.job_id)
    issued = current(session, inspection.id)
    if issued is None or issued.job_id is None or not states_latest(issued, inspection):
        return None
    return issued, session.get_one(Job, issued.job_id)


def _job_for(session: Session, actor: User, record: InspectionRecord) -> Job:
    session.flush()
    job = jobs.create(session, actor, RECORD_KIND, {"record_id": str(record.id)},
                      record.province_code)
    record.job_id = job.id
    session.flush()
    return job


def reissue_on_submit(session: Session, actor: User,
                      inspection: Inspection) -> InspectionRecord | None:
    """Called as `inspection` is submitted: if it has an issued record, ask for a new one
    stating this submission (its job is handed over after commit) and return it; a record
    in the making renders the new submission as it is. None when it has no issued record."""
    issued = current(session, inspection.id)
    if issued is None:
        return None
    record, job, queued = ask(session, actor, inspection, symbol=issued.symbol)
    if queued:
        jobs.hand_over_after_commit(session, job, RECORD_JOB, str(record.id))
    return record


def replace(session: Session, record: InspectionRecord) -> InspectionRecord | None:
    """Before `record` is marked issued: the inspection's current record (another) becomes
    `replaced` by it, and `record` names it. Returns the record replaced, if any."""
    old = current(session, record.inspection_id)
    if old is None or old.id == record.id:
        return None
    old.status, old.replaced_by_id = REPLACED, record.id
    old.version += 1
    record.replaces_id = old.id
    session.flush()  # before `record` is issued: one issued record per inspection
    return old
