"""Offline sync: the change feed, the remembered mutations of each device, and conflicts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspection.db import Base, UTCDateTime, new_id, utcnow
from inspection.models.types import JSONValue

if TYPE_CHECKING:
    from inspection.models.users import User


class SyncFeed(Base):
    """One row per synced record: its latest change. `seq` is the position of that change in
    its province's audit chain, in commit order (the province's writers are serialised by the
    chain's head lock), so `seq > cursor` never skips a change of that province that commits
    late. A deleted record keeps its row as a tombstone."""

    __tablename__ = "sync_feed"
    __table_args__ = (UniqueConstraint("province_code", "seq", name="uq_sync_feed_province_seq"),)

    entity: Mapped[str] = mapped_column(String(30), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    op: Mapped[str] = mapped_column(String(10))  # upsert | delete
    version: Mapped[int] = mapped_column(Integer)
    province_code: Mapped[str | None] = mapped_column(String(2))
    site_id: Mapped[uuid.UUID | None] = mapped_column()
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SyncMutation(Base):
    """What a user's mutation from one of its devices (the client's device id) was answered,
    kept so a retry is answered the same. Keyed by user too: the same device id and mutation
    id from another user is another mutation."""

    __tablename__ = "sync_mutations"
    __table_args__ = (Index("ix_sync_mutations_created_at", "created_at"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    mutation_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    result: Mapped[dict[str, Any]] = mapped_column(JSONValue)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SyncConflict(Base):
    """A write the server did not apply because the tablet's base was stale: kept whole."""

    __tablename__ = "sync_conflicts"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    entity: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[str] = mapped_column(String(100), index=True)
    device_id: Mapped[str] = mapped_column(String(100))
    mutation_id: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    province_code: Mapped[str] = mapped_column(String(2), index=True)
    op: Mapped[str] = mapped_column(String(10))
    base_version: Mapped[int | None] = mapped_column(Integer)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSONValue)
    server_version: Mapped[int | None] = mapped_column(Integer)
    server: Mapped[dict[str, Any] | None] = mapped_column(JSONValue)
    reason: Mapped[str] = mapped_column(String(500), default="")
    client_time: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the tablet's clock
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    resolution: Mapped[str | None] = mapped_column(String(20))  # keep_server | take_client
    author: Mapped[User] = relationship(foreign_keys=[user_id], lazy="selectin")
    """Who wrote the kept data: the user of the tablet that pushed it."""
    resolver: Mapped[User | None] = relationship(foreign_keys=[resolved_by], lazy="selectin")

    __audited__ = ("entity", "entity_id", "device_id", "base_version", "server_version",
                   "resolved_at", "resolved_by", "resolution")
