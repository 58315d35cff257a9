"""Background jobs users ask for (`services`) and the outbox of work still to deliver
(`outbox`): what is stranded, and what gives up."""

from inspection.jobs.outbox import (
    GAVE_UP,
    WORKER_LOST,
    open_jobs_before,
    photos_processing_before,
    requeue,
    unfinished_uploads,
)
from inspection.jobs.services import (
    READERS,
    create,
    failed,
    finished,
    get,
    progressed,
    started,
)

__all__ = ["GAVE_UP", "READERS", "WORKER_LOST", "create", "failed", "finished", "get",
           "open_jobs_before", "photos_processing_before", "progressed", "requeue", "started",
           "unfinished_uploads"]
