"""`kt1 sync`: housekeeping of offline sync (forgetting old remembered mutation ids)."""

from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app
from flask.cli import with_appcontext

from inspection import audit
from inspection.db import utcnow
from inspection.sync import push


@click.group("sync")
def sync() -> None:
    """Offline sync housekeeping."""


@sync.command("prune")
@click.option("--days", type=click.IntRange(min=1), default=None,
              help="Keep this many days (default: KT1_SYNC_RETENTION_DAYS).")
@with_appcontext
def prune(days: int | None) -> None:
    """Forget mutation ids remembered longer than the retention (run daily, e.g. from cron)."""
    runtime = current_app.extensions["kt1"]
    days = days or runtime.settings.sync_retention_days
    with runtime.session_factory() as session:
        audit.set_actor(session, None, "cli")
        count = push.prune(session, older_than=utcnow() - timedelta(days=days))
        session.commit()
    click.echo(f"Đã xoá {count} mã thay đổi được ghi nhận quá {days} ngày.")
