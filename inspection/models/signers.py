"""The officials who sign a province's documents for its Sở KH&CN (the issuing body)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from inspection.db import Base, UTCDateTime, new_id, utcnow


class Signer(Base):
    """A signing official: `title` as the block prints it under `delegation` ("Phó Giám đốc"
    under "KT. GIÁM ĐỐC"; no delegation when the director signs). An inactive signer is kept
    (documents name it) but chosen no more."""

    __tablename__ = "signers"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.code"), index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(100))
    delegation: Mapped[str | None] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __audited__ = ("province_code", "full_name", "title", "delegation", "active", "version")
