"""/planning: risk-based planning, the province's sites and communes in risk order with the
reasons, and a campaign started from the top of that list."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api import database
from api.auth import current_user, login_required
from api.blueprints.campaigns import AssignmentSchema, CampaignSchema, TeamField
from api.etag import etag_for
from api.schemas import PROVINCE_CODE, ProblemSchema
from inspection import risk
from inspection.models.sites import SITE_KINDS
from inspection.notices import today_in_vietnam

PREFIX = "/planning"
blp = Blueprint("planning", __name__, description="Lập kế hoạch kiểm tra theo mức độ rủi ro")
MAX_TOP = 200


class RiskQuerySchema(Schema):
    province_code = fields.String(validate=PROVINCE_CODE,
                                  metadata={"description": "Default: the caller's province."})
    kind = fields.String(validate=validate.OneOf(SITE_KINDS))
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 5000),
                           metadata={"description": "How many sites to list."})


class ReasonSchema(Schema):
    code = fields.String(metadata={"enum": [
        "open_findings", "awaiting_review", "overdue_findings", "never_inspected",
        "last_inspection", "staff_not_vetted", "staff_unvetted", "annual_report_overdue",
        "annual_report_late"]})
    text = fields.String()
    points = fields.Integer(metadata={
        "description": "0 for `awaiting_review`: findings of inspections not yet approved "
                       "are named but not scored."})


class SiteRiskSchema(Schema):
    rank = fields.Integer()
    site_id = fields.UUID()
    name = fields.String()
    kind = fields.String()
    organization = fields.String()
    commune_code = fields.String(allow_none=True)
    last_inspected_on = fields.Date(allow_none=True)
    score = fields.Integer()
    reasons = fields.List(fields.Nested(ReasonSchema))


class CommuneRiskSchema(Schema):
    code = fields.String()
    name = fields.String()
    score = fields.Integer()
    sites = fields.Integer()
    sites_at_risk = fields.Integer()
    top_site_id = fields.UUID(allow_none=True)


class RiskListSchema(Schema):
    province_code = fields.String()
    as_of = fields.Date()
    report_year = fields.Integer(metadata={
        "description": "The year whose annual KT1 reports (due 10 December) count."})
    weights = fields.Dict(metadata={"description": "The points each reason weighs."})
    total_sites = fields.Integer()
    sites = fields.List(fields.Nested(SiteRiskSchema))
    communes = fields.List(fields.Nested(CommuneRiskSchema))


class PlanSchema(CampaignSchema):
    top = fields.Integer(required=True, load_only=True, validate=validate.Range(1, MAX_TOP),
                         metadata={"description": "How many sites from the top of the list."})
    team = TeamField(fields.UUID(), required=True, load_only=True,
                     validate=validate.Length(min=1, max=50))
    due_on = fields.Date(load_only=True, metadata={
        "description": "The assignments' due date (default: the campaign's last day)."})


class PlannedSchema(Schema):
    campaign = fields.Nested(CampaignSchema)
    assignments = fields.List(fields.Nested(AssignmentSchema))


WEIGHTS = {"severity": risk.SEVERITY_POINTS, "overdue_finding": "the finding's weight again",
           "awaiting_review": 0,
           "never_inspected": risk.MAX_AGE_POINTS,
           "per_30_days_after_180": 1, "max_for_age": risk.MAX_AGE_POINTS,
           "staff_not_vetted": risk.NOT_VETTED_POINTS, "staff_unvetted": risk.UNVETTED_POINTS,
           "annual_report_overdue": risk.REPORT_OVERDUE_POINTS,
           "annual_report_late": risk.REPORT_LATE_POINTS}


@blp.get("/risk")
@login_required(*risk.READERS)
@blp.arguments(RiskQuerySchema, location="query")
@blp.response(200, RiskListSchema)
@blp.alt_response(404, schema=ProblemSchema, description="No such province in your scope")
def risk_list(query: dict[str, Any]) -> dict[str, Any]:
    """The province's sites in risk order (highest first) with the reasons for each score,
    and its communes by the sum of their sites' scores."""
    found = risk.assess(database.session(), current_user(),
                        province_code=query.get("province_code"), on=today_in_vietnam(),
                        kind=query.get("kind"))
    sites = [{**vars(r), "score": r.score, "rank": n, "reasons": risk.as_reasons(r)}
             for n, r in enumerate(found.sites[:query["limit"]], start=1)]
    return {"province_code": found.province_code, "as_of": found.as_of,
            "report_year": found.report_year, "weights": WEIGHTS,
            "total_sites": len(found.sites), "sites": sites,
            "communes": [vars(c) for c in found.communes]}


@blp.post("/campaigns")
@login_required("supervisor", "admin")
@blp.arguments(PlanSchema)
@blp.response(201, PlannedSchema)
@blp.alt_response(422, schema=ProblemSchema, description="A check of the campaign or team")
def plan_campaign(body: dict[str, Any]) -> Any:
    """Open a campaign and assign the `top` sites at risk (of the kind its checklist
    inspects) to one team; the same checks as doing it by hand, all or nothing."""
    plan = risk.plan_campaign(database.session(), current_user(), top=body.pop("top"),
                              team=body.pop("team"), due_on=body.pop("due_on", None),
                              on=today_in_vietnam(), **body)
    return ({"campaign": plan.campaign, "assignments": plan.assignments},
            {"ETag": etag_for(plan.campaign.version),
             "Location": url_for("campaigns.get_campaign", campaign_id=plan.campaign.id)})
