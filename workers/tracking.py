"""Running a job users follow on `/jobs/{id}`: started, progress, finished or failed.

A domain error (the request cannot be done: the inspection is not approved, ...) fails the job
for good and is not raised, so `rq` does not retry it. Anything else is raised after it is
recorded, so `rq` retries it with backoff; only the last attempt leaves the job `failed`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from inspection import errors, jobs
from inspection.db import SQLITE_BUSY_TIMEOUT_MS, sqlite_begin

log = logging.getLogger(__name__)

PROGRESS_WAIT_MS = 500

Work = Callable[[Session, Callable[[int], None]], dict[str, Any]]


def run_tracked(factory: sessionmaker[Session], job_id: str, work: Work) -> dict[str, Any]:
    """Run `work(session, report_progress)`, which commits its own session, as job `job_id`.
    Returns the result recorded (a failure's `{"error": ...}` for a domain error)."""
    with factory() as session:
        jobs.started(session, job_id)
        session.commit()

    def report(percent: int) -> None:
        _report_progress(factory, job_id, percent)

    try:
        with factory() as session:
            result = work(session, report)
    except errors.DomainError as exc:
        _record_failure(factory, job_id, exc.detail, final=True)
        return {"error": exc.detail}
    except Exception as exc:
        final = _last_attempt()
        log.exception("job %s failed (final=%s)", job_id, final)
        _record_failure(factory, job_id, readable(exc, final=final), final=final)
        raise
    with factory() as session:
        jobs.finished(session, job_id, result)
        session.commit()
    return result


def readable(exc: BaseException, *, final: bool) -> str:
    """What a user reads of an unexpected failure: a sentence, never the exception's text
    (which can carry SQL or paths); the detail is in the log."""
    if final:
        return ("Không thực hiện được công việc do lỗi hệ thống; lỗi đã được ghi lại. Vui lòng "
                "yêu cầu lại sau hoặc báo quản trị viên.")
    return "Lần thực hiện vừa rồi gặp lỗi hệ thống; công việc sẽ được tự động thử lại."


def _report_progress(factory: sessionmaker[Session], job_id: str, percent: int) -> None:
    """Progress is advice, never a reason to fail: an update that cannot be written now (the
    database busy, SQLite's write lock held by the job's own transaction) is skipped."""
    deferred = sqlite_begin.set("BEGIN")  # SQLite: never queue behind the job's own lock
    try:
        with factory() as session:
            sqlite = session.get_bind().dialect.name == "sqlite"
            if sqlite:  # wait briefly, not the connection's 30 s
                session.execute(text(f"PRAGMA busy_timeout = {PROGRESS_WAIT_MS}"))
            try:
                jobs.progressed(session, job_id, percent)
                session.commit()
            finally:
                if sqlite:
                    session.rollback()
                    session.execute(text(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}"))
    except OperationalError as exc:
        log.info("job %s: progress %d%% not recorded (%s)", job_id, percent, exc)
    finally:
        sqlite_begin.reset(deferred)


def _record_failure(factory: sessionmaker[Session], job_id: str, error: str, *,
                    final: bool) -> None:
    with factory() as session:
        jobs.failed(session, job_id, error, final=final)
        session.commit()


def _last_attempt() -> bool:
    """Whether `rq` will not retry the running job (always so in embedded mode)."""
    from rq import get_current_job

    current = get_current_job()
    return current is None or not current.retries_left
