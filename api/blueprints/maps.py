"""/map: the supervisors' choropleth of communes and the findings as points (GeoJSON)."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate

from api import database
from api.auth import current_user, login_required
from api.blueprints.inspections import Instant
from api.schemas import ProblemSchema
from inspection import map as domain_map
from inspection.models.checklists import SEVERITIES
from inspection.models.inspections import FINDING_STATUSES

PREFIX = "/map"
blp = Blueprint("map", __name__, description="Bản đồ giám sát theo xã, phường")


class MapQuerySchema(Schema):
    province_code = fields.String(required=True, validate=validate.Regexp(r"^\d{2}$"),
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


class CommunesQuerySchema(MapQuerySchema):
    tolerance = fields.Float(
        load_default=domain_map.DEFAULT_TOLERANCE,
        validate=validate.Range(0, domain_map.MAX_TOLERANCE),
        metadata={"description": "Simplification tolerance in degrees (0 keeps every vertex)."})


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
    findings = fields.Integer()
    open_findings = fields.Integer()
    by_severity = fields.Nested(SeverityCountsSchema)
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
    """The province's communes with inspection, finding and site counts (a choropleth)."""
    return domain_map.commune_features(
        database.session(), current_user(), province_code=query["province_code"],
        filters=MapQuerySchema().filters(query), tolerance=query["tolerance"])


@blp.get("/findings")
@login_required(*domain_map.MAP_ROLES)
@blp.arguments(FindingsQuerySchema, location="query")
@blp.response(200, FindingCollectionSchema)
@blp.alt_response(404, schema=ProblemSchema, description="No such province in your scope")
def findings(query: dict[str, Any]) -> Any:
    """Findings as points at their site, newest first, capped at `limit`."""
    return domain_map.finding_features(
        database.session(), current_user(), province_code=query["province_code"],
        filters=MapQuerySchema().filters(query), bbox=query.get("bbox"), limit=query["limit"])
