"""Bearer-token authentication and role checks for views."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import g, request

from api import database
from inspection import accounts, audit, errors
from inspection.accounts import Principal
from inspection.models import User
from inspection.models.users import role_name


def _principal() -> Principal:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise errors.Unauthenticated("Thiếu mã truy cập (Authorization: Bearer ...).")
    session = database.session()
    principal = accounts.authenticate(session, token.strip())
    audit.set_actor(session, principal.user.id, principal.device_id)
    return principal


def login_required(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Authenticate the caller; with `roles`, only those roles pass (others get 403)."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            principal = _principal()
            if roles and principal.user.role not in roles:
                raise errors.Forbidden(
                    f"Vai trò {role_name(principal.user.role)} không được phép thực hiện "
                    "thao tác này."
                )
            g.principal = principal
            return view(*args, **kwargs)

        doc = getattr(view, "_apidoc", {})
        wrapper._apidoc = doc  # type: ignore[attr-defined]
        return wrapper

    return decorator


def current_user() -> User:
    return g.principal.user  # type: ignore[no-any-return]


def current_principal() -> Principal:
    return g.principal  # type: ignore[no-any-return]
