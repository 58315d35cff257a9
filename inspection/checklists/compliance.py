"""Answer values and compliance rules, judged from the item's own definition.

`compliant_when` is data, never code per item: `None` (never a finding), `{"in": [...]}`,
`{"min": n}`, `{"max": n}` or `{"gte_item": code}` (a number at least another item's number).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

from inspection import errors
from inspection.models import ChecklistItem

YES_NO_NA = ("yes", "no", "na")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def validate_value(item: ChecklistItem, value: Any) -> None:
    """Raise ValidationFailed when `value` is not of the item's answer type.
    `None` is always accepted: it clears an answer."""
    if value is None:
        return
    kind = item.answer_type
    ok: bool
    if kind == "yes_no_na":
        ok = value in YES_NO_NA
    elif kind == "number":
        ok = _is_number(value) and value == value and abs(value) != float("inf")
    elif kind == "text":
        ok = isinstance(value, str) and len(value) <= 10000
    elif kind == "date":
        ok = isinstance(value, str) and _is_iso_date(value)
    elif kind == "choice":
        ok = isinstance(value, str) and value in (item.choices or [])
    elif kind in ("photo", "signature"):
        ok = isinstance(value, str) and _is_uuid(value)
    else:
        ok = False
    if not ok:
        raise errors.ValidationFailed(
            f"Giá trị không hợp lệ cho mục {item.code} (kiểu {kind}).",
            errors={"value": [_expected(item)]},
        )


def _expected(item: ChecklistItem) -> str:
    return {
        "yes_no_na": "one of yes, no, na",
        "number": "a JSON number",
        "text": "a string",
        "date": "a date YYYY-MM-DD",
        "choice": f"one of {', '.join(item.choices or [])}",
        "photo": "a photo id (UUID)",
        "signature": "a photo id (UUID) of the signature image",
    }.get(item.answer_type, "a valid value")


def _is_iso_date(text: str) -> bool:
    if len(text) != 10:
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def is_compliant(item: ChecklistItem, value: Any, values: Mapping[str, Any]) -> bool | None:
    """True or False where the item's rule can judge `value`; None where it cannot
    (no rule, no value, or the other item of a `gte_item` pair has no number)."""
    rule = item.compliant_when
    if not rule or value is None:
        return None
    if "in" in rule:
        return value in rule["in"]
    if not _is_number(value):
        return None
    if "min" in rule:
        return bool(value >= rule["min"])
    if "max" in rule:
        return bool(value <= rule["max"])
    if "gte_item" in rule:
        other = values.get(rule["gte_item"])
        return bool(value >= other) if _is_number(other) else None
    return None


def validate_rule(rule: Mapping[str, Any] | None, item_codes: set[str]) -> None:
    """Check a `compliant_when` definition when a checklist version is drafted."""
    if rule is None:
        return
    if len(rule) != 1 or next(iter(rule)) not in ("in", "min", "max", "gte_item"):
        raise errors.ValidationFailed("compliant_when must be one of in, min, max, gte_item",
                                      errors={"compliant_when": ["unknown rule"]})
    key, arg = next(iter(rule.items()))
    if key == "in" and not isinstance(arg, list):
        raise errors.ValidationFailed("'in' takes a list", errors={"compliant_when": ["in"]})
    if key in ("min", "max") and not _is_number(arg):
        raise errors.ValidationFailed(f"'{key}' takes a number",
                                      errors={"compliant_when": [key]})
    if key == "gte_item" and arg not in item_codes:
        raise errors.ValidationFailed(f"'gte_item' names an unknown item {arg!r}",
                                      errors={"compliant_when": ["gte_item"]})
