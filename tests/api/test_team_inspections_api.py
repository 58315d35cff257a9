"""A joint team's one inspection per visit: `POST /inspections` and a sync push refuse a second
open inspection of a campaign and site (409 naming the first), and the sync package carries
every inspection of the caller's assignments, with answers, photos, review and last change."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from inspection.inspections import services
from inspection.models import Photo
from inspection.sync.package import VIETNAM
from tests import factories
from tests.api.test_inspections_api import World as InspectionsWorld

BASE = "/api/v1/inspections"
PUSH = "/api/v1/sync/push"
PACKAGE = "/api/v1/sync/package"
COMPLIANT = {"A1": "yes", "A2": "yes", "C1": 5, "C2": 5, "C5": "2026-01-15"}


class World(InspectionsWorld):
    """test_inspections_api's world, with a running campaign assigning the site to the team."""

    def __init__(self, api) -> None:  # type: ignore[no-untyped-def]
        super().__init__(api)
        today = datetime.now(VIETNAM).date()
        self.campaign = factories.CampaignFactory(checklist_id=self.checklist.id,
                                                  starts_on=today - timedelta(days=30),
                                                  ends_on=today + timedelta(days=60))
        factories.AssignmentFactory(campaign=self.campaign, site_id=self.site.id,
                                    team=[self.inspector, self.police],
                                    due_on=today + timedelta(days=10))

    def body(self, **over):  # type: ignore[no-untyped-def]
        return super().body(**{"campaign_id": str(self.campaign.id), **over})


@pytest.fixture
def world(api, session):  # type: ignore[no-untyped-def]
    return World(api)


def problem(resp, status):  # type: ignore[no-untyped-def]
    assert resp.status_code == status, resp.get_json()
    assert resp.mimetype == "application/problem+json"
    return resp.get_json()


def test_a_second_open_inspection_of_a_campaign_and_site_is_409_naming_the_first(
        client, world):
    first = world.body()
    assert client.post(BASE, json=first, headers=world.h["inspector"]).status_code == 201
    again = client.post(BASE, json=first, headers=world.h["inspector"])
    assert again.status_code == 200  # the same request again is still idempotent
    body = problem(client.post(BASE, json=world.body(), headers=world.h["police"]), 409)
    assert body["existing_id"] == first["id"]
    assert body["type"].endswith("conflict") and body["detail"]
    # Another campaign at the same site, or no campaign, is another visit.
    other = factories.CampaignFactory(checklist_id=world.checklist.id)
    assert client.post(BASE, json=world.body(campaign_id=str(other.id)),
                       headers=world.h["police"]).status_code == 201
    assert client.post(BASE, json=world.body(campaign_id=None),
                       headers=world.h["police"]).status_code == 201


@pytest.mark.parametrize("status", ["submitted", "returned"])
def test_a_submitted_or_returned_inspection_is_still_the_open_one(
        client, session, world, status):
    first = world.body()
    client.post(BASE, json=first, headers=world.h["inspector"])
    inspection = services.get_inspection(session, world.inspector, uuid.UUID(first["id"]))
    inspection.status = status
    session.flush()
    body = problem(client.post(BASE, json=world.body(), headers=world.h["police"]), 409)
    assert body["existing_id"] == first["id"]


def test_after_approval_a_new_inspection_may_start(client, session, world):
    first = world.body()
    client.post(BASE, json=first, headers=world.h["inspector"])
    inspection = services.get_inspection(session, world.inspector, uuid.UUID(first["id"]))
    inspection.status = "approved"
    session.flush()
    assert client.post(BASE, json=world.body(), headers=world.h["police"]).status_code == 201


def test_a_pushed_second_inspection_is_rejected_with_the_409_and_nothing_applied(
        api, client, world):
    first = world.body()
    client.post(BASE, json=first, headers=world.h["inspector"])
    headers = api.login(world.police, device_id="tablet-B")
    second = world.body()
    data = {k: v for k, v in second.items() if k != "id"}
    resp = client.post(PUSH, headers=headers, json={"device_id": "tablet-B", "mutations": [
        {"mutation_id": str(uuid.uuid4()), "entity": "inspection", "op": "upsert",
         "id": second["id"], "base_version": None, "data": data,
         "client_time": "2026-05-05T09:05:00+07:00"}]})
    assert resp.status_code == 200, resp.get_json()
    (result,) = resp.get_json()["results"]
    assert result["status"] == "rejected"
    assert result["error"]["status"] == 409
    assert result["error"]["existing_id"] == first["id"]
    assert client.get(f"{BASE}/{second['id']}", headers=headers).status_code == 404


def test_the_package_carries_the_teams_inspections_with_answers_photos_and_review(
        client, session, world):
    first = world.body()
    client.post(BASE, json=first, headers=world.h["inspector"])
    iid = uuid.UUID(first["id"])
    moment = datetime(2026, 5, 5, 2, 0, tzinfo=UTC)
    for code, value in COMPLIANT.items():
        services.put_answer(session, world.police, inspection_id=iid, item_code=code,
                            value=value, answered_at=moment, create_only=True)
    services.submit(session, world.inspector, inspection_id=iid, if_match=1)
    services.review(session, world.supervisor, inspection_id=iid, decision="return",
                    comment="Bổ sung ảnh mục A1.", if_match=2)
    session.add(Photo(inspection_id=iid, item_code="A1", sha256="a" * 64, size=10,
                      status="ready", uploaded_by=world.police.id, created_at=moment,
                      flags=["exif_far_from_site"], content_type="image/jpeg"))
    session.flush()
    # The police member, who did not create it, gets it in their package.
    resp = client.get(PACKAGE, headers=world.h["police"])
    assert resp.status_code == 200
    (inspection,) = resp.get_json()["inspections"]
    detail = client.get(f"{BASE}/{iid}", headers=world.h["police"]).get_json()
    assert {k: v for k, v in inspection.items()
            if k not in ("photos", "updated_at", "updated_by")} == detail
    assert inspection["status"] == "returned"
    assert inspection["review"]["comment"] == "Bổ sung ảnh mục A1."
    assert {a["item_code"] for a in inspection["answers"]} == set(COMPLIANT)
    photos = client.get(f"{BASE}/{iid}/photos", headers=world.h["police"]).get_json()
    assert inspection["photos"] == photos and len(photos) == 1
    assert inspection["flags"] == ["exif_far_from_site"]
    assert inspection["updated_by"] == str(world.supervisor.id)
    assert inspection["updated_at"]


def test_the_package_leaves_out_inspections_of_other_assignments(client, world):
    other_site = factories.SiteFactory()
    body = world.body(site_id=str(other_site.id))
    assert client.post(BASE, json=body, headers=world.h["inspector"]).status_code == 201
    assert client.get(PACKAGE, headers=world.h["police"]).get_json()["inspections"] == []
