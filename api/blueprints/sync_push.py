"""/sync/push and /sync/conflicts: a tablet's offline changes applied, and the stale ones
kept for supervisors. The semantics per entity are in `inspection.sync.push`; this module
reads each mutation and its `data` with the REST schemas (`WIRE`), and renders the results
with the records as the REST API shows them, loaded once per batch (`push_batch`)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from flask import Response, jsonify
from flask_smorest import Blueprint
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from sqlalchemy.orm import Session

from api import database, json_body, problems
from api.auth import current_principal, current_user, login_required
from api.blueprints.checklists import ITEM_CODE
from api.blueprints.findings import FindingPatchSchema
from api.blueprints.inspections import (
    AnswerInSchema,
    InspectionCreateSchema,
    InspectionLocationSchema,
)
from api.pagination import PAGE, paginate_select
from api.representations import represent, represent_one
from api.schemas import DEVICE_ID, MUTATION_ID, Moment, ProblemSchema
from inspection import audit, errors
from inspection.models import User
from inspection.sync import conflicts, feed, push
from inspection.sync.apply import ENTITIES, OPS, Mutation, Target

PREFIX = "/sync"
blp = Blueprint("sync_push", __name__, description="Đồng bộ ngoại tuyến: gửi thay đổi, xung đột")

# --- one mutation and its data, validated per entity ----------------------------------------

class MutationSchema(Schema):
    mutation_id = fields.String(required=True, validate=MUTATION_ID)
    entity = fields.String(required=True, validate=validate.OneOf(ENTITIES))
    op = fields.String(required=True, validate=validate.OneOf(OPS))
    id = fields.UUID(required=True)
    base_version = fields.Integer(strict=True, allow_none=True, load_default=None,
                                  validate=validate.Range(min=0))
    data = fields.Dict(allow_none=True, load_default=None)
    client_time = Moment(allow_none=True, load_default=None)


class InspectionStatusSchema(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(("draft", "submitted")))


class InspectionSyncSchema(InspectionCreateSchema, InspectionStatusSchema):
    """POST /inspections' body; `status: submitted` asks to submit."""


class AnswerSyncSchema(AnswerInSchema):
    inspection_id = fields.UUID(required=True)
    item_code = fields.String(required=True, validate=ITEM_CODE)


class AnswerKeySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    inspection_id = fields.UUID(required=True)
    item_code = fields.String(required=True, validate=ITEM_CODE)


def _with_id(data: dict[str, Any], ident: str) -> dict[str, Any]:
    if "id" in data and str(data["id"]) != ident:
        raise ValidationError({"id": ["Khác với mã (id) của thay đổi."]})
    return {**data, "id": ident}


def _data(entity: str, op: str, ident: str, data: dict[str, Any]) -> dict[str, Any]:
    schema = _DATA_SCHEMAS
    if op == "delete":
        return schema["answer_key"].load(data) if entity == "answer" and data else {}
    if entity == "inspection":
        if set(data) <= {"status"}:
            return {"body": None, **schema["status"].load(data)}
        if set(data) == {"location"}:  # a retried GPS fix: PUT /inspections/{id}/location
            return {"body": None, "status": None, **schema["location"].load(data)}
        body = schema["inspection"].load(_with_id(data, ident))
        body.pop("inspection_id")
        return {"status": body.pop("status"), "body": body}
    if entity == "answer":
        answer = schema["answer"].load(_with_id(data, ident))
        answer.pop("answer_id")
        return answer  # type: ignore[no-any-return]
    return schema["finding"].load(data)  # type: ignore[no-any-return]


_MUTATION = MutationSchema()
_DATA_SCHEMAS: dict[str, Schema] = {
    "answer_key": AnswerKeySchema(), "status": InspectionStatusSchema(),
    "location": InspectionLocationSchema(), "inspection": InspectionSyncSchema(),
    "answer": AnswerSyncSchema(), "finding": FindingPatchSchema()}
"""Built once: a schema's construction costs more than a small load."""


class Wire:
    """Mutations read with the REST schemas and problem mapping (`conflicts.Wire`)."""

    def load(self, raw: Mapping[str, Any]) -> Mutation:
        refused = json_body.refusal(raw)
        if refused is not None:
            raise refused
        try:
            env = _MUTATION.load(raw)
        except ValidationError as exc:
            raise errors.ValidationFailed("Thay đổi không hợp lệ; xem 'errors'.",
                                          errors=problems.vietnamese(exc.messages)) from exc
        try:
            data = _data(env["entity"], env["op"], str(env["id"]), env["data"] or {})
        except ValidationError as exc:
            raise errors.ValidationFailed(
                "Dữ liệu (data) của thay đổi không hợp lệ; xem 'errors'.",
                errors={"data": problems.vietnamese(exc.messages)}) from exc
        return Mutation(mutation_id=env["mutation_id"], entity=env["entity"], op=env["op"],
                        entity_id=env["id"], base_version=env["base_version"], data=data,
                        raw=env["data"], client_time=env["client_time"])

    def read(self, raw: Mapping[str, Any]) -> Mutation | push.Invalid:
        """One mutation of a batch: invalid is a result, not an error."""
        try:
            return self.load(raw)
        except errors.DomainError as exc:
            return push.Invalid(str(raw["mutation_id"]), exc)

    def dump(self, session: Session, entity: str, target: Target) -> dict[str, Any] | None:
        return None if target.entity_id is None else represent_one(
            session, entity, target.entity_id)


