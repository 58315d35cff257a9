"""Jobs survive faults, tried with real processes on both databases: a private `redis-server`
stopped and started again, `kt1 worker` killed with SIGKILL mid-job, work committed but never
handed to the queue. After each, every job ends `finished` or `failed` by itself, no photo
stays `processing`, nothing is doubled, and the client's retry succeeds.
"""

from __future__ import annotations

import hashlib
import io
import signal
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from api.app import create_app
from inspection import notices, photos
from inspection.db import make_session_factory
from inspection.models import Job, Notice, Photo, Report, Upload, User
from media.blobstore import FileBlobStore
from media.uploads import PartialUploads
from tests import factories
from tests.conftest import BACKENDS
from tests.live_server import scratch_database, served_settings
from tests.media.pictures import CAN_THO, exif, save_jpeg, two_tone
from tests.workers.evidence import (
    DURING,
    approved_with_finding,
    inspection_at_can_tho,
    uploaded_photo,
)
from tests.workers.processes import (
    PrivateRedis,
    descendants,
    kill_group,
    kill_tree,
    kt1_env,
    run_kt1,
    start_kt1,
    wait_for,
)

ON_POSTGRES = pytest.mark.parametrize("backend", ["postgis"])  # backends to terminate
QUICK_TO_NOTICE = ("--job-monitoring-interval", "2", "--abandoned-after", "5")


@dataclass
class World:
    root: Path
    url: str
    engine: Engine
    supervisor: str
    inspection_id: uuid.UUID

    def session(self) -> Session:
        return make_session_factory(self.engine)()

    def job(self, job_id: str | uuid.UUID) -> Job:
        with self.session() as session:
            job = session.get_one(Job, uuid.UUID(str(job_id)))
            session.expunge(job)
            return job

    def ended(self, job_id: str, *, timeout_s: float, what: str) -> Job:
        """The job once it is `finished` or `failed`, by itself (the test fails after
        `timeout_s`)."""
        return wait_for(lambda: (j := self.job(job_id)).status in ("finished", "failed") and j,
                        timeout_s=timeout_s, every_s=0.5, what=what)

    def notices(self) -> list[Notice]:
        with self.session() as session:
            found = list(session.scalars(select(Notice).where(
                Notice.inspection_id == self.inspection_id)))
            session.expunge_all()
            return found

    def env(self, redis: PrivateRedis) -> dict[str, str]:
        return kt1_env(self.root, self.url, redis_url=redis.url)


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def world(backend: str, tmp_path: Path) -> Iterator[World]:
    """A committed database with a supervisor and an approved inspection with a confirmed
    finding, ready for its notice."""
    with scratch_database(backend, tmp_path, "faults") as (url, engine):
        with make_session_factory(engine)() as session:
            factories.bind(session)
            supervisor = factories.UserFactory(role="supervisor")
            inspection_id = approved_with_finding(session)
            session.commit()
            username = supervisor.username
        yield World(tmp_path, url, engine, username, inspection_id)


def _client(world: World, redis: PrivateRedis):  # type: ignore[no-untyped-def]
    app = create_app(replace(served_settings(world.root, world.url), redis_url=redis.url))
    client = app.test_client()
    resp = client.post("/api/v1/auth/login", json={
        "username": world.supervisor, "password": factories.PASSWORD, "device_id": "office-1"})
    assert resp.status_code == 200, resp.get_json()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {resp.get_json()['access_token']}"
    return client


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_queue_that_is_down_answers_503_keeps_nothing_and_the_retry_issues_the_notice(
        world: World, redis: PrivateRedis) -> None:
    client = _client(world, redis)  # the private Redis is not running
    path = f"/api/v1/inspections/{world.inspection_id}/notices"

    refused = client.post(path)
    assert refused.status_code == 503
    assert refused.mimetype == "application/problem+json"
    assert refused.headers["Retry-After"] == "30"
    assert refused.get_json()["type"].endswith(":unavailable")
    assert "thử lại" in refused.get_json()["detail"]
    assert world.notices() == []  # nothing half-done: no notice, no job waiting forever
    with world.session() as session:
        assert session.scalar(select(func.count()).select_from(Job)) == 0

    redis.start()
    asked = client.post(path)
    assert asked.status_code == 202, asked.get_json()
    job_id = asked.get_json()["job_id"]
    run_kt1("worker", "--burst", env=world.env(redis))

    job = client.get(f"/api/v1/jobs/{job_id}").get_json()
    assert job["status"] == "finished", job
    [notice] = world.notices()
    assert (notice.status, notice.label) == ("issued", "01/TB-SKHCN")


