"""The post office's annual report on KT1 provision (Cần Thơ directive 5đ): the post office
creates, edits and sends it (If-Match), the Sở accepts or returns it, a background job renders
the sent report as PDF and DOCX, and `/status` lists every provider with whether it is late.

`POST /provision-reports {year}` answers `201` with a new draft, or `200` with the
organisation's existing report of that year. Writes to an existing report need `If-Match`.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Response
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, pre_dump, validate, validates_schema

from api import database
from api.auth import current_user, login_required
from api.blueprints.inspections import IF_MATCH, PRECONDITION, STALE
from api.etag import etag_for, if_match_version
from api.jobs import enqueue_after_commit
from api.pagination import PAGE, paginate_select
from api.schemas import PROVINCE_CODE, ProblemSchema
from api.stored import send_stored
from inspection import provision
from inspection.models import ProvisionReport
from inspection.models.provision import PROVISION_STATUSES
from inspection.provision import deadline as provision_deadline

PREFIX = "/provision-reports"
blp = Blueprint("provision_reports", __name__,
                description="Báo cáo năm của bưu điện về cung cấp dịch vụ bưu chính KT1")

DOCUMENT_URL = "/api/v1/provision-reports/{id}/document.{kind}"
MIMETYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
INT_MAX = 2_147_483_647
BIGINT_MAX = 9_223_372_036_854_775_807
TEXT_MAX = 20_000
YEAR = validate.Range(2000, 2100)
CODE = PROVINCE_CODE


def _count(description: str, maximum: int = INT_MAX) -> fields.Integer:
    return fields.Integer(strict=True, allow_none=True, validate=validate.Range(0, maximum),
                          metadata={"description": description})


def _text(description: str) -> fields.String:
    return fields.String(allow_none=True, validate=validate.Length(max=TEXT_MAX),
                         metadata={"description": description})


class ComplianceSchema(Schema):
    """Compliance with each group of rules, as the post office states it."""

    service = _text("Rules on providing the service.")
    quality = _text("Rules on service quality.")
    connection = _text("Rules on connection to the KT1 network.")
    security = _text("Rules on security and safety.")
    archiving = _text("Rules on archiving.")


class IncidentSchema(Schema):
    occurred_on = fields.Date(required=True)
    description = fields.String(required=True, validate=validate.Length(1, TEXT_MAX))
    handling = fields.String(required=True, validate=validate.Length(1, TEXT_MAX), metadata={
        "description": "How it was handled, and the outcome."})


class IncidentOutSchema(Schema):
    occurred_on = fields.String(metadata={"format": "date"})
    description = fields.String()
    handling = fields.String()


class ContentSchema(Schema):
    total_volume = _count("KT1 items handled in the year.")
    local_volume = _count("Of which within the province.")
    staff_involved = _count("Workers directly involved in KT1.")
    revenue_vnd = _count("KT1 revenue in đồng.", BIGINT_MAX)
    compliance = fields.Nested(ComplianceSchema, allow_none=True, metadata={
        "description": "Merged by aspect; a null text clears that aspect."})
    incidents = fields.List(fields.Nested(IncidentSchema), allow_none=True,
                            validate=validate.Length(max=500), metadata={
                                "description": "The whole list (`[]`: none in the year)."})
    difficulties = _text("Difficulties and their causes.")
    proposals = _text("Proposals.")
    signer_name = fields.String(allow_none=True, validate=validate.Length(max=200), metadata={
        "description": "Who signs it for the post office (optional; printed under the "
                       "signature)."})
    signer_title = fields.String(allow_none=True, validate=validate.Length(max=100), metadata={
        "description": "The signer's title, e.g. `Giám đốc` (default), `Phó Giám đốc`."})


class ProvisionPatchSchema(ContentSchema):
    @validates_schema
    def _something(self, data: dict[str, Any], **_: Any) -> None:
        if not data:
            raise ValidationError("Không có nội dung nào để sửa.", "_schema")


class ProvisionCreateSchema(Schema):
    year = fields.Integer(required=True, strict=True, validate=YEAR)


class ReturnSchema(Schema):
    comment = fields.String(required=True, validate=validate.Length(1, 5000), metadata={
        "description": "Why the report goes back to the post office."})


class AcceptSchema(Schema):
    comment = fields.String(allow_none=True, load_default=None,
                            validate=validate.Length(max=5000))


class FilesSchema(Schema):
    pdf = fields.String(allow_none=True)
    docx = fields.String(allow_none=True)


class StandingFields(Schema):
    """How late the organisation's report of the year is on `as_of`."""

    due_on = fields.Date(metadata={"description": "10 December of the year."})
    overdue = fields.Boolean(metadata={
        "description": "After `due_on`, not sent (or returned), and not first sent on time."})
    days_overdue = fields.Integer(metadata={"description": "0 when not overdue."})
    on_time = fields.Boolean(allow_none=True, metadata={
        "description": "First sent on or before `due_on`; null while unsent and not due."})
    last_reminded_on = fields.Date(allow_none=True)
    as_of = fields.Date(metadata={"description": "The day `overdue` is judged on."})


