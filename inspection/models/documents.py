"""What every official document of one inspection has (a notice, a record): a number taken at
issue from its issuer's counter, a symbol, a status, and the stored PDF and DOCX
(`RenderedDocument`, which a post office's provision report has too)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from inspection.db import UTCDateTime, new_id, utcnow

DOCUMENT_STATUSES = ("pending", "issued", "failed")


class RenderedDocument:
    """Columns of a row a job renders to a stored PDF and DOCX (an issued document, a post
    office's provision report): the files' keys in the blob store, the job, who asked, the
    version (ETag) and the times."""

    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    docx_sha256: Mapped[str | None] = mapped_column(String(64))
    job_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("jobs.id"))
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class IssuedDocument(RenderedDocument):
    """Columns shared by the documents' tables. `number` is empty until the document is
    issued; then (issuer, province, year, number) is unique in its table."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    inspection_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("inspections.id"),
                                                     unique=True)
    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.code"), index=True)
    issuer: Mapped[str] = mapped_column(String(20))
    year: Mapped[int | None] = mapped_column(Integer)
    number: Mapped[int | None] = mapped_column(Integer)
    symbol: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)

    @property
    def label(self) -> str | None:
        """The number and symbol exactly as printed ("12/TB-SKHCN"; below 10 with a leading
        zero, "01/TB-SKHCN", as Decree 30/2020/NĐ-CP writes it); None before numbering."""
        return None if self.number is None else f"{self.number:02d}/{self.symbol}"
