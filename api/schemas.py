"""Marshmallow schemas shared by several blueprints (problems, points, pagination)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class ProblemSchema(Schema):
    """RFC 9457 problem details."""

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    instance = fields.String()
    errors = fields.Dict()


class PointSchema(Schema):
    lon = fields.Float(required=True, validate=validate.Range(min=-180, max=180))
    lat = fields.Float(required=True, validate=validate.Range(min=-90, max=90))


class GpsFixSchema(PointSchema):
    accuracy_m = fields.Float(validate=validate.Range(min=0), allow_none=True)
