"""What the OpenAPI document says beyond flask-smorest's defaults: every error response is
served as RFC 9457 `application/problem+json` (api/problems.py), so it is documented so."""

from __future__ import annotations

from typing import Any

from apispec import BasePlugin

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
