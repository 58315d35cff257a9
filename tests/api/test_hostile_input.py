"""Hostile JSON gets a clean problem, never a 500: lone UTF-16 surrogates, nesting 100,000
deep, NaN and Infinity, numbers that overflow, integers longer than Python converts; and in a
sync push the bad mutation alone is rejected while the rest of the batch applies."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import func, select

from inspection.models import Answer, Site
from tests import factories

SITES = "/api/v1/sites"
PUSH = "/api/v1/sync/push"
LON, LAT = factories.CAN_THO
DEEP = 100_000


def send(client, method, url, payload: str, headers):  # type: ignore[no-untyped-def]
    return client.open(url, method=method, data=payload.encode(),
                       content_type="application/json", headers=headers)


def problem(resp, status):  # type: ignore[no-untyped-def]
    assert resp.status_code == status, resp.get_data(as_text=True)[:500]
    assert resp.mimetype == "application/problem+json"
    body = resp.get_json()
    assert body["status"] == status and body["type"].startswith("urn:kt1:problem:")
    return body


def site_body(**over):  # type: ignore[no-untyped-def]
    return {"name": "Bưu cục Ninh Kiều", "kind": "kt1_provider",
            "organization": "Bưu điện thành phố Cần Thơ", "address": "2 Hòa Bình",
            "location": {"lon": 105.7469, "lat": 10.0452}, **over}


def deep(depth: int) -> str:
    return "[" * depth + "]" * depth


class World:
    def __init__(self, api) -> None:  # type: ignore[no-untyped-def]
        self.client = api.client
        self.inspector, self.police = factories.joint_team()
        self.site = factories.SiteFactory()
        self.checklist = factories.inspection_checklist()
        self.supervisor = api.login(factories.UserFactory(role="supervisor"))
        self.device = f"tablet-{uuid.uuid4()}"
        self.tablet = api.login(self.inspector, device_id=self.device)
        self.inspection_id = str(uuid.uuid4())
        self.raw: dict[str, str] = {}

    def create(self):  # type: ignore[no-untyped-def]
        resp = self.client.post("/api/v1/inspections", headers=self.tablet, json={
            "id": self.inspection_id, "site_id": str(self.site.id),
            "checklist_id": str(self.checklist.id), "started_at": "2026-05-05T08:30:00+07:00",
            "location": {"lon": LON, "lat": LAT, "accuracy_m": 8.0},
            "team": [str(self.inspector.id), str(self.police.id)]})
        assert resp.status_code == 201, resp.get_json()

    def answer_url(self, code: str) -> str:
        return f"/api/v1/inspections/{self.inspection_id}/answers/{code}"

    def answer(self, code, value_json: str) -> dict:  # type: ignore[no-untyped-def]
        """A push mutation answering `code`; `value_json` is spliced in as raw JSON."""
        token = f"raw-{uuid.uuid4()}"
        self.raw[token] = value_json
        return {"mutation_id": str(uuid.uuid4()), "entity": "answer", "op": "upsert",
                "id": str(uuid.uuid4()), "base_version": None,
                "data": {"inspection_id": self.inspection_id, "item_code": code,
                         "value": token,
                         "answered_at": "2026-05-05T09:00:00+07:00"}}

    def push(self, *mutations) -> str:  # type: ignore[no-untyped-def]
        text = json.dumps({"device_id": self.device, "mutations": list(mutations)})
        for token, value_json in self.raw.items():
            text = text.replace(f'"{token}"', value_json)
        return text

    def answer_value(self, session, code):  # type: ignore[no-untyped-def]
        session.expire_all()
        row = session.scalar(select(Answer).where(
            Answer.inspection_id == uuid.UUID(self.inspection_id), Answer.item_code == code))
        return None if row is None else row.value


@pytest.fixture
def world(api, session):  # type: ignore[no-untyped-def]
    return World(api)


# --- lone surrogates: 422 naming the field ---------------------------------------------------

def test_a_lone_surrogate_in_a_site_is_a_422_naming_the_dotted_field(client, session, world):
    sites = session.scalar(select(func.count()).select_from(Site))
    payload = json.dumps(site_body(name="Bưu cục \ud800", location={"lon": 105.7, "lat": 10.0,
                                                                    "note\udfff": "x"}))
    assert "\\ud800" in payload
    body = problem(send(client, "POST", SITES, payload, world.supervisor), 422)
    assert set(body["errors"]) == {"name", "location.note\\udfff"}
    assert "surrogate" in body["errors"]["name"][0]
    assert session.scalar(select(func.count()).select_from(Site)) == sites


def test_a_lone_surrogate_in_an_answer_note_is_a_422_naming_note(client, session, world):
    world.create()
    payload = json.dumps({"value": "yes", "note": "ghi chú \ud800",
                          "answered_at": "2026-05-05T09:00:00+07:00"})
    resp = send(client, "PUT", world.answer_url("A1"), payload,
                {**world.tablet, "If-None-Match": "*"})
    assert set(problem(resp, 422)["errors"]) == {"note"}
    assert world.answer_value(session, "A1") is None


def test_a_lone_surrogate_in_a_login_is_a_422_naming_the_username(client, session):
    payload = json.dumps({"username": "an\udc00", "password": "x"})
    body = problem(send(client, "POST", "/api/v1/auth/login", payload, {}), 422)
    assert set(body["errors"]) == {"username"}


def test_a_lone_surrogate_in_one_mutation_rejects_that_mutation_alone(client, session, world):
    world.create()
    payload = world.push(world.answer("K1", '"chữ \\ud800"'), world.answer("A1", '"yes"'))
    resp = send(client, "POST", PUSH, payload, world.tablet)
    assert resp.status_code == 200, resp.get_json()
    bad, good = resp.get_json()["results"]
    assert (bad["status"], good["status"]) == ("rejected", "applied")
    assert bad["error"]["status"] == 422 and set(bad["error"]["errors"]) == {"data.value"}
    assert world.answer_value(session, "A1") == "yes"
    assert world.answer_value(session, "K1") is None


def test_a_lone_surrogate_in_the_envelope_of_a_push_is_a_422_for_the_batch(
        client, session, world):
    payload = json.dumps({"device_id": world.device + "\ud800", "mutations": []})
    body = problem(send(client, "POST", PUSH, payload, world.tablet), 422)
    assert set(body["errors"]) == {"device_id"}
    mutation = world.answer("A1", '"yes"')
    mutation["mutation_id"] = "m\ud800"
    body = problem(send(client, "POST", PUSH, world.push(mutation), world.tablet), 422)
    assert set(body["errors"]) == {"mutations.0.mutation_id"}


# --- nesting: 400 nesting-too-deep -----------------------------------------------------------

def test_json_nested_100000_deep_is_a_400_problem_everywhere(client, session, world):
    world.create()
    answering = {**world.tablet, "If-None-Match": "*"}
    for method, url, payload, headers in [
        ("POST", SITES, deep(DEEP), world.supervisor),
        ("POST", SITES, json.dumps(site_body(address="@@")).replace('"@@"', deep(DEEP)),
         world.supervisor),
        ("POST", PUSH, world.push(world.answer("A1", deep(DEEP))), world.tablet),
        ("PUT", world.answer_url("A1"), '{"value": ' + deep(DEEP) + "}", answering),
    ]:
        body = problem(send(client, method, url, payload, headers), 400)
        assert body["type"].endswith(":nesting-too-deep"), (url, body)
        assert body["max_depth"] == 64
    assert world.answer_value(session, "A1") is None


def test_64_levels_are_parsed_and_65_are_refused(client, session, world):
    ok = send(client, "POST", SITES, json.dumps(site_body(address="@@")).replace(
        '"@@"', deep(63)), world.supervisor)  # the body is level 1, `address` 2 to 64
    assert problem(ok, 422)["errors"].keys() == {"address"}
    refused = send(client, "POST", SITES, json.dumps(site_body(address="@@")).replace(
        '"@@"', deep(64)), world.supervisor)
    problem(refused, 400)


def test_brackets_inside_strings_do_not_count_as_nesting(client, session, world):
    resp = client.post(SITES, json=site_body(address="[" * 100 + "{" * 100 + "\\\"" + "[" * 100),
                       headers=world.supervisor)
    assert resp.status_code == 201, resp.get_json()


# --- numbers JSON does not have: 400 non-standard-json ---------------------------------------

@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400", "-1e400",
                                    "9" * 5000])
def test_a_number_json_does_not_have_is_a_400_naming_the_field(client, session, world, number):
    payload = json.dumps(site_body(location={"lon": "@@", "lat": 10.0})).replace(
        '"@@"', number)
    body = problem(send(client, "POST", SITES, payload, world.supervisor), 400)
    assert body["type"].endswith(":non-standard-json")
    assert set(body["errors"]) == {"location.lon"}


def test_a_5000_digit_year_asked_of_the_reports_is_a_clean_400(client, session, world):
    payload = '{"kind": "annual", "province_code": "92", "year": ' + "2" * 5000 + "}"
    body = problem(send(client, "POST", "/api/v1/reports", payload, world.supervisor), 400)
    assert set(body["errors"]) == {"year"}
    payload = '{"kind": "annual", "province_code": "92", "year": ' + "2" * 4000 + "}"
    assert set(problem(send(client, "POST", "/api/v1/reports", payload, world.supervisor),
                       422)["errors"]) == {"year"}


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400", "7" * 4301])
def test_a_non_standard_number_in_one_mutation_rejects_that_mutation_alone(
        client, session, world, number):
    world.create()
    payload = world.push(world.answer("C1", number), world.answer("C2", "4"))
    resp = send(client, "POST", PUSH, payload, world.tablet)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    bad, good = resp.get_json()["results"]
    assert (bad["status"], good["status"]) == ("rejected", "applied")
    assert bad["error"]["type"].endswith(":non-standard-json")
    assert bad["error"]["status"] == 400 and set(bad["error"]["errors"]) == {"data.value"}
    assert world.answer_value(session, "C2") == 4
    assert world.answer_value(session, "C1") is None


def test_malformed_json_and_an_empty_body_keep_their_answers(client, session, world):
    body = problem(send(client, "POST", SITES, '{"name": ', world.supervisor), 400)
    assert body["type"].endswith(":malformed-json")
    body = problem(send(client, "POST", SITES, "", world.supervisor), 422)
    assert "name" in body["errors"]


# --- If-Match: versions no record could have are 412, never a 500 ----------------------------

STRANGE_ETAGS = ['"²"', '"¹²"', "W/\"³\"", '"' + "9" * 5000 + '"', '"' + "9" * 30 + '"',
                 "9" * 5000, '"-1"', '"1.0"', '""', ", ,"]


@pytest.mark.parametrize("etag", STRANGE_ETAGS, ids=range(len(STRANGE_ETAGS)))
def test_an_if_match_naming_no_possible_version_is_a_412(client, session, world, etag):
    url = f"{SITES}/{world.site.id}"
    resp = client.patch(url, json={"name": "Tên mới"}, headers={**world.supervisor,
                                                                 "If-Match": etag})
    problem(resp, 412)
    world.create()
    first = client.put(world.answer_url("A1"), json={
        "value": "yes", "answered_at": "2026-05-05T09:00:00+07:00"},
        headers={**world.tablet, "If-None-Match": "*"})
    assert first.status_code == 201, first.get_json()
    resp = client.put(world.answer_url("A1"), json={
        "value": "no", "answered_at": "2026-05-05T09:00:00+07:00"},
        headers={**world.tablet, "If-Match": etag})
    problem(resp, 412)
    assert world.answer_value(session, "A1") == "yes"
    assert client.patch(url, json={"name": "Tên mới"}, headers={
        **world.supervisor, "If-Match": '"1"'}).status_code == 200


# --- number answers: what every client and both databases keep exactly ----------------------

@pytest.mark.parametrize("value", [2**53, -(2**53), 10**20, int("4" * 4_000), 1e300],
                         ids=["2**53", "-2**53", "10**20", "4000-digits", "1e300"])
def test_a_number_answer_beyond_what_every_client_keeps_is_a_422(client, session, world, value):
    """SpatiaLite stored 4,000 digits as inf (and the API then answered `Infinity`, which is
    not JSON) and 10**20 as a double; PostgreSQL's jsonb gave 1e300 back as an integer of
    301 digits; the field app's JavaScript loses integer digits past 2**53."""
    world.create()
    resp = client.put(world.answer_url("C1"), json={
        "value": value, "answered_at": "2026-05-05T09:00:00+07:00"},
        headers={**world.tablet, "If-None-Match": "*"})
    assert set(problem(resp, 422)["errors"]) == {"value"}
    assert world.answer_value(session, "C1") is None


