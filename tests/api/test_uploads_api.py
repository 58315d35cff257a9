"""/uploads (tus 1.0.0: core, creation, checksum, termination, expiration) and /photos over
HTTP: what an upload becomes, who may send and see it, and what the inspection makes of it."""

from __future__ import annotations

import dataclasses
import fcntl
import io
import json
import uuid
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
from PIL import Image
from sqlalchemy import delete, func, select

from inspection.db import utcnow
from inspection.models import Finding, Job, Photo, Upload
from media.blobstore import store_from_url
from tests import factories
from tests.api.tus import (
    OFFSET_TYPE,
    TUS,
    URL,
    Tus,
    b64,
    checksum,
    decode_metadata,
    path_of,
    sha256,
)
from tests.legal_world import VERIFIED_174
from tests.media import pictures
from tests.workers.evidence import inspection_at_can_tho

API = "/api/v1"
TEXT = "Biên bản kiểm tra dịch vụ KT1, không phải ảnh.\n".encode() * 40
NOT_UTF8 = b64(b"\xff\xfe")
ANSWERS = {"A1": "yes", "A2": "no", "C1": 5, "C2": 5, "C5": "2026-01-15"}


def limits(**changes):  # type: ignore[no-untyped-def]
    """Run a test under settings with `changes` (see the `settings` fixture below)."""
    return pytest.mark.parametrize("settings", [changes], indirect=True,
                                   ids=[",".join(f"{k}={v}" for k, v in changes.items())])


@pytest.fixture
def settings(settings, request):  # type: ignore[no-untyped-def]
    """The harness's settings, with what a test asks for through `limits(...)`."""
    return dataclasses.replace(settings, **getattr(request, "param", {}))


class World:
    """A draft joint inspection at Cần Thơ; its inspector speaks tus."""

    def __init__(self, api, client, session, settings) -> None:  # type: ignore[no-untyped-def]
        self.client, self.session, self.settings = client, session, settings
        self.inspection = inspection_at_can_tho(session)
        self.inspector = next(u for u in self.inspection.team if u.role == "inspector")
        self.police = next(u for u in self.inspection.team if u.role == "police")
        self.h = api.login(self.inspector)
        self.tus = Tus(client, self.h)
        self.store = store_from_url(settings.media_url)

    def create(self, data: bytes, **meta):  # type: ignore[no-untyped-def]
        meta.setdefault("inspection_id", str(self.inspection.id))
        return self.tus.create(data, **meta)

    def start(self, data: bytes, **meta) -> str:  # type: ignore[no-untyped-def]
        """A created upload's Location."""
        resp = self.create(data, **meta)
        assert resp.status_code == 201, resp.get_json()
        return resp.headers["Location"]

    def upload(self, data: bytes, chunk: int = 1000, **meta) -> str:  # type: ignore[no-untyped-def]
        """Send a whole file; the id of the photo it became."""
        resp = self.create(data, **meta)
        assert resp.status_code == 201, resp.get_json()
        last = self.tus.send(resp.headers["Location"], data, chunk)
        assert last.status_code == 204, last.get_json()
        return resp.get_json()["photo_id"]  # type: ignore[no-any-return]

    def photo(self, photo_id: str):  # type: ignore[no-untyped-def]
        resp = self.client.get(f"{API}/photos/{photo_id}", headers=self.h)
        assert resp.status_code == 200, resp.get_json()
        return resp.get_json()

    def parts(self) -> list[str]:
        return sorted(p.name for p in self.settings.upload_path.glob("*.part"))

    def part_bytes(self, location: str) -> bytes:
        return (self.settings.upload_path / f"{path_of(location).rsplit('/', 1)[1]}.part"
                ).read_bytes()

    def count(self, model) -> int:  # type: ignore[no-untyped-def]
        self.session.expire_all()
        return self.session.scalar(select(func.count()).select_from(model))  # type: ignore[no-any-return]


@pytest.fixture
def world(api, client, session, settings) -> World:  # type: ignore[no-untyped-def]
    return World(api, client, session, settings)


@pytest.fixture
def jpeg(tmp_path) -> bytes:  # type: ignore[no-untyped-def]
    """A real JPEG without EXIF (a little over 3 kB)."""
    return pictures.save_jpeg(tmp_path / "two-tone.jpg", pictures.two_tone()).read_bytes()


def problem(resp, status):  # type: ignore[no-untyped-def]
    assert resp.status_code == status, resp.get_json()
    assert resp.mimetype == "application/problem+json"
    body = resp.get_json()
    assert body["status"] == status and body["type"] and body["title"]
    assert resp.headers.get("Tus-Resumable") == "1.0.0" or not resp.request.path.startswith(URL)
    return body


