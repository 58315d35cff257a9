"""Follow-up of violation notices over HTTP: the post office reports remediation with photo
evidence sent through tus, the inspectors verify or reject it, `If-Match` guards every change,
and supervisors list notices with whether they are overdue and when they were last reminded."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from api.cli_reminders import reminders
from inspection.models import Finding, Notice, NoticeReminder, Photo
from tests import factories
from tests.api.test_notices_api import World, issued, problem
from tests.api.tus import Tus
from tests.media import pictures

API = "/api/v1"


class FollowUp(World):
    """An issued notice for A1 and C2 of an approved inspection at Cần Thơ."""

    def __init__(self, api, client) -> None:  # type: ignore[no-untyped-def]
        super().__init__(api, client)
        self.notice_id = issued(self)["notice_id"]

    def notice(self, who="supervisor"):  # type: ignore[no-untyped-def]
        resp = self.get(self.notice_id, who)
        assert resp.status_code == 200, resp.get_json()
        return resp.get_json()

    def follow(self, who, body, etag="current"):  # type: ignore[no-untyped-def]
        if etag == "current":
            etag = f'"{self.notice()["version"]}"'
        headers = {**self.h[who], **({"If-Match": etag} if etag else {})}
        return self.client.patch(f"{API}/notices/{self.notice_id}", json=body, headers=headers)

    def listed(self, query="", who="supervisor"):  # type: ignore[no-untyped-def]
        resp = self.client.get(f"{API}/notices{query}", headers=self.h[who])
        assert resp.status_code == 200, resp.get_json()
        return resp

    def statuses(self):  # type: ignore[no-untyped-def]
        return {f["item_code"]: f["status"] for f in self.notice()["findings"]}


@pytest.fixture
def world(api, client, session):  # type: ignore[no-untyped-def]
    return FollowUp(api, client)


def after_due(world, days=3):  # type: ignore[no-untyped-def]
    return date.fromisoformat(world.notice()["due_on"]) + timedelta(days=days)


def test_the_post_office_reports_with_a_photo_and_the_inspector_verifies(
        client, session, tmp_path, world):
    jpeg = pictures.save_jpeg(tmp_path / "fixed.jpg", pictures.two_tone()).read_bytes()
    tus = Tus(client, world.h["clerk"])
    created = tus.create(jpeg, inspection_id=world.inspection_id, item_code="A1",
                         filename="dau-ngay-moi.jpg", filetype="image/jpeg")
    assert created.status_code == 201, created.get_json()
    assert tus.send(created.headers["Location"], jpeg).status_code == 204
    photo_id = created.get_json()["photo_id"]
    session.expire_all()
    photo = session.get_one(Photo, uuid.UUID(photo_id))
    assert (photo.status, photo.item_code, photo.uploaded_by) == (
        "ready", "A1", world.clerk.id)

    before = world.notice()
    resp = world.follow("clerk", {"action": "report_remediation",
                                  "report": "Đã thay con dấu ngày mới, cập nhật danh sách.",
                                  "photo_ids": [photo_id]})
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["version"] == before["version"] + 1
    assert resp.headers["ETag"] == f'"{body["version"]}"'
    assert body["remediation"]["report"] == "Đã thay con dấu ngày mới, cập nhật danh sách."
    assert body["remediation"]["photo_ids"] == [photo_id]
    assert body["remediation"]["reported_by"] == str(world.clerk.id)
    assert world.statuses() == {"A1": "remediated", "C2": "remediated"}
    assert {f["version"] for f in body["findings"]} == {3}  # open 1, confirmed 2, now 3

    resp = world.follow("inspector", {"action": "verify", "comment": "Đã kiểm tra lại"})
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["review"]["decision"] == "verified"
    session.expire_all()
    rows = session.scalars(select(Finding).where(
        Finding.inspection_id == uuid.UUID(world.inspection_id),
        Finding.status != "open")).all()
    assert {(f.item_code, f.status, f.version) for f in rows} == {
        ("A1", "verified", 4), ("C2", "verified", 4)}
    pulled = client.get(f"{API}/sync/pull?limit=500", headers=world.h["inspector"]).get_json()
    versions = {c["data"]["item_code"]: c["version"] for c in pulled["changes"]
                if c["entity"] == "finding"}
    assert versions == {"A1": 4, "C2": 4}


def test_named_findings_move_alone_and_a_rejection_sends_them_back_to_confirmed(world):
    a1 = next(f for f in world.notice()["findings"] if f["item_code"] == "A1")
    resp = world.follow("clerk", {"action": "report_remediation", "report": "Đã sửa A1",
                                  "finding_ids": [a1["id"]]})
    assert resp.status_code == 200, resp.get_json()
    assert world.statuses() == {"A1": "remediated", "C2": "confirmed"}
    got = problem(world.follow("police", {"action": "reject_remediation"}), 422)
    assert "comment" in got["errors"]
    resp = world.follow("police", {"action": "reject_remediation",
                                   "comment": "Dấu ngày vẫn sai"})
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["review"] == {
        **resp.get_json()["review"], "decision": "rejected", "comment": "Dấu ngày vẫn sai"}
    assert world.statuses() == {"A1": "confirmed", "C2": "confirmed"}


def test_wrong_transitions_answer_409_and_bad_bodies_422(world):
    got = problem(world.follow("inspector", {"action": "verify"}), 409)
    assert got["current_statuses"] == {"A1": "confirmed", "C2": "confirmed"}
    problem(world.follow("clerk", {"action": "report_remediation"}), 422)
    problem(world.follow("clerk", {"action": "fix_it", "report": "x"}), 422)
    problem(world.follow("clerk", {"action": "report_remediation", "report": "Đã sửa",
                                   "finding_ids": [str(uuid.uuid4())]}), 422)
    problem(world.follow("clerk", {"action": "report_remediation", "report": "Đã sửa",
                                   "photo_ids": [str(uuid.uuid4())]}), 422)
    assert world.follow("clerk", {"action": "report_remediation",
                                  "report": "Đã sửa"}).status_code == 200
    got = problem(world.follow("clerk", {"action": "report_remediation", "report": "Lại"}), 409)
    assert "confirmed" in got["detail"]
    assert world.statuses() == {"A1": "remediated", "C2": "remediated"}


def test_if_match_is_required_and_a_stale_one_answers_412(world):
    body = {"action": "report_remediation", "report": "Đã sửa"}
    problem(world.follow("clerk", body, etag=None), 428)
    stale = f'"{world.notice()["version"] - 1}"'
    problem(world.follow("clerk", body, etag=stale), 412)
    assert world.statuses() == {"A1": "confirmed", "C2": "confirmed"}


def test_only_the_post_office_reports_and_only_the_team_or_a_supervisor_verifies(
        api, client, world):
    report = {"action": "report_remediation", "report": "Đã sửa"}
    problem(world.follow("inspector", report), 403)
    problem(world.follow("supervisor", report), 403)
    other_post = factories.UserFactory(role="post", agency="post",
                                       organization="Bưu điện thành phố Hải Phòng")
    world.h["other_post"] = api.login(other_post)
    problem(world.follow("other_post", report, etag='"1"'), 404)
    hai_phong = factories.UserFactory(role="supervisor", province_code="31")
    world.h["hai_phong"] = api.login(hai_phong)
    problem(world.follow("hai_phong", {"action": "verify"}, etag='"1"'), 404)
    assert world.follow("clerk", report).status_code == 200
    problem(world.follow("clerk", {"action": "verify"}), 403)
    outsider = factories.UserFactory(role="inspector")
    world.h["outsider"] = api.login(outsider)
    problem(world.follow("outsider", {"action": "verify"}), 403)
    assert world.follow("supervisor", {"action": "verify"}).status_code == 200
    assert world.statuses() == {"A1": "verified", "C2": "verified"}


def test_a_post_office_uploads_evidence_only_for_a_noticed_finding(
        api, client, tmp_path, world):
    jpeg = pictures.save_jpeg(tmp_path / "x.jpg", pictures.two_tone()).read_bytes()
    clerk = Tus(client, world.h["clerk"])
    problem(clerk.create(jpeg, inspection_id=world.inspection_id), 403)
    problem(clerk.create(jpeg, inspection_id=world.inspection_id, item_code="A2"), 403)
    other = factories.UserFactory(role="post", agency="post", organization="Viettel Post")
    problem(Tus(client, api.login(other)).create(
        jpeg, inspection_id=world.inspection_id, item_code="A1"), 404)
    # the team's own rule is unchanged: the inspection is approved, no more photos
    problem(Tus(client, world.h["inspector"]).create(
        jpeg, inspection_id=world.inspection_id, item_code="A1"), 409)


def test_the_list_shows_overdue_on_a_given_day_filters_and_pages(api, client, world):
    due = date.fromisoformat(world.notice()["due_on"])
    resp = world.listed(f"?on={due.isoformat()}")
    [shown] = resp.get_json()
    assert json.loads(resp.headers["X-Pagination"])["total"] == 1
    assert (shown["overdue"], shown["days_overdue"], shown["last_reminded_on"]) == (
        False, 0, None)
    late = after_due(world, 5)
    [shown] = world.listed(f"?on={late.isoformat()}").get_json()
    assert (shown["overdue"], shown["days_overdue"], shown["as_of"]) == (
        True, 5, late.isoformat())
    assert world.listed(f"?on={late}&overdue=true").get_json()[0]["id"] == world.notice_id
    assert world.listed(f"?on={late}&overdue=false").get_json() == []
    assert world.listed(f"?on={due}&overdue=true").get_json() == []
    assert len(world.listed(f"?inspection_id={world.inspection_id}&status=issued")
               .get_json()) == 1
    assert world.listed("?status=failed").get_json() == []
    assert len(world.listed(who="clerk").get_json()) == 1
    other = factories.UserFactory(role="post", agency="post", organization="Viettel Post")
    assert client.get(f"{API}/notices", headers=api.login(other)).get_json() == []
    hai_phong = factories.UserFactory(role="supervisor", province_code="31")
    assert client.get(f"{API}/notices", headers=api.login(hai_phong)).get_json() == []
    problem(client.get(f"{API}/notices", headers=world.h["inspector"]), 403)
    problem(client.get(f"{API}/notices?overdue=maybe", headers=world.h["supervisor"]), 422)
    # once everything is remediated the notice is no longer overdue
    assert world.follow("clerk", {"action": "report_remediation",
                                  "report": "Đã sửa"}).status_code == 200
    [shown] = world.listed(f"?on={late}").get_json()
    assert (shown["overdue"], shown["days_overdue"]) == (False, 0)


def test_kt1_reminders_records_one_per_notice_and_day_and_prints_them(app, session, world):
    late = after_due(world, 2)
    runner = app.test_cli_runner()
    first = runner.invoke(reminders, ["--on", late.isoformat()])
    assert first.exit_code == 0, first.output
    assert "1 thông báo quá hạn" in first.output and "ghi nhắc mới 1" in first.output
    assert "Số 01/TB-SKHCN" in first.output and "quá hạn 2 ngày" in first.output
    assert world.site.name in first.output
    again = runner.invoke(reminders, ["--on", late.isoformat()])
    assert again.exit_code == 0 and "ghi nhắc mới 0" in again.output
    session.expire_all()
    assert len(session.scalars(select(NoticeReminder)).all()) == 1
    [shown] = world.listed(f"?on={late}").get_json()
    assert shown["last_reminded_on"] == late.isoformat()
    assert session.get_one(Notice, uuid.UUID(world.notice_id)).status == "issued"
