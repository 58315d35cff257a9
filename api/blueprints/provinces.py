"""/provinces: the 34 provinces in force since 1 July 2025 (reference data, any signed-in user)."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from api.auth import login_required
from api.pagination import PAGE, paginate_select
from inspection import reference

PREFIX = "/provinces"
blp = Blueprint("provinces", __name__, description="Tỉnh, thành phố trực thuộc trung ương")


class ProvinceSchema(Schema):
    code = fields.String(metadata={"example": "92"})
    name = fields.String(metadata={"example": "Thành phố Cần Thơ"})
    unit_type = fields.String(metadata={"example": "thành phố trung ương"})
    dataset_version = fields.String(allow_none=True)


@blp.get("")
@login_required()
@blp.response(200, ProvinceSchema(many=True))
@blp.paginate(**PAGE)
def list_provinces(pagination_parameters):  # type: ignore[no-untyped-def]
    """The provinces by code, with the version of the unit list they come from."""
    return paginate_select(reference.provinces_select(), pagination_parameters)
