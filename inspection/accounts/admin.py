"""Administering users: an admin reads one user, changes its name, role, agency, province or
organisation, and deactivates (every token revoked at once) or reactivates it.

Scope: a national admin (no province) administers everyone; a provincial admin only the users
of its province (another province's user is NotFound) and cannot move one elsewhere. Changes
carry the user's `version` (If-Match). An admin may not deactivate or demote themself: the
console would lose its last hand on the accounts.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from inspection import errors
from inspection.accounts import services as accounts
from inspection.db import utcnow
from inspection.models import AuthToken, Province, User
from inspection.models.users import AGENCIES, ROLES
from inspection.versions import expect_version

EDITABLE = ("full_name", "role", "agency", "province_code", "organization", "active")
WHAT = "người dùng"


def get_user(session: Session, actor: User, user_id: uuid.UUID) -> User:
    """The user, for an admin of its province (or a national admin); NotFound otherwise."""
    user = session.get(User, user_id)
    if user is None or not (actor.is_national or user.province_code == actor.province_code):
        raise errors.NotFound(f"Không tìm thấy {WHAT}.")
    return user


def edit_user(session: Session, actor: User, user_id: uuid.UUID, *, if_match: int | None,
              changes: Mapping[str, Any]) -> User:
    """PATCH semantics over EDITABLE; the version moves only when a value does. Deactivating
    revokes every token of the user at once. ValidationFailed for a role, agency, province or
    organisation that do not go together (as when creating); RuleViolation for the actor's own
    deactivation or demotion; Forbidden for a provincial admin moving a user elsewhere."""
    user = get_user(session, actor, user_id)
    expect_version(user.version, if_match, what=WHAT)
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise errors.ValidationFailed("Không sửa được các trường này.",
                                      errors={k: ["not editable"] for k in unknown})
    new = {**{k: getattr(user, k) for k in EDITABLE}, **changes}
    changed = {k: v for k, v in new.items() if getattr(user, k) != v}
    if not changed:
        return user
    _check(session, actor, user, new)
    for key, value in changed.items():
        setattr(user, key, value)
    if changed.get("active") is False:
        session.execute(update(AuthToken).where(AuthToken.user_id == user.id,
                                                AuthToken.revoked_at.is_(None))
                        .values(revoked_at=utcnow()))
    user.version += 1
    session.flush()
    return user


def _check(session: Session, actor: User, user: User, new: Mapping[str, Any]) -> None:
    if user.id == actor.id and (new["active"] is False or new["role"] != "admin"
                                or new["province_code"] != user.province_code):
        raise errors.RuleViolation(
            "Quản trị viên không tự khóa, tự đổi vai trò hay tỉnh của chính mình; hãy nhờ "
            "một quản trị viên khác.", errors={"active": ["own account"]})
    if new["role"] not in ROLES:
        raise errors.ValidationFailed(f"Vai trò phải là một trong: {', '.join(ROLES)}.",
                                      errors={"role": ["unknown role"]})
    if new["agency"] not in AGENCIES:
        raise errors.ValidationFailed(f"Cơ quan phải là một trong: {', '.join(AGENCIES)}.",
                                      errors={"agency": ["unknown agency"]})
    code = new["province_code"]
    if not actor.is_national and code != actor.province_code:
        raise errors.Forbidden("Quản trị viên tỉnh chỉ quản lý người dùng trong tỉnh của mình.")
    if code is None and new["role"] != "admin":
        raise errors.ValidationFailed("Chỉ quản trị viên mới được không thuộc tỉnh nào.",
                                      errors={"province_code": ["required for this role"]})
    if code is not None and session.get(Province, code) is None:
        raise errors.ValidationFailed(f"Không có tỉnh, thành phố mã {code}.",
                                      errors={"province_code": ["unknown province"]})
    accounts.check_agency(session, role=new["role"], agency=new["agency"], province_code=code,
                          organization=new["organization"])
