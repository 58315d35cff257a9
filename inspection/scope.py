"""Province scoping: every read and write is limited to the caller's province."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, true

from inspection import errors
from inspection.models import User


def province_clause(actor: User, column: Any) -> ColumnElement[bool]:
    """A WHERE clause keeping rows of the actor's province (everything for a national admin)."""
    if actor.is_national:
        return true()
    return column == actor.province_code  # type: ignore[no-any-return]


def ensure_visible(actor: User, province_code: str | None, what: str) -> None:
    """Another province's record is answered as not found, never as forbidden."""
    if actor.is_national:
        return
    if province_code != actor.province_code:
        raise errors.NotFound(f"Không tìm thấy {what}.")


def require_role(actor: User, *roles: str) -> None:
    if actor.role not in roles:
        raise errors.Forbidden(
            f"Vai trò '{actor.role}' không được phép; cần một trong: {', '.join(roles)}."
        )