class ProvisionReportSchema(ContentSchema, StandingFields):
    id = fields.UUID()
    province_code = fields.String()
    organization = fields.String()
    year = fields.Integer()
    status = fields.String(metadata={"enum": list(PROVISION_STATUSES)})
    incidents = fields.List(fields.Nested(IncidentOutSchema), allow_none=True)
    submitted_at = fields.DateTime(allow_none=True)
    submitted_by = fields.UUID(allow_none=True)
    first_submitted_on = fields.Date(allow_none=True)
    received_on = fields.Date(allow_none=True, metadata={
        "description": "The day the accepted sending was made (Vietnam time)."})
    reviewed_at = fields.DateTime(allow_none=True)
    reviewed_by = fields.UUID(allow_none=True)
    review_comment = fields.String(allow_none=True)
    job_id = fields.UUID(allow_none=True, metadata={
        "description": "The job rendering the last sending; `GET /jobs/{id}`."})
    files = fields.Nested(FilesSchema)
    pdf_sha256 = fields.String(allow_none=True)
    docx_sha256 = fields.String(allow_none=True)
    created_by = fields.UUID()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    version = fields.Integer()

    @pre_dump
    def _view(self, shown: provision_deadline.Standing, **_: Any) -> dict[str, Any]:
        report = shown.report
        assert report is not None
        rendered = provision.is_issued(report)
        return {**{k: getattr(report, k) for k in self.fields if hasattr(report, k)},
                **_standing(shown),
                "files": {kind: DOCUMENT_URL.format(id=report.id, kind=kind) if rendered
                          else None for kind in MIMETYPES}}


def _standing(s: provision_deadline.Standing) -> dict[str, Any]:
    return {"due_on": s.due_on, "overdue": s.overdue, "days_overdue": s.days_overdue,
            "on_time": s.on_time, "last_reminded_on": s.last_reminded_on, "as_of": s.as_of}


class ProvisionStatusSchema(StandingFields):
    province_code = fields.String()
    organization = fields.String()
    year = fields.Integer()
    report_id = fields.UUID(allow_none=True, metadata={"description": "null: none started."})
    status = fields.String(allow_none=True, metadata={
        "enum": [*PROVISION_STATUSES, None], "description": "null: no report started."})
    version = fields.Integer(allow_none=True)
    first_submitted_on = fields.Date(allow_none=True)
    received_on = fields.Date(allow_none=True)

    @pre_dump
    def _view(self, s: provision_deadline.Standing, **_: Any) -> dict[str, Any]:
        r = s.report
        return {"province_code": s.province_code, "organization": s.organization,
                "year": s.year, "status": s.status, **_standing(s),
                **{k: getattr(r, k) if r is not None else None
                   for k in ("version", "first_submitted_on", "received_on")},
                "report_id": r.id if r is not None else None}


