"""Job entry points that `rq` imports by dotted name (`workers.jobs.process_photo_job`).

Each is a composition root: settings from the environment (or the embedded enqueuer's),
an engine and session factory cached per process, a blob store; it calls the plain function
and commits, or rolls back and re-raises so `rq` records the failure and retries.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from inspection import notices, photos
from inspection.db import make_engine, make_session_factory
from media.blobstore import store_from_url
from media.uploads import PartialUploads
from workers.notices import render_notice
from workers.photos import process_photo
from workers.queue import job_settings
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


def render_notice_job(job_id: str, notice_id: str) -> dict[str, Any]:
    """Number, render, store and issue a violation notice, as job `job_id` (see
    `workers.notices.render_notice`: running it twice issues one notice). On failure the
    notice is marked `failed`; the job records the error."""
    settings = job_settings()
    store = store_from_url(settings.media_url, s3_endpoint_url=settings.s3_endpoint_url)

    def work(session: Session, _progress: Any) -> dict[str, Any]:
        try:
            notice = render_notice(session, store, notice_id, settings=settings)
            session.commit()
        except BaseException:
            session.rollback()
            notices.mark_failed(session, notice_id)
            session.commit()
            raise
        return {"notice_id": str(notice.id), "number": notice.label,
                "pdf_sha256": notice.pdf_sha256, "docx_sha256": notice.docx_sha256}

    return run_tracked(session_factory(settings.database_url), job_id, work)


def render_report_job(job_id: str, report_id: str) -> dict[str, Any]:
    """Figure, render and store an annual or campaign report, as job `job_id`, reporting
    progress (see `workers.reports.render_report`: running it twice writes one report). On
    failure the report is marked `failed`; the job records the error."""
    from inspection import reports
    from workers.reports import render_report

    settings = job_settings()
    store = store_from_url(settings.media_url, s3_endpoint_url=settings.s3_endpoint_url)

    def work(session: Session, progress: Any) -> dict[str, Any]:
        try:
            report = render_report(session, store, report_id, progress=progress).report
            session.commit()
        except BaseException:
            session.rollback()
            reports.mark_failed(session, report_id)
            session.commit()
            raise
        return {"report_id": str(report.id), "pdf_sha256": report.pdf_sha256,
                "xlsx_sha256": report.xlsx_sha256}

    return run_tracked(session_factory(settings.database_url), job_id, work)


def render_record_job(job_id: str, record_id: str) -> dict[str, Any]:
    """Number, render, store and issue an inspection record, as job `job_id` (see
    `workers.records.render_record`: running it twice issues one record). On failure the
    record is marked `failed`; the job records the error."""
    from inspection import records
    from workers.records import render_record

    settings = job_settings()
    store = store_from_url(settings.media_url, s3_endpoint_url=settings.s3_endpoint_url)

    def work(session: Session, _progress: Any) -> dict[str, Any]:
        try:
            record = render_record(session, store, record_id)
            session.commit()
        except BaseException:
            session.rollback()
            records.mark_failed(session, record_id)
            session.commit()
            raise
        return {"record_id": str(record.id), "number": record.label,
                "pdf_sha256": record.pdf_sha256, "docx_sha256": record.docx_sha256}

    return run_tracked(session_factory(settings.database_url), job_id, work)


def reminders_job(on: str | None = None) -> dict[str, Any]:
    """Record today's reminders for overdue notices (run daily: rq-scheduler, cron or
    `kt1 reminders`); `on` is a `YYYY-MM-DD` day (default: today in Vietnam). Idempotent:
    a second run the same day records nothing new. Returns the counts and the summary."""
    from datetime import date

    from inspection import audit, notice_followup

    settings = job_settings()
    day = date.fromisoformat(on) if on else notice_followup.today()
    with session_factory(settings.database_url)() as session:
        try:
            audit.set_actor(session, None, "worker")
            run = notice_followup.remind_overdue(session, on=day)
            summary = run.summary()
            session.commit()
        except BaseException:
            session.rollback()
            raise
    return {"on": day.isoformat(), "overdue": len(run.overdue),
            "recorded": len(run.recorded), "summary": summary}
