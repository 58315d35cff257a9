"""Property-based run of the whole OpenAPI document: no 500s, no response off its schema.

Bounded: a dozen examples per operation, as an admin of Cần Thơ, on both databases. Data
written by the generated requests is rolled back with the test.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests import factories

EXAMPLES_PER_OPERATION = 30
SKIPPED_OPERATIONS = {
    # Would revoke the token every remaining example uses; covered in test_auth.py.
    ("POST", "/api/v1/auth/logout"),
}


# tus appends are raw bytes; the generated value (bytes for `format: binary`) is sent as is.
schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")


def not_a_server_error(ctx, response, case):  # type: ignore[no-untyped-def]
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} answered {response.status_code}: "
        f"{response.text[:500]}")


def problem_json_for_errors(ctx, response, case):  # type: ignore[no-untyped-def]
    if response.status_code >= 400:
        headers = {k.lower(): v for k, v in response.headers.items()}
        value = headers.get("content-type", [""])
        value = value[0] if isinstance(value, list) else value
        assert value.startswith("application/problem+json"), (
            f"{case.method} {case.formatted_path}: {value}")


@pytest.mark.schemathesis
def test_the_api_honours_its_openapi_document(app, api, session):  # type: ignore[no-untyped-def]
    admin = factories.UserFactory(role="admin", agency="skhcn", province_code="92")
    factories.SiteFactory()
    headers = {**api.login(admin), "Accept-Encoding": "identity"}  # WSGI: no gzip decoding
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    checks = [not_a_server_error, response_schema_conformance, problem_json_for_errors]
    ran = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIPPED_OPERATIONS:
            continue

        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True,
                      database=None, suppress_health_check=list(HealthCheck))
            def exercise(case):  # type: ignore[no-untyped-def]
                case.call_and_validate(headers=headers, checks=checks)

            try:
                exercise()
            except Unsatisfiable:
                # Nothing to make invalid (an operation without parameters or body, such as
                # the tus OPTIONS): there is no negative case to send. Positive ones ran.
                if mode is not GenerationMode.NEGATIVE:
                    raise
        ran.append(f"{operation.method.upper()} {operation.path}")
    assert len(ran) >= 30, ran
