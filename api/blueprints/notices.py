"""Violation notices: asked for on an approved inspection, written by a background job,
read and downloaded (PDF, DOCX) by the province's staff and the post office addressed.

`POST /inspections/{id}/notices` answers `202 {notice_id, job_id}` when it queues a job (the
first request, or a new attempt after a failed one) and `200` with the same body naming the
existing notice and its job when one is pending or issued: an inspection has one notice.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import closing
from typing import Any, BinaryIO

from flask import Response, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, pre_dump

from api import database
from api.auth import current_user, login_required
from api.blueprints.findings import FindingSchema
from api.etag import etag_for
from api.jobs import enqueue_after_commit
from api.schemas import ProblemSchema
from inspection import notices
from inspection.models import Notice
from inspection.models.notices import NOTICE_STATUSES
from media.blobstore import CHUNK_SIZE, store_from_url

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


class NoticeFilesSchema(Schema):
    pdf = fields.String(allow_none=True)
    docx = fields.String(allow_none=True)


class NoticeSchema(Schema):
    id = fields.UUID()
    inspection_id = fields.UUID()
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
    created_at = fields.DateTime()
    version = fields.Integer()

    @pre_dump
    def _view(self, notice: Notice, **_: Any) -> dict[str, Any]:
        plain = ("id", "inspection_id", "province_code", "status", "issued_on", "due_on",
                 "pdf_sha256", "docx_sha256", "job_id", "created_at", "version", "findings")
        issued = notices.is_issued(notice)
        return {**{k: getattr(notice, k) for k in plain}, "number": notice.label,
                "files": {kind: DOCUMENT_URL.format(id=notice.id, kind=kind) if issued
                          else None for kind in MIMETYPES}}


@blp.post("/inspections/<uuid:inspection_id>/notices")
@login_required()
@blp.response(202, NoticeRequestedSchema)
@blp.alt_response(200, schema=NoticeRequestedSchema,
                  description="The inspection's notice exists already (pending or issued)")
@blp.alt_response(404, schema=ProblemSchema, description="No such inspection in your scope")
@blp.alt_response(409, schema=ProblemSchema, description="The inspection is not approved")
@blp.alt_response(422, schema=ProblemSchema, description="No confirmed finding to notify")
def request_notice(inspection_id: uuid.UUID) -> Any:
    """Ask for the violation notice of an approved inspection's confirmed findings."""
    notice, job, queued = notices.request_notice(database.session(), current_user(),
                                                 inspection_id)
    if queued:
        enqueue_after_commit(notices.NOTICE_JOB, str(job.id), str(notice.id))
    return {"notice_id": notice.id, "job_id": job.id}, 202 if queued else 200


@blp.get("/notices/<uuid:notice_id>")
@login_required()
@blp.response(200, NoticeSchema)
@blp.alt_response(404, schema=ProblemSchema, description="No such notice in your scope")
def get_notice(notice_id: uuid.UUID) -> Any:
    """A notice: its number, status, dates, findings and documents; the ETag is its version."""
    notice = notices.get_notice(database.session(), current_user(), notice_id)
    return notice, {"ETag": etag_for(notice.version)}


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
    etag = f'"{sha256}"'
    headers = {"ETag": etag, "Cache-Control": "private, max-age=31536000, immutable",
               "X-Content-Type-Options": "nosniff",
               "Content-Disposition": f'attachment; filename="{label}.{kind}"'}
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        return Response(status=304, headers=headers)
    settings = database.settings()
    store = store_from_url(settings.media_url, s3_endpoint_url=settings.s3_endpoint_url)
    database.release()
    headers["Content-Length"] = str(store.size(sha256))
    return Response(_stream(store.open(sha256)), mimetype=MIMETYPES[kind], headers=headers,
                    direct_passthrough=True)


def _stream(opened: BinaryIO) -> Iterator[bytes]:
    with closing(opened) as source:
        while chunk := source.read(CHUNK_SIZE):
            yield chunk
