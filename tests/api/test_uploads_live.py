"""Photo uploads with tuspy, the tus project's Python client, against the service served for
real on 127.0.0.1 (a threaded WSGI server), on SpatiaLite and on PostGIS.

The database is a scratch one per backend, migrated and committed (the server's threads open
their own connections). Photos are processed in-process as each upload completes, except in
the real `rq` worker test, whose server queues them on Redis (required: never skipped).
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import io
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
import requests
from PIL import Image
from redis import Redis
from rq import Queue
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from tusclient.client import TusClient
from tusclient.exceptions import TusCommunicationError, TusUploadFailed

from inspection.config import Settings
from inspection.db import make_session_factory
from inspection.models import Photo, Upload
from media.blobstore import FileBlobStore
from media.uploads import CHUNK_SIZE
from tests import factories
from tests.conftest import BACKENDS
from tests.live_server import scratch_database, served_settings, serving
from tests.media.pictures import (
    BLUE,
    CAN_THO,
    RED,
    exif,
    noisy,
    png_bomb,
    save_heic,
    save_jpeg,
    stored_for_orientation_6,
    two_tone,
)
from tests.workers.evidence import DURING, inspection_at_can_tho

REDIS_URL = os.environ.get("KT1_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
TUS = {"Tus-Resumable": "1.0.0"}


@dataclass
class Live:
    database_url: str
    root: Path
    session_factory: sessionmaker[Session]

    def settings(self, **changes: Any) -> Settings:
        return replace(served_settings(self.root, self.database_url), **changes)

    def photos(self, inspection_id: uuid.UUID) -> list[Photo]:
        with self.session_factory() as s:
            return list(s.scalars(select(Photo).where(Photo.inspection_id == inspection_id)
                                  .order_by(Photo.created_at)))


@pytest.fixture(scope="module", params=BACKENDS)
def live(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[Live]:
    root = tmp_path_factory.mktemp(f"live-{request.param}")
    with scratch_database(request.param, root, "live") as (url, engine):
        yield Live(url, root, make_session_factory(engine))


@pytest.fixture(scope="module")
def base_url(live: Live) -> Iterator[str]:
    with serving(live.settings()) as url:
        yield url


@dataclass
class Team:
    inspection_id: uuid.UUID
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def login(base_url: str, username: str) -> str:
    resp = requests.post(f"{base_url}/api/v1/auth/login", json={
        "username": username, "password": factories.PASSWORD,
        "device_id": f"tablet-{uuid.uuid4()}"}, timeout=10)
    assert resp.status_code == 200, resp.text
    return str(resp.json()["access_token"])


@pytest.fixture
def team(live: Live, base_url: str) -> Team:
    """A fresh draft inspection at Cần Thơ, committed, and its inspector logged in."""
    with live.session_factory() as s:
        factories.bind(s)
        inspection = inspection_at_can_tho(s)
        inspector = inspection.team[0].username
        s.commit()
    return Team(inspection.id, login(base_url, inspector))


def metadata(team: Team, path: Path, **extra: str) -> dict[str, str]:
    return {"inspection_id": str(team.inspection_id), "item_code": "A2",
            "filename": path.name, "filetype": "image/jpeg",
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(), **extra}


def uploader(base_url: str, team: Team, path: Path, *, chunk_size: int = 64 * 1024,
             url: str | None = None, **extra: str):  # type: ignore[no-untyped-def]
    client = TusClient(f"{base_url}/api/v1/uploads", headers=team.auth)
    return client.uploader(file_path=str(path), chunk_size=chunk_size, url=url,
                           metadata=metadata(team, path, **extra), upload_checksum=True)


def photos_of(base_url: str, team: Team) -> list[dict[str, Any]]:
    """The inspection's photos once none is `processing`: the server's job thread processes
    them after the upload's last PATCH, as the tablet sees on its next pull."""
    deadline = time.monotonic() + 30
    while True:
        resp = requests.get(f"{base_url}/api/v1/inspections/{team.inspection_id}/photos",
                            headers=team.auth, timeout=10)
        assert resp.status_code == 200, resp.text
        found: list[dict[str, Any]] = resp.json()
        if all(p["status"] != "processing" for p in found) or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def fetch(base_url: str, team: Team, url: str) -> bytes:
    resp = requests.get(base_url + url, headers=team.auth, timeout=10)
    assert resp.status_code == 200, resp.text
    return resp.content


def head_offset(upload_url: str, team: Team) -> int:
    resp = requests.head(upload_url, headers={**TUS, **team.auth}, timeout=10)
    assert resp.status_code == 200, resp.status_code
    return int(resp.headers["Upload-Offset"])


