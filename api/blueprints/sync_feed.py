"""/sync/package and /sync/pull: the offline package of a tablet and the changes after it.

Every request here reads one snapshot (REPEATABLE READ on PostgreSQL, set before anything
else reads; see `inspection.sync.feed`), so cursors and records agree. The package's `ETag`
fingerprints its records (not `generated_at`, not `cursor`): a tablet answered `304` keeps
its package and its cursor, which is still right to pull from. A gzip body is a different
representation, so its ETag is the fingerprint with `-gzip`; `If-None-Match` names either.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from flask import Response, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, pre_dump, validate
from sqlalchemy.orm import Session

from api import database
from api.auth import current_user, login_required
from api.blueprints.auth import UserSchema
from api.blueprints.campaigns import AssignmentSchema
from api.blueprints.checklists import ChecklistSchema
from api.blueprints.communes import CommuneSchema
from api.blueprints.findings import FindingSchema
from api.blueprints.inspections import InspectionSchema
from api.blueprints.photos import PhotoSchema
from api.blueprints.sites import SiteSchema, StaffFiguresSchema
from api.representations import ENTITIES, represent
from api.schemas import Identifier
from inspection import identifiers
from inspection.models import Inspection, SyncFeed, User
from inspection.sync import feed, package, pull

PREFIX = "/sync"
blp = Blueprint("sync_feed", __name__, description="Đồng bộ ngoại tuyến: gói dữ liệu, kéo thay đổi")

PULL_LIMIT = 200
MAX_PULL_LIMIT = 500
IF_NONE_MATCH = {"in": "header", "name": "If-None-Match", "required": False,
                 "schema": {"type": "string"},
                 "description": "The ETag of the package the tablet holds: 304 if unchanged."}


@blp.before_request
def _one_snapshot() -> None:
    """Before authentication reads anything: the whole request reads one snapshot."""
    feed.begin_snapshot(database.session())


class PackageQuerySchema(Schema):
    geometry = fields.Boolean(load_default=False, metadata={
        "description": "Thêm ranh giới xã, phường (GeoJSON) vào `communes`."})


class PackageCommuneSchema(CommuneSchema):
    geometry = fields.Dict(allow_none=True, metadata={
        "description": "GeoJSON MultiPolygon, WGS84; only with `geometry=true`."})


class PackageInspectionSchema(InspectionSchema):
    """An inspection as `GET /inspections/{id}` shows it (answers, status, version, review with
    its comment, location check, flags, site, members), with its photos as
    `GET /inspections/{id}/photos` lists them and its last change."""

    photos = fields.List(fields.Nested(PhotoSchema))
    updated_at = fields.DateTime(metadata={
        "description": "Its last change: an answer, a photo, a submission or a review."})
    updated_by = fields.UUID(allow_none=True, metadata={
        "description": "Who made the last answer, photo, review or the inspection itself."})

    @pre_dump
    def _view(self, inspection: Inspection, **kwargs: Any) -> dict[str, Any]:
        out = super()._view(inspection, **kwargs)
        changes = [(inspection.created_at, inspection.created_by)]
        changes += [(a.updated_at, a.answered_by) for a in inspection.answers]
        changes += [(p.created_at, p.uploaded_by) for p in inspection.photos]
        if inspection.reviewed_at is not None:
            changes.append((inspection.reviewed_at, inspection.reviewed_by))
        when, who = max(changes, key=lambda c: c[0])
        return {**out, "photos": inspection.photos,
                "updated_at": max(when, inspection.updated_at), "updated_by": who}


class PackageSchema(Schema):
    cursor = fields.String(metadata={"description": "Pull from here: GET /sync/pull?cursor=."})
    generated_at = fields.DateTime()
    user = fields.Nested(UserSchema)
    assignments = fields.List(fields.Nested(AssignmentSchema))
    sites = fields.List(fields.Nested(SiteSchema))
    checklists = fields.List(fields.Nested(ChecklistSchema), metadata={
        "description": "The checklist versions the assignments' campaigns pin, in full."})
    communes = fields.List(fields.Nested(PackageCommuneSchema))
    open_findings = fields.List(fields.Nested(FindingSchema), metadata={
        "description": "Findings of these sites not yet verified or dismissed."})
    staff_figures = fields.List(fields.Nested(StaffFiguresSchema), metadata={
        "description": "KT1 staff figures (counts, no names) of these provider sites."})
    inspections = fields.List(fields.Nested(PackageInspectionSchema), metadata={
        "description": "Every inspection of these assignments (the same campaign and site), "
                       "any team member's, any status, oldest visit first."})


class PullQuerySchema(Schema):
    cursor = fields.String(load_default="0", validate=Identifier(
        identifiers.CURSOR,
        error="Con trỏ phải là con trỏ nhận từ gói dữ liệu hoặc lần tải trước."), metadata={
        "description": "The `cursor` of the package or of the last pull; none: from the start."})
    limit = fields.Integer(load_default=PULL_LIMIT,
                           validate=validate.Range(min=1, max=MAX_PULL_LIMIT))


class ChangeSchema(Schema):
    entity = fields.String(metadata={"enum": list(ENTITIES)})
    id = fields.String()
    op = fields.String(metadata={"enum": ["upsert", "delete"]})
    version = fields.Integer()
    data = fields.Dict(allow_none=True, metadata={
        "description": "The record as its REST endpoint shows it; null for a deletion."})


class PullSchema(Schema):
    changes = fields.List(fields.Nested(ChangeSchema))
    cursor = fields.String(metadata={"description": "Pull the next page from here."})
    has_more = fields.Boolean()


@blp.get("/package")
@login_required(*package.ROLES)
@blp.arguments(PackageQuerySchema, location="query")
@blp.response(200, PackageSchema)
@blp.alt_response(304, description="Not modified (If-None-Match)")
@blp.doc(parameters=[IF_NONE_MATCH])
def get_package(query: dict):  # type: ignore[no-untyped-def]
    """Everything the tablet needs for its assignments, with the cursor to pull from."""
    return _send(package_document(database.session(), current_user(), **query))


@blp.get("/pull")
@login_required()
@blp.arguments(PullQuerySchema, location="query")
@blp.response(200, PullSchema)
def get_changes(query: dict):  # type: ignore[no-untyped-def]
    """The changes the caller may see after `cursor`, oldest first; tombstones for deletions."""
    session = database.session()
    page = pull.changes_after(session, current_user(), cursor=feed.Cursor.parse(query["cursor"]),
                              limit=query["limit"], entities=tuple(ENTITIES))
    return {"changes": changes(session, page.changes), "cursor": str(page.cursor),
            "has_more": page.has_more}


def package_document(session: Session, actor: User, *, geometry: bool = False) -> dict[str, Any]:
    """The package as the API sends it (JSON-ready); usable outside a request (the bench)."""
    return PackageSchema().dump(package.build(session, actor, geometry=geometry))


def encode(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def fingerprint(document: dict[str, Any]) -> str:
    """A strong validator of the package's records: the same records, the same value."""
    records = {k: v for k, v in document.items() if k not in ("generated_at", "cursor")}
    raw = json.dumps(records, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def _send(document: dict[str, Any]) -> Response:
    digest = fingerprint(document)
    gzipped = request.accept_encodings["gzip"] > 0
    headers = {"ETag": f'"{digest}-gzip"' if gzipped else f'"{digest}"',
               "Vary": "Accept-Encoding", "Cache-Control": "private, no-cache"}
    if any(request.if_none_match.contains_weak(tag) for tag in (digest, f"{digest}-gzip")):
        return Response(status=304, headers=headers)
    body = encode(document)
    if gzipped:
        body = gzip.compress(body, mtime=0)
        headers["Content-Encoding"] = "gzip"
    return Response(body, status=200, mimetype="application/json", headers=headers)


def changes(session: Session, rows: Sequence[SyncFeed]) -> list[dict[str, Any]]:
    """Feed rows as changes, with their records (one query per entity for the page)."""
    ids: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        if row.op != "delete":
            ids[row.entity].append(row.entity_id)
    data = {entity: represent(session, entity, keys) for entity, keys in ids.items()}
    return [{"entity": row.entity, "id": row.entity_id, "op": row.op, "version": row.version,
             "data": None if row.op == "delete" else data[row.entity].get(row.entity_id)}
            for row in rows]
