"""The register of legal references: each instrument (or one article of it) that checklist
items cite, with its verification status and the period it is in force."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from inspection.db import Base, UTCDateTime, new_id, utcnow

REFERENCE_STATUSES = ("verified", "verified-summary", "unverified", "superseded", "repealed")
"""`verified`: the text was checked against the official instrument; `verified-summary`: the
requirement is confirmed by public summaries, its article is not; `unverified`: still to check;
`superseded`: replaced by a newer reference (`superseded_by_id`); `repealed`: no longer law."""


class LegalReference(Base):
    """One citable reference, `(instrument, article)` unique; `article` is "" when the whole
    instrument is cited. Its id is derived from that pair (`inspection.legal.reference_id`), so
    a checklist item citing `{instrument, article}` and one citing the id mean the same row."""

    __tablename__ = "legal_references"
    __table_args__ = (UniqueConstraint("instrument", "article",
                                       name="uq_legal_references_instrument_article"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    instrument: Mapped[str] = mapped_column(String(300))
    article: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(Text, default="")
    issuing_body: Mapped[str] = mapped_column(String(200), default="")
    issued_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), index=True)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    superseded_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("legal_references.id"))
    province_code: Mapped[str | None] = mapped_column(ForeignKey("provinces.code"))
    """A local instrument (a province's directive) applies in that province only."""
    verified_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __audited__ = ("instrument", "article", "status", "valid_from", "valid_to",
                   "superseded_by_id", "province_code", "verified_by", "verified_at", "note",
                   "version")

    @property
    def label(self) -> str:
        """The citation as printed: "Nghị định 174/2026/NĐ-CP Đ.9(1)-(2)"."""
        return f"{self.instrument} {self.article}" if self.article else self.instrument

    def in_force_on(self, day: date) -> bool:
        return ((self.valid_from is None or self.valid_from <= day)
                and (self.valid_to is None or day <= self.valid_to))
