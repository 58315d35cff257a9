"""The `kt1` command line: a Flask CLI group over the same app factory."""

from __future__ import annotations

import os
import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from api.app import create_app
from api.cli_audit import audit_group
from api.cli_documents import notice, record
from api.cli_geo import geo
from api.cli_reminders import reminders
from api.cli_reports import report
from api.cli_signing import signing
from api.cli_sync import sync
from api.cli_uploads import uploads
from inspection import accounts, audit, errors, migrate
from inspection.config import Settings
from workers.cli import jobs_group, worker


def _runtime():  # type: ignore[no-untyped-def]
    return current_app.extensions["kt1"]


def _engine():  # type: ignore[no-untyped-def]
    rt = _runtime()
    return rt.engine if rt.engine is not None else rt.session_factory.kw["bind"]


@click.group(cls=FlaskGroup, create_app=lambda: create_app(Settings.from_env()),
             add_default_commands=False)
def main() -> None:
    """KT1 Inspect: joint inspections of the KT1 postal service."""


main.add_command(audit_group)
main.add_command(geo)
main.add_command(sync)
main.add_command(uploads)
main.add_command(worker)
main.add_command(jobs_group)
main.add_command(report)
main.add_command(notice)
main.add_command(record)
main.add_command(reminders)
main.add_command(signing)


@main.group()
def db() -> None:
    """Database schema (Alembic migrations)."""


@db.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Migrate the database up to REVISION (default: head)."""
    _runtime().settings.instance_path.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(_engine(), revision)
    click.echo(f"database at {migrate.current(_engine())}")


@db.command("downgrade")
@click.argument("revision", default="base")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Migrate the database down to REVISION (default: base, which drops everything)."""
    migrate.downgrade(_engine(), revision)
    click.echo(f"database at {migrate.current(_engine())}")


@db.command("current")
@with_appcontext
def db_current() -> None:
    """Print the current schema revision."""
    click.echo(migrate.current(_engine()) or "empty")


@main.group()
def users() -> None:
    """User accounts."""


@users.command("create")
@click.option("--username", required=True)
@click.option("--password", required=True)
@click.option("--role", required=True, type=click.Choice(["admin", "supervisor", "inspector",
                                                          "police", "post"]))
@click.option("--agency", required=True, type=click.Choice(["skhcn", "police", "post",
                                                            "agency"]))
@click.option("--province", "province_code", default=None,
              help="Province code, e.g. 92; an admin without one is national.")
@click.option("--full-name", default="")
@click.option("--organization", default=None)
@with_appcontext
def users_create(username: str, password: str, role: str, agency: str,
                 province_code: str | None, full_name: str, organization: str | None) -> None:
    """Create a user."""
    with _runtime().session_factory() as session:
        audit.set_actor(session, None, "cli")
        try:
            user = accounts.create_user(session, username=username, password=password,
                                        role=role, agency=agency, province_code=province_code,
                                        full_name=full_name, organization=organization)
            session.commit()
        except errors.DomainError as exc:
            raise click.ClickException(exc.detail) from exc
    click.echo(f"created {user.username} ({user.role}, {user.agency}) id={user.id}")


@main.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=lambda: int(os.environ.get("PORT", "5000")), type=int)
@click.option("--threads", default=8, show_default=True, type=int,
              help="Requests served at once (one process: the embedded database has one "
                   "writer, and its job thread lives in that process).")
@with_appcontext
def serve(host: str, port: int, threads: int) -> None:
    """Serve the embedded default on HOST:PORT with gunicorn (one process, threads), its jobs
    on a background thread; production runs gunicorn 'api.wsgi:app' with rq workers."""
    if _runtime().settings.is_production:
        click.echo("production: run gunicorn 'api.wsgi:app' instead", err=True)
        sys.exit(2)
    from api.serving import serve_embedded

    click.echo(f"KT1 Inspect on http://{host}:{port}/api/v1/ (docs: /api/v1/docs)")
    serve_embedded(current_app._get_current_object(), host=host, port=port,  # type: ignore[attr-defined]
                   threads=threads)


@main.group()
def seed() -> None:
    """Reference data and the demo world."""


@seed.command("reference")
@with_appcontext
def seed_reference() -> None:
    """Load units, built-in checklists and the demo cities' synthetic boundaries (idempotent)."""
    from inspection import demo

    with _runtime().session_factory() as session:
        audit.set_actor(session, None, "cli")
        demo.seed_reference(session)
        session.commit()
    click.echo("reference data ready")


@seed.command("demo")
@with_appcontext
def seed_demo() -> None:
    """Seed the demo world once and print its accounts (refused in production)."""
    from inspection import demo

    if _runtime().settings.is_production:
        raise click.ClickException("the demo world is not for production")
    with _runtime().session_factory() as session:
        report = demo.seed_demo(session)
        session.commit()
    click.echo("demo world seeded: " + ", ".join(f"{v} {k}" for k, v in report.counts.items())
               if report.created else "demo world already seeded")
    click.echo("demo accounts (username / role / password):")
    for username, role, password in report.accounts:
        click.echo(f"  {username:<14} {role:<11} {password}")
