"""Records as the REST API shows them, for the sync package, pull and push results.

`represent(session, entity, ids)` loads the records in one query per entity and dumps them
with the same marshmallow schemas the REST endpoints use, so a tablet sees one shape.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from marshmallow import Schema
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from api.blueprints.campaigns import AssignmentSchema
from api.blueprints.findings import FindingSchema
from api.blueprints.inspections import AnswerSchema, InspectionSummarySchema
from api.blueprints.photos import PhotoSchema
from api.blueprints.sites import SiteSchema
from inspection.models import Answer, Assignment, Finding, Inspection, Photo, Site

ENTITIES: dict[str, tuple[type[Any], Schema, tuple[Any, ...]]] = {
    "inspection": (Inspection, InspectionSummarySchema(),
                   (selectinload(Inspection.team), selectinload(Inspection.site),
                    selectinload(Inspection.photos))),
    "answer": (Answer, AnswerSchema(), ()),
    "finding": (Finding, FindingSchema(), ()),
    "site": (Site, SiteSchema(), ()),
    "assignment": (Assignment, AssignmentSchema(), (selectinload(Assignment.team),)),
    "photo": (Photo, PhotoSchema(), ()),
}


def represent(session: Session, entity: str, ids: Iterable[str | uuid.UUID]) -> dict[str, Any]:
    """`{str(id): representation}` for the ids that exist (deleted ones are absent)."""
    model, schema, options = ENTITIES[entity]
    keys = [i if isinstance(i, uuid.UUID) else uuid.UUID(str(i)) for i in ids]
    if not keys:
        return {}
    rows = session.scalars(select(model).where(model.id.in_(keys)).options(*options))
    return {str(row.id): schema.dump(row) for row in rows}


def represent_one(session: Session, entity: str, entity_id: str | uuid.UUID) -> Any | None:
    return represent(session, entity, [entity_id]).get(str(entity_id))
