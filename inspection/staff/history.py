"""A KT1 worker's history, read from the audit chain: when they were put on the roster, edited,
asked for vetting, vetted or not, and left; with who did it. Readable by whoever may read the
worker (`inspection.staff.services` scopes it), and each page read is itself recorded as a read."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from inspection import audit
from inspection.models import AuditEntry, StaffMember, User
from inspection.staff import services as staff


@dataclass(frozen=True)
class Step:
    """One change of the worker: the audit entry and who made it (None: the system)."""

    id: int
    at: datetime
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    actor_id: uuid.UUID | None
    actor_name: str | None
    actor_agency: str | None


def history_select(member_id: uuid.UUID) -> Select[Any]:
    """The worker's changes (not the reads of it), oldest first."""
    return (select(AuditEntry)
            .where(AuditEntry.entity == StaffMember.__tablename__,
                   AuditEntry.entity_id == str(member_id), AuditEntry.action != "read")
            .order_by(AuditEntry.id))


def read_history(session: Session, actor: User, member_id: uuid.UUID,
                 page: Callable[[Select[Any]], list[Any]]) -> list[Step]:
    """One page of the worker's changes, cut by `page`, with their actors' names. NotFound
    outside the actor's scope, Forbidden for a role that may not read the roster."""
    member = staff.get_member(session, actor, member_id)
    entries: list[AuditEntry] = page(history_select(member.id))
    ids = {e.actor_id for e in entries if e.actor_id is not None}
    people = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))} \
        if ids else {}
    audit.record_reads(session, entity=StaffMember.__tablename__, detail={"via": "history"},
                       records=[(str(member.id), member.province_code)])
    return [Step(id=e.id, at=e.at, action=e.action, before=e.before, after=e.after,
                 actor_id=e.actor_id,
                 actor_name=_name(people.get(e.actor_id)) if e.actor_id else None,
                 actor_agency=people[e.actor_id].agency if e.actor_id in people else None)
            for e in entries]


def _name(user: User | None) -> str | None:
    return (user.full_name or user.username) if user else None
