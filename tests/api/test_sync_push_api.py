"""/sync/push and /sync/conflicts over HTTP: results per mutation, retries after a lost
response, the batch limit, malformed bodies, scoping, and supervisors resolving conflicts."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from marshmallow import Schema, ValidationError, fields
from sqlalchemy import func, select

from api.blueprints.sync_push import MutationInSchema, PushSchema
from api.cli_sync import sync
from api.schemas import DEVICE_ID
from inspection.config import Settings
from inspection.models import Answer, AuditEntry, Inspection, SyncConflict, SyncMutation
from tests import factories

PUSH = "/api/v1/sync/push"
CONFLICTS = "/api/v1/sync/conflicts"
LON, LAT = factories.CAN_THO
COMPLIANT = {"A1": "yes", "A2": "yes", "C1": 5, "C2": 5, "C5": "2026-01-15"}
MAX_MUTATIONS = 20


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(env="test", instance_path=tmp_path, database_url="sqlite://",
                    media_url=(tmp_path / "media").as_uri(),
                    sync_push_max_mutations=MAX_MUTATIONS)


class Tablet:
    """A user logged in on their own device, pushing as the field app does."""

    def __init__(self, api, user, device_id: str) -> None:  # type: ignore[no-untyped-def]
        self.client, self.device_id = api.client, device_id
        self.headers = api.login(user, device_id=device_id)

    def push(self, mutations, status=200):  # type: ignore[no-untyped-def]
        resp = self.client.post(PUSH, json={"device_id": self.device_id,
                                            "mutations": mutations}, headers=self.headers)
        assert resp.status_code == status, resp.get_json()
        return resp.get_json()


class World:
    def __init__(self, api) -> None:  # type: ignore[no-untyped-def]
        self.api = api
        self.inspector, self.police = factories.joint_team()
        self.supervisor = factories.UserFactory(role="supervisor")
        self.site = factories.SiteFactory()
        self.checklist = factories.inspection_checklist()
        self.a = Tablet(api, self.inspector, "tablet-A")
        self.b = Tablet(api, self.police, "tablet-B")
        self.boss = api.login(self.supervisor)
        self.inspection_id = str(uuid.uuid4())

    def create(self):  # type: ignore[no-untyped-def]
        return mutation("inspection", "upsert", self.inspection_id, {
            "site_id": str(self.site.id), "checklist_id": str(self.checklist.id),
            "started_at": "2026-05-05T08:30:00+07:00",
            "location": {"lon": LON, "lat": LAT, "accuracy_m": 8.0},
            "team": [str(self.inspector.id), str(self.police.id)]})

    def answer(self, code, value, base=None, inspection_id=None):  # type: ignore[no-untyped-def]
        return mutation("answer", "upsert", str(uuid.uuid4()), {
            "inspection_id": inspection_id or self.inspection_id, "item_code": code,
            "value": value, "answered_at": "2026-05-05T09:00:00+07:00"}, base=base)

    def submit(self, base):  # type: ignore[no-untyped-def]
        return mutation("inspection", "upsert", self.inspection_id, {"status": "submitted"},
                        base=base)


def mutation(entity, op, ident, data=None, base=None):  # type: ignore[no-untyped-def]
    return {"mutation_id": str(uuid.uuid4()), "entity": entity, "op": op, "id": ident,
            "base_version": base, "data": data, "client_time": "2026-05-05T09:05:00+07:00"}


@pytest.fixture
def world(api, session):  # type: ignore[no-untyped-def]
    return World(api)


def statuses(body):  # type: ignore[no-untyped-def]
    return [r["status"] for r in body["results"]]


def problem(resp, status):  # type: ignore[no-untyped-def]
    assert resp.status_code == status, resp.get_json()
    assert resp.mimetype == "application/problem+json"
    return resp.get_json()


def count(session, model):  # type: ignore[no-untyped-def]
    return session.scalar(select(func.count()).select_from(model))


def answer_row(session, world, code):  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.scalar(select(Answer).where(
        Answer.inspection_id == uuid.UUID(world.inspection_id), Answer.item_code == code))


# --- push ------------------------------------------------------------------------------------

def test_a_push_answers_one_result_per_mutation_and_a_cursor(client, session, world):
    body = world.a.push([world.create(), world.answer("A1", "yes"), world.answer("C1", 4)])
    assert statuses(body) == ["applied"] * 3
    assert [r["version"] for r in body["results"]] == [1, 1, 1]
    assert body["results"][2]["server"]["value"] == 4
    assert body["cursor"].isdigit() and int(body["cursor"]) > 0
    got = client.get(f"/api/v1/inspections/{world.inspection_id}", headers=world.a.headers)
    assert {a["item_code"]: a["value"] for a in got.get_json()["answers"]} == \
        {"A1": "yes", "C1": 4}


def test_a_batch_sent_again_after_a_lost_response_is_answered_duplicate(session, world):
    batch = [world.create(), world.answer("A1", "yes"), world.answer("C1", "bốn")]
    first = world.a.push(batch)  # applied on the server; the tablet never saw this answer
    entries = count(session, AuditEntry)

    again = world.a.push(batch)

    assert statuses(again) == ["duplicate"] * 3
    assert [r["original_status"] for r in again["results"]] == ["applied", "applied",
                                                                "rejected"]
    for original, retried in zip(first["results"], again["results"], strict=True):
        assert {k: v for k, v in retried.items() if k not in ("status", "original_status")} \
            == {k: v for k, v in original.items() if k != "status"}
    assert again["cursor"] == first["cursor"]
    assert count(session, AuditEntry) == entries
    assert count(session, Inspection) == 1 and count(session, Answer) == 1


def test_one_rejected_mutation_in_the_middle_does_not_reject_the_batch(session, world):
    body = world.a.push([
        world.create(), world.answer("A1", "có"),
        {"mutation_id": "m-3", "entity": "site", "op": "merge", "id": None, "data": []},
        world.answer("A2", "no")])
    assert statuses(body) == ["applied", "rejected", "rejected", "applied"]
    wrong, malformed = body["results"][1]["error"], body["results"][2]["error"]
    assert wrong["status"] == 422 and wrong["type"].endswith("validation-failed")
    assert set(malformed["errors"]) >= {"entity", "op", "id"}
    assert malformed["errors"]["entity"][0].startswith("Phải là một trong")
    assert answer_row(session, world, "A1") is None
    assert answer_row(session, world, "A2").value == "no"


def test_another_provinces_inspection_is_a_rejected_result_with_a_404_problem(
        api, session, world):
    world.a.push([world.create()])
    stranger = Tablet(api, factories.UserFactory(role="inspector", province_code="01"), "t-01")
    body = stranger.push([world.answer("A1", "no"), world.submit(1)])
    assert statuses(body) == ["rejected", "rejected"]
    assert [r["error"]["status"] for r in body["results"]] == [404, 404]
    assert answer_row(session, world, "A1") is None


def test_two_tablets_answering_different_items_both_succeed_and_the_same_item_conflicts(
        session, world):
    world.a.push([world.create(), world.answer("A1", "yes"), world.answer("C1", 5)])
    body = world.b.push([world.answer("A2", "yes"), world.answer("C2", 5),
                         world.answer("C1", 3)])
    assert statuses(body) == ["applied", "applied", "conflict"]
    conflict = body["results"][2]
    assert conflict["server"]["value"] == 5 and conflict["version"] == 1
    assert {c: answer_row(session, world, c).value for c in ("A1", "A2", "C1", "C2")} == \
        {"A1": "yes", "A2": "yes", "C1": 5, "C2": 5}


def test_a_submitted_inspection_makes_a_stale_tablets_answer_a_conflict(session, world):
    world.a.push([world.create(), *(world.answer(c, v) for c, v in COMPLIANT.items()),
                  world.submit(1)])
    body = world.b.push([world.answer("K1", "Đơn vị cam kết khắc phục")])
    [result] = body["results"]
    assert result["status"] == "conflict"
    assert result["server"] is None  # nobody had answered K1
    conflict = session.get(SyncConflict, uuid.UUID(result["conflict_id"]))
    assert conflict.data["value"] == "Đơn vị cam kết khắc phục"
    assert "submitted" in conflict.reason


def test_more_mutations_than_the_limit_answer_413_and_apply_nothing(client, session, world):
    batch = [world.create()] + [world.answer("K1", str(n)) for n in range(MAX_MUTATIONS)]
    resp = client.post(PUSH, json={"device_id": "tablet-A", "mutations": batch},
                       headers=world.a.headers)
    got = problem(resp, 413)
    assert got["max_mutations"] == MAX_MUTATIONS and str(MAX_MUTATIONS) in got["detail"]
    assert count(session, Inspection) == 0 and count(session, SyncMutation) == 0


@pytest.mark.parametrize(("payload", "status", "fields"), [
    ('{"device_id": "tablet-A", "mutations": [', 400, None),
    (json.dumps({"mutations": []}), 422, {"device_id"}),
    (json.dumps({"device_id": "tablet-A", "mutations": {"a": 1}}), 422, {"mutations"}),
    (json.dumps({"device_id": "tablet-A", "mutations": [{"entity": "answer"}]}), 422,
     {"mutations"}),
    (json.dumps({"device_id": "tablet-A", "mutations": [], "extra": 1}), 422, {"extra"}),
    (json.dumps({"device_id": "tablet-A", "mutations": [
        {"mutation_id": "m-1", "entity": "answer"}, {"mutation_id": "m 2"}]}), 422,
     {"mutations"}),
    (json.dumps({"device_id": "tablet-A", "mutations": [{"mutation_id": "m-1", "x": 1}]}),
     422, {"mutations"}),
])
def test_a_malformed_body_is_a_problem_and_applies_nothing(
        client, session, world, payload, status, fields):
    resp = client.post(PUSH, data=payload, content_type="application/json",
                       headers=world.a.headers)
    got = problem(resp, status)
    if fields:
        assert set(got["errors"]) == fields
    assert count(session, SyncMutation) == 0


_PLAIN_PUSH = Schema.from_dict({
    "device_id": fields.String(required=True, validate=DEVICE_ID),
    "mutations": fields.List(fields.Nested(MutationInSchema), required=True)})


@pytest.mark.parametrize("mutations", [
    [{"mutation_id": "m-1", "entity": "answer", "op": "upsert", "id": "x", "base_version": 2,
      "data": {"value": [1, {"a": None}]}, "client_time": "2026-12-08T08:00:00+07:00"}],
    [{"mutation_id": "m-à1", "entity": None}, {"mutation_id": "m-2"}],
    [{"mutation_id": "m-1", "extra": 1}],
    [{"mutation_id": "m 1"}],
    [{"mutation_id": "m-1\u200b"}],
    [{"mutation_id": 7}],
    [{"mutation_id": ""}],
    [{"mutation_id": "x" * 101}],
    [{"entity": "answer"}],
    ["m-1"],
    [{"mutation_id": "m-1"}, None, {"mutation_id": "m-3", "data": 5, "op": ["x"]}],
])
def test_a_batch_reads_its_mutations_as_their_schema_does(mutations):
    """The batch's quick reading of a mutation (`_Mutation`) gives what marshmallow's own
    reading through `MutationInSchema` gives: the same mutations, or the same errors."""
    def outcome(schema: Schema) -> tuple[str, object]:
        try:
            return "loaded", schema.load({"device_id": "tablet-A", "mutations": mutations})
        except ValidationError as exc:
            return "refused", exc.messages

    assert outcome(PushSchema()) == outcome(_PLAIN_PUSH())


def test_a_push_naming_another_device_is_403_and_a_post_office_may_not_push(
        api, client, session, world):
    resp = client.post(PUSH, json={"device_id": "tablet-B", "mutations": [world.create()]},
                       headers=world.a.headers)
    assert problem(resp, 403)["errors"] == {"device_id": ["not the device of the token"]}
    clerk = Tablet(api, factories.UserFactory(role="post", agency="post"), "post-1")
    clerk.push([world.create()], status=403)
    assert count(session, Inspection) == 0


# --- conflicts -------------------------------------------------------------------------------

def stale_answer(world):  # type: ignore[no-untyped-def]
    """C1 answered 5 on A, changed to 6 on A; B changes its stale copy (version 1) to 7."""
    world.a.push([world.create(), world.answer("C1", 5)])
    world.a.push([world.answer("C1", 6, base=1)])
    body = world.b.push([world.answer("C1", 7, base=1)])
    assert statuses(body) == ["conflict"]
    return body["results"][0]["conflict_id"]


def test_a_stale_write_is_listed_for_a_supervisor_and_not_for_an_inspector(client, world):
    conflict_id = stale_answer(world)
    resp = client.get(CONFLICTS, query_string={"resolved": "false"}, headers=world.boss)
    assert resp.status_code == 200
    assert json.loads(resp.headers["X-Pagination"])["total"] == 1
    [listed] = resp.get_json()
    assert listed["id"] == conflict_id
    assert (listed["entity"], listed["device_id"], listed["base_version"]) == (
        "answer", "tablet-B", 1)
    assert listed["data"]["value"] == 7 and listed["server_version"] == 2
    assert listed["server"]["value"] == 6 and listed["resolved"] is False
    assert listed["client_time"] == "2026-05-05T02:05:00+00:00"
    problem(client.get(CONFLICTS, headers=world.a.headers), 403)
    problem(client.get(CONFLICTS, headers=world.b.headers), 403)
    assert client.get(CONFLICTS, query_string={"resolved": "true"},
                      headers=world.boss).get_json() == []


def test_one_conflict_reads_with_who_pushed_it_and_who_resolved_it_in_its_province_only(
        api, client, world):
    conflict_id = stale_answer(world)
    resp = client.get(f"{CONFLICTS}/{conflict_id}", headers=world.boss)
    assert resp.status_code == 200, resp.get_json()
    got = resp.get_json()
    assert (got["id"], got["device_id"], got["user_id"], got["user_full_name"]) == (
        conflict_id, "tablet-B", str(world.police.id), world.police.full_name)
    assert (got["data"]["value"], got["server"]["value"], got["resolved_by_full_name"]) == (
        7, 6, None)
    [listed] = client.get(CONFLICTS, headers=world.boss).get_json()
    assert listed["user_full_name"] == world.police.full_name
    done = client.post(f"{CONFLICTS}/{conflict_id}/resolve", json={"resolution": "keep_server"},
                       headers=world.boss).get_json()["conflict"]
    assert done["resolved_by_full_name"] == world.supervisor.full_name
    stranger = api.login(factories.UserFactory(role="supervisor", province_code="31"))
    problem(client.get(f"{CONFLICTS}/{conflict_id}", headers=stranger), 404)
    problem(client.get(f"{CONFLICTS}/{uuid.uuid4()}", headers=world.boss), 404)
    problem(client.get(f"{CONFLICTS}/{conflict_id}", headers=world.a.headers), 403)
    problem(client.get(f"{CONFLICTS}/not-a-uuid", headers=world.boss), 404)


def test_taking_the_tablets_data_makes_version_n_plus_1_and_the_history_stays(
        client, session, world):
    conflict_id = stale_answer(world)
    resp = client.post(f"{CONFLICTS}/{conflict_id}/resolve",
                       json={"resolution": "take_client"}, headers=world.boss)
    assert resp.status_code == 200, resp.get_json()
    got = resp.get_json()
    assert got["conflict"]["resolved"] is True and got["conflict"]["resolution"] == "take_client"
    assert (got["record"]["value"], got["record"]["version"]) == (7, 3)
    row = answer_row(session, world, "C1")
    assert (row.value, row.version) == (7, 3)
    history = client.get("/api/v1/audit", query_string={"entity": "answers", "id": str(row.id)},
                         headers=world.boss).get_json()
    assert [h["after"].get("value") for h in history] == [5, 6, 7]
    assert history[-1]["actor_id"] == str(world.supervisor.id)
    again = client.post(f"{CONFLICTS}/{conflict_id}/resolve",
                        json={"resolution": "keep_server"}, headers=world.boss)
    problem(again, 409)


def test_keeping_the_servers_record_only_marks_the_conflict_resolved(client, session, world):
    conflict_id = stale_answer(world)
    resp = client.post(f"{CONFLICTS}/{conflict_id}/resolve",
                       json={"resolution": "keep_server"}, headers=world.boss)
    assert resp.status_code == 200
    assert resp.get_json()["record"]["value"] == 6
    assert answer_row(session, world, "C1").value == 6
    session.expire_all()
    assert session.get(SyncConflict, uuid.UUID(conflict_id)).resolution == "keep_server"
    problem(client.post(f"{CONFLICTS}/{conflict_id}/resolve", json={"resolution": "merge"},
                        headers=world.boss), 422)
    problem(client.post(f"{CONFLICTS}/{uuid.uuid4()}/resolve",
                        json={"resolution": "keep_server"}, headers=world.boss), 404)
    problem(client.post(f"{CONFLICTS}/{conflict_id}/resolve",
                        json={"resolution": "keep_server"}, headers=world.a.headers), 403)


def test_taking_an_answer_into_a_submitted_inspection_is_409_until_it_is_returned(
        client, session, world):
    world.a.push([world.create(), *(world.answer(c, v) for c, v in COMPLIANT.items()),
                  world.submit(1)])
    [late] = world.b.push([world.answer("K1", "Đơn vị cam kết khắc phục")])["results"]
    resolve = f"{CONFLICTS}/{late['conflict_id']}/resolve"
    got = problem(client.post(resolve, json={"resolution": "take_client"}, headers=world.boss),
                  409)
    assert "trả lại" in got["detail"] and got["current_status"] == "submitted"
    assert answer_row(session, world, "K1") is None
    resp = client.post(f"/api/v1/inspections/{world.inspection_id}/review",
                       json={"decision": "return", "comment": "Bổ sung ý kiến giải trình"},
                       headers={**world.boss, "If-Match": '"2"'})
    assert resp.status_code == 200
    resp = client.post(resolve, json={"resolution": "take_client"}, headers=world.boss)
    assert resp.status_code == 200 and resp.get_json()["record"]["version"] == 1
    assert answer_row(session, world, "K1").value == "Đơn vị cam kết khắc phục"


# --- retention -------------------------------------------------------------------------------

def test_the_prune_command_forgets_mutations_past_the_retention(app, session, world):
    world.a.push([world.create()])
    session.expire_all()
    row = session.scalars(select(SyncMutation)).one()
    row.created_at = row.created_at.replace(year=row.created_at.year - 1)
    session.commit()
    result = app.test_cli_runner().invoke(sync, ["prune"])
    assert result.exit_code == 0, result.output
    assert "Đã xoá 1 mã thay đổi" in result.output and "30 ngày" in result.output
    session.expire_all()
    assert count(session, SyncMutation) == 0


def test_another_user_replaying_a_mutation_id_from_the_same_device_id_does_not_see_its_result(
        api, session, world):
    """Remembered results belong to the user and the device: another user logging in with
    the same device id (even from another province) is answered for its own mutations."""
    first = world.a.push([world.create()])
    replayed = {**world.create(), "mutation_id": first["results"][0]["mutation_id"]}
    stranger = Tablet(api, factories.UserFactory(role="inspector", province_code="01"),
                      "tablet-A")

    body = stranger.push([replayed])

    assert statuses(body) == ["rejected"]
    assert body["results"][0]["error"]["status"] == 404
    assert "server" not in body["results"][0]
    again = world.a.push([replayed])
    assert statuses(again) == ["duplicate"]
    assert again["results"][0]["server"] == first["results"][0]["server"]
