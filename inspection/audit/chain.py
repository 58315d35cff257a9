"""The audit chain: every flush of an audited model appends entries, each hashing the previous.

Models opt in with `__audited__ = (attribute names)`. Entries are written in the same flush as
the change, so a change and its audit entry commit or roll back together. The single
`audit_head` row is locked (PostgreSQL) while appending, so concurrent writers chain in order.
Other events are chained through `append` (see `inspection.audit.events`).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from geoalchemy2.elements import WKBElement, WKTElement
from geoalchemy2.shape import to_shape
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from inspection.db import utcnow
from inspection.models import AuditEntry, AuditHead

GENESIS = "0" * 64


def set_actor(session: Session, user_id: uuid.UUID | None, device_id: str | None) -> None:
    """Name who is writing through this session; entries carry it."""
    session.info["actor_id"] = user_id
    session.info["device_id"] = device_id


def _plain(value: Any) -> Any:
    if isinstance(value, WKBElement):
        return to_shape(value).wkt
    if isinstance(value, WKTElement):
        return str(value.data).split(";", 1)[-1]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, str) and value.startswith("SRID="):
        return value.split(";", 1)[1]
    return value


def _fill_defaults(obj: Any) -> None:
    """Apply scalar Python-side column defaults now, so the entry shows the real values."""
    state = inspect(obj)
    for attr in state.mapper.column_attrs:
        col = attr.columns[0]
        default = getattr(col, "default", None)  # a computed column_property has none
        if attr.key in state.dict or default is None:
            continue
        if default.is_scalar:
            setattr(obj, attr.key, default.arg)
        elif default.is_callable:
            setattr(obj, attr.key, default.arg(None))


def get_in_flush(session: Session, model: type[Any], ident: Any) -> Any:
    """`session.get` that also finds an object added in the flush being written: a pending
    object is not in the identity map yet (a parent created with its children in one flush)."""
    found = session.get(model, ident)
    if found is not None:
        return found
    return next((o for o in session.new if isinstance(o, model) and o.id == ident), None)


def _province_of(session: Session, obj: Any) -> str | None:
    code = getattr(obj, "province_code", None)
    if code is not None or not hasattr(obj, "inspection_id"):
        return code
    from inspection.models import Inspection

    parent = get_in_flush(session, Inspection, obj.inspection_id)
    return parent.province_code if parent else None


def _changes(obj: Any, fields: tuple[str, ...]) -> tuple[dict[str, Any], dict[str, Any]]:
    state = inspect(obj)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for name in fields:
        hist = state.attrs[name].load_history()
        if not hist.has_changes():
            continue
        before[name] = _plain(hist.deleted[0]) if hist.deleted else None
        after[name] = _plain(hist.added[0]) if hist.added else None
    return before, after


def entry_digest(prev_hash: str, entry: AuditEntry) -> str:
    payload = {
        "prev": prev_hash,
        "at": entry.at.isoformat(),
        "actor": str(entry.actor_id) if entry.actor_id else None,
        "device": entry.device_id,
        "action": entry.action,
        "entity": entry.entity,
        "entity_id": entry.entity_id,
        "province": entry.province_code,
        "before": entry.before,
        "after": entry.after,
    }
    raw = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()


Pending = list[tuple[str, Any, dict[str, Any] | None, dict[str, Any] | None]]


def _pending(session: Session) -> Pending:
    out: Pending = []
    for obj in list(session.new):
        fields = getattr(obj, "__audited__", None)
        if fields:
            _fill_defaults(obj)
            after = {f: _plain(getattr(obj, f)) for f in fields}
            out.append(("create", obj, None, after))
    for obj in list(session.dirty):
        fields = getattr(obj, "__audited__", None)
        if fields and session.is_modified(obj, include_collections=False):
            before, after = _changes(obj, fields)
            if after or before:
                out.append(("update", obj, before, after))
    for obj in list(session.deleted):
        fields = getattr(obj, "__audited__", None)
        if fields:
            out.append(("delete", obj, {f: _plain(getattr(obj, f)) for f in fields}, None))
    return out


def before_flush(session: Session, _ctx: Any, _instances: Any) -> None:
    with session.no_autoflush:
        pending = _pending(session)
        if not pending:
            return
        head = lock_head(session)
        actor = session.info.get("actor_id")
        device = session.info.get("device_id")
        now = utcnow()
        for action, obj, before, after in pending:
            ident = inspect(obj).identity or tuple(
                getattr(obj, c.key) for c in inspect(obj).mapper.primary_key)
            if any(part is None for part in ident):
                raise TypeError(f"audited {obj.__tablename__} needs a client-side primary key")
            append(session, head, at=now, actor_id=actor, device_id=device, action=action,
                   entity=obj.__tablename__, entity_id=":".join(str(i) for i in ident),
                   province_code=_province_of(session, obj), before=before, after=after)
            if getattr(obj, "__synced__", None):
                from inspection.sync import feed

                feed.record(session, obj, deleted=action == "delete", seq=head.entries)


def append(session: Session, head: AuditHead, **fields: Any) -> AuditEntry:
    """Chain one entry (`AuditEntry` fields but the hashes) onto `head`, which the caller
    holds locked (`lock_head`), and advance the head."""
    entry = AuditEntry(prev_hash=head.hash, **fields)
    entry.hash = entry_digest(head.hash, entry)
    head.hash = entry.hash
    head.entries += 1
    session.add(entry)
    return entry


def lock_head(session: Session) -> AuditHead:
    """Lock the chain's head for the rest of the transaction: from here on this transaction
    is the only writer of the chain (and of the sync feed, whose order follows it). The row
    is always re-read: a session that outlived an earlier commit must not chain onto the
    head it saw then."""
    head = session.scalar(select(AuditHead).where(AuditHead.id == 1).with_for_update()
                          .execution_options(populate_existing=True))
    if head is None:
        head = AuditHead(id=1, entries=0, hash=GENESIS)
        session.add(head)
    return head


def install(factory: Any) -> None:
    """Attach the chain to a sessionmaker (or Session class)."""
    from sqlalchemy import event

    event.listen(factory, "before_flush", before_flush)


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    entries: int
    head: str
    problems: list[dict[str, Any]]
    at: dict[int, tuple[int, str]] = field(default_factory=dict)
    """(entry id, hash) at each position asked for in `verify(watch=...)`; 1 is the oldest."""


CATCH_UP_ROUNDS = 3


def verify(session: Session, *, limit_problems: int = 50,
           watch: Collection[int] = ()) -> ChainReport:
    """Walk the chain in id order, recompute every hash and compare with the stored head.
    An edited row breaks its own hash; a deleted row breaks the next link or the head.
    Entries others commit during the walk are walked too (the head is read after the walk,
    which then goes on up to it), so a busy chain is not reported broken. An edit that
    recomputes every later hash and the head, or the newest entries deleted with the head
    rewound, pass here: only checkpoints kept outside the database catch them (`anchors`)."""
    prev, count, last_id = GENESIS, 0, None
    problems: list[dict[str, Any]] = []
    at: dict[int, tuple[int, str]] = {}
    head = None
    for _ in range(CATCH_UP_ROUNDS):
        stmt = select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=1000)
        if last_id is not None:
            stmt = stmt.where(AuditEntry.id > last_id)
        result = session.scalars(stmt)
        try:
            for entry in result:
                count, last_id = count + 1, entry.id
                if entry.prev_hash != prev:
                    problems.append({"id": entry.id, "problem": "broken-link"})
                if entry_digest(entry.prev_hash, entry) != entry.hash:
                    problems.append({"id": entry.id, "problem": "hash-mismatch"})
                if count in watch:
                    at[count] = (entry.id, entry.hash)
                prev = entry.hash
                if len(problems) >= limit_problems:
                    break
        finally:
            result.close()
        head = session.scalar(select(AuditHead).where(AuditHead.id == 1)
                              .execution_options(populate_existing=True))
        if len(problems) >= limit_problems or head is None or head.entries <= count:
            break
    head_hash = head.hash if head else GENESIS
    if (head_hash, head.entries if head else 0) != (prev, count):
        problems.append({"id": None, "problem": "head-mismatch"})
    return ChainReport(ok=not problems, entries=count, head=head_hash, problems=problems, at=at)
