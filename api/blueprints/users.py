"""/users: the people of the caller's province (to build joint teams); admins create them,
read one, change its role, agency, province or organisation, and deactivate or reactivate it."""

from __future__ import annotations

import uuid
from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api import database
from api.auth import current_user, login_required
from api.blueprints.auth import UserSchema
from api.blueprints.inspections import IF_MATCH, PRECONDITION, STALE
from api.etag import etag_for, if_match_version
from api.pagination import PAGE, paginate_select
from api.schemas import PROVINCE_CODE, Identifier, ProblemSchema
from inspection import accounts, identifiers
from inspection.accounts import admin as user_admin
from inspection.models.users import AGENCIES, ROLES

PREFIX = "/users"
blp = Blueprint("users", __name__, description="Người dùng")

NOT_FOUND = {"schema": ProblemSchema, "description": "No such user in your province"}


class UserQuerySchema(Schema):
    role = fields.String(validate=validate.OneOf(ROLES))
    agency = fields.String(validate=validate.OneOf(AGENCIES))
    include_inactive = fields.Boolean(load_default=False, metadata={
        "description": "Also the deactivated users (admins only; ignored for other roles)."})


class UserDetailSchema(UserSchema):
    role = fields.String(metadata={"enum": list(ROLES)})
    active = fields.Boolean()
    created_at = fields.DateTime()
    version = fields.Integer()


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


class UserPatchSchema(Schema):
    full_name = fields.String(validate=validate.Length(max=200))
    role = fields.String(validate=validate.OneOf(ROLES))
    agency = fields.String(validate=validate.OneOf(AGENCIES))
    province_code = fields.String(allow_none=True, validate=PROVINCE_CODE)
    organization = fields.String(allow_none=True, validate=validate.Length(max=200))
    active = fields.Boolean(metadata={
        "description": "false: the account is locked and every token of it stops working at "
                       "once; true: the user may log in again."})


def _current_version(user_id: uuid.UUID) -> int | None:
    """If-Match as a version (`*` names the current one); checks the caller may read it."""
    current = user_admin.get_user(database.session(), current_user(), user_id)
    return if_match_version(current.version)


@blp.get("")
@login_required("admin", "supervisor", "inspector", "police")
@blp.arguments(UserQuerySchema, location="query")
@blp.response(200, UserDetailSchema(many=True))
@blp.paginate(**PAGE)
def list_users(query: dict, pagination_parameters):  # type: ignore[no-untyped-def]
    """Active users of the caller's province (filters `role`, `agency`; admins also
    `include_inactive`)."""
    return paginate_select(accounts.list_users(current_user(), **query), pagination_parameters)


@blp.post("")
@login_required("admin")
@blp.arguments(NewUserSchema)
@blp.response(201, UserDetailSchema)
def create_user(body: dict):  # type: ignore[no-untyped-def]
    """Create a user (admins; a provincial admin only in its own province)."""
    user = accounts.create_user_as(database.session(), current_user(), **body)
    return user, {"ETag": etag_for(user.version)}


@blp.get("/<uuid:user_id>")
@login_required("admin")
@blp.response(200, UserDetailSchema)
@blp.alt_response(404, **NOT_FOUND)
def get_user(user_id: uuid.UUID) -> Any:
    """One user, with its version as `ETag` (admins of its province)."""
    user = user_admin.get_user(database.session(), current_user(), user_id)
    return user, {"ETag": etag_for(user.version)}


@blp.patch("/<uuid:user_id>")
@login_required("admin")
@blp.arguments(UserPatchSchema)
@blp.response(200, UserDetailSchema)
@blp.alt_response(403, schema=ProblemSchema, description="Moving a user to another province")
@blp.alt_response(404, **NOT_FOUND)
@blp.alt_response(412, **STALE)
@blp.alt_response(422, schema=ProblemSchema,
                  description="Fields that do not go together; your own deactivation")
@blp.alt_response(428, **PRECONDITION)
@blp.doc(parameters=[IF_MATCH])
def patch_user(body: dict[str, Any], user_id: uuid.UUID) -> Any:
    """Change a user's name, role, agency, province, organisation or `active` (If-Match);
    deactivating revokes every token of the user at once."""
    user = user_admin.edit_user(database.session(), current_user(), user_id,
                                if_match=_current_version(user_id), changes=body)
    return user, {"ETag": etag_for(user.version)}