def wait_for(condition, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def photo_jpeg(path: Path, *, orientation: int | None = None) -> Path:
    """A noisy 1200x900 photo taken at Cần Thơ during the visit (~1 MB)."""
    img = noisy(1200, 900)
    return save_jpeg(path, img, exif(lon_lat=CAN_THO, taken=DURING, make="samsung",
                                     model="SM-T975", orientation=orientation), quality=95)


# --- The whole journey ------------------------------------------------------------------------

def test_a_photo_sent_in_checked_chunks_is_kept_byte_for_byte_and_processed(
        live, base_url, team, tmp_path):
    original = photo_jpeg(tmp_path / "cua-hang.jpg")
    up = uploader(base_url, team, original)
    up.upload()
    assert up.offset == original.stat().st_size
    [photo] = photos_of(base_url, team)
    assert photo["status"] == "ready", photo
    assert photo["sha256"] == hashlib.sha256(original.read_bytes()).hexdigest()
    assert photo["item_code"] == "A2" and photo["filename"] == "cua-hang.jpg"
    assert fetch(base_url, team, photo["urls"]["original"]) == original.read_bytes()
    assert photo["exif"]["make"] == "samsung" and photo["exif"]["model"] == "SM-T975"
    assert photo["flags"] == []
    # the upload's bytes left the upload folder once the photo existed
    assert list((live.root / "uploads").glob("*.part")) == []


@pytest.mark.parametrize("kind", ["jpeg", "heic"])
def test_exif_position_and_time_come_out_right(base_url, team, tmp_path, kind):
    data = exif(lon_lat=CAN_THO, taken=DURING, offset="+07:00", make="Apple", model="iPad")
    if kind == "jpeg":
        original = save_jpeg(tmp_path / "p.jpg", two_tone(), data)
    else:
        original = save_heic(tmp_path / "p.heic", two_tone(), data)
    uploader(base_url, team, original, filetype=f"image/{kind}").upload()
    [photo] = photos_of(base_url, team)
    assert photo["status"] == "ready", photo
    assert photo["content_type"] == ("image/jpeg" if kind == "jpeg" else "image/heic")
    assert photo["exif"]["lon"] == pytest.approx(CAN_THO[0], abs=1e-5)
    assert photo["exif"]["lat"] == pytest.approx(CAN_THO[1], abs=1e-5)
    assert photo["exif"]["taken_at"] == "2026-05-05T09:15:00+07:00"
    assert photo["exif"]["make"] == "Apple"


def test_the_derivatives_of_a_rotated_camera_photo_are_right_side_up(base_url, team, tmp_path):
    displayed = two_tone(1200, 600)  # red above blue, wider than tall, as the camera saw it
    original = save_jpeg(tmp_path / "xoay.jpg", stored_for_orientation_6(displayed),
                         exif(lon_lat=CAN_THO, taken=DURING, orientation=6), quality=95)
    uploader(base_url, team, original).upload()
    [photo] = photos_of(base_url, team)
    assert (photo["width"], photo["height"]) == (1200, 600)
    for rendition, longest in (("thumbnail", 512), ("preview", 1600)):
        img = Image.open(io.BytesIO(fetch(base_url, team, photo["urls"][rendition])))
        assert img.format == "JPEG" and max(img.size) <= longest
        assert img.width > img.height
        top = img.getpixel((img.width // 2, img.height // 8))
        bottom = img.getpixel((img.width // 2, img.height * 7 // 8))
        assert _near(top, RED) and _near(bottom, BLUE), (rendition, top, bottom)
        assert "exif" not in img.info


def _near(pixel: tuple[int, int, int], colour: tuple[int, int, int]) -> bool:
    return all(abs(a - b) < 40 for a, b in zip(pixel, colour, strict=True))


# --- Resuming -----------------------------------------------------------------------------

def test_an_interrupted_upload_resumes_from_the_servers_offset(live, base_url, team, tmp_path):
    original = photo_jpeg(tmp_path / "dut-mang.jpg")
    body = original.read_bytes()
    chunk = 128 * 1024
    first = uploader(base_url, team, original, chunk_size=chunk)
    first.upload_chunk()
    first.upload_chunk()
    assert head_offset(first.url, team) == 2 * chunk
    # The link drops in the middle of the third request: half its body has gone out.
    sent = _patch_then_drop(first.url, team, offset=2 * chunk, body=body[2 * chunk:],
                            send=chunk // 2)
    wait_for(lambda: head_offset(first.url, team) == 2 * chunk + sent)
    # The tablet comes back later with only the upload's URL, and asks where to go on from.
    again = uploader(base_url, team, original, chunk_size=chunk, url=first.url)
    assert again.offset == 2 * chunk + sent
    again.upload()
    [photo] = photos_of(base_url, team)
    assert photo["status"] == "ready"
    assert fetch(base_url, team, photo["urls"]["original"]) == body


def _patch_then_drop(url: str, team: Team, *, offset: int, body: bytes, send: int) -> int:
    """A PATCH announcing all of `body` that sends only `send` bytes and drops the link."""
    target = requests.utils.urlparse(url)
    conn = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
    conn.putrequest("PATCH", target.path)
    for name, value in {**TUS, **team.auth, "Upload-Offset": str(offset),
                        "Content-Type": "application/offset+octet-stream",
                        "Content-Length": str(len(body))}.items():
        conn.putheader(name, value)
    conn.endheaders()
    conn.send(body[:send])
    conn.sock.shutdown(2)  # type: ignore[union-attr]
    conn.close()
    return send


# --- Refusals that keep nothing --------------------------------------------------------------

def test_a_file_that_does_not_match_its_declared_sha256_keeps_nothing(
        live, base_url, team, tmp_path):
    original = photo_jpeg(tmp_path / "sai.jpg")
    wrong = hashlib.sha256(b"another photo").hexdigest()
    up = uploader(base_url, team, original, chunk_size=256 * 1024, sha256=wrong)
    with pytest.raises(TusUploadFailed) as failed:
        up.upload()
    assert failed.value.status_code == 460
    assert requests.head(up.url, headers={**TUS, **team.auth}, timeout=10).status_code == 404
    assert live.photos(team.inspection_id) == []
    real = hashlib.sha256(original.read_bytes()).hexdigest()
    assert not FileBlobStore(live.root / "media").exists(real)
    with live.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Upload).where(
            Upload.inspection_id == team.inspection_id)) == 0
    assert not any(p.name.startswith(up.url.rsplit("/", 1)[1])
                   for p in (live.root / "uploads").iterdir())


def test_a_chunk_with_a_wrong_checksum_is_refused_and_not_kept(base_url, team, tmp_path):
    original = photo_jpeg(tmp_path / "p.jpg")
    up = uploader(base_url, team, original, chunk_size=100_000)
    up.upload_chunk()
    body = original.read_bytes()[100_000:200_000]
    resp = requests.patch(up.url, data=body, timeout=10, headers={
        **TUS, **team.auth, "Upload-Offset": "100000",
        "Content-Type": "application/offset+octet-stream",
        "Upload-Checksum": "sha256 " + base64.b64encode(hashlib.sha256(b"x").digest()).decode()})
    assert resp.status_code == 460
    assert resp.headers["Content-Type"].startswith("application/problem+json")
    assert head_offset(up.url, team) == 100_000
    up.upload()
    assert photos_of(base_url, team)[0]["status"] == "ready"


def test_concurrent_patches_on_one_upload_cannot_corrupt_it(base_url, team, tmp_path):
    original = save_jpeg(tmp_path / "hai-may.jpg", noisy(2000, 1500),
                         exif(lon_lat=CAN_THO, taken=DURING), quality=95)
    body = original.read_bytes()
    held = CHUNK_SIZE + 50_000  # the server has written its first chunk and waits for more
    assert len(body) > held + 100_000
    up = uploader(base_url, team, original)
    up.set_url(up.create_url())
    target = requests.utils.urlparse(up.url)
    slow = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
    slow.putrequest("PATCH", target.path)
    for name, value in {**TUS, **team.auth, "Upload-Offset": "0",
                        "Content-Type": "application/offset+octet-stream",
                        "Content-Length": str(len(body))}.items():
        slow.putheader(name, value)
    slow.endheaders()
    slow.send(body[:held])
    wait_for(lambda: head_offset(up.url, team) == CHUNK_SIZE)  # the first writer is in
    # A second device sends other bytes for the same offset meanwhile.
    other = requests.patch(up.url, data=b"\xff" * 1000, timeout=10, headers={
        **TUS, **team.auth, "Upload-Offset": "0",
        "Content-Type": "application/offset+octet-stream"})
    assert other.status_code == 423, other.text
    assert other.headers["Content-Type"].startswith("application/problem+json")
    slow.send(body[held:])
    assert slow.getresponse().status == 204
    slow.close()
    # and one that arrives after it finds the upload complete, not writable again
    late = requests.patch(up.url, data=b"\xff" * 1000, timeout=10, headers={
        **TUS, **team.auth, "Upload-Offset": "0",
        "Content-Type": "application/offset+octet-stream"})
    assert late.status_code == 409
    [photo] = photos_of(base_url, team)
    assert fetch(base_url, team, photo["urls"]["original"]) == body


def test_only_a_team_member_uploads_and_only_the_province_reads(live, base_url, team, tmp_path):
    with live.session_factory() as s:
        factories.bind(s)
        colleague = factories.UserFactory(role="inspector", agency="skhcn", province_code="92")
        stranger = factories.UserFactory(role="supervisor", agency="skhcn", province_code="31")
        supervisor = factories.UserFactory(role="supervisor", agency="skhcn", province_code="92")
        s.commit()
    original = photo_jpeg(tmp_path / "p.jpg")
    for user, status in ((colleague, 403), (stranger, 404)):
        outsider = Team(team.inspection_id, login(base_url, user.username))
        with pytest.raises(TusCommunicationError) as refused:
            uploader(base_url, outsider, original).upload()
        assert refused.value.status_code == status
    uploader(base_url, team, original).upload()
    [photo] = photos_of(base_url, team)
    reader = Team(team.inspection_id, login(base_url, supervisor.username))
    assert fetch(base_url, reader, photo["urls"]["thumbnail"])
    foreign = Team(team.inspection_id, login(base_url, stranger.username))
    for url in (photo["urls"]["original"], f"/api/v1/inspections/{team.inspection_id}/photos"):
        assert requests.get(base_url + url, headers=foreign.auth, timeout=10).status_code == 404


# --- Bad files and a real worker --------------------------------------------------------------

def _bomb(path: Path) -> Path:
    return png_bomb(path.with_suffix(".png"), 30000, 30000)


def _truncated(path: Path) -> Path:
    whole = photo_jpeg(path.with_name("whole.jpg")).read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    return path


def _text(path: Path) -> Path:
    path.write_text("Đây là văn bản, không phải ảnh.", encoding="utf-8")
    return path


def _hundred_megapixels(path: Path) -> Path:
    """A real 100-megapixel JPEG, plain grey (a few hundred kB, so not a bomb by its ratio)."""
    return save_jpeg(path, Image.new("L", (10_000, 10_000), 90), quality=1)


BAD_FILES = {"decompression-bomb": _bomb, "truncated": _truncated,
             "unsupported-type": _text, "too-many-pixels": _hundred_megapixels}


def test_bad_files_end_rejected_in_a_real_rq_worker_that_stays_healthy(
        live, team, tmp_path):
    redis = Redis.from_url(REDIS_URL)
    try:
        redis.ping()
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"Redis is required for the worker test ({REDIS_URL}): {exc}")
    queue = f"kt1-live-{uuid.uuid4().hex}"
    settings = live.settings(redis_url=REDIS_URL, queue_name=queue,
                             max_image_pixels=50_000_000)
    try:
        with serving(settings) as url:
            token = Team(team.inspection_id, login(url, _member(live, team)))
            bad = {code: make(tmp_path / f"{code}.jpg") for code, make in BAD_FILES.items()}
            for path in bad.values():
                uploader(url, token, path).upload()
            uploader(url, token, photo_jpeg(tmp_path / "good.jpg")).upload()
            assert {p.status for p in live.photos(team.inspection_id)} == {"processing"}
            assert Queue(queue, connection=redis).count == 5
        env = {**os.environ, "KT1_ENV": "test", "KT1_INSTANCE_PATH": str(live.root),
               "KT1_DATABASE_URL": live.database_url, "KT1_MEDIA_URL": settings.media_url,
               "KT1_REDIS_URL": REDIS_URL, "KT1_QUEUE": queue}
        done = subprocess.run([str(Path(sys.executable).with_name("kt1")), "worker", "--burst"],
                              env=env, capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stderr[-3000:]
        by_name = {p.filename: p for p in live.photos(team.inspection_id)}
        for code, path in bad.items():
            photo = by_name[path.name]
            assert photo.status == "rejected", (code, photo.reason)
            assert photo.reason is not None and photo.reason.startswith(f"{code}: ")
        assert by_name["good.jpg"].status == "ready"
        assert Queue(queue, connection=redis).count == 0
        assert len(Queue(queue, connection=redis).failed_job_registry) == 0
    finally:
        Queue(queue, connection=redis).delete(delete_jobs=True)


def _member(live: Live, team: Team) -> str:
    from inspection.models import Inspection

    with live.session_factory() as s:
        return s.get_one(Inspection, team.inspection_id).team[0].username
