"""/users: listing the province's people for teams; admins create, read, change and
deactivate users."""

from __future__ import annotations

import uuid

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


# --- one user: read, change, deactivate (If-Match) ------------------------------------------

def _user_url(user):  # type: ignore[no-untyped-def]
    return f"/api/v1/users/{user.id}"


def _read(client, headers, user):  # type: ignore[no-untyped-def]
    resp = client.get(_user_url(user), headers=headers)
    assert resp.status_code == 200, resp.get_json()
    return resp


def test_an_admin_reads_a_user_with_its_version_as_etag(api, client, session):
    headers = api.login(factories.UserFactory(role="admin"))
    user = factories.UserFactory(full_name="Lê Thị Hoa")
    resp = _read(client, headers, user)
    assert resp.headers["ETag"] == '"1"'
    body = resp.get_json()
    assert (body["full_name"], body["role"], body["active"], body["version"]) == (
        "Lê Thị Hoa", "inspector", True, 1)


def test_an_admin_changes_a_users_role_and_name_with_if_match(api, client, session):
    headers = api.login(factories.UserFactory(role="admin"))
    user = factories.UserFactory()
    etag = _read(client, headers, user).headers["ETag"]
    resp = client.patch(_user_url(user), headers={**headers, "If-Match": etag},
                        json={"role": "supervisor", "full_name": "Võ Minh Tâm"})
    assert resp.status_code == 200, resp.get_json()
    assert resp.headers["ETag"] == '"2"'
    session.expire_all()
    stored = session.get(User, user.id)
    assert (stored.role, stored.full_name, stored.version) == ("supervisor", "Võ Minh Tâm", 2)


def test_deactivating_a_user_ends_every_token_at_once_and_reactivating_lets_them_log_in(
        api, client, session):
    headers = api.login(factories.UserFactory(role="admin"))
    user = factories.UserFactory()
    tablet, browser = api.login(user, device_id="tablet"), api.login(user, device_id="web")
    resp = client.patch(_user_url(user), headers={**headers, "If-Match": '"1"'},
                        json={"active": False})
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["active"] is False
    assert client.get("/api/v1/auth/me", headers=tablet).status_code == 401
    assert client.get("/api/v1/auth/me", headers=browser).status_code == 401
    login = client.post("/api/v1/auth/login", json={"username": user.username,
                                                     "password": factories.PASSWORD})
    assert login.status_code == 401
    listed = client.get("/api/v1/users", headers=headers).get_json()
    assert str(user.id) not in {u["id"] for u in listed}
    listed = client.get("/api/v1/users?include_inactive=true", headers=headers).get_json()
    assert str(user.id) in {u["id"] for u in listed}
    resp = client.patch(_user_url(user), headers={**headers, "If-Match": '"2"'},
                        json={"active": True})
    assert resp.status_code == 200
    assert client.get("/api/v1/auth/me", headers=tablet).status_code == 401  # stays revoked
    assert api.login(user)


def test_a_change_without_if_match_is_428_and_with_a_stale_one_412(api, client, session):
    headers = api.login(factories.UserFactory(role="admin"))
    user = factories.UserFactory()
    assert client.patch(_user_url(user), headers=headers,
                        json={"full_name": "X"}).status_code == 428
    resp = client.patch(_user_url(user), headers={**headers, "If-Match": '"7"'},
                        json={"full_name": "X"})
    assert resp.status_code == 412
    assert resp.mimetype == "application/problem+json"
    session.expire_all()
    assert session.get(User, user.id).full_name != "X"


def test_an_unknown_role_or_a_role_off_its_agency_is_a_422_by_field(api, client, session):
    headers = {**api.login(factories.UserFactory(role="admin")), "If-Match": '"1"'}
    user = factories.UserFactory()
    resp = client.patch(_user_url(user), headers=headers, json={"role": "king"})
    assert resp.status_code == 422
    assert set(resp.get_json()["errors"]) == {"role"}
    resp = client.patch(_user_url(user), headers=headers, json={"role": "police"})
    assert resp.status_code == 422
    assert "agency" in resp.get_json()["errors"]
    resp = client.patch(_user_url(user), headers=headers, json={"nickname": "x"})
    assert resp.status_code == 422
    session.expire_all()
    assert session.get(User, user.id).role == "inspector"


def test_another_provinces_user_is_not_found_and_no_user_is_moved_there(api, client, session):
    headers = {**api.login(factories.UserFactory(role="admin")), "If-Match": '"1"'}
    hai_phong = factories.UserFactory(province_code="31")
    assert client.get(_user_url(hai_phong), headers=headers).status_code == 404
    assert client.patch(_user_url(hai_phong), headers=headers,
                        json={"active": False}).status_code == 404
    user = factories.UserFactory()
    assert client.patch(_user_url(user), headers=headers,
                        json={"province_code": "31"}).status_code == 403
    assert client.get(f"/api/v1/users/{uuid.uuid4()}", headers=headers).status_code == 404


def test_a_national_admin_administers_every_province(api, client, session):
    headers = api.login(factories.UserFactory(role="admin", province_code=None))
    hai_phong = factories.UserFactory(province_code="31")
    resp = client.patch(_user_url(hai_phong), headers={**headers, "If-Match": '"1"'},
                        json={"province_code": "92"})
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["province_code"] == "92"


def test_an_admin_cannot_deactivate_or_demote_themself(api, client, session):
    admin = factories.UserFactory(role="admin")
    headers = {**api.login(admin), "If-Match": '"1"'}
    for change in ({"active": False}, {"role": "supervisor"}):
        resp = client.patch(_user_url(admin), headers=headers, json=change)
        assert resp.status_code == 422, change
        assert resp.mimetype == "application/problem+json"
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200


def test_only_admins_read_or_change_one_user(api, client, session):
    user = factories.UserFactory()
    headers = api.login(factories.UserFactory(role="supervisor"))
    assert client.get(_user_url(user), headers=headers).status_code == 403
    assert client.patch(_user_url(user), headers={**headers, "If-Match": '"1"'},
                        json={"active": False}).status_code == 403


def test_the_devices_list_filters_by_user(api, client, session):
    headers = api.login(factories.UserFactory(role="admin"))
    user, other = factories.UserFactory(), factories.UserFactory()
    api.login(user, device_id="tablet-a")
    api.login(other, device_id="tablet-b")
    resp = client.get(f"/api/v1/devices?user_id={user.id}", headers=headers)
    assert resp.status_code == 200
    assert [d["client_id"] for d in resp.get_json()] == ["tablet-a"]
    assert client.get("/api/v1/devices?user_id=nope", headers=headers).status_code == 422


def test_the_audit_log_lists_the_newest_entries_first_on_request(api, client, session):
    headers = api.login(factories.UserFactory(role="admin"))
    user = factories.UserFactory()
    client.patch(_user_url(user), headers={**headers, "If-Match": '"1"'},
                 json={"full_name": "Đỗ Văn An"})
    newest = client.get("/api/v1/audit?newest_first=true&page_size=5", headers=headers)
    assert newest.status_code == 200
    entries = newest.get_json()
    assert [e["id"] for e in entries] == sorted((e["id"] for e in entries), reverse=True)
    assert (entries[0]["entity"], entries[0]["entity_id"]) == ("users", str(user.id))
    assert entries[0]["after"]["full_name"] == "Đỗ Văn An"
    oldest = client.get("/api/v1/audit?page_size=5", headers=headers).get_json()
    assert [e["id"] for e in oldest] == sorted(e["id"] for e in oldest)
    assert oldest[0]["id"] < entries[0]["id"]
