"""The offset of an upload survives its server's crash: `kt1 serve` (gunicorn) killed with
SIGKILL in the middle of a PATCH, on both databases. Started again, it answers HEAD with the
bytes on disk, and the upload resumed from there ends as a photo with the declared sha256."""

from __future__ import annotations

import base64
import hashlib
import os
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from sqlalchemy import Engine

from inspection.db import make_session_factory
from inspection.models import Photo
from media.blobstore import FileBlobStore
from tests import factories
from tests.conftest import BACKENDS
from tests.live_server import scratch_database
from tests.workers.evidence import inspection_at_can_tho
from tests.workers.processes import free_port, kill_tree, kt1_env, start_kt1, wait_for

TUS = {"Tus-Resumable": "1.0.0"}
DATA = os.urandom(6 * 1024 * 1024 + 4321)
SENT_BEFORE_THE_CRASH = 3 * 1024 * 1024 + 777


@dataclass
class Served:
    root: Path
    env: dict[str, str]
    port: int
    engine: Engine
    inspector: str
    inspection_id: uuid.UUID

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self):  # type: ignore[no-untyped-def]
        server = start_kt1("serve", "--port", str(self.port), env=self.env,
                           log=self.root / "serve.log")
        wait_for(self._answers, timeout_s=60, what="kt1 serve to answer")
        return server

    def _answers(self) -> bool:
        try:
            return requests.get(f"{self.base}/healthz", timeout=5).status_code == 200
        except requests.ConnectionError:
            return False


@pytest.fixture
def served(backend: str, tmp_path: Path) -> Iterator[Served]:
    """A database to serve, with a draft inspection (no Redis: jobs run in `kt1 serve`)."""
    with scratch_database(backend, tmp_path, "crash") as (url, engine):
        with make_session_factory(engine)() as session:
            factories.bind(session)
            inspection = inspection_at_can_tho(session)
            inspector = inspection.team[0].username
            session.commit()
        yield Served(tmp_path, kt1_env(tmp_path, url, redis_url=None), free_port(), engine,
                     inspector, inspection.id)


def _cut_patch(base: str, location: str, token: str) -> socket.socket:
    """A PATCH that declares the whole file and sends only its first bytes, left open."""
    path = location.removeprefix(base)
    conn = socket.create_connection(("127.0.0.1", int(base.rsplit(":", 1)[1])))
    conn.sendall((f"PATCH {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTus-Resumable: 1.0.0\r\n"
                  f"Authorization: Bearer {token}\r\nUpload-Offset: 0\r\n"
                  "Content-Type: application/offset+octet-stream\r\n"
                  f"Content-Length: {len(DATA)}\r\n\r\n").encode())
    conn.sendall(DATA[:SENT_BEFORE_THE_CRASH])
    return conn


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_server_killed_mid_patch_tells_the_offset_on_disk_and_the_upload_resumes(
        served: Served) -> None:
    server = served.start()
    try:
        token = requests.post(f"{served.base}/api/v1/auth/login", timeout=30, json={
            "username": served.inspector, "password": factories.PASSWORD,
            "device_id": "tablet-1"}).json()["access_token"]
        auth = {**TUS, "Authorization": f"Bearer {token}"}
        sha256 = hashlib.sha256(DATA).hexdigest()
        meta = {"inspection_id": str(served.inspection_id), "item_code": "A2", "sha256": sha256}
        created = requests.post(f"{served.base}/api/v1/uploads", timeout=30, headers={
            **auth, "Upload-Length": str(len(DATA)), "Upload-Metadata": ",".join(
                f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in meta.items())})
        assert created.status_code == 201, created.text
        location, upload_id = created.headers["Location"], created.json()["id"]
        part = served.root / "uploads" / f"{upload_id}.part"
        conn = _cut_patch(served.base, location, token)
        wait_for(lambda: part.stat().st_size >= 1024 * 1024, timeout_s=30,
                 what="the first bytes of the PATCH on disk")
    finally:
        kill_tree(server)
    conn.close()

    on_disk = part.stat().st_size
    assert 0 < on_disk <= SENT_BEFORE_THE_CRASH
    server = served.start()
    try:
        head = requests.head(location, headers=auth, timeout=30)
        assert head.status_code == 200
        offset = int(head.headers["Upload-Offset"])
        assert offset == on_disk == part.stat().st_size
        assert part.read_bytes() == DATA[:offset]
        rest = requests.patch(location, data=DATA[offset:], timeout=60, headers={
            **auth, "Upload-Offset": str(offset),
            "Content-Type": "application/offset+octet-stream"})
        assert rest.status_code == 204, rest.text
        assert rest.headers["Upload-Offset"] == str(len(DATA))
    finally:
        kill_tree(server)

    store = FileBlobStore(served.root / "media")
    assert hashlib.sha256(store.path_for(sha256).read_bytes()).hexdigest() == sha256
    with make_session_factory(served.engine)() as session:
        photo = session.get_one(Photo, uuid.UUID(created.json()["photo_id"]))
        assert (photo.sha256, photo.size) == (sha256, len(DATA))
