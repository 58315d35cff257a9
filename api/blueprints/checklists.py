"""/checklists: versioned checklist templates; anyone signed in reads, admins draft and publish.

The ETag of a version is a fingerprint of its content and status (a published version never
changes, so its ETag never does). Writes to an existing version need `If-Match` (428 without,
412 stale); `If-None-Match` on a read answers 304 when the client's copy is current.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Response, request, url_for
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from api import database
from api.auth import login_required
from api.pagination import PAGE, paginate_select
from api.schemas import Identifier, ProblemSchema
from inspection import errors, identifiers
from inspection.checklists import compliance, services
from inspection.models.checklists import (
    ANSWER_TYPES,
    CHECKLIST_STATUSES,
    REF_STATUSES,
    SEVERITIES,
    TARGET_KINDS,
)

PREFIX = "/checklists"
blp = Blueprint("checklists", __name__, description="Bảng kiểm tra (checklist) theo phiên bản")

IF_MATCH = [{"in": "header", "name": "If-Match", "required": True, "schema": {"type": "string"},
             "description": "The version's current ETag (428 without, 412 stale)."}]
WRITE_ERRORS = {409: "Not a draft (or not published, for retire)", 412: "Stale ETag",
                428: "If-Match missing"}


def _write_doc(view: Any) -> Any:
    """Document If-Match and the answers a write to an existing version may give."""
    for status, description in WRITE_ERRORS.items():
        view = blp.alt_response(status, schema=ProblemSchema, description=description)(view)
    return blp.doc(parameters=IF_MATCH)(view)


class StrictBoolean(fields.Boolean):
    """JSON true/false only (marshmallow's Boolean also takes 1, "yes", "on"...)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


def _iso_date(value: str) -> None:
    if not compliance.is_iso_date(value):
        raise ValidationError("A date YYYY-MM-DD.")


class ChecklistLegalRefSchema(Schema):
    id = fields.UUID(metadata={"description": "The reference in /legal-references; a citation "
                               "naming it takes its instrument, article and status"})
    instrument = fields.String(validate=validate.Length(min=1, max=300))
    article = fields.String(allow_none=True, load_default=None,
                            validate=validate.Length(max=200))
    status = fields.String(validate=validate.OneOf(REF_STATUSES))
    effective_from = fields.String(validate=_iso_date)
    effective_to = fields.String(validate=_iso_date)
    note = fields.String(allow_none=True, validate=validate.Length(max=1000))

    @validates_schema
    def _named(self, data: dict[str, Any], **_: Any) -> None:
        """A citation names its register entry (`id`) or says what it cites."""
        if data.get("id") is None:
            missing = {k: ["Chưa nhập"] for k in ("instrument", "status") if k not in data}
            if missing:
                raise ValidationError(missing)


ITEM_CODE = Identifier(identifiers.ITEM_CODE,
                       error="Mã mục gồm chữ, số, '.', '_', '-' (tối đa 20 ký tự).")


class ChecklistItemSchema(Schema):
    code = fields.String(required=True, validate=ITEM_CODE)
    text = fields.String(required=True, validate=validate.Length(min=1, max=10000))
    answer_type = fields.String(required=True, validate=validate.OneOf(ANSWER_TYPES))
    required = StrictBoolean(load_default=True)
    photo_required = StrictBoolean(load_default=False)
    compliant_when = fields.Dict(keys=fields.String(), allow_none=True, load_default=None,
                                 metadata={"description": "null or one of {in: [...]}, "
                                           "{min: n}, {max: n}, {gte_item: code}"})
    severity = fields.String(allow_none=True, load_default=None,
                             validate=validate.OneOf(SEVERITIES))
    legal_basis = fields.String(load_default="", validate=validate.Length(max=5000))
    legal_refs = fields.List(fields.Nested(ChecklistLegalRefSchema), load_default=list)
    choices = fields.List(fields.String(validate=validate.Length(min=1, max=200)),
                          allow_none=True, load_default=None)


class ChecklistSectionSchema(Schema):
    code = fields.String(required=True, validate=ITEM_CODE)
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    items = fields.List(fields.Nested(ChecklistItemSchema), required=True,
                        validate=validate.Length(min=1))


class ChecklistDraftSchema(Schema):
    """The full content of a draft (PUT replaces it whole)."""

    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    target_kind = fields.String(required=True, validate=validate.OneOf(TARGET_KINDS))
    sections = fields.List(fields.Nested(ChecklistSectionSchema), required=True,
                           validate=validate.Length(min=1))


CODE = Identifier(identifiers.CHECKLIST_CODE,
                  error="Mã gồm chữ, số, '.', '_', '-' (tối đa 50 ký tự).")


class ChecklistCreateSchema(ChecklistDraftSchema):
    code = fields.String(required=True, validate=CODE)


class ChecklistSummarySchema(Schema):
    id = fields.UUID()
    code = fields.String()
    version = fields.Integer()
    title = fields.String()
    target_kind = fields.String()
    status = fields.String()
    created_at = fields.DateTime()
    published_at = fields.DateTime(allow_none=True)


class ChecklistSchema(ChecklistSummarySchema):
    sections = fields.List(fields.Nested(ChecklistSectionSchema))


class ChecklistQuerySchema(Schema):
    target_kind = fields.String(validate=validate.OneOf(TARGET_KINDS))
    status = fields.String(validate=validate.OneOf(CHECKLIST_STATUSES))
    code = fields.String(validate=CODE)


class ChecklistPublishSchema(Schema):
    retire_previous = StrictBoolean(load_default=False, metadata={
        "description": "Also retire the earlier published versions of this code."})


def _etag(checklist: Any) -> str:
    return f'"{services.fingerprint(checklist)}"'


def _if_match() -> list[str] | None:
    """The ETags named by If-Match (None for `*`); 428 when the header is missing."""
    if "If-Match" not in request.headers:
        raise errors.PreconditionRequired("Cần If-Match với ETag hiện tại của bảng kiểm tra.")
    tags = request.if_match
    return None if tags.star_tag else list(tags)


@blp.get("")
@login_required()
@blp.arguments(ChecklistQuerySchema, location="query")
@blp.response(200, ChecklistSummarySchema(many=True))
@blp.paginate(**PAGE)
def list_checklists(query: dict, pagination_parameters):  # type: ignore[no-untyped-def]
    """Checklist versions (filters `target_kind`, `status`, `code`), by code and version."""
    return paginate_select(services.list_checklists(**query), pagination_parameters)


@blp.get("/<uuid:checklist_id>")
@login_required()
@blp.response(200, ChecklistSchema)
@blp.alt_response(304, description="Not modified (If-None-Match)")
def get_checklist(checklist_id: uuid.UUID):  # type: ignore[no-untyped-def]
    """One version with its sections and items; `ETag` fingerprints its content."""
    checklist = services.get_checklist(database.session(), checklist_id)
    etag = _etag(checklist)
    if request.if_none_match.contains_weak(etag.strip('"')):
        return Response(status=304, headers={"ETag": etag})
    return checklist, {"ETag": etag}


@blp.post("")
@login_required("admin")
@blp.arguments(ChecklistCreateSchema)
@blp.response(201, ChecklistSchema)
def create_checklist(body: dict):  # type: ignore[no-untyped-def]
    """Draft a new version of `code` (version = the highest so far + 1)."""
    checklist = services.create_version(database.session(), **body)
    return checklist, {"ETag": _etag(checklist),
                       "Location": url_for("checklists.get_checklist",
                                           checklist_id=checklist.id)}


@blp.put("/<uuid:checklist_id>")
@login_required("admin")
@blp.arguments(ChecklistDraftSchema)
@blp.response(200, ChecklistSchema)
@_write_doc
def update_checklist(body: dict, checklist_id: uuid.UUID):  # type: ignore[no-untyped-def]
    """Replace a draft's content; a published version is immutable (409)."""
    checklist = services.update_draft(database.session(), checklist_id, if_match=_if_match(),
                                      **body)
    return checklist, {"ETag": _etag(checklist)}


@blp.post("/<uuid:checklist_id>/publish")
@login_required("admin")
@blp.arguments(ChecklistPublishSchema, required=False)
@blp.response(200, ChecklistSchema)
@_write_doc
def publish_checklist(body: dict, checklist_id: uuid.UUID):  # type: ignore[no-untyped-def]
    """Publish a draft; from now on it never changes."""
    checklist = services.publish(database.session(), checklist_id, if_match=_if_match(),
                                 retire_previous=body.get("retire_previous", False))
    return checklist, {"ETag": _etag(checklist)}


@blp.post("/<uuid:checklist_id>/retire")
@login_required("admin")
@blp.response(200, ChecklistSchema)
@_write_doc
def retire_checklist(checklist_id: uuid.UUID):  # type: ignore[no-untyped-def]
    """Retire a published version: inspections keep it, new ones cannot use it."""
    checklist = services.retire(database.session(), checklist_id, if_match=_if_match())
    return checklist, {"ETag": _etag(checklist)}
