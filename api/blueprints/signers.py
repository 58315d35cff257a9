"""/signers: the officials who sign a province's notices and reports; admins add, read, edit
and deactivate them (If-Match), supervisors read them to choose one when issuing."""

from __future__ import annotations

import uuid
from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api import database
from api.auth import current_user, login_required
from api.blueprints.inspections import IF_MATCH, PRECONDITION, STALE
from api.etag import etag_for, if_match_version
from api.pagination import PAGE, paginate_select
from api.schemas import PROVINCE_CODE, ProblemSchema
from inspection import signers

PREFIX = "/signers"
blp = Blueprint("signers", __name__, description="Người ký văn bản")

NOT_FOUND = {"schema": ProblemSchema, "description": "No such signer in your province"}
NAME = validate.Length(max=200)  # blank: the service says "Không được để trống"
TITLE = validate.Length(max=100)
DELEGATION = validate.Length(max=100)


class SignerSchema(Schema):
    id = fields.UUID()
    province_code = fields.String()
    full_name = fields.String()
    title = fields.String(metadata={"description": "E.g. `Phó Giám đốc`, `Giám đốc`."})
    delegation = fields.String(allow_none=True, metadata={
        "description": "The line above the title, e.g. `KT. GIÁM ĐỐC`; null when the "
                       "director signs."})
    active = fields.Boolean()
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class SignerQuerySchema(Schema):
    province_code = fields.String(validate=PROVINCE_CODE, metadata={
        "description": "A national admin's filter; others see only their own province."})
    active = fields.Boolean()


class NewSignerSchema(Schema):
    full_name = fields.String(required=True, validate=NAME)
    title = fields.String(required=True, validate=TITLE)
    delegation = fields.String(allow_none=True, load_default=None, validate=DELEGATION)
    province_code = fields.String(allow_none=True, load_default=None, validate=PROVINCE_CODE,
                                  metadata={"description": "Default: the admin's own."})


class SignerPatchSchema(Schema):
    full_name = fields.String(validate=NAME)
    title = fields.String(validate=TITLE)
    delegation = fields.String(allow_none=True, validate=DELEGATION)
    active = fields.Boolean(metadata={
        "description": "false: deactivated, chosen no more (documents keep its name)."})


@blp.get("")
@login_required("admin", "supervisor")
@blp.arguments(SignerQuerySchema, location="query")
@blp.response(200, SignerSchema(many=True))
@blp.paginate(**PAGE)
def list_signers(query: dict[str, Any], pagination_parameters: Any) -> Any:
    """The province's signers, active first (filters `active`, a national admin's
    `province_code`)."""
    return paginate_select(signers.list_signers(current_user(), **query),
                           pagination_parameters)


@blp.post("")
@login_required("admin")
@blp.arguments(NewSignerSchema)
@blp.response(201, SignerSchema)
@blp.alt_response(403, schema=ProblemSchema, description="Another province's register")
def create_signer(body: dict[str, Any]) -> Any:
    """Add a signer (admins; a provincial admin only to its own province)."""
    signer = signers.create_signer(database.session(), current_user(), **body)
    return signer, {"ETag": etag_for(signer.version)}


@blp.get("/<uuid:signer_id>")
@login_required("admin", "supervisor")
@blp.response(200, SignerSchema)
@blp.alt_response(404, **NOT_FOUND)
def get_signer(signer_id: uuid.UUID) -> Any:
    """One signer, with its version as `ETag`."""
    signer = signers.get_signer(database.session(), current_user(), signer_id)
    return signer, {"ETag": etag_for(signer.version)}


@blp.patch("/<uuid:signer_id>")
@login_required("admin")
@blp.arguments(SignerPatchSchema)
@blp.response(200, SignerSchema)
@blp.alt_response(404, **NOT_FOUND)
@blp.alt_response(412, **STALE)
@blp.alt_response(428, **PRECONDITION)
@blp.doc(parameters=[IF_MATCH])
def patch_signer(body: dict[str, Any], signer_id: uuid.UUID) -> Any:
    """Change a signer's name, title, delegation or `active` (If-Match)."""
    session = database.session()
    current = signers.get_signer(session, current_user(), signer_id)
    signer = signers.update_signer(session, current_user(), signer_id,
                                   if_match=if_match_version(current.version), changes=body)
    return signer, {"ETag": etag_for(signer.version)}
