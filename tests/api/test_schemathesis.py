"""Property-based run of every operation of the OpenAPI document: no 5xx, no response off its
schema, every error a problem+json.

Each operation is a test of its own, so every one gets cases whatever the others cost: a few
positive and negative examples, sent by a role that may call it (`CALLER`; anonymous for the
login), about half of them on real records of a small world (a draft and an approved
inspection, a finding, a campaign, a staff member, a post office's report) built once per
database. Whatever the examples write is rolled back after each test.

flask-smorest writes no OpenAPI links; the stateful run (the last test) follows the links
schemathesis infers from the document instead.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from api.app import create_app
from inspection.config import Settings
from tests import factories
from tests.module_world import backend, build_world, connection  # noqa: F401

# Examples per operation and mode (positive, negative); raise it for a deeper run.
EXAMPLES_PER_MODE = int(os.environ.get("KT1_TEST_SCHEMATHESIS_EXAMPLES", "8"))
METHODS = ("get", "put", "post", "delete", "options", "head", "patch")
LOGIN = "POST /api/v1/auth/login"
LOGOUT = "POST /api/v1/auth/logout"

# Who calls each operation: a role that may (else the examples only meet 403). Unlisted:
# a supervisor of Cần Thơ. None: nobody logged in.
CALLER: dict[str, str | None] = {
    LOGIN: None,
    LOGOUT: "inspector",  # a fresh token per example: the others keep theirs
    **dict.fromkeys([
        "GET /api/v1/users", "POST /api/v1/users", "GET /api/v1/devices",
        "DELETE /api/v1/devices/{device_id}", "GET /api/v1/audit", "GET /api/v1/audit/verify",
        "POST /api/v1/checklists", "PUT /api/v1/checklists/{checklist_id}",
        "POST /api/v1/checklists/{checklist_id}/publish",
        "POST /api/v1/checklists/{checklist_id}/retire", "GET /api/v1/users/{user_id}",
        "PATCH /api/v1/users/{user_id}", "POST /api/v1/signers",
        "PATCH /api/v1/signers/{signer_id}"], "admin"),
    **dict.fromkeys([
        "POST /api/v1/inspections", "PUT /api/v1/inspections/{inspection_id}/answers/{item_code}",
        "POST /api/v1/inspections/{inspection_id}/submit",
        "PUT /api/v1/inspections/{inspection_id}/location", "GET /api/v1/sync/package",
        "GET /api/v1/sync/pull", "POST /api/v1/sync/push", "OPTIONS /api/v1/uploads",
        "POST /api/v1/uploads", "HEAD /api/v1/uploads/{upload_id}",
        "PATCH /api/v1/uploads/{upload_id}", "DELETE /api/v1/uploads/{upload_id}",
        "GET /api/v1/inspections/{inspection_id}/photos",
        "POST /api/v1/inspections/{inspection_id}/record"], "inspector"),
    "POST /api/v1/staff/{member_id}/vetting": "police",
    **dict.fromkeys([
        "GET /api/v1/staff", "POST /api/v1/staff", "GET /api/v1/staff/{member_id}",
        "GET /api/v1/staff/{member_id}/history",
        "PATCH /api/v1/staff/{member_id}", "POST /api/v1/staff/{member_id}/vetting-request",
        "POST /api/v1/provision-reports", "PATCH /api/v1/provision-reports/{report_id}",
        "POST /api/v1/provision-reports/{report_id}/submit"], "post"),
}

# tus appends are raw bytes; the generated value (bytes for `format: binary`) is sent as is.
schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")


@cache
def document() -> dict[str, Any]:
    """The OpenAPI document, from an app that never opens its (in-memory) database."""
    instance = Path(tempfile.mkdtemp(prefix="kt1-openapi-"))
    app = create_app(Settings(env="test", instance_path=instance, database_url="sqlite://",
                              media_url=(instance / "media").as_uri()))
    return app.test_client().get("/api/v1/openapi.json").get_json()  # type: ignore[no-any-return]


def operations() -> list[str]:
    return sorted(f"{method.upper()} {path}" for path, item in document()["paths"].items()
                  for method in item if method in METHODS)


@dataclass(frozen=True)
class World:
    headers: dict[str | None, dict[str, str]]
    usernames: dict[str, str]
    real: dict[str, list[str]]
    """Real values of path parameters, by name."""


def _build(session, api) -> World:  # type: ignore[no-untyped-def]
    post_office = factories.CAN_THO_POST
    users = {
        "admin": factories.UserFactory(role="admin"),
        "supervisor": factories.UserFactory(role="supervisor"),
        "post": factories.UserFactory(role="post", agency="post", organization=post_office),
    }
    users["inspector"], users["police"] = factories.joint_team()
    site = factories.SiteFactory(organization=post_office)
    checklist = factories.inspection_checklist()
    campaign = factories.CampaignFactory(checklist_id=checklist.id,
                                         created_by=users["supervisor"].id)
    assignment = factories.AssignmentFactory(
        campaign=campaign, site_id=site.id,
        team=[users["inspector"], users["police"]])
    member = factories.StaffMemberFactory(site=site)
    report = factories.ProvisionReportFactory(complete=True)
    signer = factories.the_signer("92")  # Cần Thơ's only one: notices and reports name it
    headers: dict[str | None, dict[str, str]] = {None: {}}
    for role, user in users.items():
        headers[role] = {**api.login(user, device_id=f"tablet-{role}"),
                         "Accept-Encoding": "identity"}  # WSGI: no gzip decoding
    client, inspector = api.client, headers["inspector"]

    def ok(resp):  # type: ignore[no-untyped-def]
        assert resp.status_code < 300, resp.get_json()
        return resp.get_json()

    inspections = []
    for answers in ({"A1": "no", "A2": "yes", "C1": 5, "C2": 5, "C5": "2026-01-15"},
                    {"A1": "yes"}):
        ident = str(uuid.uuid4())
        ok(client.post("/api/v1/inspections", headers=inspector, json={
            "id": ident, "site_id": str(site.id), "checklist_id": str(checklist.id),
            "started_at": "2026-05-05T08:30:00+07:00", "location": {
                "lon": factories.CAN_THO[0], "lat": factories.CAN_THO[1], "accuracy_m": 8},
            "team": [str(users["inspector"].id), str(users["police"].id)]}))
        for code, value in answers.items():
            ok(client.put(f"/api/v1/inspections/{ident}/answers/{code}", json={
                "value": value, "answered_at": "2026-05-05T09:00:00+07:00"},
                headers={**inspector, "If-None-Match": "*"}))
        inspections.append(ident)
    approved, draft = inspections
    ok(client.post(f"/api/v1/inspections/{approved}/submit",
                   headers={**inspector, "If-Match": '"1"'}))
    ok(client.post(f"/api/v1/inspections/{approved}/review", json={
        "decision": "approve", "comment": "Đồng ý"},
        headers={**headers["supervisor"], "If-Match": '"2"'}))
    findings = ok(client.get("/api/v1/findings", headers=headers["supervisor"],
                             query_string={"inspection_id": approved}))
    devices = ok(client.get("/api/v1/devices", headers=headers["admin"]))
    real = {
        "site_id": [str(site.id)], "checklist_id": [str(checklist.id)],
        "campaign_id": [str(campaign.id)], "assignment_id": [str(assignment.id)],
        "inspection_id": [draft, approved], "item_code": ["A1", "C1", "K1", "H1"],
        "finding_id": [f["id"] for f in findings], "member_id": [str(member.id)],
        "report_id": [str(report.id)], "signer_id": [str(signer.id)],
        "device_id": [str(d["id"]) for d in devices],
        "code": ["31120", "00004"], "kind": ["pdf", "docx", "xlsx"],
        "rendition": ["thumbnail", "preview", "original"],
        "z": ["10"], "x": ["813"], "y": ["487"],
    }
    return World(headers, {role: u.username for role, u in users.items()}, real)


@pytest.fixture(scope="module")
def world(module_connection, tmp_path_factory):  # type: ignore[no-untyped-def]
    return build_world(module_connection, tmp_path_factory.mktemp("schemathesis"), _build)


@cache
def loaded_schema() -> Any:
    return schemathesis.openapi.from_dict(document())


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


CHECKS = [not_a_server_error, response_schema_conformance, problem_json_for_errors]


@pytest.mark.schemathesis
@pytest.mark.parametrize("label", operations())
def test_the_operation_honours_the_openapi_document(app, client, world, label):  # type: ignore[no-untyped-def]
    operation = loaded_schema().find_operation_by_label(label)
    assert operation is not None, label
    role = CALLER.get(label, "supervisor")
    sent = 0

    def headers() -> dict[str, str]:
        if label != LOGOUT:
            return world.headers[role]
        resp = client.post("/api/v1/auth/login", json={
            "username": world.usernames["inspector"], "password": factories.PASSWORD,
            "device_id": "tablet-inspector"})
        return {"Authorization": f"Bearer {resp.get_json()['access_token']}"}

    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

        @given(case=operation.as_strategy(generation_mode=mode), pick=st.integers(-4, 4))
        @settings(max_examples=EXAMPLES_PER_MODE, deadline=None, derandomize=True,
                  database=None, suppress_health_check=list(HealthCheck))
        def exercise(case, pick):  # type: ignore[no-untyped-def]
            nonlocal sent
            if pick >= 0 and case.path_parameters:  # a real record, else the generated id
                case.path_parameters = {
                    name: world.real[name][pick % len(world.real[name])]
                    if name in world.real else value
                    for name, value in case.path_parameters.items()}
            # this test's app: the schema (and its operations) outlive it
            case.call_and_validate(app=app, headers=headers(), checks=CHECKS)
            sent += 1

        try:
            exercise()
        except Unsatisfiable:
            # Nothing to make invalid (an operation without parameters or body, such as the
            # tus OPTIONS): there is no negative case to send. Positive ones ran.
            if mode is not GenerationMode.NEGATIVE:
                raise
    assert sent > 0, label


def test_every_operation_of_the_document_has_a_test_and_a_caller():
    labels = set(operations())
    assert len(labels) >= 80
    assert set(CALLER) <= labels, set(CALLER) - labels  # no caller for a path that is gone


@pytest.mark.schemathesis
def test_linked_operations_in_sequence_honour_the_openapi_document(app, client, world):  # type: ignore[no-untyped-def]
    """The stateful run: schemathesis chains operations along the links it infers from the
    document (an id in one answer becomes the path parameter or body field of the next), as
    a client working through a flow does, each call made by a role that may make it."""
    steps: list[str] = []

    def fresh_inspector_token() -> dict[str, str]:
        resp = client.post("/api/v1/auth/login", json={
            "username": world.usernames["inspector"], "password": factories.PASSWORD,
            "device_id": "tablet-inspector"})
        return {"Authorization": f"Bearer {resp.get_json()['access_token']}"}

    class Chain(loaded_schema().as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case):  # type: ignore[no-untyped-def]
            label = case.operation.label
            headers = (fresh_inspector_token() if label == LOGOUT
                       else world.headers[CALLER.get(label, "supervisor")])
            return {"app": app, "headers": headers}

        def validate_response(self, response, case, additional_checks=None,  # type: ignore[no-untyped-def]
                              **kwargs):
            steps.append(case.operation.label)
            case.validate_response(response, checks=CHECKS)

    Chain.run(settings=settings(
        max_examples=int(os.environ.get("KT1_TEST_SCHEMATHESIS_CHAINS", "25")),
        stateful_step_count=6, deadline=None, derandomize=True, database=None,
        suppress_health_check=list(HealthCheck)))
    assert len(steps) >= 50, steps  # chains of several calls, not single requests
    assert len(set(steps)) >= 15, sorted(set(steps))
