"""Optimistic concurrency: every mutable record has an integer `version`."""

from __future__ import annotations

from inspection import errors


def expect_version(current: int, expected: int | None, *, what: str) -> None:
    """`expected` is the version the client last saw (from If-Match); None means the client
    sent no precondition: 428. A different version: 412."""
    if expected is None:
        raise errors.PreconditionRequired(
            f"Cần gửi If-Match với ETag hiện tại của {what} để sửa đổi.")
    if expected != current:
        raise errors.VersionMismatch(
            f"{what.capitalize()} đã được thay đổi (phiên bản hiện tại {current}); "
            "hãy tải lại rồi sửa.", current_version=current)
