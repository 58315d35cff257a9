"""/findings over HTTP: listing with filters and scope, reading with an ETag, and the
transitions with their preconditions."""

from __future__ import annotations

import json
import uuid
from datetime import date

import pytest
from sqlalchemy import select

from inspection.models import Finding
from tests import factories

BASE = "/api/v1/findings"
INSPECTIONS = "/api/v1/inspections"
LON, LAT = factories.CAN_THO


class World:
    """An approved inspection with two findings: A1 (high) and C2 (critical)."""

    def __init__(self, api, client, *, approve=True) -> None:  # type: ignore[no-untyped-def]
        self.client = client
        self.inspector, self.police = factories.joint_team()
        self.supervisor = factories.UserFactory(role="supervisor")
        self.clerk = factories.UserFactory(role="post", agency="post",
                                           organization="Bưu điện thành phố Cần Thơ")
        self.site = factories.SiteFactory()
        checklist = factories.inspection_checklist()
        self.h = {name: api.login(getattr(self, name))
                  for name in ("inspector", "police", "supervisor", "clerk")}
        self.inspection_id = str(uuid.uuid4())
        self._ok(client.post(INSPECTIONS, headers=self.h["inspector"], json={
            "id": self.inspection_id, "site_id": str(self.site.id),
            "checklist_id": str(checklist.id), "started_at": "2026-05-05T08:30:00+07:00",
            "location": {"lon": LON, "lat": LAT, "accuracy_m": 10},
            "team": [str(self.inspector.id), str(self.police.id)]}))
        values = {"A1": "no", "A2": "yes", "C1": 6, "C2": 4, "C5": "2026-01-15"}
        for code, value in values.items():
            self._ok(client.put(
                f"{INSPECTIONS}/{self.inspection_id}/answers/{code}",
                json={"value": value, "answered_at": "2026-05-05T09:00:00+07:00"},
                headers={**self.h["inspector"], "If-None-Match": "*"}))
        self._ok(client.post(f"{INSPECTIONS}/{self.inspection_id}/submit",
                             headers={**self.h["inspector"], "If-Match": '"1"'}))
        if approve:
            self._ok(client.post(f"{INSPECTIONS}/{self.inspection_id}/review",
                                 json={"decision": "approve"},
                                 headers={**self.h["supervisor"], "If-Match": '"2"'}))

    @staticmethod
    def _ok(resp):  # type: ignore[no-untyped-def]
        assert resp.status_code in (200, 201), resp.get_json()
        return resp

    def finding(self, code):  # type: ignore[no-untyped-def]
        listed = self.client.get(f"{BASE}?inspection_id={self.inspection_id}",
                                 headers=self.h["supervisor"]).get_json()
        return next(f for f in listed if f["item_code"] == code)

    def patch(self, who, finding_id, body, etag):  # type: ignore[no-untyped-def]
        headers = {**self.h[who], **({"If-Match": etag} if etag else {})}
        return self.client.patch(f"{BASE}/{finding_id}", json=body, headers=headers)


@pytest.fixture
def world(api, client, session):  # type: ignore[no-untyped-def]
    return World(api, client)


def problem(resp, status):  # type: ignore[no-untyped-def]
    assert resp.status_code == status, resp.get_json()
    assert resp.mimetype == "application/problem+json"
    return resp.get_json()


def stored(session, finding_id):  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.get(Finding, uuid.UUID(finding_id))


def test_findings_carry_the_items_severity_and_legal_basis(client, world):
    a1 = world.finding("A1")
    assert set(a1) >= {"id", "inspection_id", "site_id", "item_code", "severity",
                       "legal_basis", "legal_refs", "description", "status", "due_on",
                       "version"}
    assert (a1["severity"], a1["legal_basis"], a1["status"], a1["due_on"]) == (
        "high", "NĐ 174/2026/NĐ-CP Đ.9(1)", "open", None)
    assert a1["legal_refs"] == [{"instrument": "Nghị định 174/2026/NĐ-CP", "article": "9(1)",
                                 "status": "verified"}]
    assert a1["description"] == ("Chưa bảo đảm yêu cầu “Dấu ngày, thời gian chấp nhận thể hiện "
                                 "đúng trên bưu gửi”")
    c2 = world.finding("C2")
    assert (c2["severity"], c2["site_id"]) == ("critical", str(world.site.id))
    resp = client.get(f"{BASE}/{a1['id']}", headers=world.h["inspector"])
    assert resp.status_code == 200 and resp.headers["ETag"] == '"1"'
    assert resp.get_json() == a1


