"""The joint-team rule: a KT1 provider is inspected by the Sở KH&CN and the Công an together."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspection import errors
from inspection.models import User
from inspection.models.users import FIELD_ROLES


def load_team(session: Session, user_ids: Sequence[uuid.UUID], province_code: str, *,
              known: Mapping[uuid.UUID, User] | None = None) -> list[User]:
    """The users named, all active field staff of the province; otherwise a 422 naming who.
    `known`: users already loaded in this transaction (the others are read)."""
    ids = list(dict.fromkeys(user_ids))
    if not ids:
        raise errors.ValidationFailed("Đoàn kiểm tra phải có ít nhất một thành viên.",
                                      errors={"team": ["empty"]})
    known = known or {}
    users = {i: known[i] for i in ids if i in known}
    missing = [i for i in ids if i not in users]
    if missing:
        users.update((u.id, u) for u in session.scalars(select(User).where(
            User.id.in_(missing))))
    bad = [str(i) for i in ids if i not in users or not users[i].active
           or users[i].province_code != province_code
           or users[i].role not in (*FIELD_ROLES, "supervisor")]
    if bad:
        raise errors.ValidationFailed(
            "Thành viên đoàn không hợp lệ (không tồn tại, khác tỉnh hoặc không phải cán bộ "
            "kiểm tra).", errors={"team": bad})
    return [users[i] for i in ids]


def check_joint_team(site_kind: str, team: Sequence[User]) -> None:
    """A `kt1_provider` site needs at least one `skhcn` and one `police` member (422)."""
    if site_kind != "kt1_provider":
        return
    agencies = {u.agency for u in team}
    missing = [a for a in ("skhcn", "police") if a not in agencies]
    if missing:
        names = {"skhcn": "Sở Khoa học và Công nghệ", "police": "Công an"}
        raise errors.RuleViolation(
            "Kiểm tra liên ngành bưu cục KT1 cần ít nhất một thành viên của "
            + " và một thành viên của ".join(names[m] for m in missing) + ".",
            errors={"team": [f"missing agency: {m}" for m in missing]},
        )
