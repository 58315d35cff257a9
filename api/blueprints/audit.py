"""/audit: the hash-chained change history and its verification."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from api import database
from api.auth import current_user, login_required
from api.pagination import PAGE, paginate_select
from inspection import audit

PREFIX = "/audit"
blp = Blueprint("audit", __name__, description="Nhật ký thay đổi")


class AuditQuerySchema(Schema):
    entity = fields.String()
    id = fields.String()
    newest_first = fields.Boolean(load_default=False, metadata={
        "description": "The most recent entries first (default: oldest first)."})


class AuditEntrySchema(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    actor_id = fields.UUID(allow_none=True)
    device_id = fields.String(allow_none=True)
    action = fields.String()
    entity = fields.String()
    entity_id = fields.String()
    province_code = fields.String(allow_none=True)
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)
    prev_hash = fields.String()
    hash = fields.String()


class AnchorsSchema(Schema):
    checkpoints = fields.Integer(metadata={"description": "checkpoints in the anchor file"})
    latest_seq = fields.Integer(allow_none=True)
    latest_at = fields.DateTime(allow_none=True)
    latest_entries = fields.Integer(allow_none=True)


class VerifySchema(Schema):
    ok = fields.Boolean()
    entries = fields.Integer()
    head = fields.String()
    problems = fields.List(fields.Dict(), metadata={
        "description": "each {id, problem, detail}; a checkpoint's also {checkpoint, line}"})
    anchors = fields.Nested(AnchorsSchema)


@blp.get("")
@login_required("admin", "supervisor")
@blp.arguments(AuditQuerySchema, location="query")
@blp.response(200, AuditEntrySchema(many=True))
@blp.paginate(**PAGE)
def history(query: dict, pagination_parameters):  # type: ignore[no-untyped-def]
    """The change history of the caller's province, oldest first or `newest_first` (and reads
    of personal data).

    Entries of the KT1 staff roster (`staff_members`) carry personal data: only the roles that
    may read the roster see them (here, supervisors); `verify` still covers every entry."""
    stmt = audit.history(database.session(), current_user(), entity=query.get("entity"),
                         entity_id=query.get("id"), newest_first=query["newest_first"])
    return paginate_select(stmt, pagination_parameters)


@blp.get("/verify")
@login_required("admin", "supervisor")
@blp.response(200, VerifySchema)
def verify():  # type: ignore[no-untyped-def]
    """Recompute the whole chain and check it against every signed checkpoint kept outside
    the database; an edited or deleted entry, a rewritten or rewound chain, or a forged
    checkpoint makes `ok` false."""
    return audit.check(database.session(), database.settings())
