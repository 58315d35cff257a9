"""/provision-reports over HTTP: the post office writes its annual KT1 report and sends it
(If-Match), the Sở accepts or returns it, the sent report is rendered as PDF and DOCX by a job,
`/status` shows who is late on a given day, and `kt1 reminders` reminds from 1 December; each
for whom it may, and bad input as problem+json. The sites, users and logins are made once per
backend for the module (tests/module_world.py); each test runs in a SAVEPOINT rolled back after
it."""

from __future__ import annotations

import copy
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select

import workers.jobs
from api.cli_reminders import reminders
from inspection import provision
from inspection.models import Job, ProvisionReminder, ProvisionReport
from tests import factories
from tests.api.test_notices_api import problem
from tests.factories import CAN_THO_POST, PROVISION_CONTENT
from tests.module_world import backend, build_world, connection  # noqa: F401
from tests.workers.test_documents import NATIONAL_TITLE, docx_text, pdf_text

API = "/api/v1/provision-reports"
VIETTEL = "Chi nhánh Bưu chính Viettel Cần Thơ"
HAI_PHONG_POST = "Bưu điện thành phố Hải Phòng"
DEC = {day: date(2026, 12, day) for day in range(1, 32)}


class World:
    """Two providers at Cần Thơ and one at Hải Phòng; one user of every kind."""

    client: Any  # the test's

    def __init__(self, api) -> None:  # type: ignore[no-untyped-def]
        for organization, code in ((CAN_THO_POST, "92"), (VIETTEL, "92"),
                                   (HAI_PHONG_POST, "31")):
            factories.SiteFactory(organization=organization, province_code=code)
        factories.SiteFactory(organization="Văn phòng UBND thành phố", kind="kt1_user")
        post = {"clerk": (CAN_THO_POST, "92"), "viettel": (VIETTEL, "92"),
                "hai_phong_post": (HAI_PHONG_POST, "31")}
        self.users = {who: factories.UserFactory(role="post", agency="post",
                                                 organization=org, province_code=code)
                      for who, (org, code) in post.items()}
        self.users |= {
            "supervisor": factories.UserFactory(role="supervisor"),
            "inspector": factories.UserFactory(role="inspector"),
            "police": factories.UserFactory(role="police", agency="police"),
            "admin": factories.UserFactory(role="admin"),
            "national": factories.UserFactory(role="admin", province_code=None),
            "outsider": factories.UserFactory(role="supervisor", province_code="31"),
        }
        self.h = {who: api.login(user) for who, user in self.users.items()}

    def create(self, who: str = "clerk", year: Any = 2026) -> Any:
        return self.client.post(API, json={"year": year}, headers=self.h[who])

    def created(self) -> dict[str, Any]:
        resp = self.create()
        assert resp.status_code == 201, resp.get_json()
        return resp.get_json()  # type: ignore[no-any-return]

    def get(self, report_id: str, who: str = "clerk") -> Any:
        return self.client.get(f"{API}/{report_id}", headers=self.h[who])

    def current(self, report_id: str) -> str:
        return f'"{self.get(report_id, "supervisor").get_json()["version"]}"'

    def _headers(self, report_id: str, who: str, etag: str | None) -> dict[str, str]:
        etag = self.current(report_id) if etag == "current" else etag
        return {**self.h[who], **({"If-Match": etag} if etag else {})}

    def patch(self, report_id: str, body: Any, who: str = "clerk",
              etag: str | None = "current") -> Any:
        return self.client.patch(f"{API}/{report_id}", json=body,
                                 headers=self._headers(report_id, who, etag))

    def act(self, report_id: str, action: str, who: str, body: Any = None,
            etag: str | None = "current") -> Any:
        return self.client.post(f"{API}/{report_id}/{action}", json=body,
                                headers=self._headers(report_id, who, etag))

    def complete(self) -> dict[str, Any]:
        report = self.created()
        resp = self.patch(report["id"], PROVISION_CONTENT)
        assert resp.status_code == 200, resp.get_json()
        return resp.get_json()  # type: ignore[no-any-return]

    def sent(self) -> dict[str, Any]:
        resp = self.act(self.complete()["id"], "submit", "clerk")
        assert resp.status_code == 200, resp.get_json()
        return resp.get_json()  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def logged_in(module_connection, tmp_path_factory):  # type: ignore[no-untyped-def]
    return build_world(module_connection, tmp_path_factory.mktemp("provision-world"),
                       lambda _session, api: World(api))


