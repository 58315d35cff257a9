"""/sites: KT1 service points and user agencies, with their location and derived commune, and
a provider's KT1 staff figures for checklist section C (`/sites/{id}/staff-figures`)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from flask import url_for
from flask_smorest import Blueprint
from marshmallow import Schema, fields, pre_dump, validate

from api import database
from api.auth import current_user, login_required
from api.etag import etag_for, if_match_version
from api.pagination import PAGE, paginate_select
from api.schemas import COMMUNE_CODE, PROVINCE_CODE, PointSchema, ProblemSchema
from inspection import sites, staff
from inspection.models.sites import SITE_KINDS

PREFIX = "/sites"
blp = Blueprint("sites", __name__, description="Cơ sở KT1 (bưu cục, cơ quan sử dụng)")

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
    commune_code = fields.String(validate=COMMUNE_CODE)
    province_code = fields.String(validate=PROVINCE_CODE)
    q = fields.String(validate=[validate.Length(min=1, max=100), PLAIN_TEXT],
                      metadata={"description": "Tên cơ sở chứa chuỗi này."})


class FiguresSchema(Schema):
    involved = fields.Integer(metadata={"description": "Current workers (joined, not left)."})
    vetted = fields.Integer(metadata={"description": "Vetted by the police."})
    vetting_pending = fields.Integer(metadata={"description": "Vetting requested, no outcome."})
    not_vetted = fields.Integer(metadata={"description": "The police's outcome: not vetted."})
    not_requested = fields.Integer(metadata={"description": "Vetting never requested."})
    secrecy_commitments = fields.Integer(metadata={
        "description": "With a written commitment to protect state secrets."})
    trained = fields.Integer(metadata={"description": "With a training date on record."})
    last_trained_on = fields.Date(allow_none=True, metadata={
        "description": "The latest training date among them."})


class StaffFiguresSchema(Schema):
    """The KT1 staff roster in figures, without personal data."""

    site_id = fields.UUID()
    organization = fields.String()
    as_of = fields.Date(metadata={"description": "The day the figures are for (today)."})
    site = fields.Nested(FiguresSchema, metadata={"description": "Workers of this site."})
    organization_wide = fields.Nested(FiguresSchema, metadata={
        "description": "Workers of every site of the organisation in the province."})
    checklist_items = fields.Dict(
        keys=fields.String(), values=fields.Raw(allow_none=True), metadata={
            "description": "The site's figure for items of checklist section C: "
            + ", ".join(f"`{code}` = `{name}`" for code, name in staff.CHECKLIST_ITEMS.items())
            + " (the inspector confirms them)."})

    @pre_dump
    def _view(self, shown: staff.StaffFigures, **_: Any) -> dict[str, Any]:
        items = {code: value.isoformat() if isinstance(value, date) else value
                 for code, value in shown.checklist_items.items()}
        return {"site_id": shown.site_id, "organization": shown.organization,
                "as_of": shown.as_of, "site": shown.site,
                "organization_wide": shown.organization_wide, "checklist_items": items}


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


@blp.get("/<uuid:site_id>/staff-figures")
@login_required()
@blp.response(200, StaffFiguresSchema)
@blp.alt_response(404, schema=ProblemSchema, description="No such site in your scope")
@blp.alt_response(409, schema=ProblemSchema, description="A user agency keeps no KT1 roster")
def staff_figures(site_id: uuid.UUID):  # type: ignore[no-untyped-def]
    """The site's KT1 staff figures for checklist section C (counts only, no names)."""
    return staff.figures_for_site(database.session(), current_user(), site_id)