# --- OPTIONS ---------------------------------------------------------------------------------

def test_options_tells_the_tus_capabilities_without_authentication(client, settings):
    resp = client.options(URL)
    assert resp.status_code == 204
    assert resp.headers["Tus-Resumable"] == "1.0.0"
    assert "1.0.0" in resp.headers["Tus-Version"].split(",")
    assert {"creation", "checksum", "termination", "expiration"} <= set(
        resp.headers["Tus-Extension"].split(","))
    assert resp.headers["Tus-Max-Size"] == str(settings.max_upload_bytes)
    assert {"sha1", "sha256"} <= set(resp.headers["Tus-Checksum-Algorithm"].split(","))


@limits(max_upload_bytes=5000)
def test_tus_max_size_follows_the_configured_limit(client):
    assert client.options(URL).headers["Tus-Max-Size"] == "5000"


# --- creation --------------------------------------------------------------------------------

def test_a_creation_answers_201_with_location_expiry_and_offset_zero(world, jpeg):
    resp = world.create(jpeg, filename="a.jpg")
    assert resp.status_code == 201
    body = resp.get_json()
    assert path_of(resp.headers["Location"]) == f"{URL}/{body['id']}"
    assert (body["offset"], body["length"], body["completed"]) == (0, len(jpeg), False)
    uuid.UUID(body["photo_id"])
    expires = parsedate_to_datetime(resp.headers["Upload-Expires"])
    expected = datetime.now(UTC) + timedelta(hours=world.settings.upload_expiry_hours)
    assert abs(expires - expected) < timedelta(minutes=1)
    upload = world.session.get(Upload, uuid.UUID(body["id"]))
    assert (upload.inspection_id, upload.sha256, upload.user_id) == (
        world.inspection.id, sha256(jpeg), world.inspector.id)
    assert world.parts() == [f"{body['id']}.part"]


def test_the_creation_body_gives_its_expiry_in_rfc_3339(world, jpeg):
    body = world.create(jpeg).get_json()
    expires = datetime.fromisoformat(body["expires_at"])  # a time with an offset, per API.md
    assert expires.utcoffset() is not None


@pytest.mark.parametrize("version", [None, "0.2.2"])
def test_a_creation_without_tus_1_0_0_answers_412_with_tus_version(world, version):
    headers = {"Tus-Resumable": version} if version else {}
    resp = world.client.post(URL, headers={**world.h, **headers, "Upload-Length": "10"})
    assert problem(resp, 412)["errors"] == {"Tus-Resumable": ["must be 1.0.0"]}
    assert resp.headers["Tus-Version"] == "1.0.0"
    assert world.count(Upload) == 0


@pytest.mark.parametrize("method", ["head", "patch", "delete"])
def test_every_request_on_an_upload_needs_tus_1_0_0(world, jpeg, method):
    location = world.start(jpeg)
    resp = getattr(world.client, method)(path_of(location), headers=world.h)
    assert resp.status_code == 412
    assert resp.headers["Tus-Version"] == "1.0.0"


@pytest.mark.parametrize("length", [None, "", "abc", "-5", "1e3", "12.0"])
def test_a_missing_or_non_numeric_upload_length_answers_400(world, length):
    headers = {**TUS, **world.h, "Upload-Metadata": f"inspection_id {b64(b'x')}"}
    if length is not None:
        headers["Upload-Length"] = length
    got = problem(world.client.post(URL, headers=headers), 400)
    assert "Upload-Length" in got["errors"]


@limits(max_upload_bytes=1000)
def test_an_upload_length_above_the_limit_answers_413(world, jpeg):
    got = problem(world.create(jpeg), 413)
    assert got["errors"] == {"Upload-Length": ["at most 1000"]}
    assert world.count(Upload) == 0 and world.parts() == []


def test_a_deferred_length_answers_400(world, jpeg):
    resp = world.create(jpeg, headers={"Upload-Defer-Length": "1"})
    assert problem(resp, 400)["errors"] == {"Upload-Defer-Length": ["not supported"]}


@pytest.mark.parametrize("raw", [
    "inspection_id not*base64",
    f"sha256 {b64(b'a')},sha256 {b64(b'b')}",
    f"filename {NOT_UTF8}",
    f"file/name {b64(b'x')}",
])
def test_malformed_upload_metadata_answers_400(world, jpeg, raw):
    resp = world.tus.create(jpeg, headers={"Upload-Metadata": raw})
    assert "Upload-Metadata" in problem(resp, 400)["errors"]
    assert world.count(Upload) == 0