@pytest.fixture
def world(logged_in, client, session):  # type: ignore[no-untyped-def]
    """The module's world on the test's client, its users loaded in the test's session."""
    world = copy.copy(logged_in)
    world.client = client
    user = factories.UserFactory._meta.model
    world.users = {who: session.get_one(user, u.id) for who, u in logged_in.users.items()}
    return world


def today() -> date:
    return provision.today()


# --- The workflow --------------------------------------------------------------------------------

def test_the_post_office_writes_and_sends_and_the_so_accepts_it(client, world):
    resp = world.create()
    assert resp.status_code == 201, resp.get_json()
    report = resp.get_json()
    assert resp.headers["ETag"] == '"1"'
    assert {k: report[k] for k in ("organization", "province_code", "year", "status",
                                   "due_on", "version", "files")} == {
        "organization": CAN_THO_POST, "province_code": "92", "year": 2026, "status": "draft",
        "due_on": "2026-12-10", "version": 1, "files": {"pdf": None, "docx": None}}
    again = world.create()
    assert again.status_code == 200 and again.get_json()["id"] == report["id"]

    resp = world.patch(report["id"], PROVISION_CONTENT)
    assert resp.status_code == 200, resp.get_json()
    edited = resp.get_json()
    assert resp.headers["ETag"] == '"2"'
    assert {k: edited[k] for k in PROVISION_CONTENT} == PROVISION_CONTENT

    resp = world.act(report["id"], "submit", "clerk")
    assert resp.status_code == 200, resp.get_json()
    sent = resp.get_json()
    assert (sent["status"], sent["version"], sent["first_submitted_on"], sent["received_on"]) == (
        "submitted", 3, today().isoformat(), None)
    job = client.get(f"/api/v1/jobs/{sent['job_id']}", headers=world.h["clerk"]).get_json()
    assert (job["status"], job["result"]["report_id"]) == ("finished", report["id"])
    shown = world.get(report["id"]).get_json()
    assert shown["version"] == 3 and shown["pdf_sha256"] == job["result"]["pdf_sha256"]
    problem(world.patch(report["id"], {"proposals": "Sửa sau khi gửi"}), 409)

    resp = world.act(report["id"], "accept", "supervisor", {"comment": "Đủ nội dung"})
    assert resp.status_code == 200, resp.get_json()
    accepted = resp.get_json()
    assert (accepted["status"], accepted["received_on"], accepted["review_comment"],
            accepted["reviewed_by"]) == ("accepted", today().isoformat(), "Đủ nội dung",
                                         str(world.users["supervisor"].id))
    problem(world.act(report["id"], "accept", "supervisor"), 409)
    problem(world.act(report["id"], "return", "supervisor", {"comment": "Muộn"}), 409)
    problem(world.act(report["id"], "submit", "clerk"), 409)


def test_the_sent_report_downloads_as_pdf_and_docx_with_its_content(client, world):
    report = world.sent()
    files = world.get(report["id"]).get_json()["files"]
    assert files == {kind: f"{API}/{report['id']}/document.{kind}" for kind in ("pdf", "docx")}
    sent_on = today()
    month = f"{sent_on.month:02d}" if sent_on.month < 3 else str(sent_on.month)
    for kind, extract in (("pdf", pdf_text), ("docx", docx_text)):
        for who in ("clerk", "supervisor"):
            got = client.get(files[kind], headers=world.h[who])
            assert got.status_code == 200 and got.mimetype.startswith("application/")
        text = extract(got.data)
        for phrase in (NATIONAL_TITLE, "TỔNG CÔNG TY BƯU ĐIỆN VIỆT NAM",
                       "BƯU ĐIỆN THÀNH PHỐ CẦN THƠ", "Số: ......./BC-.......", "BÁO CÁO",
                       "Tình hình cung cấp dịch vụ bưu chính KT1 năm 2026",
                       f"Cần Thơ, ngày {sent_on.day:02d} tháng {month} năm {sent_on.year}",
                       "Kính gửi: Ủy ban nhân dân thành phố Cần Thơ (qua Sở Khoa học và "
                       "Công nghệ)", "1.234.567 bưu gửi", "234.567 bưu gửi",
                       "45 người lao động", "12.345.678.900 đồng", "14/03/2026",
                       PROVISION_CONTENT["incidents"][0]["description"],  # type: ignore[index]
                       PROVISION_CONTENT["difficulties"], PROVISION_CONTENT["proposals"],
                       "Nơi nhận:", "GIÁM ĐỐC"):
            assert phrase in text, (kind, phrase)


