"""The one place that turns every error into RFC 9457 application/problem+json."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, json, request
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

from api import json_body
from inspection import errors

log = logging.getLogger(__name__)

PROBLEM_TYPE = "urn:kt1:problem:"

STATUS_BY_CODE = {
    errors.NotFound.code: 404,
    errors.Conflict.code: 409,
    errors.InvalidState.code: 409,
    errors.RuleViolation.code: 422,
    errors.ValidationFailed.code: 422,
    errors.VersionMismatch.code: 412,
    errors.PreconditionRequired.code: 428,
    errors.Forbidden.code: 403,
    errors.Unauthenticated.code: 401,
    errors.Throttled.code: 429,
    errors.BadRequest.code: 400,
    errors.PreconditionFailed.code: 412,
    errors.PayloadTooLarge.code: 413,
    errors.UnsupportedMediaType.code: 415,
    errors.Gone.code: 410,
    errors.Locked.code: 423,
    errors.ChecksumMismatch.code: 460,  # tus 1.0.0 checksum extension
    errors.Unavailable.code: 503,
    json_body.MalformedJson.code: 400,
    json_body.NestingTooDeep.code: 400,
    json_body.NonStandardJson.code: 400,
}

HTTP_TITLES = {
    400: ("bad-request", "Yêu cầu không hợp lệ"),
    401: ("unauthenticated", "Chưa đăng nhập hoặc phiên đăng nhập không còn hiệu lực"),
    403: ("forbidden", "Không có quyền thực hiện"),
    404: ("not-found", "Không tìm thấy"),
    405: ("method-not-allowed", "Phương thức không được hỗ trợ"),
    406: ("not-acceptable", "Không hỗ trợ định dạng được yêu cầu"),
    409: ("conflict", "Xung đột dữ liệu"),
    412: ("version-mismatch", "Phiên bản dữ liệu đã cũ"),
    413: ("payload-too-large", "Dữ liệu gửi lên quá lớn"),
    415: ("unsupported-media-type", "Kiểu nội dung không được hỗ trợ"),
    422: ("validation-failed", "Dữ liệu không hợp lệ"),
    428: ("precondition-required", "Thiếu điều kiện phiên bản (If-Match)"),
    429: ("throttled", "Quá nhiều lần thử"),
    500: ("internal-error", "Lỗi hệ thống"),
    503: ("unavailable", "Dịch vụ tạm thời không sẵn sàng"),
}

DATABASE_DOWN_RETRY_AFTER_S = 5


def problem(status: int, code: str, title: str, detail: str | None = None,
            extra: dict[str, Any] | None = None) -> Response:
    body: dict[str, Any] = {k: v for k, v in (extra or {}).items() if v is not None}
    body.update({"type": PROBLEM_TYPE + code, "title": title, "status": status,
                 "instance": request.path})
    if detail:
        body["detail"] = detail
    resp = Response(json.dumps(body, ensure_ascii=False), status=status,
                    mimetype="application/problem+json")
    return resp


# marshmallow's and webargs' messages, as a Vietnamese user reads them (prefix match).
VIETNAMESE_MESSAGES = (
    ("Missing data for required field.", "Thiếu trường bắt buộc."),
    ("Unknown field.", "Trường không được hỗ trợ."),
    ("Field may not be null.", "Trường này không được để trống (null)."),
    ("Not a valid string.", "Không phải chuỗi ký tự hợp lệ."),
    ("Not a valid integer.", "Không phải số nguyên hợp lệ."),
    ("Not a valid number.", "Không phải số hợp lệ."),
    ("Number too large.", "Số quá lớn."),
    ("Special numeric values (nan or infinity) are not permitted.",
     "Không chấp nhận NaN hay vô cực."),
    ("Not a valid boolean.", "Không phải giá trị đúng/sai hợp lệ."),
    ("Not a valid UUID.", "Không phải mã UUID hợp lệ."),
    ("Not a valid date.", "Không phải ngày hợp lệ (YYYY-MM-DD)."),
    ("Not a valid datetime.", "Không phải thời điểm hợp lệ (RFC 3339)."),
    ("Not a valid list.", "Không phải danh sách hợp lệ."),
    ("Not a valid mapping type.", "Không phải đối tượng JSON hợp lệ."),
    ("Invalid input type.", "Kiểu dữ liệu không hợp lệ."),
    ("Invalid value.", "Giá trị không hợp lệ."),
    ("Must be one of:", "Phải là một trong:"),
    ("Must be greater than or equal to", "Phải lớn hơn hoặc bằng"),
    ("Must be less than or equal to", "Phải nhỏ hơn hoặc bằng"),
    ("Must be greater than", "Phải lớn hơn"),
    ("Must be less than", "Phải nhỏ hơn"),
    ("Shorter than minimum length", "Ngắn hơn độ dài tối thiểu"),
    ("Longer than maximum length", "Dài hơn độ dài tối đa"),
    ("Length must be between", "Độ dài phải trong khoảng"),
    ("String does not match expected pattern.", "Chuỗi không đúng định dạng."),
)


def vietnamese(message: Any) -> Any:
    """Translate marshmallow's messages, recursively; anything else is kept."""
    if isinstance(message, str):
        for english, viet in VIETNAMESE_MESSAGES:
            if message.startswith(english):
                return viet + message[len(english):]
        return message
    if isinstance(message, list):
        return [vietnamese(m) for m in message]
    if isinstance(message, dict):
        return {k: vietnamese(v) for k, v in message.items()}
    return message


