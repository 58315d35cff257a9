"""The KT1 staff roster (Cần Thơ directive 3c, 5d; Hải Phòng 3, 5): the workers directly
involved in KT1 at each provider, their training and written secrecy commitment, and the
police's vetting of their political standards. Personal data: read only by the post office,
the police and the Sở's supervisors of the province, and every read is audited."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from inspection.db import Base, UTCDateTime, new_id, utcnow

VETTING_STATUSES = ("not_requested", "requested", "vetted", "not_vetted")
ROSTER_READERS = ("post", "police", "supervisor")
"""The roles that may read the roster's personal data (each within its scope) and the audit
entries that carry it; `inspection.staff` scopes them, `inspection.audit` hides the rest."""


class StaffMember(Base):
    __tablename__ = "staff_members"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.code"), index=True)
    organization: Mapped[str] = mapped_column(String(300))
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id"), index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    position: Mapped[str] = mapped_column(String(200))
    joined_on: Mapped[date] = mapped_column(Date)
    trained_on: Mapped[date | None] = mapped_column(Date)
    secrecy_commitment: Mapped[bool] = mapped_column(Boolean, default=False)
    left_on: Mapped[date | None] = mapped_column(Date)  # no longer involved; kept as history
    vetting_status: Mapped[str] = mapped_column(String(20), default="not_requested", index=True)
    vetting_requested_on: Mapped[date | None] = mapped_column(Date)
    vetting_requested_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    vetting_reference: Mapped[str | None] = mapped_column(String(100))
    vetting_decided_on: Mapped[date | None] = mapped_column(Date)
    vetting_decided_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __audited__ = ("organization", "site_id", "full_name", "position", "joined_on",
                   "trained_on", "secrecy_commitment", "left_on", "vetting_status",
                   "vetting_requested_on", "vetting_reference", "vetting_decided_on", "version")
