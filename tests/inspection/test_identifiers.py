"""Identifiers (device, mutation, user names): the characters none may hold."""

from __future__ import annotations

import unicodedata

from inspection.identifiers import _REFUSED_CATEGORIES, unsafe_character


def test_every_ascii_character_is_judged_by_its_unicode_category():
    """Printable ASCII takes a quick path; it must refuse what the categories refuse."""
    for code in range(128):
        ch = chr(code)
        refused = unicodedata.category(ch) in _REFUSED_CATEGORIES
        assert unsafe_character(f"tablet-{ch}-1") == (ch if refused else None), hex(code)


def test_other_characters_are_judged_one_by_one():
    assert unsafe_character("máy-tính-bảng-1") is None
    assert unsafe_character("m-1\u200b") == "\u200b"  # a zero-width space (Cf)
    assert unsafe_character("m\u00a01") == "\u00a0"  # a no-break space (Zs)
    assert unsafe_character("m-\U0010ffff") == "\U0010ffff"  # not assigned (Cn)
