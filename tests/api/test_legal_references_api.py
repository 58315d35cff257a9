"""/legal-references over HTTP, and a notice refused while its findings cite references that
do not hold: the list of them, then, once an admin verifies them, the notice issues and prints
the verified citation."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from inspection import legal
from inspection.models import LegalReference, Notice
from tests import factories
from tests.api.test_notices_api import World, issued, problem
from tests.workers.test_documents import pdf_text
from tests.workers.test_signing import assert_whole_and_valid, pades_status

API = "/api/v1"
BASE = f"{API}/legal-references"
ND174_9 = legal.reference_id("Nghị định 174/2026/NĐ-CP", "9(1)")
QD32 = legal.reference_id("Quyết định 32/2025/QĐ-TTg", None)


def admin_headers(api):  # type: ignore[no-untyped-def]
    return api.login(factories.UserFactory(role="admin"))


def patch(client, headers, reference_id, body, etag):  # type: ignore[no-untyped-def]
    return client.patch(f"{BASE}/{reference_id}", json=body,
                        headers={**headers, **({"If-Match": etag} if etag else {})})


def test_a_notice_citing_what_does_not_hold_is_refused_with_the_list_until_verified(
        api, client, session, settings):
    world = World(api, client)
    admin = admin_headers(api)
    newer = client.post(BASE, headers=admin, json={
        "instrument": "Quyết định 99/2026/QĐ-TTg", "status": "verified",
        "issuing_body": "Thủ tướng Chính phủ", "valid_from": "2026-01-01"})
    assert newer.status_code == 201, newer.get_json()
    etag = client.get(f"{BASE}/{QD32}", headers=admin).headers["ETag"]
    resp = patch(client, admin, QD32, {"status": "superseded",
                                       "superseded_by_id": newer.get_json()["id"]}, etag)
    assert resp.status_code == 200, resp.get_json()
    session.get_one(LegalReference, ND174_9).status = "unverified"
    session.flush()

    refused = problem(world.post(), 422)
    listed = {c["item_code"]: c for c in refused["citations"]}
    assert listed["A1"]["reference"]["label"] == "Nghị định 174/2026/NĐ-CP 9(1)"
    assert listed["A1"]["reason"] == "chưa xác minh"
    assert listed["C2"]["superseded_by"]["label"] == "Quyết định 99/2026/QĐ-TTg"
    assert "Mục A1: Nghị định 174/2026/NĐ-CP 9(1) – chưa xác minh" in refused["detail"]
    assert session.scalar(select(func.count()).select_from(Notice)) == 0  # nothing half-made

    for reference_id in (ND174_9, QD32):  # the legal officer checks both texts
        current = client.get(f"{BASE}/{reference_id}", headers=admin)
        changes = {"status": "verified", "superseded_by_id": None}
        resp = patch(client, admin, reference_id, changes, current.headers["ETag"])
        assert resp.status_code == 200, resp.get_json()
        assert resp.get_json()["verified_at"] is not None
    asked = issued(world)
    pdf = client.get(f"{API}/notices/{asked['notice_id']}/document.pdf",
                     headers=world.h["supervisor"])
    text = pdf_text(pdf.data)
    assert "Nghị định 174/2026/NĐ-CP 9(1)" in text and "Quyết định 32/2025/QĐ-TTg" in text
    assert "chưa xác minh" not in text and "đã được thay thế" not in text
    assert world.signer.full_name in text  # the signer chosen by default: the only one
    assert_whole_and_valid(pades_status(pdf.data, settings.signing_trust_path))

    session.get_one(LegalReference, ND174_9).status = "unverified"  # a later doubt
    session.flush()
    again = world.post()  # asking again answers the notice issued, it does not refuse it
    assert (again.status_code, again.get_json()["notice_id"]) == (200, asked["notice_id"])


def test_everyone_on_the_inspection_side_reads_the_register_and_the_post_office_does_not(
        api, client, session):
    for role in ("inspector", "police", "supervisor", "admin"):
        resp = client.get(f"{BASE}?status=verified&q=174", headers=api.login(
            factories.UserFactory(role=role)))
        assert resp.status_code == 200, (role, resp.get_json())
        labels = [r["label"] for r in resp.get_json()]
        assert "Nghị định 174/2026/NĐ-CP Đ.9(1)-(2)" in labels
        assert all("174" in label for label in labels)
    clerk = factories.UserFactory(role="post", agency="post", organization="Bưu điện Cần Thơ")
    problem(client.get(BASE, headers=api.login(clerk)), 403)
    problem(client.get(f"{BASE}/{uuid.uuid4()}", headers=admin_headers(api)), 404)


def test_only_an_admin_adds_or_changes_a_reference(api, client, session):
    supervisor = api.login(factories.UserFactory(role="supervisor"))
    problem(client.post(BASE, headers=supervisor, json={
        "instrument": "Nghị định 1/2027/NĐ-CP", "status": "unverified"}), 403)
    problem(patch(client, supervisor, QD32, {"status": "verified"}, '"1"'), 403)


def test_bad_changes_are_refused_with_problems_and_change_nothing(api, client, session):
    admin = admin_headers(api)
    etag = client.get(f"{BASE}/{QD32}", headers=admin).headers["ETag"]
    problem(patch(client, admin, QD32, {"status": "verified"}, None), 428)
    problem(patch(client, admin, QD32, {"status": "verified"}, '"99"'), 412)
    bad = [({"status": "superseded"}, "superseded_by_id"),
           ({"valid_from": "2026-07-01", "valid_to": "2026-06-30"}, "valid_to"),
           ({"status": "bogus"}, "status"), ({"valid_from": "07/01/2026"}, "valid_from"),
           ({"instrument": "Luật khác"}, "instrument"),
           ({"superseded_by_id": str(uuid.uuid4()), "status": "superseded"},
            "superseded_by_id")]
    for body, field in bad:
        refused = problem(patch(client, admin, QD32, body, etag), 422)
        assert field in refused["errors"], (body, refused)
    assert client.get(f"{BASE}/{QD32}", headers=admin).headers["ETag"] == etag
    problem(client.post(BASE, headers=admin, json={
        "instrument": "Quyết định 32/2025/QĐ-TTg", "status": "verified"}), 409)
    problem(client.post(BASE, headers=admin, json={"instrument": "", "status": "verified"}),
            422)
    problem(client.post(BASE, headers=admin, json={
        "instrument": "Chỉ thị 1/CT-UBND", "status": "verified", "province_code": "99"}), 422)
    resp = client.post(f"{BASE}", headers={**admin, "Content-Type": "application/json"},
                       data="{not json")
    problem(resp, 400)
