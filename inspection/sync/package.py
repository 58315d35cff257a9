"""The offline package: what a tablet needs for its assignments, and the cursor to pull from.

Everything in a package, the cursor included, is read from one snapshot (`feed.begin_snapshot`,
REPEATABLE READ on PostgreSQL). Under READ COMMITTED each statement sees the commits made
before it started, so a cursor read after the records could name a change that committed in
between and that the package does not hold: the tablet would pull from past it and never
see it. Read before, it would only repeat that change; in one snapshot it does neither.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from geoalchemy2.shape import to_shape
from shapely.geometry import mapping
from sqlalchemy import select
from sqlalchemy.orm import Session, defer, selectinload

from inspection import staff
from inspection.campaigns import assignments_select
from inspection.db import utcnow
from inspection.models import (
    Assignment,
    Campaign,
    Checklist,
    ChecklistSection,
    Commune,
    Finding,
    Inspection,
    Site,
    User,
)
from inspection.models.inspections import OPEN_FINDING_STATUSES
from inspection.scope import province_clause, require_role
from inspection.sync import feed

# Post office staff answer notices; they have no assignments to take offline.
ROLES = ("inspector", "police", "supervisor", "admin")
VIETNAM = timezone(timedelta(hours=7))


@dataclass(frozen=True)
class Package:
    """The records of a package; `cursor` is the feed position they were read at."""

    cursor: str
    generated_at: datetime
    user: User
    assignments: list[Assignment]
    sites: list[Site]
    checklists: list[Checklist]
    communes: list[dict[str, Any]]
    open_findings: list[Finding]
    staff_figures: list[staff.StaffFigures]
    inspections: list[Inspection] = field(default_factory=list)


def build(session: Session, actor: User, *, geometry: bool = False,
          today: date | None = None) -> Package:
    """The actor's package: open assignments of campaigns not yet ended (their own for
    inspectors and police, every one of the province for supervisors and admins), their
    sites, the checklist versions their campaigns pin (full content), the communes of the
    actor's province (of the sites' provinces for a national admin; `geometry` adds GeoJSON
    boundaries), the findings of those sites not yet verified or dismissed, and the KT1 staff
    figures (counts, no names) of the provider sites among them, and every inspection of
    those assignments (same campaign and site; any team member's, any status) with its team,
    answers and photos. Forbidden for `post` users.
    Call it before anything else reads in the session's transaction."""
    feed.begin_snapshot(session)
    require_role(actor, *ROLES)
    cursor = str(feed.position(session, actor))
    today = today or utcnow().astimezone(VIETNAM).date()
    assignments = list(session.scalars(
        assignments_select(actor, status="open").where(Campaign.ends_on >= today)
        .options(selectinload(Assignment.campaign))))
    site_ids = {a.site_id for a in assignments}
    sites = list(session.scalars(select(Site).where(Site.id.in_(site_ids))
                                 .order_by(Site.name, Site.id)))
    provinces = ([actor.province_code] if actor.province_code
                 else sorted({s.province_code for s in sites}))
    return Package(
        cursor=cursor, generated_at=utcnow(), user=actor, assignments=assignments, sites=sites,
        checklists=_checklists(session, {a.campaign.checklist_id for a in assignments}),
        communes=communes(session, provinces, geometry=geometry),
        open_findings=list(session.scalars(
            select(Finding).where(Finding.site_id.in_(site_ids),
                                  Finding.status.in_(OPEN_FINDING_STATUSES),
                                  province_clause(actor, Finding.province_code))
            .order_by(Finding.site_id, Finding.created_at, Finding.item_code, Finding.id))),
        staff_figures=staff.figures_of_sites(session, sites, on=today),
        inspections=inspections_of(session, assignments),
    )


def inspections_of(session: Session, assignments: Sequence[Assignment]) -> list[Inspection]:
    """The inspections of `assignments` (same campaign and site), oldest visit first, with
    their team, site, answers and photos loaded in one select each."""
    pairs = {(a.campaign_id, a.site_id) for a in assignments}
    if not pairs:
        return []
    rows = session.scalars(
        select(Inspection).where(Inspection.campaign_id.in_({c for c, _ in pairs}),
                                 Inspection.site_id.in_({s for _, s in pairs}))
        .options(selectinload(Inspection.team), selectinload(Inspection.site),
                 selectinload(Inspection.answers), selectinload(Inspection.photos))
        .order_by(Inspection.started_at, Inspection.id))
    return [i for i in rows if (i.campaign_id, i.site_id) in pairs]


def _checklists(session: Session, ids: set[Any]) -> list[Checklist]:
    return list(session.scalars(
        select(Checklist).where(Checklist.id.in_(ids))
        .options(selectinload(Checklist.sections).selectinload(ChecklistSection.items))
        .order_by(Checklist.code, Checklist.version)))


def communes(session: Session, provinces: Sequence[str], *,
             geometry: bool = False) -> list[dict[str, Any]]:
    """The communes of `provinces` by code as plain data; `geometry` adds each boundary as a
    GeoJSON geometry in WGS84 (None where none is loaded)."""
    stmt = select(Commune).where(Commune.province_code.in_(provinces)).order_by(Commune.code)
    if not geometry:
        stmt = stmt.options(defer(Commune.geom))
    out = []
    for c in session.scalars(stmt):
        row = {"code": c.code, "name": c.name, "unit_type": c.unit_type,
               "province_code": c.province_code, "has_boundary": c.has_boundary,
               "boundary_source": c.boundary_source}
        if geometry:
            row["geometry"] = mapping(to_shape(c.geom)) if c.geom is not None else None
        out.append(row)
    return out
