"""Sync conflicts: the stale writes a push kept, listed and resolved by supervisors.

`keep_server` only marks the conflict resolved. `take_client` applies the tablet's data again
against the record's CURRENT version, as its author (the audit names the supervisor as the
actor): a new version, history is never rewritten. It can fail like any write (e.g. an answer
to a submitted inspection, which a supervisor must return first); then nothing changes.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Protocol

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from inspection import errors
from inspection.db import utcnow
from inspection.models import SyncConflict, User
from inspection.scope import ensure_visible, province_clause, require_role
from inspection.sync.apply import Mutation, Target, apply, current

RESOLVER_ROLES = ("supervisor", "admin")


class Wire(Protocol):
    """How the API layer reads a kept mutation (with the REST schemas, which the domain does
    not import)."""

    def load(self, raw: Mapping[str, Any]) -> Mutation:
        """Validate one raw mutation; ValidationFailed with `errors` by field."""
RESOLUTIONS = ("keep_server", "take_client")


def list_conflicts(actor: User, *, resolved: bool | None = None) -> Select[Any]:
    """Conflicts of the actor's province, oldest first; `resolved` filters."""
    require_role(actor, *RESOLVER_ROLES)
    stmt = select(SyncConflict).where(province_clause(actor, SyncConflict.province_code))
    if resolved is not None:
        done = SyncConflict.resolved_at.is_not(None)
        stmt = stmt.where(done if resolved else ~done)
    return stmt.order_by(SyncConflict.created_at, SyncConflict.id)


def get_conflict(session: Session, actor: User, conflict_id: uuid.UUID) -> SyncConflict:
    require_role(actor, *RESOLVER_ROLES)
    conflict = session.get(SyncConflict, conflict_id)
    if conflict is None:
        raise errors.NotFound("Không tìm thấy xung đột đồng bộ.")
    ensure_visible(actor, conflict.province_code, "xung đột đồng bộ")
    return conflict


def resolve(session: Session, actor: User, *, conflict_id: uuid.UUID, resolution: str,
            wire: Wire) -> tuple[SyncConflict, Target]:
    """Resolve once; `(conflict, the record now)`. Resolving again is a Conflict. Two
    supervisors resolving at once are serialised by the conflict's row, read again locked."""
    conflict = get_conflict(session, actor, conflict_id)
    session.refresh(conflict, with_for_update=True)
    if resolution not in RESOLUTIONS:
        raise errors.ValidationFailed("Cách xử lý phải là keep_server hoặc take_client.",
                                      errors={"resolution": list(RESOLUTIONS)})
    if conflict.resolved_at is not None:
        raise errors.Conflict(f"Xung đột này đã được xử lý ({conflict.resolution}).",
                              resolution=conflict.resolution)
    if resolution == "take_client":
        target = _take_client(session, conflict, wire)
    else:
        target = current(session, _mutation(conflict, wire))
    conflict.resolution = resolution
    conflict.resolved_at = utcnow()
    conflict.resolved_by, conflict.resolver = actor.id, actor
    session.flush()
    return conflict, target


def _mutation(conflict: SyncConflict, wire: Wire) -> Mutation:
    return wire.load({"mutation_id": conflict.mutation_id, "entity": conflict.entity,
                      "op": conflict.op, "id": conflict.entity_id,
                      "base_version": conflict.base_version, "data": conflict.data})


def _take_client(session: Session, conflict: SyncConflict, wire: Wire) -> Target:
    author = session.get(User, conflict.user_id)
    if author is None or not author.active:
        raise errors.RuleViolation("Người gửi dữ liệu không còn hoạt động; không thể áp dụng.")
    m = _mutation(conflict, wire)
    m = replace(m, base_version=current(session, m).version)
    try:
        with session.begin_nested():
            return apply(session, author, m)
    except errors.InvalidState as exc:
        if m.entity != "answer":
            raise
        raise errors.InvalidState(
            "Phiên kiểm tra đã nộp hoặc đã duyệt nên không thể ghi câu trả lời của máy tính "
            "bảng. Hãy trả lại (return) phiên kiểm tra trước, rồi xử lý lại xung đột này.",
            **exc.extra) from exc
