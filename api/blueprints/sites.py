"""/sites: KT1 service points and user agencies, with their location and derived commune."""

from __future__ import annotations

import uuid
from typing import Any

from flask import url_for
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api import database
from api.auth import current_user, login_required
from api.etag import etag_for, if_match_version
from api.pagination import PAGE, paginate_select
from api.schemas import PointSchema
from inspection import sites
from inspection.models.sites import SITE_KINDS

PREFIX = "/sites"
blp = Blueprint("sites", __name__, description="Cơ sở KT1 (bưu cục, cơ quan sử dụng)")

PROVINCE_CODE = validate.Regexp(r"^\d{2}$", error="Mã tỉnh gồm 2 chữ số.")
# PostgreSQL text cannot hold NUL; other control characters have no place in a name.
PLAIN_TEXT = validate.Regexp(r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$",
                             error="Không được chứa ký tự điều khiển.")


class LocationField(fields.Nested):
    """A {lon, lat} object (SRID 4326) in; a stored geometry is dumped the same way."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(PointSchema, **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        lon_lat = sites.location_of(obj) if value is not None else None
        if lon_lat is None:
            return None
        return super()._serialize({"lon": lon_lat[0], "lat": lon_lat[1]}, attr, obj, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        point = super()._deserialize(value, attr, data, **kwargs)
        return (point["lon"], point["lat"])


class SiteSchema(Schema):
    id = fields.UUID(dump_only=True)
    name = fields.String(required=True, validate=[validate.Length(min=1, max=300), PLAIN_TEXT])
    kind = fields.String(required=True, validate=validate.OneOf(SITE_KINDS))
    organization = fields.String(load_default="", validate=[validate.Length(max=300), PLAIN_TEXT])
    address = fields.String(load_default="", validate=[validate.Length(max=500), PLAIN_TEXT])
    location = LocationField(required=True)
    commune_code = fields.String(dump_only=True, allow_none=True)
    province_code = fields.String(validate=PROVINCE_CODE,
                                  metadata={"description": "Mặc định: tỉnh của người tạo."})
    version = fields.Integer(dump_only=True)


class SitePatchSchema(Schema):
    name = fields.String(validate=[validate.Length(min=1, max=300), PLAIN_TEXT])
    kind = fields.String(validate=validate.OneOf(SITE_KINDS))
    organization = fields.String(validate=[validate.Length(max=300), PLAIN_TEXT])
    address = fields.String(validate=[validate.Length(max=500), PLAIN_TEXT])
    location = LocationField()


class SiteQuerySchema(Schema):
    kind = fields.String(validate=validate.OneOf(SITE_KINDS))
    commune_code = fields.String(validate=validate.Regexp(r"^\d{5}$"))
    province_code = fields.String(validate=PROVINCE_CODE)
    q = fields.String(validate=[validate.Length(min=1, max=100), PLAIN_TEXT],
                      metadata={"description": "Tên cơ sở chứa chuỗi này."})


def _headers(site: Any) -> dict[str, str]:
    return {"ETag": etag_for(site.version)}


@blp.get("")
@login_required()
@blp.arguments(SiteQuerySchema, location="query")
@blp.response(200, SiteSchema(many=True))
@blp.paginate(**PAGE)
def list_sites(query: dict, pagination_parameters):  # type: ignore[no-untyped-def]
    """Sites of the caller's province (a post user: of its own organisation), by name."""
    return paginate_select(sites.sites_select(current_user(), **query), pagination_parameters)


@blp.post("")
@login_required("supervisor", "admin")
@blp.arguments(SiteSchema)
@blp.response(201, SiteSchema)
def create_site(body: dict):  # type: ignore[no-untyped-def]
    """Create a site; its commune is derived from `location` where boundaries are loaded."""
    site = sites.create_site(database.session(), current_user(), **body)
    return site, {**_headers(site), "Location": url_for("sites.get_site", site_id=site.id)}


@blp.get("/<uuid:site_id>")
@login_required()
@blp.response(200, SiteSchema)
def get_site(site_id: uuid.UUID):  # type: ignore[no-untyped-def]
    """One site, with its version as `ETag`."""
    site = sites.get_site(database.session(), current_user(), site_id)
    return site, _headers(site)


@blp.patch("/<uuid:site_id>")
@login_required("supervisor", "admin")
@blp.arguments(SitePatchSchema)
@blp.response(200, SiteSchema)
@blp.doc(parameters=[{"in": "header", "name": "If-Match", "required": True,
                      "schema": {"type": "string"}}])
def update_site(body: dict, site_id: uuid.UUID):  # type: ignore[no-untyped-def]
    """Change some fields; needs `If-Match` with the current ETag (428 without, 412 stale)."""
    session, actor = database.session(), current_user()
    current = sites.get_site(session, actor, site_id)
    site = sites.update_site(session, actor, site_id, changes=body,
                             expected_version=if_match_version(current.version))
    return site, _headers(site)
