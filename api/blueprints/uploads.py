"""/uploads: a tus 1.0.0 server for photo evidence (core, creation, checksum,
termination, expiration).

The protocol is spoken here; the rules (who may upload, limits, what an upload becomes) are in
`inspection.photos`, the bytes in `media.uploads`. An append streams the body to disk in
chunks with no database transaction open; when the last byte is in, the whole file must hash
to the declared sha256 (else 460 and nothing is kept), then it is stored, a `processing` Photo
is created and its processing job is queued once that commits. Every answer, errors included,
carries `Tus-Resumable`; errors are problem+json like the rest of the API.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from flask import Response, current_app, jsonify, request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from werkzeug.http import http_date

from api import database
from api.auth import current_principal, current_user, login_required
from api.jobs import enqueue_after_commit
from api.schemas import ProblemSchema
from api.stored import blob_store
from api.upload_body import body_of
from inspection import errors, photos
from inspection.models import Upload
from media.uploads import (
    CHECKSUM_ALGORITHMS,
    Appended,
    Body,
    BodyIncomplete,
    Checksum,
    ChecksumMismatch,
    OffsetMismatch,
    PartialUploads,
    TooLong,
    UploadLocked,
    UploadMissing,
)

PREFIX = "/uploads"
blp = Blueprint("uploads", __name__, description="Tải ảnh bằng chứng (tus 1.0.0)")

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,checksum,termination,expiration"
OFFSET_TYPE = "application/offset+octet-stream"
_METADATA_KEY = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_DIGITS = re.compile(r"^\d{1,19}$")


def _header(name: str, text: str, *, required: bool = False,
            pattern: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if pattern:
        schema["pattern"] = pattern
    return {"in": "header", "name": name, "required": required, "schema": schema,
            "description": text}


TUS_RESUMABLE = _header("Tus-Resumable", "Protocol version: `1.0.0`.", required=True)
UPLOAD_OFFSET = _header("Upload-Offset", "Where this body starts: the server's offset.",
                        required=True, pattern=r"^\d+$")
PROBLEM = {"content": {"application/problem+json": {"schema": ProblemSchema}}}


def _problems(*statuses: int) -> dict[int, Any]:
    return {status: {"description": "A problem (RFC 9457).", **PROBLEM} for status in statuses}


class UploadCreatedSchema(Schema):
    id = fields.UUID()
    photo_id = fields.UUID(metadata={"description": "The photo this upload becomes."})
    offset = fields.Integer()
    length = fields.Integer()
    expires_at = fields.DateTime()
    completed = fields.Boolean()


@blp.after_request
def _tus_resumable(response: Response) -> Response:
    response.headers["Tus-Resumable"] = TUS_VERSION
    if response.status_code == 204 or (request.method == "HEAD" and response.status_code == 200):
        del response.headers["Content-Type"]  # no body, so no type (not Flask's text/html)
    if response.status_code == 412:
        response.headers["Tus-Version"] = TUS_VERSION
    return response


def _partials() -> PartialUploads:
    """The app's one `PartialUploads`: it keeps the running sha256 of the uploads this
    process receives between their appends."""
    partials = current_app.extensions.get("kt1_uploads")
    if partials is None:
        partials = current_app.extensions.setdefault(
            "kt1_uploads", PartialUploads(database.settings().upload_path))
    return partials  # type: ignore[no-any-return]


def _require_tus() -> None:
    """tus: a request without a version this server speaks is refused with 412 and the
    versions it does speak (`Tus-Version`)."""
    if request.headers.get("Tus-Resumable") != TUS_VERSION:
        raise errors.PreconditionFailed(
            f"Cần tiêu đề Tus-Resumable: {TUS_VERSION} (phiên bản giao thức tus).",
            errors={"Tus-Resumable": [f"must be {TUS_VERSION}"]})


def _number(name: str, *, required: bool = True) -> int | None:
    raw = request.headers.get(name)
    if raw is None and not required:
        return None
    if raw is None or not _DIGITS.fullmatch(raw.strip()):
        raise errors.BadRequest(f"Tiêu đề {name} phải là số nguyên không âm.",
                                errors={name: ["non-negative integer required"]})
    return int(raw.strip())


def parse_metadata(raw: str | None) -> dict[str, str]:
    """`Upload-Metadata`: comma-separated `key base64(value)` pairs (a value may be absent)."""
    pairs: dict[str, str] = {}
    for part in (raw or "").split(","):
        if not part.strip():
            continue
        key, _, encoded = part.strip().partition(" ")
        try:
            if not _METADATA_KEY.fullmatch(key) or key in pairs:
                raise ValueError(key)
            pairs[key] = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
            raise errors.BadRequest(
                "Tiêu đề Upload-Metadata không đúng dạng (khoá base64(giá trị), cách bằng dấu "
                "phẩy).", errors={"Upload-Metadata": [f"bad pair {key[:64]!r}"]}) from exc
        if "\x00" in pairs[key]:
            raise errors.BadRequest("Siêu dữ liệu chứa ký tự NUL.",
                                    errors={"Upload-Metadata": [f"NUL in {key}"]})
    return pairs


def _encode_metadata(upload: Upload) -> str:
    values = {"inspection_id": str(upload.inspection_id), "item_code": upload.item_code,
              "filename": upload.filename, "filetype": upload.filetype,
              "sha256": upload.sha256, "photo_id": str(upload.photo_id),
              "captured_at": upload.captured_at.isoformat() if upload.captured_at else None}
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}"
                    for k, v in values.items() if v)


def _offset_of(upload: Upload) -> int:
    if upload.completed_at is not None:
        return upload.length
    try:
        return _partials().offset(str(upload.id))
    except UploadMissing as exc:
        raise errors.Gone("Dữ liệu của phiên tải lên không còn; hãy tải lại từ đầu.") from exc


def _location(upload: Upload) -> str:
    return url_for("uploads.UploadResource", upload_id=str(upload.id), _external=True)


def _expires(upload: Upload) -> dict[str, str]:
    return {} if upload.completed_at else {"Upload-Expires": http_date(upload.expires_at)}


@blp.route("")
class Uploads(MethodView):
    @blp.doc(parameters=[], security=[], responses={204: {"description": (
        "What this server supports: `Tus-Version`, `Tus-Extension`, `Tus-Max-Size`, "
        "`Tus-Checksum-Algorithm`.")}})
    def options(self) -> Response:
        """The server's tus capabilities (no authentication needed)."""
        return Response(status=204, headers={
            "Tus-Version": TUS_VERSION,
            "Tus-Extension": TUS_EXTENSIONS,
            "Tus-Max-Size": str(database.settings().max_upload_bytes),
            "Tus-Checksum-Algorithm": ",".join(CHECKSUM_ALGORITHMS),
        })

    @login_required()
    @blp.doc(parameters=[
        TUS_RESUMABLE,
        _header("Upload-Length", "The whole file's size in bytes.", required=True,
                pattern=r"^\d+$"),
        _header("Upload-Metadata", "Comma-separated `key base64(value)`: `inspection_id` and "
                "`sha256` (hex, the whole file's) required; `item_code`, `filename`, "
                "`filetype`, `captured_at` (RFC 3339), `photo_id` (the client's UUID for "
                "the photo) optional.", required=True),
    ], responses={201: {"description": "Created; `Location` names the upload.",
                         "content": {"application/json": {"schema": UploadCreatedSchema}}},
                   **_problems(400, 401, 403, 404, 409, 412, 413, 422)})
    def post(self) -> Response:
        """Create an upload (a repeated creation of the same photo answers the same
        upload, finished or not)."""
        _require_tus()
        if request.headers.get("Upload-Defer-Length") is not None:
            raise errors.BadRequest("Không hỗ trợ Upload-Defer-Length; hãy gửi Upload-Length.",
                                    errors={"Upload-Defer-Length": ["not supported"]})
        length = _number("Upload-Length")
        assert length is not None
        settings = database.settings()
        upload = photos.start_upload(
            database.session(), current_user(), device_id=current_principal().device_id,
            length=length, metadata=parse_metadata(request.headers.get("Upload-Metadata")),
            settings=settings, partials=_partials())
        resp = jsonify(UploadCreatedSchema().dump({
            "id": upload.id, "photo_id": upload.photo_id, "offset": _offset_of(upload),
            "length": upload.length, "expires_at": upload.expires_at,
            "completed": upload.completed_at is not None}))
        resp.status_code = 201
        resp.headers.update({"Location": _location(upload), **_expires(upload)})
        return resp


