"""The change feed: each synced record's latest change at its position in commit order.

Writers. The audit flush (`audit.before_flush`) locks the chain's head (`audit.lock_head`)
before it numbers its entries, and a record's `seq` is the chain position of its change. The
lock is held until the writer's transaction ends, so a writer that numbers after another also
commits after it: positions become visible in increasing order, and a snapshot that sees
position N sees every position below N. A record changed twice appears once, at its latest
change (the tablet wants the current record); a deleted one leaves a tombstone.

Readers. That guarantee holds for one snapshot, so a reader must take its positions and the
records it sends from the same snapshot (`begin_snapshot`). Under PostgreSQL's default READ
COMMITTED every statement has its own snapshot: a package whose cursor is read after its
records may point past a change it does not hold (lost for good), and a pull that reads feed
rows and then the records may send version 4's data under version 3's change, or nothing for
an upsert whose record was deleted in between.

Limits. Positions come from audit entries, so a change reaches the feed only through an ORM
flush that touches an audited attribute (sites, inspections, answers, findings and
assignments audit `version`, which every change bumps; photos their status): bulk
`update()`/`delete()` statements and database-side cascades bypass it. Visibility is by the
feed row's province and site: a record that later enters a reader's scope (a site moved to a
post office's organisation) keeps its older positions, which that reader may have passed.
"""

from __future__ import annotations

import uuid
import warnings
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.exc import SAWarning
from sqlalchemy.orm import Session

from inspection.audit import get_in_flush as _get
from inspection.db import utcnow
from inspection.models import Inspection, Site, SyncFeed

SNAPSHOT_LEVELS = ("REPEATABLE READ", "SERIALIZABLE")



def _site_id(session: Session, obj: Any) -> uuid.UUID | None:
    if isinstance(obj, Site):
        return obj.id
    if getattr(obj, "site_id", None) is not None:
        return obj.site_id  # type: ignore[no-any-return]
    inspection_id = getattr(obj, "inspection_id", None)
    if inspection_id is not None:
        parent = _get(session, Inspection, inspection_id)
        return parent.site_id if parent else None
    return None


def record(session: Session, obj: Any, *, deleted: bool, seq: int) -> None:
    """Note `obj`'s change at position `seq` (called from the audit flush, under its lock)."""
    entity = obj.__synced__
    entity_id = str(obj.id)
    site_id = _site_id(session, obj)
    province = getattr(obj, "province_code", None)
    if province is None and site_id is not None:
        site = _get(session, Site, site_id)
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


def begin_snapshot(session: Session) -> None:
    """Make every read of the session's transaction see one snapshot (see the module
    docstring): on PostgreSQL, REPEATABLE READ, which must be set before the transaction's
    first statement — a RuntimeError if the transaction already reads at a weaker level.
    SQLite needs nothing (a transaction reads one snapshot). A session bound to a caller's
    own Connection is left alone: its owner chose the isolation (the test harness does)."""
    if session.get_bind().dialect.name != "postgresql" or isinstance(session.bind, Connection):
        return
    with warnings.catch_warnings():
        # An established connection ignores the options (with a warning): checked below.
        warnings.simplefilter("ignore", SAWarning)
        conn = session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    if conn.get_execution_options().get("isolation_level") in SNAPSHOT_LEVELS:
        return
    level = conn.get_isolation_level()
    if level not in SNAPSHOT_LEVELS:
        raise RuntimeError(f"the transaction already reads at {level}: take the snapshot "
                           "before its first statement")


def position(session: Session) -> int:
    """The newest position visible to this transaction: a cursor that misses nothing of what
    this transaction reads, provided both come from one snapshot (`begin_snapshot`)."""
    return session.scalar(select(func.coalesce(func.max(SyncFeed.seq), 0))) or 0