@pytest.mark.parametrize(("meta", "field"), [
    ({"sha256": ""}, "sha256"),
    ({"inspection_id": ""}, "inspection_id"),
    ({"inspection_id": "phiên-12"}, "inspection_id"),
    ({"photo_id": "12345"}, "photo_id"),
    ({"sha256": "ab" * 31}, "sha256"),
    ({"sha256": "zz" * 32}, "sha256"),
    ({"captured_at": "2026-05-05T09:15:00"}, "captured_at"),
    ({"captured_at": "0001-01-01T00:00:00+07:00"}, "captured_at"),  # no UTC for it: not a 500
    ({"captured_at": "1970-01-01T00:00:00Z"}, "captured_at"),
    ({"item_code": "Z9"}, "item_code"),
])
def test_invalid_metadata_answers_422_with_errors_by_name(world, jpeg, meta, field):
    got = problem(world.create(jpeg, **meta), 422)
    assert list(got["errors"]) == [field]
    assert world.count(Upload) == 0


def test_without_a_token_the_answer_is_401(client, world, jpeg):
    problem(Tus(client, {}).create(jpeg, inspection_id=str(world.inspection.id)), 401)


def test_a_colleague_of_the_province_not_on_the_team_gets_403(api, client, world, jpeg):
    for colleague in (factories.UserFactory(role="inspector"),
                      factories.UserFactory(role="supervisor")):
        tus = Tus(client, api.login(colleague))
        problem(tus.create(jpeg, inspection_id=str(world.inspection.id)), 403)
    assert world.count(Upload) == 0


def test_a_user_of_another_province_gets_404(api, client, world, jpeg):
    hai_phong = factories.UserFactory(role="inspector", province_code="31")
    tus = Tus(client, api.login(hai_phong))
    problem(tus.create(jpeg, inspection_id=str(world.inspection.id)), 404)
    problem(tus.create(jpeg, inspection_id=str(uuid.uuid4())), 404)


def test_an_approved_inspection_takes_no_more_photos(world, session, jpeg):
    world.inspection.status = "approved"
    session.flush()
    problem(world.create(jpeg), 409)
    assert world.count(Upload) == 0


@limits(max_photos_per_inspection=2)
def test_the_photo_count_limit_counts_photos_and_unfinished_uploads(world, jpeg):
    world.upload(jpeg)
    world.start(b"\x01" * 10)
    got = problem(world.create(b"\x02" * 10), 422)
    assert got["errors"] == {"inspection_id": ["at most 2 photos"]}
    assert world.count(Upload) == 2


def test_repeating_a_creation_with_the_same_photo_id_answers_the_same_upload(world, jpeg):
    photo_id = str(uuid.uuid4())
    first = world.create(jpeg, photo_id=photo_id, item_code="A2")
    world.tus.patch(first.headers["Location"], jpeg[:1000], 0)
    again = world.create(jpeg, photo_id=photo_id, item_code="A2")
    assert again.status_code == 201
    assert again.headers["Location"] == first.headers["Location"]
    assert (again.get_json()["photo_id"], again.get_json()["offset"]) == (photo_id, 1000)
    assert world.count(Upload) == 1


def test_repeating_a_creation_of_the_same_bytes_without_photo_id_answers_the_same_upload(
        world, jpeg):
    first = world.create(jpeg, item_code="A2", filename="a.jpg")
    again = world.create(jpeg, item_code="A2", filename="a.jpg")
    assert again.headers["Location"] == first.headers["Location"]
    assert again.get_json()["photo_id"] == first.get_json()["photo_id"]
    other_item = world.create(jpeg, item_code="A1")
    assert other_item.headers["Location"] != first.headers["Location"]
    assert world.count(Upload) == 2


def test_repeating_a_finished_creation_answers_the_completed_upload(world, jpeg):
    photo_id = str(uuid.uuid4())
    first = world.create(jpeg, photo_id=photo_id)
    world.tus.send(first.headers["Location"], jpeg)
    again = world.create(jpeg, photo_id=photo_id)
    assert again.status_code == 201
    assert again.headers["Location"] == first.headers["Location"]
    body = again.get_json()
    assert (body["offset"], body["completed"]) == (len(jpeg), True)
    assert "Upload-Expires" not in again.headers
    assert world.count(Photo) == 1


