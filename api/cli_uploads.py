"""`kt1 uploads`: housekeeping of resumable uploads."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from inspection import audit, photos
from media.uploads import PartialUploads


@click.group("uploads")
def uploads() -> None:
    """Resumable photo uploads."""


@uploads.command("expire")
@with_appcontext
def expire() -> None:
    """Forget uploads past their expiry and their bytes (run daily, e.g. from cron)."""
    runtime = current_app.extensions["kt1"]
    settings = runtime.settings
    with runtime.session_factory() as session:
        audit.set_actor(session, None, "cli")
        expiry = photos.clean_expired(session, PartialUploads(settings.upload_path), settings)
    click.echo(f"Đã huỷ {expiry.expired} phiên tải lên hết hạn, quên {expiry.forgotten} phiên "
               f"đã xong, xoá dữ liệu của {len(expiry.discard)} phiên.")
