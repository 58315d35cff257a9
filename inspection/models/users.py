"""Users, their devices and opaque tokens, and failed logins for throttling."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from inspection.db import Base, UTCDateTime, new_id, utcnow
from inspection.labels import label

ROLES = ("admin", "supervisor", "inspector", "police", "post")
AGENCIES = ("skhcn", "police", "post", "agency")
FIELD_ROLES = ("inspector", "police")


def role_name(role: str) -> str:
    """A role as users read it (the label table's word), in quotes: “Cán bộ Công an”."""
    return f"“{label('role', role)}”"


class User(Base):
    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    full_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20))
    agency: Mapped[str] = mapped_column(String(20))
    province_code: Mapped[str | None] = mapped_column(ForeignKey("provinces.code"))
    organization: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __audited__ = ("username", "full_name", "role", "agency", "province_code", "organization",
                   "active", "version")

    @property
    def roles(self) -> list[str]:
        return [self.role]

    @property
    def is_national(self) -> bool:
        """An admin without a province sees every province."""
        return self.province_code is None and self.role == "admin"


class Device(Base):
    """A tablet or browser of one user; revoking it kills all its tokens at once.

    `client_id` is the id the client chose (the tablet's own), unique per user only: another
    user logging in with the same client id gets a record of its own, never this one. `id` is
    the server's name for the record (what `DELETE /devices/{id}` takes); records made before
    migration 0013 kept their client id as their id."""

    __tablename__ = "devices"
    __table_args__ = (Index("uq_devices_user_id_client_id", "user_id", "client_id", unique=True),)

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200), default="")
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __audited__ = ("client_id", "name", "user_id", "revoked_at")


class AuthToken(Base):
    __tablename__ = "auth_tokens"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LoginFailure(Base):
    """A failed login, counted by username and address, and by address alone."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_username_at", "username", "at"),
                      Index("ix_login_failures_remote_addr_at", "remote_addr", "at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(80))
    remote_addr: Mapped[str] = mapped_column(String(64), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
