"""Inspection records (biên bản kiểm tra): asked for on a submitted inspection by its team or
the province's supervisors, written by a background job, read and downloaded (PDF, DOCX).

`POST /inspections/{id}/record` answers `202 {record_id, job_id}` when it queues a job and
`200` with the same body when the inspection's record is pending or issued already. An
inspection returned and submitted again gets a new record (the next number) that replaces the
issued one: submitting asks for it, and asking answers it. A replaced record keeps its
documents and reads `status: replaced` with `replaced_by`.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Response
from flask_smorest import Blueprint
from marshmallow import Schema, fields, pre_dump

from api import database
from api.auth import current_user, login_required
from api.etag import etag_for
from api.jobs import enqueue_after_commit
from api.schemas import ProblemSchema, SignatureSchema
from api.stored import blob_store, send_stored
from inspection import records
from inspection.models import InspectionRecord
from inspection.models.records import RECORD_STATUSES
from inspection.verification import pdf_signature, trust_roots
from media.pdf_signatures import SignatureCheck

PREFIX = ""
blp = Blueprint("records", __name__, description="Biên bản kiểm tra")

DOCUMENT_URL = "/api/v1/records/{id}/document.{kind}"
MIMETYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class RecordRequestedSchema(Schema):
    record_id = fields.UUID()
    job_id = fields.UUID(metadata={"description": "Follow it on `GET /jobs/{id}`."})


class RecordFilesSchema(Schema):
    pdf = fields.String(allow_none=True)
    docx = fields.String(allow_none=True)


class RecordSchema(Schema):
    id = fields.UUID()
    inspection_id = fields.UUID()
    province_code = fields.String()
    number = fields.String(allow_none=True, metadata={
        "description": "Number and symbol as printed, e.g. `03/BB-SKHCN`; null until issued."})
    status = fields.String(metadata={"enum": list(RECORD_STATUSES)})
    drawn_on = fields.Date(allow_none=True, metadata={
        "description": "The day the inspection ended (Vietnam time)."})
    files = fields.Nested(RecordFilesSchema)
    pdf_sha256 = fields.String(allow_none=True)
    docx_sha256 = fields.String(allow_none=True)
    job_id = fields.UUID(allow_none=True)
    replaces = fields.UUID(allow_none=True, metadata={
        "description": "The record this one re-issues (the inspection was submitted again)."})
    replaced_by = fields.UUID(allow_none=True, metadata={
        "description": "The record that replaced this one (`status: replaced`)."})
    created_at = fields.DateTime()
    version = fields.Integer()
    signature = fields.Nested(SignatureSchema, allow_none=True, metadata={
        "description": "The stored PDF's digital signature, checked now; null until issued "
                       "(or when the PDF is no longer stored)."})

    @pre_dump
    def _view(self, shown: tuple[InspectionRecord, SignatureCheck | None],
              **_: Any) -> dict[str, Any]:
        record, signature = shown
        plain = ("id", "inspection_id", "province_code", "status", "drawn_on", "pdf_sha256",
                 "docx_sha256", "job_id", "created_at", "version")
        issued = records.is_issued(record)
        return {**{k: getattr(record, k) for k in plain}, "number": record.label,
                "replaces": record.replaces_id, "replaced_by": record.replaced_by_id,
                "files": {kind: DOCUMENT_URL.format(id=record.id, kind=kind) if issued
                          else None for kind in MIMETYPES}, "signature": signature}


@blp.post("/inspections/<uuid:inspection_id>/record")
@login_required()
@blp.response(202, RecordRequestedSchema)
@blp.alt_response(200, schema=RecordRequestedSchema, description=(
    "The inspection's record exists already (pending, or issued and stating the inspection "
    "as last submitted)"))
@blp.alt_response(403, schema=ProblemSchema,
                  description="Neither on the team nor a supervisor or admin")
@blp.alt_response(404, schema=ProblemSchema, description="No such inspection in your scope")
@blp.alt_response(409, schema=ProblemSchema, description="The inspection is not submitted")
def request_record(inspection_id: uuid.UUID) -> Any:
    """Ask for the inspection record (biên bản kiểm tra) of a submitted inspection: its
    current one, or the one replacing it once the inspection was submitted again."""
    record, job, queued = records.request_record(database.session(), current_user(),
                                                 inspection_id)
    if queued or job.status == "queued":  # a retry hands over a job the queue lost
        enqueue_after_commit(records.RECORD_JOB, str(job.id), str(record.id), key=str(job.id))
    return {"record_id": record.id, "job_id": job.id}, 202 if queued else 200


@blp.get("/records/<uuid:record_id>")
@login_required()
@blp.response(200, RecordSchema)
@blp.alt_response(404, schema=ProblemSchema, description="No such record in your scope")
def get_record(record_id: uuid.UUID) -> Any:
    """A record: its number, status, date, documents and its PDF's digital signature; the ETag
    is its version."""
    record = records.get_record(database.session(), current_user(), record_id)
    signature = pdf_signature(blob_store(), record.pdf_sha256 if records.is_current(record)
                              else None, trust_roots(database.settings()))
    return (record, signature), {"ETag": etag_for(record.version)}


@blp.get("/records/<uuid:record_id>/document.<any(pdf, docx):kind>")
@login_required()
@blp.doc(responses={200: {"description": "The issued document.", "content": {
    mimetype: {"schema": {"type": "string", "format": "binary"}}
    for mimetype in MIMETYPES.values()}}})
@blp.alt_response(404, schema=ProblemSchema, description="No such record in your scope")
@blp.alt_response(409, schema=ProblemSchema, description="Not issued yet")
def document(record_id: uuid.UUID, kind: str) -> Response:
    """The issued record (a replaced one too) as PDF or DOCX, byte for byte as stored."""
    record = records.get_record(database.session(), current_user(), record_id)
    sha256 = records.document_sha256(record, kind)
    label = (record.label or str(record.id)).replace("/", "-")
    return send_stored(sha256, MIMETYPES[kind],
                       disposition=f'attachment; filename="{label}.{kind}"')
