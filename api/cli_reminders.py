"""`kt1 reminders`: record the day's reminders for overdue violation notices and, from 1
December, for the annual KT1 reports not yet sent (cron-able)."""

from __future__ import annotations

from datetime import datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from inspection import audit
from inspection.notices import followup as notice_followup
from inspection.provision import deadline as provision_deadline


@click.command("reminders")
@click.option("--on", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The day to judge overdue on, YYYY-MM-DD (default: today in Vietnam).")
@with_appcontext
def reminders(on: datetime | None) -> None:
    """Find overdue notices and record one reminder per notice and day; from 1 December,
    one per provider and day whose annual KT1 report is not sent (run daily)."""
    day = on.date() if on is not None else notice_followup.today()
    runtime = current_app.extensions["kt1"]
    with runtime.session_factory() as session:
        audit.set_actor(session, None, "cli")
        run = notice_followup.remind_overdue(session, on=day)
        summary = run.summary()
        duty = provision_deadline.remind_outstanding(session, on=day).summary()
        session.commit()
    click.echo(summary)
    click.echo(duty)
