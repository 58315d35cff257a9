"""A notice whose findings are all verified is stored and shown as `closed` (whether the last
finding is verified through `PATCH /notices/{id}` or `PATCH /findings/{id}`), and its timeline
tells the follow-up from the audit chain to everyone who may read the notice."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from inspection.models import AuditEntry, Notice
from tests import factories
from tests.api.test_notice_followup_api import FollowUp
from tests.api.test_notices_api import problem

API = "/api/v1"


@pytest.fixture
def world(api, client, session):  # type: ignore[no-untyped-def]
    return FollowUp(api, client)


def finding_etag(world, code):  # type: ignore[no-untyped-def]
    found = world.finding(code)
    return found["id"], f'"{found["version"]}"'


def verify_one(world, code, who="supervisor"):  # type: ignore[no-untyped-def]
    finding_id, etag = finding_etag(world, code)
    return world.patch(who, finding_id, {"status": "verified"}, etag)


def test_verifying_every_finding_through_the_notice_closes_it(client, session, world):
    assert world.follow("clerk", {"action": "report_remediation",
                                  "report": "Đã sửa"}).status_code == 200
    before = world.notice()["version"]
    resp = world.follow("inspector", {"action": "verify", "comment": "Đã kiểm tra"})
    assert resp.status_code == 200, resp.get_json()
    assert (resp.get_json()["status"], resp.get_json()["version"]) == ("closed", before + 1)
    assert world.notice(who="clerk")["status"] == "closed"
    assert [n["id"] for n in world.listed("?status=closed").get_json()] == [world.notice_id]
    assert world.listed("?status=issued").get_json() == []
    session.expire_all()
    assert session.get_one(Notice, uuid.UUID(world.notice_id)).status == "closed"
    audited = session.scalars(select(AuditEntry).where(
        AuditEntry.entity == "notices", AuditEntry.entity_id == world.notice_id,
        AuditEntry.action == "update").order_by(AuditEntry.id)).all()
    assert (audited[-1].before["status"], audited[-1].after["status"]) == ("issued", "closed")
    # a closed notice's documents and verification page stay available
    pdf = client.get(f"{API}/notices/{world.notice_id}/document.pdf",
                     headers=world.h["clerk"])
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    checked = client.get(f"/notices/{world.notice_id}/verify",
                         headers={"Accept": "application/json"})
    assert checked.status_code == 200 and checked.get_json()["number"] == "01/TB-SKHCN"


def test_verifying_findings_one_by_one_closes_the_notice_with_the_last(world):
    assert world.follow("clerk", {"action": "report_remediation",
                                  "report": "Đã sửa"}).status_code == 200
    version = world.notice()["version"]
    assert verify_one(world, "A1").status_code == 200
    shown = world.notice()
    assert (shown["status"], shown["version"]) == ("issued", version)
    assert verify_one(world, "C2", who="police").status_code == 200
    shown = world.notice()
    assert (shown["status"], shown["version"]) == ("closed", version + 1)


def test_a_rejection_keeps_the_notice_issued_and_a_closed_notice_takes_no_follow_up(world):
    a1, _ = finding_etag(world, "A1")
    assert world.follow("clerk", {"action": "report_remediation", "report": "Đã sửa",
                                  "finding_ids": [a1]}).status_code == 200
    assert world.follow("inspector", {"action": "reject_remediation",
                                      "comment": "Chưa đạt"}).status_code == 200
    assert world.notice()["status"] == "issued"
    assert world.follow("clerk", {"action": "report_remediation",
                                  "report": "Đã sửa lại"}).status_code == 200
    assert world.follow("supervisor", {"action": "verify"}).status_code == 200
    assert world.notice()["status"] == "closed"
    got = problem(world.follow("clerk", {"action": "report_remediation", "report": "Lại"}),
                  409)
    assert got["notice_status"] == "closed"


def test_settling_reopens_a_closed_notice_whose_finding_is_no_longer_verified(session, world):
    assert world.follow("clerk", {"action": "report_remediation",
                                  "report": "Đã sửa"}).status_code == 200
    assert world.follow("supervisor", {"action": "verify"}).status_code == 200
    notice = session.get_one(Notice, uuid.UUID(world.notice_id), populate_existing=True)
    assert notice.status == "closed"
    assert notice.settle(["verified", "confirmed"]) is True
    assert notice.status == "issued"
    assert notice.settle(["verified", "confirmed"]) is False
    assert notice.settle(["verified", "verified"]) is True and notice.status == "closed"
    notice.status = "pending"
    assert notice.settle(["verified"]) is False and notice.status == "pending"
    session.rollback()


def test_the_timeline_tells_reports_verdicts_and_closing_to_the_post_office(
        api, client, world):
    a1, _ = finding_etag(world, "A1")
    assert world.follow("clerk", {"action": "report_remediation", "report": "Đã sửa A1",
                                  "finding_ids": [a1]}).status_code == 200
    assert world.follow("police", {"action": "reject_remediation",
                                   "comment": "Dấu ngày vẫn sai"}).status_code == 200
    assert world.follow("clerk", {"action": "report_remediation",
                                  "report": "Đã thay dấu"}).status_code == 200
    assert verify_one(world, "A1").status_code == 200
    assert verify_one(world, "C2").status_code == 200

    resp = client.get(f"{API}/notices/{world.notice_id}/timeline", headers=world.h["clerk"])
    assert resp.status_code == 200, resp.get_json()
    events = resp.get_json()["events"]
    told = [(e["kind"], e["item_codes"], e["text"]) for e in events]
    assert told == [
        ("issued", [], None),
        ("reported", ["A1"], "Đã sửa A1"),
        ("rejected", ["A1"], "Dấu ngày vẫn sai"),
        ("reported", ["A1", "C2"], "Đã thay dấu"),
        ("verified", ["A1"], None),
        ("verified", ["C2"], None),
        ("closed", [], None),
    ]
    assert events[1]["actor"]["id"] == str(world.clerk.id)
    assert events[2]["actor"]["role"] == "police"
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)


def test_the_timeline_of_a_notice_outside_the_scope_is_not_found(api, client, world):
    other = factories.UserFactory(role="post", agency="post", organization="Viettel Post")
    problem(client.get(f"{API}/notices/{world.notice_id}/timeline",
                       headers=api.login(other)), 404)
    hai_phong = factories.UserFactory(role="supervisor", province_code="31")
    problem(client.get(f"{API}/notices/{world.notice_id}/timeline",
                       headers=api.login(hai_phong)), 404)
    problem(client.get(f"{API}/notices/{uuid.uuid4()}/timeline",
                       headers=world.h["supervisor"]), 404)
    problem(client.get(f"{API}/notices/not-a-uuid/timeline",
                       headers=world.h["supervisor"]), 404)
