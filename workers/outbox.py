"""The outbox sweeper: deliver again what was committed but never reached a worker, or whose
worker died, and give up on what has been tried enough.

Run by `kt1 jobs requeue` (cron, every few minutes), by `kt1 worker` as it starts, and by the
embedded runner's thread every minute. Safe to run at any time and from several places: a job
that is waiting or running (`Deliverer.active`) is left alone, and every job is idempotent.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from inspection import audit, errors, jobs, photos
from inspection.config import Settings
from inspection.db import utcnow
from media.blobstore import store_from_url
from media.uploads import PartialUploads
from workers.jobs import TRACKED
from workers.queue import RETRY_MAX, Deliverer

log = logging.getLogger(__name__)

# Work younger than this is left to the request that asked for it (it delivers after commit).
GRACE_S = 30
MAX_ATTEMPTS = RETRY_MAX + 1


@dataclass
class Swept:
    """What one sweep did: keys delivered again, jobs failed for good, uploads completed."""

    delivered: list[str] = field(default_factory=list)
    gave_up: list[str] = field(default_factory=list)
    completed_uploads: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{len(self.delivered)} delivered again, {len(self.gave_up)} failed for good, "
                f"{len(self.completed_uploads)} uploads completed")


def sweep(settings: Settings, factory: sessionmaker[Session], target: Deliverer, *,
          now: datetime | None = None, grace_s: float = GRACE_S) -> Swept:
    """Complete uploads whose bytes are all in, then deliver every tracked job and `processing`
    photo older than `grace_s` that `target` does not hold, failing for good the jobs tried
    MAX_ATTEMPTS times. Commits before it delivers (an in-process delivery runs at once)."""
    now = now or utcnow()
    cutoff = now - timedelta(seconds=grace_s)
    swept = Swept()
    with factory() as session:
        audit.set_actor(session, None, "worker")
        completed = _complete_uploads(session, settings, now, cutoff)
        swept.completed_uploads = list(completed)
        deliveries: list[tuple[str, str, tuple[str, ...]]] = [
            (photos.processing_key(photo_id), photos.PROCESS_JOB, (str(photo_id),))
            for photo_id in completed.values()]
        for job in jobs.open_jobs_before(session, cutoff):
            key = str(job.id)
            if target.active(key):
                continue
            tracked = TRACKED.get(job.kind)
            target_id = str((job.args or {}).get(tracked.arg)) if tracked else None
            if tracked is None or target_id is None:
                log.error("job %s of kind %r cannot be delivered again", key, job.kind)
                jobs.failed(session, job.id, jobs.GAVE_UP, final=True)
                swept.gave_up.append(key)
            elif jobs.requeue(session, job.id, max_attempts=MAX_ATTEMPTS):
                deliveries.append((key, tracked.func_path, (key, target_id)))
            else:
                tracked.mark_failed(session, target_id)
                swept.gave_up.append(key)
        for photo_id in jobs.photos_processing_before(session, cutoff):
            key = photos.processing_key(photo_id)
            if not target.active(key):
                deliveries.append((key, photos.PROCESS_JOB, (str(photo_id),)))
        session.commit()
    for key, func_path, args in deliveries:
        target.deliver(key, func_path, *args)
        swept.delivered.append(key)
    if swept.delivered or swept.gave_up or swept.completed_uploads:
        log.warning("job outbox swept: %s", swept.summary())
    return swept


def _complete_uploads(session: Session, settings: Settings, now: datetime,
                      cutoff: datetime) -> dict[str, uuid.UUID]:
    """Complete the uploads whose bytes are all in and untouched since `cutoff` (their last
    PATCH's completion failed: the store was down, the process died); their photos' ids by
    upload id. Each commits alone; one that fails its checksum is gone, as at the last PATCH."""
    partials = PartialUploads(settings.upload_path)
    store = store_from_url(settings.media_url, s3_endpoint_url=settings.s3_endpoint_url)
    completed = {}
    for upload in jobs.unfinished_uploads(session, now):
        key = str(upload.id)
        if (not partials.exists(key) or partials.offset(key) != upload.length
                or partials.modified_at(key) >= cutoff):
            continue
        ticket = photos.ticket_for(upload)
        try:
            photo = photos.complete(session, ticket, store=store, partials=partials,
                                    sha256_from_start=None)
        except errors.ChecksumMismatch:
            session.commit()  # the upload's record goes with its bytes
            partials.discard(key)
            continue
        session.commit()
        partials.discard(key)
        completed[key] = photo.id
    return completed
