"""Running a job users follow on `/jobs/{id}`: started, progress, finished or failed.

A domain error (the request cannot be done: the inspection is not approved, ...) fails the job
for good and is not raised, so `rq` does not retry it. Anything else is raised after it is
recorded, so `rq` retries it with backoff; only the last attempt leaves the job `failed`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from inspection import errors, jobs

log = logging.getLogger(__name__)

Work = Callable[[Session, Callable[[int], None]], dict[str, Any]]


def run_tracked(factory: sessionmaker[Session], job_id: str, work: Work) -> dict[str, Any]:
    """Run `work(session, report_progress)`, which commits its own session, as job `job_id`.
    Returns the result recorded (a failure's `{"error": ...}` for a domain error)."""
    with factory() as session:
        jobs.started(session, job_id)
        session.commit()

    def report(percent: int) -> None:
        with factory() as progress_session:
            jobs.progressed(progress_session, job_id, percent)
            progress_session.commit()

    try:
        with factory() as session:
            result = work(session, report)
    except errors.DomainError as exc:
        _record_failure(factory, job_id, exc.detail, final=True)
        return {"error": exc.detail}
    except Exception as exc:
        _record_failure(factory, job_id, readable(exc), final=_last_attempt())
        raise
    with factory() as session:
        jobs.finished(session, job_id, result)
        session.commit()
    return result


def readable(exc: BaseException) -> str:
    return f"Lỗi khi thực hiện công việc ({type(exc).__name__}): {exc}"


def _record_failure(factory: sessionmaker[Session], job_id: str, error: str, *,
                    final: bool) -> None:
    log.warning("job %s failed (final=%s): %s", job_id, final, error)
    with factory() as session:
        jobs.failed(session, job_id, error, final=final)
        session.commit()


def _last_attempt() -> bool:
    """Whether `rq` will not retry the running job (always so in embedded mode)."""
    from rq import get_current_job

    current = get_current_job()
    return current is None or not current.retries_left
