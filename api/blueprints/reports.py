"""Reports: a province's supervisors ask for the annual report or a campaign's, a background
job writes it (PDF and XLSX), and they read it and download its documents."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Response
from flask_smorest import Blueprint
from marshmallow import Schema, fields, pre_dump, validate

from api import database
from api.auth import current_user, login_required
from api.jobs import enqueue_after_commit
from api.pagination import PAGE, paginate_select
from api.schemas import PROVINCE_CODE, ProblemSchema
from api.stored import send_stored
from inspection import reports
from inspection.models import Report
from inspection.models.reports import REPORT_KINDS, REPORT_STATUSES

PREFIX = ""
blp = Blueprint("reports", __name__, description="Báo cáo")

DOCUMENT_URL = "/api/v1/reports/{id}/document.{kind}"
MIMETYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ReportRequestSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(REPORT_KINDS))
    province_code = fields.String(required=True, validate=PROVINCE_CODE)
    year = fields.Integer(load_default=None, validate=validate.Range(2000, 2100), metadata={
        "description": "Required for an annual report."})
    campaign_id = fields.UUID(load_default=None, metadata={
        "description": "Required for a campaign report."})
    signer_id = fields.UUID(load_default=None, allow_none=True, metadata={
        "description": "The official who signs it (`GET /signers?active=true`); default: "
                       "the province's only active signer."})


class ReportRequestedSchema(Schema):
    report_id = fields.UUID()
    job_id = fields.UUID(metadata={"description": "Follow it on `GET /jobs/{id}`."})


class ReportQuerySchema(Schema):
    kind = fields.String(validate=validate.OneOf(REPORT_KINDS))
    year = fields.Integer(validate=validate.Range(2000, 2100))
    campaign_id = fields.UUID()
    province_code = fields.String(validate=PROVINCE_CODE, metadata={
        "description": "A national admin's filter; others see only their own province."})


class ReportFilesSchema(Schema):
    pdf = fields.String(allow_none=True)
    xlsx = fields.String(allow_none=True)


class ReportSchema(Schema):
    id = fields.UUID()
    kind = fields.String(metadata={"enum": list(REPORT_KINDS)})
    province_code = fields.String()
    year = fields.Integer(allow_none=True)
    campaign_id = fields.UUID(allow_none=True)
    status = fields.String(metadata={"enum": list(REPORT_STATUSES)})
    number = fields.String(allow_none=True, metadata={
        "description": "Number and symbol as printed, e.g. `05/BC-SKHCN`; null until the job "
                       "numbers it."})
    signer_id = fields.UUID(allow_none=True, metadata={"description": "Who signs it."})
    files = fields.Nested(ReportFilesSchema, metadata={
        "description": "Where to download the documents; null until the report is ready."})
    created_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)

    @pre_dump
    def _view(self, report: Report, **_: Any) -> dict[str, Any]:
        plain = ("id", "kind", "province_code", "year", "campaign_id", "status", "created_at",
                 "finished_at", "signer_id")
        return {**{k: getattr(report, k) for k in plain}, "number": report.label,
                "files": {kind: DOCUMENT_URL.format(id=report.id, kind=kind)
                          if report.is_ready else None for kind in MIMETYPES}}


@blp.post("/reports")
@login_required()
@blp.arguments(ReportRequestSchema)
@blp.response(202, ReportRequestedSchema)
@blp.alt_response(403, schema=ProblemSchema, description="Only supervisors and admins")
@blp.alt_response(404, schema=ProblemSchema,
                  description="No such province or campaign in your scope")
@blp.alt_response(422, schema=ProblemSchema, description=(
    "The signer is another province's or inactive, or none was chosen and the province has "
    "not exactly one active signer"))
def request_report(body: dict[str, Any]) -> Any:
    """Ask for an annual report of a province or a campaign's report (PDF and XLSX)."""
    report, job = reports.request_report(database.session(), current_user(), **body)
    assert job is not None
    enqueue_after_commit(reports.REPORT_JOB, str(job.id), str(report.id), key=str(job.id))
    return {"report_id": report.id, "job_id": job.id}


@blp.get("/reports")
@login_required()
@blp.arguments(ReportQuerySchema, location="query")
@blp.response(200, ReportSchema(many=True))
@blp.alt_response(403, schema=ProblemSchema, description="Only supervisors and admins")
@blp.paginate(**PAGE)
def list_reports(query: dict[str, Any], pagination_parameters: Any) -> Any:
    """The province's reports, newest first (filters `kind`, `year`, `campaign_id`)."""
    return paginate_select(reports.list_reports(current_user(), **query), pagination_parameters)


@blp.get("/reports/<uuid:report_id>")
@login_required()
@blp.response(200, ReportSchema)
@blp.alt_response(403, schema=ProblemSchema, description="Only supervisors and admins")
@blp.alt_response(404, schema=ProblemSchema, description="No such report in your scope")
def get_report(report_id: uuid.UUID) -> Any:
    """A report: what was asked, its status and, once ready, its documents."""
    return reports.get_report(database.session(), current_user(), report_id)


@blp.get("/reports/<uuid:report_id>/document.<any(pdf, xlsx):kind>")
@login_required()
@blp.doc(responses={200: {"description": "The report's document.", "content": {
    mimetype: {"schema": {"type": "string", "format": "binary"}}
    for mimetype in MIMETYPES.values()}}})
@blp.alt_response(404, schema=ProblemSchema, description="No such report in your scope")
@blp.alt_response(409, schema=ProblemSchema, description="Not ready yet")
def document(report_id: uuid.UUID, kind: str) -> Response:
    """The report as PDF or XLSX, byte for byte as stored."""
    report = reports.get_report(database.session(), current_user(), report_id)
    sha256 = reports.document_sha256(report, kind)
    name = f"bao-cao-{report.province_code}-{report.year or report.campaign_id}.{kind}"
    return send_stored(sha256, MIMETYPES[kind],
                       disposition=f'attachment; filename="{name}"')