def _flatten_messages(messages: Any) -> dict[str, Any]:
    """webargs nests messages by location (`json`, `query`, ...); clients want fields."""
    if not isinstance(messages, dict):
        return {"_schema": messages}
    flat: dict[str, Any] = {}
    for location, fields in messages.items():
        if isinstance(fields, dict):
            flat.update(fields)
        else:
            flat[location] = fields
    return flat


def problem_body(exc: errors.DomainError) -> dict[str, Any]:
    """The problem object of a domain error, for errors reported inside a 200 body (the
    results of a sync push): the same type, title, status and fields as its response."""
    body: dict[str, Any] = {k: v for k, v in {"errors": exc.errors, **exc.extra}.items()
                            if v is not None}
    body.update({"type": PROBLEM_TYPE + exc.code, "title": exc.title,
                 "status": STATUS_BY_CODE.get(exc.code, 400), "detail": exc.detail})
    return body


def _from_domain(exc: errors.DomainError) -> Response:
    status = STATUS_BY_CODE.get(exc.code, 400)
    resp = problem(status, exc.code, exc.title, exc.detail,
                   extra={"errors": exc.errors, **exc.extra})
    if isinstance(exc, errors.Throttled | errors.Unavailable):
        resp.headers["Retry-After"] = str(exc.retry_after)
    return resp


def _from_http(exc: HTTPException) -> Response:
    status = exc.code or 500
    code, title = HTTP_TITLES.get(status, ("http-error", exc.name))
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages")
    detail = None
    if status == 400 and isinstance(messages, dict) and isinstance(messages.get("json"), list):
        code, title = "malformed-json", "Nội dung JSON không đọc được"
        detail = "Thân yêu cầu không phải JSON hợp lệ."
        messages = None
    elif status == 413:
        detail = "Thân yêu cầu vượt quá giới hạn cho phép."
    elif status == 405:
        detail = f"Phương thức {request.method} không dùng được cho {request.path}."
    elif status == 404:
        detail = "Không có tài nguyên tại địa chỉ này."
    elif status == 422:
        detail = "Một số trường không hợp lệ; xem 'errors'."
    resp = problem(status, code, title, detail,
                   extra={"errors": vietnamese(_flatten_messages(messages)) if messages else None})
    for name, value in (getattr(exc, "get_headers", lambda: [])() or []):
        if name.lower() in ("allow", "retry-after"):
            resp.headers[name] = value
    for name, value in (data.get("headers") or {}).items():
        resp.headers[name] = value
    return resp


def _from_unexpected(exc: Exception) -> Response:
    if _database_unavailable(exc):
        log.warning("database unavailable on %s %s: %s", request.method, request.path, exc)
        return _from_domain(errors.Unavailable(
            "Cơ sở dữ liệu tạm thời không sẵn sàng; yêu cầu chưa được ghi nhận. Vui lòng gửi "
            "lại sau giây lát.", retry_after=DATABASE_DOWN_RETRY_AFTER_S))
    log.exception("unhandled error on %s %s", request.method, request.path)
    return problem(500, "internal-error", "Lỗi hệ thống",
                   "Đã có lỗi không mong muốn; lỗi đã được ghi lại.")


def _database_unavailable(exc: Exception) -> bool:
    """A lost connection (a backend terminated, the server restarting) or a database too busy
    to answer (SQLite's lock timeout): the transaction was rolled back, a retry can succeed."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, OperationalError)


def init_app(app: Flask) -> None:
    app.register_error_handler(errors.DomainError, _from_domain)
    app.register_error_handler(HTTPException, _from_http)
    app.register_error_handler(Exception, _from_unexpected)
