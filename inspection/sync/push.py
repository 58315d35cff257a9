"""Push: a tablet's offline mutations applied in order, one result each, retries answered alike.

The whole push holds the head lock of the pusher's province chain (`audit.lock_chain`), so it
is serialised with every other writer of that province (never with another province's) and
looking up a remembered mutation is race-free. Each mutation runs in
its own savepoint; its result is remembered per user and device (`SyncMutation`; another
user's device of the same client id is another device) whatever it was, so a retry of the
same `mutation_id` is answered `duplicate` with the original result and applies nothing, and
never creates a second conflict record. Results:

- `applied`: `version` and `server` (the record as the REST API shows it; null after a delete);
- `duplicate`: the remembered result, with `original_status`;
- `conflict`: the tablet's base is stale; nothing applied; `server`/`version` are the current
  record; the client's data is kept as a `SyncConflict` (`conflict_id`) for a supervisor;
- `rejected`: invalid; `error` is a problem object. The rest of the batch still applies.

Per entity (the same use cases and rules as the REST API):

- `inspection` `upsert`, `data` = the POST /inspections body without `id` (the mutation's `id`
  is the inspection's), optionally `status: "submitted"` to submit. A new id creates the
  inspection (version 1; then submits it if asked). A body equal to the stored one and no
  submit is applied without change, whatever the base. Otherwise the base must be the current
  version (null means 1, the creation): stale → conflict; an inspection already submitted or
  approved → conflict (a stale tablet cannot change it; a supervisor returns it first); a
  different body → rejected 409 (an inspection's header never changes after creation); a
  submit runs `submit` (422 lists what is missing). A base on an id the server no longer has
  (deleted) → conflict. `delete`: a `draft` by a team member, base required; its answers go
  too (tombstones in the feed); stale or no longer draft → conflict; unknown id → applied.
- `answer` `upsert`, `data` = the PUT answer body plus `inspection_id`, `item_code`; one
  answer per inspection and item whatever its client `id`. Base null/0 creates it (somebody
  answered first → conflict); a base is that answer's version (stale → conflict). Different
  items of one inspection never conflict. An inspection no longer draft/returned → conflict.
  `delete` (data: `inspection_id`, `item_code`, or the answer's id) clears the answer with the
  same checks; an answer already gone → applied.
- `finding` `upsert`, `data` = the PATCH /findings body, base required → `transition` (stale →
  conflict; a move not allowed from the current status → rejected). Findings are derived by
  the server: creating one (no base) or `delete` → rejected.
- An unknown entity or op, a malformed mutation or data → rejected with `errors` by field.
- `client_time` is kept on the conflict record only; the server's clock orders everything.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import delete, event, select
from sqlalchemy.orm import Session

from inspection import audit, errors
from inspection.models import SyncConflict, SyncMutation, User
from inspection.scope import require_role
from inspection.sync.apply import Mutation, Target, apply, current, is_conflict

PUSH_ROLES = ("inspector", "police", "supervisor")


class Wire(Protocol):
    """How mutations, records and errors look on the wire: given by the API layer, so the
    domain validates `data` with the REST schemas without importing them."""

    def load(self, raw: Mapping[str, Any]) -> Mutation:
        """Validate one raw mutation; ValidationFailed with `errors` by field."""

    def dump(self, session: Session, entity: str, target: Target) -> dict[str, Any] | None:
        """The record as the REST API shows it (None if there is none)."""

    def problem(self, exc: errors.DomainError) -> dict[str, Any]:
        """The problem object of an error."""


def push(session: Session, actor: User, *, device_id: str, caller_device_id: str,
         mutations: Sequence[Mapping[str, Any]], wire: Wire) -> list[dict[str, Any]]:
    """Apply `mutations` (each with a string `mutation_id`) in order; one result each.
    `device_id` (the body's) must be the device the caller's token is bound to: Forbidden."""
    require_role(actor, *PUSH_ROLES)
    if device_id != caller_device_id:
        raise errors.Forbidden(
            "Mã thiết bị gửi lên khác thiết bị của phiên đăng nhập; không thể đồng bộ thay "
            "cho thiết bị khác.", errors={"device_id": ["not the device of the token"]})
    audit.lock_chain(session, audit.chain_of(actor.province_code))
    ids = [str(raw["mutation_id"]) for raw in mutations]
    remembered = {m.mutation_id: m for m in session.scalars(select(SyncMutation).where(
        SyncMutation.user_id == actor.id, SyncMutation.device_id == device_id,
        SyncMutation.mutation_id.in_(ids)))}
    with _held_for_the_batch(session):
        return [_one(session, actor, device_id, raw, wire, remembered) for raw in mutations]


@contextmanager
def _held_for_the_batch(session: Session) -> Iterator[None]:
    """Keep every record loaded during the batch in memory until it ends. The session's
    identity map holds objects weakly: without this, an inspection whose forty answers
    arrive in one batch would be loaded again (with its site and team) for every answer."""
    held: list[Any] = []

    def hold(_session: Session, instance: Any) -> None:
        held.append(instance)

    event.listen(session, "loaded_as_persistent", hold)
    try:
        yield
    finally:
        event.remove(session, "loaded_as_persistent", hold)
        held.clear()


def _one(session: Session, actor: User, device_id: str, raw: Mapping[str, Any],
         wire: Wire, remembered: dict[str, SyncMutation]) -> dict[str, Any]:
    mutation_id = str(raw["mutation_id"])
    seen = remembered.get(mutation_id)
    if seen is not None:
        return {**seen.result, "status": "duplicate", "original_status": seen.result["status"]}
    result = {"mutation_id": mutation_id, **_outcome(session, actor, device_id, raw, wire)}
    remembered[mutation_id] = SyncMutation(device_id=device_id, mutation_id=mutation_id,
                                           user_id=actor.id, result=result)
    session.add(remembered[mutation_id])
    session.flush()
    return result


def _outcome(session: Session, actor: User, device_id: str, raw: Mapping[str, Any],
             wire: Wire) -> dict[str, Any]:
    try:
        m = wire.load(raw)
    except errors.DomainError as exc:
        return {"status": "rejected", "error": wire.problem(exc)}
    try:
        with session.begin_nested():
            target = apply(session, actor, m)
    except errors.DomainError as exc:
        if is_conflict(m, exc):
            return _conflict(session, actor, device_id, m, exc, wire)
        return {"status": "rejected", "error": wire.problem(exc)}
    return {"status": "applied", "version": target.version,
            "server": wire.dump(session, m.entity, target)}


def _conflict(session: Session, actor: User, device_id: str, m: Mutation,
              exc: errors.DomainError, wire: Wire) -> dict[str, Any]:
    now = current(session, m)
    server = wire.dump(session, m.entity, now)
    conflict = SyncConflict(
        entity=m.entity, entity_id=str(m.entity_id), device_id=device_id,
        mutation_id=m.mutation_id, user_id=actor.id, op=m.op,
        province_code=now.province_code or actor.province_code or "",
        base_version=m.base_version, data=m.raw, server_version=now.version, server=server,
        reason=exc.detail[:500], client_time=m.client_time)
    session.add(conflict)
    session.flush()
    return {"status": "conflict", "version": now.version, "server": server,
            "conflict_id": str(conflict.id)}


def prune(session: Session, *, older_than: datetime) -> int:
    """Forget the mutations remembered before `older_than`; how many. A retry of one of them
    would be applied again, so keep them longer than any tablet stays offline."""
    result = session.execute(delete(SyncMutation).where(SyncMutation.created_at < older_than))
    return int(getattr(result, "rowcount", 0) or 0)