def test_repeating_a_creation_after_its_record_was_forgotten_answers_a_finished_upload(
        world, session, jpeg):
    photo_id = str(uuid.uuid4())
    world.upload(jpeg, photo_id=photo_id, item_code="A2")
    session.execute(delete(Upload))  # what the expiry sweep does to finished uploads' records
    session.flush()
    for meta in ({"photo_id": photo_id}, {}):
        again = world.create(jpeg, item_code="A2", **meta)
        assert again.status_code == 201
        body = again.get_json()
        assert (body["photo_id"], body["offset"], body["completed"]) == (
            photo_id, len(jpeg), True)
        assert world.tus.offset(again.headers["Location"]) == len(jpeg)
    assert world.count(Photo) == 1


def test_the_same_photo_id_with_other_bytes_answers_409(world, jpeg):
    photo_id = str(uuid.uuid4())
    world.start(jpeg, photo_id=photo_id)
    got = problem(world.create(TEXT, photo_id=photo_id), 409)
    assert got["errors"] == {"photo_id": ["already used"]}
    assert world.count(Upload) == 1


# --- HEAD ------------------------------------------------------------------------------------

def test_head_tells_the_offset_length_and_metadata_and_is_not_cached(world, jpeg):
    meta = {"item_code": "A2", "filename": "ảnh cửa bưu cục.jpg", "filetype": "image/jpeg",
            "captured_at": "2026-05-05T09:15:00+07:00", "photo_id": str(uuid.uuid4())}
    location = world.start(jpeg, **meta)
    world.tus.patch(location, jpeg[:1000], 0)
    resp = world.tus.head(location)
    assert resp.status_code == 200 and resp.get_data() == b""
    assert (resp.headers["Upload-Offset"], resp.headers["Upload-Length"]) == (
        "1000", str(len(jpeg)))
    assert resp.headers["Cache-Control"] == "no-store"
    assert resp.headers["Tus-Resumable"] == "1.0.0" and "Upload-Expires" in resp.headers
    got = decode_metadata(resp.headers["Upload-Metadata"])
    assert datetime.fromisoformat(got.pop("captured_at")) == datetime.fromisoformat(
        meta.pop("captured_at"))
    assert got == {**meta, "inspection_id": str(world.inspection.id), "sha256": sha256(jpeg)}


def test_head_of_an_upload_whose_bytes_are_all_in_is_safe_it_completes_nothing(world, jpeg):
    """The last PATCH wrote every byte and died before completing: HEAD says so and changes
    nothing (no photo, no job); the sweeper, or the next PATCH, completes the upload."""
    from media.uploads import PartialUploads

    location = world.start(jpeg)
    upload_id = path_of(location).rsplit("/", 1)[1]
    PartialUploads(world.settings.upload_path).append(
        upload_id, io.BytesIO(jpeg).read, offset=0, length=len(jpeg), total=len(jpeg),
        checksum=None)
    photos, jobs = world.count(Photo), world.count(Job)
    for _ in range(2):
        resp = world.tus.head(location)
        assert resp.status_code == 200
        assert resp.headers["Upload-Offset"] == resp.headers["Upload-Length"] == str(len(jpeg))
    assert (world.count(Photo), world.count(Job)) == (photos, jobs)
    world.session.expire_all()
    assert world.session.get_one(Upload, uuid.UUID(upload_id)).completed_at is None


def test_head_from_another_province_or_of_no_upload_answers_404(api, client, world, jpeg):
    location = world.start(jpeg)
    hai_phong = Tus(client, api.login(factories.UserFactory(province_code="31")))
    assert hai_phong.head(location).status_code == 404
    assert "Upload-Offset" not in hai_phong.head(location).headers
    assert world.tus.head(f"{URL}/{uuid.uuid4()}").status_code == 404
    assert world.tus.head(f"{URL}/not-an-id").status_code == 404


def test_an_expired_upload_answers_410(world, session, jpeg):
    location = world.start(jpeg)
    upload = session.get(Upload, uuid.UUID(path_of(location).rsplit("/", 1)[1]))
    upload.expires_at = utcnow() - timedelta(minutes=1)
    session.flush()
    assert world.tus.head(location).status_code == 410
    problem(world.tus.patch(location, jpeg[:1000], 0), 410)
    assert world.part_bytes(location) == b""


# --- PATCH -----------------------------------------------------------------------------------

def test_a_patch_of_another_content_type_answers_415(world, jpeg):
    location = world.start(jpeg)
    resp = world.tus.patch(location, jpeg, 0, headers={"Content-Type": "image/jpeg"})
    assert "Content-Type" in problem(resp, 415)["errors"]
    assert world.tus.offset(location) == 0


