"""The change feed: each synced record's latest change at its position in commit order.

Writers are serialised by the audit chain's head lock (`audit.lock_head`), and a record's
`seq` is the chain position of its change, so positions become visible in increasing order:
a reader that has seen position N has seen every change before N, and `seq > cursor` pages
lose and repeat nothing even while other writers commit. A record changed twice between two
pulls appears once, at its latest change (the tablet wants the current record).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from inspection.db import utcnow
from inspection.models import Inspection, Site, SyncFeed


def _site_id(session: Session, obj: Any) -> uuid.UUID | None:
    if isinstance(obj, Site):
        return obj.id
    if getattr(obj, "site_id", None) is not None:
        return obj.site_id  # type: ignore[no-any-return]
    inspection_id = getattr(obj, "inspection_id", None)
    if inspection_id is not None:
        parent = session.get(Inspection, inspection_id)
        return parent.site_id if parent else None
    return None


def record(session: Session, obj: Any, *, deleted: bool, seq: int) -> None:
    """Note `obj`'s change at position `seq` (called from the audit flush, under its lock)."""
    entity = obj.__synced__
    entity_id = str(obj.id)
    site_id = _site_id(session, obj)
    province = getattr(obj, "province_code", None)
    if province is None and site_id is not None:
        site = session.get(Site, site_id)
        province = site.province_code if site else None
    row = session.get(SyncFeed, (entity, entity_id))
    if row is None:
        row = SyncFeed(entity=entity, entity_id=entity_id)
        session.add(row)
    row.seq = seq
    row.op = "delete" if deleted else "upsert"
    row.version = getattr(obj, "version", None) or 1
    row.province_code = province
    row.site_id = site_id
    row.changed_at = utcnow()


def position(session: Session) -> int:
    """The newest position visible to this transaction (a cursor that misses nothing)."""
    return session.scalar(select(func.coalesce(func.max(SyncFeed.seq), 0))) or 0