WIRE = Wire()


# --- a batch: read, applied by the domain, rendered once ---------------------------------------

def push_batch(session: Session, actor: User, *, device_id: str, caller_device_id: str,
               mutations: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Apply a tablet's raw mutations (`inspection.sync.push`); one result each, remembered."""
    outcomes = push.push(session, actor, device_id=device_id, caller_device_id=caller_device_id,
                         mutations=[WIRE.read(raw) for raw in mutations])
    results = render(session, outcomes)
    push.remember(session, actor, device_id=device_id, outcomes=outcomes, results=results)
    return results


def render(session: Session, outcomes: Sequence[push.Outcome]) -> list[dict[str, Any]]:
    """The results as the tablet reads them; the records they show are loaded in one query
    per entity, as the batch left them."""
    wanted: dict[str, set[uuid.UUID]] = defaultdict(set)
    for o in outcomes:
        if o.entity is not None and o.target is not None and o.target.entity_id is not None:
            wanted[o.entity].add(o.target.entity_id)
    records = {entity: represent(session, entity, ids) for entity, ids in wanted.items()}
    results: list[dict[str, Any]] = []
    for o in outcomes:
        if o.status == "duplicate":
            first = results[o.original] if isinstance(o.original, int) else o.original or {}
            results.append({**first, "status": "duplicate", "original_status": first["status"]})
        elif o.error is not None:
            results.append({"mutation_id": o.mutation_id, "status": o.status,
                            "error": problems.problem_body(o.error)})
        else:
            results.append(_applied(o, records))
    return results


def _applied(o: push.Outcome, records: dict[str, dict[str, Any]]) -> dict[str, Any]:
    target = o.target or Target()
    server = None if target.entity_id is None or o.entity is None else \
        records[o.entity].get(str(target.entity_id))
    result = {"mutation_id": o.mutation_id, "status": o.status, "version": target.version,
              "server": server}
    if o.conflict is not None:
        result["conflict_id"] = str(o.conflict.id)
    return result


# --- request and response schemas ------------------------------------------------------------

class MutationInSchema(Schema):
    """One mutation as the batch accepts it: only `mutation_id` is checked here, so that a
    malformed mutation is a `rejected` result and never rejects the batch (so are a lone
    surrogate, NaN or 1e400 in it: api/json_body.py leaves the items to `Wire.load`)."""

    mutation_id = fields.String(required=True, validate=MUTATION_ID)
    entity = fields.Raw(allow_none=True, metadata={"type": "string", "enum": list(ENTITIES)})
    op = fields.Raw(allow_none=True, metadata={"type": "string", "enum": list(OPS)})
    id = fields.Raw(allow_none=True, metadata={"type": "string", "format": "uuid"})
    base_version = fields.Raw(allow_none=True, metadata={
        "type": "integer", "description": "The version the tablet changed; null: new."})
    data = fields.Raw(allow_none=True, metadata={
        "type": "object", "description": "The matching REST body (see the entity)."})
    client_time = fields.Raw(allow_none=True, metadata={"type": "string",
                                                        "format": "date-time"})


class _Mutation(fields.Nested):
    """A mutation as `MutationInSchema` loads it, without marshmallow's pass field by field
    over one it would return unchanged (its own keys only, a valid `mutation_id`: a push's
    every mutation, 500 of them); any other goes through the schema, which reports it."""

    _FIELDS = MutationInSchema().fields
    _KEYS = frozenset(_FIELDS)
    _ID_CHECKS = tuple(_FIELDS["mutation_id"].validators)  # the schema's own

    def _deserialize(self, value: Any, attr: str | None, data: Any, partial: Any = None,
                     **kwargs: Any) -> Any:
        if isinstance(value, dict) and value.keys() <= self._KEYS and isinstance(
                value.get("mutation_id"), str):
            try:
                for check in self._ID_CHECKS:
                    check(value["mutation_id"])
            except ValidationError:
                pass
            else:
                return dict(value)
        return super()._deserialize(value, attr, data, partial=partial, **kwargs)


class PushSchema(Schema):
    device_id = fields.String(required=True, validate=DEVICE_ID)
    mutations = fields.List(_Mutation(MutationInSchema), required=True)


class ResultSchema(Schema):
    mutation_id = fields.String()
    status = fields.String(metadata={"enum": list(push.STATUSES)})
    original_status = fields.String(metadata={"description": "For a duplicate."})
    version = fields.Integer(allow_none=True)
    server = fields.Dict(allow_none=True)
    error = fields.Dict(metadata={"description": "A problem object (rejected)."})
    conflict_id = fields.UUID()


class PushResultSchema(Schema):
    results = fields.List(fields.Nested(ResultSchema))
    cursor = fields.String(metadata={"description": (
        "The feed position just after this batch (as /sync/pull's cursor). Keep pulling from "
        "the tablet's own cursor: changes of others may lie before this one.")})


class ConflictSchema(Schema):
    id = fields.UUID()
    entity = fields.String()
    entity_id = fields.String()
    op = fields.String()
    device_id = fields.String()
    mutation_id = fields.String()
    user_id = fields.UUID()
    user_full_name = fields.Function(lambda c: c.author.full_name, dump_only=True, metadata={
        "description": "Who pushed the data: the full name of the device's user."})
    base_version = fields.Integer(allow_none=True)
    data = fields.Dict(allow_none=True)
    client_time = fields.DateTime(allow_none=True)
    server_version = fields.Integer(allow_none=True)
    server = fields.Dict(allow_none=True)
    reason = fields.String()
    created_at = fields.DateTime()
    resolved = fields.Function(lambda c: c.resolved_at is not None, dump_only=True)
    resolved_at = fields.DateTime(allow_none=True)
    resolved_by = fields.UUID(allow_none=True)
    resolved_by_full_name = fields.Function(
        lambda c: c.resolver.full_name if c.resolver is not None else None, dump_only=True,
        allow_none=True)
    resolution = fields.String(allow_none=True)


class ConflictQuerySchema(Schema):
    resolved = fields.Boolean()


class ResolveSchema(Schema):
    resolution = fields.String(required=True,
                               validate=validate.OneOf(conflicts.RESOLUTIONS))


class ResolvedSchema(Schema):
    conflict = fields.Nested(ConflictSchema)
    record = fields.Dict(allow_none=True, metadata={"description": "The record now."})


# --- views -----------------------------------------------------------------------------------

def _too_many(limit: int) -> Response:
    return problems.problem(413, "payload-too-large", "Dữ liệu gửi lên quá lớn",
                            f"Mỗi lần đồng bộ gửi tối đa {limit} thay đổi; hãy chia nhỏ.",
                            extra={"max_mutations": limit})


@blp.post("/push")
@json_body.items_checked_alone("mutations")
@login_required("inspector", "police", "supervisor")
@blp.arguments(PushSchema)
@blp.response(200, PushResultSchema)
@blp.alt_response(413, schema=ProblemSchema, description="Too many mutations in one push.")
def push_mutations(body: dict[str, Any]) -> Any:
    """Apply a tablet's offline mutations in order: one result per mutation."""
    limit = database.settings().sync_push_max_mutations
    if len(body["mutations"]) > limit:
        return _too_many(limit)
    session = database.session()
    results = push_batch(session, current_user(), device_id=body["device_id"],
                         caller_device_id=current_principal().device_id,
                         mutations=body["mutations"])
    audit.chain_pending(session)  # the batch's own positions, so the cursor is past them
    # The results are rendered already, as they are remembered: sent as they are, not copied
    # again field by field through `PushResultSchema` (which documents them).
    return jsonify({"results": results, "cursor": str(feed.position(session, current_user()))})


@blp.get("/conflicts")
@login_required("supervisor", "admin")
@blp.arguments(ConflictQuerySchema, location="query")
@blp.response(200, ConflictSchema(many=True))
@blp.paginate(**PAGE)
def list_conflicts(query: dict[str, Any], pagination_parameters: Any) -> Any:
    """Writes kept from stale tablets, oldest first (supervisors; filter `resolved`)."""
    return paginate_select(conflicts.list_conflicts(current_user(), **query),
                           pagination_parameters)


@blp.get("/conflicts/<uuid:conflict_id>")
@login_required("supervisor", "admin")
@blp.response(200, ConflictSchema)
@blp.alt_response(404, schema=ProblemSchema, description="No such conflict in your province.")
def get_conflict(conflict_id: Any) -> Any:
    """One conflict: the tablet's data, the server's record then, who and when."""
    return conflicts.get_conflict(database.session(), current_user(), conflict_id)


@blp.post("/conflicts/<uuid:conflict_id>/resolve")
@login_required("supervisor", "admin")
@blp.arguments(ResolveSchema)
@blp.response(200, ResolvedSchema)
@blp.alt_response(409, schema=ProblemSchema, description="Already resolved, or cannot apply.")
def resolve_conflict(body: dict[str, Any], conflict_id: Any) -> Any:
    """Keep the server's record, or take the tablet's data as a new version."""
    session = database.session()
    conflict, target = conflicts.resolve(session, current_user(), conflict_id=conflict_id,
                                         wire=WIRE, **body)
    return {"conflict": conflict, "record": WIRE.dump(session, conflict.entity, target)}
