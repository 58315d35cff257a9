"""KT1 service points (post offices) and user agencies, located by a point."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, column_property, mapped_column

from inspection.db import Base, UTCDateTime, new_id, utcnow
from inspection.models.reference import Commune
from inspection.models.types import point

SITE_KINDS = ("kt1_provider", "kt1_user")


class Site(Base):
    __tablename__ = "sites"
    __synced__ = "site"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))
    organization: Mapped[str] = mapped_column(String(300), default="")
    address: Mapped[str] = mapped_column(String(500), default="")
    location: Mapped[Any] = mapped_column(point(), nullable=True)
    commune_code: Mapped[str | None] = mapped_column(ForeignKey("communes.code"), index=True)
    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.code"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # The commune's name, for listings that show it (undefer it there: one select, no N+1).
    commune_name: Mapped[str | None] = column_property(
        select(Commune.name).where(Commune.code == commune_code).scalar_subquery(),
        deferred=True)

    __audited__ = ("name", "kind", "organization", "address", "location", "commune_code",
                   "province_code", "version")
