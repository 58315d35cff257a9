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


# --- identifiers that look like another user's -------------------------------------------------

LOOKALIKES = ("giamsat.ct\n", "giamsat.ct\r\n", "giamsat.ct\u200b", "giamsat.ct\u00a0",
              "\u202egiamsat.ct", "giamsat.ct\u3000", "giamsat.ct ", "giamsat.ct\t")


def _new_user(client, headers, **fields):  # type: ignore[no-untyped-def]
    body = {"username": "giamsat.ct", "password": "mat-khau-dai-du", "role": "inspector",
            "agency": "skhcn", "province_code": "92", **fields}
    return client.post("/api/v1/users", headers=headers, json=body)


def test_a_username_with_a_trailing_newline_or_invisible_character_is_refused(
        api, client, session):
    headers = api.login(factories.UserFactory(role="admin"))
    for username in LOOKALIKES:
        resp = _new_user(client, headers, username=username)
        assert resp.status_code == 422, username
        assert set(resp.get_json()["errors"]) == {"username"}, username
    assert session.scalars(select(User).where(User.username.like("giamsat.ct%"))).all() == []
    assert _new_user(client, headers).status_code == 201


def test_logging_in_with_a_lookalike_username_or_device_id_is_refused(api, client, session):
    user = factories.UserFactory(username="giamsat.ct")
    for username in ("giamsat.ct\n", "giamsat.ct\u200b"):
        resp = client.post("/api/v1/auth/login", json={
            "username": username, "password": factories.PASSWORD})
        assert resp.status_code == 422, username
    for device_id in ("tablet-1\n", "tablet\u00a01", "tablet-1\u2028", "tab\u0007"):
        resp = client.post("/api/v1/auth/login", json={
            "username": user.username, "password": factories.PASSWORD, "device_id": device_id})
        assert resp.status_code == 422, device_id
        assert "device_id" in resp.get_json()["errors"], device_id


def test_codes_with_other_digits_or_a_trailing_newline_are_refused(api, client, session):
    headers = api.login(factories.UserFactory(role="admin"))
    for code in ("92\n", "\u0669\u0662", "\uff19\uff12"):  # Arabic-Indic and full-width 92
        resp = _new_user(client, headers, province_code=code)
        assert resp.status_code == 422, code
        assert set(resp.get_json()["errors"]) == {"province_code"}, code
        listing = client.get("/api/v1/communes", query_string={"province_code": code},
                             headers=headers)
        assert listing.status_code == 422, code


def test_the_command_line_refuses_a_lookalike_username(app, session):
    from api.cli import main

    result = app.test_cli_runner().invoke(main, [
        "users", "create", "--username", "giamsat.ct\n", "--password", "mat-khau-dai-du",
        "--role", "supervisor", "--agency", "skhcn", "--province", "92"])
    assert result.exit_code != 0
    assert session.scalars(select(User).where(User.username.like("giamsat%"))).all() == []


# --- roles and agencies agree --------------------------------------------------------------------

def test_a_police_role_needs_the_police_agency_and_the_police_agency_the_police_role(
        api, client, session):
    headers = api.login(factories.UserFactory(role="admin"))
    for role, agency in (("police", "skhcn"), ("inspector", "police"), ("supervisor", "police")):
        resp = _new_user(client, headers, username=f"u.{role}.{agency}", role=role,
                         agency=agency)
        assert resp.status_code == 422, (role, agency)
        assert {"role", "agency"} & set(resp.get_json()["errors"]), (role, agency)
    assert _new_user(client, headers, username="ca.01", role="police",
                     agency="police").status_code == 201


def test_a_post_user_needs_the_post_agency_and_an_organisation_with_a_site_in_its_province(
        api, client, session):
    headers = api.login(factories.UserFactory(role="admin"))
    factories.SiteFactory(organization="Bưu điện thành phố Cần Thơ")
    factories.SiteFactory(organization="Bưu điện thành phố Hải Phòng", province_code="31")
    refused = (
        {"role": "post", "agency": "skhcn", "organization": "Bưu điện thành phố Cần Thơ"},
        {"role": "inspector", "agency": "post"},
        {"role": "post", "agency": "post"},
        {"role": "post", "agency": "post", "organization": "Bưu điện thành phố Hải Phòng"},
        {"role": "post", "agency": "post", "organization": "Bưu điện thành phố Cần Thơ\u200b"},
    )
    for n, fields in enumerate(refused):
        resp = _new_user(client, headers, username=f"bd.{n}", **fields)
        assert resp.status_code == 422, fields
        assert {"role", "agency", "organization"} & set(resp.get_json()["errors"]), fields
        assert resp.get_json()["detail"], fields
    resp = _new_user(client, headers, username="bd.ok", role="post", agency="post",
                     organization="Bưu điện thành phố Cần Thơ")
    assert resp.status_code == 201, resp.get_json()
