"""`kt1 audit`: checkpoints of the audit chain's head outside the database, and verifying the
chain against them (both from cron; see the README)."""

from __future__ import annotations

import sys
from typing import NoReturn

import click
from flask import current_app
from flask.cli import with_appcontext

from inspection import audit
from inspection.config import Settings, SettingsError
from inspection.db import sqlite_begin

CONFIGURATION = 2  # exit code: the command cannot run as configured
TAMPERED = 1  # exit code: the audit log does not verify


@click.group("audit")
def audit_group() -> None:
    """The audit log: anchoring its head outside the database, and verifying it."""
    sqlite_begin.set("BEGIN")  # both only read the database: never hold SQLite's write lock


def _key(settings: Settings, *, create: bool) -> bytes | None:
    try:
        return audit.anchor_key(settings, create=create)
    except SettingsError as exc:
        click.echo(f"Không chạy được: {exc}", err=True)
        sys.exit(CONFIGURATION)


def _fail(report: audit.AnchoredReport, headline: str) -> NoReturn:
    for problem in report.problems:
        click.echo(f"- {problem['detail']}", err=True)
    click.echo(headline, err=True)
    sys.exit(TAMPERED)


@audit_group.command("anchor")
@with_appcontext
def anchor() -> None:
    """Verify the chain and its checkpoints, then append a signed checkpoint of its head
    (e.g. every 15 minutes from cron). Exit code 1 if the log does not verify (nothing is
    written), 2 if the key is missing or too short in production."""
    runtime = current_app.extensions["kt1"]
    settings: Settings = runtime.settings
    key = _key(settings, create=True)
    assert key is not None  # made when missing outside production
    with runtime.session_factory() as session:
        try:
            checkpoint = audit.anchor(session, audit.AnchorLog(settings.anchor_path), key)
        except audit.AnchorRefused as exc:
            _fail(exc.report, "Không ghi mốc neo: nhật ký kiểm toán không nguyên vẹn.")
    entries = sum(n for n, _ in checkpoint.heads.values())
    click.echo(f"Đã ghi mốc neo #{checkpoint.seq}: {entries} mục của {len(checkpoint.heads)} "
               f"chuỗi, vào {settings.anchor_path}.")


@audit_group.command("verify")
@with_appcontext
def verify() -> None:
    """Verify the chain and every checkpoint (e.g. hourly from cron). Exit code 1 with one
    line per problem if anything does not verify, 2 if the key is missing or too short in
    production."""
    runtime = current_app.extensions["kt1"]
    settings: Settings = runtime.settings
    _key(settings, create=False)
    with runtime.session_factory() as session:
        report = audit.check(session, settings)
    if not report.ok:
        _fail(report, f"Nhật ký kiểm toán KHÔNG nguyên vẹn: {len(report.problems)} vấn đề.")
    anchors = report.anchors
    click.echo(f"Nhật ký kiểm toán nguyên vẹn: {report.entries} mục trong {len(report.chains)} "
               f"chuỗi, tổng đầu chuỗi {report.head[:16]}…; {anchors.checkpoints} mốc neo khớp"
               + (f" (mới nhất #{anchors.latest_seq} lúc {anchors.latest_at.isoformat()})."
                  if anchors.latest_at else "."))
    if not anchors.checkpoints:
        click.echo("Chưa có mốc neo nào: hãy chạy `kt1 audit anchor` định kỳ (xem README).",
                   err=True)
