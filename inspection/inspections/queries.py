"""The read side: who sees which inspection, finding or photo, and the filtered listings.

A post office's staff (`post`) see only what concerns them after review: the approved
inspections of their organisation's sites, the findings confirmed (or followed up since) and
the photos behind those findings or sent by their organisation; never a draft, submitted or
returned inspection, an open or dismissed finding. Everyone else sees their province's.

Listings are selects for the caller to page through. `started_from` is inclusive and
`started_before` exclusive; both filter on the inspection's `started_at` (for findings too:
a finding dates from the visit that found it).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, false, func, or_, select, true
from sqlalchemy.orm import selectinload, with_expression

from inspection.models import Finding, Inspection, Photo, Site, User
from inspection.models.notices import NOTICED_FINDINGS
from inspection.scope import province_clause

POST_INSPECTIONS = ("approved",)
"""The inspections a `post` user may read (of its organisation's sites)."""
POST_FINDINGS = NOTICED_FINDINGS
"""The findings a `post` user may read: confirmed, then remediated or verified."""

NON_COMPLIANT = (select(func.count(Finding.id)).where(Finding.inspection_id == Inspection.id)
                 .correlate(Inspection).scalar_subquery())
"""An inspection's findings (its non-compliant items), counted in the listing's own select."""

INSPECTION_SORTS: dict[str, tuple[Any, ...]] = {
    "-started_at": (Inspection.started_at.desc(),),
    "started_at": (Inspection.started_at.asc(),),
    "-submitted_at": (Inspection.submitted_at.desc().nulls_last(),),
    "submitted_at": (Inspection.submitted_at.asc().nulls_last(),),
    "-non_compliant": (NON_COMPLIANT.desc(), Inspection.submitted_at.asc().nulls_last()),
    "non_compliant": (NON_COMPLIANT.asc(), Inspection.submitted_at.asc().nulls_last()),
}
"""Orders of the inspection listing (`-` for descending); ties fall back on the id."""


def sees(actor: User, province_code: str, site: Site) -> bool:
    """Whether a record of `province_code` about `site` is visible: the actor's province
    (every province for a national admin) and, for a `post` user, its organisation's sites."""
    if not actor.is_national and province_code != actor.province_code:
        return False
    return actor.role != "post" or (actor.organization is not None
                                    and site.organization == actor.organization)


def sees_inspection(actor: User, inspection: Inspection) -> bool:
    """Whether the actor may read the inspection (a `post` user: an approved one)."""
    return sees(actor, inspection.province_code, inspection.site) and (
        actor.role != "post" or inspection.status in POST_INSPECTIONS)


def sees_finding(actor: User, finding: Finding) -> bool:
    """Whether the actor may read the finding (a `post` user: a confirmed one, or followed
    up since, of an approved inspection)."""
    return sees_inspection(actor, finding.inspection) and (
        actor.role != "post" or finding.status in POST_FINDINGS)


def reviewed_clause(actor: User) -> ColumnElement[bool]:
    """Inspections past review, for a `post` user; every status for anyone else."""
    if actor.role != "post":
        return true()
    return Inspection.status.in_(POST_INSPECTIONS)


def post_findings_clause(actor: User) -> ColumnElement[bool]:
    if actor.role != "post":
        return true()
    return Finding.status.in_(POST_FINDINGS)


def photos_clause(actor: User) -> ColumnElement[bool]:
    """The photos of an inspection the actor sees that it may read: all of them, but for a
    `post` user only the evidence of a finding it may read and its organisation's own."""
    if actor.role != "post":
        return true()
    evidence = select(Finding.id).where(Finding.inspection_id == Photo.inspection_id,
                                        Finding.item_code == Photo.item_code,
                                        Finding.status.in_(POST_FINDINGS))
    colleagues = select(User.id).where(User.role == "post",
                                       User.organization == (actor.organization or ""))
    return or_(evidence.exists(), Photo.uploaded_by.in_(colleagues))


def _organization_clause(actor: User, site_id: Any) -> ColumnElement[bool]:
    if actor.role != "post":
        return true()
    if actor.organization is None:
        return false()
    return site_id.in_(  # type: ignore[no-any-return]
        select(Site.id).where(Site.organization == actor.organization))


def list_inspections(actor: User, *, site_id: uuid.UUID | None = None,
                     commune_code: str | None = None, status: str | None = None,
                     campaign_id: uuid.UUID | None = None, started_from: datetime | None = None,
                     started_before: datetime | None = None,
                     sort: str = "-started_at") -> Select[Inspection]:
    """Inspections the actor may see in the order `sort` names (INSPECTION_SORTS; by
    default newest visit first), with their site (and its commune's name), team, photos and
    count of findings loaded in a few selects per page."""
    stmt = select(Inspection).where(province_clause(actor, Inspection.province_code),
                                    _organization_clause(actor, Inspection.site_id),
                                    reviewed_clause(actor))
    filters = {Inspection.site_id: site_id, Inspection.commune_code: commune_code,
               Inspection.status: status, Inspection.campaign_id: campaign_id}
    stmt = stmt.where(*[col == value for col, value in filters.items() if value is not None])
    if started_from is not None:
        stmt = stmt.where(Inspection.started_at >= started_from)
    if started_before is not None:
        stmt = stmt.where(Inspection.started_at < started_before)
    return stmt.options(
        selectinload(Inspection.team), selectinload(Inspection.site).undefer(Site.commune_name),
        selectinload(Inspection.photos), with_expression(Inspection.non_compliant, NON_COMPLIANT),
    ).order_by(*INSPECTION_SORTS[sort], Inspection.id)


def list_findings(actor: User, *, inspection_id: uuid.UUID | None = None,
                  site_id: uuid.UUID | None = None, commune_code: str | None = None,
                  severity: str | None = None, status: str | None = None,
                  campaign_id: uuid.UUID | None = None, started_from: datetime | None = None,
                  started_before: datetime | None = None) -> Select[Finding]:
    """Findings the actor may see, newest visit first, then by item."""
    stmt = (select(Finding).join(Inspection, Inspection.id == Finding.inspection_id)
            .where(province_clause(actor, Finding.province_code),
                   _organization_clause(actor, Finding.site_id), reviewed_clause(actor),
                   post_findings_clause(actor)))
    filters = {Finding.inspection_id: inspection_id, Finding.site_id: site_id,
               Finding.commune_code: commune_code, Finding.severity: severity,
               Finding.status: status, Inspection.campaign_id: campaign_id}
    stmt = stmt.where(*[col == value for col, value in filters.items() if value is not None])
    if started_from is not None:
        stmt = stmt.where(Inspection.started_at >= started_from)
    if started_before is not None:
        stmt = stmt.where(Inspection.started_at < started_before)
    return stmt.order_by(Inspection.started_at.desc(), Finding.item_code, Finding.id)
