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
    Handover,
    create,
    failed,
    finished,
    get,
    hand_over_after_commit,
    progressed,
    started,
    take_handovers,
)

__all__ = ["GAVE_UP", "READERS", "WORKER_LOST", "Handover", "create", "failed", "finished",
           "get", "hand_over_after_commit", "open_jobs_before", "photos_processing_before",
           "progressed", "requeue", "started", "take_handovers", "unfinished_uploads"]
