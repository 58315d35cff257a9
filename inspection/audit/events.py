"""Chained events that are not row changes: reads of personal data (action `read`), log-ins
and log-outs, uploads, report requests, and background jobs ending.

An event's `after` says what happened with ids, kinds and sizes only: never a password or
token, and no personal data beyond the ids of who and what (a failed log-in of an unknown
username records no username). An event goes to its province's chain, a read to that
province's chain of reads (so reading personal data never waits for a writer). Like a row
change's, the entry is noted and chained when the transaction commits (`chain.chain_pending`):
it commits (or rolls back) with the work it describes, after what that work flushed before.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from inspection.audit.chain import Draft, chain_of, note
from inspection.db import utcnow

LOGIN = "login"
LOGOUT = "logout"
LOGIN_FAILED = "login-failed"
UPLOAD_CREATED = "upload-created"
UPLOAD_COMPLETED = "upload-completed"
REPORT_REQUESTED = "report-requested"
JOB_FINISHED = "job-finished"
JOB_FAILED = "job-failed"
EVENTS = (LOGIN, LOGOUT, LOGIN_FAILED, UPLOAD_CREATED, UPLOAD_COMPLETED, REPORT_REQUESTED,
          JOB_FINISHED, JOB_FAILED)


def record_event(session: Session, action: str, *, entity: str, entity_id: object,
                 province_code: str | None, detail: dict[str, Any] | None = None,
                 actor_id: uuid.UUID | None = None, device_id: str | None = None) -> None:
    """Append one `action` entry (one of EVENTS) about `entity` `entity_id`, by `actor_id`
    and `device_id` (default: the session's, `set_actor`), with `detail` as `after` (UUIDs
    written as strings). Flushes what is pending first, so it chains before the event."""
    if action not in EVENTS:
        raise ValueError(f"unknown audit event {action!r}")
    session.flush()
    after = {k: str(v) if isinstance(v, uuid.UUID) else v for k, v in (detail or {}).items()}
    note(session, [Draft(chain_of(province_code), {
        "at": utcnow(), "actor_id": actor_id or session.info.get("actor_id"),
        "device_id": device_id or session.info.get("device_id"), "action": action,
        "entity": entity, "entity_id": str(entity_id), "province_code": province_code,
        "before": None, "after": after})])


def record_reads(session: Session, *, entity: str,
                 records: Sequence[tuple[str, str | None]],
                 detail: dict[str, Any] | None = None) -> int:
    """Append one `read` entry per record read, `(entity_id, province_code)`, by the session's
    actor and device, with `detail` (how it was read; never the data itself) as `after`.
    Chained at commit in each province's chain of reads. Returns the number of entries noted
    (0 for no records)."""
    if not records:
        return 0
    session.flush()  # anything pending chains first
    now = utcnow()
    actor, device = session.info.get("actor_id"), session.info.get("device_id")
    note(session, [Draft(chain_of(province_code, reads=True), {
        "at": now, "actor_id": actor, "device_id": device, "action": "read", "entity": entity,
        "entity_id": entity_id, "province_code": province_code, "before": None,
        "after": dict(detail or {})}) for entity_id, province_code in records])
    return len(records)
