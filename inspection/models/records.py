"""Inspection records (biên bản kiểm tra) of submitted inspections."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspection.db import Base, UTCDateTime, new_id, utcnow
from inspection.models.inspections import Inspection

RECORD_STATUSES = ("pending", "issued", "failed")


class InspectionRecord(Base):
    """The record of one inspection. `number` is empty until it is issued; then (issuer,
    province, year, number) is unique and numbers run without gaps per issuer and year, taken
    from the notices' counter under the issuer key `BB-SKHCN` (a sequence of its own)."""

    __tablename__ = "inspection_records"
    __table_args__ = (
        UniqueConstraint("issuer", "province_code", "year", "number",
                         name="uq_inspection_records_issuer_province_year_number"),
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
    drawn_on: Mapped[date | None] = mapped_column(Date)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    docx_sha256: Mapped[str | None] = mapped_column(String(64))
    job_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("jobs.id"))
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    inspection: Mapped[Inspection] = relationship()

    __audited__ = ("inspection_id", "issuer", "year", "number", "symbol", "status",
                   "drawn_on", "pdf_sha256", "docx_sha256", "version")

    @property
    def label(self) -> str | None:
        """"03/BB-SKHCN" as printed; None before numbering."""
        return None if self.number is None else f"{self.number:02d}/{self.symbol}"
