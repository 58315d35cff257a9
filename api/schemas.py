"""Marshmallow schemas and fields shared by several blueprints (problems, points, moments)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from marshmallow import INCLUDE, Schema, fields, validate


class ProblemSchema(Schema):
    """RFC 9457 problem details; a problem may carry extension members of its own
    (`current_version`, `max_mutations`, `max_depth`, ...), so others are allowed."""

    class Meta:
        unknown = INCLUDE

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


class Moment(fields.AwareDateTime):
    """An RFC 3339 date-time with offset naming an instant UTC can hold: year 1 east of
    Greenwich or year 9999 west of it is out of range, not an OverflowError later on."""

    default_error_messages = {
        "out_of_range": "Thời điểm nằm ngoài phạm vi cho phép (năm 1 đến 9999 theo giờ UTC)."}

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> datetime:
        return self.in_range(super()._deserialize(value, attr, data, **kwargs))

    def in_range(self, moment: datetime) -> datetime:
        try:
            moment.astimezone(UTC)
        except OverflowError as exc:
            raise self.make_error("out_of_range") from exc
        return moment
