"""The read side: who sees which inspection or finding, and the filtered listings.

Listings are selects for the caller to page through. `started_from` is inclusive and
`started_before` exclusive; both filter on the inspection's `started_at` (for findings too:
a finding dates from the visit that found it).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, false, select, true
from sqlalchemy.orm import selectinload

from inspection.models import Finding, Inspection, Site, User
from inspection.scope import province_clause


def sees(actor: User, province_code: str, site: Site) -> bool:
    """Whether a record of `province_code` about `site` is visible: the actor's province
    (every province for a national admin) and, for a `post` user, its organisation's sites."""
    if not actor.is_national and province_code != actor.province_code:
        return False
    return actor.role != "post" or (actor.organization is not None
                                    and site.organization == actor.organization)


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
                     started_before: datetime | None = None) -> Select[Inspection]:
    """Inspections the actor may see, newest visit first."""
    stmt = select(Inspection).where(province_clause(actor, Inspection.province_code),
                                    _organization_clause(actor, Inspection.site_id))
    filters = {Inspection.site_id: site_id, Inspection.commune_code: commune_code,
               Inspection.status: status, Inspection.campaign_id: campaign_id}
    stmt = stmt.where(*[col == value for col, value in filters.items() if value is not None])
    if started_from is not None:
        stmt = stmt.where(Inspection.started_at >= started_from)
    if started_before is not None:
        stmt = stmt.where(Inspection.started_at < started_before)
    return stmt.options(selectinload(Inspection.team), selectinload(Inspection.site),
                        selectinload(Inspection.photos)).order_by(
        Inspection.started_at.desc(), Inspection.id)


def list_findings(actor: User, *, inspection_id: uuid.UUID | None = None,
                  site_id: uuid.UUID | None = None, commune_code: str | None = None,
                  severity: str | None = None, status: str | None = None,
                  campaign_id: uuid.UUID | None = None, started_from: datetime | None = None,
                  started_before: datetime | None = None) -> Select[Finding]:
    """Findings the actor may see, newest visit first, then by item."""
    stmt = (select(Finding).join(Inspection, Inspection.id == Finding.inspection_id)
            .where(province_clause(actor, Finding.province_code),
                   _organization_clause(actor, Finding.site_id)))
    filters = {Finding.inspection_id: inspection_id, Finding.site_id: site_id,
               Finding.commune_code: commune_code, Finding.severity: severity,
               Finding.status: status, Inspection.campaign_id: campaign_id}
    stmt = stmt.where(*[col == value for col, value in filters.items() if value is not None])
    if started_from is not None:
        stmt = stmt.where(Inspection.started_at >= started_from)
    if started_before is not None:
        stmt = stmt.where(Inspection.started_at < started_before)
    return stmt.order_by(Inspection.started_at.desc(), Finding.item_code, Finding.id)
