"""Answer values and compliance rules, judged from the item's own definition.

`compliant_when` is data, never code per item: `None` (never a finding), `{"in": [...]}`,
`{"min": n}`, `{"max": n}` or `{"gte_item": code}` (a number at least another item's number).
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Collection, Mapping
from datetime import date
from typing import Any, NoReturn

from inspection import errors
from inspection.models import ChecklistItem

YES_NO_NA = ("yes", "no", "na")
RULE_KEYS = ("in", "min", "max", "gte_item")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CANONICAL_UUID = re.compile(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")


MAX_NUMBER = 2**53 - 1
"""The largest magnitude of a number answer: JavaScript (the field app) holds every integer up
to it exactly, and both databases give such a number back as it was sent (SpatiaLite keeps a
bare JSON number as a 64-bit integer or a double, PostgreSQL's jsonb as a decimal)."""


def _is_number(value: Any) -> bool:
    """A finite int or float within ±`MAX_NUMBER`; booleans, NaN and infinities are not
    numbers here."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return (isinstance(value, int) or math.isfinite(value)) and abs(value) <= MAX_NUMBER


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
        ok = _is_number(value)
    elif kind == "text":
        ok = isinstance(value, str) and len(value) <= 10000
    elif kind == "date":
        ok = isinstance(value, str) and is_iso_date(value)
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
        "yes_no_na": "Cần một trong các giá trị: yes, no, na.",
        "number": "Cần một số (JSON number) trong khoảng ±9.007.199.254.740.991.",
        "text": "Cần một chuỗi ký tự.",
        "date": "Cần một ngày dạng YYYY-MM-DD.",
        "choice": f"Cần một trong các lựa chọn: {', '.join(item.choices or [])}.",
        "photo": "Cần mã ảnh (UUID).",
        "signature": "Cần mã ảnh chữ ký (UUID).",
    }.get(item.answer_type, "Giá trị không hợp lệ.")


def is_iso_date(text: str) -> bool:
    """Exactly YYYY-MM-DD and a real day (`date.fromisoformat` alone also takes 2026-W01-1)."""
    if not _ISO_DATE.fullmatch(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _is_uuid(text: str) -> bool:
    """The canonical 8-4-4-4-12 form only, so a photo id always compares equal as text."""
    if not _CANONICAL_UUID.fullmatch(text):
        return False
    uuid.UUID(text)
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


def validate_rule(rule: Any, item_codes: Collection[str] | Mapping[str, str], *,
                  answer_type: str | None = None, code: str | None = None,
                  choices: Collection[str] | None = None) -> None:
    """Check a `compliant_when` definition when a checklist version is drafted.

    `item_codes` may map each code to its answer type; then a `gte_item` must name a number
    item. With `answer_type`, the rule must suit the item (`in` for yes_no_na and choice items,
    `min`/`max`/`gte_item` for numbers); `code` forbids an item comparing with itself."""
    if rule is None:
        return
    if not isinstance(rule, Mapping) or len(rule) != 1 or next(iter(rule)) not in RULE_KEYS:
        _bad("compliant_when phải là một trong: in, min, max, gte_item.")
    key, arg = next(iter(rule.items()))
    if key == "in":
        if not isinstance(arg, list) or not arg:
            _bad("'in' cần một danh sách giá trị không rỗng.")
        if answer_type == "yes_no_na" and not all(v in YES_NO_NA for v in arg):
            _bad("'in' của mục yes_no_na chỉ gồm yes, no, na.")
        if answer_type == "choice" and not all(v in (choices or []) for v in arg):
            _bad("'in' của mục choice chỉ gồm các giá trị trong choices.")
        if answer_type is not None and answer_type not in ("yes_no_na", "choice"):
            _bad(f"'in' không dùng cho mục kiểu {answer_type}.")
        return
    if answer_type is not None and answer_type != "number":
        _bad(f"'{key}' chỉ dùng cho mục kiểu number.")
    if key in ("min", "max") and not _is_number(arg):
        _bad(f"'{key}' cần một số hữu hạn.")
    if key == "gte_item":
        if not isinstance(arg, str) or arg not in item_codes:
            _bad(f"'gte_item' nêu mục không tồn tại: {arg!r}.")
        if arg == code:
            _bad("'gte_item' không được so sánh mục với chính nó.")
        if isinstance(item_codes, Mapping) and item_codes[arg] != "number":
            _bad(f"'gte_item' phải nêu một mục kiểu number ({arg} không phải).")


def _bad(message: str) -> NoReturn:
    raise errors.ValidationFailed(message, errors={"compliant_when": [message]})