@blp.route("/<upload_id>")
class UploadResource(MethodView):
    @login_required()
    @blp.doc(parameters=[TUS_RESUMABLE], responses={
        200: {"description": "`Upload-Offset`, `Upload-Length`, `Upload-Metadata`, "
                             "`Upload-Expires`; no body."},
        **_problems(401, 403, 404, 410, 412)})
    def head(self, upload_id: str) -> Response:
        """Where the upload stands: the offset to resume from."""
        _require_tus()
        session = database.session()
        upload = photos.get_upload(session, current_user(), upload_id)
        offset = _offset_of(upload)  # safe: bytes all in but not completed are completed by
        # the next PATCH (at that offset, empty) or by the outbox sweeper, never here
        return Response(status=200, headers={
            "Upload-Offset": str(offset), "Upload-Length": str(upload.length),
            "Upload-Metadata": _encode_metadata(upload), "Cache-Control": "no-store",
            **_expires(upload)})

    @login_required()
    @blp.doc(parameters=[
        TUS_RESUMABLE, UPLOAD_OFFSET,
        _header("Upload-Checksum", "`<algorithm> <base64 digest>` of this body "
                f"({', '.join(CHECKSUM_ALGORITHMS)}); a mismatch keeps none of it (460)."),
    ], requestBody={"required": True, "content": {
        OFFSET_TYPE: {"schema": {"type": "string", "format": "binary"}}}},
        responses={204: {"description": "Appended: `Upload-Offset` is the new offset."},
                   **_problems(400, 401, 403, 404, 409, 410, 412, 413, 415, 423, 460)})
    def patch(self, upload_id: str) -> Response:
        """Append the body at `Upload-Offset`. At the last byte the whole file must hash to
        the declared sha256 (else 460, nothing kept); then the photo exists and is queued for
        processing."""
        _require_tus()
        if request.mimetype != OFFSET_TYPE:
            raise errors.UnsupportedMediaType(f"Thân yêu cầu PATCH phải có kiểu {OFFSET_TYPE}.",
                                              errors={"Content-Type": [OFFSET_TYPE]})
        offset = _number("Upload-Offset")
        assert offset is not None
        ticket = photos.open_for_append(database.session(), current_user(), upload_id)
        if ticket.completed:
            if offset == ticket.length and not request.content_length:
                return Response(status=204, headers={"Upload-Offset": str(offset)})
            raise errors.Conflict("Tệp đã tải lên xong.", errors={"Upload-Offset": [
                f"the upload is complete at {ticket.length}"]}, offset=ticket.length)
        new_offset = _append(ticket, offset)
        headers = {"Upload-Offset": str(new_offset)}
        if new_offset < ticket.length:
            headers["Upload-Expires"] = http_date(ticket.expires_at)
        return Response(status=204, headers=headers)

    @login_required()
    @blp.doc(parameters=[TUS_RESUMABLE], responses={
        204: {"description": "Terminated: the bytes received are gone."},
        **_problems(401, 403, 404, 409, 410, 412)})
    def delete(self, upload_id: str) -> Response:
        """Cancel an unfinished upload. A finished one is evidence and stays (409)."""
        _require_tus()
        upload = photos.terminate(database.session(), current_user(), upload_id)
        partials, upload_key = _partials(), str(upload.id)
        database.on_commit(lambda: partials.discard(upload_key))
        return Response(status=204)


