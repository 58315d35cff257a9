"""Inspection records (biên bản kiểm tra) of submitted inspections."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspection.db import Base
from inspection.models.documents import DOCUMENT_STATUSES, IssuedDocument
from inspection.models.inspections import Inspection

RECORD_STATUSES = DOCUMENT_STATUSES


class InspectionRecord(IssuedDocument, Base):
    """The record of one inspection. `number` is empty until it is issued; then (issuer,
    province, year, number) is unique and numbers run without gaps per issuer and year, taken
    from the notices' counter under the issuer key `BB-SKHCN` (a sequence of its own)."""

    __tablename__ = "inspection_records"
    __table_args__ = (
        UniqueConstraint("issuer", "province_code", "year", "number",
                         name="uq_inspection_records_issuer_province_year_number"),
    )

    drawn_on: Mapped[date | None] = mapped_column(Date)

    inspection: Mapped[Inspection] = relationship()

    __audited__ = ("inspection_id", "issuer", "year", "number", "symbol", "status",
                   "drawn_on", "pdf_sha256", "docx_sha256", "version")

