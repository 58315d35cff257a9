"""/campaigns: inspection campaigns of a province and their assignments to joint teams."""

from __future__ import annotations

import uuid
from typing import Any

from flask import url_for
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate, validates_schema
from marshmallow.exceptions import ValidationError

from api import database
from api.auth import current_user, login_required
from api.etag import etag_for
from api.pagination import PAGE, paginate_select
from api.schemas import PROVINCE_CODE
from inspection import campaigns

PREFIX = "/campaigns"
blp = Blueprint("campaigns", __name__, description="Đợt kiểm tra và phân công đoàn kiểm tra")

# PostgreSQL text cannot hold NUL; other control characters have no place in a name.
PLAIN_TEXT = validate.Regexp(r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$",
                             error="Không được chứa ký tự điều khiển.")


class CampaignSchema(Schema):
    id = fields.UUID(dump_only=True)
    name = fields.String(required=True,
                         validate=[validate.Length(min=1, max=300), PLAIN_TEXT])
    province_code = fields.String(validate=PROVINCE_CODE,
                                  metadata={"description": "Mặc định: tỉnh của người tạo."})
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    checklist_id = fields.UUID(required=True)
    version = fields.Integer(dump_only=True)

    @validates_schema
    def _period(self, data: dict, **_kwargs: Any) -> None:
        if "starts_on" in data and "ends_on" in data and data["starts_on"] > data["ends_on"]:
            raise ValidationError("Ngày kết thúc phải sau hoặc trùng ngày bắt đầu.", "ends_on")


class TeamMemberSchema(Schema):
    id = fields.UUID()
    full_name = fields.String()
    agency = fields.String()
    role = fields.String()


class TeamField(fields.List):
    """User ids in; the team's users are dumped as their ids."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        ids = None if value is None else [getattr(u, "id", u) for u in value]
        return super()._serialize(ids, attr, obj, **kwargs)


class AssignmentSchema(Schema):
    id = fields.UUID(dump_only=True)
    campaign_id = fields.UUID(dump_only=True)
    site_id = fields.UUID(required=True)
    team = TeamField(fields.UUID(), required=True, validate=validate.Length(min=1, max=50),
                       metadata={"description": "Mã người dùng của các thành viên đoàn."})
    due_on = fields.Date(required=True)
    status = fields.String(dump_only=True, metadata={"enum": list(campaigns.ASSIGNMENT_STATUSES)})
    version = fields.Integer(dump_only=True)
    team_members = fields.List(fields.Nested(TeamMemberSchema), attribute="team",
                               dump_only=True)


class AssignmentQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(campaigns.ASSIGNMENT_STATUSES))
    site_id = fields.UUID()


@blp.get("")
@login_required()
@blp.response(200, CampaignSchema(many=True))
@blp.paginate(**PAGE)
def list_campaigns(pagination_parameters):  # type: ignore[no-untyped-def]
    """Campaigns of the caller's province, the latest first."""
    return paginate_select(campaigns.campaigns_select(current_user()), pagination_parameters)


@blp.post("")
@login_required("supervisor", "admin")
@blp.arguments(CampaignSchema)
@blp.response(201, CampaignSchema)
def create_campaign(body: dict):  # type: ignore[no-untyped-def]
    """Open a campaign of the caller's province with a published checklist."""
    campaign = campaigns.create_campaign(database.session(), current_user(), **body)
    return campaign, {"ETag": etag_for(campaign.version),
                      "Location": url_for("campaigns.get_campaign", campaign_id=campaign.id)}


@blp.get("/<uuid:campaign_id>")
@login_required()
@blp.response(200, CampaignSchema)
def get_campaign(campaign_id: uuid.UUID):  # type: ignore[no-untyped-def]
    """One campaign of the caller's province, with its version as `ETag`."""
    campaign = campaigns.get_campaign(database.session(), current_user(), campaign_id)
    return campaign, {"ETag": etag_for(campaign.version)}


@blp.get("/<uuid:campaign_id>/assignments")
@login_required()
@blp.arguments(AssignmentQuerySchema, location="query")
@blp.response(200, AssignmentSchema(many=True))
@blp.paginate(**PAGE)
def list_assignments(query: dict, campaign_id: uuid.UUID, pagination_parameters):  # type: ignore[no-untyped-def]
    """Every assignment of the campaign, earliest due first."""
    stmt = campaigns.campaign_assignments_select(database.session(), current_user(),
                                                 campaign_id, **query)
    return paginate_select(stmt, pagination_parameters)


@blp.post("/<uuid:campaign_id>/assignments")
@login_required("supervisor", "admin")
@blp.arguments(AssignmentSchema)
@blp.response(201, AssignmentSchema)
def create_assignment(body: dict, campaign_id: uuid.UUID):  # type: ignore[no-untyped-def]
    """Assign a site to a team; a KT1 provider needs Sở KH&CN and Công an members (422)."""
    assignment = campaigns.create_assignment(database.session(), current_user(), campaign_id,
                                             **body)
    return assignment, {"ETag": etag_for(assignment.version),
                        "Location": url_for("assignments.get_assignment",
                                            assignment_id=assignment.id)}