def _append(ticket: photos.Ticket, offset: int) -> int:
    """Stream the request body into the upload at `offset`; complete it at its last byte.
    Returns the new offset."""
    partials = _partials()
    raw = request.headers.get("Upload-Checksum")
    try:
        checksum = Checksum.parse(raw) if raw is not None else None
    except ValueError as exc:
        raise errors.BadRequest(f"Upload-Checksum không hợp lệ: {exc}.",
                                errors={"Upload-Checksum": [str(exc)]}) from exc
    request.max_content_length = database.settings().max_upload_bytes
    read = _body_reader()
    database.release()  # no transaction stays open while the bytes arrive
    try:
        appended = partials.append(ticket.id, read, offset=offset,
                                   length=request.content_length, total=ticket.length,
                                   checksum=checksum)
    except UploadMissing as exc:
        raise errors.Gone("Dữ liệu của phiên tải lên không còn; hãy tải lại từ đầu.") from exc
    except UploadLocked as exc:
        raise errors.Locked("Một yêu cầu khác đang ghi vào phiên tải lên này; thử lại sau.",
                            ) from exc
    except OffsetMismatch as exc:
        raise _offset_mismatch(exc.expected, exc.given) from exc
    except TooLong as exc:
        raise errors.PayloadTooLarge(
            f"Thân yêu cầu vượt quá phần còn lại của tệp ({exc.remaining} byte).",
            errors={"Content-Length": [f"at most {exc.remaining}"]}) from exc
    except ChecksumMismatch as exc:
        raise errors.ChecksumMismatch(
            "Mã kiểm tra của phần dữ liệu không khớp; phần này không được lưu, hãy gửi lại.",
            errors={"Upload-Checksum": ["does not match the body"]}) from exc
    except BodyIncomplete as exc:
        raise errors.BadRequest("Thân yêu cầu kết thúc trước khi đủ độ dài khai báo.",
                                errors={"Content-Length": [f"{exc.kept} bytes kept"]}) from exc
    if appended.offset == ticket.length:
        _complete(ticket, appended)
    return appended.offset


