"""/map: the supervisors' choropleth of communes and the findings as points (GeoJSON)."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Response, request
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from api import database
from api.auth import current_user, login_required
from api.blueprints.inspections import Instant
from api.schemas import PROVINCE_CODE, ProblemSchema
from inspection import map as domain_map
from inspection import risk
from inspection.map import tiles as map_tiles
from inspection.models.checklists import SEVERITIES
from inspection.models.inspections import FINDING_STATUSES, INSPECTION_STATUSES
from inspection.notices import today_in_vietnam

PREFIX = "/map"
blp = Blueprint("map", __name__, description="Bản đồ giám sát theo xã, phường")


def geojson_response(text: str) -> Response:
    """GeoJSON the domain wrote as text (the database's geometries spliced in unparsed): sent
    as it is; the response schemas document its shape."""
    return Response(text, mimetype="application/json")


class MapQuerySchema(Schema):
    province_code = fields.String(required=True, validate=PROVINCE_CODE,
                                  metadata={"example": "92"})
    started_from = Instant(data_key="from", metadata={
        "description": "Inspections started at or after (a date is its midnight in Vietnam)."})
    started_before = Instant(data_key="to", metadata={"description": "Exclusive."})
    campaign_id = fields.UUID()
    severity = fields.String(validate=validate.OneOf(SEVERITIES),
                             metadata={"description": "Findings only."})
    status = fields.String(validate=validate.OneOf(FINDING_STATUSES),
                           metadata={"description": "A finding status; findings only."})

    def filters(self, data: dict[str, Any]) -> domain_map.MapFilters:
        keys = ("started_from", "started_before", "campaign_id", "severity", "status")
        return domain_map.MapFilters(**{k: data[k] for k in keys if k in data})


class Simplification(Schema):
    """How much the communes' outlines are simplified: by `zoom` or `tolerance`."""

    tolerance = fields.Float(
        validate=validate.Range(0, domain_map.MAX_TOLERANCE),
        metadata={"description": "Simplification tolerance in degrees (0 keeps every vertex); "
                                 f"default {domain_map.DEFAULT_TOLERANCE}."})
    zoom = fields.Integer(
        validate=validate.Range(0, map_tiles.MAX_ZOOM),
        metadata={"description": "The map's zoom level: the tolerance becomes one screen pixel "
                                 "there. Give `zoom` or `tolerance`, not both."})

    @validates_schema
    def one_of_zoom_or_tolerance(self, data: dict[str, Any], **_: Any) -> None:
        if "zoom" in data and "tolerance" in data:
            raise ValidationError("Chỉ dùng một trong hai: zoom hoặc tolerance.", "zoom")

    @staticmethod
    def tolerance_of(data: dict[str, Any]) -> float:
        if "zoom" in data:
            return map_tiles.tolerance_for_zoom(data["zoom"])
        return float(data.get("tolerance", domain_map.DEFAULT_TOLERANCE))


class CommunesQuerySchema(MapQuerySchema, Simplification):
    pass


class BBoxField(fields.String):
    """`minlon,minlat,maxlon,maxlat` in WGS84 degrees."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any
                     ) -> domain_map.BBox:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            box = domain_map.BBox(*(float(p) for p in text.split(",")))
        except (TypeError, ValueError) as exc:
            raise ValidationError("Bốn số: minlon,minlat,maxlon,maxlat.") from exc
        finite = all(abs(v) != float("inf") and v == v for v in vars(box).values())
        if not (finite and -180 <= box.min_lon < box.max_lon <= 180
                and -90 <= box.min_lat < box.max_lat <= 90):
            raise ValidationError("Khung không hợp lệ: cần min < max, trong WGS84.")
        return box


class FindingsQuerySchema(MapQuerySchema):
    bbox = BBoxField(metadata={"example": "105.7,10.0,105.8,10.1"})
    limit = fields.Integer(load_default=domain_map.MAX_POINTS,
                           validate=validate.Range(1, domain_map.MAX_POINTS))


class SeverityCountsSchema(Schema):
    critical = fields.Integer()
    high = fields.Integer()
    medium = fields.Integer()
    low = fields.Integer()


class CommunePropertiesSchema(Schema):
    code = fields.String()
    name = fields.String()
    inspections = fields.Integer()
    findings = fields.Integer(metadata={
        "description": "Findings matching the filters, whatever their inspection's status."})
    open_findings = fields.Integer(metadata={
        "description": "Confirmed open findings: open, confirmed or remediated findings of "
                       "approved inspections (those awaiting review are not counted)."})
    awaiting_review = fields.Integer(metadata={
        "description": "Findings of inspections not yet approved (draft, submitted or "
                       "returned): awaiting the supervisor's review."})
    by_severity = fields.Nested(SeverityCountsSchema, metadata={
        "description": "`findings` by severity."})
    sites = fields.Integer()
    sites_never_inspected = fields.Integer(metadata={
        "description": "Sites without an inspection matching the period and campaign."})


class CommuneFeatureSchema(Schema):
    type = fields.String(metadata={"enum": ["Feature"]})
    id = fields.String()
    properties = fields.Nested(CommunePropertiesSchema)
    geometry = fields.Dict(allow_none=True, metadata={
        "description": "GeoJSON (Multi)Polygon, WGS84, simplified; null without a boundary."})


class CommuneCollectionSchema(Schema):
    type = fields.String(metadata={"enum": ["FeatureCollection"]})
    features = fields.List(fields.Nested(CommuneFeatureSchema))


class FindingPropertiesSchema(Schema):
    id = fields.UUID()
    severity = fields.String()
    status = fields.String()
    item_code = fields.String()
    commune_code = fields.String(allow_none=True)
    site_id = fields.UUID()
    inspection_id = fields.UUID()
    inspection_status = fields.String(metadata={"enum": list(INSPECTION_STATUSES)})
    awaiting_review = fields.Boolean(metadata={
        "description": "Its inspection is not approved yet: not a confirmed finding."})


class FindingFeatureSchema(Schema):
    type = fields.String(metadata={"enum": ["Feature"]})
    id = fields.String()
    properties = fields.Nested(FindingPropertiesSchema)
    geometry = fields.Dict(metadata={"description": "GeoJSON Point at the site, WGS84."})


class FindingCollectionSchema(Schema):
    type = fields.String(metadata={"enum": ["FeatureCollection"]})
    truncated = fields.Boolean(metadata={
        "description": f"More findings matched than `limit` (at most {domain_map.MAX_POINTS})."})
    features = fields.List(fields.Nested(FindingFeatureSchema))


@blp.get("/communes")
@login_required(*domain_map.MAP_ROLES)
@blp.arguments(CommunesQuerySchema, location="query")
@blp.response(200, CommuneCollectionSchema)
@blp.alt_response(404, schema=ProblemSchema, description="No such province in your scope")
def communes(query: dict[str, Any]) -> Any:
    """The province's communes with inspection, finding and site counts (a choropleth);
    findings of inspections not yet approved count as `awaiting_review`, not as open."""
    return geojson_response(domain_map.commune_features(
        database.session(), current_user(), province_code=query["province_code"],
        filters=MapQuerySchema().filters(query),
        tolerance=Simplification.tolerance_of(query)))


@blp.get("/findings")
@login_required(*domain_map.MAP_ROLES)
@blp.arguments(FindingsQuerySchema, location="query")
@blp.response(200, FindingCollectionSchema)
@blp.alt_response(404, schema=ProblemSchema, description="No such province in your scope")
def findings(query: dict[str, Any]) -> Any:
    """Findings as points at their site, newest first, capped at `limit`; each says whether
    its inspection is still awaiting review."""
    return geojson_response(domain_map.finding_features(
        database.session(), current_user(), province_code=query["province_code"],
        filters=MapQuerySchema().filters(query), bbox=query.get("bbox"), limit=query["limit"]))


class RiskMapQuerySchema(Simplification):
    province_code = fields.String(required=True, validate=PROVINCE_CODE)


class RiskPropertiesSchema(Schema):
    code = fields.String()
    name = fields.String()
    score = fields.Integer(metadata={"description": "The sum of its sites' risk scores."})
    sites = fields.Integer()
    sites_at_risk = fields.Integer(metadata={"description": "Sites scoring above zero."})
    top_site_id = fields.UUID(allow_none=True)


class RiskFeatureSchema(CommuneFeatureSchema):
    properties = fields.Nested(RiskPropertiesSchema)


class RiskCollectionSchema(Schema):
    type = fields.String(metadata={"enum": ["FeatureCollection"]})
    as_of = fields.Date()
    features = fields.List(fields.Nested(RiskFeatureSchema))


@blp.get("/risk")
@login_required(*risk.READERS)
@blp.arguments(RiskMapQuerySchema, location="query")
@blp.alt_response(404, schema=ProblemSchema, description="No such province in your scope")
@blp.response(200, RiskCollectionSchema)
def risk_layer(query: dict[str, Any]) -> Any:
    """The map's risk layer: each commune with the sum of its sites' risk scores
    (`/planning/risk` explains them), as GeoJSON."""
    return geojson_response(risk.commune_features(
        database.session(), current_user(), province_code=query["province_code"],
        on=today_in_vietnam(),
        tolerance=Simplification.tolerance_of(query)))


TILE_CACHE = "private, max-age=60"  # then revalidated by ETag: an unchanged tile answers 304


@blp.get("/tiles/<int:z>/<int:x>/<int:y>.mvt")
@login_required(*domain_map.MAP_ROLES)
@blp.arguments(MapQuerySchema, location="query")
@blp.doc(responses={
    200: {"description": "A Mapbox Vector Tile (v2, extent 4096) with the layers `communes` "
                         "(the choropleth's properties, severity counts flattened) and "
                         "`findings` (points, with the properties of `/map/findings`); empty "
                         "when nothing of the province is there.",
          "content": {map_tiles.MIMETYPE: {"schema": {"type": "string", "format": "binary"}}}},
    304: {"description": "Not modified (If-None-Match)."}})
@blp.alt_response(404, schema=ProblemSchema,
                  description="No such tile, or no such province in your scope")
def tile(query: dict[str, Any], z: int, x: int, y: int) -> Response:
    """One Web Mercator tile (z/x/y as in slippy maps) of the province's map."""
    data = map_tiles.vector_tile(
        database.session(), current_user(), province_code=query["province_code"],
        filters=MapQuerySchema().filters(query), tile=map_tiles.tile_of(z, x, y))
    etag = hashlib.sha256(data).hexdigest()[:32]
    headers = {"ETag": f'"{etag}"', "Cache-Control": TILE_CACHE, "Vary": "Authorization",
               "X-Content-Type-Options": "nosniff"}
    if request.if_none_match.contains_weak(etag):
        return Response(status=304, headers=headers)
    return Response(data, mimetype=map_tiles.MIMETYPE, headers=headers)
