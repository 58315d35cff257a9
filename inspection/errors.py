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
