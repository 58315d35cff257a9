"""/findings: what the inspections found, and their follow-up (confirm, dismiss, remediate,
verify). Changes need If-Match with the finding's ETag (428 without, 412 stale)."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api import database
from api.auth import current_user, login_required
from api.blueprints.inspections import IF_MATCH, PRECONDITION, STALE, Instant
from api.etag import etag_for, if_match_version
from api.pagination import PAGE, paginate_select
from api.schemas import COMMUNE_CODE, ProblemSchema
from inspection.inspections import findings, queries
from inspection.models.checklists import SEVERITIES
from inspection.models.inspections import FINDING_STATUSES

PREFIX = "/findings"
blp = Blueprint("findings", __name__, description="Phát hiện qua kiểm tra")


class LegalRefSchema(Schema):
    id = fields.UUID(metadata={"description": "The reference in /legal-references"})
    instrument = fields.String()
    article = fields.String(allow_none=True)
    status = fields.String()


class FindingSchema(Schema):
    id = fields.UUID()
    inspection_id = fields.UUID()
    site_id = fields.UUID()
    item_code = fields.String()
    severity = fields.String(metadata={"enum": list(SEVERITIES)})
    legal_basis = fields.String()
    legal_refs = fields.List(fields.Nested(LegalRefSchema))
    description = fields.String()
    status = fields.String(metadata={"enum": list(FINDING_STATUSES)})
    status_comment = fields.String(allow_none=True)
    due_on = fields.Date(allow_none=True)
    province_code = fields.String()
    commune_code = fields.String(allow_none=True)
    version = fields.Integer()


class FindingQuerySchema(Schema):
    inspection_id = fields.UUID()
    site_id = fields.UUID()
    commune_code = fields.String(validate=COMMUNE_CODE)
    severity = fields.String(validate=validate.OneOf(SEVERITIES))
    status = fields.String(validate=validate.OneOf(FINDING_STATUSES))
    campaign_id = fields.UUID()
    started_from = Instant(data_key="from")
    started_before = Instant(data_key="to", metadata={"description": "Exclusive."})


class FindingPatchSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf(FINDING_STATUSES))
    comment = fields.String(allow_none=True, load_default=None,
                            validate=validate.Length(max=5000))
    due_on = fields.Date(allow_none=True, load_default=None)


@blp.get("")
@login_required()
@blp.arguments(FindingQuerySchema, location="query")
@blp.response(200, FindingSchema(many=True))
@blp.paginate(**PAGE)
def list_findings(query: dict[str, Any], pagination_parameters: Any) -> Any:
    """Findings of the caller's province (a post office: its own sites), newest visit first."""
    return paginate_select(queries.list_findings(current_user(), **query), pagination_parameters)


@blp.get("/<uuid:finding_id>")
@login_required()
@blp.response(200, FindingSchema)
def get_finding(finding_id: Any) -> Any:
    """One finding; the ETag is its version."""
    finding = findings.get_finding(database.session(), current_user(), finding_id)
    return finding, 200, {"ETag": etag_for(finding.version)}


@blp.patch("/<uuid:finding_id>")
@login_required()
@blp.arguments(FindingPatchSchema)
@blp.response(200, FindingSchema)
@blp.alt_response(409, schema=ProblemSchema, description="Not an allowed transition.")
@blp.alt_response(412, **STALE)
@blp.alt_response(428, **PRECONDITION)
@blp.doc(parameters=[IF_MATCH])
def patch_finding(body: dict[str, Any], finding_id: Any) -> Any:
    """Move a finding on: open → confirmed|dismissed, confirmed → remediated → verified."""
    finding = findings.transition(database.session(), current_user(), finding_id=finding_id,
                                  if_match=if_match_version(), **body)
    return finding, 200, {"ETag": etag_for(finding.version)}