class ProvisionQuerySchema(Schema):
    year = fields.Integer(validate=YEAR)
    status = fields.String(validate=validate.OneOf(PROVISION_STATUSES))
    organization = fields.String(validate=validate.Length(1, 300))
    province_code = fields.String(validate=CODE)


class StatusQuerySchema(Schema):
    province_code = fields.String(validate=CODE, metadata={
        "description": "Default: the caller's province (a national admin must name one)."})
    year = fields.Integer(validate=YEAR, metadata={"description": "Default: this year."})
    on = fields.Date(metadata={
        "description": "Judge `overdue` on this day (default: today in Vietnam)."})


def _shown(report: ProvisionReport, status: int = 200) -> tuple[Any, int, dict[str, str]]:
    standing = provision_deadline.standing(database.session(), report, on=provision.today())
    return standing, status, {"ETag": etag_for(report.version)}


@blp.get("")
@login_required()
@blp.arguments(ProvisionQuerySchema, location="query")
@blp.response(200, ProvisionReportSchema(many=True))
@blp.alt_response(403, schema=ProblemSchema, description="Not a post office, supervisor or admin")
@blp.paginate(**PAGE)
def list_reports(query: dict[str, Any], pagination_parameters: Any) -> Any:
    """Annual KT1 reports of the province (a post office: its own), newest year first."""
    page = paginate_select(provision.list_reports(current_user(), **query),
                           pagination_parameters)
    return provision_deadline.report_standings(database.session(), page, on=provision.today())


@blp.post("")
@login_required()
@blp.arguments(ProvisionCreateSchema)
@blp.response(201, ProvisionReportSchema)
@blp.alt_response(200, schema=ProvisionReportSchema, success=True,
                  description="The organisation's report of that year exists: it, unchanged.")
@blp.alt_response(403, schema=ProblemSchema, description="Not a post office's user")
@blp.alt_response(422, schema=ProblemSchema,
                  description="A year not begun, or an organisation providing no KT1 here")
def create_report(body: dict[str, Any]) -> Any:
    """Start the organisation's report of a year as a draft (idempotent)."""
    report, created = provision.create_draft(database.session(), current_user(), **body)
    return _shown(report, 201 if created else 200)


@blp.get("/status")
@login_required()
@blp.arguments(StatusQuerySchema, location="query")
@blp.response(200, ProvisionStatusSchema(many=True))
@blp.alt_response(403, schema=ProblemSchema, description="Not a post office, supervisor or admin")
@blp.alt_response(404, schema=ProblemSchema, description="No such province in your scope")
@blp.paginate(**PAGE)
def status(query: dict[str, Any], pagination_parameters: Any) -> Any:
    """Every KT1 provider of the province with its report's status and whether it is late."""
    on = query.get("on") or provision.today()
    year = query.get("year") or on.year
    session = database.session()
    code, names = provision_deadline.status_list(session, current_user(), year=year,
                                                 province_code=query.get("province_code"))
    page = paginate_select(names, pagination_parameters)
    return provision_deadline.standings(session, [(code, n) for n in page], year=year, on=on)


@blp.get("/<uuid:report_id>")
@login_required()
@blp.response(200, ProvisionReportSchema)
@blp.alt_response(403, schema=ProblemSchema, description="Not a post office, supervisor or admin")
@blp.alt_response(404, schema=ProblemSchema, description="No such report in your scope")
def get_report(report_id: uuid.UUID) -> Any:
    """A report with its content, review and documents; the ETag is its version."""
    return _shown(provision.get_report(database.session(), current_user(), report_id))


@blp.patch("/<uuid:report_id>")
@login_required()
@blp.arguments(ProvisionPatchSchema)
@blp.response(200, ProvisionReportSchema)
@blp.alt_response(403, schema=ProblemSchema, description="Not the post office's user")
@blp.alt_response(404, schema=ProblemSchema, description="No such report in your scope")
@blp.alt_response(409, schema=ProblemSchema, description="Sent or accepted: not editable")
@blp.alt_response(412, **STALE)
@blp.alt_response(428, **PRECONDITION)
@blp.doc(parameters=[IF_MATCH])
def patch_report(body: dict[str, Any], report_id: uuid.UUID) -> Any:
    """Edit a draft or returned report's content."""
    return _shown(provision.edit(database.session(), current_user(), report_id,
                                 if_match=if_match_version(), changes=body))


