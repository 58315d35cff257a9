"""Inspection records (biên bản kiểm tra) of submitted inspections."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspection.db import Base, UTCDateTime
from inspection.models.documents import DOCUMENT_STATUSES, IssuedDocument
from inspection.models.inspections import Inspection

RECORD_STATUSES = (*DOCUMENT_STATUSES, "replaced")
ISSUED = "issued"
REPLACED = "replaced"
IN_THE_MAKING = ("pending", "failed")
"""A record asked for and not issued yet (a failed one is asked for again)."""


def _one_per_inspection(name: str, where: str) -> Index:
    """A partial unique index on `inspection_id` (SQLite and PostgreSQL alike)."""
    return Index(name, "inspection_id", unique=True, sqlite_where=text(where),
                 postgresql_where=text(where))


class InspectionRecord(IssuedDocument, Base):
    """One record of an inspection. `number` is empty until it is issued; then (issuer,
    province, year, number) is unique and numbers run without gaps per issuer and year, taken
    from the notices' counter under the issuer key `BB-SKHCN` (a sequence of its own).

    An inspection has records over time: at most one `issued` (the current one) and at most
    one in the making (`pending`, `failed`); a record issued for a resubmission replaces the
    current one, which becomes `replaced` (`replaced_by_id`) and keeps its documents."""

    __tablename__ = "inspection_records"
    __table_args__ = (
        UniqueConstraint("issuer", "province_code", "year", "number",
                         name="uq_inspection_records_issuer_province_year_number"),
        _one_per_inspection("uq_inspection_records_current_inspection_id",
                            "status = 'issued'"),
        _one_per_inspection("uq_inspection_records_making_inspection_id",
                            "status IN ('pending', 'failed')"),
    )

    inspection_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("inspections.id"), index=True)
    drawn_on: Mapped[date | None] = mapped_column(Date)
    states_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """The inspection's `submitted_at` whose content the record states (set when it issues;
    an earlier one than the inspection's means it was resubmitted since)."""
    replaces_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("inspection_records.id"))
    replaced_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("inspection_records.id"))

    inspection: Mapped[Inspection] = relationship()

    __audited__ = ("inspection_id", "issuer", "year", "number", "symbol", "status",
                   "drawn_on", "pdf_sha256", "docx_sha256", "replaces_id", "replaced_by_id",
                   "version")
