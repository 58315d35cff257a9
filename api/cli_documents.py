"""`kt1 notice render` and `kt1 record render`: issue an inspection's violation notice or
record from the command line, running the same tracked job in-process, and write its files.

ID is the inspection's id or the notice's (record's). A new notice or record is asked for in
the name of `--as USERNAME`; an existing one in its own requester's name.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from inspection import audit, errors, notices, records
from inspection.models import InspectionRecord, Job, Notice, User
from media.blobstore import store_from_url
from workers.queue import enqueue  # a composition root, like `kt1 worker`

OUT = click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
                   default=Path("."), show_default=True, help="Folder to write the files to.")
AS = click.option("--as", "username", default=None,
                  help="Who asks for a new notice or record (a supervisor or admin; for a "
                       "record also a member of the team).")

Document = Notice | InspectionRecord


@click.group("notice")
def notice() -> None:
    """Violation notices (PDF and DOCX)."""


@click.group("record")
def record() -> None:
    """Inspection records, biên bản kiểm tra (PDF and DOCX)."""


@notice.command("render")
@click.argument("ident", metavar="ID", type=click.UUID)
@OUT
@AS
@with_appcontext
def render_notice(ident: uuid.UUID, out_dir: Path, username: str | None) -> None:
    """Issue the notice of inspection (or notice) ID and write its PDF and DOCX."""
    _render(Notice, notices.request_notice, notices.NOTICE_JOB, "thong-bao", ident, out_dir,
            username)


@record.command("render")
@click.argument("ident", metavar="ID", type=click.UUID)
@OUT
@AS
@with_appcontext
def render_record(ident: uuid.UUID, out_dir: Path, username: str | None) -> None:
    """Issue the record of inspection (or record) ID and write its PDF and DOCX."""
    _render(InspectionRecord, records.request_record, records.RECORD_JOB, "bien-ban", ident,
            out_dir, username)


Request = Callable[[Session, User, uuid.UUID], tuple[Any, Job, bool]]


def _render(model: type[Document], request: Request, job_path: str, stem: str,
            ident: uuid.UUID, out_dir: Path, username: str | None) -> None:
    runtime = current_app.extensions["kt1"]
    settings = runtime.settings
    steps = ("Tạo công việc", "Lập văn bản", "Ghi tệp")
    with click.progressbar(length=len(steps), label="Đang lập văn bản",
                           item_show_func=lambda n: steps[n] if n is not None else None) as bar:
        with runtime.session_factory() as session:
            audit.set_actor(session, None, "cli")
            try:
                asked, job = _ask(session, model, request, ident, username)
                session.commit()
            except errors.DomainError as exc:
                session.rollback()
                raise click.ClickException(exc.detail) from exc
            asked_id, job_id = asked.id, job.id
        bar.update(1, 1)
        enqueue(dataclasses.replace(settings, redis_url=None), job_path, str(job_id),
                str(asked_id))
        bar.update(1, 2)
        with runtime.session_factory() as session:
            job = session.get_one(Job, job_id)
            issued = session.get_one(model, asked_id)
            if job.status != "finished":
                raise click.ClickException(job.error or f"công việc {job_id}: {job.status}")
            store = store_from_url(settings.media_url, s3_endpoint_url=settings.s3_endpoint_url)
            out_dir.mkdir(parents=True, exist_ok=True)
            label = (issued.label or str(issued.id)).replace("/", "-")
            written = []
            for kind, sha256 in (("pdf", issued.pdf_sha256), ("docx", issued.docx_sha256)):
                assert sha256 is not None
                path = out_dir / f"{stem}-{label}.{kind}"
                with store.open(sha256) as source:
                    path.write_bytes(source.read())
                written.append(path)
        bar.update(1, None)
    click.echo(f"Số: {issued.label}")
    for path in written:
        click.echo(f"Đã ghi {path}")


def _ask(session: Session, model: type[Document], request: Request, ident: uuid.UUID,
         username: str | None) -> tuple[Any, Job]:
    existing = session.get(model, ident) or session.scalar(
        select(model).where(model.inspection_id == ident))
    if username is not None:
        actor = session.scalar(select(User).where(User.username == username))
        if actor is None:
            raise click.ClickException(f"không có người dùng {username}")
    elif existing is not None:
        actor = session.get_one(User, existing.created_by)
    else:
        raise click.ClickException("chưa có văn bản này: cho biết người yêu cầu bằng --as")
    asked, job, _ = request(session, actor,
                            existing.inspection_id if existing is not None else ident)
    return asked, job