def _body_reader() -> Body:
    """The request body. One of declared length is read from the server's input (its
    socket under gunicorn) into the append's own buffers, never past that length (WSGI
    allows it): werkzeug's wrapper would copy every block twice more. Its size limit (413)
    is checked here all the same."""
    stream = request.stream  # RequestEntityTooLarge above `max_content_length`
    if request.content_length is None:
        return stream.read  # chunked: the wrapper knows where the body ends
    return body_of(request.environ, request.content_length)


def _offset_mismatch(current: int, given: int) -> errors.Conflict:
    return errors.Conflict(f"Vị trí ghi {given} không khớp vị trí hiện tại {current}.",
                           errors={"Upload-Offset": [f"the upload is at {current}"]},
                           offset=current)


def _complete(ticket: photos.Ticket, appended: Appended | None) -> None:
    store = blob_store()
    partials = _partials()
    try:
        photo = photos.complete(database.session(), ticket, store=store, partials=partials,
                                sha256_from_start=appended.sha256_from_start if appended
                                else None)
    except errors.ChecksumMismatch:
        database.commit_even_on_error()  # the upload's record goes with its bytes
        raise
    database.on_commit(lambda: partials.discard(ticket.id))
    # The photo is `processing` once committed: a queue that is down only delays it (the outbox
    # sweeper hands it over), so the upload itself succeeds.
    enqueue_after_commit(photos.PROCESS_JOB, str(photo.id),
                         key=photos.processing_key(photo.id), check_queue=False)
