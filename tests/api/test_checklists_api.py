"""/checklists through HTTP: reading, admin-only drafting, immutability, problems."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from inspection import legal
from inspection.models import Checklist
from tests import factories

URL = "/api/v1/checklists"
PROBLEM = "application/problem+json"
ITEM_KEYS = {"code", "text", "answer_type", "required", "photo_required", "compliant_when",
             "severity", "legal_basis", "legal_refs"}


def _admin(api):  # type: ignore[no-untyped-def]
    return api.login(factories.UserFactory(role="admin"))


def _inspector(api):  # type: ignore[no-untyped-def]
    return api.login(factories.UserFactory(role="inspector"))


def _builtin_id(session, code: str = "KT1-PROVIDER") -> uuid.UUID:  # type: ignore[no-untyped-def]
    return session.scalar(select(Checklist.id).where(Checklist.code == code,  # type: ignore[no-any-return]
                                                     Checklist.version == 1))


def _body(code: str = "TEST-API"):  # type: ignore[no-untyped-def]
    return {"code": code, "title": "Bảng kiểm tra thử nghiệm", "target_kind": "kt1_user",
            "sections": [{"code": "A", "title": "Phần A", "items": [
                {"code": "A1", "text": "Có sổ đăng ký", "answer_type": "yes_no_na",
                 "photo_required": True, "compliant_when": {"in": ["yes", "na"]},
                 "severity": "high", "legal_basis": "Quyết định 32/2025/QĐ-TTg (chưa xác minh)",
                 "legal_refs": [{"instrument": "Quyết định 32/2025/QĐ-TTg", "article": None,
                                 "status": "unverified", "effective_from": "2025-11-01"}]},
                {"code": "A2", "text": "Ghi chú", "answer_type": "text", "required": False},
            ]}]}


def test_any_signed_in_user_lists_the_published_checklists(api, client, session):  # type: ignore[no-untyped-def]
    resp = client.get(URL, query_string={"status": "published"}, headers=_inspector(api))
    assert resp.status_code == 200
    rows = {row["code"]: row for row in resp.get_json()}
    assert set(rows) >= {"KT1-PROVIDER", "KT1-USER"}
    assert set(rows["KT1-USER"]) >= {"id", "code", "version", "title", "target_kind", "status"}
    assert rows["KT1-USER"]["target_kind"] == "kt1_user"
    assert "X-Pagination" in resp.headers


def test_the_list_filters_by_target_kind(api, client, session):  # type: ignore[no-untyped-def]
    resp = client.get(URL, query_string={"target_kind": "kt1_provider"}, headers=_inspector(api))
    assert {row["target_kind"] for row in resp.get_json()} == {"kt1_provider"}
    resp = client.get(URL, query_string={"status": "open"}, headers=_inspector(api))
    assert resp.status_code == 422 and "status" in resp.get_json()["errors"]


def test_reading_needs_a_token(client, session):  # type: ignore[no-untyped-def]
    resp = client.get(URL)
    assert resp.status_code == 401 and resp.mimetype == PROBLEM


def test_the_detail_has_sections_items_and_an_etag(api, client, session):  # type: ignore[no-untyped-def]
    headers = _inspector(api)
    resp = client.get(f"{URL}/{_builtin_id(session)}", headers=headers)
    assert resp.status_code == 200
    body = resp.get_json()
    assert [s["code"] for s in body["sections"]] == list("ABCDEFGHIJK")
    a4 = next(i for s in body["sections"] for i in s["items"] if i["code"] == "A4")
    assert set(a4) >= ITEM_KEYS
    assert (a4["severity"], a4["photo_required"], a4["answer_type"]) == ("critical", True,
                                                                         "yes_no_na")
    assert {r["status"] for r in a4["legal_refs"]} <= {"verified", "superseded", "unverified"}
    assert "Bưu gửi mang BMNN" in a4["text"]
    etag = resp.headers["ETag"]
    again = client.get(f"{URL}/{_builtin_id(session)}",
                       headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304 and again.headers["ETag"] == etag


def test_an_unknown_or_malformed_id_answers_404_problem(api, client, session):  # type: ignore[no-untyped-def]
    headers = _inspector(api)
    for path in (f"{URL}/{uuid.uuid4()}", f"{URL}/not-a-uuid", f"{URL}/12"):
        resp = client.get(path, headers=headers)
        assert resp.status_code == 404 and resp.mimetype == PROBLEM, path


def test_an_inspector_may_not_create_a_checklist(api, client, session):  # type: ignore[no-untyped-def]
    resp = client.post(URL, json=_body(), headers=_inspector(api))
    assert resp.status_code == 403 and resp.mimetype == PROBLEM
    assert session.scalar(select(Checklist).where(Checklist.code == "TEST-API")) is None


def test_an_admin_drafts_edits_and_publishes_a_checklist(api, client, session):  # type: ignore[no-untyped-def]
    headers = _admin(api)
    resp = client.post(URL, json=_body(), headers=headers)
    assert resp.status_code == 201, resp.get_json()
    created = resp.get_json()
    assert (created["version"], created["status"]) == (1, "draft")
    assert resp.headers["Location"].endswith(created["id"])
    item = created["sections"][0]["items"][0]
    assert item["legal_refs"][0] == {  # tied to the register by the id its name derives
        "id": str(legal.reference_id("Quyết định 32/2025/QĐ-TTg", None)),
        "instrument": "Quyết định 32/2025/QĐ-TTg", "article": None, "status": "unverified",
        "effective_from": "2025-11-01"}
    edit = {k: v for k, v in _body().items() if k != "code"}
    edit["title"] = "Bảng kiểm tra đã sửa"
    url = f"{URL}/{created['id']}"
    assert client.put(url, json=edit, headers=headers).status_code == 428
    stale = client.put(url, json=edit, headers={**headers, "If-Match": '"old"'})
    assert stale.status_code == 412 and stale.mimetype == PROBLEM
    resp = client.put(url, json=edit, headers={**headers, "If-Match": resp.headers["ETag"]})
    assert resp.status_code == 200 and resp.get_json()["title"] == "Bảng kiểm tra đã sửa"
    resp = client.post(f"{url}/publish", headers={**headers, "If-Match": resp.headers["ETag"]})
    assert resp.status_code == 200 and resp.get_json()["status"] == "published"
    assert resp.get_json()["published_at"] is not None
    assert session.get(Checklist, uuid.UUID(created["id"])).status == "published"


def test_a_published_version_cannot_be_changed_through_the_api(api, client, session):  # type: ignore[no-untyped-def]
    headers = _admin(api)
    url = f"{URL}/{_builtin_id(session, 'KT1-USER')}"
    etag = client.get(url, headers=headers).headers["ETag"]
    edit = {k: v for k, v in _body().items() if k != "code"}
    resp = client.put(url, json=edit, headers={**headers, "If-Match": etag})
    assert resp.status_code == 409 and resp.mimetype == PROBLEM
    assert resp.get_json()["type"].endswith("invalid-state")
    assert client.get(url, headers=headers).headers["ETag"] == etag


def test_a_new_version_is_numbered_after_the_last_and_can_retire_it(api, client, session):  # type: ignore[no-untyped-def]
    headers = _admin(api)
    resp = client.post(URL, json=_body("KT1-USER") | {"title": "Kiểm tra việc sử dụng KT1"},
                       headers=headers)
    assert resp.status_code == 201 and resp.get_json()["version"] == 2
    resp = client.post(f"{URL}/{resp.get_json()['id']}/publish", json={"retire_previous": True},
                       headers={**headers, "If-Match": "*"})
    assert resp.status_code == 200
    v1 = client.get(f"{URL}/{_builtin_id(session, 'KT1-USER')}", headers=headers).get_json()
    assert v1["status"] == "retired" and v1["version"] == 1
    assert len([i for s in v1["sections"] for i in s["items"]]) == 10


def test_a_bad_body_answers_422_with_errors_keyed_by_field(api, client, session):  # type: ignore[no-untyped-def]
    headers = _admin(api)
    body = _body()
    body["target_kind"] = "post_office"
    body["extra"] = 1
    body["sections"][0]["items"][0]["required"] = "yes"
    body["sections"][0]["items"][0]["severity"] = "urgent"
    resp = client.post(URL, json=body, headers=headers)
    assert resp.status_code == 422 and resp.mimetype == PROBLEM
    problems = resp.get_json()["errors"]
    assert {"target_kind", "extra", "sections"} <= set(problems)
    item_errors = problems["sections"]["0"]["items"]["0"]
    assert {"required", "severity"} <= set(item_errors)


def test_a_rule_that_does_not_fit_the_item_answers_422(api, client, session):  # type: ignore[no-untyped-def]
    body = _body()
    body["sections"][0]["items"][0]["compliant_when"] = {"gte_item": "A9"}
    resp = client.post(URL, json=body, headers=_admin(api))
    assert resp.status_code == 422 and resp.mimetype == PROBLEM
    assert "sections.0.items.0.compliant_when" in resp.get_json()["errors"]


def test_malformed_json_and_wrong_types_never_answer_500(api, client, session):  # type: ignore[no-untyped-def]
    headers = _admin(api)
    resp = client.post(URL, data="{not json", content_type="application/json", headers=headers)
    assert resp.status_code in (400, 422) and resp.mimetype == PROBLEM
    for body in ([], {"code": 5, "title": None, "target_kind": [], "sections": "A"},
                 _body() | {"title": "Bảng\x00kiểm tra"},
                 _body() | {"sections": [{"code": "A", "title": "A", "items": [
                     {"code": "A1", "text": "x", "answer_type": "number",
                      "compliant_when": {"min": "1"}, "severity": "low",
                      "legal_refs": [{"instrument": "x", "status": "verified",
                                      "effective_to": "2026-02-30"}]}]}]}):
        resp = client.post(URL, json=body, headers=headers)
        assert resp.status_code == 422 and resp.mimetype == PROBLEM, resp.get_json()
    resp = client.get(URL, query_string={"code": "KT1\x00"}, headers=headers)
    assert resp.status_code == 422 and resp.mimetype == PROBLEM


def test_retiring_a_draft_is_a_conflict(api, client, session):  # type: ignore[no-untyped-def]
    headers = _admin(api)
    created = client.post(URL, json=_body(), headers=headers)
    resp = client.post(f"{URL}/{created.get_json()['id']}/retire",
                       headers={**headers, "If-Match": created.headers["ETag"]})
    assert resp.status_code == 409 and resp.mimetype == PROBLEM
