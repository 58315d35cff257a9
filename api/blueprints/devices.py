"""/devices: tablets and browsers holding tokens; an admin revokes a lost one."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from api import database
from api.auth import current_user, login_required
from inspection import accounts

PREFIX = "/devices"
blp = Blueprint("devices", __name__, description="Thiết bị đăng nhập")


class DeviceSchema(Schema):
    id = fields.String(metadata={"description": "The server's id of this device record (what "
                                                "`DELETE /devices/{id}` takes)."})
    client_id = fields.String(metadata={"description": "The `device_id` the client logs in "
                                                       "and pushes with; unique per user."})
    name = fields.String()
    user_id = fields.UUID()
    created_at = fields.DateTime()
    last_seen_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)


class DeviceQuerySchema(Schema):
    user_id = fields.UUID(metadata={"description": "Only this user's devices."})


@blp.get("")
@login_required("admin")
@blp.arguments(DeviceQuerySchema, location="query")
@blp.response(200, DeviceSchema(many=True))
def list_devices(query: dict):  # type: ignore[no-untyped-def]
    """Devices of the admin's province (filter `user_id`), oldest first."""
    return accounts.list_devices(database.session(), current_user(), **query)


@blp.delete("/<string:device_id>")
@login_required("admin")
@blp.response(204)
def revoke_device(device_id: str) -> None:
    """Revoke a device (its `id` as listed): every token bound to it stops working at once."""
    accounts.revoke_device(database.session(), current_user(), device_id)
