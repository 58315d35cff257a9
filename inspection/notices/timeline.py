"""A notice's timeline, for everyone who may read the notice (the post office too): issued,
the reminders, each remediation report with its text and photos, the inspectors' verdict on
each finding with its comment, closed and reopened.

Read from the audit chain (the row changes of the notice and of its findings, which keep what
the notice itself overwrites: earlier reports and earlier rejections) and from the reminders.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from inspection.models import AuditEntry, Finding, Notice, NoticeReminder, User
from inspection.notices import services as notices

EVENTS = ("issued", "reminded", "reported", "remediated", "verified", "rejected", "closed",
          "reopened")
FINDING_MOVES: dict[tuple[str | None, str | None], str] = {
    ("confirmed", "remediated"): "remediated",
    ("remediated", "verified"): "verified",
    ("remediated", "confirmed"): "rejected"}
"""A finding's (status before, status after) → the event it is on the timeline."""


@dataclass(frozen=True)
class Event:
    """One step of a notice's follow-up. `item_codes`: the findings it is about (a report:
    those it moved to remediated); `text`: the report or the verdict's comment."""

    at: datetime
    kind: str
    actor: User | None = None
    item_codes: tuple[str, ...] = ()
    text: str | None = None
    photo_ids: tuple[str, ...] = ()
    days_overdue: int | None = None
    actor_id: uuid.UUID | None = field(default=None, repr=False)


def timeline(session: Session, actor: User, notice_id: uuid.UUID) -> list[Event]:
    """The notice's events, oldest first; NotFound outside the actor's scope."""
    notice = notices.get_notice(session, actor, notice_id)
    codes = {str(i): c for i, c in session.execute(
        select(Finding.id, Finding.item_code).where(
            Finding.inspection_id == notice.inspection_id))}
    entries = session.scalars(select(AuditEntry).where(
        AuditEntry.action.in_(("create", "update")),
        or_(and_(AuditEntry.entity == Notice.__tablename__,
                 AuditEntry.entity_id == str(notice.id)),
            and_(AuditEntry.entity == Finding.__tablename__,
                 AuditEntry.entity_id.in_(list(codes))))).order_by(AuditEntry.id))
    events = _merge_reports(_from_audit(entries, codes, notice))
    events += [Event(at=r.created_at, kind="reminded", days_overdue=r.days_overdue)
               for r in session.scalars(select(NoticeReminder).where(
                   NoticeReminder.notice_id == notice.id))]
    people = {u.id: u for u in session.scalars(select(User).where(
        User.id.in_({e.actor_id for e in events if e.actor_id is not None})))}
    return sorted((replace(e, actor=people.get(e.actor_id) if e.actor_id else None)
                   for e in events), key=lambda e: e.at)


def _from_audit(entries: Any, codes: dict[str, str], notice: Notice) -> list[Event]:
    """Events of the row changes, replaying each row's audited state (an update's `after`
    holds only the fields it changed)."""
    state: dict[str, dict[str, Any]] = {}
    events: list[Event] = []
    for entry in entries:
        row = state.setdefault(entry.entity_id, {})
        before, after = dict(row), entry.after or {}
        row.update(after)
        if entry.action != "update":
            continue
        if entry.entity == Finding.__tablename__:
            kind = FINDING_MOVES.get((before.get("status"), after.get("status")))
            if kind:
                events.append(Event(at=entry.at, kind=kind, actor_id=entry.actor_id,
                                    item_codes=(codes[entry.entity_id],),
                                    text=row.get("status_comment")))
            continue
        events.extend(_notice_events(entry, before, after, row, notice))
    return events


def _notice_events(entry: AuditEntry, before: dict[str, Any], after: dict[str, Any],
                   row: dict[str, Any], notice: Notice) -> list[Event]:
    out = []
    status = after.get("status")
    if status == "issued":
        out.append(Event(at=entry.at, kind="reopened" if before.get("status") == "closed"
                         else "issued", actor_id=entry.actor_id or notice.created_by))
    if after.get("remediated_at"):
        out.append(Event(at=entry.at, kind="reported", actor_id=entry.actor_id,
                         text=row.get("remediation_report"),
                         photo_ids=tuple(row.get("remediation_photo_ids") or ())))
    if status == "closed":
        out.append(Event(at=entry.at, kind="closed", actor_id=entry.actor_id))
    return out


def _merge_reports(events: list[Event]) -> list[Event]:
    """A report names the findings its author moved to remediated just before it (one
    follow-up action); a finding remediated on its own stays an event of its own."""
    out: list[Event] = []
    waiting: list[Event] = []
    for e in events:
        if e.kind == "remediated":
            waiting.append(e)
            continue
        if e.kind == "reported":
            mine = [w for w in waiting if w.actor_id == e.actor_id]
            waiting = [w for w in waiting if w.actor_id != e.actor_id]
            e = replace(e, item_codes=tuple(c for w in mine for c in w.item_codes))
        out.append(e)
    return out + waiting
