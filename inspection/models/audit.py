"""The hash-chained audit logs and their heads, which make deleting the newest entry detectable.

There is one chain per scope (`AuditEntry.chain`): each province's writes, each province's reads
of personal data, the national writes and reads that touch no province, and the frozen chain of
everything written before the log was split by province (see `inspection.audit.chain`)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from inspection.db import Base, UTCDateTime, utcnow
from inspection.models.types import JSONValue


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id"),
                      UniqueConstraint("chain", "position", name="uq_audit_log_chain_position"))

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    device_id: Mapped[str | None] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(20))  # create | update | delete | read
    entity: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[str] = mapped_column(String(100))
    province_code: Mapped[str | None] = mapped_column(String(2), index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONValue)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONValue)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    chain: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(BigInteger)
    """The entry's place in its chain: `base_position` of its head + 1 for the first."""


class AuditHead(Base):
    """One row per chain: how many entries it holds and the hash of the newest. A chain starts
    where the frozen chain from before the split ended (`base_position`, `base_hash`), so the
    positions of every chain continue the positions that chain handed out."""

    __tablename__ = "audit_head"

    chain: Mapped[str] = mapped_column(String(16), primary_key=True)
    entries: Mapped[int] = mapped_column(BigInteger, default=0)
    hash: Mapped[str] = mapped_column(String(64))
    base_position: Mapped[int] = mapped_column(BigInteger, default=0)
    base_hash: Mapped[str] = mapped_column(String(64))

    @property
    def position(self) -> int:
        """The position of the chain's newest entry (its base if it has none)."""
        return self.base_position + self.entries
