"""GET /sync/package: a tablet's assignments, their sites, pinned checklists, communes, open
findings and the cursor to pull from; ETag / If-None-Match; gzip when the client takes it."""

from __future__ import annotations

import gzip
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from inspection import reference
from inspection.inspections import services
from inspection.models import Commune, Finding
from inspection.sync import feed
from inspection.sync.package import VIETNAM
from tests import factories

URL = "/api/v1/sync/package"
STARTED = datetime(2026, 5, 5, 1, 30, tzinfo=UTC)
VALUES = {"A1": "no", "A2": "yes", "C1": 5, "C2": 5, "C5": "2026-01-15"}


def inspect(session, team, site, checklist):  # type: ignore[no-untyped-def]
    """A submitted inspection of `site` whose A1 'no' leaves one open finding; the finding."""
    inspector = team[0]
    inspection, _ = services.create_inspection(
        session, inspector, inspection_id=uuid.uuid4(), site_id=site.id,
        checklist_id=checklist.id, started_at=STARTED, team=[u.id for u in team])
    for code, value in VALUES.items():
        services.put_answer(session, inspector, inspection_id=inspection.id, item_code=code,
                            value=value, answered_at=STARTED, create_only=True)
    services.submit(session, inspector, inspection_id=inspection.id, if_match=1)
    return session.scalar(select(Finding).where(Finding.inspection_id == inspection.id))


class World:
    """Cần Thơ (92): an inspector and a police officer assigned two sites in a running
    campaign; another team's assignment, a done one, one of an ended campaign; a site
    nobody is assigned to; findings open, verified and elsewhere. Hải Phòng (31): the same
    kind of thing that must never show."""

    def __init__(self, api, session) -> None:  # type: ignore[no-untyped-def]
        today = datetime.now(VIETNAM).date()
        self.team = factories.joint_team()
        self.inspector, self.police = self.team
        self.supervisor = factories.UserFactory(role="supervisor")
        self.checklist = factories.inspection_checklist()
        running = factories.CampaignFactory(checklist_id=self.checklist.id,
                                            starts_on=today - timedelta(days=30),
                                            ends_on=today + timedelta(days=60))
        ended = factories.CampaignFactory(checklist_id=factories.ChecklistFactory().id,
                                          starts_on=today - timedelta(days=90),
                                          ends_on=today - timedelta(days=1))
        self.sites = [factories.SiteFactory(name=f"Bưu cục {n}") for n in ("An Cư", "Bình Thủy")]
        self.other_site, self.idle_site, self.old_site = (factories.SiteFactory()
                                                          for _ in range(3))
        due = today + timedelta(days=10)

        def assign(campaign, site, team, status="open"):  # type: ignore[no-untyped-def]
            return factories.AssignmentFactory(campaign=campaign, site_id=site.id,
                                               team=list(team), due_on=due, status=status)

        self.mine = [assign(running, site, self.team) for site in self.sites]
        self.theirs = assign(running, self.other_site, factories.joint_team())
        assign(running, self.idle_site, self.team, status="done")
        assign(ended, self.old_site, self.team)
        self.open_finding = inspect(session, self.team, self.sites[0], self.checklist)
        verified = inspect(session, self.team, self.sites[1], self.checklist)
        verified.status, verified.version = "verified", verified.version + 1
        inspect(session, self.team, self.idle_site, self.checklist)
        far = factories.joint_team("31")
        far_campaign = factories.CampaignFactory(
            province_code="31", checklist_id=self.checklist.id,
            starts_on=running.starts_on, ends_on=running.ends_on)
        self.far_site = factories.SiteFactory(province_code="31", location=None)
        self.far = assign(far_campaign, self.far_site, far)
        session.flush()
        self.h = {name: api.login(getattr(self, name))
                  for name in ("inspector", "police", "supervisor")}


@pytest.fixture
def world(api, session):  # type: ignore[no-untyped-def]
    return World(api, session)


def ids(records):  # type: ignore[no-untyped-def]
    return {r["id"] for r in records}


def test_an_inspector_gets_their_open_assignments_with_sites_checklists_and_open_findings(
        client, session, world):
    resp = client.get(URL, headers=world.h["inspector"])
    assert resp.status_code == 200, resp.get_json()
    got = resp.get_json()
    assert ids(got["assignments"]) == {str(a.id) for a in world.mine}
    assert ids(got["sites"]) == {str(s.id) for s in world.sites}
    assert ids(got["open_findings"]) == {str(world.open_finding.id)}
    assert got["open_findings"][0]["status"] == "open"
    assert got["user"]["id"] == str(world.inspector.id)
    assert got["cursor"] == str(feed.newest(session, "92"))
    assert datetime.fromisoformat(got["generated_at"]).tzinfo is not None
    mine = next(a for a in got["assignments"] if a["site_id"] == str(world.sites[0].id))
    assert sorted(mine["team"]) == sorted(str(u.id) for u in world.team)
    assert mine["status"] == "open" and mine["version"] == 1


