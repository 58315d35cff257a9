"""Violation notices of approved inspections, and the counters that number them."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, foreign, mapped_column, relationship

from inspection.db import Base, UTCDateTime, new_id, utcnow
from inspection.models.inspections import Finding, Inspection

NOTICE_STATUSES = ("pending", "issued", "failed")
NOTICED_FINDINGS = ("confirmed", "remediated", "verified")
"""Finding statuses a notice covers: confirmed when it is issued, then followed up."""


class Notice(Base):
    """A violation notice (thông báo vi phạm) for the confirmed findings of one inspection.

    `number` is empty until the notice is issued; then (issuer, province, year, number) is
    unique and numbers run without gaps per issuing body and year (`NoticeCounter`)."""

    __tablename__ = "notices"
    __table_args__ = (
        UniqueConstraint("issuer", "province_code", "year", "number",
                         name="uq_notices_issuer_province_year_number"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    inspection_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("inspections.id"),
                                                     unique=True)
    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.code"), index=True)
    issuer: Mapped[str] = mapped_column(String(20))
    year: Mapped[int | None] = mapped_column(Integer)
    number: Mapped[int | None] = mapped_column(Integer)
    symbol: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    issued_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    docx_sha256: Mapped[str | None] = mapped_column(String(64))
    job_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("jobs.id"))
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    inspection: Mapped[Inspection] = relationship()
    findings: Mapped[list[Finding]] = relationship(
        primaryjoin=lambda: (foreign(Finding.inspection_id) == Notice.inspection_id)
        & Finding.status.in_(NOTICED_FINDINGS),
        viewonly=True, order_by=lambda: Finding.item_code)

    __audited__ = ("inspection_id", "issuer", "year", "number", "symbol", "status",
                   "issued_on", "due_on", "pdf_sha256", "docx_sha256", "version")

    @property
    def label(self) -> str | None:
        """The number and symbol exactly as printed ("12/TB-SKHCN"; below 10 with a leading
        zero, "01/TB-SKHCN", as Decree 30/2020/NĐ-CP writes it); None before numbering."""
        return None if self.number is None else f"{self.number:02d}/{self.symbol}"


class NoticeCounter(Base):
    """The last number an issuing body gave in a province and year. Taken under a row lock
    (`SELECT ... FOR UPDATE` on PostgreSQL; SQLite's write lock serialises writers) in the
    transaction that issues the notice, so numbers are never shared and never skipped."""

    __tablename__ = "notice_counters"

    issuer: Mapped[str] = mapped_column(String(20), primary_key=True)
    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.code"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)
