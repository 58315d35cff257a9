"""Log-ins, log-outs, failed log-ins and uploads enter the audit chain over HTTP, with ids and
reasons only: never a password, a token or an unknown username."""

from __future__ import annotations

import json
import uuid

from sqlalchemy import select

from inspection import audit
from inspection.models import AuditEntry, Upload
from tests import factories
from tests.api.tus import Tus
from tests.media import pictures
from tests.workers.evidence import inspection_at_can_tho

API = "/api/v1"


def events(session, action: str) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                                .order_by(AuditEntry.id)))


def text_of(entries: list[AuditEntry]) -> str:
    return json.dumps([[e.entity_id, e.before, e.after] for e in entries], ensure_ascii=False)


def log_in(client, username: str, password: str, device_id: str = "tablet-1"):  # type: ignore[no-untyped-def]
    return client.post(f"{API}/auth/login", json={
        "username": username, "password": password, "device_id": device_id})


def test_a_log_in_and_its_log_out_are_chained_with_the_token_id_and_no_secret(client, session):
    user = factories.UserFactory(username="thanh.tra.ct")
    resp = log_in(client, user.username, factories.PASSWORD)
    assert resp.status_code == 200, resp.get_json()
    token = resp.get_json()["access_token"]
    [login] = events(session, "login")
    assert (login.entity, login.entity_id, login.province_code) == ("users", str(user.id), "92")
    assert (login.actor_id, login.device_id) == (user.id, "tablet-1")
    token_id = login.after["token_id"]
    assert uuid.UUID(token_id)

    assert client.post(f"{API}/auth/logout",
                       headers={"Authorization": f"Bearer {token}"}).status_code == 204
    [logout] = events(session, "logout")
    assert (logout.entity_id, logout.actor_id, logout.device_id) == (
        str(user.id), user.id, "tablet-1")
    assert logout.after == {"token_id": token_id} and logout.id > login.id
    assert token not in text_of([login, logout])
    assert factories.PASSWORD not in text_of([login, logout])
    assert audit.verify(session).ok


def test_failed_log_ins_are_chained_with_their_reason_and_never_the_password(client, session):
    user = factories.UserFactory(username="giam.sat.ct")
    locked = factories.UserFactory(username="da.nghi.viec", active=False)
    typed_in_the_wrong_field = "Mật-khẩu-bí-mật-2026"
    assert log_in(client, user.username, "sai-mat-khau").status_code == 401
    assert log_in(client, typed_in_the_wrong_field, "x").status_code == 401
    assert log_in(client, locked.username, factories.PASSWORD).status_code == 401

    failed = events(session, "login-failed")
    assert [(e.entity, e.entity_id, e.province_code, e.after) for e in failed] == [
        ("users", str(user.id), "92", {"reason": "wrong-password"}),
        ("users", "unknown", None, {"reason": "unknown-user"}),
        ("users", str(locked.id), "92", {"reason": "inactive"}),
    ]
    assert {e.actor_id for e in failed} == {None}
    assert {e.device_id for e in failed} == {"tablet-1"}
    written = text_of(failed)
    for secret in ("sai-mat-khau", typed_in_the_wrong_field, factories.PASSWORD):
        assert secret not in written
    assert events(session, "login") == []
    assert audit.verify(session).ok


def test_an_upload_created_and_completed_is_chained_with_its_photo(api, client, session,
                                                                    tmp_path):
    inspection = inspection_at_can_tho(session)
    inspector = next(u for u in inspection.team if u.role == "inspector")
    tus = Tus(client, api.login(inspector, device_id="tablet-7"))
    data = pictures.save_jpeg(tmp_path / "a.jpg", pictures.two_tone()).read_bytes()
    created = tus.create(data, inspection_id=str(inspection.id), item_code="A2",
                         filename="Nguyễn Văn A - CCCD.jpg")
    assert created.status_code == 201, created.get_json()
    upload = session.scalars(select(Upload)).one()
    [started] = events(session, "upload-created")
    assert (started.entity, started.entity_id, started.province_code) == (
        "uploads", str(upload.id), "92")
    assert (started.actor_id, started.device_id) == (inspector.id, "tablet-7")
    assert started.after == {"inspection_id": str(inspection.id), "item_code": "A2",
                             "photo_id": str(upload.photo_id), "length": len(data),
                             "sha256": upload.sha256}
    assert events(session, "upload-completed") == []

    assert tus.send(created.headers["Location"], data, 1000).status_code == 204
    [done] = events(session, "upload-completed")
    assert (done.entity_id, done.actor_id, done.province_code) == (
        str(upload.id), inspector.id, "92")
    assert done.after == {"inspection_id": str(inspection.id),
                          "photo_id": str(upload.photo_id), "length": len(data),
                          "sha256": upload.sha256}
    assert "CCCD" not in text_of([started, done])  # the file name may name a person
    assert audit.verify(session).ok
