"""GET /reports over HTTP: the province's reports newest first, filtered by kind, year and
campaign, paginated; another province's reports are invisible; bad filters are 422."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from inspection.models import Report
from tests import factories

API = "/api/v1/reports"
START = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)


def problem(resp, status):  # type: ignore[no-untyped-def]
    assert resp.status_code == status, resp.get_json()
    assert resp.mimetype == "application/problem+json"
    return resp.get_json()


@pytest.fixture
def world(session, api):  # type: ignore[no-untyped-def]
    campaign = factories.CampaignFactory()
    rows = [("annual", "92", 2025, None, "ready"), ("annual", "92", 2026, None, "pending"),
            ("campaign", "92", None, campaign.id, "ready"), ("annual", "31", 2026, None, "ready")]
    made = []
    for n, (kind, province, year, campaign_id, status) in enumerate(rows):
        report = Report(id=uuid.uuid4(), kind=kind, province_code=province, year=year,
                        campaign_id=campaign_id, status=status,
                        pdf_sha256="a" * 64 if status == "ready" else None,
                        xlsx_sha256="b" * 64 if status == "ready" else None,
                        created_at=START + timedelta(hours=n))
        session.add(report)
        made.append(report)
    session.flush()
    return {"reports": made, "campaign": campaign,
            "supervisor": api.login(factories.UserFactory(role="supervisor")),
            "haiphong": api.login(factories.UserFactory(role="supervisor", province_code="31")),
            "admin": api.login(factories.UserFactory(role="admin", province_code=None)),
            "inspector": api.login(factories.UserFactory(role="inspector"))}


def ids(resp):  # type: ignore[no-untyped-def]
    assert resp.status_code == 200, resp.get_json()
    return [r["id"] for r in resp.get_json()]


def test_the_provinces_reports_are_listed_newest_first_with_their_documents(client, world):
    r = world["reports"]
    resp = client.get(API, headers=world["supervisor"])
    assert ids(resp) == [str(r[2].id), str(r[1].id), str(r[0].id)]
    assert json.loads(resp.headers["X-Pagination"])["total"] == 3
    campaign_report, pending = resp.get_json()[0], resp.get_json()[1]
    assert campaign_report["files"] == {
        "pdf": f"/api/v1/reports/{r[2].id}/document.pdf",
        "xlsx": f"/api/v1/reports/{r[2].id}/document.xlsx"}
    assert pending["files"] == {"pdf": None, "xlsx": None} and pending["status"] == "pending"
    assert ids(client.get(API, headers=world["haiphong"])) == [str(r[3].id)]
    assert len(ids(client.get(API, headers=world["admin"]))) == 4
    assert ids(client.get(API, query_string={"province_code": "31"},
                          headers=world["admin"])) == [str(r[3].id)]


def test_the_list_filters_by_kind_year_and_campaign_and_pages(client, world):
    r, h = world["reports"], world["supervisor"]
    assert ids(client.get(API, query_string={"kind": "annual"}, headers=h)) == [
        str(r[1].id), str(r[0].id)]
    assert ids(client.get(API, query_string={"year": 2025}, headers=h)) == [str(r[0].id)]
    assert ids(client.get(API, query_string={"campaign_id": str(world["campaign"].id)},
                          headers=h)) == [str(r[2].id)]
    assert ids(client.get(API, query_string={"campaign_id": str(uuid.uuid4())},
                          headers=h)) == []
    page = client.get(API, query_string={"page": 2, "page_size": 2}, headers=h)
    assert ids(page) == [str(r[0].id)]
    assert json.loads(page.headers["X-Pagination"])["total_pages"] == 2


@pytest.mark.parametrize(("query", "field"), [
    ({"kind": "weekly"}, "kind"), ({"year": "last"}, "year"), ({"year": 1999}, "year"),
    ({"campaign_id": "not-a-uuid"}, "campaign_id"), ({"province_code": "9"}, "province_code"),
    ({"page_size": 501}, "page_size"),
])
def test_bad_filters_are_422_naming_the_field(client, world, query, field):
    assert field in problem(client.get(API, query_string=query, headers=world["supervisor"]),
                            422)["errors"]


def test_only_supervisors_and_admins_list_reports(client, world):
    problem(client.get(API, headers=world["inspector"]), 403)
    problem(client.get(API), 401)