def test_the_post_offices_own_signer_is_printed_under_the_signature(client, world):
    report = world.complete()
    resp = world.patch(report["id"], {"signer_name": "  Nguyễn Thị Thu ",
                                      "signer_title": "Phó Giám đốc"})
    assert resp.status_code == 200, resp.get_json()
    assert (resp.get_json()["signer_name"], resp.get_json()["signer_title"]) == (
        "Nguyễn Thị Thu", "Phó Giám đốc")
    sent = world.act(report["id"], "submit", "clerk")
    assert sent.status_code == 200, sent.get_json()
    files = world.get(report["id"]).get_json()["files"]
    for kind, extract in (("pdf", pdf_text), ("docx", docx_text)):
        text = extract(client.get(files[kind], headers=world.h["clerk"]).data)
        block = text[text.index("Nơi nhận:"):]
        assert block.index("PHÓ GIÁM ĐỐC") < block.index("Nguyễn Thị Thu"), kind


def test_a_returned_report_is_edited_and_sent_again_keeping_its_first_sending_day(
        client, session, world):
    report = world.sent()
    got = problem(world.act(report["id"], "return", "supervisor", {"comment": "  "}), 422)
    assert "comment" in got["errors"]
    problem(world.act(report["id"], "return", "supervisor", {}), 422)
    resp = world.act(report["id"], "return", "supervisor",
                     {"comment": "Bổ sung cách xử lý sự cố"})
    assert resp.status_code == 200, resp.get_json()
    assert (resp.get_json()["status"], resp.get_json()["review_comment"]) == (
        "returned", "Bổ sung cách xử lý sự cố")
    resp = world.patch(report["id"], {"incidents": []})
    assert resp.status_code == 200 and resp.get_json()["incidents"] == []
    session.get_one(ProvisionReport, uuid.UUID(report["id"])).first_submitted_on = DEC[1]
    session.flush()
    resent = world.act(report["id"], "submit", "clerk").get_json()
    assert (resent["status"], resent["first_submitted_on"]) == ("submitted", "2026-12-01")
    assert resent["job_id"] != report["job_id"]
    assert resent["pdf_sha256"] is None or resent["pdf_sha256"] != report["pdf_sha256"]
    assert world.get(report["id"]).get_json()["files"]["pdf"] is not None
    accepted = world.act(report["id"], "accept", "admin").get_json()
    assert (accepted["status"], accepted["received_on"]) == ("accepted", today().isoformat())
    session.expire_all()
    assert len(session.scalars(select(Job).where(Job.kind == "provision_report")).all()) == 2


def test_sending_an_incomplete_report_lists_every_missing_field_in_vietnamese(world):
    report = world.created()
    assert world.patch(report["id"], {"total_volume": 10, "staff_involved": 0,
                                      "compliance": {"service": "Đạt"}}).status_code == 200
    got = problem(world.act(report["id"], "submit", "clerk"), 422)
    assert sorted(got["errors"]) == sorted([
        "local_volume", "revenue_vnd", "compliance.quality", "compliance.connection",
        "compliance.security", "compliance.archiving", "incidents", "difficulties",
        "proposals"])
    assert got["errors"]["incidents"] == [
        "Chưa nêu các sự cố, vi phạm và cách xử lý (gửi danh sách rỗng nếu không có)."]
    assert "9 nội dung" in got["detail"] and sorted(got["missing"]) == sorted(got["errors"])
    assert world.get(report["id"]).get_json()["status"] == "draft"


def test_if_match_is_required_and_a_stale_one_answers_412(world):
    report = world.complete()
    problem(world.patch(report["id"], {"proposals": "Mới"}, etag=None), 428)
    problem(world.patch(report["id"], {"proposals": "Mới"}, etag='"1"'), 412)
    problem(world.patch(report["id"], {"proposals": "Mới"}, etag='"abc"'), 412)
    problem(world.act(report["id"], "submit", "clerk", etag=None), 428)
    problem(world.act(report["id"], "submit", "clerk", etag='"1"'), 412)
    assert world.act(report["id"], "submit", "clerk", etag='"2"').status_code == 200
    for action, body in (("accept", None), ("return", {"comment": "Thiếu"})):
        problem(world.act(report["id"], action, "supervisor", body, etag=None), 428)
        problem(world.act(report["id"], action, "supervisor", body, etag='"2"'), 412)
    assert world.get(report["id"]).get_json()["status"] == "submitted"


