"""/map over HTTP on real Cần Thơ boundaries: commune aggregates and finding points checked
against counts computed independently here (shapely for the communes, Python for the counts)."""

from __future__ import annotations

from collections import Counter

import pytest
import shapely
from shapely.geometry import Point, shape

from tests.api.map_world import CAI_KHE, _at
from tests.module_world import backend, connection  # noqa: F401

COMMUNES = "/api/v1/map/communes"
FINDINGS = "/api/v1/map/findings"


def _counts(body):  # type: ignore[no-untyped-def]
    return {f["properties"]["code"]: {k: v for k, v in f["properties"].items()
                                      if k not in ("code", "name")}
            for f in body["features"]}


def test_the_sites_are_placed_in_the_communes_shapely_finds(world):
    assert {n: s.commune_code for n, s in world.sites.items()} == world.expected_commune
    on_edge = [c for c, s in world.shapes.items() if s.intersects(Point(*world.points["edge"]))]
    assert len(on_edge) >= 2 and world.sites["edge"].commune_code == min(on_edge)


@pytest.mark.parametrize("role", ["supervisor", "inspector", "admin"])
def test_every_commune_of_the_province_carries_counts_computed_in_the_database(
        world, client, role):
    resp = client.get(f"{COMMUNES}?province_code=92", headers=world.h[role])
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["type"] == "FeatureCollection" and len(body["features"]) == 103
    assert _counts(body) == world.expected()
    names = {f["properties"]["code"]: f["properties"]["name"] for f in body["features"]}
    assert names[CAI_KHE] == "Phường Cái Khế"


def test_the_geometry_is_simplified_but_keeps_its_commune(world, client):
    def fetch(tolerance):  # type: ignore[no-untyped-def]
        body = client.get(f"{COMMUNES}?province_code=92&tolerance={tolerance}",
                          headers=world.h["supervisor"]).get_json()
        return {f["properties"]["code"]: f["geometry"] for f in body["features"]}

    exact, coarse = fetch(0), fetch(0.005)
    vertices = lambda geoms: sum(len(shapely.get_coordinates(shape(g)))  # noqa: E731
                                 for g in geoms.values())
    assert vertices(coarse) < vertices(exact) / 2
    for code in (CAI_KHE, world.expected_commune["b"]):
        original = world.shapes[code]
        assert shape(exact[code]).symmetric_difference(original).area < 1e-9
        assert shape(coarse[code]).is_valid
        assert shape(coarse[code]).symmetric_difference(original).area < 0.2 * original.area


def test_filters_on_period_campaign_severity_and_status(world, client):
    h = world.h["supervisor"]
    may_from, may_to = _at(1).date().isoformat(), _at(31).date().isoformat()

    def counts(query):  # type: ignore[no-untyped-def]
        resp = client.get(f"{COMMUNES}?province_code=92&{query}", headers=h)
        assert resp.status_code == 200, resp.get_json()
        return _counts(resp.get_json())

    in_may = lambda v: _at(1) <= v.started_at < _at(31)  # noqa: E731
    assert counts(f"from={may_from}&to={may_to}") == world.expected(keep_visit=in_may)
    assert counts(f"campaign_id={world.campaign.id}") == world.expected(
        keep_visit=lambda v: v.campaign is not None)
    assert counts("severity=high") == world.expected(keep_finding=lambda s, st: s == "high")
    assert counts("status=open") == world.expected(keep_finding=lambda s, st: st == "open")


