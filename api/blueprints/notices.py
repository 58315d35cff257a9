"""Violation notices: asked for on an approved inspection, written by a background job,
read and downloaded (PDF, DOCX) by the province's staff and the post office addressed.

`POST /inspections/{id}/notices` answers `202 {notice_id, job_id}` when it queues a job (the
first request, or a new attempt after a failed one) and `200` with the same body naming the
existing notice and its job when one is pending or issued: an inspection has one notice.
`GET /notices` lists them with whether they are overdue; `PATCH /notices/{id}` (If-Match)
records follow-up (`inspection.notices.followup`); `GET /notices/{id}/timeline` tells it.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Response, request
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, pre_dump, validate, validates_schema

from api import database
from api.auth import current_user, login_required
from api.blueprints.findings import FindingSchema
from api.blueprints.inspections import IF_MATCH, PRECONDITION, STALE
from api.etag import etag_for, if_match_version
from api.jobs import enqueue_after_commit
from api.pagination import PAGE, paginate_select
from api.schemas import ProblemSchema
from api.stored import send_stored
from inspection import notices
from inspection.models import Notice
from inspection.models.notices import NOTICE_STATUSES, REVIEW_DECISIONS
from inspection.notices import followup as notice_followup
from inspection.notices import timeline as notice_timeline

PREFIX = ""
blp = Blueprint("notices", __name__, description="Thông báo vi phạm")

DOCUMENT_URL = "/api/v1/notices/{id}/document.{kind}"
MIMETYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class NoticeRequestedSchema(Schema):
    notice_id = fields.UUID()
    job_id = fields.UUID(metadata={"description": "Follow it on `GET /jobs/{id}`."})


class NoticeRequestSchema(Schema):
    signer_id = fields.UUID(load_default=None, allow_none=True, metadata={
        "description": "The official who signs it (`GET /signers?active=true`); default: "
                       "the province's only active signer."})


class NoticeFilesSchema(Schema):
    pdf = fields.String(allow_none=True)
    docx = fields.String(allow_none=True)


class NoticeRemediationSchema(Schema):
    report = fields.String(metadata={"description": "What the post office fixed."})
    photo_ids = fields.List(fields.UUID())
    reported_by = fields.UUID()
    reported_at = fields.DateTime()


class NoticeReviewSchema(Schema):
    decision = fields.String(metadata={"enum": list(REVIEW_DECISIONS)})
    comment = fields.String(allow_none=True)
    reviewed_by = fields.UUID()
    reviewed_at = fields.DateTime()


class NoticeSiteSchema(Schema):
    id = fields.UUID()
    name = fields.String()
    organization = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    commune_code = fields.String(allow_none=True)


class NoticeSchema(Schema):
    id = fields.UUID()
    inspection_id = fields.UUID()
    site = fields.Nested(NoticeSiteSchema, metadata={
        "description": "The inspected site the notice is addressed to."})
    province_code = fields.String()
    number = fields.String(allow_none=True, metadata={
        "description": "Number and symbol as printed, e.g. `12/TB-SKHCN`; null until issued."})
    status = fields.String(metadata={"enum": list(NOTICE_STATUSES)})
    issued_on = fields.Date(allow_none=True)
    due_on = fields.Date(allow_none=True, metadata={"description": "Remediation deadline."})
    findings = fields.List(fields.Nested(FindingSchema))
    files = fields.Nested(NoticeFilesSchema)
    pdf_sha256 = fields.String(allow_none=True)
    docx_sha256 = fields.String(allow_none=True)
    job_id = fields.UUID(allow_none=True)
    signer_id = fields.UUID(allow_none=True, metadata={"description": "Who signs it."})
    created_at = fields.DateTime()
    version = fields.Integer()
    overdue = fields.Boolean(metadata={
        "description": "Past `due_on` with a finding still `confirmed` (on `as_of`)."})
    days_overdue = fields.Integer(metadata={"description": "0 when not overdue."})
    as_of = fields.Date(metadata={"description": "The day `overdue` is judged on."})
    last_reminded_on = fields.Date(allow_none=True)
    remediation = fields.Nested(NoticeRemediationSchema, allow_none=True, metadata={
        "description": "The post office's latest remediation report."})
    review = fields.Nested(NoticeReviewSchema, allow_none=True, metadata={
        "description": "The inspectors' latest review of the remediation."})

    @pre_dump
    def _view(self, shown: Notice | notice_followup.Standing, **_: Any) -> dict[str, Any]:
        standing = shown if isinstance(shown, notice_followup.Standing) else None
        notice = standing.notice if standing is not None else shown
        assert isinstance(notice, Notice)
        plain = ("id", "inspection_id", "province_code", "status", "issued_on", "due_on",
                 "pdf_sha256", "docx_sha256", "job_id", "created_at", "version", "findings",
                 "signer_id")
        issued = notices.is_issued(notice)
        view = {**{k: getattr(notice, k) for k in plain}, "number": notice.label,
                "site": notice.inspection.site,
                "files": {kind: DOCUMENT_URL.format(id=notice.id, kind=kind) if issued
                          else None for kind in MIMETYPES},
                "remediation": None if notice.remediated_at is None else {
                    "report": notice.remediation_report,
                    "photo_ids": notice.remediation_photo_ids or [],
                    "reported_by": notice.remediated_by, "reported_at": notice.remediated_at},
                "review": None if notice.reviewed_at is None else {
                    "decision": notice.review_decision, "comment": notice.review_comment,
                    "reviewed_by": notice.reviewed_by, "reviewed_at": notice.reviewed_at}}
        if standing is not None:
            view.update(overdue=standing.overdue, days_overdue=standing.days_overdue,
                        as_of=standing.as_of, last_reminded_on=standing.last_reminded_on)
        return view


class EventActorSchema(Schema):
    id = fields.UUID()
    full_name = fields.String()
    role = fields.String()


class NoticeEventSchema(Schema):
    at = fields.DateTime()
    kind = fields.String(metadata={"enum": list(notice_timeline.EVENTS)})
    actor = fields.Nested(EventActorSchema, allow_none=True)
    item_codes = fields.List(fields.String(), metadata={
        "description": "The findings it is about (a report: those it moved to remediated)."})
    text = fields.String(allow_none=True, metadata={
        "description": "A report's text, or a verdict's comment."})
    photo_ids = fields.List(fields.String(), metadata={"description": "A report's evidence."})
    days_overdue = fields.Integer(allow_none=True, metadata={"description": "A reminder's."})


class NoticeTimelineSchema(Schema):
    notice_id = fields.UUID()
    events = fields.List(fields.Nested(NoticeEventSchema), metadata={
        "description": "Oldest first: issued, reminded, reported, remediated (a finding "
                       "reported on its own), verified, rejected, closed, reopened."})


class NoticeQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(NOTICE_STATUSES))
    overdue = fields.Boolean()
    inspection_id = fields.UUID()
    on = fields.Date(metadata={
        "description": "Judge `overdue` on this day (default: today in Vietnam)."})


class NoticePatchSchema(Schema):
    action = fields.String(required=True,
                           validate=validate.OneOf(notice_followup.ACTIONS))
    report = fields.String(validate=validate.Length(min=1, max=10000), metadata={
        "description": "`report_remediation`: what was fixed (required)."})
    comment = fields.String(allow_none=True, validate=validate.Length(max=5000), metadata={
        "description": "`verify`, `reject_remediation` (required to reject)."})
    finding_ids = fields.List(fields.UUID(), validate=validate.Length(min=1, max=500),
                              metadata={"description": "Default: all the notice's findings "
                                        "in the action's starting status."})
    photo_ids = fields.List(fields.UUID(), validate=validate.Length(max=100), metadata={
        "description": "`report_remediation`: evidence uploaded to the inspection."})

    @validates_schema
    def _needs(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("action") == "report_remediation" and not (data.get("report") or "").strip():
            raise ValidationError("required to report a remediation", "report")
        if data.get("action") == "reject_remediation" and not (data.get("comment") or "").strip():
            raise ValidationError("required to reject a remediation", "comment")
        if data.get("action") != "report_remediation" and data.get("photo_ids"):
            raise ValidationError("only with report_remediation", "photo_ids")


@blp.post("/inspections/<uuid:inspection_id>/notices")
@login_required()
@blp.arguments(NoticeRequestSchema, required=False)
@blp.response(202, NoticeRequestedSchema)
@blp.alt_response(200, schema=NoticeRequestedSchema,
                  description="The inspection's notice exists already (pending or issued)")
@blp.alt_response(404, schema=ProblemSchema, description="No such inspection in your scope")
@blp.alt_response(409, schema=ProblemSchema, description="The inspection is not approved")
@blp.alt_response(422, schema=ProblemSchema, description=(
    "No confirmed finding to notify; the signer is another province's or inactive, or none "
    "was chosen and the province has not exactly one active signer"))
def request_notice(body: dict[str, Any], inspection_id: uuid.UUID) -> Any:
    """Ask for the violation notice of an approved inspection's confirmed findings, signed
    by `signer_id`."""
    notice, job, queued = notices.request_notice(database.session(), current_user(),
                                                 inspection_id,
                                                 served_at=request.host_url.rstrip("/"),
                                                 signer_id=body.get("signer_id"))
    if queued or job.status == "queued":  # a retry hands over a job the queue lost
        enqueue_after_commit(notices.NOTICE_JOB, str(job.id), str(notice.id), key=str(job.id))
    return {"notice_id": notice.id, "job_id": job.id}, 202 if queued else 200


@blp.get("/notices")
@login_required()
@blp.arguments(NoticeQuerySchema, location="query")
@blp.response(200, NoticeSchema(many=True))
@blp.alt_response(403, schema=ProblemSchema, description="Not a supervisor, admin or post")
@blp.paginate(**PAGE)
def list_notices(query: dict[str, Any], pagination_parameters: Any) -> Any:
    """Notices of the province (a post office: its own), earliest due first, with overdue."""
    on = query.pop("on", None) or notice_followup.today()
    page = paginate_select(notice_followup.list_notices(current_user(), on=on, **query),
                           pagination_parameters)
    return notice_followup.standings(database.session(), page, on=on)


@blp.get("/notices/<uuid:notice_id>")
@login_required()
@blp.response(200, NoticeSchema)
@blp.alt_response(404, schema=ProblemSchema, description="No such notice in your scope")
def get_notice(notice_id: uuid.UUID) -> Any:
    """A notice: its number, status, dates, findings and documents; the ETag is its version."""
    session = database.session()
    notice = notices.get_notice(session, current_user(), notice_id)
    standing = notice_followup.standing(session, notice, on=notice_followup.today())
    return standing, {"ETag": etag_for(notice.version)}


@blp.get("/notices/<uuid:notice_id>/timeline")
@login_required()
@blp.response(200, NoticeTimelineSchema)
@blp.alt_response(404, schema=ProblemSchema, description="No such notice in your scope")
def notice_events(notice_id: uuid.UUID) -> Any:
    """A notice's follow-up, oldest first: issued, reminders, reports, verdicts, closed."""
    events = notice_timeline.timeline(database.session(), current_user(), notice_id)
    return {"notice_id": notice_id, "events": events}


