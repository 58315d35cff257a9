"""Delivering jobs by dotted name: onto Redis for `rq` workers, onto the embedded runner's
thread, or run right away in-process.

A job's intent is durable before it is delivered: a tracked job is a `jobs` row and a photo to
process is a `processing` photo, both written in the transaction of the work that asks for them
(a transactional outbox). Delivery happens after commit; what was not delivered, or went stale,
is delivered again by `workers.outbox.sweep` (`kt1 jobs requeue`, the worker on start, the
embedded runner every minute). Each delivery has a key (the `jobs` row's id, `photo-<id>`) that
is the `rq` job id, so a job still waiting or running is never queued a second time.
"""

from __future__ import annotations

import importlib
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Protocol

from inspection import errors
from inspection.config import Settings

log = logging.getLogger(__name__)

JOB_TIMEOUT_S = 600
RETRY_MAX = 3
RETRY_INTERVALS_S = [10, 30, 60]
# rq states in which a job will still run (or is running): delivering it again would double it.
ACTIVE_STATES = frozenset({"queued", "started", "scheduled", "deferred"})
QUEUE_DOWN_RETRY_AFTER_S = 30
QUEUE_DOWN = ("Hàng đợi công việc tạm thời không hoạt động; yêu cầu chưa được ghi nhận. "
              "Vui lòng thử lại sau ít phút.")

_embedded_settings: ContextVar[Settings | None] = ContextVar("kt1_job_settings", default=None)


def job_settings() -> Settings:
    """The settings a job runs under: its enqueuer's in embedded mode, else the environment."""
    return _embedded_settings.get() or Settings.from_env()


@contextmanager
def running_under(settings: Settings) -> Iterator[None]:
    token = _embedded_settings.set(settings)
    try:
        yield
    finally:
        _embedded_settings.reset(token)


def resolve(func_path: str) -> Any:
    """The function named `package.module.function`."""
    module_name, _, name = func_path.rpartition(".")
    return getattr(importlib.import_module(module_name), name)


def run_inline(settings: Settings, func_path: str, *args: Any) -> None:
    """Run `func_path(*args)` here and now under `settings`; like a queued job, its failure is
    logged and does not fail the caller."""
    with running_under(settings):
        try:
            resolve(func_path)(*args)
        except Exception:  # a failed job must not fail its enqueuer (rq semantics)
            log.exception("in-process job %s(%r) failed", func_path, args)


class Deliverer(Protocol):
    """Where jobs go: `active(key)` tells whether a job with that key will still run (queued,
    scheduled or running); `deliver` hands one over (a no-op if it is active)."""

    def active(self, key: str) -> bool: ...

    def deliver(self, key: str, func_path: str, *args: Any) -> None: ...


class RedisQueue:
    """The `rq` queue KT1_QUEUE on the Redis at KT1_REDIS_URL. Redis being unreachable is
    `errors.Unavailable` (503 with Retry-After for a request)."""

    def __init__(self, settings: Settings, queue: str | None = None) -> None:
        from redis import Redis
        from rq import Queue

        assert settings.redis_url
        self.connection = Redis.from_url(settings.redis_url, socket_connect_timeout=2,
                                         socket_timeout=10)
        self.queue = Queue(queue or settings.queue_name, connection=self.connection)

    def _fetch(self, key: str) -> Any:
        from rq.exceptions import NoSuchJobError
        from rq.job import Job

        try:
            return Job.fetch(key, connection=self.connection)
        except NoSuchJobError:
            return None

    def active(self, key: str) -> bool:
        with _unavailable_on_connection_errors():
            job = self._fetch(key)
            return job is not None and job.get_status(refresh=False) in ACTIVE_STATES

    def deliver(self, key: str, func_path: str, *args: Any) -> None:
        from rq import Retry

        with _unavailable_on_connection_errors():
            job = self._fetch(key)
            if job is not None:
                if job.get_status(refresh=False) in ACTIVE_STATES:
                    return
                job.delete()  # a finished, failed or stopped run under this key: run it anew
            self.queue.enqueue(func_path, *args, job_id=key, job_timeout=JOB_TIMEOUT_S,
                               retry=Retry(max=RETRY_MAX, interval=RETRY_INTERVALS_S))

    def ping(self) -> None:
        with _unavailable_on_connection_errors():
            self.connection.ping()


@contextmanager
def _unavailable_on_connection_errors() -> Iterator[None]:
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    try:
        yield
    except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
        log.warning("the job queue is unreachable: %s", exc)
        raise errors.Unavailable(QUEUE_DOWN, retry_after=QUEUE_DOWN_RETRY_AFTER_S) from exc


class InlineQueue:
    """Embedded mode without a runner thread (the command line, the tests): a job runs as it
    is delivered, in the caller's thread."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def active(self, key: str) -> bool:
        return False

    def deliver(self, key: str, func_path: str, *args: Any) -> None:
        run_inline(self.settings, func_path, *args)


def enqueue(settings: Settings, func_path: str, *args: Any, queue: str | None = None,
            key: str | None = None) -> str:
    """Deliver `func_path(*args)` under `key` (default: a new one) and return the key.

    On `queue`, by default `settings.queue_name` (KT1_QUEUE, `kt1`). Without
    `settings.redis_url` (embedded mode) the job runs here and now, under `settings`.
    Raises `errors.Unavailable` when Redis cannot be reached.
    """
    key = key or f"job-{uuid.uuid4()}"
    target: Deliverer = (RedisQueue(settings, queue) if settings.redis_url
                         else InlineQueue(settings))
    target.deliver(key, func_path, *args)
    return key


def deliverer_for(settings: Settings, factory: Any, *, inline: bool) -> Deliverer:
    """Where a web app's jobs go: Redis when `settings.redis_url` is set, else the embedded
    runner's thread (started by the first job or by the server, and then sweeping the outbox
    on `factory`'s database), or `inline`."""
    if settings.redis_url:
        return RedisQueue(settings)
    if inline:
        return InlineQueue(settings)
    from workers.embedded import EmbeddedRunner
    from workers.outbox import sweep

    return EmbeddedRunner(settings, sweep=lambda target: sweep(settings, factory, target))
