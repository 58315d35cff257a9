"""/inspections: start an inspection, answer its items, submit it, review it.

Concurrency: the inspection's ETag is its own `version` (bumped by submit and review, not by
answers); every answer has its own ETag. Submit and review require If-Match with the
inspection's ETag (428 without, 412 stale).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, post_load, pre_dump, validate

from api import database
from api.auth import current_user, login_required
from api.etag import etag_for, if_match_version, if_none_match_star
from api.pagination import PAGE, paginate_select
from api.schemas import COMMUNE_CODE, GpsFixSchema, Moment, ProblemSchema
from geo.points import lon_lat
from inspection.inspections import location, queries, services
from inspection.models import Inspection
from inspection.models.inspections import INSPECTION_STATUSES

PREFIX = "/inspections"
blp = Blueprint("inspections", __name__, description="Phiên kiểm tra")

VIETNAM = timezone(timedelta(hours=7))
PRECONDITION = {"schema": ProblemSchema, "description": "If-Match / If-None-Match missing"}
STALE = {"schema": ProblemSchema, "description": "Stale ETag"}


def _header(name: str, text: str) -> dict[str, Any]:
    return {"in": "header", "name": name, "required": False, "schema": {"type": "string"},
            "description": text}


IF_MATCH = _header("If-Match", "The current ETag of the resource (required to change it).")
IF_NONE_MATCH = _header("If-None-Match", "`*` to write the first answer to an item.")


class Instant(Moment):
    """An RFC 3339 date-time with offset, or a date meaning its midnight in Vietnam (UTC+7).
    A `+` of the offset that a query string decoded into a space is taken back."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> datetime:
        if isinstance(value, str) and len(value) == 10:
            try:
                return self.in_range(datetime.combine(date.fromisoformat(value), time(),
                                                      VIETNAM))
            except ValueError as exc:
                raise ValidationError("Not a valid date or date-time.") from exc
        if isinstance(value, str):
            value = value.replace(" ", "+")
        return super()._deserialize(value, attr, data, **kwargs)


class FixSchema(GpsFixSchema):
    @post_load
    def _to_fix(self, data: dict[str, Any], **_: Any) -> location.Fix:
        return location.Fix(**data)


class InspectionLocationSchema(Schema):
    location = fields.Nested(FixSchema, required=True, metadata={
        "description": "The new GPS fix, WGS84, with the device's accuracy in metres."})


class FixOutSchema(Schema):
    lon = fields.Float()
    lat = fields.Float()
    accuracy_m = fields.Float(allow_none=True)


def _fix_out(geom: Any, accuracy_m: float | None) -> dict[str, Any] | None:
    point = lon_lat(geom)
    return None if point is None else {"lon": point[0], "lat": point[1], "accuracy_m": accuracy_m}


class InspectionCreateSchema(Schema):
    inspection_id = fields.UUID(data_key="id", required=True)
    site_id = fields.UUID(required=True)
    checklist_id = fields.UUID(required=True)
    campaign_id = fields.UUID(allow_none=True, load_default=None)
    started_at = Moment(required=True)
    location = fields.Nested(FixSchema, allow_none=True, load_default=None)
    team = fields.List(fields.UUID(), required=True, validate=validate.Length(min=1, max=50))


class AnswerInSchema(Schema):
    answer_id = fields.UUID(data_key="id", load_default=None)
    value = fields.Raw(required=True, allow_none=True)
    note = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=10000))
    answered_at = Moment(required=True)
    location = fields.Nested(FixSchema, allow_none=True, load_default=None)


class AnswerSchema(Schema):
    id = fields.UUID()
    inspection_id = fields.UUID()
    item_code = fields.String()
    value = fields.Raw(allow_none=True)
    note = fields.String(allow_none=True)
    answered_at = fields.DateTime()
    location = fields.Nested(FixOutSchema, allow_none=True)
    version = fields.Integer()
    answered_by = fields.UUID()

    @pre_dump
    def _view(self, answer: Any, **_: Any) -> dict[str, Any]:
        return {**{k: getattr(answer, k) for k in self.fields if k != "location"},
                "location": _fix_out(answer.location, answer.accuracy_m)}


class LocationCheckSchema(Schema):
    distance_m = fields.Float(allow_none=True)
    accuracy_m = fields.Float(allow_none=True)
    status = fields.String(metadata={"enum": ["ok", "far", "no_fix"]})
    radius_m = fields.Integer()


class ReviewSchema(Schema):
    decision = fields.String(metadata={"enum": ["approve", "return"]})
    comment = fields.String(allow_none=True)
    reviewed_at = fields.DateTime()
    reviewed_by = fields.UUID()
    items = fields.List(fields.String(), metadata={"description": (
        "With a return: the item codes the supervisor marked for the team to fix, in the "
        "checklist's order (empty otherwise).")})