@blp.patch("/notices/<uuid:notice_id>")
@login_required()
@blp.arguments(NoticePatchSchema)
@blp.response(200, NoticeSchema)
@blp.alt_response(403, schema=ProblemSchema, description="Not yours to report or verify")
@blp.alt_response(404, schema=ProblemSchema, description="No such notice in your scope")
@blp.alt_response(409, schema=ProblemSchema,
                  description="Not issued, or a finding not in the action's starting status")
@blp.alt_response(412, **STALE)
@blp.alt_response(428, **PRECONDITION)
@blp.doc(parameters=[IF_MATCH])
def patch_notice(body: dict[str, Any], notice_id: uuid.UUID) -> Any:
    """Record follow-up: the post office's remediation report, the inspectors' verdict."""
    session = database.session()
    notice = notice_followup.follow_up(session, current_user(), notice_id,
                                       if_match=if_match_version(), **body)
    standing = notice_followup.standing(session, notice, on=notice_followup.today())
    return standing, {"ETag": etag_for(notice.version)}


@blp.get("/notices/<uuid:notice_id>/document.<any(pdf, docx):kind>")
@login_required()
@blp.doc(responses={200: {"description": "The issued document.", "content": {
    mimetype: {"schema": {"type": "string", "format": "binary"}}
    for mimetype in MIMETYPES.values()}}})
@blp.alt_response(404, schema=ProblemSchema, description="No such notice in your scope")
@blp.alt_response(409, schema=ProblemSchema, description="Not issued yet")
def document(notice_id: uuid.UUID, kind: str) -> Response:
    """The issued notice as PDF or DOCX, byte for byte as stored."""
    notice = notices.get_notice(database.session(), current_user(), notice_id)
    sha256 = notices.document_sha256(notice, kind)
    label = (notice.label or str(notice.id)).replace("/", "-")
    return send_stored(sha256, MIMETYPES[kind],
                       disposition=f'attachment; filename="{label}.{kind}"')
