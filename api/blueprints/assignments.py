"""/assignments: assignments across campaigns, above all the caller's own (for the tablet)."""

from __future__ import annotations

import uuid

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api import database
from api.auth import current_user, login_required
from api.blueprints.campaigns import AssignmentSchema
from api.etag import etag_for
from api.pagination import PAGE, paginate_select
from inspection import campaigns

PREFIX = "/assignments"
blp = Blueprint("assignments", __name__, description="Phân công kiểm tra")


class AssignmentsQuerySchema(Schema):
    mine = fields.Boolean(load_default=False, metadata={
        "description": "Chỉ những phân công có người gọi trong đoàn (luôn đúng với "
                       "inspector và police)."})
    campaign_id = fields.UUID()
    site_id = fields.UUID()
    status = fields.String(validate=validate.OneOf(campaigns.ASSIGNMENT_STATUSES))


@blp.get("")
@login_required()
@blp.arguments(AssignmentsQuerySchema, location="query")
@blp.response(200, AssignmentSchema(many=True))
@blp.paginate(**PAGE)
def list_assignments(query: dict, pagination_parameters):  # type: ignore[no-untyped-def]
    """Assignments, earliest due first: inspectors and police see their own, supervisors
    every one of the province (`mine=true` narrows to their own)."""
    return paginate_select(campaigns.assignments_select(current_user(), **query),
                           pagination_parameters)


@blp.get("/<uuid:assignment_id>")
@login_required()
@blp.response(200, AssignmentSchema)
def get_assignment(assignment_id: uuid.UUID):  # type: ignore[no-untyped-def]
    """One assignment of the caller's province, with its version as `ETag`."""
    assignment = campaigns.get_assignment(database.session(), current_user(), assignment_id)
    return assignment, {"ETag": etag_for(assignment.version)}
