"""/users: the people of the caller's province (to build joint teams); admins create them."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api import database
from api.auth import current_user, login_required
from api.blueprints.auth import UserSchema
from api.pagination import PAGE, paginate_select
from api.schemas import PROVINCE_CODE, Identifier
from inspection import accounts, identifiers
from inspection.models.users import AGENCIES, ROLES

PREFIX = "/users"
blp = Blueprint("users", __name__, description="Người dùng")


class UserQuerySchema(Schema):
    role = fields.String(validate=validate.OneOf(ROLES))
    agency = fields.String(validate=validate.OneOf(AGENCIES))


class NewUserSchema(Schema):
    username = fields.String(required=True, validate=Identifier(
        identifiers.USERNAME, error="Tên đăng nhập gồm 3–80 chữ thường không dấu, chữ số, "
                                    "'.', '_' hoặc '-'."))
    password = fields.String(required=True, load_only=True,
                             validate=validate.Length(min=8, max=200))
    full_name = fields.String(load_default="", validate=validate.Length(max=200))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    agency = fields.String(required=True, validate=validate.OneOf(AGENCIES))
    province_code = fields.String(allow_none=True, load_default=None,
                                  validate=PROVINCE_CODE)
    organization = fields.String(allow_none=True, validate=validate.Length(max=200))


@blp.get("")
@login_required("admin", "supervisor", "inspector", "police")
@blp.arguments(UserQuerySchema, location="query")
@blp.response(200, UserSchema(many=True))
@blp.paginate(**PAGE)
def list_users(query: dict, pagination_parameters):  # type: ignore[no-untyped-def]
    """Active users of the caller's province (filters `role`, `agency`)."""
    return paginate_select(accounts.list_users(current_user(), **query), pagination_parameters)


@blp.post("")
@login_required("admin")
@blp.arguments(NewUserSchema)
@blp.response(201, UserSchema)
def create_user(body: dict):  # type: ignore[no-untyped-def]
    """Create a user (admins; a provincial admin only in its own province)."""
    return accounts.create_user_as(database.session(), current_user(), **body)
