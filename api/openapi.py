"""What the OpenAPI document says beyond flask-smorest's defaults: every error response is
served as RFC 9457 `application/problem+json` (api/problems.py), so it is documented so. The
document is written when it is first read, not while the app is built."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from apispec import APISpec, BasePlugin
from flask import Flask
from flask_smorest import Api, Blueprint

from api.schemas import ProblemSchema

PROBLEM_JSON = "application/problem+json"
_PROBLEM_REF = "#/components/schemas/Problem"


def _is_problem(schema: Any) -> bool:
    if isinstance(schema, dict):
        return schema.get("$ref") == _PROBLEM_REF
    return schema is ProblemSchema or isinstance(schema, ProblemSchema)


def _as_problem(response: dict[str, Any]) -> None:
    """Move a response documented as JSON with the problem schema to problem+json."""
    content = response.get("content")
    if isinstance(content, dict) and _is_problem(content.get("application/json", {}).get(
            "schema")):
        content[PROBLEM_JSON] = content.pop("application/json")


class ProblemJsonPlugin(BasePlugin):
    """An apispec plugin (after flask-smorest's marshmallow one) for error responses: the
    shared components (422, default) and those of `@blp.alt_response(schema=ProblemSchema)`."""

    def response_helper(self, response: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        _as_problem(response)
        return response

    def operation_helper(self, path: str | None = None,
                         operations: dict[str, Any] | None = None, **kwargs: Any) -> None:
        for operation in (operations or {}).values():
            for response in (operation.get("responses") or {}).values():
                if isinstance(response, dict):
                    _as_problem(response)


class KT1Api(Api):
    """flask-smorest's Api, problems as its error schema, whose OpenAPI document gets its
    default responses and each blueprint's operations when the document is first read
    (`/openapi.json`, `flask openapi`) instead of while the app is built. The document is the
    same, written in the same order; building an app (once per test) no longer resolves every
    schema of the API."""

    ERROR_SCHEMA = ProblemSchema

    def __init__(self, app: Flask | None = None, **kwargs: Any) -> None:
        self._unwritten: list[Callable[[], None]] = []  # parts of the document, in order
        self._doc_lock = threading.RLock()
        self._writing_doc = False
        self._spec: APISpec | None = None
        super().__init__(app, **kwargs)

    @property  # type: ignore[override]
    def spec(self) -> APISpec | None:
        """The whole document. Another thread reading it meanwhile waits until it is written;
        read back while it is being written (as flask-smorest does), it is as written so far."""
        if self._unwritten:
            with self._doc_lock:
                if not self._writing_doc:
                    self._writing_doc = True
                    try:
                        while self._unwritten:
                            self._unwritten[0]()
                            del self._unwritten[0]
                    finally:
                        self._writing_doc = False
        return self._spec

    @spec.setter
    def spec(self, value: APISpec | None) -> None:
        self._spec = value

    # The shared components come first, in flask-smorest's order: the default responses (one
    # per HTTP status, with the problem schema), the ETag headers, the pagination header.
    def _register_responses(self) -> None:
        self._unwritten.append(super()._register_responses)

    def _register_etag_headers(self) -> None:
        self._unwritten.append(super()._register_etag_headers)

    def _register_pagination_header(self) -> None:
        self._unwritten.append(super()._register_pagination_header)

    def register_blueprint(self, blp: Blueprint, *, parameters: list[Any] | None = None,
                           **options: Any) -> None:
        """Register `blp` in the app now, and in the document once it is read."""
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)

        def document() -> None:
            blp.register_views_in_doc(self, self._app, self._spec, name=name,
                                      parameters=parameters)
            self._spec.tag({"name": name, "description": blp.description})  # type: ignore[union-attr]

        self._unwritten.append(document)
