"""Violation notices of approved inspections, and the counters that number them."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, foreign, mapped_column, relationship

from inspection.db import Base, UTCDateTime, new_id, utcnow
from inspection.models.documents import DOCUMENT_STATUSES, IssuedDocument
from inspection.models.inspections import Finding, Inspection
from inspection.models.types import JSONValue

NOTICE_STATUSES = (*DOCUMENT_STATUSES, "closed")
ISSUED = ("issued", "closed")
"""An issued notice is `issued` while a finding awaits remediation or verification, then
`closed` once every finding it covers is `verified` (and `issued` again if one ever is not)."""
NOTICED_FINDINGS = ("confirmed", "remediated", "verified")
"""Finding statuses a notice covers: confirmed when it is issued, then followed up."""
REVIEW_DECISIONS = ("verified", "rejected")


class Notice(IssuedDocument, Base):
    """A violation notice (thông báo vi phạm) for the confirmed findings of one inspection.

    `number` is empty until the notice is issued; then (issuer, province, year, number) is
    unique and numbers run without gaps per issuing body and year (`NoticeCounter`)."""

    __tablename__ = "notices"
    __table_args__ = (
        UniqueConstraint("issuer", "province_code", "year", "number",
                         name="uq_notices_issuer_province_year_number"),
    )

    issued_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date, index=True)
    # The photo evidence its appendix printed: [{photo_id, item_code, sha256}], fixed at issue.
    evidence: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONValue, nullable=True)
    # The official who signs it, chosen when it is asked for (`inspection.signers`).
    signer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("signers.id"))
    # Follow-up (`inspection.notices.followup`): the post office's latest remediation report...
    remediation_report: Mapped[str | None] = mapped_column(Text)
    remediated_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    remediated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    remediation_photo_ids: Mapped[list[str] | None] = mapped_column(JSON)
    # ... and the inspectors' latest review of it (`verified` or `rejected`).
    review_decision: Mapped[str | None] = mapped_column(String(20))
    review_comment: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    inspection: Mapped[Inspection] = relationship()
    findings: Mapped[list[Finding]] = relationship(
        primaryjoin=lambda: (foreign(Finding.inspection_id) == Notice.inspection_id)
        & Finding.status.in_(NOTICED_FINDINGS),
        viewonly=True, order_by=lambda: Finding.item_code)

    __audited__ = ("inspection_id", "issuer", "year", "number", "symbol", "status",
                   "issued_on", "due_on", "pdf_sha256", "docx_sha256", "evidence", "version",
                   "signer_id",
                   "remediation_report", "remediated_by", "remediated_at",
                   "remediation_photo_ids", "review_decision", "review_comment",
                   "reviewed_by", "reviewed_at")

    def settle(self, finding_statuses: Iterable[str]) -> bool:
        """`closed` when every finding it covers (their `finding_statuses`) is `verified`,
        else `issued`; only an issued or closed notice moves. True when the status changed
        (the caller bumps the version)."""
        if self.status not in ISSUED:
            return False
        statuses = list(finding_statuses)
        settled = "closed" if statuses and all(s == "verified" for s in statuses) else "issued"
        changed = settled != self.status
        self.status = settled
        return changed


class NoticeCounter(Base):
    """The last number an issuing body gave in a province and year. Taken under a row lock
    (`SELECT ... FOR UPDATE` on PostgreSQL; SQLite's write lock serialises writers) in the
    transaction that issues the notice, so numbers are never shared and never skipped."""

    __tablename__ = "notice_counters"

    issuer: Mapped[str] = mapped_column(String(20), primary_key=True)
    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.code"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class NoticeReminder(Base):
    """A reminder recorded for an overdue notice: at most one per notice and day
    (`kt1 reminders`, `workers.jobs.reminders_job`)."""

    __tablename__ = "notice_reminders"
    __table_args__ = (
        UniqueConstraint("notice_id", "reminded_on",
                         name="uq_notice_reminders_notice_id_reminded_on"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    notice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("notices.id"))
    reminded_on: Mapped[date] = mapped_column(Date)
    days_overdue: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
