"""Auth: login, device-bound tokens, logout, device revocation, throttling."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import select

from api.app import create_app
from inspection.config import Settings, SettingsError
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
    device = session.get(Device, rows[0].device_id)
    assert (device.client_id, device.user_id) == ("tablet-9", user.id)


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
    admin_headers = api.login(admin)
    lost = next(d for d in _devices(client, admin_headers) if d["client_id"] == "lost-tablet")
    resp = client.delete(f"/api/v1/devices/{lost['id']}", headers=admin_headers)
    assert resp.status_code == 204
    assert client.get("/api/v1/auth/me", headers=first).status_code == 401
    assert client.get("/api/v1/auth/me", headers=second).status_code == 401
    assert client.get("/api/v1/auth/me", headers=other).status_code == 200
    again = _login(client, inspector.username, factories.PASSWORD, "lost-tablet")
    assert again.status_code == 403


def test_only_an_admin_revokes_devices_and_only_in_their_province(api, client, session):
    inspector = factories.UserFactory()
    api.login(inspector, device_id="t-92")
    device = session.scalars(select(Device).where(Device.user_id == inspector.id)).one()
    assert client.delete(f"/api/v1/devices/{device.id}",
                         headers=api.login(factories.UserFactory())).status_code == 403
    hai_phong_admin = factories.UserFactory(role="admin", province_code="31")
    resp = client.delete(f"/api/v1/devices/{device.id}", headers=api.login(hai_phong_admin))
    assert resp.status_code == 404
    session.expire_all()
    assert session.get(Device, device.id).revoked_at is None


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


# --- a device belongs to the user who registered it ------------------------------------------

def _devices(client, headers):  # type: ignore[no-untyped-def]
    resp = client.get("/api/v1/devices", headers=headers)
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def test_logging_in_with_another_users_device_id_leaves_the_owners_device_intact(
        api, client, session):
    owner = factories.UserFactory(username="kiemtra.chu")
    owner_admin = api.login(factories.UserFactory(role="admin"))
    intruder = factories.UserFactory(role="inspector", province_code="31")
    owner_token = api.login(owner, device_id="may-tinh-bang-7")

    taken = _login(client, intruder.username, factories.PASSWORD, "may-tinh-bang-7")

    assert taken.status_code == 200  # the intruder gets a device record of its own
    intruder_token = {"Authorization": f"Bearer {taken.get_json()['access_token']}"}
    mine = [d for d in _devices(client, owner_admin) if d["client_id"] == "may-tinh-bang-7"]
    assert len(mine) == 1 and mine[0]["user_id"] == str(owner.id)
    assert client.get("/api/v1/auth/me", headers=owner_token).status_code == 200
    # The owner's admin still revokes the owner's tablet; the intruder's record is its own.
    assert client.delete(f"/api/v1/devices/{mine[0]['id']}",
                         headers=owner_admin).status_code == 204
    assert client.get("/api/v1/auth/me", headers=owner_token).status_code == 401
    assert client.get("/api/v1/auth/me", headers=intruder_token).status_code == 200
    session.expire_all()
    records = session.scalars(select(Device).where(Device.client_id == "may-tinh-bang-7")
                              .order_by(Device.created_at)).all()
    assert {d.user_id for d in records} == {owner.id, intruder.id}
    assert [d.revoked_at is not None for d in records if d.user_id == owner.id] == [True]


def test_a_revoked_device_stays_revoked_for_its_owner_whoever_else_logs_in_with_its_id(
        api, client, session):
    owner = factories.UserFactory()
    admin = api.login(factories.UserFactory(role="admin"))
    api.login(owner, device_id="mat-may")
    device = next(d for d in _devices(client, admin) if d["client_id"] == "mat-may")
    assert client.delete(f"/api/v1/devices/{device['id']}", headers=admin).status_code == 204
    other = factories.UserFactory()
    assert _login(client, other.username, factories.PASSWORD, "mat-may").status_code == 200
    assert _login(client, owner.username, factories.PASSWORD, "mat-may").status_code == 403


# --- throttling by username and address ---------------------------------------------------------

ATTACKER, USER_ADDRESS, PROXY = "203.0.113.9", "198.51.100.7", "10.0.0.1"


def _login_from(client, address, username, password, **headers):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/auth/login", json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address}, headers=headers)


def test_an_attackers_failures_do_not_lock_the_user_out_from_another_address(
        client, session, app):
    user = factories.UserFactory()
    limit = app.extensions["kt1"].settings.login_max_failures
    for _ in range(limit):
        assert _login_from(client, ATTACKER, user.username, "doan-mo").status_code == 401
    blocked = _login_from(client, ATTACKER, user.username, factories.PASSWORD)
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    assert _login_from(client, USER_ADDRESS, user.username, factories.PASSWORD).status_code == 200
    # The user's success clears nothing of the attacker's: it stays throttled.
    assert _login_from(client, ATTACKER, user.username, factories.PASSWORD).status_code == 429


def test_one_address_failing_across_many_usernames_hits_the_ceiling(settings, session_factory,
                                                                     session):
    client = create_app(dataclasses.replace(settings, login_max_failures_per_address=6),
                        session_factory=session_factory).test_client()
    users = [factories.UserFactory() for _ in range(4)]
    for n in range(6):
        assert _login_from(client, ATTACKER, users[n % 4].username, "x").status_code == 401
    for user in users:  # every username, even those failed fewer than 5 times
        resp = _login_from(client, ATTACKER, user.username, factories.PASSWORD)
        assert resp.status_code == 429, user.username
        assert resp.mimetype == "application/problem+json"
        assert 0 < int(resp.headers["Retry-After"]) <= settings.login_window_seconds + 1
    assert _login_from(client, USER_ADDRESS, users[0].username,
                       factories.PASSWORD).status_code == 200


def test_x_forwarded_for_counts_only_behind_a_configured_proxy(settings, session_factory,
                                                              session, client):
    user = factories.UserFactory()
    limit = settings.login_max_failures
    # No proxy configured: the header is the client's to forge and changes nothing.
    for n in range(limit):
        _login_from(client, ATTACKER, user.username, "x", **{"X-Forwarded-For": f"192.0.2.{n}"})
    assert _login_from(client, ATTACKER, user.username, factories.PASSWORD,
                       **{"X-Forwarded-For": "192.0.2.200"}).status_code == 429

    proxied = create_app(dataclasses.replace(settings, trusted_proxies=1),
                         session_factory=session_factory).test_client()
    other = factories.UserFactory()
    for _ in range(limit):
        _login_from(proxied, PROXY, other.username, "x", **{"X-Forwarded-For": ATTACKER})
    assert _login_from(proxied, PROXY, other.username, factories.PASSWORD,
                       **{"X-Forwarded-For": ATTACKER}).status_code == 429
    assert _login_from(proxied, PROXY, other.username, factories.PASSWORD,
                       **{"X-Forwarded-For": USER_ADDRESS}).status_code == 200


def test_the_throttling_and_proxy_settings_come_from_the_environment(tmp_path):
    base = {"KT1_INSTANCE_PATH": str(tmp_path)}
    defaults = Settings.from_env(base)
    assert (defaults.login_max_failures_per_address, defaults.trusted_proxies) == (50, 0)
    tuned = Settings.from_env({**base, "KT1_LOGIN_MAX_FAILURES_PER_ADDRESS": "7",
                               "KT1_TRUSTED_PROXIES": "2"})
    assert (tuned.login_max_failures_per_address, tuned.trusted_proxies) == (7, 2)
    with pytest.raises(SettingsError):
        Settings.from_env({**base, "KT1_TRUSTED_PROXIES": "-1"})
