"""Reports a supervisor asks for (annual per province, or one campaign's), written as PDF and
XLSX by a background job; the record keeps what was asked and the stored documents' keys."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from inspection.db import Base, UTCDateTime, new_id, utcnow

REPORT_KINDS = ("annual", "campaign")
REPORT_STATUSES = ("pending", "ready", "failed")


class Report(Base):
    """`year` is set for an annual report, `campaign_id` for a campaign's; the documents are
    in the blob store under `pdf_sha256` and `xlsx_sha256` once `status` is `ready`."""

    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("issuer", "province_code", "number_year", "number",
                         name="uq_reports_issuer_province_year_number"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(20))
    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.code"), index=True)
    year: Mapped[int | None] = mapped_column(Integer)
    campaign_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("campaigns.id"))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    # The official who signs it, and its number once the job writes it: (issuer, province,
    # `number_year`, `number`) from the same counters as the notices (`take_number`).
    signer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("signers.id"))
    issuer: Mapped[str | None] = mapped_column(String(20))
    number_year: Mapped[int | None] = mapped_column(Integer)
    number: Mapped[int | None] = mapped_column(Integer)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    xlsx_sha256: Mapped[str | None] = mapped_column(String(64))
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def label(self) -> str | None:
        """Number and symbol as printed ("05/BC-SKHCN"); None before the job numbers it."""
        return None if self.number is None else f"{self.number:02d}/{self.issuer}"

    @property
    def is_ready(self) -> bool:
        return (self.status == "ready" and self.pdf_sha256 is not None
                and self.xlsx_sha256 is not None)
