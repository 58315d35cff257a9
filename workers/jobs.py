"""Job entry points that `rq` imports by dotted name (`workers.jobs.process_photo_job`).

Each is a composition root: settings from the environment (or the embedded enqueuer's),
an engine and session factory cached per process, a blob store; it calls the plain function
and commits, or rolls back and re-raises so `rq` records the failure and retries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from inspection import documents, notices, photos, provision, records, reports
from inspection.config import Settings
from inspection.db import make_engine, make_session_factory
from inspection.documents import DocumentKind
from inspection.provision import deadline as provision_deadline
from media.blobstore import BlobStore, store_from_url
from media.uploads import PartialUploads
from workers.notices import render_notice
from workers.photos import process_photo
from workers.provision import render_provision_report
from workers.queue import job_settings
from workers.records import render_record
from workers.reports import render_report
from workers.tracking import run_tracked


@cache
def session_factory(database_url: str) -> sessionmaker[Session]:
    """One engine (and pool) per database per process."""
    return make_session_factory(make_engine(database_url))


def process_photo_job(photo_id: str) -> str | None:
    """Process one uploaded photo; returns its resulting status (None if it does not exist)."""
    settings = job_settings()
    store = store_from_url(settings.media_url, s3_endpoint_url=settings.s3_endpoint_url)
    with session_factory(settings.database_url)() as session:
        try:
            photo = process_photo(session, store, photo_id, far_m=settings.far_radius_m,
                                  max_pixels=settings.max_image_pixels)
            session.commit()
        except BaseException:
            session.rollback()
            raise
        return photo.status if photo is not None else None


def expire_uploads_job() -> dict[str, int]:
    """Forget expired uploads and their bytes (run daily: rq-scheduler, cron or
    `kt1 uploads expire`); returns the counts."""
    settings = job_settings()
    with session_factory(settings.database_url)() as session:
        expiry = photos.clean_expired(session, PartialUploads(settings.upload_path), settings)
    return {"expired": expiry.expired, "forgotten": expiry.forgotten,
            "discarded": len(expiry.discard)}


def _document_job(job_id: str, kind: DocumentKind[Any], target_id: str,
                  write: Callable[[Session, BlobStore, Settings, Any], Any], *,
                  result_arg: str, numbered: bool = False) -> dict[str, Any]:
    """Run `write(session, store, settings, progress)` as tracked job `job_id` and commit it;
    on any failure roll back, mark the document failed (`kind.mark_failed`, committed) and
    re-raise, so the job records the error and rq retries what is worth retrying. The job's
    result names the document (`result_arg`), its number if `numbered`, and its files."""
    settings = job_settings()
    store = store_from_url(settings.media_url, s3_endpoint_url=settings.s3_endpoint_url)

    def work(session: Session, progress: Any) -> dict[str, Any]:
        try:
            written = write(session, store, settings, progress)
            session.commit()
        except BaseException:
            session.rollback()
            kind.mark_failed(session, target_id)
            session.commit()
            raise
        number = {"number": written.label} if numbered else {}
        return {result_arg: str(written.id), **number,
                **{f"{f}_sha256": getattr(written, f"{f}_sha256") for f in kind.files}}

    return run_tracked(session_factory(settings.database_url), job_id, work)


@dataclass(frozen=True)
class Tracked:
    """A kind of tracked job: the function rq runs (`func(job_id, target_id)`), the key of its
    target's id in the job's `args`, and how its target records a final failure (a provision
    report's status is its workflow's: a failed rendering leaves it as sent)."""

    func_path: str
    arg: str
    mark_failed: Callable[[Session, str], None]


TRACKED = {
    notices.NOTICE_KIND: Tracked(notices.NOTICE_JOB, "notice_id", notices.mark_failed),
    reports.REPORT_KIND: Tracked(reports.REPORT_JOB, "report_id", reports.mark_failed),
    records.RECORD_KIND: Tracked(records.RECORD_JOB, "record_id", records.mark_failed),
    provision.PROVISION_KIND: Tracked(provision.PROVISION_JOB, "report_id",
                                      documents.PROVISION.mark_failed),
}


def render_notice_job(job_id: str, notice_id: str) -> dict[str, Any]:
    """Number, render, store and issue a violation notice (`workers.notices.render_notice`:
    running it twice issues one notice); on failure the notice is marked `failed`."""
    return _document_job(
        job_id, documents.NOTICE, notice_id,
        lambda s, store, settings, _: render_notice(s, store, notice_id, settings=settings),
        result_arg="notice_id", numbered=True)


def render_report_job(job_id: str, report_id: str) -> dict[str, Any]:
    """Figure, render and store an annual or campaign report, reporting progress
    (`workers.reports.render_report`: running it twice writes one report); on failure the
    report is marked `failed`."""
    return _document_job(
        job_id, documents.REPORT, report_id,
        lambda s, store, _, progress: render_report(s, store, report_id,
                                                    progress=progress).report,
        result_arg="report_id")


def render_record_job(job_id: str, record_id: str) -> dict[str, Any]:
    """Number, render, store and issue an inspection record (`workers.records.render_record`:
    running it twice issues one record); on failure the record is marked `failed`."""
    return _document_job(
        job_id, documents.RECORD, record_id,
        lambda s, store, settings, _: render_record(s, store, record_id, settings=settings),
        result_arg="record_id", numbered=True)


def render_provision_report_job(job_id: str, report_id: str) -> dict[str, Any]:
    """Render and store a post office's sent annual KT1 report
    (`workers.provision.render_provision_report`: running it twice writes one document). A
    failure is the job's alone: the report's status is its workflow's."""
    return _document_job(
        job_id, documents.PROVISION, report_id,
        lambda s, store, _settings, _progress: render_provision_report(s, store, report_id),
        result_arg="report_id")


def reminders_job(on: str | None = None) -> dict[str, Any]:
    """Record today's reminders for overdue notices and, from 1 December, for the annual KT1
    reports not yet sent (run daily: rq-scheduler, cron or `kt1 reminders`); `on` is a
    `YYYY-MM-DD` day (default: today in Vietnam). Idempotent: a second run the same day
    records nothing new. Returns the counts and the summaries."""
    from datetime import date

    from inspection import audit
    from inspection.notices import followup as notice_followup

    settings = job_settings()
    day = date.fromisoformat(on) if on else notice_followup.today()
    with session_factory(settings.database_url)() as session:
        try:
            audit.set_actor(session, None, "worker")
            run = notice_followup.remind_overdue(session, on=day)
            summary = run.summary()
            duty = provision_deadline.remind_outstanding(session, on=day)
            annual = {"year": duty.year, "outstanding": len(duty.outstanding),
                      "recorded": len(duty.recorded), "summary": duty.summary()}
            session.commit()
        except BaseException:
            session.rollback()
            raise
    return {"on": day.isoformat(), "overdue": len(run.overdue),
            "recorded": len(run.recorded), "summary": summary, "provision": annual}
