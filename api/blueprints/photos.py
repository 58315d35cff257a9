"""Photo evidence as the API shows it: an inspection's photos and their three renditions.

Renditions are content-addressed (the ETag is the object's sha256), so a tablet or browser
that holds one never fetches it twice. The original is served byte for byte, never as
anything but what its bytes were found to be (`nosniff`; an unchecked or rejected file is
`application/octet-stream`, as an attachment).
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Response
from flask_smorest import Blueprint
from marshmallow import Schema, fields, pre_dump

from api import database
from api.auth import current_user, login_required
from api.pagination import PAGE, paginate_select
from api.schemas import ProblemSchema
from api.stored import send_stored
from inspection import errors, photos
from inspection.models import Photo
from inspection.models.inspections import PHOTO_STATUSES

PREFIX = ""
blp = Blueprint("photos", __name__, description="Ảnh bằng chứng")

RENDITIONS = ("thumbnail", "preview", "original")
PHOTO_URL = "/api/v1/photos/{id}/{rendition}"
CACHE = "private, max-age=31536000, immutable"


class ExifSchema(Schema):
    taken_at = fields.String(allow_none=True, metadata={"description": "RFC 3339 when known."})
    lon = fields.Float(allow_none=True)
    lat = fields.Float(allow_none=True)
    make = fields.String(allow_none=True)
    model = fields.String(allow_none=True)


class UrlsSchema(Schema):
    thumbnail = fields.String(allow_none=True)
    preview = fields.String(allow_none=True)
    original = fields.String()


class PhotoSchema(Schema):
    id = fields.UUID()
    inspection_id = fields.UUID()
    item_code = fields.String(allow_none=True)
    sha256 = fields.String(metadata={"description": "Of the original, as uploaded."})
    size = fields.Integer()
    status = fields.String(metadata={"enum": list(PHOTO_STATUSES)})
    reason = fields.String(allow_none=True, metadata={
        "description": "Why a photo was rejected: `<code>: <message>`."})
    content_type = fields.String(allow_none=True)
    filename = fields.String(allow_none=True)
    width = fields.Integer(allow_none=True)
    height = fields.Integer(allow_none=True)
    exif = fields.Nested(ExifSchema, allow_none=True)
    flags = fields.List(fields.String())
    captured_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    processed_at = fields.DateTime(allow_none=True)
    version = fields.Integer()
    urls = fields.Nested(UrlsSchema)

    @pre_dump
    def _view(self, photo: Photo, **_: Any) -> dict[str, Any]:
        plain = ("id", "inspection_id", "item_code", "sha256", "size", "status", "reason",
                 "content_type", "filename", "width", "height", "captured_at", "created_at",
                 "processed_at", "version")
        ready = photo.status == "ready"
        exif = photo.exif or {}
        return {**{k: getattr(photo, k) for k in plain},
                "flags": photo.flags or [],
                "exif": {k: exif.get(k) for k in ("taken_at", "lon", "lat", "make", "model")}
                if photo.exif is not None else None,
                "urls": {r: PHOTO_URL.format(id=photo.id, rendition=r)
                         if ready or r == "original" else None for r in RENDITIONS}}


@blp.route("/inspections/<uuid:inspection_id>/photos")
@login_required()
@blp.response(200, PhotoSchema(many=True))
@blp.paginate(**PAGE)
@blp.alt_response(404, schema=ProblemSchema, description="No such inspection in your scope")
def list_photos(inspection_id: uuid.UUID, pagination_parameters: Any) -> list[Photo]:
    """The inspection's photos, oldest first, with their processing status."""
    stmt = photos.list_photos(database.session(), current_user(), inspection_id)
    return paginate_select(stmt, pagination_parameters)


@blp.route("/photos/<uuid:photo_id>")
@login_required()
@blp.response(200, PhotoSchema)
@blp.alt_response(404, schema=ProblemSchema, description="No such photo in your scope")
def get_photo(photo_id: uuid.UUID) -> Photo:
    """One photo's record."""
    return photos.find_photo(database.session(), current_user(), photo_id)


@blp.route("/photos/<uuid:photo_id>/<any(thumbnail, preview, original):rendition>")
@login_required()
@blp.doc(responses={
    200: {"description": "The bytes (JPEG for thumbnail and preview).",
          "content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}},
                      "application/octet-stream": {
                          "schema": {"type": "string", "format": "binary"}}}},
    304: {"description": "Not modified (If-None-Match)."}})
@blp.alt_response(404, schema=ProblemSchema, description="No such photo in your scope")
@blp.alt_response(409, schema=ProblemSchema, description="Not processed, or rejected")
def rendition(photo_id: uuid.UUID, rendition: str) -> Response:
    """A rendition: `thumbnail` (≤512 px) and `preview` (≤1600 px) of a ready photo, upright
    and without metadata; `original`, the uploaded bytes unchanged."""
    photo = photos.find_photo(database.session(), current_user(), photo_id)
    if rendition == "original":
        sha256, mimetype = photo.sha256, _original_type(photo)
    else:
        if photo.status != "ready":
            raise errors.InvalidState(
                "Ảnh chưa xử lý xong." if photo.status == "processing"
                else f"Ảnh đã bị từ chối ({photo.reason}); chỉ còn bản gốc.")
        sha256 = photo.thumbnail_sha256 if rendition == "thumbnail" else photo.preview_sha256
        mimetype = "image/jpeg"
    if sha256 is None:
        raise errors.InvalidState("Ảnh chưa có bản này.")
    disposition = None
    if rendition == "original":
        kind = "inline" if mimetype != "application/octet-stream" else "attachment"
        disposition = f'{kind}; filename="{photo.id}"'
    return send_stored(sha256, mimetype, disposition=disposition)


def _original_type(photo: Photo) -> str:
    """What the original is served as: its sniffed type once processing found it good."""
    return photo.content_type if photo.status == "ready" and photo.content_type else (
        "application/octet-stream")
