"""The register of signing officials: admins add, edit and deactivate a province's signers;
supervisors and admins read them; a notice or a report is signed by one chosen when it is
asked for (`choose`).

Scope: a national admin (no province) sees and keeps every province's register; everyone
else their own province's (another province's signer is NotFound). Changes carry the
signer's `version` (If-Match).
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from inspection import errors
from inspection.models import Province, Signer, User
from inspection.scope import ensure_visible, province_clause, require_role
from inspection.versions import expect_version

READERS = ("supervisor", "admin")
KEEPERS = ("admin",)
EDITABLE = ("full_name", "title", "delegation", "active")
WHAT = "người ký"
LIMITS = {"full_name": 200, "title": 100, "delegation": 100}
CHOOSE = "Chọn người ký văn bản"


def list_signers(actor: User, *, province_code: str | None = None,
                 active: bool | None = None) -> Select[Any]:
    """The signers of the actor's province (a national admin: every province, or
    `province_code`), active first, then by name. Forbidden for other roles."""
    require_role(actor, *READERS)
    stmt = select(Signer).where(province_clause(actor, Signer.province_code))
    if province_code is not None:
        stmt = stmt.where(Signer.province_code == province_code)
    if active is not None:
        stmt = stmt.where(Signer.active.is_(active))
    return stmt.order_by(Signer.province_code, Signer.active.desc(), Signer.full_name,
                         Signer.id)


def get_signer(session: Session, actor: User, signer_id: uuid.UUID) -> Signer:
    """The signer, for the supervisors and admins of its province; NotFound otherwise."""
    require_role(actor, *READERS)
    signer = session.get(Signer, signer_id)
    if signer is None:
        raise errors.NotFound(f"Không tìm thấy {WHAT}.")
    ensure_visible(actor, signer.province_code, WHAT)
    return signer


def create_signer(session: Session, actor: User, *, full_name: str, title: str,
                  delegation: str | None = None, province_code: str | None = None) -> Signer:
    """A new active signer of `province_code` (default: the admin's own). Forbidden for
    other roles and, for a provincial admin, another province; ValidationFailed for a blank
    name or title, or no province."""
    require_role(actor, *KEEPERS)
    code = province_code or actor.province_code
    if code is None:
        raise errors.ValidationFailed("Cần chọn tỉnh, thành phố.",
                                      errors={"province_code": ["Thiếu trường bắt buộc."]})
    if not actor.is_national and code != actor.province_code:
        raise errors.Forbidden("Quản trị viên tỉnh chỉ quản lý người ký trong tỉnh của mình.")
    if session.get(Province, code) is None:
        raise errors.ValidationFailed(f"Không có tỉnh, thành phố mã {code}.",
                                      errors={"province_code": ["unknown province"]})
    fields = _clean({"full_name": full_name, "title": title, "delegation": delegation})
    signer = Signer(id=uuid.uuid4(), province_code=code, active=True, created_by=actor.id,
                    version=1, **fields)
    session.add(signer)
    session.flush()
    return signer


def update_signer(session: Session, actor: User, signer_id: uuid.UUID, *,
                  if_match: int | None, changes: Mapping[str, Any]) -> Signer:
    """PATCH semantics over EDITABLE (`active` false deactivates: the signer is chosen no
    more, documents that name it keep it); the version moves only when a value does."""
    require_role(actor, *KEEPERS)
    signer = get_signer(session, actor, signer_id)
    expect_version(signer.version, if_match, what=WHAT)
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise errors.ValidationFailed("Không sửa được các trường này.",
                                      errors={k: ["not editable"] for k in unknown})
    texts = _clean({k: v for k, v in changes.items() if k in LIMITS})
    new = {**texts, **({"active": bool(changes["active"])} if "active" in changes else {})}
    changed = {k: v for k, v in new.items() if getattr(signer, k) != v}
    if not changed:
        return signer
    for key, value in changed.items():
        setattr(signer, key, value)
    signer.version += 1
    session.flush()
    return signer


def deactivate_signer(session: Session, actor: User, signer_id: uuid.UUID, *,
                      if_match: int | None) -> Signer:
    return update_signer(session, actor, signer_id, if_match=if_match,
                         changes={"active": False})


def choose(session: Session, *, province_code: str, signer_id: uuid.UUID | None) -> Signer:
    """The signer of a document of `province_code`: `signer_id` if it is an active signer of
    that province; when none is named, the province's only active signer. ValidationFailed
    (422) otherwise: another province's, unknown or inactive, or none or several to pick from."""
    if signer_id is not None:
        signer = session.get(Signer, signer_id)
        if signer is None or signer.province_code != province_code:
            raise errors.ValidationFailed(
                f"{CHOOSE}: người ký không thuộc tỉnh, thành phố của văn bản.",
                errors={"signer_id": ["Không có người ký này trong tỉnh, thành phố."]})
        if not signer.active:
            raise errors.ValidationFailed(
                f"{CHOOSE}: {signer.full_name} không còn là người ký.",
                errors={"signer_id": ["Người ký đã ngừng hoạt động."]})
        return signer
    active = list(session.scalars(
        select(Signer).where(Signer.province_code == province_code, Signer.active.is_(True))
        .order_by(Signer.full_name).limit(2)))
    if len(active) == 1:
        return active[0]
    reason = ("tỉnh, thành phố chưa có người ký nào; quản trị viên cần thêm người ký"
              if not active else "tỉnh, thành phố có nhiều người ký")
    raise errors.ValidationFailed(
        f"{CHOOSE} (signer_id): {reason}.",
        errors={"signer_id": [f"{CHOOSE}."]}, active_signers=active_count(
            session, province_code))


def active_count(session: Session, province_code: str) -> int:
    return session.scalar(select(func.count()).select_from(Signer).where(
        Signer.province_code == province_code, Signer.active.is_(True))) or 0


def _clean(fields: Mapping[str, str | None]) -> dict[str, str | None]:
    """NFC, trimmed; a blank delegation is none; a blank name or title is refused."""
    out: dict[str, str | None] = {}
    problems: dict[str, list[str]] = {}
    for key, value in fields.items():
        text = unicodedata.normalize("NFC", value).strip() if value is not None else ""
        if key != "delegation" and not text:
            problems[key] = ["Không được để trống."]
        elif len(text) > LIMITS[key]:
            problems[key] = [f"Tối đa {LIMITS[key]} ký tự."]
        out[key] = text or None if key == "delegation" else text
    if problems:
        raise errors.ValidationFailed("Thông tin người ký chưa hợp lệ; xem 'errors'.",
                                      errors=problems)
    return out


def only_active(session: Session, province_code: str) -> Signer | None:
    """The province's active signer if it has exactly one (the command line's default)."""
    active = list(session.scalars(select(Signer).where(
        Signer.province_code == province_code, Signer.active.is_(True)).limit(2)))
    return active[0] if len(active) == 1 else None
