"""/users: listing the province's people for teams; admins create users."""

from __future__ import annotations

from sqlalchemy import select

from inspection.models import User
from tests import factories


def test_supervisors_list_active_users_of_their_province_only(api, client, session):
    supervisor = factories.UserFactory(role="supervisor")
    police = factories.UserFactory(role="police", agency="police")
    factories.UserFactory(role="police", agency="police", province_code="31")
    factories.UserFactory(role="police", agency="police", active=False)
    resp = client.get("/api/v1/users?agency=police", headers=api.login(supervisor))
    assert resp.status_code == 200
    assert [u["id"] for u in resp.get_json()] == [str(police.id)]


def test_post_office_staff_cannot_list_users(api, client, session):
    post = factories.UserFactory(role="post", agency="post", organization="Bưu điện Cần Thơ")
    assert client.get("/api/v1/users", headers=api.login(post)).status_code == 403


def test_an_admin_creates_a_user_who_can_log_in(api, client, session):
    admin = factories.UserFactory(role="admin")
    resp = client.post("/api/v1/users", headers=api.login(admin), json={
        "username": "cong.an.01", "password": "mat-khau-dai-du", "full_name": "Lê Văn Bình",
        "role": "police", "agency": "police", "province_code": "92"})
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["full_name"] == "Lê Văn Bình"
    login = client.post("/api/v1/auth/login", json={"username": "cong.an.01",
                                                     "password": "mat-khau-dai-du"})
    assert login.status_code == 200


def test_a_provincial_admin_cannot_create_users_of_another_province(api, client, session):
    admin = factories.UserFactory(role="admin")
    resp = client.post("/api/v1/users", headers=api.login(admin), json={
        "username": "hp.user", "password": "mat-khau-dai-du", "role": "inspector",
        "agency": "skhcn", "province_code": "31"})
    assert resp.status_code == 403
    assert session.scalar(select(User).where(User.username == "hp.user")) is None


def test_a_taken_username_is_a_409_and_bad_fields_are_422(api, client, session):
    admin = factories.UserFactory(role="admin")
    taken = factories.UserFactory()
    headers = api.login(admin)
    body = {"username": taken.username, "password": "mat-khau-dai-du", "role": "inspector",
            "agency": "skhcn", "province_code": "92"}
    assert client.post("/api/v1/users", headers=headers, json=body).status_code == 409
    resp = client.post("/api/v1/users", headers=headers, json={
        **body, "username": "ok.name", "role": "king", "password": "short"})
    assert resp.status_code == 422
    assert {"role", "password"} <= set(resp.get_json()["errors"])