@pytest.mark.parametrize("body, field", [
    ({"total_volume": "12"}, "total_volume"),
    ({"total_volume": 1.5}, "total_volume"),
    ({"staff_involved": True}, "staff_involved"),
    ({"revenue_vnd": -1}, "revenue_vnd"),
    ({"local_volume": 2**31}, "local_volume"),
    ({"compliance": {"weather": "Nắng"}}, "compliance"),
    ({"compliance": "Đạt"}, "compliance"),
    ({"incidents": [{"occurred_on": "2026-03-14", "description": "Chậm phát"}]}, "incidents"),
    ({"incidents": [{"occurred_on": "14/03/2026", "description": "x", "handling": "y"}]},
     "incidents"),
    ({"incidents": {"description": "x"}}, "incidents"),
    ({"volume": 12}, "volume"),
    ({"total_volume": 10, "local_volume": 11}, "local_volume"),
    ({"signer_name": "x" * 201}, "signer_name"),
    ({"signer_title": 5}, "signer_title"),
    ({}, "_schema"),
])
def test_bad_content_is_a_422_problem_naming_the_field(world, body, field):
    report = world.created()
    got = problem(world.patch(report["id"], body, etag='"1"'), 422)
    assert field in got["errors"], got
    assert world.get(report["id"]).get_json()["version"] == 1


def test_malformed_json_and_bad_queries_are_problems(client, world):
    report = world.created()
    resp = client.patch(f"{API}/{report['id']}", data='{"total_volume": 12',
                        headers={**world.h["clerk"], "If-Match": '"1"',
                                 "Content-Type": "application/json"})
    assert problem(resp, 400)["type"].endswith("malformed-json")
    assert "year" in problem(world.create(year="2026"), 422)["errors"]
    problem(world.create(year=1999), 422)
    assert "year" in problem(world.create(year=2027), 422)["errors"]  # not begun yet
    for query in ("?status=lost", "?year=abc", "?province_code=9"):
        problem(client.get(f"{API}{query}", headers=world.h["supervisor"]), 422)
    problem(client.get(f"{API}/status?on=2026-13-01", headers=world.h["supervisor"]), 422)
    problem(client.get(f"{API}/{uuid.uuid4()}", headers=world.h["supervisor"]), 404)


# --- Roles and scope -----------------------------------------------------------------------------

def test_only_the_post_office_writes_and_only_the_so_reviews(client, world):
    for who in ("supervisor", "inspector", "police", "admin", "national"):
        problem(world.create(who), 403)
    report = world.complete()
    rid = report["id"]
    for who, status in (("clerk", 200), ("supervisor", 200), ("admin", 200), ("national", 200),
                        ("viettel", 404), ("hai_phong_post", 404), ("outsider", 404),
                        ("inspector", 403), ("police", 403)):
        resp = world.get(rid, who)
        assert resp.status_code == status, (who, resp.get_json())
    body = {"proposals": "Khác"}
    for who, status in (("supervisor", 403), ("admin", 403), ("inspector", 403),
                        ("viettel", 404), ("outsider", 404)):
        problem(world.patch(rid, body, who, etag='"2"'), status)
        problem(world.act(rid, "submit", who, etag='"2"'), status)
    problem(client.get(f"{API}/{rid}/document.pdf", headers=world.h["clerk"]), 409)
    assert world.act(rid, "submit", "clerk", etag='"2"').status_code == 200
    for who, status in (("clerk", 403), ("viettel", 404), ("inspector", 403),
                        ("police", 403), ("outsider", 404), ("hai_phong_post", 404)):
        problem(world.act(rid, "accept", who, etag='"3"'), status)
        problem(world.act(rid, "return", who, {"comment": "x"}, etag='"3"'), status)
        if status == 404:
            problem(client.get(f"{API}/{rid}/document.docx", headers=world.h[who]), 404)
    problem(client.get(f"{API}/{rid}/document.pdf", headers=world.h["inspector"]), 403)
    assert world.act(rid, "accept", "national", etag='"3"').status_code == 200


