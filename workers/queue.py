"""Enqueueing jobs by dotted name: onto Redis for `rq` workers, or run right away in-process.

Callers enqueue after their transaction has committed, never before: the job opens its own
session and must find the rows it is given.
"""

from __future__ import annotations

import importlib
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from inspection.config import Settings

log = logging.getLogger(__name__)

JOB_TIMEOUT_S = 600
RETRY_MAX = 3
RETRY_INTERVALS_S = [10, 30, 60]

_embedded_settings: ContextVar[Settings | None] = ContextVar("kt1_job_settings", default=None)


def job_settings() -> Settings:
    """The settings a job runs under: its enqueuer's in embedded mode, else the environment."""
    return _embedded_settings.get() or Settings.from_env()


@contextmanager
def _running_under(settings: Settings) -> Iterator[None]:
    token = _embedded_settings.set(settings)
    try:
        yield
    finally:
        _embedded_settings.reset(token)


def resolve(func_path: str) -> Any:
    """The function named `package.module.function`."""
    module_name, _, name = func_path.rpartition(".")
    return getattr(importlib.import_module(module_name), name)


def enqueue(settings: Settings, func_path: str, *args: Any, queue: str | None = None) -> str:
    """Queue `func_path(*args)` and return the job id.

    On `queue`, by default `settings.queue_name` (KT1_QUEUE, `kt1`). Without
    `settings.redis_url` (embedded mode) the job runs here and now, under `settings`;
    like a queued job, its failure is logged and does not fail the caller.
    """
    if not settings.redis_url:
        job_id = f"embedded-{uuid.uuid4()}"
        with _running_under(settings):
            try:
                resolve(func_path)(*args)
            except Exception:  # a failed job must not fail its enqueuer (rq semantics)
                log.exception("embedded job %s %s(%r) failed", job_id, func_path, args)
        return job_id
    from redis import Redis
    from rq import Queue, Retry

    rq_queue = Queue(queue or settings.queue_name, connection=Redis.from_url(settings.redis_url))
    job = rq_queue.enqueue(func_path, *args, job_timeout=JOB_TIMEOUT_S,
                           retry=Retry(max=RETRY_MAX, interval=RETRY_INTERVALS_S))
    return str(job.id)
