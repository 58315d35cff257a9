"""Auth: login, device-bound tokens, logout, device revocation, throttling."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from inspection.db import utcnow
from inspection.models import AuthToken, Device
from tests import factories


def _login(client, username, password, device_id="tablet-1", **extra):
    return client.post("/api/v1/auth/login", json={
        "username": username, "password": password, "device_id": device_id, **extra})


def test_login_returns_a_bearer_token_and_the_user(client, session):
    user = factories.UserFactory(full_name="Trần Thị Hoà", agency="skhcn")
    resp = _login(client, user.username, factories.PASSWORD, device_name="Máy tính bảng 1")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["token_type"] == "Bearer"
    assert body["user"] == {
        "id": str(user.id), "username": user.username, "full_name": "Trần Thị Hoà",
        "agency": "skhcn", "roles": ["inspector"], "province_code": "92",
        "organization": None}
    me = client.get("/api/v1/auth/me",
                    headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200 and me.get_json()["username"] == user.username


def test_the_token_is_stored_hashed_and_bound_to_the_device(client, session):
    user = factories.UserFactory()
    token = _login(client, user.username, factories.PASSWORD, "tablet-9").get_json()[
        "access_token"]
    rows = session.scalars(select(AuthToken).where(AuthToken.user_id == user.id)).all()
    assert len(rows) == 1
    assert rows[0].token_hash != token and token not in rows[0].token_hash
    assert rows[0].device_id == "tablet-9"
    assert session.get(Device, "tablet-9").user_id == user.id


def test_wrong_password_and_unknown_user_answer_401_problem(client, session):
    user = factories.UserFactory()
    for username in (user.username, "nobody"):
        resp = _login(client, username, "wrong-password")
        assert resp.status_code == 401
        assert resp.mimetype == "application/problem+json"
        assert resp.get_json()["status"] == 401


def test_requests_without_or_with_a_bad_token_answer_401(client, session):
    assert client.get("/api/v1/auth/me").status_code == 401
    resp = client.get("/api/v1/auth/me", headers={"Authorization": "Bearer nope"})
    assert resp.status_code == 401
    assert resp.mimetype == "application/problem+json"
    assert client.get("/api/v1/auth/me", headers={"Authorization": "Basic x"}).status_code == 401


def test_logout_revokes_the_token(api, client, session):
    headers = api.login(factories.UserFactory())
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401


def test_an_expired_token_answers_401(api, client, session):
    user = factories.UserFactory()
    headers = api.login(user)
    for tok in session.scalars(select(AuthToken).where(AuthToken.user_id == user.id)):
        tok.expires_at = utcnow() - timedelta(seconds=1)
    session.flush()
    resp = client.get("/api/v1/auth/me", headers=headers)
    assert resp.status_code == 401
    assert "hết hạn" in resp.get_json()["detail"]


def test_revoking_a_device_stops_every_token_of_it_at_once(api, client, session):
    admin = factories.UserFactory(role="admin")
    inspector = factories.UserFactory()
    first = api.login(inspector, device_id="lost-tablet")
    second = api.login(inspector, device_id="lost-tablet")
    other = api.login(inspector, device_id="other-tablet")
    resp = client.delete("/api/v1/devices/lost-tablet", headers=api.login(admin))
    assert resp.status_code == 204
    assert client.get("/api/v1/auth/me", headers=first).status_code == 401
    assert client.get("/api/v1/auth/me", headers=second).status_code == 401
    assert client.get("/api/v1/auth/me", headers=other).status_code == 200
    again = _login(client, inspector.username, factories.PASSWORD, "lost-tablet")
    assert again.status_code == 403


def test_only_an_admin_revokes_devices_and_only_in_their_province(api, client, session):
    inspector = factories.UserFactory()
    api.login(inspector, device_id="t-92")
    assert client.delete("/api/v1/devices/t-92",
                         headers=api.login(factories.UserFactory())).status_code == 403
    hai_phong_admin = factories.UserFactory(role="admin", province_code="31")
    resp = client.delete("/api/v1/devices/t-92", headers=api.login(hai_phong_admin))
    assert resp.status_code == 404
    assert session.get(Device, "t-92").revoked_at is None


def test_repeated_failures_are_throttled_with_retry_after(client, session, app):
    user = factories.UserFactory()
    limit = app.extensions["kt1"].settings.login_max_failures
    for _ in range(limit):
        assert _login(client, user.username, "bad").status_code == 401
    resp = _login(client, user.username, factories.PASSWORD)
    assert resp.status_code == 429
    assert resp.mimetype == "application/problem+json"
    retry = int(resp.headers["Retry-After"])
    assert 0 < retry <= app.extensions["kt1"].settings.login_window_seconds + 1


def test_a_successful_login_clears_earlier_failures(client, session, app):
    user = factories.UserFactory()
    limit = app.extensions["kt1"].settings.login_max_failures
    for _ in range(limit - 1):
        _login(client, user.username, "bad")
    assert _login(client, user.username, factories.PASSWORD).status_code == 200
    for _ in range(limit - 1):
        _login(client, user.username, "bad")
    assert _login(client, user.username, factories.PASSWORD).status_code == 200


def test_login_body_of_wrong_types_is_a_422_with_errors_by_field(client, session):
    resp = client.post("/api/v1/auth/login", json={"username": 5, "password": ["x"]})
    assert resp.status_code == 422
    assert set(resp.get_json()["errors"]) == {"username", "password"}
