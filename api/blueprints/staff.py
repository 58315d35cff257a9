"""/staff: the KT1 staff roster of each provider and the police's vetting of its workers.

Personal data: only the post office's own users, the police and the Sở's supervisors of the
province read it (other roles 403; another province or organisation 404), and every record a
response shows is recorded as read in the audit chain. Changes need If-Match with the
worker's ETag (428 without, 412 stale). The roster's figures for checklist section C, without
personal data, are at `GET /sites/{id}/staff-figures`.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import url_for
from flask_smorest import Blueprint
from marshmallow import Schema, fields, pre_dump, validate

from api import database
from api.auth import current_user, login_required
from api.blueprints.inspections import IF_MATCH, PRECONDITION, STALE
from api.blueprints.sites import PLAIN_TEXT
from api.etag import etag_for, if_match_version
from api.pagination import PAGE, paginate_select
from api.schemas import ProblemSchema
from inspection import staff
from inspection.models.staff import VETTING_STATUSES
from inspection.staff import history as staff_history

PREFIX = "/staff"
blp = Blueprint("staff", __name__, description="Danh sách người lao động KT1 và thẩm tra "
                "tiêu chuẩn chính trị")

NAME = [validate.Length(min=1, max=200), PLAIN_TEXT]
REFERENCE = [validate.Length(min=1, max=100), PLAIN_TEXT]
NOT_FOUND = {"schema": ProblemSchema, "description": "No such worker in your scope"}
FORBIDDEN = {"schema": ProblemSchema, "description": "Your role may not do this"}


class StaffSchema(Schema):
    id = fields.UUID()
    province_code = fields.String()
    organization = fields.String()
    site_id = fields.UUID()
    full_name = fields.String()
    position = fields.String()
    joined_on = fields.Date()
    trained_on = fields.Date(allow_none=True)
    secrecy_commitment = fields.Boolean(metadata={
        "description": "A written commitment to protect state secrets is signed."})
    left_on = fields.Date(allow_none=True, metadata={
        "description": "No longer involved in KT1 from this day; the record stays as history."})
    vetting_status = fields.String(metadata={"enum": list(VETTING_STATUSES)})
    vetting_requested_on = fields.Date(allow_none=True)
    vetting_requested_by = fields.UUID(allow_none=True)
    vetting_reference = fields.String(allow_none=True, metadata={
        "description": "Number and symbol of the police's document."})
    vetting_decided_on = fields.Date(allow_none=True)
    vetting_decided_by = fields.UUID(allow_none=True)
    created_by = fields.UUID()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    version = fields.Integer()


class WarningSchema(Schema):
    code = fields.String(metadata={"enum": ["vetting-reset"]})
    detail = fields.String()


class StaffEditedSchema(StaffSchema):
    warnings = fields.List(fields.Nested(WarningSchema), metadata={
        "description": "What the edit did besides, e.g. a name change resetting the vetting."})

    @pre_dump
    def _view(self, edited: staff.Edited, **_: Any) -> dict[str, Any]:
        member = edited.member
        return {**{k: getattr(member, k) for k in StaffSchema().fields},
                "warnings": edited.warnings}


class StaffCreateSchema(Schema):
    site_id = fields.UUID(required=True, metadata={
        "description": "A `kt1_provider` site of your organisation."})
    full_name = fields.String(required=True, validate=NAME)
    position = fields.String(required=True, validate=NAME)
    joined_on = fields.Date(required=True, metadata={
        "description": "Up to a year ahead for a worker selected but not yet started."})
    trained_on = fields.Date(allow_none=True, load_default=None, metadata={
        "description": "The latest training in postal operations and KT1 security."})
    secrecy_commitment = fields.Boolean(load_default=False)
    left_on = fields.Date(allow_none=True, load_default=None)


class StaffPatchSchema(Schema):
    site_id = fields.UUID()
    full_name = fields.String(validate=NAME, metadata={
        "description": "A new name puts a requested or vetted vetting back to not_requested."})
    position = fields.String(validate=NAME)
    joined_on = fields.Date()
    trained_on = fields.Date(allow_none=True)
    secrecy_commitment = fields.Boolean()
    left_on = fields.Date(allow_none=True, metadata={"description": "null: has not left."})


class StaffQuerySchema(Schema):
    site_id = fields.UUID()
    organization = fields.String(validate=[validate.Length(min=1, max=300), PLAIN_TEXT])
    vetting_status = fields.String(validate=validate.OneOf(VETTING_STATUSES))
    include_left = fields.Boolean(load_default=False, metadata={
        "description": "Also the workers who have left (history)."})


class StaffStepSchema(Schema):
    id = fields.Integer(metadata={"description": "The audit entry's id."})
    at = fields.DateTime()
    action = fields.String(metadata={"enum": ["create", "update", "delete"]})
    before = fields.Dict(allow_none=True, metadata={"description": "Changed fields before."})
    after = fields.Dict(allow_none=True, metadata={"description": "Changed fields after."})
    actor_id = fields.UUID(allow_none=True)
    actor_name = fields.String(allow_none=True)
    actor_agency = fields.String(allow_none=True)


class VettingRequestSchema(Schema):
    requested_on = fields.Date(load_default=None, allow_none=True, metadata={
        "description": "Default: today (Vietnam)."})


class VettingOutcomeSchema(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(staff.OUTCOMES))
    reference = fields.String(required=True, validate=REFERENCE)
    decided_on = fields.Date(required=True)


def _etag(member: Any) -> dict[str, str]:
    return {"ETag": etag_for(member.version)}


def _current_version(member_id: uuid.UUID) -> int | None:
    """If-Match as a version (`*` names the current one); checks the caller may read it."""
    current = staff.get_member(database.session(), current_user(), member_id)
    return if_match_version(current.version)


@blp.get("")
@login_required(*staff.READERS)
@blp.arguments(StaffQuerySchema, location="query")
@blp.response(200, StaffSchema(many=True))
@blp.alt_response(403, **FORBIDDEN)
@blp.paginate(**PAGE)
def list_staff(query: dict[str, Any], pagination_parameters: Any) -> Any:
    """Workers of the roster you may read (each recorded as read in the audit log)."""
    return staff.read_page(database.session(), current_user(),
                           lambda stmt: paginate_select(stmt, pagination_parameters), **query)


@blp.post("")
@login_required(*staff.WRITERS)
@blp.arguments(StaffCreateSchema)
@blp.response(201, StaffSchema)
@blp.alt_response(403, **FORBIDDEN)
def create_staff(body: dict[str, Any]) -> Any:
    """Add a worker to your organisation's roster (post office users)."""
    member = staff.add_member(database.session(), current_user(), **body)
    return member, {**_etag(member), "Location": url_for("staff.get_staff", member_id=member.id)}