def test_the_pinned_checklist_comes_whole_as_its_rest_endpoint_shows_it(client, world):
    got = client.get(URL, headers=world.h["police"]).get_json()
    assert ids(got["checklists"]) == {str(world.checklist.id)}
    rest = client.get(f"/api/v1/checklists/{world.checklist.id}", headers=world.h["police"])
    assert got["checklists"][0] == rest.get_json()
    items = {i["code"]: i for s in got["checklists"][0]["sections"] for i in s["items"]}
    assert set(items) == {"A1", "A2", "C1", "C2", "C5", "H1", "K1"}
    assert items["C2"]["compliant_when"] == {"gte_item": "C1"}
    assert items["A1"]["legal_refs"][0]["instrument"] == "Nghị định 174/2026/NĐ-CP"


def test_communes_of_the_province_come_without_geometry_unless_asked(client, session, world):
    reference.seed_synthetic_boundaries(session, "92")
    count = session.scalar(select(func.count()).select_from(Commune)
                           .where(Commune.province_code == "92"))
    plain = client.get(URL, headers=world.h["inspector"]).get_json()["communes"]
    assert len(plain) == count > 0
    assert {c["province_code"] for c in plain} == {"92"}
    assert all("geometry" not in c and c["has_boundary"] for c in plain)
    shaped = client.get(f"{URL}?geometry=true", headers=world.h["inspector"]).get_json()
    assert [c["code"] for c in shaped["communes"]] == [c["code"] for c in plain]
    assert {c["geometry"]["type"] for c in shaped["communes"]} == {"MultiPolygon"}


def test_a_supervisor_gets_every_open_assignment_of_the_province(client, world):
    got = client.get(URL, headers=world.h["supervisor"]).get_json()
    assert ids(got["assignments"]) == {str(a.id) for a in [*world.mine, world.theirs]}
    assert str(world.far.id) not in ids(got["assignments"])


def test_another_provinces_data_never_shows(client, world):
    got = client.get(URL, headers=world.h["supervisor"]).get_json()
    text = json.dumps(got)
    assert str(world.far.id) not in text and str(world.far_site.id) not in text
    assert {c["province_code"] for c in got["communes"]} == {"92"}


def test_the_same_etag_in_if_none_match_answers_304_without_a_body(client, world):
    first = client.get(URL, headers=world.h["inspector"])
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    again = client.get(URL, headers={**world.h["inspector"], "If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b"" and again.headers["ETag"] == etag


def test_the_etag_changes_when_an_assignment_changes(client, session, world):
    etag = client.get(URL, headers=world.h["inspector"]).headers["ETag"]
    assignment = world.mine[0]
    assignment.due_on, assignment.version = assignment.due_on + timedelta(days=1), 2
    session.flush()
    resp = client.get(URL, headers={**world.h["inspector"], "If-None-Match": etag})
    assert resp.status_code == 200 and resp.headers["ETag"] != etag
    changed = next(a for a in resp.get_json()["assignments"] if a["id"] == str(assignment.id))
    assert changed["version"] == 2


def test_the_body_is_gzipped_when_the_client_accepts_gzip_and_plain_otherwise(client, world):
    plain = client.get(URL, headers=world.h["inspector"])
    zipped = client.get(URL, headers={**world.h["inspector"], "Accept-Encoding": "gzip, br"})
    assert "Content-Encoding" not in plain.headers
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert all("Accept-Encoding" in r.headers["Vary"] for r in (plain, zipped))
    unzipped = json.loads(gzip.decompress(zipped.data))
    assert len(zipped.data) < len(plain.data)
    assert {**unzipped, "generated_at": None} == {**plain.get_json(), "generated_at": None}
    assert zipped.headers["ETag"] != plain.headers["ETag"]  # another representation
    again = client.get(URL, headers={**world.h["inspector"], "Accept-Encoding": "gzip",
                                     "If-None-Match": zipped.headers["ETag"]})
    assert again.status_code == 304


def test_a_post_office_user_may_not_take_a_package(client, api, session):
    post = factories.UserFactory(role="post", agency="post",
                                 organization="Bưu điện thành phố Cần Thơ")
    resp = client.get(URL, headers=api.login(post))
    assert resp.status_code == 403
    assert resp.mimetype == "application/problem+json"


def test_without_a_token_the_package_answers_401(client, session):
    resp = client.get(URL)
    assert resp.status_code == 401
    assert resp.mimetype == "application/problem+json"
