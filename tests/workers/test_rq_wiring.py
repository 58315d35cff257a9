"""The queue wiring: a real `rq` worker (`kt1 worker`) against the real Redis, and embedded mode.

Redis is required (`KT1_TEST_REDIS_URL`, default `redis://127.0.0.1:6379/15`): a missing Redis
fails the test, it is never skipped. The jobs open their own sessions, so the database here is
a scratch SpatiaLite file, migrated and committed, not the rolled-back test transaction.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from redis import Redis
from rq import Queue
from rq.job import Job

from geo.units import packaged_units
from inspection import migrate, reference
from inspection.config import Settings
from inspection.db import make_engine, make_session_factory
from inspection.models import Photo
from media.blobstore import FileBlobStore
from tests import factories
from tests.legal_world import verify_every_citation
from tests.media.pictures import CAN_THO, exif, save_jpeg, two_tone
from tests.workers.evidence import (
    DURING,
    approved_with_finding,
    inspection_at_can_tho,
    uploaded_photo,
)
from workers.cli import worker
from workers.queue import enqueue

REDIS_URL = os.environ.get("KT1_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
JOB = "workers.jobs.process_photo_job"


@dataclass
class Scratch:
    database_url: str
    media_url: str
    photo_id: uuid.UUID

    def status(self) -> str:
        engine = make_engine(self.database_url)
        try:
            with make_session_factory(engine)() as session:
                photo = session.get(Photo, self.photo_id)
                assert photo is not None
                return photo.status
        finally:
            engine.dispose()


@pytest.fixture
def scratch(tmp_path: Path) -> Scratch:
    """A migrated SpatiaLite file with units, an inspection and one uploaded photo, committed."""
    database_url = f"sqlite:///{tmp_path / 'kt1.sqlite'}"
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    store = FileBlobStore(tmp_path / "media")
    original = save_jpeg(tmp_path / "p.jpg", two_tone(),
                         exif(lon_lat=CAN_THO, taken=DURING, make="samsung"))
    with make_session_factory(engine)() as session:
        reference.load_units(session, packaged_units())
        factories.bind(session)
        photo = uploaded_photo(session, store, inspection_at_can_tho(session), original)
        session.commit()
    engine.dispose()
    return Scratch(database_url, (tmp_path / "media").as_uri(), photo.id)


@pytest.fixture
def redis() -> Redis:
    connection = Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"Redis is required for the queue wiring test ({REDIS_URL}): {exc}")
    return connection


def test_a_real_rq_worker_processes_an_enqueued_photo_and_exits_cleanly(
        scratch, redis, tmp_path):
    queue_name = f"kt1-test-{uuid.uuid4().hex}"
    settings = Settings(env="test", instance_path=tmp_path, database_url=scratch.database_url,
                        media_url=scratch.media_url, redis_url=REDIS_URL)
    try:
        job_id = enqueue(settings, JOB, str(scratch.photo_id), queue=queue_name)
        assert scratch.status() == "processing"  # queued, not run by the enqueuer
        env = {**os.environ, "KT1_ENV": "test", "KT1_INSTANCE_PATH": str(tmp_path),
               "KT1_DATABASE_URL": scratch.database_url, "KT1_MEDIA_URL": scratch.media_url,
               "KT1_REDIS_URL": REDIS_URL}
        kt1 = Path(sys.executable).with_name("kt1")
        done = subprocess.run([str(kt1), "worker", "--burst", "--queue", queue_name], env=env,
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        job = Job.fetch(job_id, connection=redis)
        assert job.get_status() == "finished", done.stderr
        assert job.return_value() == "ready"
        assert scratch.status() == "ready"
    finally:
        Queue(queue_name, connection=redis).delete(delete_jobs=True)


def test_without_redis_a_job_runs_in_process_as_it_is_enqueued(scratch, tmp_path):
    settings = Settings(env="test", instance_path=tmp_path, database_url=scratch.database_url,
                        media_url=scratch.media_url, redis_url=None)
    enqueue(settings, JOB, str(scratch.photo_id), key=f"photo-{scratch.photo_id}")
    assert scratch.status() == "ready"


def test_the_worker_command_refuses_to_start_without_redis(monkeypatch):
    monkeypatch.delenv("KT1_REDIS_URL", raising=False)
    result = CliRunner().invoke(worker, [])
    assert result.exit_code != 0
    assert "KT1_REDIS_URL is not set" in result.output


def test_a_real_rq_worker_issues_a_notice_and_records_a_failing_ones_error(redis, tmp_path):
    from inspection import notices
    from inspection.models import Inspection, Job, Notice

    database_url = f"sqlite:///{tmp_path / 'docs.sqlite'}"
    media_url = (tmp_path / "media").as_uri()
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    factory = make_session_factory(engine)
    with factory() as session:
        reference.load_units(session, packaged_units())
        verify_every_citation(session)
        factories.bind(session)
        supervisor = factories.UserFactory(role="supervisor")
        good, doomed = approved_with_finding(session), approved_with_finding(session)
        asked = [notices.request_notice(session, supervisor, i)[:2] for i in (good, doomed)]
        session.commit()
        ids = [(str(job.id), str(notice.id)) for notice, job in asked]
    queue_name = f"kt1-test-{uuid.uuid4().hex}"
    settings = Settings(env="test", instance_path=tmp_path, database_url=database_url,
                        media_url=media_url, redis_url=REDIS_URL, queue_name=queue_name)
    try:
        for job_id, notice_id in ids:  # enqueued after commit, as the app does
            enqueue(settings, notices.NOTICE_JOB, job_id, notice_id)
        with factory() as session:  # returned for changes before the worker gets to it
            session.get_one(Inspection, doomed).status = "returned"
            session.commit()
        env = {**os.environ, "KT1_ENV": "test", "KT1_INSTANCE_PATH": str(tmp_path),
               "KT1_DATABASE_URL": database_url, "KT1_MEDIA_URL": media_url,
               "KT1_REDIS_URL": REDIS_URL, "KT1_QUEUE": queue_name}
        kt1 = Path(sys.executable).with_name("kt1")
        done = subprocess.run([str(kt1), "worker", "--burst"], env=env, capture_output=True,
                              text=True, timeout=180, check=False)
        assert done.returncode == 0, done.stderr
        with factory() as session:
            (good_job, good_notice), (bad_job, bad_notice) = [
                (session.get_one(Job, uuid.UUID(j)), session.get_one(Notice, uuid.UUID(n)))
                for j, n in ids]
            assert good_job.status == "finished", (good_job.error, done.stderr)
            assert (good_notice.status, good_notice.label) == ("issued", "01/TB-SKHCN")
            assert FileBlobStore(tmp_path / "media").exists(good_notice.pdf_sha256 or "")
            assert bad_job.status == "failed" and bad_job.error and "duyệt" in bad_job.error
            assert (bad_notice.status, bad_notice.number) == ("failed", None)
    finally:
        Queue(queue_name, connection=redis).delete(delete_jobs=True)
        engine.dispose()