@pytest.mark.parametrize("backend", BACKENDS)
def test_jobs_a_restarted_redis_forgot_are_run_by_the_next_worker(
        world: World, redis: PrivateRedis, tmp_path: Path) -> None:
    redis.start()
    client = _client(world, redis)
    asked = client.post(f"/api/v1/inspections/{world.inspection_id}/notices")
    assert asked.status_code == 202
    job_id = asked.get_json()["job_id"]
    redis.stop()  # it kept nothing on disk: the queued job is gone with it
    redis.start()

    # No client retries: the worker's sweep (at start, then at every maintenance once the
    # grace period is over) finds the job the queue no longer holds and hands it over again.
    worker = start_kt1("worker", "--maintenance-interval", "5", env=world.env(redis),
                       log=tmp_path / "worker.log")
    try:
        job = world.ended(job_id, timeout_s=120, what="the forgotten job to end")
    finally:
        kill_group(worker, signal.SIGTERM)
    assert job.status == "finished", (tmp_path / "worker.log").read_text()
    assert [(n.status, n.label) for n in world.notices()] == [("issued", "01/TB-SKHCN")]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_report_asked_while_the_queue_is_down_leaves_no_orphan_rows(
        world: World, redis: PrivateRedis) -> None:
    client = _client(world, redis)  # the private Redis is not running
    body = {"kind": "annual", "province_code": "92", "year": 2026}

    refused = client.post("/api/v1/reports", json=body)
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "30"
    with world.session() as session:
        assert session.scalar(select(func.count()).select_from(Report)) == 0
        assert session.scalar(select(func.count()).select_from(Job)) == 0

    redis.start()
    asked = client.post("/api/v1/reports", json=body)
    assert asked.status_code == 202, asked.get_json()
    run_kt1("worker", "--burst", env=world.env(redis))
    assert world.job(asked.get_json()["job_id"]).status == "finished"
    with world.session() as session:
        [report] = session.scalars(select(Report)).all()
        assert report.status == "ready"


