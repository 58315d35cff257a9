"""Inspections, their answers, photo evidence records and the findings they produce."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from inspection.db import Base, UTCDateTime, new_id, utcnow
from inspection.models.checklists import Checklist
from inspection.models.sites import Site
from inspection.models.types import JSONValue, point
from inspection.models.users import User

INSPECTION_STATUSES = ("draft", "submitted", "returned", "approved")
FINDING_STATUSES = ("open", "confirmed", "dismissed", "remediated", "verified")
OPEN_FINDING_STATUSES = ("open", "confirmed", "remediated")
"""Findings still asking something of someone (a decision, a remedy, a verification)."""
PHOTO_STATUSES = ("processing", "ready", "rejected")

inspection_members = Table(
    "inspection_members",
    Base.metadata,
    Column("inspection_id", ForeignKey("inspections.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id"), primary_key=True),
)


class Inspection(Base):
    __tablename__ = "inspections"
    __synced__ = "inspection"
    __table_args__ = (
        # The map and the reports: a province's inspections in a period, counted by commune
        # and campaign, joined to their findings by id, all from the index (migration 0011).
        Index("ix_inspections_province_started", "province_code", "started_at", "commune_code",
              "campaign_id", "id"),
        # Sites never inspected in a period or campaign: one probe per site.
        Index("ix_inspections_site_started", "site_id", "started_at", "campaign_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id"), index=True)
    checklist_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("checklists.id"))
    campaign_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("campaigns.id"), index=True)
    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.code"), index=True)
    commune_code: Mapped[str | None] = mapped_column(ForeignKey("communes.code"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    location: Mapped[Any] = mapped_column(point(), nullable=True)
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    request_hash: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    review_comment: Mapped[str | None] = mapped_column(Text)
    # The item codes a supervisor marked when returning it (empty otherwise; migration 0017).
    review_items: Mapped[list[str]] = mapped_column(JSONValue, default=list,
                                                    server_default=text("'[]'"))
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    site: Mapped[Site] = relationship()
    checklist: Mapped[Checklist] = relationship()
    team: Mapped[list[User]] = relationship(
        secondary=inspection_members, order_by=User.username
    )
    answers: Mapped[list[Answer]] = relationship(
        back_populates="inspection", order_by="Answer.item_code"
    )
    photos: Mapped[list[Photo]] = relationship(viewonly=True, order_by="Photo.created_at")
    # Its findings (non-compliant items), when a listing loads it (queries.NON_COMPLIANT).
    non_compliant: Mapped[int | None] = query_expression()

    __audited__ = ("site_id", "checklist_id", "campaign_id", "status", "started_at", "location",
                   "accuracy_m", "version", "submitted_at", "reviewed_by", "review_comment",
                   "review_items")

    def answer_for(self, item_code: str) -> Answer | None:
        return next((a for a in self.answers if a.item_code == item_code), None)

    @property
    def photo_flags(self) -> list[str]:
        """The doubts raised by its ready photos (EXIF position or time against the visit)."""
        return sorted({f for p in self.photos if p.status == "ready" for f in p.flags or []})

    @property
    def flagged_photos(self) -> int:
        """How many of its ready photos raise at least one doubt."""
        return sum(1 for p in self.photos if p.status == "ready" and p.flags)


class Answer(Base):
    """One answer per inspection and item, versioned on its own."""

    __tablename__ = "answers"
    __synced__ = "answer"
    __table_args__ = (
        UniqueConstraint("inspection_id", "item_code", name="uq_answers_inspection_item"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    # Its index is the unique constraint's (inspection_id first).
    inspection_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("inspections.id"))
    item_code: Mapped[str] = mapped_column(String(20))
    value: Mapped[Any] = mapped_column(JSONValue, nullable=True)
    note: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    location: Mapped[Any] = mapped_column(point(), nullable=True)
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    answered_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    inspection: Mapped[Inspection] = relationship(back_populates="answers")

    __audited__ = ("inspection_id", "item_code", "value", "note", "answered_at", "location",
                   "version")


class Photo(Base):
    """A photo's evidence record; its bytes live in the blob store under `sha256`."""

    __tablename__ = "photos"
    __synced__ = "photo"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    inspection_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("inspections.id"), index=True)
    item_code: Mapped[str | None] = mapped_column(String(20))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    content_type: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default="processing")
    reason: Mapped[str | None] = mapped_column(Text)
    captured_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Filled by processing (workers/photos.py): displayed size, EXIF facts
    # {taken_at, lon, lat, make, model, orientation}, doubts as evidence, derivative keys.
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    exif: Mapped[dict[str, Any] | None] = mapped_column(JSONValue, nullable=True)
    flags: Mapped[list[str]] = mapped_column(JSONValue, default=list,
                                             server_default=text("'[]'"))
    thumbnail_sha256: Mapped[str | None] = mapped_column(String(64))
    preview_sha256: Mapped[str | None] = mapped_column(String(64))
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What the upload said: the file's name on the device, who sent it. Bumped by processing.
    filename: Mapped[str | None] = mapped_column(String(255))
    uploaded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    __audited__ = ("inspection_id", "item_code", "sha256", "size", "status", "reason",
                   "content_type", "flags", "thumbnail_sha256", "preview_sha256", "version")


class Upload(Base):
    """A tus upload of one photo (or signature) into an inspection, from creation until its
    last byte is checked (then `photo_id` names the Photo) or it expires. The bytes received
    so far live in the upload folder (`media.uploads`), whose size is the upload's offset."""

    __tablename__ = "uploads"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    inspection_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("inspections.id"), index=True)
    item_code: Mapped[str | None] = mapped_column(String(20))
    photo_id: Mapped[uuid.UUID] = mapped_column(unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    device_id: Mapped[str | None] = mapped_column(String(100))
    length: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str | None] = mapped_column(String(255))
    filetype: Mapped[str | None] = mapped_column(String(100))
    captured_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Finding(Base):
    __tablename__ = "findings"
    __synced__ = "finding"
    __table_args__ = (
        UniqueConstraint("inspection_id", "item_code", name="uq_findings_inspection_item"),
        # The map's counts by commune, severity and status (and the join to the inspections
        # when a period or campaign filters them), all from the index (migration 0011).
        Index("ix_findings_map", "province_code", "commune_code", "severity", "status",
              "inspection_id"),
        # A province's findings newest first (the map's points). It replaces the index on
        # created_at alone, which the planner preferred for a busy province (scanning every
        # province's newest findings) at four times the cost.
        Index("ix_findings_province_created", "province_code", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    inspection_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("inspections.id"), index=True)
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id"), index=True)
    item_code: Mapped[str] = mapped_column(String(20))
    severity: Mapped[str] = mapped_column(String(20), index=True)
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    legal_refs: Mapped[list[dict[str, Any]]] = mapped_column(JSONValue, default=list)
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    status_comment: Mapped[str | None] = mapped_column(Text)
    due_on: Mapped[date | None] = mapped_column(Date)
    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.code"), index=True)
    commune_code: Mapped[str | None] = mapped_column(ForeignKey("communes.code"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    inspection: Mapped[Inspection] = relationship()

    __audited__ = ("inspection_id", "item_code", "severity", "description", "status",
                   "status_comment", "due_on", "version")
