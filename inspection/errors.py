"""Domain errors with stable codes; api/problems.py maps them to problem+json."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error the domain raises on purpose. `code` is stable and documented."""

    code = "domain-error"
    title = "Yêu cầu không thực hiện được"

    def __init__(self, detail: str, *, errors: dict[str, Any] | None = None, **extra: Any):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.extra = extra


class NotFound(DomainError):
    code = "not-found"
    title = "Không tìm thấy"


class Conflict(DomainError):
    code = "conflict"
    title = "Xung đột dữ liệu"


class InvalidState(DomainError):
    code = "invalid-state"
    title = "Trạng thái không cho phép thao tác này"


class RuleViolation(DomainError):
    code = "rule-violation"
    title = "Vi phạm quy tắc nghiệp vụ"


class ValidationFailed(DomainError):
    code = "validation-failed"
    title = "Dữ liệu không hợp lệ"


class VersionMismatch(DomainError):
    code = "version-mismatch"
    title = "Phiên bản dữ liệu đã cũ"


class PreconditionRequired(DomainError):
    code = "precondition-required"
    title = "Thiếu điều kiện phiên bản (If-Match)"


class Forbidden(DomainError):
    code = "forbidden"
    title = "Không có quyền thực hiện"


class Unauthenticated(DomainError):
    code = "unauthenticated"
    title = "Chưa đăng nhập hoặc phiên đăng nhập không còn hiệu lực"


class Throttled(DomainError):
    code = "throttled"
    title = "Quá nhiều lần thử"

    def __init__(self, detail: str, *, retry_after: int):
        super().__init__(detail)
        self.retry_after = retry_after


class Unavailable(DomainError):
    """A service the request needs (the job queue, the database) is down for now; nothing was
    kept, and the same request can be sent again after `retry_after` seconds."""

    code = "unavailable"
    title = "Dịch vụ tạm thời không sẵn sàng"

    def __init__(self, detail: str, *, retry_after: int):
        super().__init__(detail)
        self.retry_after = retry_after


class BadRequest(DomainError):
    """A request the protocol does not allow (missing or malformed headers)."""

    code = "bad-request"
    title = "Yêu cầu không hợp lệ"


class PayloadTooLarge(DomainError):
    code = "payload-too-large"
    title = "Dữ liệu gửi lên quá lớn"


class UnsupportedMediaType(DomainError):
    code = "unsupported-media-type"
    title = "Kiểu nội dung không được hỗ trợ"


class Gone(DomainError):
    code = "gone"
    title = "Tài nguyên không còn nữa"


class Locked(DomainError):
    """Someone else is writing this resource right now; retry shortly."""

    code = "locked"
    title = "Tài nguyên đang được ghi"


class ChecksumMismatch(DomainError):
    """Received bytes do not hash to the declared digest (tus: 460); nothing was kept."""

    code = "checksum-mismatch"
    title = "Mã kiểm tra (checksum) không khớp"


class PreconditionFailed(DomainError):
    """A request precondition other than a version (e.g. a protocol version) is not met."""

    code = "precondition-failed"
    title = "Điều kiện của yêu cầu không được đáp ứng"