@blp.post("/<uuid:report_id>/submit")
@login_required()
@blp.response(200, ProvisionReportSchema)
@blp.alt_response(403, schema=ProblemSchema, description="Not the post office's user")
@blp.alt_response(404, schema=ProblemSchema, description="No such report in your scope")
@blp.alt_response(409, schema=ProblemSchema, description="Already sent or accepted")
@blp.alt_response(412, **STALE)
@blp.alt_response(422, schema=ProblemSchema, description="Lists every content field missing")
@blp.alt_response(428, **PRECONDITION)
@blp.doc(parameters=[IF_MATCH])
def submit(report_id: uuid.UUID) -> Any:
    """Send the report to the Sở; its PDF and DOCX are rendered by a job (`job_id`)."""
    report, job = provision.submit(database.session(), current_user(), report_id,
                                   if_match=if_match_version())
    enqueue_after_commit(provision.PROVISION_JOB, str(job.id), str(report.id), key=str(job.id))
    return _shown(report)


def _review(report_id: uuid.UUID, decision: str, comment: str | None) -> Any:
    return _shown(provision.review(database.session(), current_user(), report_id,
                                   decision=decision, comment=comment,
                                   if_match=if_match_version()))


@blp.post("/<uuid:report_id>/accept")
@login_required()
@blp.arguments(AcceptSchema)
@blp.response(200, ProvisionReportSchema)
@blp.alt_response(403, schema=ProblemSchema, description="Not a supervisor or admin")
@blp.alt_response(404, schema=ProblemSchema, description="No such report in your scope")
@blp.alt_response(409, schema=ProblemSchema, description="Not sent")
@blp.alt_response(412, **STALE)
@blp.alt_response(428, **PRECONDITION)
@blp.doc(parameters=[IF_MATCH])
def accept(body: dict[str, Any], report_id: uuid.UUID) -> Any:
    """The Sở accepts the sent report (`received_on` is the day it was sent)."""
    return _review(report_id, "accept", body.get("comment"))


@blp.post("/<uuid:report_id>/return")
@login_required()
@blp.arguments(ReturnSchema)
@blp.response(200, ProvisionReportSchema)
@blp.alt_response(403, schema=ProblemSchema, description="Not a supervisor or admin")
@blp.alt_response(404, schema=ProblemSchema, description="No such report in your scope")
@blp.alt_response(409, schema=ProblemSchema, description="Not sent")
@blp.alt_response(412, **STALE)
@blp.alt_response(422, schema=ProblemSchema, description="No comment")
@blp.alt_response(428, **PRECONDITION)
@blp.doc(parameters=[IF_MATCH])
def return_report(body: dict[str, Any], report_id: uuid.UUID) -> Any:
    """The Sở returns the sent report with a comment; the post office edits and sends again."""
    return _review(report_id, "return", body["comment"])


@blp.get("/<uuid:report_id>/document.<any(pdf, docx):kind>")
@login_required()
@blp.doc(responses={200: {"description": "The sent report's document.", "content": {
    mimetype: {"schema": {"type": "string", "format": "binary"}}
    for mimetype in MIMETYPES.values()}}})
@blp.alt_response(404, schema=ProblemSchema, description="No such report in your scope")
@blp.alt_response(409, schema=ProblemSchema, description="Not sent, or not rendered yet")
def document(report_id: uuid.UUID, kind: str) -> Response:
    """The sent report as PDF or DOCX, byte for byte as stored."""
    report = provision.get_report(database.session(), current_user(), report_id)
    sha256 = provision.document_sha256(report, kind)
    name = f"bao-cao-kt1-{report.year}-{report.id}.{kind}"
    return send_stored(sha256, MIMETYPES[kind], disposition=f'attachment; filename="{name}"')
