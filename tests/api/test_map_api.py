"""/map over HTTP on real Cần Thơ boundaries: commune aggregates and finding points checked
against counts computed independently here (shapely for the communes, Python for the counts)."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
import shapely
from shapely.geometry import Point, shape

from geo import boundaries
from inspection import reference
from inspection.models import Finding, Inspection
from tests import factories
from tests.geo.conftest import CAN_THO_FILE

COMMUNES = "/api/v1/map/communes"
FINDINGS = "/api/v1/map/findings"
SEVERITIES = ("critical", "high", "medium", "low")
OPEN = ("open", "confirmed", "remediated")
HAI_PHONG_CENTRE = (106.6822, 20.8449)
CAI_KHE = "31120"


@pytest.fixture(scope="module")
def can_tho():  # type: ignore[no-untyped-def]
    return boundaries.load_geojson(CAN_THO_FILE)


@dataclass
class Visit:
    site: str
    started_at: datetime
    campaign: str | None
    findings: list[tuple[str, str]] = field(default_factory=list)  # (severity, status)


def _at(day: int, month: int = 5) -> datetime:
    return datetime(2026, month, day, 3, 0, tzinfo=UTC)


VISITS = [
    Visit("a1", _at(5), "c1", [("critical", "open"), ("high", "dismissed"), ("low", "verified")]),
    Visit("a1", _at(20, 6), None, [("critical", "confirmed")]),
    Visit("a2", _at(6), "c1", [("medium", "remediated")]),
    Visit("b", _at(10, 4), None, [("high", "open"), ("high", "open"), ("low", "dismissed")]),
    Visit("edge", _at(7), "c1", [("medium", "open")]),
    Visit("hp", _at(5), None, [("critical", "open")]),
]


class World:
    """Sites in two communes, on a shared vertex, one never inspected, one in Hải Phòng."""

    def __init__(self, session, api, can_tho) -> None:  # type: ignore[no-untyped-def]
        report = reference.check_boundaries(session, can_tho, province_code="92",
                                            source=CAN_THO_FILE.name)
        reference.import_boundaries(session, province_code="92", features_report=report,
                                    source=CAN_THO_FILE.name)
        self.shapes = {f["properties"]["code"]: shape(f["geometry"])
                       for f in can_tho["features"]}
        other = sorted(self.shapes)[40]
        a, b = self.shapes[CAI_KHE], self.shapes[other]
        edge = self._shared_vertex(CAI_KHE)
        pa, pb = a.representative_point(), b.representative_point()
        points = {"a1": (pa.x, pa.y), "a2": (pa.x, pa.y), "a3": (pa.x, pa.y),
                  "b": (pb.x, pb.y), "edge": edge}
        self.expected_commune = {name: self._shapely_commune(*p) for name, p in points.items()}
        assert self.expected_commune["a1"] == CAI_KHE and self.expected_commune["b"] == other
        self.sites = {name: factories.SiteFactory(
            location=factories.point(*p),
            commune_code=reference.locate_commune(session, *p, province_code="92"))
            for name, p in points.items()}
        self.sites["hp"] = factories.SiteFactory(
            location=factories.point(*HAI_PHONG_CENTRE), province_code="31",
            organization="Bưu điện thành phố Hải Phòng")
        self.points = {**points, "hp": HAI_PHONG_CENTRE}
        self.expected_commune["hp"] = None
        checklist = factories.ChecklistFactory()
        self.campaign = factories.CampaignFactory(checklist_id=checklist.id)
        author = factories.UserFactory(role="inspector")
        self.findings: list[tuple[Visit, Finding]] = []
        for n, visit in enumerate(VISITS):
            self._visit(session, n, visit, checklist.id, author.id)
        session.flush()
        self.h = {role: api.login(factories.UserFactory(role=role))
                  for role in ("supervisor", "inspector", "police")}
        self.h["admin"] = api.login(factories.UserFactory(role="admin", province_code=None))
        self.h["other"] = api.login(factories.UserFactory(role="supervisor", province_code="31"))

    def _visit(self, session, n, visit, checklist_id, author_id):  # type: ignore[no-untyped-def]
        site = self.sites[visit.site]
        inspection = Inspection(
            id=uuid.uuid4(), site_id=site.id, checklist_id=checklist_id,
            campaign_id=self.campaign.id if visit.campaign else None,
            province_code=site.province_code, commune_code=site.commune_code,
            status="approved", started_at=visit.started_at, request_hash=f"{n:064d}",
            created_by=author_id)
        session.add(inspection)
        session.flush()
        for k, (severity, status) in enumerate(visit.findings):
            finding = Finding(inspection_id=inspection.id, site_id=site.id, item_code=f"X{k}",
                              severity=severity, status=status, description="Vi phạm",
                              province_code=site.province_code, commune_code=site.commune_code)
            session.add(finding)
            self.findings.append((visit, finding))

    def _shapely_commune(self, x: float, y: float) -> str | None:
        inside = sorted(c for c, s in self.shapes.items() if s.intersects(Point(x, y)))
        return inside[0] if inside else None

    def _shared_vertex(self, code: str) -> tuple[float, float]:
        mine = {tuple(c) for c in shapely.get_coordinates(self.shapes[code])}
        for other, s in sorted(self.shapes.items()):
            shared = mine & {tuple(c) for c in shapely.get_coordinates(s)}
            if other != code and shared:
                x, y = sorted(shared)[0]
                return float(x), float(y)
        raise AssertionError("no neighbour")

    def expected(self, *, keep_visit=lambda v: True, keep_finding=lambda s, st: True):  # type: ignore[no-untyped-def]
        """Counts per commune of Cần Thơ, computed from VISITS without the database."""
        out = {code: {"inspections": 0, "findings": 0, "open_findings": 0,
                      "by_severity": dict.fromkeys(SEVERITIES, 0), "sites": 0,
                      "sites_never_inspected": 0} for code in self.shapes}
        visited = {v.site for v in VISITS if keep_visit(v)}
        for name, code in self.expected_commune.items():
            if code is not None:
                out[code]["sites"] += 1
                out[code]["sites_never_inspected"] += name not in visited
        for visit in VISITS:
            code = self.expected_commune[visit.site]
            if code is None or not keep_visit(visit):
                continue
            out[code]["inspections"] += 1
            for severity, status in visit.findings:
                if keep_finding(severity, status):
                    out[code]["findings"] += 1
                    out[code]["open_findings"] += status in OPEN
                    out[code]["by_severity"][severity] += 1
        return out


@pytest.fixture
def world(session, api, can_tho):  # type: ignore[no-untyped-def]
    return World(session, api, can_tho)


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
            "site_id": str(finding.site_id)}

    x, y = world.points["b"]
    box = f"{x - 0.001},{y - 0.001},{x + 0.001},{y + 0.001}"
    near_b = client.get(f"{FINDINGS}?province_code=92&bbox={box}", headers=h).get_json()
    assert Counter(f["properties"]["severity"] for f in near_b["features"]) == {
        "high": 2, "low": 1}
    high_open = client.get(f"{FINDINGS}?province_code=92&bbox={box}&severity=high&status=open",
                           headers=h).get_json()
    assert len(high_open["features"]) == 2
    capped = client.get(f"{FINDINGS}?province_code=92&limit=3", headers=h).get_json()
    assert len(capped["features"]) == 3 and capped["truncated"] is True


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
