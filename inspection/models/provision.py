"""The post office's annual report on KT1 provision (Cần Thơ directive 5đ): filled by the
`post` users of the providing organisation, due before 10 December, reviewed by the Sở."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from inspection.db import Base, UTCDateTime, new_id, utcnow
from inspection.models.documents import RenderedDocument
from inspection.models.types import JSONValue

PROVISION_STATUSES = ("draft", "submitted", "accepted", "returned")
COMPLIANCE_ASPECTS = ("service", "quality", "connection", "security", "archiving")
DUE_MONTH, DUE_DAY = 12, 10  # received before 10 December
REMINDERS_FROM_DAY = 1  # reminders from 1 December


class ProvisionReport(RenderedDocument, Base):
    """One organisation's report for one year. The figures and texts are the content listed
    in `kt1-checklists.md` (after Circular 16/2017 Art. 16(3)). Each sending is rendered
    (`RenderedDocument`: its PDF and DOCX)."""

    __tablename__ = "provision_reports"
    __table_args__ = (
        UniqueConstraint("province_code", "organization", "year",
                         name="uq_provision_reports_province_organization_year"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.code"), index=True)
    organization: Mapped[str] = mapped_column(String(300))
    year: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    # Content
    total_volume: Mapped[int | None] = mapped_column(Integer)  # KT1 items handled in the year
    local_volume: Mapped[int | None] = mapped_column(Integer)  # of which within the province
    staff_involved: Mapped[int | None] = mapped_column(Integer)  # workers directly involved
    revenue_vnd: Mapped[int | None] = mapped_column(BigInteger)
    # {aspect: text} for each of COMPLIANCE_ASPECTS
    compliance: Mapped[dict[str, Any] | None] = mapped_column(JSONValue)
    # [{occurred_on, description, handling}]
    incidents: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONValue)
    difficulties: Mapped[str | None] = mapped_column(Text)
    proposals: Mapped[str | None] = mapped_column(Text)
    # Who signs it for the post office (printed under the signature; optional: by default the
    # director, the name written in by hand)
    signer_name: Mapped[str | None] = mapped_column(String(200))
    signer_title: Mapped[str | None] = mapped_column(String(100))
    # Workflow
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    # The first submission's day (Vietnam time): sent on or before 10 December is on time,
    # whatever the Sở's review does later
    first_submitted_on: Mapped[date | None] = mapped_column(Date)
    received_on: Mapped[date | None] = mapped_column(Date)  # the Sở's receipt (checklist I2)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    review_comment: Mapped[str | None] = mapped_column(Text)

    __audited__ = ("organization", "year", "status", "total_volume", "local_volume",
                   "staff_involved", "revenue_vnd", "compliance", "incidents", "difficulties",
                   "proposals", "signer_name", "signer_title", "submitted_at",
                   "first_submitted_on", "received_on", "reviewed_at", "review_comment",
                   "version")


class ProvisionReminder(Base):
    """One reminder per organisation, year and day (`kt1 reminders`, from 1 December)."""

    __tablename__ = "provision_reminders"
    __table_args__ = (
        UniqueConstraint("province_code", "organization", "year", "reminded_on",
                         name="uq_provision_reminders_once_a_day"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.code"), index=True)
    organization: Mapped[str] = mapped_column(String(300))
    year: Mapped[int] = mapped_column(Integer)
    reminded_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
