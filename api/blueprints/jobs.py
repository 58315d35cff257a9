"""/jobs: the state of background work a user asked for (notices, reports)."""

from __future__ import annotations

import uuid

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from api import database
from api.auth import current_user, login_required
from api.schemas import ProblemSchema
from inspection import jobs
from inspection.models import Job
from inspection.models.jobs import JOB_STATUSES

PREFIX = "/jobs"
blp = Blueprint("jobs", __name__, description="Công việc chạy nền")


class JobSchema(Schema):
    id = fields.UUID()
    kind = fields.String()
    status = fields.String(metadata={"enum": list(JOB_STATUSES)})
    progress = fields.Integer(metadata={"description": "0 to 100."})
    result = fields.Dict(allow_none=True)
    error = fields.String(allow_none=True, metadata={
        "description": "Why the last attempt failed (kept while a retry is queued)."})
    attempts = fields.Integer()
    created_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)


@blp.get("/<uuid:job_id>")
@login_required()
@blp.response(200, JobSchema)
@blp.alt_response(404, schema=ProblemSchema, description="No such job in your scope")
def get_job(job_id: uuid.UUID) -> Job:
    """A job's status, progress, and its result or error."""
    return jobs.get(database.session(), current_user(), job_id)