def test_the_list_is_scoped_filtered_and_paged(client, world):
    world.created()
    factories.ProvisionReportFactory(year=2025, status="accepted", complete=True)
    factories.ProvisionReportFactory(organization=VIETTEL)
    factories.ProvisionReportFactory(organization=HAI_PHONG_POST, province_code="31")

    def listed(query: str = "", who: str = "supervisor") -> list[tuple[str, int]]:
        resp = client.get(f"{API}{query}", headers=world.h[who])
        assert resp.status_code == 200, resp.get_json()
        return [(r["organization"], r["year"]) for r in resp.get_json()]

    assert listed() == [(CAN_THO_POST, 2026), (VIETTEL, 2026), (CAN_THO_POST, 2025)]
    assert listed("?year=2025") == [(CAN_THO_POST, 2025)]
    assert listed("?status=draft") == [(CAN_THO_POST, 2026), (VIETTEL, 2026)]
    assert listed(f"?organization={VIETTEL}") == [(VIETTEL, 2026)]
    assert listed(who="clerk") == [(CAN_THO_POST, 2026), (CAN_THO_POST, 2025)]
    assert listed(who="viettel") == [(VIETTEL, 2026)]
    assert listed(who="outsider") == [(HAI_PHONG_POST, 2026)]
    assert len(listed(who="national")) == 4
    assert listed("?province_code=31", who="national") == [(HAI_PHONG_POST, 2026)]
    resp = client.get(f"{API}?page_size=2&page=2", headers=world.h["supervisor"])
    assert json.loads(resp.headers["X-Pagination"])["total"] == 3
    assert [r["year"] for r in resp.get_json()] == [2025]
    problem(client.get(API, headers=world.h["inspector"]), 403)


# --- Who is late ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    """A provider's report in the status world: status, first sending day (None: not sent)."""

    organization: str
    status: str | None
    first_sent: date | None = None


CASES = (
    Case(CAN_THO_POST, "returned", DEC[9]),
    Case(VIETTEL, None),
    Case("Bưu điện Cái Răng (tách riêng)", "draft"),
    Case("Bưu điện Ô Môn (tách riêng)", "submitted", DEC[12]),
    Case("Bưu điện Phong Điền (tách riêng)", "returned", DEC[11]),
)


def by_hand(case: Case, on: date) -> dict[str, Any]:
    """What `/status` must say of a case on day `on`, reasoned from the rules alone."""
    late_day = on > DEC[10]
    sent_in_time = case.first_sent is not None and case.first_sent <= DEC[10]
    in_hand = case.status in ("submitted", "accepted")
    overdue = late_day and not in_hand and not sent_in_time
    on_time = (case.first_sent <= DEC[10]) if case.first_sent else (False if late_day else None)
    return {"status": case.status, "overdue": overdue,
            "days_overdue": (on - DEC[10]).days if overdue else 0, "on_time": on_time,
            "first_submitted_on": case.first_sent.isoformat() if case.first_sent else None}


def status_world(session) -> None:  # type: ignore[no-untyped-def]
    for case in CASES:
        factories.SiteFactory(organization=case.organization)
        if case.status is not None:
            factories.ProvisionReportFactory(
                organization=case.organization, status=case.status, complete=True,
                first_submitted_on=case.first_sent,
                submitted_at=datetime.combine(case.first_sent, datetime.min.time(), UTC)
                if case.first_sent else None)


@pytest.mark.parametrize("on", [DEC[1], DEC[10], DEC[11], DEC[25]])
def test_the_status_list_shows_every_provider_as_computed_by_hand(client, session, world, on):
    status_world(session)
    resp = client.get(f"{API}/status?province_code=92&year=2026&on={on}",
                      headers=world.h["supervisor"])
    assert resp.status_code == 200, resp.get_json()
    rows = resp.get_json()
    assert [r["organization"] for r in rows] == sorted(c.organization for c in CASES)
    assert json.loads(resp.headers["X-Pagination"])["total"] == len(CASES)
    keys = ("status", "overdue", "days_overdue", "on_time", "first_submitted_on")
    assert {r["organization"]: {k: r[k] for k in keys} for r in rows} == {
        c.organization: by_hand(c, on) for c in CASES}
    assert {(r["due_on"], r["as_of"], r["year"], r["province_code"]) for r in rows} == {
        ("2026-12-10", on.isoformat(), 2026, "92")}
    viettel = next(r for r in rows if r["organization"] == VIETTEL)
    assert (viettel["report_id"], viettel["version"]) == (None, None)


