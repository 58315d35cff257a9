"""Province scoping: every read and write is limited to the caller's province."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, true
from sqlalchemy.orm import Session

from inspection import errors
from inspection.models import Province, User
from inspection.models.users import role_name


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
            f"Vai trò {role_name(actor.role)} không được phép; cần một trong: "
            f"{', '.join(role_name(r) for r in roles)}."
        )


def resolve_province(session: Session, actor: User, province_code: str | None) -> str:
    """The province a request is about: `province_code`, by default the actor's own.
    ValidationFailed when a national user names none; NotFound for another province or an
    unknown one."""
    code = province_code or actor.province_code
    if code is None:
        raise errors.ValidationFailed("Cần chọn tỉnh, thành phố.",
                                      errors={"province_code": ["Thiếu trường bắt buộc."]})
    ensure_visible(actor, code, "tỉnh, thành phố")
    if session.get(Province, code) is None:
        raise errors.NotFound("Không tìm thấy tỉnh, thành phố.")
    return code
