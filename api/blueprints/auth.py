"""/auth: login, logout and the current user."""

from __future__ import annotations

from datetime import timedelta

from flask import request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api import database
from api.auth import current_principal, current_user, login_required
from api.schemas import DEVICE_ID, Identifier
from inspection import accounts, audit

PREFIX = "/auth"
blp = Blueprint("auth", __name__, description="Đăng nhập, đăng xuất")


class LoginSchema(Schema):
    username = fields.String(required=True,
                             validate=[validate.Length(min=1, max=80), Identifier()])
    password = fields.String(required=True, validate=validate.Length(min=1, max=200),
                             load_only=True)
    device_id = fields.String(validate=DEVICE_ID, allow_none=True)
    device_name = fields.String(validate=validate.Length(max=200), allow_none=True)


class UserSchema(Schema):
    id = fields.UUID()
    username = fields.String()
    full_name = fields.String()
    agency = fields.String()
    roles = fields.List(fields.String())
    province_code = fields.String(allow_none=True)
    organization = fields.String(allow_none=True)


class TokenSchema(Schema):
    access_token = fields.String()
    token_type = fields.String()
    expires_at = fields.DateTime()
    device_id = fields.String()
    user = fields.Nested(UserSchema)


def policy() -> accounts.LoginPolicy:
    s = database.settings()
    return accounts.LoginPolicy(token_ttl=timedelta(hours=s.token_ttl_hours),
                                max_failures=s.login_max_failures,
                                max_failures_per_address=s.login_max_failures_per_address,
                                window=timedelta(seconds=s.login_window_seconds))


@blp.post("/login")
@blp.doc(security=[])
@blp.arguments(LoginSchema)
@blp.response(200, TokenSchema)
def login(body: dict) -> dict:
    """Log in; the token is bound to `device_id` (one is made up if absent)."""
    session = database.session()
    audit.set_actor(session, None, body.get("device_id"))
    database.commit_even_on_error()  # a failed attempt must be remembered for throttling
    issued = accounts.login(session, username=body["username"], password=body["password"],
                            device_id=body.get("device_id"), device_name=body.get("device_name"),
                            remote_addr=request.remote_addr or "", policy=policy())
    return {"access_token": issued.token, "token_type": "Bearer",
            "expires_at": issued.expires_at, "device_id": issued.device_id, "user": issued.user}


@blp.post("/logout")
@login_required()
@blp.response(204)
def logout() -> None:
    """Revoke the token used for this request."""
    accounts.logout(database.session(), current_principal())


@blp.get("/me")
@login_required()
@blp.response(200, UserSchema)
def me():  # type: ignore[no-untyped-def]
    """The authenticated user."""
    return current_user()