@pytest.mark.parametrize("offset", [None, "", "abc", "-1", "0x10"])
def test_a_missing_or_garbage_upload_offset_answers_400(world, jpeg, offset):
    location = world.start(jpeg)
    got = problem(world.tus.patch(location, jpeg[:100], offset), 400)
    assert "Upload-Offset" in got["errors"]
    assert world.tus.offset(location) == 0


def test_a_patch_at_the_wrong_offset_answers_409_with_the_current_offset(world, jpeg):
    location = world.start(jpeg)
    world.tus.patch(location, jpeg[:1000], 0)
    for wrong in (0, 500, 1500):
        got = problem(world.tus.patch(location, jpeg[wrong:wrong + 100], wrong), 409)
        assert got["offset"] == 1000
    assert world.part_bytes(location) == jpeg[:1000]


def test_a_wrong_offset_answers_409_even_when_the_body_would_overrun_from_there(world, jpeg):
    location = world.start(jpeg)
    world.tus.patch(location, jpeg[:1000], 0)
    resp = world.tus.patch(location, jpeg[1000:2200], 3000)  # fits from 1000, not from 3000
    assert problem(resp, 409)["offset"] == 1000  # tus core: offsets differ, so 409 (MUST)
    assert world.tus.offset(location) == 1000


def test_a_body_longer_than_what_remains_answers_413(world, jpeg):
    location = world.start(jpeg)
    world.tus.patch(location, jpeg[:1000], 0)
    got = problem(world.tus.patch(location, jpeg[1000:] + b"\x00", 1000), 413)
    assert got["errors"] == {"Content-Length": [f"at most {len(jpeg) - 1000}"]}
    assert world.tus.offset(location) == 1000


@pytest.mark.parametrize("algorithm", ["sha1", "sha256"])
def test_a_body_with_its_right_checksum_is_appended(world, jpeg, algorithm):
    location = world.start(jpeg)
    resp = world.tus.patch(location, jpeg[:1000], 0,
                           headers={"Upload-Checksum": checksum(jpeg[:1000], algorithm)})
    assert resp.status_code == 204
    assert resp.headers["Upload-Offset"] == "1000" and "Upload-Expires" in resp.headers
    assert world.tus.offset(location) == 1000


def test_a_wrong_checksum_answers_460_and_keeps_nothing_of_the_body(world, jpeg):
    location = world.start(jpeg)
    world.tus.patch(location, jpeg[:1000], 0)
    resp = world.tus.patch(location, jpeg[1000:2000], 1000,
                           headers={"Upload-Checksum": checksum(b"something else")})
    assert problem(resp, 460)["errors"] == {"Upload-Checksum": ["does not match the body"]}
    assert world.tus.offset(location) == 1000
    assert world.part_bytes(location) == jpeg[:1000]
    resp = world.tus.patch(location, jpeg[1000:2000], 1000,
                           headers={"Upload-Checksum": checksum(jpeg[1000:2000])})
    assert resp.headers["Upload-Offset"] == "2000"


@pytest.mark.parametrize("header", [
    "crc32 AAAAAA==", "sha256 ***", f"sha1 {b64(b'too short')}", "sha256",
])
def test_an_unsupported_or_malformed_checksum_answers_400(world, jpeg, header):
    location = world.start(jpeg)
    resp = world.tus.patch(location, jpeg[:1000], 0, headers={"Upload-Checksum": header})
    assert "Upload-Checksum" in problem(resp, 400)["errors"]
    assert world.tus.offset(location) == 0


def short_patch(world, location, body, declared, headers=None):  # type: ignore[no-untyped-def]
    """A PATCH whose client goes away after `body` although it declared `declared` bytes."""
    return world.client.patch(path_of(location), data=body, headers={
        **TUS, **world.h, "Content-Type": OFFSET_TYPE, "Upload-Offset": "0", **(headers or {})},
        environ_overrides={"CONTENT_LENGTH": str(declared)})


def test_a_body_that_ends_early_keeps_what_arrived_so_the_upload_resumes(world, jpeg):
    location = world.start(jpeg)
    got = problem(short_patch(world, location, jpeg[:500], 1000), 400)
    assert got["errors"] == {"Content-Length": ["500 bytes kept"]}
    assert world.part_bytes(location) == jpeg[:500]
    assert world.tus.patch(location, jpeg[500:], 500).status_code == 204
    assert world.count(Photo) == 1


