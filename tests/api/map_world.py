"""A small world on Cần Thơ's real commune boundaries for the map's tests: sites in two
communes, on a shared vertex, one never inspected, one in Hải Phòng, and their visits and
findings; `World.expected` counts them per commune without the database.

The world is built once per module and backend (tests/module_world.py): a module using it
imports that file's `backend` and `connection`, and each of its tests runs in a SAVEPOINT
rolled back after it."""

from __future__ import annotations

import uuid
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
from tests.module_world import build_world

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
    status: str = "approved"  # the inspection's

    @property
    def awaiting_review(self) -> bool:
        return self.status != "approved"


def _at(day: int, month: int = 5) -> datetime:
    return datetime(2026, month, day, 3, 0, tzinfo=UTC)


VISITS = [
    Visit("a1", _at(5), "c1", [("critical", "open"), ("high", "dismissed"), ("low", "verified")]),
    Visit("a1", _at(20, 6), None, [("critical", "confirmed")]),
    Visit("a2", _at(6), "c1", [("medium", "remediated")]),
    Visit("b", _at(10, 4), None, [("high", "open"), ("high", "open"), ("low", "dismissed")]),
    Visit("edge", _at(7), "c1", [("medium", "open")]),
    # Not approved yet: their findings await review, never counted as open findings.
    Visit("a2", _at(22), "c1", [("critical", "open"), ("low", "open")], status="submitted"),
    Visit("b", _at(12), None, [("high", "open")], status="returned"),
    Visit("edge", _at(25), "c1", [("low", "open")], status="draft"),
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
            status=visit.status, started_at=visit.started_at, request_hash=f"{n:064d}",
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
                      "awaiting_review": 0, "by_severity": dict.fromkeys(SEVERITIES, 0), "sites": 0,
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
                    out[code]["open_findings"] += status in OPEN and not visit.awaiting_review
                    out[code]["awaiting_review"] += visit.awaiting_review
                    out[code]["by_severity"][severity] += 1
        return out


@pytest.fixture(scope="module")
def world(module_connection, can_tho, tmp_path_factory):  # type: ignore[no-untyped-def]
    return build_world(module_connection, tmp_path_factory.mktemp("map-world"),
                       lambda session, api: World(session, api, can_tho))