def test_the_status_list_is_scoped_and_remembers_the_last_reminder(app, client, session,
                                                                    world):
    status_world(session)
    assert app.test_cli_runner().invoke(reminders, ["--on", "2026-12-11"]).exit_code == 0
    mine = client.get(f"{API}/status?on=2026-12-12", headers=world.h["clerk"]).get_json()
    assert [(r["organization"], r["status"], r["overdue"], r["last_reminded_on"])
            for r in mine] == [(CAN_THO_POST, "returned", False, "2026-12-11")]
    [viettel] = client.get(f"{API}/status?on=2026-12-12&year=2026",
                           headers=world.h["viettel"]).get_json()
    assert (viettel["status"], viettel["overdue"], viettel["days_overdue"]) == (None, True, 2)
    problem(client.get(f"{API}/status?province_code=92", headers=world.h["outsider"]), 404)
    problem(client.get(f"{API}/status?province_code=92", headers=world.h["inspector"]), 403)
    problem(client.get(f"{API}/status?province_code=92", headers=world.h["hai_phong_post"]),
            404)
    assert "province_code" in problem(client.get(f"{API}/status",
                                                 headers=world.h["national"]), 422)["errors"]
    problem(client.get(f"{API}/status?province_code=99", headers=world.h["national"]), 404)
    [hai_phong] = client.get(f"{API}/status?province_code=31&year=2026&on=2026-12-01",
                             headers=world.h["national"]).get_json()
    assert (hai_phong["organization"], hai_phong["overdue"]) == (HAI_PHONG_POST, False)


# --- Reminders ------------------------------------------------------------------------------------

def reminded(session) -> list[tuple[str, str, date]]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return sorted((p, o, d) for p, o, d in session.execute(select(
        ProvisionReminder.province_code, ProvisionReminder.organization,
        ProvisionReminder.reminded_on)))


def test_kt1_reminders_reminds_each_provider_once_a_day_from_1_december(app, session, world):
    runner = app.test_cli_runner()
    before = runner.invoke(reminders, ["--on", "2026-11-30"])
    assert before.exit_code == 0 and "chưa đến kỳ nhắc (từ ngày 01/12/2026)" in before.output
    assert reminded(session) == []
    first = runner.invoke(reminders, ["--on", "2026-12-01"])
    assert first.exit_code == 0, first.output
    assert "3 đơn vị chưa gửi; nhắc mới 3" in first.output
    assert f"- {CAN_THO_POST} (92): chưa lập [nhắc mới]" in first.output
    assert "Văn phòng UBND" not in first.output
    again = runner.invoke(reminders, ["--on", "2026-12-01"])
    assert "nhắc mới 0, đã nhắc trong ngày 3" in again.output
    everyone = [("31", HAI_PHONG_POST), ("92", CAN_THO_POST), ("92", VIETTEL)]
    assert reminded(session) == [(p, o, DEC[1]) for p, o in everyone]
    world.sent()  # Cần Thơ's post office sends its report (today, before the 10th)
    runner.invoke(reminders, ["--on", "2026-12-02"])
    assert [(p, o) for p, o, d in reminded(session) if d == DEC[2]] == [
        ("31", HAI_PHONG_POST), ("92", VIETTEL)]


def test_the_reminders_job_reports_both_duties(session, world, settings, monkeypatch):
    monkeypatch.setattr(workers.jobs, "job_settings", lambda: settings)
    result = workers.jobs.reminders_job("2026-12-11")
    assert (result["overdue"], result["recorded"]) == (0, 0)  # no notice in this world
    assert {k: result["provision"][k] for k in ("year", "outstanding", "recorded")} == {
        "year": 2026, "outstanding": 3, "recorded": 3}
    assert "quá hạn 1 ngày" in result["provision"]["summary"]
    assert workers.jobs.reminders_job("2026-12-11")["provision"]["recorded"] == 0
    assert len(reminded(session)) == 3
    assert workers.jobs.reminders_job("2026-11-20")["provision"] == {
        "year": None, "outstanding": 0, "recorded": 0,
        "summary": "Báo cáo năm về cung cấp dịch vụ KT1: chưa đến kỳ nhắc (từ ngày "
                   "01/12/2026)."}


def test_a_sending_made_just_after_midnight_counts_for_that_day_in_vietnam(session, world):
    report = world.complete()
    clerk = world.users["clerk"]
    sent, _ = provision.submit(session, clerk, uuid.UUID(report["id"]), if_match=2,
                               now=datetime(2026, 12, 10, 17, 30, tzinfo=UTC))  # 00:30 on 11th
    assert sent.first_submitted_on == DEC[11]
    supervisor = world.users["supervisor"]
    accepted = provision.review(session, supervisor, sent.id, decision="accept",
                                if_match=sent.version)
    assert accepted.received_on == DEC[11]
    [row] = world.client.get(f"{API}/status?on=2026-12-20",
                             headers=world.h["clerk"]).get_json()
    assert (row["status"], row["on_time"], row["overdue"], row["received_on"]) == (
        "accepted", False, False, "2026-12-11")
