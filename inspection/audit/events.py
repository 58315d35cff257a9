"""Chained events that are not row changes: reads of personal data (action `read`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from inspection.audit.chain import append, lock_head
from inspection.db import utcnow


def record_reads(session: Session, *, entity: str,
                 records: Sequence[tuple[str, str | None]],
                 detail: dict[str, Any] | None = None) -> int:
    """Append one `read` entry per record read, `(entity_id, province_code)`, by the session's
    actor and device, with `detail` (how it was read; never the data itself) as `after`.
    Takes the chain's head lock for the rest of the transaction and flushes. Returns the
    number of entries written (0 for no records)."""
    if not records:
        return 0
    session.flush()  # anything pending chains first; the head is then re-read under the lock
    head = lock_head(session)
    now = utcnow()
    for entity_id, province_code in records:
        append(session, head, at=now, actor_id=session.info.get("actor_id"),
               device_id=session.info.get("device_id"), action="read", entity=entity,
               entity_id=entity_id, province_code=province_code, before=None,
               after=dict(detail or {}))
    session.flush()
    return len(records)
