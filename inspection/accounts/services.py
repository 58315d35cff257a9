"""Accounts: argon2 passwords, opaque device-bound tokens, logout, device revocation, throttling."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from inspection import audit, errors, identifiers
from inspection.db import utcnow
from inspection.models import AuthToken, Device, LoginFailure, Province, Site, User
from inspection.models.users import AGENCIES, ROLES, role_name

# Roles that belong to exactly one agency of the same name, and that agency to them only.
AGENCY_ROLES = ("police", "post")

_hasher = PasswordHasher()
# A real hash to verify against when the user does not exist, so timing tells nothing.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


@dataclass(frozen=True)
class LoginPolicy:
    """Failed logins are counted within `window`: `max_failures` of one username from one
    address, and `max_failures_per_address` from one address whatever the usernames (so an
    attacker who knows a username cannot lock its owner out from elsewhere, nor try every
    username from one place)."""

    token_ttl: timedelta
    max_failures: int
    window: timedelta
    max_failures_per_address: int = 50


@dataclass(frozen=True)
class IssuedToken:
    """A new token; `device_id` is the client's id of the device it is bound to."""

    token: str
    expires_at: datetime
    user: User
    device_id: str


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: the user and the device the token is bound to (`device_id`
    is the client's id of it, unique for this user)."""

    user: User
    device_id: str
    token_id: uuid.UUID


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(session: Session, *, username: str, password: str, role: str, agency: str,
                province_code: str | None, full_name: str = "",
                organization: str | None = None) -> User:
    """A new user. The username is an identifier (`inspection.identifiers`); the role and the
    agency agree (`police` with `police`, `post` with `post`); a `post` user belongs to an
    organisation that runs a KT1 service point in its province. ValidationFailed otherwise."""
    identifiers.check(username, field="username", pattern=identifiers.USERNAME)
    if role not in ROLES:
        raise errors.ValidationFailed(f"Vai trò phải là một trong: {', '.join(ROLES)}.",
                                      errors={"role": ["unknown role"]})
    if agency not in AGENCIES:
        raise errors.ValidationFailed(f"Cơ quan phải là một trong: {', '.join(AGENCIES)}.",
                                      errors={"agency": ["unknown agency"]})
    if len(password) < 8:
        raise errors.ValidationFailed("Mật khẩu phải có ít nhất 8 ký tự.",
                                      errors={"password": ["too short"]})
    if province_code is None and role != "admin":
        raise errors.ValidationFailed("Chỉ quản trị viên mới được không thuộc tỉnh nào.",
                                      errors={"province_code": ["required for this role"]})
    if province_code is not None and session.get(Province, province_code) is None:
        raise errors.ValidationFailed(f"Không có tỉnh, thành phố mã {province_code}.",
                                      errors={"province_code": ["unknown province"]})
    check_agency(session, role=role, agency=agency, province_code=province_code,
                  organization=organization)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise errors.Conflict(f"Tên đăng nhập {username!r} đã có người dùng.")
    user = User(username=username, password_hash=_hasher.hash(password), role=role,
                agency=agency, province_code=province_code, full_name=full_name,
                organization=organization)
    session.add(user)
    session.flush()
    return user


def check_agency(session: Session, *, role: str, agency: str, province_code: str | None,
                  organization: str | None) -> None:
    """A police officer is of the police and only police officers are; a post office's staff
    are of the post, only they are, and their organisation has a KT1 service point (a
    `kt1_provider` site of exactly that organisation) in their province."""
    for tied in AGENCY_ROLES:
        if (role == tied) != (agency == tied):
            raise errors.ValidationFailed(
                f"Vai trò {role_name(role)} không đi với cơ quan “{agency}”: vai trò "
                f"{role_name(tied)} chỉ dành cho cơ quan “{tied}” và ngược lại.",
                errors={"role": [f"{tied} role and {tied} agency go together"],
                        "agency": [f"{tied} role and {tied} agency go together"]})
    if role != "post":
        return
    has_site = organization and session.scalar(select(Site.id).where(
        Site.organization == organization, Site.province_code == province_code,
        Site.kind == "kt1_provider").limit(1))
    if not has_site:
        raise errors.ValidationFailed(
            f"Nhân viên bưu điện phải thuộc một tổ chức có điểm phục vụ KT1 ở tỉnh, thành phố "
            f"{province_code}; tổ chức “{organization or ''}” không có.",
            errors={"organization": ["no KT1 service point of this organisation in the "
                                     "province"]})


def _check_throttle(session: Session, username: str, remote_addr: str, policy: LoginPolicy,
                    now: datetime) -> None:
    """Throttled (429, with the seconds until the oldest counted failure leaves the window)
    after `max_failures` of this username from this address, or `max_failures_per_address`
    from this address."""
    since = now - policy.window
    recent = (LoginFailure.remote_addr == remote_addr, LoginFailure.at > since)
    for limit, where, detail in (
        (policy.max_failures, (LoginFailure.username == username, *recent),
         "Đăng nhập sai quá nhiều lần; hãy thử lại sau."),
        (policy.max_failures_per_address, recent,
         "Có quá nhiều lần đăng nhập sai từ địa chỉ này; hãy thử lại sau."),
    ):
        count, oldest = session.execute(
            select(func.count(), func.min(LoginFailure.at)).where(*where)).one()
        if count >= limit and oldest is not None:
            retry = int((oldest + policy.window - now).total_seconds()) + 1
            raise errors.Throttled(detail, retry_after=max(retry, 1))


def login(session: Session, *, username: str, password: str, device_id: str | None,
          device_name: str | None, remote_addr: str, policy: LoginPolicy,
          now: datetime | None = None) -> IssuedToken:
    """Check the password and issue a token bound to the device. Raises Throttled (429)
    when `policy` says so (see LoginPolicy), Unauthenticated otherwise. `remote_addr` is the
    client's address (behind trusted proxies, the one they forwarded)."""
    now = now or utcnow()
    remote_addr = remote_addr[:64]
    _check_throttle(session, username, remote_addr, policy, now)
    user = session.scalar(select(User).where(User.username == username))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
        password_ok = True
    except (VerificationError, InvalidHashError):
        password_ok = False
    if not password_ok or user is None or not user.active:
        session.add(LoginFailure(username=username, remote_addr=remote_addr, at=now))
        _audit_failure(session, user, password_ok)
        raise errors.Unauthenticated("Tên đăng nhập hoặc mật khẩu không đúng.")
    session.execute(delete(LoginFailure).where(LoginFailure.username == username,
                                               LoginFailure.remote_addr == remote_addr))
    device = _bind_device(session, user, device_id, device_name, now)
    token = secrets.token_urlsafe(32)
    expires = now + policy.token_ttl
    row = AuthToken(token_hash=hash_token(token), user_id=user.id, device_id=device.id,
                    created_at=now, expires_at=expires)
    session.add(row)
    session.flush()
    audit.record_event(session, audit.LOGIN, entity=User.__tablename__, entity_id=user.id,
                       province_code=user.province_code, actor_id=user.id,
                       device_id=device.client_id, detail={"token_id": row.id})
    return IssuedToken(token=token, expires_at=expires, user=user, device_id=device.client_id)


def _audit_failure(session: Session, user: User | None, password_ok: bool) -> None:
    """Chain a failed log-in: the account's id when it exists (an unknown username is not
    recorded: it is often a password typed in the wrong field), and why it failed."""
    reason = ("unknown-user" if user is None else
              "wrong-password" if not password_ok else "inactive")
    audit.record_event(session, audit.LOGIN_FAILED, entity=User.__tablename__,
                       entity_id=user.id if user else "unknown",
                       province_code=user.province_code if user else None,
                       detail={"reason": reason})


def _bind_device(session: Session, user: User, client_id: str | None, name: str | None,
                 now: datetime) -> Device:
    """The user's own device of that client id, made on first use. A client id is unique per
    user only: another user's device of the same id is never touched, let alone handed over
    (its owner's admin must still see and revoke it, its tokens stay its owner's)."""
    client_id = identifiers.check(client_id, field="device_id") if client_id else \
        f"web-{uuid.uuid4()}"
    device = find_device(session, user, client_id)
    if device is not None and device.revoked_at is not None:
        raise errors.Forbidden("Thiết bị này đã bị thu hồi; liên hệ quản trị viên.")
    if device is None:
        device = Device(id=str(uuid.uuid4()), client_id=client_id, name=name or "",
                        user_id=user.id, created_at=now, last_seen_at=now)
        try:
            with session.begin_nested():
                session.add(device)
        except IntegrityError:  # the same user's first login on it, at the same moment
            device = session.scalars(select(Device).where(
                Device.user_id == user.id, Device.client_id == client_id)).one()
        return device
    device.last_seen_at = now
    if name:
        device.name = name
    session.flush()
    return device


def find_device(session: Session, user: User, client_id: str) -> Device | None:
    """The user's device that the client calls `client_id`, or None."""
    return session.scalar(select(Device).where(Device.user_id == user.id,
                                               Device.client_id == client_id))


_PRINCIPAL = (
    # The user as an entity (requests read it); only the columns of the token and device.
    select(User, AuthToken.id.label("token_id"), AuthToken.revoked_at, AuthToken.expires_at,
           Device.client_id, Device.revoked_at.label("device_revoked_at"))
    .select_from(AuthToken)
    .join(User, User.id == AuthToken.user_id)
    .join(Device, Device.id == AuthToken.device_id)
    .where(AuthToken.token_hash == bindparam("token_hash")))
"""Built once: every authenticated request runs it."""


def authenticate(session: Session, token: str, now: datetime | None = None) -> Principal:
    """The caller of every request, in one query: its token, device and user, read anew each
    time (no cache), so a logout, a revoked device or a locked account holds at once."""
    now = now or utcnow()
    row = session.execute(_PRINCIPAL, {"token_hash": hash_token(token)}).first()
    if row is None:
        raise errors.Unauthenticated("Mã truy cập không hợp lệ.")
    if row.revoked_at is not None or row.device_revoked_at is not None:
        raise errors.Unauthenticated("Mã truy cập đã bị thu hồi.")
    if row.expires_at <= now:
        raise errors.Unauthenticated("Mã truy cập đã hết hạn; hãy đăng nhập lại.")
    if not row.User.active:
        raise errors.Unauthenticated("Tài khoản đã bị khóa.")
    return Principal(user=row.User, device_id=row.client_id, token_id=row.token_id)


def logout(session: Session, principal: Principal) -> None:
    session.execute(update(AuthToken).where(AuthToken.id == principal.token_id)
                    .values(revoked_at=utcnow()))
    audit.record_event(session, audit.LOGOUT, entity=User.__tablename__,
                       entity_id=principal.user.id, province_code=principal.user.province_code,
                       detail={"token_id": principal.token_id})


def revoke_device(session: Session, actor: User, device_id: str) -> Device:
    """Every token of the device (its record `id`, as listed) stops working at once. Admins
    only; province-scoped by the device's owner."""
    device = session.get(Device, device_id)
    owner = session.get(User, device.user_id) if device else None
    if device is None or owner is None or not (
        actor.is_national or owner.province_code == actor.province_code
    ):
        raise errors.NotFound(f"Không có thiết bị {device_id}.")
    now = utcnow()
    device.revoked_at = device.revoked_at or now
    session.execute(update(AuthToken).where(AuthToken.device_id == device.id,
                                            AuthToken.revoked_at.is_(None))
                    .values(revoked_at=now))
    session.flush()
    return device


def list_devices(session: Session, actor: User, *,
                 user_id: uuid.UUID | None = None) -> list[Device]:
    """Devices of the actor's province (one user's, with `user_id`), oldest first."""
    stmt = select(Device).join(User, User.id == Device.user_id).order_by(Device.created_at)
    if not actor.is_national:
        stmt = stmt.where(User.province_code == actor.province_code)
    if user_id is not None:
        stmt = stmt.where(Device.user_id == user_id)
    return list(session.scalars(stmt))


def list_users(actor: User, *, role: str | None = None, agency: str | None = None,
               include_inactive: bool = False) -> Any:
    """A select of the users the actor may see (its province), for building teams; an admin
    may ask for the deactivated ones too (`include_inactive`)."""
    from inspection.scope import province_clause

    stmt = select(User).where(province_clause(actor, User.province_code))
    if not (include_inactive and actor.role == "admin"):
        stmt = stmt.where(User.active.is_(True))
    if role:
        stmt = stmt.where(User.role == role)
    if agency:
        stmt = stmt.where(User.agency == agency)
    return stmt.order_by(User.username)


def create_user_as(session: Session, actor: User, **fields: Any) -> User:
    """An admin creates a user; a provincial admin only in its own province."""
    if not actor.is_national and fields.get("province_code") != actor.province_code:
        raise errors.Forbidden("Quản trị viên tỉnh chỉ tạo người dùng trong tỉnh của mình.")
    return create_user(session, **fields)
