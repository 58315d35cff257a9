"""/communes: wards, communes and special zones, with their boundaries where loaded."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api import database
from api.auth import login_required
from api.pagination import PAGE, paginate_select
from api.schemas import PROVINCE_CODE
from inspection import reference

PREFIX = "/communes"
blp = Blueprint("communes", __name__, description="Xã, phường, đặc khu và ranh giới")


class CommuneQuerySchema(Schema):
    province_code = fields.String(validate=PROVINCE_CODE,
                                  metadata={"example": "92"})
    q = fields.String(validate=validate.Length(min=1, max=100),
                      metadata={"description": "Tên, không phân biệt hoa thường và dấu"})


class CommuneSchema(Schema):
    code = fields.String(metadata={"example": "31120"})
    name = fields.String(metadata={"example": "Phường Cái Khế"})
    unit_type = fields.String()
    province_code = fields.String()
    has_boundary = fields.Boolean()
    boundary_source = fields.String(
        allow_none=True, metadata={"description": "Tệp nguồn của ranh giới, hoặc 'synthetic'"})


class CommuneDetailSchema(CommuneSchema):
    geometry = fields.Dict(allow_none=True,
                           metadata={"description": "GeoJSON MultiPolygon, WGS84"})


@blp.get("")
@login_required()
@blp.arguments(CommuneQuerySchema, location="query")
@blp.response(200, CommuneSchema(many=True))
@blp.paginate(**PAGE)
def list_communes(query: dict, pagination_parameters):  # type: ignore[no-untyped-def]
    """Communes by code, filtered by province and name."""
    stmt = reference.communes_select(database.session(), province_code=query.get("province_code"),
                                     q=query.get("q"))
    return paginate_select(stmt, pagination_parameters)


@blp.get("/<code>")
@login_required()
@blp.response(200, CommuneDetailSchema)
def get_commune(code: str):  # type: ignore[no-untyped-def]
    """One commune with its boundary as GeoJSON (null when none is loaded)."""
    return reference.commune_detail(database.session(), code)