class SiteBriefSchema(Schema):
    id = fields.UUID()
    name = fields.String()
    organization = fields.String()
    address = fields.String()
    commune_code = fields.String(allow_none=True)
    commune_name = fields.String(allow_none=True)
    location = fields.Nested(FixOutSchema, allow_none=True, metadata={
        "description": "The site's point (`accuracy_m` is null)."})

    @pre_dump
    def _view(self, site: Any, **_: Any) -> dict[str, Any]:
        plain = ("id", "name", "organization", "address", "commune_code", "commune_name")
        return {**{k: getattr(site, k) for k in plain},
                "location": _fix_out(site.location, None)}


class MemberSchema(Schema):
    id = fields.UUID()
    full_name = fields.String()
    agency = fields.String(metadata={"description": "The member's agency (label kind `agency`)."})
    role = fields.String()


class InspectionSchema(Schema):
    id = fields.UUID()
    site_id = fields.UUID()
    checklist_id = fields.UUID()
    campaign_id = fields.UUID(allow_none=True)
    province_code = fields.String()
    commune_code = fields.String(allow_none=True)
    status = fields.String(metadata={"enum": list(INSPECTION_STATUSES)})
    started_at = fields.DateTime()
    location = fields.Nested(FixOutSchema, allow_none=True)
    team = fields.List(fields.UUID())
    version = fields.Integer()
    answers = fields.List(fields.Nested(AnswerSchema))
    location_check = fields.Nested(LocationCheckSchema)
    flags = fields.List(fields.String(), metadata={"description": (
        "Doubts raised by its ready photos: `exif_far_from_site`, `exif_time_outside_visit`, "
        "`no_exif_position`, `no_exif_time`.")})
    submitted_at = fields.DateTime(allow_none=True)
    review = fields.Nested(ReviewSchema, allow_none=True)
    site = fields.Nested(SiteBriefSchema, metadata={
        "description": "The inspected site, with its commune's name and point."})
    members = fields.List(fields.Nested(MemberSchema), metadata={
        "description": "The team (the ids of `team`) with names and agencies."})

    @pre_dump
    def _view(self, inspection: Inspection, **_: Any) -> dict[str, Any]:
        s = database.settings()
        plain = ("id", "site_id", "checklist_id", "campaign_id", "province_code",
                 "commune_code", "status", "started_at", "version", "submitted_at")
        review = None if inspection.reviewed_at is None else {
            "decision": "approve" if inspection.status == "approved" else "return",
            "comment": inspection.review_comment, "reviewed_at": inspection.reviewed_at,
            "reviewed_by": inspection.reviewed_by, "items": list(inspection.review_items or [])}
        team = sorted(inspection.team, key=lambda u: u.username)
        extra: dict[str, Any] = {}
        if "site" in self.fields:
            extra.update(site=inspection.site, members=team)
        if "non_compliant" in self.fields:
            extra.update(non_compliant=inspection.non_compliant or 0,
                         photo_flags=inspection.flagged_photos)
        return {**{k: getattr(inspection, k) for k in plain}, **extra,
                "location": _fix_out(inspection.location, inspection.accuracy_m),
                "team": [u.id for u in team],
                "flags": inspection.photo_flags, "review": review,
                "answers": inspection.answers if "answers" in self.fields else [],
                "location_check": location.location_check(
                    inspection.site.location, inspection.location, inspection.accuracy_m,
                    far_radius_m=s.far_radius_m, max_accuracy_m=s.max_gps_accuracy_m)}


class InspectionSummarySchema(InspectionSchema):
    """An inspection as the sync feed carries it: without its answers, site and members."""

    class Meta:
        exclude = ("answers", "site", "members")


class InspectionListItemSchema(InspectionSchema):
    """An inspection in a listing: without its answers, with what a review queue shows."""

    non_compliant = fields.Integer(metadata={
        "description": "How many findings (non-compliant items) it has, whatever their status."})
    photo_flags = fields.Integer(metadata={
        "description": "How many of its ready photos raise at least one doubt (`flags`)."})

    class Meta:
        exclude = ("answers",)


SORTS = tuple(queries.INSPECTION_SORTS)


class InspectionQuerySchema(Schema):
    site_id = fields.UUID()
    commune_code = fields.String(validate=COMMUNE_CODE)
    status = fields.String(validate=validate.OneOf(INSPECTION_STATUSES))
    campaign_id = fields.UUID()
    started_from = Instant(data_key="from")
    started_before = Instant(data_key="to", metadata={"description": "Exclusive."})
    sort = fields.String(validate=validate.OneOf(SORTS), metadata={
        "enum": list(SORTS), "description": (
            "Order: by visit (`started_at`, the default `-started_at`), submission "
            "(`submitted_at`) or findings (`non_compliant`); `-` for descending.")})


class ReviewInSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(("approve", "return")))
    comment = fields.String(allow_none=True, load_default=None,
                            validate=validate.Length(max=5000))
    items = fields.List(fields.String(validate=validate.Length(min=1, max=20)),
                        load_default=None, validate=validate.Length(max=500), metadata={
                            "description": "With `return` only: codes of the inspection's "
                                           "checklist items the team must fix (422 for an "
                                           "unknown code or with `approve`)."})


