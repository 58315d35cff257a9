"""A JSON request body, parsed once per request with limits, before any view runs.

Refused with a problem: nesting deeper than `MAX_DEPTH` (400 `nesting-too-deep`, found by a
scan that does not recurse, so 100,000 brackets cost no stack); NaN, Infinity, -Infinity,
numbers that overflow to infinity (1e400) and integers longer than `MAX_INT_DIGITS` (400
`non-standard-json`); strings or keys holding a lone UTF-16 surrogate or NUL, which no
database stores (422). Every refusal names its fields by dotted path (`location.lon`).

A view marked `@items_checked_alone("mutations")` has each item of that list checked on its
own (`refusal`), so one bad mutation is one rejected result and the rest of the batch applies;
until then such a number stays in the body as a `Refused` marker.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, current_app, g, request
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

from inspection import errors

MAX_DEPTH = 64
MAX_INT_DIGITS = 4300  # Python refuses to convert longer digit strings (sys.int_info)

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_EMPTY = object()

F = TypeVar("F", bound=Callable[..., Any])


class MalformedJson(errors.BadRequest):
    code = "malformed-json"
    title = "Nội dung JSON không đọc được"


class NestingTooDeep(errors.BadRequest):
    code = "nesting-too-deep"
    title = "JSON lồng nhau quá sâu"


class NonStandardJson(errors.BadRequest):
    code = "non-standard-json"
    title = "JSON có số không theo chuẩn"


@dataclass(frozen=True)
class Refused:
    """Stands in the parsed body for a number JSON does not have; `message` says why."""

    message: str


NAN = Refused("NaN không phải là số JSON hợp lệ.")
INFINITY = Refused("Infinity không phải là số JSON hợp lệ.")
OVERFLOW = Refused("Số vượt quá phạm vi số thực (tràn thành vô cực).")
TOO_LONG = Refused(f"Số nguyên dài hơn {MAX_INT_DIGITS} chữ số.")
UNSTORABLE = ("Chuỗi chứa ký tự không lưu được: NUL (\\u0000) hoặc một nửa cặp UTF-16 "
              "(surrogate) đơn lẻ.")


def _constant(name: str) -> Refused:
    return NAN if name == "NaN" else INFINITY


def _float(text: str) -> float | Refused:
    number = float(text)
    return OVERFLOW if math.isinf(number) else number


def _int(text: str) -> int | Refused:
    return TOO_LONG if len(text) - text.startswith("-") > MAX_INT_DIGITS else int(text)


def too_deep(text: str, limit: int = MAX_DEPTH) -> bool:
    """Whether the arrays and objects of `text` nest deeper than `limit` (brackets inside
    strings do not count). For text that is not JSON, the depth of its valid beginning."""
    depth = 0
    for bracket in _NOT_A_BRACKET.sub("", _STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > limit:
            return True
    return False


def parse(data: bytes) -> Any:
    """The body's value (`Refused` markers in place of refused numbers); DomainErrors for
    bytes that are not UTF-8 JSON or nest too deep. Empty bytes parse to `_EMPTY`."""
    if not data.strip():
        return _EMPTY
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedJson("Thân yêu cầu không phải văn bản UTF-8.") from exc
    if too_deep(text):
        raise NestingTooDeep(
            f"Thân yêu cầu lồng nhau (đối tượng, mảng) sâu quá {MAX_DEPTH} cấp.",
            max_depth=MAX_DEPTH)
    try:
        return json.loads(text, parse_constant=_constant, parse_float=_float,
                          parse_int=_int)
    except json.JSONDecodeError as exc:
        raise MalformedJson("Thân yêu cầu không phải JSON hợp lệ.") from exc


# --- what a parsed value holds that the API refuses ------------------------------------------

def _flaws(value: Any, path: tuple[str, ...], alone: str | None) -> Iterator[
        tuple[tuple[str, ...], str, bool]]:
    """(path, message, is_a_number) of every refused number and unstorable string or key.
    Items of the top-level list `alone` are skipped but for their `mutation_id`."""
    if isinstance(value, Refused):
        yield path, value.message, True
    elif isinstance(value, str):
        if _UNSTORABLE.search(value):
            yield path, UNSTORABLE, False
    elif isinstance(value, list):
        if alone is not None and path == (alone,):
            for n, item in enumerate(value):
                if isinstance(item, dict) and "mutation_id" in item:
                    yield from _flaws(item["mutation_id"], (*path, str(n), "mutation_id"),
                                      None)
            return
        for n, item in enumerate(value):
            yield from _flaws(item, (*path, str(n)), alone)
    elif isinstance(value, dict):
        for key, item in value.items():
            if _UNSTORABLE.search(key):
                yield (*path, _printable(key)), UNSTORABLE, False
            else:
                yield from _flaws(item, (*path, key), alone)


def _printable(key: str) -> str:
    return key.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\u0000")


def _error(flaws: list[tuple[tuple[str, ...], str, bool]]) -> errors.DomainError | None:
    numbers = [(path, message) for path, message, number in flaws if number]
    texts = [(path, message) for path, message, number in flaws if not number]
    if numbers:
        return NonStandardJson(
            "JSON chỉ có số hữu hạn: NaN, Infinity, số tràn thành vô cực và số nguyên dài "
            f"hơn {MAX_INT_DIGITS} chữ số không được chấp nhận; xem 'errors'.",
            errors=_by_field(numbers))
    if texts:
        return errors.ValidationFailed(
            "Dữ liệu chứa ký tự không lưu được (NUL hoặc UTF-16 surrogate đơn lẻ); xem "
            "'errors'.", errors=_by_field(texts))
    return None


def _by_field(flaws: list[tuple[tuple[str, ...], str]]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for path, message in flaws:
        fields.setdefault(".".join(path) or "_body", []).append(message)
    return fields


def refusal(value: Any) -> errors.DomainError | None:
    """The problem with one item a view checks alone (`items_checked_alone`), or None."""
    return _error(list(_flaws(value, (), None)))


# --- the request hook and flask-smorest's parser ---------------------------------------------

def items_checked_alone(key: str) -> Callable[[F], F]:
    """Mark a view whose body's list `key` is checked item by item (`refusal`), not whole."""
    def mark(view: F) -> F:
        view.json_items_checked_alone = key  # type: ignore[attr-defined]
        return view
    return mark


def body() -> Any:
    """This request's parsed JSON body (parsed on first use); `_EMPTY` when there is none."""
    if "json_body" not in g:
        g.json_body = parse(request.get_data(cache=True))
        view = current_app.view_functions.get(request.endpoint or "")
        problem = _error(list(_flaws(g.json_body, (), getattr(
            view, "json_items_checked_alone", None))))
        if problem is not None:
            raise problem
    return g.json_body


def _parse_before_the_view() -> None:
    if request.is_json:
        body()


class BodyParser(FlaskParser):
    """webargs' Flask parser reading the body `body()` parsed, never parsing it again."""

    def _raw_load_json(self, req: Any) -> Any:
        if not is_json_request(req):
            return core.missing
        value = body()
        return core.missing if value is _EMPTY else value


def init_app(app: Flask) -> None:
    app.before_request(_parse_before_the_view)
