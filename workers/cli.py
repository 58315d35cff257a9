"""`kt1 worker`: an `rq` worker on the queue KT1_QUEUE (`kt1`) of the Redis at KT1_REDIS_URL."""

from __future__ import annotations

import click

from inspection.config import Settings


@click.command("worker")
@click.option("--burst", is_flag=True, help="Work until the queues are empty, then exit.")
@click.option("--queue", "queues", multiple=True,
              help="Queue to listen on (repeatable); default KT1_QUEUE, or `kt1`.")
def worker(burst: bool, queues: tuple[str, ...]) -> None:
    """Run background jobs from Redis (photo processing, notices, reports)."""
    settings = Settings.from_env()
    if not settings.redis_url:
        raise click.ClickException(
            "KT1_REDIS_URL is not set: without Redis, jobs run in-process as they are "
            "enqueued and no worker is needed. Set KT1_REDIS_URL=redis://host:6379/0 to run one.")
    from redis import Redis
    from rq import Worker

    connection = Redis.from_url(settings.redis_url)
    Worker(list(queues) or [settings.queue_name], connection=connection).work(burst=burst)
