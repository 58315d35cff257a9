"""ETags carry a record's version: `"<version>"`. If-Match / If-None-Match parsing."""

from __future__ import annotations

import re

from flask import Response, request

# A version is a positive integer that fits a 64-bit column: at most 18 ASCII digits. Anything
# else (non-ASCII digits such as "²", 5,000 digits Python would refuse to convert) names a
# version no record can have.
_VERSION = re.compile(r"[0-9]{1,18}")


def etag_for(version: int) -> str:
    return f'"{version}"'


def set_etag(response: Response, version: int) -> Response:
    response.headers["ETag"] = etag_for(version)
    return response


def if_match_version(current: int | None = None) -> int | None:
    """The version named by If-Match (for `inspection.versions.expect_version`): None when
    absent (428); -1 when it names no version we could have (412), however malformed or
    long; `*` names `current`."""
    raw = request.headers.get("If-Match")
    if raw is None:
        return None
    parsed = _parse(raw)
    return (current if current is not None else -1) if parsed == -2 else parsed


def if_none_match_star() -> bool:
    return request.headers.get("If-None-Match", "").strip() == "*"


def _parse(raw: str) -> int:
    first = raw.split(",")[0].strip()
    if first == "*":
        return -2
    if first.startswith("W/"):
        first = first[2:]
    first = first.strip('"')
    return int(first) if _VERSION.fullmatch(first) else -1
