"""Marshmallow schemas, fields and validators shared by several blueprints (problems, points,
moments, identifiers, documents' digital signatures)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from marshmallow import INCLUDE, Schema, ValidationError, fields, validate

from inspection import identifiers


class Identifier(validate.Validator):
    """An identifier as `inspection.identifiers` accepts it: the whole value matches `pattern`
    (when given), it is NFC, and it holds no control, format or invisible character. `error`
    replaces the message of a value off the pattern. The anchored pattern is documented."""

    def __init__(self, pattern: re.Pattern[str] | None = None, *,
                 error: str | None = None) -> None:
        self.pattern = pattern
        self.error = error
        # apispec documents a validator's `regex` as the field's (ECMA, search) `pattern`.
        self.regex = re.compile(f"^(?:{pattern.pattern})$") if pattern is not None else None

    def __call__(self, value: Any) -> Any:
        why = identifiers.problem(value, self.pattern)
        if why is None:
            return value
        if self.error and identifiers.problem(value) is None:
            why = self.error  # off the pattern only: the field's own wording
        raise ValidationError(why)


PROVINCE_CODE = Identifier(identifiers.PROVINCE_CODE, error="Mã tỉnh gồm 2 chữ số.")
DEVICE_ID = [validate.Length(min=1, max=100), Identifier()]
MUTATION_ID = [validate.Length(min=1, max=100), Identifier()]
COMMUNE_CODE = Identifier(identifiers.COMMUNE_CODE, error="Mã xã, phường gồm 5 chữ số.")


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
    existing_id = fields.String(metadata={
        "description": "A 409 on `POST /inspections` (or a rejected sync creation): the id "
                       "of the campaign and site's open inspection to join."})


class CertificateSchema(Schema):
    subject = fields.String()
    issuer = fields.String()
    serial = fields.String(metadata={"description": "Hexadecimal."})
    not_before = fields.DateTime()
    not_after = fields.DateTime()


class SignatureSchema(Schema):
    """A stored PDF's digital signature (PAdES) as checked now against the trusted CAs
    (`KT1_SIGNING_TRUST`)."""

    present = fields.Boolean()
    valid = fields.Boolean(metadata={
        "description": "Intact, trusted and not changed after signing."})
    intact = fields.Boolean(metadata={"description": "The signed bytes are unchanged."})
    trusted = fields.Boolean(metadata={"description": "The certificate chains to a trusted CA."})
    signer = fields.String(allow_none=True, metadata={
        "description": "The certificate subject's common name."})
    organisation = fields.String(allow_none=True)
    certificate = fields.Nested(CertificateSchema, allow_none=True)
    signed_at = fields.DateTime(allow_none=True, metadata={
        "description": "The signing time the signature states (UTC)."})
    modified_after_signing = fields.Boolean(allow_none=True, metadata={
        "description": "null: could not be told (the signature itself is damaged)."})


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
