"""Expiration of resumable uploads: what `kt1 uploads expire` (and its daily job) forgets."""

from __future__ import annotations

import hashlib
import os
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from api.cli import main
from inspection import photos
from inspection.config import Settings
from inspection.db import utcnow
from inspection.models import Upload
from media.blobstore import FileBlobStore
from media.uploads import PartialUploads
from tests.workers.evidence import inspection_at_can_tho


@pytest.fixture
def world(session, tmp_path: Path):  # type: ignore[no-untyped-def]
    settings = Settings(env="test", instance_path=tmp_path, database_url="sqlite://",
                        media_url=(tmp_path / "media").as_uri(), upload_expiry_hours=24)
    inspection = inspection_at_can_tho(session)
    return settings, PartialUploads(settings.upload_path), inspection


def start(session, world, body: bytes, *, now=None) -> Upload:  # type: ignore[no-untyped-def]
    settings, partials, inspection = world
    return photos.start_upload(
        session, inspection.team[0], device_id="tablet-1", length=len(body), now=now,
        metadata={"inspection_id": str(inspection.id),
                  "sha256": hashlib.sha256(body).hexdigest()},
        settings=settings, partials=partials)


def test_unfinished_uploads_past_their_expiry_go_with_their_bytes(session, world, tmp_path):
    settings, partials, _ = world
    old = start(session, world, b"old bytes", now=utcnow() - timedelta(hours=30))
    fresh = start(session, world, b"fresh bytes")
    partials.append(str(old.id), lambda n: b"old", offset=0, length=3)  # a third arrived
    expiry = photos.clean_expired(session, partials, settings)
    assert (expiry.expired, expiry.forgotten) == (1, 0)
    assert not partials.exists(str(old.id)) and partials.exists(str(fresh.id))
    remaining = set(session.scalars(select(Upload.id)))
    assert old.id not in remaining and fresh.id in remaining


def test_a_finished_upload_is_forgotten_but_its_photo_stays(session, world, tmp_path):
    settings, partials, inspection = world
    body = b"\xff\xd8 a finished upload"
    upload = start(session, world, body)
    reader = iter([body, b""])
    partials.append(str(upload.id), lambda n: next(reader), offset=0, length=len(body))
    photo = photos.complete(session, photos.ticket_for(upload),
                            store=FileBlobStore(tmp_path / "media"), partials=partials,
                            sha256_from_start=None)
    partials.discard(str(upload.id))
    expiry = photos.clean_expired(session, partials, settings,
                                  now=utcnow() + timedelta(hours=25))
    assert (expiry.expired, expiry.forgotten) == (0, 1)
    assert session.get(Upload, upload.id) is None
    assert photos.find_photo(session, inspection.team[0], photo.id).sha256 == photo.sha256


def test_bytes_without_a_record_are_removed_only_once_older_than_the_expiry(
        session, world, tmp_path):
    settings, partials, _ = world
    partials.create("crashed-long-ago")
    partials.create("being-created-now")
    two_days_ago = (utcnow() - timedelta(days=2)).timestamp()
    os.utime(partials.path("crashed-long-ago"), (two_days_ago, two_days_ago))
    expiry = photos.clean_expired(session, partials, settings)
    assert expiry.discard == ["crashed-long-ago"]
    assert not partials.exists("crashed-long-ago") and partials.exists("being-created-now")


def test_the_command_line_reports_in_vietnamese(monkeypatch, tmp_path):
    database = tmp_path / "kt1.sqlite"
    for name, value in {"KT1_ENV": "test", "KT1_INSTANCE_PATH": str(tmp_path),
                        "KT1_DATABASE_URL": f"sqlite:///{database}"}.items():
        monkeypatch.setenv(name, value)
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    stale = PartialUploads(Settings.from_env().upload_path)
    stale.create("left-by-a-crash")
    old = (utcnow() - timedelta(days=30)).timestamp()
    os.utime(stale.path("left-by-a-crash"), (old, old))
    result = runner.invoke(main, ["uploads", "expire"])
    assert result.exit_code == 0, result.output
    assert "xoá dữ liệu của 1 phiên" in result.output
    assert not stale.exists("left-by-a-crash")
