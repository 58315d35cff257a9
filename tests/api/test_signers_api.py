"""/signers: the register of officials who sign a province's notices and reports. Admins add,
edit and deactivate them (If-Match); supervisors read them; another province's are not found."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from inspection.models import AuditEntry, Signer
from tests import factories

URL = "/api/v1/signers"


def problem(resp, status):  # type: ignore[no-untyped-def]
    assert resp.status_code == status, resp.get_json()
    assert resp.mimetype == "application/problem+json"
    return resp.get_json()


def test_an_admin_adds_a_signer_of_the_own_province_and_it_is_audited(api, client, session):
    admin = factories.UserFactory(role="admin")
    resp = client.post(URL, headers=api.login(admin), json={
        "full_name": "Nguyễn Văn An", "title": "Phó Giám đốc", "delegation": "KT. GIÁM ĐỐC"})
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert (body["province_code"], body["full_name"], body["title"], body["delegation"],
            body["active"], body["version"]) == ("92", "Nguyễn Văn An", "Phó Giám đốc",
                                                 "KT. GIÁM ĐỐC", True, 1)
    assert resp.headers["ETag"] == '"1"'
    stored = session.get(Signer, uuid.UUID(body["id"]))
    assert stored is not None and stored.full_name == "Nguyễn Văn An"
    entry = session.scalar(select(AuditEntry).where(AuditEntry.entity == "signers",
                                                    AuditEntry.entity_id == body["id"]))
    assert entry is not None and entry.action == "create"
    assert entry.actor_id == admin.id and entry.after["full_name"] == "Nguyễn Văn An"


def test_the_director_signs_without_a_delegation(api, client, session):
    admin = factories.UserFactory(role="admin")
    resp = client.post(URL, headers=api.login(admin), json={
        "full_name": "Trần Thị Bình", "title": "Giám đốc", "delegation": "  "})
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["delegation"] is None


def test_supervisors_list_their_province_signers_active_first_and_filter_by_active(
        api, client, session):
    retired = factories.SignerFactory(full_name="Ánh Văn Cũ", active=False)
    current = factories.SignerFactory(full_name="Nguyễn Văn An")
    factories.SignerFactory(province_code="31", full_name="Phạm Văn Hải")
    headers = api.login(factories.UserFactory(role="supervisor"))
    listed = client.get(URL, headers=headers)
    assert listed.status_code == 200
    assert [s["id"] for s in listed.get_json()] == [str(current.id), str(retired.id)]
    active = client.get(f"{URL}?active=true", headers=headers).get_json()
    assert [s["id"] for s in active] == [str(current.id)]
    assert client.get(f"{URL}?province_code=31", headers=headers).get_json() == []


def test_a_national_admin_lists_any_province_signers(api, client, session):
    hai_phong = factories.SignerFactory(province_code="31")
    factories.SignerFactory(province_code="92")
    national = factories.UserFactory(role="admin", province_code=None)
    resp = client.get(f"{URL}?province_code=31", headers=api.login(national))
    assert [s["id"] for s in resp.get_json()] == [str(hai_phong.id)]


def test_a_national_admin_adds_a_signer_to_a_named_province_and_must_name_one(
        api, client, session):
    headers = api.login(factories.UserFactory(role="admin", province_code=None))
    resp = client.post(URL, headers=headers, json={
        "full_name": "Lê Văn Cường", "title": "Giám đốc", "province_code": "46"})
    assert resp.status_code == 201 and resp.get_json()["province_code"] == "46"
    missing = problem(client.post(URL, headers=headers, json={
        "full_name": "Lê Văn Cường", "title": "Giám đốc"}), 422)
    assert "province_code" in missing["errors"]


def test_another_province_signer_is_not_found(api, client, session):
    theirs = factories.SignerFactory(province_code="31")
    admin = factories.UserFactory(role="admin")
    headers = api.login(admin)
    problem(client.get(f"{URL}/{theirs.id}", headers=headers), 404)
    problem(client.patch(f"{URL}/{theirs.id}", headers={**headers, "If-Match": '"1"'},
                         json={"full_name": "Đổi Tên"}), 404)
    problem(client.get(f"{URL}/{uuid.uuid4()}", headers=headers), 404)
    assert session.get(Signer, theirs.id).full_name != "Đổi Tên"


def test_a_provincial_admin_cannot_add_a_signer_to_another_province(api, client, session):
    headers = api.login(factories.UserFactory(role="admin"))
    problem(client.post(URL, headers=headers, json={
        "full_name": "Lê Văn Cường", "title": "Giám đốc", "province_code": "31"}), 403)
    assert session.scalar(select(Signer).where(Signer.full_name == "Lê Văn Cường")) is None


def test_only_admins_change_the_register_and_only_staff_of_the_sos_read_it(
        api, client, session):
    signer = factories.SignerFactory()
    supervisor = api.login(factories.UserFactory(role="supervisor"))
    problem(client.post(URL, headers=supervisor, json={
        "full_name": "Lê Văn Cường", "title": "Giám đốc"}), 403)
    problem(client.patch(f"{URL}/{signer.id}", headers={**supervisor, "If-Match": '"1"'},
                         json={"active": False}), 403)
    assert client.get(f"{URL}/{signer.id}", headers=supervisor).status_code == 200
    inspector = api.login(factories.UserFactory(role="inspector"))
    problem(client.get(URL, headers=inspector), 403)
    problem(client.get(f"{URL}/{signer.id}", headers=inspector), 403)
    post = api.login(factories.UserFactory(role="post", agency="post",
                                           organization=factories.CAN_THO_POST))
    problem(client.get(URL, headers=post), 403)
    assert session.get(Signer, signer.id).active is True


def test_bad_input_is_a_422_naming_the_fields(api, client, session):
    headers = api.login(factories.UserFactory(role="admin"))
    body = problem(client.post(URL, headers=headers, json={
        "full_name": "x" * 201, "title": "x" * 101, "delegation": 5}), 422)
    assert {"full_name", "title", "delegation"} <= set(body["errors"])
    blank = problem(client.post(URL, headers=headers, json={
        "full_name": "   ", "title": ""}), 422)
    assert blank["errors"] == {"full_name": ["Không được để trống."],
                               "title": ["Không được để trống."]}
    missing = problem(client.post(URL, headers=headers, json={}), 422)
    assert {"full_name", "title"} <= set(missing["errors"])
    signer = factories.SignerFactory()
    odd = problem(client.patch(f"{URL}/{signer.id}", headers={**headers, "If-Match": '"1"'},
                               json={"province_code": "31"}), 422)
    assert "province_code" in odd["errors"]
    problem(client.get(f"{URL}?active=perhaps", headers=headers), 422)


def test_an_admin_edits_and_deactivates_a_signer_with_if_match(api, client, session):
    signer = factories.SignerFactory(full_name="Nguyễn Văn An")
    headers = api.login(factories.UserFactory(role="admin"))
    got = client.get(f"{URL}/{signer.id}", headers=headers)
    assert got.headers["ETag"] == '"1"'
    edited = client.patch(f"{URL}/{signer.id}", headers={**headers, "If-Match": '"1"'},
                          json={"title": "Giám đốc", "delegation": None})
    assert edited.status_code == 200, edited.get_json()
    assert (edited.get_json()["title"], edited.get_json()["delegation"],
            edited.headers["ETag"]) == ("Giám đốc", None, '"2"')
    off = client.patch(f"{URL}/{signer.id}", headers={**headers, "If-Match": '"2"'},
                       json={"active": False})
    assert off.status_code == 200 and off.get_json()["active"] is False
    session.expire_all()
    stored = session.get(Signer, signer.id)
    assert (stored.active, stored.version, stored.title) == (False, 3, "Giám đốc")


def test_a_change_without_if_match_is_428_and_a_stale_one_412(api, client, session):
    signer = factories.SignerFactory(full_name="Nguyễn Văn An")
    headers = api.login(factories.UserFactory(role="admin"))
    problem(client.patch(f"{URL}/{signer.id}", headers=headers,
                         json={"full_name": "Khác"}), 428)
    problem(client.patch(f"{URL}/{signer.id}", headers={**headers, "If-Match": '"7"'},
                         json={"full_name": "Khác"}), 412)
    session.expire_all()
    assert session.get(Signer, signer.id).full_name == "Nguyễn Văn An"
