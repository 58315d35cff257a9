"""Versioned checklist templates: a published version is immutable and inspections pin it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspection.db import Base, UTCDateTime, new_id, utcnow
from inspection.models.types import JSONValue

TARGET_KINDS = ("kt1_provider", "kt1_user")
CHECKLIST_STATUSES = ("draft", "published", "retired")
ANSWER_TYPES = ("yes_no_na", "number", "text", "date", "choice", "photo", "signature")
SEVERITIES = ("critical", "high", "medium", "low")
REF_STATUSES = ("verified", "verified-summary", "unverified", "superseded", "repealed")
"""As the register of legal references says (`inspection.models.legal.REFERENCE_STATUSES`)."""


class Checklist(Base):
    __tablename__ = "checklists"
    __table_args__ = (UniqueConstraint("code", "version", name="uq_checklists_code_version"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(50))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    target_kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    sections: Mapped[list[ChecklistSection]] = relationship(
        back_populates="checklist", order_by="ChecklistSection.position",
        cascade="all, delete-orphan", lazy="selectin",
    )

    __audited__ = ("code", "version", "title", "target_kind", "status")

    def items(self) -> list[ChecklistItem]:
        return [item for section in self.sections for item in section.items]

    def item(self, code: str) -> ChecklistItem | None:
        return next((i for i in self.items() if i.code == code), None)


class ChecklistSection(Base):
    __tablename__ = "checklist_sections"
    __table_args__ = (UniqueConstraint("checklist_id", "code", name="uq_sections_checklist_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    checklist_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("checklists.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))

    checklist: Mapped[Checklist] = relationship(back_populates="sections")
    items: Mapped[list[ChecklistItem]] = relationship(
        back_populates="section", order_by="ChecklistItem.position", cascade="all, delete-orphan",
        lazy="selectin",
    )


class ChecklistItem(Base):
    __tablename__ = "checklist_items"
    __table_args__ = (UniqueConstraint("checklist_id", "code", name="uq_items_checklist_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    checklist_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("checklists.id"), index=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("checklist_sections.id"))
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    answer_type: Mapped[str] = mapped_column(String(20))
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    photo_required: Mapped[bool] = mapped_column(Boolean, default=False)
    compliant_when: Mapped[dict[str, Any] | None] = mapped_column(JSONValue)
    severity: Mapped[str | None] = mapped_column(String(20))
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    legal_refs: Mapped[list[dict[str, Any]]] = mapped_column(JSONValue, default=list)
    choices: Mapped[list[str] | None] = mapped_column(JSONValue)

    section: Mapped[ChecklistSection] = relationship(back_populates="items")