@pytest.mark.parametrize("backend", BACKENDS)
def test_work_committed_but_never_handed_over_is_delivered_once_by_the_sweeper(
        world: World, redis: PrivateRedis, tmp_path: Path) -> None:
    store = FileBlobStore(tmp_path / "media")
    partials = PartialUploads(tmp_path / "uploads")
    save_jpeg(tmp_path / "p.jpg", two_tone(), exif(lon_lat=CAN_THO, taken=DURING, make="samsung"))
    jpeg = save_jpeg(tmp_path / "q.jpg", two_tone(),
                     exif(lon_lat=CAN_THO, taken=DURING, make="apple")).read_bytes()
    settings = served_settings(world.root, world.url)
    with world.session() as session:  # as if each process died right after its commit
        factories.bind(session)
        supervisor = session.scalars(
            select(User).where(User.username == world.supervisor)).one()
        _, job, _ = notices.request_notice(session, supervisor, world.inspection_id)
        draft = inspection_at_can_tho(session)
        stranded_photo = uploaded_photo(session, store, draft, tmp_path / "p.jpg")
        upload = photos.start_upload(
            session, draft.team[0], device_id=None, length=len(jpeg), settings=settings,
            partials=partials, metadata={"inspection_id": str(draft.id), "item_code": "A2",
                                         "sha256": hashlib.sha256(jpeg).hexdigest()})
        session.commit()
        job_id, upload_id, photo_id = job.id, str(upload.id), stranded_photo.id
    partials.append(upload_id, io.BytesIO(jpeg).read, offset=0, length=len(jpeg),
                    total=len(jpeg), checksum=None)
    redis.start()

    swept = run_kt1("jobs", "requeue", "--grace", "0", env=world.env(redis))
    assert "3 delivered again, 0 failed for good, 1 uploads completed" in swept
    again = run_kt1("jobs", "requeue", "--grace", "0", env=world.env(redis))
    assert "0 delivered again" in again  # still queued: not handed over twice
    run_kt1("worker", "--burst", env=world.env(redis))

    assert world.job(job_id).status == "finished"
    assert [n.status for n in world.notices()] == ["issued"]
    with world.session() as session:
        completed = session.get_one(Upload, uuid.UUID(upload_id))
        assert completed.completed_at is not None
        statuses = {p.id: p.status for p in session.scalars(select(Photo))}
    assert statuses[photo_id] == "ready"
    assert statuses[completed.photo_id] == "ready"
    assert "processing" not in statuses.values()
    assert "0 delivered again" in run_kt1("jobs", "requeue", "--grace", "0",
                                          env=world.env(redis))


def _hold_job_row(world: World, backend: str, job_id: str):  # type: ignore[no-untyped-def]
    """A connection holding the job's row (PostgreSQL) or an exclusive lock on the whole
    database (SQLite, on a plain driver connection of its own), so the worker that takes the
    job blocks at its first statement: mid-job, as rq sees it. `.rollback()` and `.close()`
    release it."""
    if backend == "postgis":
        conn = world.engine.connect()
        conn.begin()
        conn.execute(text("SELECT id FROM jobs WHERE id = :id FOR UPDATE"),
                     {"id": uuid.UUID(job_id)})
        return conn
    return _SqliteLockHolder(str(world.engine.url.database))


