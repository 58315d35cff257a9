"""/legal-references: the register of legal references checklist items cite. Everyone on the
inspection side reads it; admins add references and change their status, period in force
and successor (If-Match). A notice is refused while a finding cites one that does not hold."""

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
from inspection import legal
from inspection.models.legal import REFERENCE_STATUSES

PREFIX = "/legal-references"
blp = Blueprint("legal_references", __name__, description="Căn cứ pháp lý")

NOT_FOUND = {"schema": ProblemSchema, "description": "No such reference in the register"}
READERS = ("admin", "supervisor", "inspector", "police")


class ReferenceQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(REFERENCE_STATUSES))
    q = fields.String(validate=validate.Length(max=200), metadata={
        "description": "Part of the instrument's name, the article or the title."})


class ReferenceSchema(Schema):
    id = fields.UUID()
    instrument = fields.String()
    article = fields.String(metadata={"description": "\"\" when the whole instrument is cited"})
    label = fields.String(metadata={"description": "The citation as printed"})
    title = fields.String()
    issuing_body = fields.String()
    issued_on = fields.Date(allow_none=True)
    status = fields.String(metadata={"enum": list(REFERENCE_STATUSES)})
    valid_from = fields.Date(allow_none=True)
    valid_to = fields.Date(allow_none=True, metadata={"description": "The last day in force"})
    superseded_by_id = fields.UUID(allow_none=True)
    province_code = fields.String(allow_none=True, metadata={
        "description": "A local instrument applies in this province only"})
    verified_by = fields.UUID(allow_none=True)
    verified_at = fields.DateTime(allow_none=True)
    note = fields.String()
    version = fields.Integer()


class ReferenceChangeSchema(Schema):
    title = fields.String(validate=validate.Length(max=2000))
    issuing_body = fields.String(validate=validate.Length(max=200))
    issued_on = fields.Date(allow_none=True)
    status = fields.String(validate=validate.OneOf(REFERENCE_STATUSES))
    valid_from = fields.Date(allow_none=True)
    valid_to = fields.Date(allow_none=True)
    superseded_by_id = fields.UUID(allow_none=True)
    note = fields.String(validate=validate.Length(max=2000))


class NewReferenceSchema(ReferenceChangeSchema):
    instrument = fields.String(required=True, validate=validate.Length(min=1, max=300))
    article = fields.String(allow_none=True, load_default=None,
                            validate=validate.Length(max=200))
    status = fields.String(required=True, validate=validate.OneOf(REFERENCE_STATUSES))
    province_code = fields.String(allow_none=True, load_default=None, validate=PROVINCE_CODE)


@blp.get("")
@login_required(*READERS)
@blp.arguments(ReferenceQuerySchema, location="query")
@blp.response(200, ReferenceSchema(many=True))
@blp.paginate(**PAGE)
def list_references(query: dict, pagination_parameters):  # type: ignore[no-untyped-def]
    """The register, by instrument and article (filters `status`, `q`)."""
    return paginate_select(legal.list_references(**query), pagination_parameters)


@blp.post("")
@login_required("admin")
@blp.arguments(NewReferenceSchema)
@blp.response(201, ReferenceSchema)
@blp.alt_response(409, schema=ProblemSchema, description="The reference is registered")
def create_reference(body: dict[str, Any]) -> Any:
    """Add a reference (admins)."""
    reference = legal.create_reference(database.session(), current_user(), **body)
    return reference, {"ETag": etag_for(reference.version)}


@blp.get("/<uuid:reference_id>")
@login_required(*READERS)
@blp.response(200, ReferenceSchema)
@blp.alt_response(404, **NOT_FOUND)
def get_reference(reference_id: uuid.UUID) -> Any:
    """One reference, its version as `ETag`."""
    reference = legal.get_reference(database.session(), reference_id)
    return reference, {"ETag": etag_for(reference.version)}


@blp.patch("/<uuid:reference_id>")
@login_required("admin")
@blp.arguments(ReferenceChangeSchema)
@blp.response(200, ReferenceSchema)
@blp.alt_response(404, **NOT_FOUND)
@blp.alt_response(412, **STALE)
@blp.alt_response(422, schema=ProblemSchema, description="A period or successor that does "
                  "not hold; a superseded reference without its successor")
@blp.alt_response(428, **PRECONDITION)
@blp.doc(parameters=[IF_MATCH])
def patch_reference(body: dict[str, Any], reference_id: uuid.UUID) -> Any:
    """Change a reference's status (verifying it records who and when), period in force,
    successor or description (admins, If-Match)."""
    session = database.session()
    current = legal.get_reference(session, reference_id)
    reference = legal.update_reference(session, current_user(), reference_id,
                                       if_match=if_match_version(current.version),
                                       changes=body)
    return reference, {"ETag": etag_for(reference.version)}
