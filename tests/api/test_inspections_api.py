"""/inspections over HTTP: creation (idempotent), answers with their ETags, submit, review,
listings and the location check."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import event, func, select

from inspection.models import Answer, AuditEntry, Commune, Finding, Inspection, Photo
from tests import factories

BASE = "/api/v1/inspections"
LON, LAT = factories.CAN_THO
COMPLIANT = {"A1": "yes", "A2": "yes", "C1": 5, "C2": 5, "C5": "2026-01-15"}


class World:
    def __init__(self, api) -> None:  # type: ignore[no-untyped-def]
        self.inspector, self.police = factories.joint_team()
        self.supervisor = factories.UserFactory(role="supervisor")
        self.site = factories.SiteFactory()
        self.checklist = factories.inspection_checklist()
        self.h = {name: api.login(getattr(self, name))
                  for name in ("inspector", "police", "supervisor")}

    def body(self, **over):  # type: ignore[no-untyped-def]
        return {"id": str(uuid.uuid4()), "site_id": str(self.site.id),
                "checklist_id": str(self.checklist.id),
                "started_at": "2026-05-05T08:30:00+07:00",
                "location": {"lon": LON, "lat": LAT, "accuracy_m": 12.5},
                "team": [str(self.inspector.id), str(self.police.id)], **over}


@pytest.fixture
def world(api, session):  # type: ignore[no-untyped-def]
    return World(api)


def create(client, world, **over):  # type: ignore[no-untyped-def]
    resp = client.post(BASE, json=world.body(**over), headers=world.h["inspector"])
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def put_answer(client, headers, inspection_id, code, value, etag=None, **extra):  # type: ignore[no-untyped-def]
    precondition = {"If-Match": etag} if etag else {"If-None-Match": "*"}
    return client.put(f"{BASE}/{inspection_id}/answers/{code}",
                      json={"value": value, "answered_at": "2026-05-05T09:00:00+07:00",
                            **extra}, headers={**headers, **precondition})


def answer_all(client, world, inspection_id, values):  # type: ignore[no-untyped-def]
    for code, value in values.items():
        resp = put_answer(client, world.h["inspector"], inspection_id, code, value)
        assert resp.status_code == 201, resp.get_json()


def submit(client, headers, inspection_id, etag='"1"'):  # type: ignore[no-untyped-def]
    return client.post(f"{BASE}/{inspection_id}/submit", headers={**headers, "If-Match": etag})


def problem(resp, status):  # type: ignore[no-untyped-def]
    assert resp.status_code == status, resp.get_json()
    assert resp.mimetype == "application/problem+json"
    body = resp.get_json()
    assert body["status"] == status and body["type"] and body["title"]
    return body


# --- creation --------------------------------------------------------------------------------

def test_creating_an_inspection_answers_201_with_the_resource_and_its_etag(
        client, session, world):
    body = world.body()
    resp = client.post(BASE, json=body, headers=world.h["inspector"])
    assert resp.status_code == 201
    assert resp.headers["ETag"] == '"1"'
    got = resp.get_json()
    assert got["id"] == body["id"] and got["status"] == "draft" and got["version"] == 1
    assert got["started_at"] == "2026-05-05T01:30:00+00:00"
    assert got["location"] == {"lon": LON, "lat": LAT, "accuracy_m": 12.5}
    assert sorted(got["team"]) == sorted(body["team"])
    assert got["answers"] == [] and got["review"] is None and got["submitted_at"] is None
    assert got["location_check"] == {"distance_m": 0.0, "accuracy_m": 12.5, "status": "ok",
                                     "radius_m": 300}
    session.expire_all()
    row = session.get(Inspection, uuid.UUID(body["id"]))
    assert (row.status, row.province_code, row.created_by) == ("draft", "92", world.inspector.id)


def test_the_same_request_again_answers_200_with_the_same_resource_and_changes_nothing(
        client, session, world):
    body = world.body()
    first = client.post(BASE, json=body, headers=world.h["inspector"])
    audit_entries = session.scalar(select(func.count()).select_from(AuditEntry))
    again = client.post(BASE, json=body, headers=world.h["inspector"])
    assert again.status_code == 200
    assert again.get_json() == first.get_json() and again.headers["ETag"] == '"1"'
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == audit_entries
    assert session.scalar(select(func.count()).select_from(Inspection)) == 1


def test_the_same_id_with_a_different_body_answers_409(client, session, world):
    body = world.body()
    client.post(BASE, json=body, headers=world.h["inspector"])
    moved = {**body, "location": {"lon": LON, "lat": LAT + 0.01, "accuracy_m": 12.5}}
    got = problem(client.post(BASE, json=moved, headers=world.h["inspector"]), 409)
    assert "id" in got["errors"]
    session.expire_all()
    assert session.get(Inspection, uuid.UUID(body["id"])).version == 1


def test_a_provider_team_without_the_police_answers_422_naming_the_missing_agency(
        client, session, world):
    colleague = factories.UserFactory(role="inspector", agency="skhcn")
    got = problem(client.post(BASE, json=world.body(
        team=[str(world.inspector.id), str(colleague.id)]), headers=world.h["inspector"]), 422)
    assert got["errors"] == {"team": ["missing agency: police"]}
    assert "Công an" in got["detail"]
    assert session.scalar(select(func.count()).select_from(Inspection)) == 0


def test_malformed_json_answers_400_problem(client, world):
    resp = client.post(BASE, data='{"id": ', content_type="application/json",
                       headers=world.h["inspector"])
    problem(resp, 400)


def test_wrong_types_answer_422_with_errors_by_field(client, session, world):
    resp = client.post(BASE, json={
        "id": "not-a-uuid", "site_id": 5, "started_at": "2026-05-05T08:30:00",
        "location": {"lon": 200, "lat": "bắc"}, "team": "nhóm"}, headers=world.h["inspector"])
    got = problem(resp, 422)
    assert set(got["errors"]) == {"id", "site_id", "checklist_id", "started_at", "location",
                                  "team"}
    assert session.scalar(select(func.count()).select_from(Inspection)) == 0


def test_a_checklist_for_another_kind_of_site_answers_422(client, world):
    other = factories.inspection_checklist(target_kind="kt1_user")
    got = problem(client.post(BASE, json=world.body(checklist_id=str(other.id)),
                              headers=world.h["inspector"]), 422)
    assert "checklist_id" in got["errors"]


def test_a_site_of_another_province_answers_404(client, world):
    site = factories.SiteFactory(province_code="31")
    problem(client.post(BASE, json=world.body(site_id=str(site.id)),
                        headers=world.h["inspector"]), 404)


def test_post_office_staff_may_not_start_an_inspection(api, client, world):
    clerk = factories.UserFactory(role="post", agency="post")
    problem(client.post(BASE, json=world.body(), headers=api.login(clerk)), 403)


def test_without_a_token_the_answer_is_401(client, world):
    problem(client.post(BASE, json=world.body()), 401)


# --- reading ---------------------------------------------------------------------------------

def test_an_inspection_of_another_province_answers_404(api, client, world):
    created = create(client, world)
    hai_phong = factories.UserFactory(role="supervisor", province_code="31")
    problem(client.get(f"{BASE}/{created['id']}", headers=api.login(hai_phong)), 404)
    problem(client.get(f"{BASE}/{uuid.uuid4()}", headers=world.h["supervisor"]), 404)


@pytest.mark.parametrize(("dlat", "accuracy", "status"), [
    (0.002, 20.0, "ok"), (0.004, 20.0, "far"), (0.004, 250.0, "ok"),
    (0.0, None, "no_fix"), (0.0, 5000.0, "no_fix")])
def test_the_location_check_compares_the_fix_with_the_site(client, world, dlat, accuracy,
                                                           status):
    created = create(client, world, location={"lon": LON, "lat": LAT + dlat,
                                              "accuracy_m": accuracy})
    got = client.get(f"{BASE}/{created['id']}", headers=world.h["supervisor"]).get_json()
    assert got["location_check"]["status"] == status
    assert got["location_check"]["radius_m"] == 300
    assert got["location_check"]["distance_m"] == pytest.approx(dlat * 111195, abs=1)


def test_without_any_position_the_location_check_is_no_fix(client, world):
    created = create(client, world, location=None)
    assert created["location"] is None
    assert created["location_check"] == {"distance_m": None, "accuracy_m": None,
                                         "status": "no_fix", "radius_m": 300}


def test_the_listing_filters_pages_and_keeps_to_the_province(api, client, session, world):
    first = create(client, world)
    second = create(client, world, started_at="2026-05-20T08:00:00+07:00")
    hai_phong_team = factories.joint_team("31")
    hp_site = factories.SiteFactory(province_code="31")
    resp = client.post(BASE, headers=api.login(hai_phong_team[0]), json=world.body(
        site_id=str(hp_site.id), team=[str(u.id) for u in hai_phong_team]))
    assert resp.status_code == 201

    def ids(query=""):  # type: ignore[no-untyped-def]
        resp = client.get(f"{BASE}{query}", headers=world.h["supervisor"])
        assert resp.status_code == 200, resp.get_json()
        return [i["id"] for i in resp.get_json()]

    assert ids() == [second["id"], first["id"]]
    assert ids("?from=2026-05-10") == [second["id"]]
    assert ids("?to=2026-05-10T00:00:00%2B07:00") == [first["id"]]
    assert ids(f"?site_id={world.site.id}&status=draft") == [second["id"], first["id"]]
    assert ids("?status=approved") == []
    resp = client.get(f"{BASE}?page_size=1&page=2", headers=world.h["supervisor"])
    assert [i["id"] for i in resp.get_json()] == [first["id"]]
    assert json.loads(resp.headers["X-Pagination"])["total"] == 2
    assert "answers" not in resp.get_json()[0]
    problem(client.get(f"{BASE}?status=lost", headers=world.h["supervisor"]), 422)


def test_a_post_office_lists_only_inspections_of_its_own_sites(api, client, session, world):
    mine = create(client, world)
    elsewhere = factories.SiteFactory(organization="Bưu điện tỉnh Hậu Giang")
    theirs = create(client, world, site_id=str(elsewhere.id))
    clerk = factories.UserFactory(role="post", agency="post",
                                  organization=world.site.organization)
    headers = api.login(clerk)
    assert client.get(BASE, headers=headers).get_json() == []  # nothing before review
    for created in (mine, theirs):
        session.get(Inspection, uuid.UUID(created["id"])).status = "approved"
    session.flush()
    resp = client.get(BASE, headers=headers)
    assert [i["id"] for i in resp.get_json()] == [mine["id"]]



def test_a_listed_inspection_carries_its_site_team_findings_and_doubtful_photos(
        client, session, world):
    commune = session.scalars(select(Commune).where(Commune.province_code == "92")
                              .order_by(Commune.code)).first()
    world.site.commune_code = commune.code
    session.flush()
    ident = create(client, world)["id"]
    answer_all(client, world, ident, {**COMPLIANT, "A2": "no", "C1": 10, "C2": 7})
    for flags in (["exif_far_from_site", "no_exif_time"], [], ["no_exif_position"]):
        session.add(Photo(inspection_id=uuid.UUID(ident), item_code="A2", sha256="e" * 64,
                          status="ready", flags=flags))
    session.add(Photo(inspection_id=uuid.UUID(ident), item_code="A2", sha256="f" * 64,
                      status="processing", flags=["no_exif_time"]))
    session.flush()
    assert submit(client, world.h["inspector"], ident).status_code == 200
    [got] = client.get(BASE, headers=world.h["supervisor"]).get_json()
    site = world.site
    assert got["site"] == {
        "id": str(site.id), "name": site.name, "organization": site.organization,
        "address": site.address, "commune_code": site.commune_code,
        "commune_name": commune.name,
        "location": {"lon": LON, "lat": LAT, "accuracy_m": None}}
    assert got["members"] == [
        {"id": str(u.id), "full_name": u.full_name, "agency": u.agency, "role": u.role}
        for u in sorted((world.inspector, world.police), key=lambda u: u.username)]
    assert got["team"] == [m["id"] for m in got["members"]]
    assert got["non_compliant"] == 2 and got["photo_flags"] == 2
    assert got["submitted_at"] and "answers" not in got
    detail = client.get(f"{BASE}/{ident}", headers=world.h["supervisor"]).get_json()
    assert detail["site"] == got["site"] and detail["members"] == got["members"]


def test_the_listing_sorts_by_submission_or_by_findings(client, session, world):
    many = create(client, world)["id"]
    answer_all(client, world, many, {**COMPLIANT, "A1": "no", "C1": 10, "C2": 7})
    assert submit(client, world.h["inspector"], many).status_code == 200
    none = create(client, world, started_at="2026-05-20T08:00:00+07:00")["id"]
    answer_all(client, world, none, COMPLIANT)
    assert submit(client, world.h["inspector"], none).status_code == 200
    draft = create(client, world, started_at="2026-05-21T08:00:00+07:00")["id"]

    def ids(sort):  # type: ignore[no-untyped-def]
        resp = client.get(BASE, query_string={"sort": sort}, headers=world.h["supervisor"])
        assert resp.status_code == 200, resp.get_json()
        return [i["id"] for i in resp.get_json()]

    assert ids("-started_at") == [draft, none, many]
    assert ids("submitted_at") == [many, none, draft]
    assert ids("-submitted_at") == [none, many, draft]
    assert ids("-non_compliant") == [many, none, draft]
    assert ids("non_compliant")[-1] == many


def test_the_listing_reads_a_page_in_the_same_few_selects_whatever_its_length(
        client, connection, world):
    def statements() -> int:
        seen: list[str] = []

        def count(*args: object) -> None:
            seen.append(str(args[2]))

        event.listen(connection, "before_cursor_execute", count)
        try:
            resp = client.get(BASE, query_string={"sort": "-non_compliant"},
                              headers=world.h["supervisor"])
            assert resp.status_code == 200, resp.get_json()
        finally:
            event.remove(connection, "before_cursor_execute", count)
        return len(seen)

    create(client, world)
    one = statements()
    for n in range(4):
        other = factories.SiteFactory(organization=f"Bưu điện số {n}")
        create(client, world, site_id=str(other.id))
    assert len(client.get(BASE, headers=world.h["supervisor"]).get_json()) == 5
    assert statements() == one

@pytest.mark.parametrize("sort", ["newest", "site_id", "--submitted_at", ""])
def test_an_unknown_sort_answers_422_naming_the_parameter(client, world, sort):
    got = problem(client.get(BASE, query_string={"sort": sort},
                             headers=world.h["supervisor"]), 422)
    assert "sort" in got["errors"]

# --- answers ---------------------------------------------------------------------------------

def test_answers_need_a_precondition_and_carry_their_own_etag(client, session, world):
    ident = create(client, world)["id"]
    url = f"{BASE}/{ident}/answers/A1"
    body = {"value": "no", "note": "Dấu ngày bị mờ", "answered_at": "2026-05-05T09:00:00+07:00",
            "location": {"lon": LON, "lat": LAT, "accuracy_m": 8}}
    problem(client.put(url, json=body, headers=world.h["inspector"]), 428)
    problem(client.put(url, json=body, headers={**world.h["inspector"], "If-Match": '"1"'}), 412)
    first = client.put(url, json=body, headers={**world.h["inspector"], "If-None-Match": "*"})
    assert first.status_code == 201 and first.headers["ETag"] == '"1"'
    got = first.get_json()
    assert (got["item_code"], got["value"], got["note"], got["version"]) == (
        "A1", "no", "Dấu ngày bị mờ", 1)
    assert got["answered_by"] == str(world.inspector.id)
    assert got["answered_at"] == "2026-05-05T02:00:00+00:00"
    problem(client.put(url, json=body, headers={**world.h["police"], "If-None-Match": "*"}), 412)
    problem(client.put(url, json=body, headers=world.h["police"]), 428)
    second = client.put(url, json={**body, "value": "yes"},
                        headers={**world.h["police"], "If-Match": first.headers["ETag"]})
    assert second.status_code == 200 and second.headers["ETag"] == '"2"'
    problem(client.put(url, json=body, headers={**world.h["inspector"], "If-Match": '"1"'}), 412)
    fetched = client.get(url, headers=world.h["supervisor"])
    assert fetched.headers["ETag"] == '"2"' and fetched.get_json()["value"] == "yes"
    session.expire_all()
    row = session.scalar(select(Answer).where(Answer.item_code == "A1"))
    assert (row.value, row.version, row.answered_by) == ("yes", 2, world.police.id)
    inspection = client.get(f"{BASE}/{ident}", headers=world.h["supervisor"])
    assert inspection.headers["ETag"] == '"1"'
    assert [a["item_code"] for a in inspection.get_json()["answers"]] == ["A1"]


def test_a_value_of_the_wrong_type_answers_422_keyed_value(client, session, world):
    ident = create(client, world)["id"]
    for code, value in (("A1", "có"), ("C1", "năm"), ("C5", "05/05/2026"), ("C2", [1])):
        got = problem(put_answer(client, world.h["inspector"], ident, code, value), 422)
        assert list(got["errors"]) == ["value"]
    got = problem(client.put(f"{BASE}/{ident}/answers/A1", json={"note": 5},
                             headers={**world.h["inspector"], "If-None-Match": "*"}), 422)
    assert set(got["errors"]) == {"value", "answered_at", "note"}
    assert session.scalar(select(func.count()).select_from(Answer)) == 0


def test_an_unknown_item_answers_404_and_outsiders_403_or_404(api, client, world):
    ident = create(client, world)["id"]
    problem(put_answer(client, world.h["inspector"], ident, "Z9", "yes"), 404)
    problem(put_answer(client, world.h["supervisor"], ident, "A1", "yes"), 403)
    outsider = factories.UserFactory(role="inspector")
    problem(put_answer(client, api.login(outsider), ident, "A1", "yes"), 403)
    hai_phong = factories.UserFactory(role="inspector", province_code="31")
    problem(put_answer(client, api.login(hai_phong), ident, "A1", "yes"), 404)
    problem(client.get(f"{BASE}/{ident}/answers/A1", headers=world.h["inspector"]), 404)


def test_two_members_answering_different_items_both_succeed(client, session, world):
    ident = create(client, world)["id"]
    a = put_answer(client, world.h["inspector"], ident, "A1", "yes")
    b = put_answer(client, world.h["police"], ident, "C1", 7)
    assert (a.status_code, b.status_code) == (201, 201)
    again = put_answer(client, world.h["police"], ident, "C1", 8, etag=b.headers["ETag"])
    also = put_answer(client, world.h["inspector"], ident, "A1", "no", etag=a.headers["ETag"])
    assert (again.status_code, also.status_code) == (200, 200)
    session.expire_all()
    rows = session.scalars(select(Answer).order_by(Answer.item_code)).all()
    assert [(r.item_code, r.value, r.version) for r in rows] == [("A1", "no", 2), ("C1", 8, 2)]


# --- submit and review -----------------------------------------------------------------------

def test_submitting_an_incomplete_inspection_answers_422_listing_every_gap(
        client, session, world):
    ident = create(client, world)["id"]
    put_answer(client, world.h["inspector"], ident, "A2", "no")
    put_answer(client, world.h["inspector"], ident, "C2", 3)
    problem(client.post(f"{BASE}/{ident}/submit", headers=world.h["inspector"]), 428)
    problem(submit(client, world.h["inspector"], ident, etag='"9"'), 412)
    got = problem(submit(client, world.h["inspector"], ident), 422)
    assert got["missing_answers"] == ["A1", "C1", "C5"]
    assert got["missing_photos"] == ["A2"]
    assert got["detail"] == ("Chưa thể nộp: 3 mục bắt buộc chưa trả lời, "
                             "1 mục không đạt thiếu ảnh bằng chứng.")
    assert set(got["errors"]) == {"A1", "A2", "C1", "C5"}
    session.expire_all()
    assert session.get(Inspection, uuid.UUID(ident)).status == "draft"


def test_submitting_derives_findings_with_the_items_severity_and_legal_basis(
        client, session, world):
    ident = create(client, world)["id"]
    answer_all(client, world, ident, {**COMPLIANT, "A2": "no", "C1": 10, "C2": 7})
    session.add(Photo(inspection_id=uuid.UUID(ident), item_code="A2", sha256="e" * 64,
                      status="ready"))
    session.flush()
    resp = submit(client, world.h["police"], ident)
    assert resp.status_code == 200 and resp.headers["ETag"] == '"2"'
    assert resp.get_json()["status"] == "submitted" and resp.get_json()["submitted_at"]
    listed = client.get(f"/api/v1/findings?inspection_id={ident}",
                        headers=world.h["supervisor"]).get_json()
    by_item = {f["item_code"]: f for f in listed}
    assert sorted(by_item) == ["A2", "C2"]
    assert by_item["C2"]["severity"] == "critical"
    assert by_item["C2"]["legal_basis"] == "QĐ 32/2025/QĐ-TTg"
    assert by_item["A2"]["legal_refs"][0]["status"] == "verified-summary"
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Finding)) == 2


def test_a_non_supervisor_reviewing_gets_403(client, world):
    ident = create(client, world)["id"]
    answer_all(client, world, ident, COMPLIANT)
    submit(client, world.h["inspector"], ident)
    resp = client.post(f"{BASE}/{ident}/review", json={"decision": "approve"},
                       headers={**world.h["inspector"], "If-Match": '"2"'})
    problem(resp, 403)


def test_a_supervisor_of_another_province_gets_404_when_reviewing(api, client, world):
    ident = create(client, world)["id"]
    answer_all(client, world, ident, COMPLIANT)
    submit(client, world.h["inspector"], ident)
    hai_phong = factories.UserFactory(role="supervisor", province_code="31")
    problem(client.post(f"{BASE}/{ident}/review", json={"decision": "approve"},
                        headers={**api.login(hai_phong), "If-Match": '"2"'}), 404)


def test_a_returned_inspection_is_answered_again_resubmitted_and_approved(
        client, session, world):
    ident = create(client, world)["id"]
    answer_all(client, world, ident, {**COMPLIANT, "A1": "no"})
    submit(client, world.h["inspector"], ident)
    review = f"{BASE}/{ident}/review"
    sup = world.h["supervisor"]
    problem(client.post(review, json={"decision": "return"}, headers=sup), 428)
    got = problem(client.post(review, json={"decision": "return"},
                              headers={**sup, "If-Match": '"2"'}), 422)
    assert list(got["errors"]) == ["comment"]
    problem(client.post(review, json={"decision": "maybe"}, headers={**sup, "If-Match": '"2"'}),
            422)
    resp = client.post(review, json={"decision": "return", "comment": "Chụp lại dấu ngày"},
                       headers={**sup, "If-Match": '"2"'})
    assert resp.status_code == 200 and resp.headers["ETag"] == '"3"'
    assert resp.get_json()["status"] == "returned"
    assert resp.get_json()["review"]["decision"] == "return"
    assert resp.get_json()["review"]["comment"] == "Chụp lại dấu ngày"
    answer_etag = client.get(f"{BASE}/{ident}/answers/A1", headers=sup).headers["ETag"]
    assert put_answer(client, world.h["inspector"], ident, "A1", "yes",
                      etag=answer_etag).status_code == 200
    problem(submit(client, world.h["inspector"], ident, etag='"2"'), 412)
    assert submit(client, world.h["inspector"], ident, etag='"3"').status_code == 200
    resp = client.post(review, json={"decision": "approve", "comment": "Đạt"},
                       headers={**sup, "If-Match": '"4"'})
    assert resp.get_json()["status"] == "approved" and resp.headers["ETag"] == '"5"'
    assert resp.get_json()["review"]["decision"] == "approve"
    problem(client.post(review, json={"decision": "approve"},
                        headers={**sup, "If-Match": '"5"'}), 409)
    problem(put_answer(client, world.h["inspector"], ident, "K1", "Không"), 409)
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Finding)) == 0
    assert session.get(Inspection, uuid.UUID(ident)).status == "approved"