def _with_etag(obj: Any, status: int = 200) -> tuple[Any, int, dict[str, str]]:
    return obj, status, {"ETag": etag_for(obj.version)}


@blp.post("")
@login_required("inspector", "police", "supervisor")
@blp.arguments(InspectionCreateSchema)
@blp.response(201, InspectionSchema)
@blp.alt_response(200, schema=InspectionSchema, success=True,
                  description="The same request again: the stored inspection, unchanged.")
@blp.alt_response(409, schema=ProblemSchema, description=(
    "The id is used by another body, or the campaign and site already have an open "
    "inspection (draft, submitted or returned): its id is the problem's `existing_id`."))
def create_inspection(body: dict[str, Any]) -> Any:
    """Start an inspection under the client's UUID (idempotent). One open inspection per
    campaign and site: a second answers 409 naming the first (`existing_id`) to join."""
    inspection, created = services.create_inspection(database.session(), current_user(), **body)
    return _with_etag(inspection, 201 if created else 200)


@blp.get("")
@login_required()
@blp.arguments(InspectionQuerySchema, location="query")
@blp.response(200, InspectionListItemSchema(many=True))
@blp.paginate(**PAGE)
def list_inspections(query: dict[str, Any], pagination_parameters: Any) -> Any:
    """Inspections of the caller's province (newest visit first unless `sort` says), without
    answers, with their site, team members and counts of findings and doubtful photos."""
    return paginate_select(queries.list_inspections(current_user(), **query),
                           pagination_parameters)


@blp.get("/<uuid:inspection_id>")
@login_required()
@blp.response(200, InspectionSchema)
def get_inspection(inspection_id: Any) -> Any:
    """An inspection with its answers and location check; the ETag is its version."""
    return _with_etag(services.get_inspection(database.session(), current_user(), inspection_id))


@blp.get("/<uuid:inspection_id>/answers/<string:item_code>")
@login_required()
@blp.response(200, AnswerSchema)
def get_answer(inspection_id: Any, item_code: str) -> Any:
    """The answer to one item, with its own ETag."""
    return _with_etag(services.get_answer(database.session(), current_user(),
                                          inspection_id=inspection_id, item_code=item_code))


@blp.put("/<uuid:inspection_id>/answers/<string:item_code>")
@login_required()
@blp.arguments(AnswerInSchema)
@blp.response(200, AnswerSchema)
@blp.alt_response(201, schema=AnswerSchema, success=True, description="The first answer.")
@blp.alt_response(412, **STALE)
@blp.alt_response(428, **PRECONDITION)
@blp.doc(parameters=[IF_MATCH, IF_NONE_MATCH])
def put_answer(body: dict[str, Any], inspection_id: Any, item_code: str) -> Any:
    """Answer an item: the first time with `If-None-Match: *`, then with `If-Match`."""
    answer, created = services.put_answer(
        database.session(), current_user(), inspection_id=inspection_id, item_code=item_code,
        if_match=if_match_version(), create_only=if_none_match_star(), **body)
    return _with_etag(answer, 201 if created else 200)


@blp.put("/<uuid:inspection_id>/location")
@login_required("inspector", "police")
@blp.arguments(InspectionLocationSchema)
@blp.response(200, InspectionSchema)
@blp.alt_response(412, **STALE)
@blp.alt_response(428, **PRECONDITION)
@blp.doc(parameters=[IF_MATCH])
def put_location(body: dict[str, Any], inspection_id: Any) -> Any:
    """Replace the team's GPS fix (retried on the tablet) while draft or returned; the location
    check follows."""
    return _with_etag(services.relocate(database.session(), current_user(),
                                        inspection_id=inspection_id, location=body["location"],
                                        if_match=if_match_version()))


@blp.post("/<uuid:inspection_id>/submit")
@login_required()
@blp.response(200, InspectionSchema)
@blp.alt_response(412, **STALE)
@blp.alt_response(428, **PRECONDITION)
@blp.doc(parameters=[IF_MATCH])
def submit(inspection_id: Any) -> Any:
    """Submit for review; 422 lists missing answers and photos. Derives the findings."""
    return _with_etag(services.submit(database.session(), current_user(),
                                      inspection_id=inspection_id, if_match=if_match_version()))


@blp.post("/<uuid:inspection_id>/review")
@login_required("supervisor")
@blp.arguments(ReviewInSchema)
@blp.response(200, InspectionSchema)
@blp.alt_response(412, **STALE)
@blp.alt_response(428, **PRECONDITION)
@blp.doc(parameters=[IF_MATCH])
def review(body: dict[str, Any], inspection_id: Any) -> Any:
    """Approve or return a submitted inspection (supervisors; a return needs a comment and may
    mark the items to fix)."""
    return _with_etag(services.review(database.session(), current_user(),
                                      inspection_id=inspection_id, if_match=if_match_version(),
                                      **body))