def test_a_checksummed_body_that_ends_early_keeps_nothing(world, jpeg):
    location = world.start(jpeg)
    resp = short_patch(world, location, jpeg[:500], 1000,
                       {"Upload-Checksum": checksum(jpeg[:1000])})
    assert problem(resp, 400)["errors"] == {"Content-Length": ["0 bytes kept"]}
    assert world.tus.offset(location) == 0 and world.part_bytes(location) == b""


def test_an_append_while_another_is_writing_answers_423(world, jpeg):
    location = world.start(jpeg)
    part = world.settings.upload_path / f"{path_of(location).rsplit('/', 1)[1]}.part"
    with part.open("r+b") as other_writer:
        fcntl.flock(other_writer.fileno(), fcntl.LOCK_EX)
        problem(world.tus.patch(location, jpeg[:1000], 0), 423)
    assert world.tus.offset(location) == 0
    assert world.tus.patch(location, jpeg[:1000], 0).status_code == 204


def test_a_teammate_may_resume_the_upload(api, client, world, jpeg):
    location = world.start(jpeg)
    world.tus.patch(location, jpeg[:1000], 0)
    police = Tus(client, api.login(world.police))
    assert police.offset(location) == 1000
    assert police.patch(location, jpeg[1000:], 1000).status_code == 204
    assert world.count(Photo) == 1


def test_a_jpeg_sent_in_chunks_becomes_a_ready_photo(world, jpeg):
    created = world.create(jpeg, item_code="A2")
    location, photo_id = created.headers["Location"], created.get_json()["photo_id"]
    for start in (0, 1000, 2000):
        resp = world.tus.patch(location, jpeg[start:start + 1000], start)
        assert resp.headers["Upload-Offset"] == str(min(start + 1000, len(jpeg)))
    last = world.tus.patch(location, jpeg[3000:], 3000)
    assert last.status_code == 204 and last.headers["Upload-Offset"] == str(len(jpeg))
    assert "Upload-Expires" not in last.headers
    listed = world.client.get(f"{API}/inspections/{world.inspection.id}/photos",
                              headers=world.h).get_json()
    assert [(p["id"], p["status"], p["item_code"]) for p in listed] == [
        (photo_id, "ready", "A2")]
    assert world.store.exists(sha256(jpeg)) and world.parts() == []
    assert world.tus.offset(location) == len(jpeg)


def test_text_bytes_become_a_rejected_photo_with_the_reason(world):
    photo = world.photo(world.upload(TEXT, item_code="A2"))
    assert photo["status"] == "rejected"
    assert photo["reason"].startswith("unsupported-type")
    assert photo["urls"]["thumbnail"] is None and photo["urls"]["preview"] is None


@pytest.mark.parametrize("chunk", [None, 1000], ids=["one-patch", "in-chunks"])
def test_a_file_that_is_not_its_declared_sha256_answers_460_and_leaves_nothing(
        world, jpeg, chunk):
    location = world.start(jpeg, sha256=sha256(b"the photo the tablet meant to send"))
    last = world.tus.send(location, jpeg, chunk)
    assert problem(last, 460)["errors"] == {"sha256": ["does not match the received file"]}
    assert world.tus.head(location).status_code == 404
    assert world.count(Photo) == 0 and world.count(Upload) == 0
    assert not world.store.exists(sha256(jpeg))
    stored = [p for p in world.store.root.rglob("*") if p.is_file()]  # type: ignore[attr-defined]
    assert stored == [] and world.parts() == []


def test_after_a_460_the_same_photo_can_be_sent_again(world, jpeg):
    photo_id = str(uuid.uuid4())
    wrong = world.start(jpeg, photo_id=photo_id, sha256=sha256(b"another file"))
    assert world.tus.send(wrong, jpeg).status_code == 460
    right = world.start(jpeg, photo_id=photo_id)
    assert right != wrong
    assert world.tus.send(right, jpeg).status_code == 204
    assert world.photo(photo_id)["status"] == "ready"


@limits(max_body_bytes=1024)
def test_a_chunk_may_be_larger_than_the_json_body_limit(world, jpeg):
    location = world.start(jpeg)
    resp = world.tus.patch(location, jpeg, 0)
    assert resp.status_code == 204 and resp.headers["Upload-Offset"] == str(len(jpeg))


def test_a_finished_upload_takes_no_more_bytes(world, jpeg):
    location = world.start(jpeg)
    world.tus.send(location, jpeg)
    assert world.tus.patch(location, b"", len(jpeg)).status_code == 204
    got = problem(world.tus.patch(location, b"\x00", len(jpeg)), 409)
    assert got["offset"] == len(jpeg)
    assert world.count(Photo) == 1


