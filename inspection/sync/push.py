"""Push: a tablet's offline mutations applied in order, one result each, retries answered alike.

A push first locks its device's row, so two pushes from one device (a retry sent while the
first is still running) are serialised and the second sees what the first remembered. Then it
loads what its answers and new inspections touch in a few queries, locking the sites of new
inspections, the inspections and their answers (`inspection.inspections.batch`), so an answer
or a creation costs no query of its own and what was loaded stays current; other writers in
the province wait only where they touch the same rows. Its audit entries and feed rows are
chained when it commits (`audit.chain_pending`), holding the province chain's head for those
few statements only. Its result is remembered per user and device (`SyncMutation`; another
user's device of the same client id is another device) whatever it was, so a retry of the same
`mutation_id` is answered `duplicate` with the original result and applies nothing, and never
creates a second conflict record.

Isolation: a mutation that fails changes nothing. An answer, and an inspection's creation, is
checked whole before it changes anything and is written with the batch's other writes in one
flush (`apply.checked_whole`); every other mutation runs in its own savepoint. Should the
batch's writes still fail in the database, the batch is rolled back to its start and applied
again one mutation per savepoint, so one bad mutation never rejects or half-applies the
others.

Three steps, the API layer around the domain: it reads the raw mutations (`Mutation`, or
`Invalid` with the error), `push` applies them and returns one `Outcome` each, the API layer
renders the results (every record in one query per entity: `server` is the record as the
batch left it) and `remember` stores them. Results:

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

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ARRAY, Select, String, Table, delete, func, literal, select, true
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from inspection import errors
from inspection.db import insert_rows, utcnow
from inspection.inspections.batch import Batch, load_batch
from inspection.models import Device, SyncConflict, SyncMutation, User
from inspection.scope import require_role
from inspection.sync.apply import (
    Mutation,
    Target,
    apply,
    checked_whole,
    current,
    is_conflict,
    touched,
)

PUSH_ROLES = ("inspector", "police", "supervisor")
STATUSES = ("applied", "duplicate", "conflict", "rejected")


@dataclass(frozen=True)
class Invalid:
    """A mutation the API layer could not read: `rejected` with `error`."""

    mutation_id: str
    error: errors.DomainError


@dataclass(frozen=True)
class Outcome:
    """What became of one mutation. `target` is the record it is about: the record after an
    applied mutation (empty after a delete), the current one for a conflict. A duplicate's
    `original` is the remembered result, or the index of the same mutation earlier in this
    batch. `conflict` is kept by `remember`, with the `server` record the API layer shows."""

    mutation_id: str
    status: str
    entity: str | None = None
    target: Target | None = None
    error: errors.DomainError | None = None
    conflict: SyncConflict | None = None
    original: dict[str, Any] | int | None = None


def push(session: Session, actor: User, *, device_id: str, caller_device_id: str,
         mutations: Sequence[Mutation | Invalid]) -> list[Outcome]:
    """Apply `mutations` in order; one outcome each, to be rendered and `remember`ed.
    `device_id` (the body's) must be the device the caller's token is bound to: Forbidden."""
    require_role(actor, *PUSH_ROLES)
    if device_id != caller_device_id:
        raise errors.Forbidden(
            "Mã thiết bị gửi lên khác thiết bị của phiên đăng nhập; không thể đồng bộ thay "
            "cho thiết bị khác.", errors={"device_id": ["not the device of the token"]})
    session.execute(select(Device.id).where(Device.user_id == actor.id,
                                            Device.client_id == device_id).with_for_update())
    remembered = _remembered(session, actor, device_id, [m.mutation_id for m in mutations])
    try:
        with session.begin_nested():
            batch = _loaded(session, actor, mutations)  # held until flushed: no reload
            outcomes = _apply_all(session, actor, device_id, mutations, remembered, batch)
            session.flush()
        return outcomes
    except DBAPIError:  # a write checked in Python failed in the database: each alone now
        return _apply_all(session, actor, device_id, mutations, remembered, None)


def _remembered(session: Session, actor: User, device_id: str,
                mutation_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The results remembered for these mutation ids of the user's device, each looked up in
    the primary key. (On PostgreSQL an IN list of parameters, as a prepared statement's generic
    plan runs it, compares every remembered row of the device with every id: a push's cost
    would grow with the device's history.)"""
    mine = (SyncMutation.user_id == actor.id, SyncMutation.device_id == device_id)
    query: Select[Any]
    if session.get_bind().dialect.name == "postgresql":
        wanted = func.unnest(literal(mutation_ids, ARRAY(String))).table_valued(
            "mutation_id").render_derived(name="wanted")
        kept = select(SyncMutation.mutation_id, SyncMutation.result).where(
            *mine, SyncMutation.mutation_id == wanted.c.mutation_id).limit(1).lateral()
        query = select(kept.c.mutation_id, kept.c.result).select_from(wanted).join(kept, true())
    else:
        query = select(SyncMutation.mutation_id, SyncMutation.result).where(
            *mine, SyncMutation.mutation_id.in_(mutation_ids))
    return {row.mutation_id: row.result for row in session.execute(query)}


def remember(session: Session, actor: User, *, device_id: str, outcomes: Sequence[Outcome],
             results: Sequence[dict[str, Any]]) -> None:
    """Keep each result as rendered (a retry is answered with it) and each conflict with
    the record shown; flushed together."""
    now = utcnow()
    rows = []
    for outcome, result in zip(outcomes, results, strict=True):
        if outcome.status == "duplicate":
            continue
        if outcome.conflict is not None:
            outcome.conflict.server = result["server"]
            session.add(outcome.conflict)
        rows.append({"device_id": device_id, "mutation_id": outcome.mutation_id,
                     "user_id": actor.id, "result": result, "created_at": now})
    session.flush()
    # In bulk into the table (Core; COPY for many): the mapped class would take the ORM's
    # bulk path, row by row through the mapper.
    insert_rows(session, cast(Table, SyncMutation.__table__), rows)


def _loaded(session: Session, actor: User, mutations: Sequence[Mutation | Invalid]) -> Batch:
    read = [m for m in mutations if isinstance(m, Mutation)]
    answers = [m for m in read if m.entity == "answer"]
    inspections = [m for m in read if m.entity == "inspection"]
    new = [m.data["body"] for m in inspections if m.op == "upsert" and m.data.get("body")]
    return load_batch(
        session, province_code=None if actor.is_national else actor.province_code,
        inspection_ids={m.entity_id for m in inspections} | {
            m.data["inspection_id"] for m in answers if "inspection_id" in m.data},
        answer_ids={m.entity_id for m in answers},
        checklist_ids={b["checklist_id"] for b in new},
        site_ids={b["site_id"] for b in new},
        user_ids={u for b in new for u in b["team"]},
        visits={(b["campaign_id"], b["site_id"]) for b in new if b.get("campaign_id")})


def _apply_all(session: Session, actor: User, device_id: str,
               mutations: Sequence[Mutation | Invalid], remembered: dict[str, dict[str, Any]],
               batch: Batch | None) -> list[Outcome]:
    outcomes: list[Outcome] = []
    first: dict[str, int] = {}
    for m in mutations:
        original = remembered.get(m.mutation_id, first.get(m.mutation_id))
        if original is not None:
            outcomes.append(Outcome(m.mutation_id, "duplicate", original=original))
            continue
        first[m.mutation_id] = len(outcomes)
        outcomes.append(_outcome(session, actor, device_id, m, batch))
    return outcomes


def _outcome(session: Session, actor: User, device_id: str, m: Mutation | Invalid,
             batch: Batch | None) -> Outcome:
    if isinstance(m, Invalid):
        return Outcome(m.mutation_id, "rejected", error=m.error)
    whole = batch is not None and checked_whole(m, batch)
    try:
        if whole:
            target = apply(session, actor, m, batch)  # raises before it changes anything
        else:
            with session.begin_nested():
                target = apply(session, actor, m, batch)
    except errors.DomainError as exc:
        if batch is not None and not whole and (inspection_id := touched(m)) is not None:
            batch.forget(inspection_id)  # what the savepoint undid may be in the batch
        if is_conflict(m, exc):
            return _conflict(session, actor, device_id, m, exc)
        return Outcome(m.mutation_id, "rejected", entity=m.entity, error=exc)
    return Outcome(m.mutation_id, "applied", entity=m.entity, target=target)


def _conflict(session: Session, actor: User, device_id: str, m: Mutation,
              exc: errors.DomainError) -> Outcome:
    now = current(session, m)
    conflict = SyncConflict(
        id=uuid.uuid4(), entity=m.entity, entity_id=str(m.entity_id), device_id=device_id,
        mutation_id=m.mutation_id, user_id=actor.id, op=m.op,
        province_code=now.province_code or actor.province_code or "",
        base_version=m.base_version, data=m.raw, server_version=now.version,
        reason=exc.detail[:500], client_time=m.client_time)
    return Outcome(m.mutation_id, "conflict", entity=m.entity, target=now, conflict=conflict)


def prune(session: Session, *, older_than: datetime) -> int:
    """Forget the mutations remembered before `older_than`; how many. A retry of one of them
    would be applied again, so keep them longer than any tablet stays offline."""
    result = session.execute(delete(SyncMutation).where(SyncMutation.created_at < older_than))
    return int(getattr(result, "rowcount", 0) or 0)
