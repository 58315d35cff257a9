"""`kt1 report`: write a report's PDF and XLSX from the command line, with a progress bar."""

from __future__ import annotations

import uuid
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from inspection import audit, errors, reports
from media.blobstore import store_from_url
from workers.reports import render_report  # a composition root, like `kt1 worker`


@click.group("report")
def report() -> None:
    """Reports on KT1 inspections (PDF and XLSX)."""


@report.command("annual")
@click.option("--province", "province_code", required=True, help="Province code, e.g. 92.")
@click.option("--year", required=True, type=int, help="Calendar year, e.g. 2026.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("."), show_default=True, help="Folder to write the files to.")
@click.option("--signer", "signer_id", type=click.UUID, default=None,
              help="Id of the signer (GET /signers); default: the province's only active one, "
                   "else the name is left blank.")
@with_appcontext
def annual(province_code: str, year: int, out_dir: Path, signer_id: uuid.UUID | None) -> None:
    """Write the annual report of PROVINCE for YEAR (also kept in the media store)."""
    runtime = current_app.extensions["kt1"]
    settings = runtime.settings
    store = store_from_url(settings.media_url, s3_endpoint_url=settings.s3_endpoint_url)
    with runtime.session_factory() as session:
        audit.set_actor(session, None, "cli")
        try:
            asked, _ = reports.request_report(session, None, kind="annual",
                                              province_code=province_code, year=year,
                                              signer_id=signer_id)
            session.commit()
            with click.progressbar(length=100, label="Đang lập báo cáo") as bar:
                def progress(percent: int) -> None:
                    bar.update(percent - bar.pos)

                rendered = render_report(session, store, asked.id, progress=progress)
                session.commit()
                bar.update(100 - bar.pos)
        except errors.DomainError as exc:
            session.rollback()
            raise click.ClickException(exc.detail) from exc
    out_dir.mkdir(parents=True, exist_ok=True)
    for kind, data in (("pdf", rendered.pdf), ("xlsx", rendered.xlsx)):
        path = out_dir / f"bao-cao-{province_code}-{year}.{kind}"
        path.write_bytes(data or b"")
        click.echo(f"Đã ghi {path}")