def test_the_listing_filters_pages_and_scopes(api, client, world):
    def items(query, who="supervisor"):  # type: ignore[no-untyped-def]
        resp = client.get(f"{BASE}{query}", headers=world.h[who])
        assert resp.status_code == 200, resp.get_json()
        return sorted(f["item_code"] for f in resp.get_json())

    assert items("") == ["A1", "C2"]
    assert items("?severity=critical") == ["C2"]
    assert items(f"?site_id={world.site.id}&status=open") == ["A1", "C2"]
    assert items("?status=verified") == []
    assert items("?from=2026-05-05&to=2026-05-06") == ["A1", "C2"]
    assert items("?from=2026-05-06") == []
    assert items("", who="clerk") == []  # open findings: not the post office's until confirmed
    stranger = factories.UserFactory(role="post", agency="post", organization="Viettel Post")
    assert client.get(BASE, headers=api.login(stranger)).get_json() == []
    hai_phong = factories.UserFactory(role="supervisor", province_code="31")
    assert client.get(BASE, headers=api.login(hai_phong)).get_json() == []
    resp = client.get(f"{BASE}?page_size=1", headers=world.h["supervisor"])
    assert len(resp.get_json()) == 1
    assert json.loads(resp.headers["X-Pagination"])["total"] == 2
    problem(client.get(f"{BASE}?severity=grave", headers=world.h["supervisor"]), 422)
    problem(client.get(f"{BASE}?from=tomorrow", headers=world.h["supervisor"]), 422)
    for code in ("A1", "C2"):
        assert world.patch("supervisor", world.finding(code)["id"], {"status": "confirmed"},
                           '"1"').status_code == 200
    assert items("", who="clerk") == ["A1", "C2"]


def test_a_finding_of_another_province_answers_404(api, client, world):
    hai_phong = factories.UserFactory(role="supervisor", province_code="31")
    a1 = world.finding("A1")
    problem(client.get(f"{BASE}/{a1['id']}", headers=api.login(hai_phong)), 404)
    problem(client.patch(f"{BASE}/{a1['id']}", json={"status": "confirmed"},
                         headers={**api.login(hai_phong), "If-Match": '"1"'}), 404)


def test_patching_without_if_match_answers_428_and_with_a_stale_one_412(
        client, session, world):
    a1 = world.finding("A1")
    problem(world.patch("supervisor", a1["id"], {"status": "confirmed"}, None), 428)
    problem(world.patch("supervisor", a1["id"], {"status": "confirmed"}, '"7"'), 412)
    assert stored(session, a1["id"]).status == "open"


def test_a_finding_is_confirmed_remediated_by_the_post_office_and_verified(
        client, session, world):
    a1 = world.finding("A1")
    resp = world.patch("supervisor", a1["id"], {"status": "confirmed",
                                                "comment": "Vi phạm Điều 9 khoản 1",
                                                "due_on": "2026-06-30"}, '"1"')
    assert resp.status_code == 200 and resp.headers["ETag"] == '"2"'
    assert resp.get_json()["due_on"] == "2026-06-30"
    resp = world.patch("clerk", a1["id"], {"status": "remediated",
                                           "comment": "Đã thay con dấu ngày mới"}, '"2"')
    assert resp.status_code == 200 and resp.get_json()["status"] == "remediated"
    problem(world.patch("clerk", a1["id"], {"status": "verified"}, '"3"'), 403)
    resp = world.patch("police", a1["id"], {"status": "verified"}, '"3"')
    assert resp.status_code == 200 and resp.headers["ETag"] == '"4"'
    row = stored(session, a1["id"])
    assert (row.status, row.version, row.due_on) == ("verified", 4, date(2026, 6, 30))


def test_a_forbidden_transition_answers_409_naming_the_allowed_ones(client, session, world):
    c2 = world.finding("C2")
    got = problem(world.patch("supervisor", c2["id"], {"status": "verified"}, '"1"'), 409)
    assert got["allowed"] == ["confirmed", "dismissed"]
    assert "confirmed" in got["detail"]
    problem(world.patch("inspector", c2["id"], {"status": "confirmed"}, '"1"'), 403)
    got = problem(world.patch("supervisor", c2["id"], {"status": "dismissed"}, '"1"'), 422)
    assert list(got["errors"]) == ["comment"]
    ok = world.patch("supervisor", c2["id"], {"status": "dismissed",
                                              "comment": "Danh sách nhân sự đã cập nhật"}, '"1"')
    assert ok.status_code == 200
    got = problem(world.patch("supervisor", c2["id"], {"status": "open"}, '"2"'), 409)
    assert got["allowed"] == []
    assert stored(session, c2["id"]).status == "dismissed"


def test_wrong_types_and_malformed_json_are_problems(client, world):
    a1 = world.finding("A1")
    got = problem(world.patch("supervisor", a1["id"],
                              {"status": "fixed", "due_on": "30/06/2026", "comment": 3}, '"1"'),
                  422)
    assert set(got["errors"]) == {"status", "due_on", "comment"}
    resp = client.patch(f"{BASE}/{a1['id']}", data="{status: confirmed",
                        content_type="application/json",
                        headers={**world.h["supervisor"], "If-Match": '"1"'})
    problem(resp, 400)


def test_before_approval_only_a_supervisor_confirms_and_nothing_is_remediated(
        api, client, session):
    world = World(api, client, approve=False)
    a1 = world.finding("A1")
    problem(world.patch("inspector", a1["id"], {"status": "confirmed"}, '"1"'), 403)
    assert world.patch("supervisor", a1["id"], {"status": "confirmed"}, '"1"').status_code == 200
    got = problem(world.patch("inspector", a1["id"], {"status": "remediated"}, '"2"'), 409)
    assert got["inspection_status"] == "submitted"
    assert stored(session, a1["id"]).status == "confirmed"
    assert session.scalar(select(Finding.status).where(Finding.item_code == "C2")) == "open"
