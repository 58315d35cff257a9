"""`kt1 worker`: an `rq` worker (with its scheduler, which runs the retries) on the queue
KT1_QUEUE (`kt1`) of the Redis at KT1_REDIS_URL; `kt1 jobs requeue`: the outbox sweeper."""

from __future__ import annotations

import logging

import click

from inspection.config import Settings
from workers.queue import InlineQueue, RedisQueue

log = logging.getLogger(__name__)

NO_REDIS = ("KT1_REDIS_URL is not set: without Redis, jobs run in-process as they are "
            "enqueued and no worker is needed. Set KT1_REDIS_URL=redis://host:6379/0 to run one.")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Work until the queues are empty, then exit.")
@click.option("--queue", "queues", multiple=True,
              help="Queue to listen on (repeatable); default KT1_QUEUE, or `kt1`.")
@click.option("--maintenance-interval", default=60, show_default=True, type=int,
              help="Seconds between rq's clean-ups, which retry (or fail) the jobs of a worker "
                   "that died.")
@click.option("--job-monitoring-interval", default=30, show_default=True, type=int,
              help="Seconds between the heartbeats of a worker that runs a job.")
@click.option("--abandoned-after", default=60, show_default=True, type=int,
              help="Seconds after a running job's missed heartbeat at which the maintenance of "
                   "another worker takes it for abandoned (its worker died) and retries it.")
def worker(burst: bool, queues: tuple[str, ...], maintenance_interval: int,
           job_monitoring_interval: int, abandoned_after: int) -> None:
    """Run background jobs from Redis (photo processing, notices, reports), after handing
    over again what the queue lost (`kt1 jobs requeue`)."""
    settings = Settings.from_env()
    if not settings.redis_url:
        raise click.ClickException(NO_REDIS)
    from rq import Worker

    names = list(queues) or [settings.queue_name]
    target = RedisQueue(settings, names[0])
    try:
        click.echo(f"outbox: {_sweep(settings, target).summary()}")
    except Exception:  # the database busy or away: the worker still starts, maintenance sweeps
        log.exception("outbox sweep at start failed")

    class SweepingWorker(Worker):
        """rq's worker, whose maintenance also sweeps the outbox, and whose running jobs are
        taken for abandoned `abandoned_after` seconds after a missed heartbeat (rq: 60)."""

        def get_heartbeat_ttl(self, job, working_time: float = 0.0) -> int:  # type: ignore[no-untyped-def]
            beat = self.job_monitoring_interval
            if job.timeout and job.timeout > 0:  # no later than the job's own timeout
                beat = min(beat, max(int(job.timeout - working_time), 0))
            return beat + abandoned_after

        def unsubscribe(self) -> None:
            # rq unsubscribes, then stops the pubsub thread; redis-py's thread may by then be
            # in a new read of up to 60 s, which that stop waits for: every shutdown (a
            # burst's end, a deploy's SIGTERM) could hang a minute. Stopping the thread first
            # lets the UNSUBSCRIBE's reply end its last read.
            if self.pubsub_thread:
                self.pubsub_thread.stop(timeout=0)
            super().unsubscribe()

        def run_maintenance_tasks(self) -> None:
            first = self.last_cleaned_at is None
            super().run_maintenance_tasks()
            if first:
                return  # at start: swept just before
            try:
                swept = _sweep(settings, target)
            except Exception:  # the database away: the next round sweeps again
                log.exception("outbox sweep failed")
            else:
                if swept.changed:
                    log.info("outbox: %s", swept.summary())

    # rq runs its maintenance (the scheduler lock of a dead worker taken over, its jobs
    # retried) only between two waits on the queue, which last `worker_ttl - 15` seconds.
    SweepingWorker(names, connection=target.connection, maintenance_interval=maintenance_interval,
                   worker_ttl=max(maintenance_interval, 1) + 15,
                   job_monitoring_interval=job_monitoring_interval).work(
        burst=burst, with_scheduler=True)


@click.group("jobs")
def jobs_group() -> None:
    """Background jobs."""


@jobs_group.command("requeue")
@click.option("--grace", default=30, show_default=True, type=float,
              help="Seconds left to a request to hand over the work it just committed.")
def requeue(grace: float) -> None:
    """Hand over again the jobs the queue lost or whose worker died, process photos left
    `processing`, complete uploads whose bytes are all in, and fail for good what was tried
    too often (cron, every 5 minutes). Without Redis the jobs run here and now."""
    settings = Settings.from_env()
    target = RedisQueue(settings) if settings.redis_url else InlineQueue(settings)
    if isinstance(target, RedisQueue):
        from rq.registry import clean_registries

        clean_registries(target.queue)  # rq's own: retry or fail the jobs of dead workers
    click.echo(_sweep(settings, target, grace_s=grace).summary())


def _sweep(settings: Settings, target: RedisQueue | InlineQueue,  # type: ignore[no-untyped-def]
           grace_s: float = 30):
    from workers.jobs import session_factory
    from workers.outbox import sweep

    return sweep(settings, session_factory(settings.database_url), target, grace_s=grace_s)