# --- DELETE (termination) --------------------------------------------------------------------

def test_terminating_an_upload_forgets_it_and_its_bytes(world, jpeg):
    location = world.start(jpeg)
    world.tus.patch(location, jpeg[:1000], 0)
    resp = world.tus.delete(location)
    assert resp.status_code == 204 and resp.headers["Tus-Resumable"] == "1.0.0"
    assert world.tus.head(location).status_code == 404
    assert world.parts() == [] and world.count(Upload) == 0


def test_a_finished_upload_is_evidence_and_cannot_be_terminated(world, jpeg):
    location = world.start(jpeg)
    world.tus.send(location, jpeg)
    problem(world.tus.delete(location), 409)
    assert world.count(Photo) == 1
    assert world.tus.offset(location) == len(jpeg)


# --- photos ----------------------------------------------------------------------------------

def test_the_inspection_lists_its_photos_oldest_first_page_by_page(world, jpeg):
    first = world.upload(jpeg)
    second = world.upload(TEXT)
    url = f"{API}/inspections/{world.inspection.id}/photos"
    resp = world.client.get(f"{url}?page_size=1&page=2", headers=world.h)
    assert [p["id"] for p in resp.get_json()] == [second]
    assert json.loads(resp.headers["X-Pagination"])["total"] == 2
    everything = world.client.get(url, headers=world.h).get_json()
    assert [p["id"] for p in everything] == [first, second]


def test_a_photo_record_shows_what_processing_found(world, jpeg):
    photo_id = world.upload(jpeg, item_code="A2", filename="cửa.jpg",
                            captured_at="2026-05-05T09:15:00+07:00")
    got = world.photo(photo_id)
    assert {k: got[k] for k in ("id", "inspection_id", "item_code", "sha256", "size", "status",
                                "reason", "content_type", "filename", "width", "height",
                                "version")} == {
        "id": photo_id, "inspection_id": str(world.inspection.id), "item_code": "A2",
        "sha256": sha256(jpeg), "size": len(jpeg), "status": "ready", "reason": None,
        "content_type": "image/jpeg", "filename": "cửa.jpg", "width": 400, "height": 200,
        "version": 2}
    assert got["captured_at"] == "2026-05-05T02:15:00+00:00"
    assert got["exif"] == {"taken_at": None, "lon": None, "lat": None, "make": None,
                           "model": None}
    assert got["flags"] == ["no_exif_position", "no_exif_time"]
    assert got["urls"] == {r: f"{API}/photos/{photo_id}/{r}"
                           for r in ("thumbnail", "preview", "original")}