@pytest.mark.parametrize("value", [2**53 - 1, -(2**53 - 1), 0.5, 1e-05, 123456789.25, 0])
def test_the_largest_numbers_an_answer_may_hold_come_back_exactly(client, session, world, value):
    world.create()
    resp = client.put(world.answer_url("C1"), json={
        "value": value, "answered_at": "2026-05-05T09:00:00+07:00"},
        headers={**world.tablet, "If-None-Match": "*"})
    assert resp.status_code == 201, resp.get_json()
    got = client.get(world.answer_url("C1"), headers=world.tablet).get_json()
    assert got["value"] == value and type(got["value"]) is type(value)
    assert world.answer_value(session, "C1") == value


# --- times whose UTC instant does not exist (before year 1, after year 9999) -----------------

EDGE_TIMES = ["0001-01-01T00:00:04+10:28", "9999-12-31T23:59:59-05:00"]


@pytest.mark.parametrize("moment", EDGE_TIMES)
def test_a_time_outside_what_utc_can_hold_is_a_422_naming_the_field(
        client, session, world, moment):
    """Found by schemathesis: year 1 east of Greenwich is year 0 in UTC (OverflowError)."""
    resp = client.post("/api/v1/inspections", headers=world.tablet, json={
        "id": str(uuid.uuid4()), "site_id": str(world.site.id),
        "checklist_id": str(world.checklist.id), "started_at": moment,
        "team": [str(world.inspector.id), str(world.police.id)]})
    assert set(problem(resp, 422)["errors"]) == {"started_at"}
    world.create()
    resp = client.put(world.answer_url("A1"), json={"value": "yes", "answered_at": moment},
                      headers={**world.tablet, "If-None-Match": "*"})
    assert set(problem(resp, 422)["errors"]) == {"answered_at"}
    for url in ("/api/v1/inspections", "/api/v1/findings", "/api/v1/map/communes"):
        resp = client.get(url, query_string={"from": moment, "province_code": "92"},
                          headers=world.supervisor)
        assert set(problem(resp, 422)["errors"]) == {"from"}, url
    resp = client.get("/api/v1/inspections", query_string={"to": "0001-01-01"},
                      headers=world.supervisor)
    assert set(problem(resp, 422)["errors"]) == {"to"}
    mutation = world.answer("A1", '"yes"')
    mutation["client_time"] = moment
    bad, = json.loads(send(client, "POST", PUSH, world.push(mutation),
                           world.tablet).get_data())["results"]
    assert bad["status"] == "rejected" and set(bad["error"]["errors"]) == {"client_time"}
