"""The supervisors' map: per-commune aggregates as a GeoJSON choropleth and findings as points,
both counted, simplified and bbox-filtered in the database (PostGIS and SpatiaLite alike).

Filters: `started_from` (inclusive) and `started_before` (exclusive) on the inspection's
`started_at`, `campaign_id` on the inspection; `severity` and `status` on the findings only.

A finding counts as an open finding only once its inspection is approved: until then (draft,
submitted, returned) it is awaiting review, counted apart (`awaiting_review`) and marked so on
its point.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from geoalchemy2 import functions as gf
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    and_,
    cast,
    exists,
    func,
    select,
    true,
)
from sqlalchemy.orm import Session

from geo import geojson
from inspection import errors
from inspection.models import Commune, Finding, Inspection, Province, Site, User
from inspection.models.checklists import SEVERITIES
from inspection.models.inspections import OPEN_FINDING_STATUSES
from inspection.models.reference import SIMPLIFIED_TOLERANCE
from inspection.models.users import role_name
from inspection.scope import ensure_visible

MAP_ROLES = ("admin", "supervisor", "inspector")
REVIEWED = "approved"
"""The inspection status from which its findings count as confirmed open findings."""
DEFAULT_TOLERANCE = 0.0005  # degrees, about 55 m
MAX_TOLERANCE = 0.05
MAX_POINTS = 5000
COORDINATE_DIGITS = 6  # about 0.1 m


@dataclass(frozen=True)
class MapFilters:
    started_from: datetime | None = None
    started_before: datetime | None = None
    campaign_id: uuid.UUID | None = None
    severity: str | None = None
    status: str | None = None

    def inspection_clause(self) -> ColumnElement[bool]:
        clauses: list[ColumnElement[bool]] = []
        if self.started_from is not None:
            clauses.append(Inspection.started_at >= self.started_from)
        if self.started_before is not None:
            clauses.append(Inspection.started_at < self.started_before)
        if self.campaign_id is not None:
            clauses.append(Inspection.campaign_id == self.campaign_id)
        return and_(true(), *clauses)

    def finding_clause(self) -> ColumnElement[bool]:
        clauses = [self.inspection_clause()]
        if self.severity is not None:
            clauses.append(Finding.severity == self.severity)
        if self.status is not None:
            clauses.append(Finding.status == self.status)
        return and_(*clauses)


@dataclass(frozen=True)
class BBox:
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float


def check_province(session: Session, actor: User, province_code: str) -> None:
    if actor.role not in MAP_ROLES:
        raise errors.Forbidden(f"Vai trò {role_name(actor.role)} không được xem bản đồ.")
    ensure_visible(actor, province_code, "tỉnh/thành phố")
    if session.get(Province, province_code) is None:
        raise errors.NotFound("Không tìm thấy tỉnh/thành phố.")


def _inspection_counts(province_code: str, filters: MapFilters) -> Any:
    return (select(Inspection.commune_code.label("code"),
                   func.count().label("inspections"))
            .where(Inspection.province_code == province_code, filters.inspection_clause())
            .group_by(Inspection.commune_code).subquery("i"))


def _finding_counts(province_code: str, filters: MapFilters) -> Any:
    # Counted per commune, severity, status and inspection status first (a few thousand
    # groups), then summed per commune: the FILTER tests run once per group instead of once
    # per finding. Every finding has its inspection (a NOT NULL foreign key), of the same
    # province (the finding takes its inspection's); saying so lets the planner read only the
    # province's inspections.
    groups = (select(Finding.commune_code, Finding.severity, Finding.status,
                     Inspection.status.label("inspection_status"), func.count().label("n"))
              .join(Inspection, (Inspection.id == Finding.inspection_id)
                    & (Inspection.province_code == province_code))
              .where(Finding.province_code == province_code, filters.finding_clause())
              .group_by(Finding.commune_code, Finding.severity, Finding.status,
                        Inspection.status))
    g = groups.subquery("g")

    def total(*where: ColumnElement[bool]) -> Any:
        summed = func.sum(g.c.n).filter(*where) if where else func.sum(g.c.n)
        return cast(func.coalesce(summed, 0), BigInteger)  # an integer, as count() gives

    reviewed = g.c.inspection_status == REVIEWED
    return (select(g.c.commune_code.label("code"), total().label("findings"),
                   total(g.c.status.in_(OPEN_FINDING_STATUSES), reviewed)
                   .label("open_findings"),
                   total(~reviewed).label("awaiting_review"),
                   *(total(g.c.severity == s).label(s) for s in SEVERITIES))
            .group_by(g.c.commune_code).subquery("f"))


def _site_counts(province_code: str, filters: MapFilters) -> Any:
    inspected = exists().where(Inspection.site_id == Site.id, filters.inspection_clause())
    return (select(Site.commune_code.label("code"), func.count().label("sites"),
                   func.count().filter(~inspected).label("sites_never_inspected"))
            .where(Site.province_code == province_code)
            .group_by(Site.commune_code).subquery("s"))


def outline(tolerance: float) -> Any:
    """The communes' outlines simplified to `tolerance` degrees, from the copy the database
    keeps at SIMPLIFIED_TOLERANCE wherever that is fine enough: as it is at that tolerance,
    simplified further above it (a few vertices to visit instead of every one); only a finer
    tolerance goes back to the full boundary."""
    if tolerance == SIMPLIFIED_TOLERANCE:
        return Commune.geom_simplified
    if tolerance > SIMPLIFIED_TOLERANCE:
        return gf.ST_SimplifyPreserveTopology(Commune.geom_simplified, tolerance)
    return gf.ST_SimplifyPreserveTopology(Commune.geom, tolerance)


def communes_select(province_code: str, filters: MapFilters, tolerance: float) -> Select[Any]:
    """One row per commune of the province: code, name, simplified GeoJSON text and counts."""
    return with_counts(
        select(Commune.code, Commune.name,
               gf.ST_AsGeoJSON(outline(tolerance), COORDINATE_DIGITS).label("geometry"))
        .where(Commune.province_code == province_code),
        province_code, filters).order_by(Commune.code)


def commune_features(session: Session, actor: User, *, province_code: str,
                     filters: MapFilters, tolerance: float = DEFAULT_TOLERANCE) -> str:
    """The province's communes as a GeoJSON FeatureCollection (text); `tolerance` in
    degrees."""
    check_province(session, actor, province_code)
    if not 0 <= tolerance <= MAX_TOLERANCE:
        raise errors.ValidationFailed(f"tolerance phải trong khoảng 0..{MAX_TOLERANCE} độ.")
    rows = session.execute(communes_select(province_code, filters, tolerance)).mappings()
    return geojson.collection(_commune_feature(r) for r in rows)


def _commune_feature(row: Any) -> str:
    properties = {k: row[k] for k in ("code", "name", "inspections", "findings",
                                      "open_findings", "awaiting_review", "sites",
                                      "sites_never_inspected")}
    properties["by_severity"] = {s: row[s] for s in SEVERITIES}
    return geojson.feature(row["code"], properties, row["geometry"])


def findings_select(province_code: str, filters: MapFilters, bbox: BBox | None,
                    dialect: str) -> Select[Any]:
    """Findings at their site's location, newest first; the bbox is applied in the database
    (with the GiST index on PostGIS)."""
    lon, lat = gf.ST_X(Site.location), gf.ST_Y(Site.location)
    stmt = (select(Finding.id, Finding.severity, Finding.status, Finding.item_code,
                   Finding.commune_code, Finding.site_id, Finding.inspection_id,
                   Inspection.status.label("inspection_status"),
                   lon.label("lon"), lat.label("lat"))
            .join(Site, Site.id == Finding.site_id)
            .join(Inspection, Inspection.id == Finding.inspection_id)
            .where(Finding.province_code == province_code, Site.location.is_not(None),
                   filters.finding_clause())
            .order_by(Finding.created_at.desc(), Finding.id))
    if bbox is not None:
        stmt = stmt.where(lon.between(bbox.min_lon, bbox.max_lon),
                          lat.between(bbox.min_lat, bbox.max_lat))
        if dialect == "postgresql":
            envelope = gf.ST_MakeEnvelope(bbox.min_lon, bbox.min_lat, bbox.max_lon,
                                          bbox.max_lat, 4326)
            stmt = stmt.where(Site.location.op("&&")(envelope))
    return stmt


def finding_features(session: Session, actor: User, *, province_code: str,
                     filters: MapFilters, bbox: BBox | None = None,
                     limit: int = MAX_POINTS) -> str:
    """At most `limit` findings (newest first) as a GeoJSON FeatureCollection (text);
    `truncated` says whether more matched."""
    check_province(session, actor, province_code)
    stmt = findings_select(province_code, filters, bbox, session.get_bind().dialect.name)
    rows = session.execute(stmt.limit(min(limit, MAX_POINTS) + 1)).mappings().all()
    cap = min(limit, MAX_POINTS)
    return geojson.collection((_finding_feature(r) for r in rows[:cap]),
                              truncated=len(rows) > cap)


def _finding_feature(row: Any) -> str:
    properties = {k: row[k] for k in ("id", "severity", "status", "item_code",
                                      "commune_code", "site_id", "inspection_id",
                                      "inspection_status")}
    properties["awaiting_review"] = row["inspection_status"] != REVIEWED
    return geojson.feature(str(row["id"]), properties, geojson.point(row["lon"], row["lat"]))


def with_counts(stmt: Select[Any], province_code: str, filters: MapFilters) -> Select[Any]:
    """`stmt`, a select from `Commune`, with the commune's counts added as columns named as in
    the map's properties (inspections, findings, open_findings, awaiting_review, each
    severity, sites, sites_never_inspected), each computed once per commune by GROUP BY in
    the database."""
    i = _inspection_counts(province_code, filters)
    f = _finding_counts(province_code, filters)
    s = _site_counts(province_code, filters)
    counts = [func.coalesce(c, 0).label(c.name) for c in (
        i.c.inspections, f.c.findings, f.c.open_findings, f.c.awaiting_review,
        *(f.c[x] for x in SEVERITIES),
        s.c.sites, s.c.sites_never_inspected)]
    return (stmt.add_columns(*counts)
            .outerjoin(i, i.c.code == Commune.code)
            .outerjoin(f, f.c.code == Commune.code)
            .outerjoin(s, s.c.code == Commune.code))
