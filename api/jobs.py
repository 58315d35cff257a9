"""Handing jobs to the queue from a request, once its transaction has committed.

The one module of `api` that imports the queue plumbing of `workers` (see the import-linter
contract): views name jobs by dotted path and never import the jobs themselves. The intent of
a job is already durable when it is handed over (a `jobs` row, a `processing` photo): if the
hand-over fails after commit, the outbox sweeper delivers it later. Before anything is
committed, a request that asks for a job checks that the queue answers, so a queue that is
down is a 503 with Retry-After and nothing half-done.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app
from sqlalchemy.orm import Session

from api import database
from inspection import errors, jobs
from workers.embedded import EmbeddedRunner
from workers.queue import Deliverer, RedisQueue, deliverer_for

log = logging.getLogger(__name__)


def init_app(app: Flask, *, inline: bool) -> None:
    """Choose where the app's jobs go: Redis when KT1_REDIS_URL is set; else in this process,
    on the embedded runner's thread (which sweeps the outbox as it starts), or `inline` in
    the request's thread (tests whose sessions are bound to their own transaction)."""
    runtime = app.extensions["kt1"]
    app.extensions["kt1-jobs"] = deliverer_for(runtime.settings, runtime.session_factory,
                                               inline=inline)
    runtime.before_commit.append(_hand_over_domain_jobs)


def start_runner(app: Flask) -> None:
    """In embedded mode, start the job thread now (the server does, so the outbox is swept
    as it starts); with Redis, the workers run the jobs."""
    target = app.extensions["kt1-jobs"]
    if isinstance(target, EmbeddedRunner):
        target.start()


def stop_runner(app: Flask, timeout_s: float = 30) -> None:
    """End the embedded job thread, after the job it runs (the server stopping)."""
    target = app.extensions["kt1-jobs"]
    if isinstance(target, EmbeddedRunner):
        target.stop(timeout_s)


def deliverer() -> Deliverer:
    return current_app.extensions["kt1-jobs"]  # type: ignore[no-any-return]


def enqueue_after_commit(func_path: str, *args: str, key: str,
                         check_queue: bool = True) -> None:
    """Hand `func_path(*args)` over under `key` after this request commits (never if it rolls
    back). With `check_queue`, an unreachable queue fails the request now (503, rolled back)."""
    target = deliverer()
    if check_queue and isinstance(target, RedisQueue):
        target.ping()
    database.on_commit(lambda: _deliver(target, key, func_path, args))


def _hand_over_domain_jobs(session: Session) -> None:
    """The jobs the domain asked for in this request (`jobs.hand_over_after_commit`), handed
    over after commit. The request does not fail for a queue that is down: the job's row is
    committed, and the outbox sweeper delivers it."""
    for handover in jobs.take_handovers(session):
        enqueue_after_commit(handover.func_path, handover.key, *handover.args,
                             key=handover.key, check_queue=False)


def _deliver(target: Deliverer, key: str, func_path: str, args: tuple[Any, ...]) -> None:
    try:
        target.deliver(key, func_path, *args)
    except errors.Unavailable:
        log.warning("job %s (%s) committed but not handed over; the outbox sweeper will",
                    key, func_path)