def test_the_original_is_served_byte_for_byte_with_its_sha256_as_etag(world, jpeg):
    url = f"{API}/photos/{world.upload(jpeg)}/original"
    resp = world.client.get(url, headers=world.h)
    assert resp.status_code == 200 and resp.get_data() == jpeg
    assert resp.mimetype == "image/jpeg"
    assert resp.headers["ETag"] == f'"{sha256(jpeg)}"'
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    again = world.client.get(url, headers={**world.h, "If-None-Match": resp.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""


def test_a_weak_validator_in_if_none_match_also_answers_304(world, jpeg):
    url = f"{API}/photos/{world.upload(jpeg)}/original"
    resp = world.client.get(url, headers={**world.h, "If-None-Match": f'W/"{sha256(jpeg)}"'})
    assert resp.status_code == 304  # RFC 9110 13.1.2: If-None-Match compares weakly


def test_the_thumbnail_and_preview_are_jpegs_within_their_sizes(world, tmp_path):
    big = pictures.save_jpeg(tmp_path / "big.jpg", pictures.two_tone(1200, 800)).read_bytes()
    photo_id = world.upload(big, chunk=4000)
    for rendition, bound in (("thumbnail", 512), ("preview", 1600)):
        resp = world.client.get(f"{API}/photos/{photo_id}/{rendition}", headers=world.h)
        assert resp.status_code == 200 and resp.mimetype == "image/jpeg"
        assert resp.headers["ETag"] == f'"{sha256(resp.get_data())}"'
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        image = Image.open(io.BytesIO(resp.get_data()))
        assert image.format == "JPEG" and max(image.size) <= bound
    thumbnail = Image.open(io.BytesIO(world.client.get(
        f"{API}/photos/{photo_id}/thumbnail", headers=world.h).get_data()))
    assert thumbnail.size == (512, 341)


def test_a_rejected_photo_has_no_thumbnail_and_its_original_is_an_attachment(world):
    photo_id = world.upload(TEXT)
    problem(world.client.get(f"{API}/photos/{photo_id}/thumbnail", headers=world.h), 409)
    original = world.client.get(f"{API}/photos/{photo_id}/original", headers=world.h)
    assert original.get_data() == TEXT and original.mimetype == "application/octet-stream"
    assert original.headers["Content-Disposition"].startswith("attachment")


def photo_urls(world, photo_id):  # type: ignore[no-untyped-def]
    return [f"{API}/inspections/{world.inspection.id}/photos", f"{API}/photos/{photo_id}",
            *(f"{API}/photos/{photo_id}/{r}" for r in ("thumbnail", "preview", "original"))]


def test_photos_of_another_province_answer_404(api, world, jpeg):
    photo_id = world.upload(jpeg)
    hai_phong = api.login(factories.UserFactory(role="supervisor", province_code="31"))
    for url in photo_urls(world, photo_id):
        problem(world.client.get(url, headers=hai_phong), 404)


def test_a_post_office_sees_only_the_photos_of_its_own_sites_once_they_are_evidence(
        api, world, jpeg):
    photo_id = world.upload(jpeg, item_code="A2")
    own = factories.UserFactory(role="post", agency="post",
                                organization=world.inspection.site.organization)
    other = factories.UserFactory(role="post", agency="post",
                                  organization="Bưu điện thành phố Hải Phòng")
    own_h, other_h = api.login(own), api.login(other)
    for url in photo_urls(world, photo_id):  # before review: nobody's but the team's
        problem(world.client.get(url, headers=own_h), 404)
    world.inspection.status = "approved"
    world.session.add(Finding(
        inspection_id=world.inspection.id, site_id=world.inspection.site_id, item_code="A2",
        severity="critical", legal_basis="QĐ 32/2025/QĐ-TTg", status="confirmed",
        legal_refs=[VERIFIED_174], description="Bưu gửi KT1 không được đóng dấu KT1",
        province_code="92"))
    world.session.flush()
    for url in photo_urls(world, photo_id):
        assert world.client.get(url, headers=own_h).status_code == 200
        problem(world.client.get(url, headers=other_h), 404)


# --- the inspection's evidence ---------------------------------------------------------------

def answer_all(world):  # type: ignore[no-untyped-def]
    for code, value in ANSWERS.items():
        resp = world.client.put(
            f"{API}/inspections/{world.inspection.id}/answers/{code}",
            json={"value": value, "answered_at": "2026-05-05T09:00:00+07:00"},
            headers={**world.h, "If-None-Match": "*"})
        assert resp.status_code == 201, resp.get_json()


def submit(world):  # type: ignore[no-untyped-def]
    url = f"{API}/inspections/{world.inspection.id}"
    etag = world.client.get(url, headers=world.h).headers["ETag"]
    return world.client.post(f"{url}/submit", headers={**world.h, "If-Match": etag})


def test_a_non_compliant_photo_item_is_submitted_only_with_a_ready_photo(world, jpeg):
    answer_all(world)
    got = problem(submit(world), 422)
    assert list(got["errors"]) == ["A2"] and got["missing_photos"] == ["A2"]
    world.upload(jpeg, item_code="A2")
    resp = submit(world)
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["status"] == "submitted"


def test_a_rejected_photo_is_no_evidence_for_submission(world):
    answer_all(world)
    world.upload(TEXT, item_code="A2")
    assert problem(submit(world), 422)["missing_photos"] == ["A2"]


def test_the_inspection_flags_the_doubts_of_its_ready_photos(world, jpeg):
    url = f"{API}/inspections/{world.inspection.id}"
    assert world.client.get(url, headers=world.h).get_json()["flags"] == []
    world.upload(TEXT)
    assert world.client.get(url, headers=world.h).get_json()["flags"] == []
    world.upload(jpeg)
    assert world.client.get(url, headers=world.h).get_json()["flags"] == [
        "no_exif_position", "no_exif_time"]


def test_photos_come_through_the_sync_pull_as_the_api_shows_them(world, jpeg):
    photo_id = world.upload(jpeg, item_code="A2")
    resp = world.client.get(f"{API}/sync/pull", headers=world.h)
    assert resp.status_code == 200, resp.get_json()
    changes = [c for c in resp.get_json()["changes"] if c["entity"] == "photo"]
    assert changes == [{"entity": "photo", "id": photo_id, "op": "upsert", "version": 2,
                        "data": world.photo(photo_id)}]