def test_findings_are_points_at_their_site_filtered_by_bbox_in_the_database(world, client):
    h = world.h["supervisor"]
    resp = client.get(f"{FINDINGS}?province_code=92", headers=h)
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    mine = {str(f.id): (v, f) for v, f in world.findings if v.site != "hp"}
    assert body["truncated"] is False
    assert {f["id"] for f in body["features"]} == set(mine)
    for feature in body["features"]:
        visit, finding = mine[feature["id"]]
        assert feature["geometry"]["coordinates"] == pytest.approx(world.points[visit.site])
        assert feature["properties"] == {
            "id": str(finding.id), "severity": finding.severity, "status": finding.status,
            "item_code": finding.item_code, "commune_code": world.expected_commune[visit.site],
            "site_id": str(finding.site_id), "inspection_id": str(finding.inspection_id),
            "inspection_status": visit.status, "awaiting_review": visit.awaiting_review}

    x, y = world.points["b"]
    box = f"{x - 0.001},{y - 0.001},{x + 0.001},{y + 0.001}"
    near_b = client.get(f"{FINDINGS}?province_code=92&bbox={box}", headers=h).get_json()
    assert Counter(f["properties"]["severity"] for f in near_b["features"]) == {
        "high": 3, "low": 1}
    high_open = client.get(f"{FINDINGS}?province_code=92&bbox={box}&severity=high&status=open",
                           headers=h).get_json()
    assert len(high_open["features"]) == 3
    capped = client.get(f"{FINDINGS}?province_code=92&limit=3", headers=h).get_json()
    assert len(capped["features"]) == 3 and capped["truncated"] is True


def test_findings_of_inspections_not_approved_await_review_and_are_not_open(world, client):
    h = world.h["supervisor"]
    counts = _counts(client.get(f"{COMMUNES}?province_code=92", headers=h).get_json())
    assert counts == world.expected()
    # In the province: a1's two, a2's one, b's two and edge's one open findings of approved
    # inspections; a2's submitted, b's returned and edge's draft inspections' four await review.
    assert sum(c["open_findings"] for c in counts.values()) == 6
    assert sum(c["awaiting_review"] for c in counts.values()) == 4
    b = world.expected_commune["b"]
    assert counts[b]["open_findings"] == 2 and counts[b]["awaiting_review"] == 1
    assert counts[b]["findings"] == 4 and counts[b]["by_severity"]["high"] == 3
    # Filtered to open findings, the returned visit's finding is still only awaiting review.
    only_open = _counts(client.get(f"{COMMUNES}?province_code=92&status=open",
                                   headers=h).get_json())
    assert only_open[b]["open_findings"] == 2 and only_open[b]["awaiting_review"] == 1

    points = client.get(f"{FINDINGS}?province_code=92", headers=h).get_json()["features"]
    by_status = Counter((p["properties"]["inspection_status"], p["properties"]["awaiting_review"])
                        for p in points)
    assert by_status == {("approved", False): 9, ("submitted", True): 2,
                         ("returned", True): 1, ("draft", True): 1}


def test_another_province_is_not_found_and_police_may_not_look(world, client):
    for url in (COMMUNES, FINDINGS):
        resp = client.get(f"{url}?province_code=92", headers=world.h["other"])
        assert resp.status_code == 404
        assert resp.content_type == "application/problem+json"
        assert client.get(f"{url}?province_code=92", headers=world.h["police"]).status_code \
            == 403
    hp = client.get(f"{FINDINGS}?province_code=31", headers=world.h["other"]).get_json()
    assert len(hp["features"]) == 1


@pytest.mark.parametrize("url, query, field", [
    (FINDINGS, "bbox=1,2,3", "bbox"),
    (FINDINGS, "bbox=106,10,105,11", "bbox"),
    (FINDINGS, "bbox=a,b,c,d", "bbox"),
    (FINDINGS, "bbox=105,10,200,11", "bbox"),
    (COMMUNES, "tolerance=-1", "tolerance"),
    (COMMUNES, "tolerance=1", "tolerance"),
    (COMMUNES, "tolerance=abc", "tolerance"),
    (COMMUNES, "severity=grave", "severity"),
])
def test_bad_parameters_are_problems(world, client, url, query, field):
    resp = client.get(f"{url}?province_code=92&{query}", headers=world.h["supervisor"])
    assert resp.status_code == 422, resp.get_json()
    assert resp.content_type == "application/problem+json"
    assert field in str(resp.get_json()["errors"])
