"""/audit: the hash-chained change history and its verification."""

from __future__ import annotations

import dataclasses

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
    chain = fields.String(metadata={
        "description": "the chain of the entry: a province's code (its writes), the code and "
                       "`:read` (its reads of personal data), `VN` (no province) or `legacy` "
                       "(written before the log was split by province)"})
    position = fields.Integer(metadata={"description": "the entry's place in its chain"})


class AnchorsSchema(Schema):
    checkpoints = fields.Integer(metadata={"description": "checkpoints in the anchor file"})
    latest_seq = fields.Integer(allow_none=True)
    latest_at = fields.DateTime(allow_none=True)
    latest_entries = fields.Integer(allow_none=True)


class ChainStateSchema(Schema):
    chain = fields.String()
    ok = fields.Boolean()
    entries = fields.Integer()
    head = fields.String(metadata={"description": "the hash of the chain's newest entry"})


class VerifySchema(Schema):
    ok = fields.Boolean()
    entries = fields.Integer(metadata={"description": "entries in every chain"})
    head = fields.String(metadata={
        "description": "one digest of every chain's head (`inspection.audit.combined_head`)"})
    problems = fields.List(fields.Dict(), metadata={
        "description": "each {chain, id, problem, detail}; a checkpoint's {checkpoint, line}"})
    anchors = fields.Nested(AnchorsSchema)
    chains = fields.List(fields.Nested(ChainStateSchema),
                         metadata={"description": "each chain's own report"})


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
    """Recompute every chain (each province's writes and reads, the national and the legacy
    one) and check them against every signed checkpoint kept outside the database; an edited
    or deleted entry, a rewritten or rewound chain, or a forged checkpoint makes `ok` false."""
    report = audit.check(database.session(), database.settings())
    return {**dataclasses.asdict(report), "chains": [
        {"chain": name, **dataclasses.asdict(state)} for name, state in report.chains.items()]}