@blp.get("/<uuid:member_id>")
@login_required(*staff.READERS)
@blp.response(200, StaffSchema)
@blp.alt_response(403, **FORBIDDEN)
@blp.alt_response(404, **NOT_FOUND)
def get_staff(member_id: uuid.UUID) -> Any:
    """One worker, with its version as `ETag` (recorded as read in the audit log)."""
    member = staff.read_member(database.session(), current_user(), member_id)
    return member, _etag(member)


@blp.get("/<uuid:member_id>/history")
@login_required(*staff.READERS)
@blp.response(200, StaffStepSchema(many=True))
@blp.alt_response(403, **FORBIDDEN)
@blp.alt_response(404, **NOT_FOUND)
@blp.paginate(**PAGE)
def get_staff_history(member_id: uuid.UUID, pagination_parameters: Any) -> Any:
    """The worker's changes from the audit chain, oldest first: added, edited, vetting asked
    for and decided, left; with who did each (recorded as read in the audit log)."""
    return staff_history.read_history(
        database.session(), current_user(), member_id,
        lambda stmt: paginate_select(stmt, pagination_parameters))


@blp.patch("/<uuid:member_id>")
@login_required(*staff.WRITERS)
@blp.arguments(StaffPatchSchema)
@blp.response(200, StaffEditedSchema)
@blp.alt_response(403, **FORBIDDEN)
@blp.alt_response(404, **NOT_FOUND)
@blp.alt_response(412, **STALE)
@blp.alt_response(428, **PRECONDITION)
@blp.doc(parameters=[IF_MATCH])
def patch_staff(body: dict[str, Any], member_id: uuid.UUID) -> Any:
    """Change some fields of a worker (post office users; If-Match)."""
    edited = staff.edit_member(database.session(), current_user(), member_id,
                               if_match=_current_version(member_id), changes=body)
    return edited, _etag(edited.member)


@blp.post("/<uuid:member_id>/vetting-request")
@login_required(*staff.WRITERS)
@blp.arguments(VettingRequestSchema)
@blp.response(200, StaffSchema)
@blp.alt_response(403, **FORBIDDEN)
@blp.alt_response(404, **NOT_FOUND)
@blp.alt_response(409, schema=ProblemSchema, description="Not in a status to request")
@blp.alt_response(412, **STALE)
@blp.alt_response(428, **PRECONDITION)
@blp.doc(parameters=[IF_MATCH])
def request_vetting(body: dict[str, Any], member_id: uuid.UUID) -> Any:
    """Ask the police to vet the worker's political standards (post office users; If-Match)."""
    member = staff.request_vetting(database.session(), current_user(), member_id,
                                   if_match=_current_version(member_id), **body)
    return member, _etag(member)


@blp.post("/<uuid:member_id>/vetting")
@login_required(*staff.VETTERS)
@blp.arguments(VettingOutcomeSchema)
@blp.response(200, StaffSchema)
@blp.alt_response(403, **FORBIDDEN)
@blp.alt_response(404, **NOT_FOUND)
@blp.alt_response(409, schema=ProblemSchema, description="No vetting requested")
@blp.alt_response(412, **STALE)
@blp.alt_response(428, **PRECONDITION)
@blp.doc(parameters=[IF_MATCH])
def record_vetting(body: dict[str, Any], member_id: uuid.UUID) -> Any:
    """Record the police's vetting outcome, reference and date (police; If-Match)."""
    member = staff.record_vetting(database.session(), current_user(), member_id,
                                  if_match=_current_version(member_id), **body)
    return member, _etag(member)