class _SqliteLockHolder:
    """A process of its own holding SQLite's exclusive lock on the file until released (in
    this process, closing any other handle on the file would drop POSIX locks with it)."""

    def __init__(self, path: str) -> None:
        import subprocess
        import sys

        self.process = subprocess.Popen(
            [sys.executable, "-c",
             "import sqlean, sys\n"
             f"c = sqlean.connect({path!r}, isolation_level=None)\n"
             "c.execute('BEGIN EXCLUSIVE')\n"
             "print('held', flush=True)\n"
             "sys.stdin.readline()\n"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == "held"

    def rollback(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=30)

    def close(self) -> None:
        self.rollback()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_worker_killed_mid_job_leaves_a_job_that_is_retried_until_it_finishes(
        world: World, redis: PrivateRedis, backend: str, tmp_path: Path) -> None:
    from redis import Redis
    from rq.job import Job as RqJob

    redis.start()
    env = world.env(redis)
    # Ask for the notice with no worker running, then hold its job before one starts.
    asked = _client(world, redis).post(f"/api/v1/inspections/{world.inspection_id}/notices")
    assert asked.status_code == 202
    job_id = asked.get_json()["job_id"]
    held = _hold_job_row(world, backend, job_id)
    connection = Redis.from_url(redis.url)
    # Its heartbeats say "taken for abandoned 5 s after a missed beat" (rq's default: 60 s).
    first = start_kt1("worker", *QUICK_TO_NOTICE, env=env, log=tmp_path / "worker-1.log")
    try:
        wait_for(lambda: RqJob.fetch(job_id, connection=connection).get_status() == "started",
                 timeout_s=120, what="the worker to take the job")
        horses = descendants(first.pid)
        assert horses, "the worker runs the job in a work-horse process of its own"
        kill_tree(first)  # the worker, its scheduler and the work-horse that runs the job
    finally:
        held.rollback()
        held.close()
    assert world.job(job_id).status in ("queued", "started")

    second = start_kt1("worker", "--maintenance-interval", "5", *QUICK_TO_NOTICE, env=env,
                       log=tmp_path / "worker-2.log")
    try:
        job = world.ended(job_id, timeout_s=240, what="the killed job to end by itself")
    finally:
        kill_group(second, signal.SIGTERM)
    assert job.status == "finished", ((tmp_path / "worker-2.log").read_text(), job.error)
    [notice] = world.notices()
    assert (notice.status, notice.label) == ("issued", "01/TB-SKHCN")


def _terminate_the_waiting_backend(world: World) -> int:
    """End (pg_terminate_backend) the one backend of the world's database that waits on a lock,
    once there is one: the request or job blocked behind the test's lock, mid-way."""
    database = world.engine.url.database

    def waiting() -> int | None:
        with world.engine.connect() as conn:
            return conn.scalar(text(
                "SELECT pid FROM pg_stat_activity WHERE datname = :db "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"), {"db": database})

    pid = wait_for(waiting, timeout_s=60, what="a backend waiting on the test's lock")
    with world.engine.connect() as conn:
        assert conn.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    return pid


def _locked(world: World, statement: str):  # type: ignore[no-untyped-def]
    conn = world.engine.connect()
    conn.begin()
    conn.execute(text(statement))
    return conn


@ON_POSTGRES
def test_a_backend_ended_mid_request_answers_503_commits_nothing_and_the_retry_succeeds(
        world: World, redis: PrivateRedis) -> None:
    import threading

    redis.start()
    client = _client(world, redis)
    path = f"/api/v1/inspections/{world.inspection_id}/notices"
    answers = []
    held = _locked(world, "LOCK TABLE notices IN ACCESS EXCLUSIVE MODE")
    try:
        asking = threading.Thread(target=lambda: answers.append(client.post(path)))
        asking.start()
        _terminate_the_waiting_backend(world)
    finally:
        held.rollback()
        held.close()
    asking.join(timeout=60)
    [ended] = answers
    assert ended.status_code == 503, ended.get_json()
    assert ended.mimetype == "application/problem+json"
    assert ended.headers["Retry-After"] == "5"
    assert world.notices() == []
    with world.session() as session:
        assert session.scalar(select(func.count()).select_from(Job)) == 0

    retried = client.post(path)  # the pool hands out a live connection again
    assert retried.status_code == 202, retried.get_json()
    run_kt1("worker", "--burst", env=world.env(redis))
    assert world.job(retried.get_json()["job_id"]).status == "finished"
    assert [(n.status, n.label) for n in world.notices()] == [("issued", "01/TB-SKHCN")]


@ON_POSTGRES
def test_a_backend_ended_mid_job_fails_that_attempt_and_the_retry_finishes_the_job(
        world: World, redis: PrivateRedis, tmp_path: Path) -> None:
    redis.start()
    env = world.env(redis)
    asked = _client(world, redis).post(f"/api/v1/inspections/{world.inspection_id}/notices")
    assert asked.status_code == 202
    job_id = asked.get_json()["job_id"]
    held = _locked(world, "LOCK TABLE notices IN ACCESS EXCLUSIVE MODE")
    worker = start_kt1("worker", "--maintenance-interval", "5", env=env,
                       log=tmp_path / "worker.log")
    try:
        try:
            _terminate_the_waiting_backend(world)
        finally:
            held.rollback()
            held.close()
        job = world.ended(job_id, timeout_s=120, what="the job to end by itself")
    finally:
        kill_group(worker, signal.SIGTERM)
    log = (tmp_path / "worker.log").read_text()
    assert job.status == "finished", (log, job.error)
    assert job.attempts == 2, log  # the attempt whose connection ended, then the retry
    assert [(n.status, n.label) for n in world.notices()] == [("issued", "01/TB-SKHCN")]
