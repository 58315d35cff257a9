"""/planning/risk, /planning/campaigns and the map's risk layer over HTTP, on the world of
tests/inspection/risk_world.py (assessed today, in Vietnam), built with the users' logins once
per backend for the module (tests/module_world.py); each test runs in a SAVEPOINT rolled back
after it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from inspection.models import Assignment, Campaign
from inspection.notices import today_in_vietnam
from tests import factories
from tests.inspection.risk_world import ORDER, REASONS, SCORES, build
from tests.module_world import backend, build_world, connection  # noqa: F401

RISK = "/api/v1/planning/risk"
PLAN = "/api/v1/planning/campaigns"
LAYER = "/api/v1/map/risk"


@pytest.fixture(scope="module")
def world(module_connection, tmp_path_factory):  # type: ignore[no-untyped-def]
    return build_world(module_connection, tmp_path_factory.mktemp("risk-world"),
                       lambda session, _api: build(session, today_in_vietnam(datetime.now(UTC))))


def _logins(api):  # type: ignore[no-untyped-def]
    return {role: api.login(factories.UserFactory(role=role))
            for role in ("supervisor", "police", "inspector", "post")} | {
        "other": api.login(factories.UserFactory(role="supervisor", province_code="31")),
        "national": api.login(factories.UserFactory(role="admin", province_code=None))}


@pytest.fixture(scope="module")
def h(module_connection, tmp_path_factory):  # type: ignore[no-untyped-def]
    return build_world(module_connection, tmp_path_factory.mktemp("risk-logins"),
                       lambda _session, api: _logins(api))


def test_the_list_ranks_the_sites_with_their_reasons(world, client, h):
    resp = client.get(RISK, headers=h["supervisor"])
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    by_id = {str(v): k for k, v in world.sites.items()}
    assert [by_id[s["site_id"]] for s in body["sites"]] == ORDER
    assert [s["rank"] for s in body["sites"]] == list(range(1, 7))
    for s in body["sites"]:
        name = by_id[s["site_id"]]
        assert s["score"] == SCORES[name]
        assert {r["code"]: r["points"] for r in s["reasons"]} == REASONS[name]
    assert body["total_sites"] == 6 and body["province_code"] == "92"
    assert body["as_of"] == world.on.isoformat()
    assert body["weights"]["severity"]["critical"] == 8
    assert {c["code"]: c["score"] for c in body["communes"][:3]} == world.commune_scores

    short = client.get(f"{RISK}?limit=2&kind=kt1_provider", headers=h["police"]).get_json()
    assert [by_id[s["site_id"]] for s in short["sites"]] == ORDER[:2]
    assert short["total_sites"] == 5


def test_who_may_see_the_risk_list_and_layer(world, client, h):
    for url in (RISK, f"{LAYER}?province_code=92"):
        for who in ("inspector", "post"):
            resp = client.get(url, headers=h[who])
            assert resp.status_code == 403 and resp.content_type == "application/problem+json"
        assert client.get(url).status_code == 401
    assert client.get(f"{RISK}?province_code=92", headers=h["other"]).status_code == 404
    assert client.get(f"{LAYER}?province_code=92", headers=h["other"]).status_code == 404
    assert client.get(RISK, headers=h["national"]).status_code == 422
    assert client.get(f"{RISK}?province_code=92", headers=h["national"]).status_code == 200


@pytest.mark.parametrize("query", ["kind=shop", "limit=0", "limit=x", "province_code=9"])
def test_bad_parameters_are_problems(world, client, h, query):
    resp = client.get(f"{RISK}?{query}", headers=h["supervisor"])
    assert resp.status_code == 422 and resp.content_type == "application/problem+json"


def test_the_map_risk_layer_colours_communes_by_their_sites_scores(world, client, h):
    resp = client.get(f"{LAYER}?province_code=92&zoom=10", headers=h["police"])
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert len(body["features"]) == 103
    scores = {f["properties"]["code"]: f["properties"]["score"] for f in body["features"]}
    assert {k: v for k, v in scores.items() if v} == world.commune_scores
    top = next(f for f in body["features"] if f["properties"]["score"] == 32)
    assert top["properties"]["top_site_id"] == str(world.sites["A1"])
    assert top["properties"]["sites"] == 2
    both = client.get(f"{LAYER}?province_code=92&zoom=3&tolerance=0.01", headers=h["police"])
    assert both.status_code == 422


def _plan(world, **changes):  # type: ignore[no-untyped-def]
    team = factories.joint_team()
    body = {"name": "Kiểm tra theo rủi ro quý I/2027", "starts_on": world.on.isoformat(),
            "ends_on": (world.on + timedelta(days=60)).isoformat(),
            "checklist_id": str(world.campaign_checklist), "top": 2,
            "team": [str(u.id) for u in team]}
    return {**body, **changes}


def test_a_campaign_starts_from_the_top_of_the_list(world, client, h, session):
    resp = client.post(PLAN, json=_plan(world), headers=h["supervisor"])
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["campaign"]["name"] == "Kiểm tra theo rủi ro quý I/2027"
    assert [a["site_id"] for a in body["assignments"]] == [
        str(world.sites["B"]), str(world.sites["A1"])]
    assert {a["due_on"] for a in body["assignments"]} == {body["campaign"]["ends_on"]}
    assert resp.headers["Location"].endswith(body["campaign"]["id"])
    listed = client.get(f"/api/v1/campaigns/{body['campaign']['id']}/assignments",
                        headers=h["supervisor"]).get_json()
    assert len(listed) == 2

    # more than there are sites at risk of the checklist's kind: all five providers
    every = client.post(PLAN, json=_plan(world, top=50, name="Tất cả"),
                        headers=h["supervisor"]).get_json()
    assert len(every["assignments"]) == 5


def test_a_plan_that_fails_a_check_keeps_nothing(world, client, h, session):
    before = session.scalar(select(func.count()).select_from(Campaign))
    inspectors = [factories.UserFactory(role="inspector"), factories.UserFactory(role="inspector")]
    resp = client.post(PLAN, json=_plan(world, team=[str(u.id) for u in inspectors]),
                       headers=h["supervisor"])
    assert resp.status_code == 422 and resp.content_type == "application/problem+json"
    assert session.scalar(select(func.count()).select_from(Campaign)) == before
    assert session.scalar(select(func.count()).select_from(Assignment)) == 0

    for bad in ({"top": 0}, {"top": 201}, {"top": "x"}, {"team": []},
                {"due_on": (world.on + timedelta(days=90)).isoformat()}):
        resp = client.post(PLAN, json=_plan(world, **bad), headers=h["supervisor"])
        assert resp.status_code == 422, (bad, resp.get_json())
    assert client.post(PLAN, json=_plan(world), headers=h["police"]).status_code == 403
    assert client.post(PLAN, data="{", content_type="application/json",
                       headers=h["supervisor"]).status_code == 400
    assert session.scalar(select(func.count()).select_from(Campaign)) == before
