"""Background jobs users ask for: their record, who may read it, and how a run reports.

The web side creates the record (`create`) in the request's transaction and queues the job's
id after commit; the worker side (`workers.tracking`) marks it started, reports progress,
and ends it finished with a result or failed with a readable error. A failure that will be
retried leaves the job `queued` with the error of the last attempt.

Domain code that asks for a job in the course of another use case (a resubmitted inspection
asking for its new record) cannot hand it to the queue itself: it notes the hand-over on the
session (`hand_over_after_commit`), and whoever commits that session delivers what
`take_handovers` gives it once committed. The `jobs` row is the outbox: a hand-over nobody
delivers (a command-line session, a crash) is delivered by the sweeper (`workers.outbox`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from inspection import audit, errors
from inspection.db import utcnow
from inspection.models import Job, User

READERS = ("supervisor", "admin")
HANDOVERS = "kt1.job_handovers"


@dataclass(frozen=True)
class Handover:
    """Deliver `func_path(job id, *args)` under the job's id once the session commits."""

    job: Job
    func_path: str
    args: tuple[str, ...]

    @property
    def key(self) -> str:
        return str(self.job.id)


def create(session: Session, actor: User, kind: str, args: dict[str, Any],
           province_code: str | None) -> Job:
    job = Job(id=uuid.uuid4(), kind=kind, status="queued", progress=0, args=args,
              created_by=actor.id, province_code=province_code, attempts=0)
    session.add(job)
    session.flush()
    return job


def hand_over_after_commit(session: Session, job: Job, func_path: str, *args: str) -> None:
    """Ask whoever commits `session` to hand the job to the queue after the commit."""
    session.info.setdefault(HANDOVERS, []).append(Handover(job, func_path, args))


def take_handovers(session: Session) -> list[Handover]:
    """The hand-overs noted on `session` whose job is still in it (a savepoint rolled back
    takes its jobs with it), removed from the session: call it just before committing."""
    noted: list[Handover] = session.info.pop(HANDOVERS, [])
    return [h for h in noted if inspect(h.job).persistent]


def get(session: Session, actor: User, job_id: uuid.UUID) -> Job:
    """The job, for whoever asked for it and for the supervisors and admins of its province;
    NotFound for anyone else."""
    job = session.get(Job, job_id)
    if job is None or not _may_read(actor, job):
        raise errors.NotFound("Không tìm thấy công việc.")
    return job


def _may_read(actor: User, job: Job) -> bool:
    if job.created_by == actor.id or actor.is_national:
        return True
    return actor.role in READERS and job.province_code == actor.province_code


def load(session: Session, job_id: uuid.UUID | str) -> Job:
    return session.get_one(Job, uuid.UUID(str(job_id)), with_for_update=True,
                           populate_existing=True)


def started(session: Session, job_id: uuid.UUID | str) -> Job:
    job = load(session, job_id)
    job.status = "started"
    job.attempts += 1
    job.started_at = utcnow()
    session.flush()
    return job


def progressed(session: Session, job_id: uuid.UUID | str, percent: int) -> None:
    job = load(session, job_id)
    job.progress = max(0, min(100, percent))
    session.flush()


def finished(session: Session, job_id: uuid.UUID | str, result: dict[str, Any]) -> Job:
    job = load(session, job_id)
    job.status, job.progress, job.result, job.error = "finished", 100, result, None
    job.finished_at = utcnow()
    session.flush()
    _audit_end(session, job, audit.JOB_FINISHED)
    return job


def failed(session: Session, job_id: uuid.UUID | str, error: str, *, final: bool) -> Job:
    """Record an attempt's error: the job is `failed` if no retry follows, else `queued`."""
    job = load(session, job_id)
    job.status = "failed" if final else "queued"
    job.error = error[:2000]
    job.finished_at = utcnow() if final else None
    session.flush()
    if final:
        _audit_end(session, job, audit.JOB_FAILED)
    return job


def _audit_end(session: Session, job: Job, action: str) -> None:
    """Chain the end of a job (its kind and attempts; the result and error stay on the job)."""
    audit.record_event(session, action, entity=Job.__tablename__, entity_id=job.id,
                       province_code=job.province_code,
                       detail={"kind": job.kind, "attempts": job.attempts})
