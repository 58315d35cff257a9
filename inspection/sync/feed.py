"""The change feed: each synced record's latest change at its position in commit order.

Writers. The audit flush (`audit.before_flush`) notes each change of a synced record
(`change`); the commit locks the head of the record's province chain (`audit.chain_pending`)
before it numbers its entries, and a record's `seq` is the position of its change in that
chain. The lock is held until the writer's transaction ends, so a writer that numbers after
another in the same province also commits after it: a province's positions
become visible in increasing order, and a snapshot that sees position N of a province sees
every position below N of that province. Provinces are numbered independently (their writers
never wait for each other), so a cursor is a position per province (`Cursor`): a plain number
for a reader of one province, as before the split. A record changed twice appears once, at
its latest change (the tablet wants the current record); a deleted one leaves a tombstone.
The rows of a transaction are written in one upsert, not one statement per record.

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

import functools
import re
import uuid
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, select
from sqlalchemy.exc import SAWarning
from sqlalchemy.orm import Session

from inspection.audit import NATIONAL
from inspection.audit import get_in_flush as _get
from inspection.db import expire_held, insert_in
from inspection.models import Inspection, Site, SyncFeed, User

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


_UPDATED = ("seq", "op", "version", "province_code", "site_id", "changed_at")


def change(session: Session, obj: Any, *, deleted: bool, province: str | None,
           at: datetime) -> dict[str, Any]:
    """The feed row of one flushed change of a synced record, but its `seq` (given when the
    transaction's entries are chained): noted by the audit flush."""
    return {"entity": obj.__synced__, "entity_id": str(obj.id),
            "op": "delete" if deleted else "upsert",
            "version": getattr(obj, "version", None) or 1, "province_code": province,
            "site_id": _site_id(session, obj), "changed_at": at}


@functools.cache
def _upsert(dialect: str) -> Any:
    """The feed's bulk upsert in `dialect`, built once; into the table (Core), not the
    mapped class, whose bulk insert would pass each row through the ORM."""
    base = insert_in(dialect, SyncFeed.__table__)
    return base.on_conflict_do_update(index_elements=["entity", "entity_id"],
                                      set_={name: base.excluded[name] for name in _UPDATED})


def record(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Write the transaction's feed rows (`change` with its `seq`), in the order of their
    positions, under the province chains' locks (`audit.chain_pending`): a record changed
    twice keeps its latest. One bulk upsert (batched by the driver's executemany); feed rows
    already in the session are expired, so they are read again as written."""
    latest: dict[tuple[str, str], Mapping[str, Any]] = {}
    for row in rows:
        latest[row["entity"], row["entity_id"]] = row
    session.execute(_upsert(session.get_bind().dialect.name), list(latest.values()))
    expire_held(session, SyncFeed, latest)


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


_CURSOR_PART = re.compile(r"([0-9A-Z]{2}):([0-9]{1,18})")


@dataclass(frozen=True)
class Cursor:
    """Where a reader is in the feed: a position per province (`at`), `default` for the
    others. On the wire (`str`): a plain number for a reader of one province (the default, its
    province's position), and `N-PP:M-…` for a reader of several (the national admin)."""

    default: int = 0
    at: Mapping[str, int] = field(default_factory=dict)

    def of(self, province: str) -> int:
        return self.at.get(province, self.default)

    @classmethod
    def parse(cls, text: str) -> Cursor:
        """ValueError unless `text` is what `str` writes."""
        head, *parts = text.split("-")
        at = {}
        for part in parts:
            matched = _CURSOR_PART.fullmatch(part)
            if matched is None:
                raise ValueError(f"not a cursor part: {part!r}")
            at[matched[1]] = int(matched[2])
        if not head.isdigit():
            raise ValueError(f"not a cursor: {text!r}")
        return cls(int(head), at)

    def __str__(self) -> str:
        return "-".join([str(self.default), *(f"{p}:{n}" for p, n in sorted(self.at.items()))])


def key_column() -> ColumnElement[str]:
    """A feed row's province as cursors name it (the national chain's for none)."""
    return func.coalesce(SyncFeed.province_code, NATIONAL)


def newest(session: Session, province_code: str) -> int:
    """The newest position of `province_code` visible to this transaction (0 for none)."""
    return session.scalar(select(func.coalesce(func.max(SyncFeed.seq), 0))
                          .where(SyncFeed.province_code == province_code)) or 0


def positions(session: Session, actor: User) -> dict[str, int]:
    """The newest position of each province the actor reads (its own; every one for a
    national admin) visible to this transaction: a cursor that misses nothing of what this
    transaction reads, provided both come from one snapshot (`begin_snapshot`)."""
    if not actor.is_national:
        return {actor.province_code or NATIONAL: newest(session, actor.province_code or "")}
    key = key_column()
    return {p: n for p, n in session.execute(
        select(key, func.max(SyncFeed.seq)).group_by(key))}


def position(session: Session, actor: User, after: Cursor | None = None) -> Cursor:
    """The cursor at the newest positions visible to this transaction (`positions`), never
    behind `after`: a reader of one province gets a plain number."""
    after = after or Cursor()
    newest = positions(session, actor)
    if not actor.is_national:
        [(province, n)] = newest.items()
        return Cursor(max(n, after.of(province)))
    merged = {p: max(n, after.of(p)) for p, n in newest.items()}
    return Cursor(after.default, {**after.at, **merged})
