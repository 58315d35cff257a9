"""The outbox side of jobs: what was asked for and committed but is not done, for the sweeper
(`workers.outbox`) to deliver again or give up on.

A tracked job's `jobs` row, a `processing` photo and an upload whose bytes are all in are each
written in the transaction of the work that asks for them; these queries find those the queue
lost (never delivered, Redis restarted empty, a worker killed mid-job).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspection.jobs.services import failed, load
from inspection.models import Job, Photo, Upload

WORKER_LOST = ("Tiến trình xử lý bị dừng giữa chừng hoặc công việc chưa được chuyển tới hàng "
               "đợi; công việc được chạy lại.")
GAVE_UP = ("Công việc không hoàn thành sau nhiều lần thử do lỗi hệ thống. Vui lòng yêu cầu lại "
           "hoặc báo quản trị viên.")


def open_jobs_before(session: Session, cutoff: datetime) -> list[Job]:
    """Jobs still `queued` or `started` that were asked for before `cutoff`, oldest first."""
    return list(session.scalars(
        select(Job).where(Job.status.in_(("queued", "started")), Job.created_at < cutoff)
        .order_by(Job.created_at)))


def requeue(session: Session, job_id: uuid.UUID | str, *, max_attempts: int) -> bool:
    """Put a lost job back to `queued` (True), or fail it for good once it has been tried
    `max_attempts` times (False)."""
    job = load(session, job_id)
    if job.attempts >= max_attempts:
        failed(session, job.id, GAVE_UP, final=True)
        return False
    if job.status == "started":
        job.status, job.error = "queued", WORKER_LOST
        session.flush()
    return True


def photos_processing_before(session: Session, cutoff: datetime) -> list[uuid.UUID]:
    return list(session.scalars(
        select(Photo.id).where(Photo.status == "processing", Photo.created_at < cutoff)
        .order_by(Photo.created_at)))


def unfinished_uploads(session: Session, now: datetime) -> list[Upload]:
    """Uploads not completed and not expired (the sweeper completes those whose bytes are
    all in)."""
    return list(session.scalars(
        select(Upload).where(Upload.completed_at.is_(None), Upload.expires_at > now)))
