"""Identifiers that people type or clients send (usernames, codes, device and mutation ids):
one check for all of them, so that two identifiers never look alike and differ.

An identifier matches its pattern in full (`re.fullmatch`: a pattern's `$` also lets a trailing
newline through, so "giamsat.ct\\n" passed for "giamsat.ct"), is in NFC, and holds no control,
format, separator or other invisible character (no newline, tab, zero-width space, bidi
override, no-break or ideographic space), whatever its pattern. Patterns are ASCII-only
(`re.ASCII`: `\\d` is 0-9, not the Arabic-Indic or full-width digits).
"""

from __future__ import annotations

import re
import unicodedata

from inspection import errors

USERNAME = re.compile(r"[a-z0-9_.-]{3,80}", re.ASCII)
PROVINCE_CODE = re.compile(r"[0-9]{2}", re.ASCII)
COMMUNE_CODE = re.compile(r"[0-9]{5}", re.ASCII)
CHECKLIST_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,49}", re.ASCII)
ITEM_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,19}", re.ASCII)
# A feed cursor: a position, then a position per province for a reader of several.
CURSOR = re.compile(r"[0-9]{1,18}(?:-[0-9A-Z]{2}:[0-9]{1,18}){0,64}", re.ASCII)

# Unicode categories never allowed: controls, formats (zero-width, bidi), surrogates, private
# use, unassigned, and every separator (spaces of any width, line and paragraph separators).
_REFUSED_CATEGORIES = ("Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp")


def unsafe_character(value: str) -> str | None:
    """The first character of `value` that no identifier may hold, or None."""
    if value.isascii() and value.isprintable() and " " not in value:
        return None  # printable ASCII is letters, digits, punctuation, symbols and the space
    return next((ch for ch in value if unicodedata.category(ch) in _REFUSED_CATEGORIES), None)


def problem(value: str, pattern: re.Pattern[str] | None = None) -> str | None:
    """Why `value` is not an acceptable identifier (of `pattern`, when given), as a user reads
    it; None when it is."""
    bad = unsafe_character(value)
    if bad is not None:
        return (f"Chứa ký tự U+{ord(bad):04X} (ký tự điều khiển, khoảng trắng hoặc ký tự ẩn), "
                "không được phép trong mã định danh.")
    if unicodedata.normalize("NFC", value) != value:
        return "Chưa ở dạng Unicode chuẩn NFC."
    if pattern is not None and pattern.fullmatch(value) is None:
        return "Không đúng định dạng."
    return None


def check(value: str, *, field: str, pattern: re.Pattern[str] | None = None) -> str:
    """`value` if it is an acceptable identifier, else ValidationFailed keyed by `field`."""
    why = problem(value, pattern)
    if why is not None:
        raise errors.ValidationFailed(f"Trường '{field}' không hợp lệ: {why}",
                                      errors={field: [why]})
    return value
