"""Sync push at the service level: mutations applied in order, retries answered `duplicate`,
stale writes kept as conflicts, the rest of a batch unaffected by a bad mutation, conflicts
resolved by supervisors, and old mutation ids forgotten."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select, text

from api.blueprints.sync_push import WIRE, push_batch
from inspection import audit, errors
from inspection.db import COPY_FROM_ROWS, utcnow
from inspection.models import (
    Answer,
    AuditEntry,
    Finding,
    Inspection,
    SyncConflict,
    SyncFeed,
    SyncMutation,
)
from inspection.sync import conflicts, push
from tests import factories

LON, LAT = factories.CAN_THO
COMPLIANT = {"A1": "yes", "A2": "yes", "C1": 5, "C2": 5, "C5": "2026-01-15"}
TABLET_A, TABLET_B = "tablet-A", "tablet-B"


class World:
    def __init__(self) -> None:
        self.inspector, self.police = factories.joint_team()
        self.supervisor = factories.UserFactory(role="supervisor")
        self.site = factories.SiteFactory()
        self.checklist = factories.inspection_checklist()
        self.inspection_id = str(uuid.uuid4())

    def create(self, **over):  # type: ignore[no-untyped-def]
        body = {"site_id": str(self.site.id), "checklist_id": str(self.checklist.id),
                "started_at": "2026-05-05T08:30:00+07:00",
                "location": {"lon": LON, "lat": LAT, "accuracy_m": 10.0},
                "team": [str(self.inspector.id), str(self.police.id)], **over}
        return mutation("inspection", "upsert", self.inspection_id, body)

    def answer(self, code, value, base=None, **extra):  # type: ignore[no-untyped-def]
        return mutation("answer", "upsert", str(uuid.uuid4()), {
            "inspection_id": self.inspection_id, "item_code": code, "value": value,
            "answered_at": "2026-05-05T09:00:00+07:00", **extra}, base=base)


def mutation(entity, op, ident, data=None, base=None):  # type: ignore[no-untyped-def]
    return {"mutation_id": str(uuid.uuid4()), "entity": entity, "op": op, "id": ident,
            "base_version": base, "data": data, "client_time": "2026-05-05T09:01:00+07:00"}


@pytest.fixture
def world(app, session):  # type: ignore[no-untyped-def]
    with app.app_context():  # the REST representation reads the app's settings
        yield World()


def run(session, actor, mutations, device=TABLET_A):  # type: ignore[no-untyped-def]
    results = push_batch(session, actor, device_id=device, caller_device_id=device,
                         mutations=mutations)
    session.commit()  # as the request does: the batch's entries and feed rows are chained
    return results


def statuses(results):  # type: ignore[no-untyped-def]
    return [r["status"] for r in results]


def count(session, model):  # type: ignore[no-untyped-def]
    return session.scalar(select(func.count()).select_from(model))


def stored_answer(session, world, code):  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.scalar(select(Answer).where(
        Answer.inspection_id == uuid.UUID(world.inspection_id), Answer.item_code == code))


def started(session, world, values=None):  # type: ignore[no-untyped-def]
    """The inspection created from tablet A, with `values` answered."""
    results = run(session, world.inspector, [world.create()] + [
        world.answer(code, value) for code, value in (values or {}).items()])
    assert set(statuses(results)) == {"applied"}, results
    return results


# --- applying --------------------------------------------------------------------------------

def test_a_new_inspection_and_its_answers_are_applied_with_versions_and_server_records(
        session, world):
    results = started(session, world, {"A1": "yes", "C1": 4})
    assert [r["version"] for r in results] == [1, 1, 1]
    assert results[0]["server"]["id"] == world.inspection_id
    assert results[0]["server"]["status"] == "draft"
    assert results[1]["server"] | {"value": "yes", "item_code": "A1", "version": 1} \
        == results[1]["server"]
    assert stored_answer(session, world, "C1").value == 4
    feed = {(row.entity, row.op) for row in session.scalars(select(SyncFeed))}
    assert {("inspection", "upsert"), ("answer", "upsert")} <= feed


def test_a_retried_batch_applies_nothing_twice_and_answers_the_original_results(
        session, world):
    batch = [world.create(), world.answer("A1", "yes"), world.answer("A1", "no"),
             mutation("answer", "upsert", str(uuid.uuid4()), {"item_code": "A1"})]
    first = run(session, world.inspector, batch)  # the response is "lost"
    assert statuses(first) == ["applied", "applied", "conflict", "rejected"]
    entries, conflicts_before = count(session, AuditEntry), count(session, SyncConflict)

    again = run(session, world.inspector, batch)

    assert statuses(again) == ["duplicate"] * 4
    for original, retried in zip(first, again, strict=True):
        assert retried == {**original, "status": "duplicate",
                           "original_status": original["status"]}
    assert count(session, AuditEntry) == entries
    assert count(session, SyncConflict) == conflicts_before == 1
    assert count(session, Answer) == 1 and stored_answer(session, world, "A1").version == 1


def test_the_same_mutation_id_from_another_device_is_a_new_mutation(session, world):
    started(session, world)
    same = world.answer("A1", "yes")
    assert statuses(run(session, world.inspector, [same])) == ["applied"]
    assert statuses(run(session, world.police, [same], device=TABLET_B)) == ["conflict"]
    assert count(session, SyncMutation) == 3


def test_one_rejected_mutation_does_not_reject_the_others(session, world):
    results = run(session, world.inspector, [
        world.create(),
        world.answer("A1", "yes"),
        world.answer("C1", "năm"),  # a number item
        mutation("photo", "upsert", str(uuid.uuid4()), {}),
        {"mutation_id": "m-bad", "entity": "answer", "op": "upsert", "id": "không-phải-uuid"},
        world.answer("C1", 5),
    ])
    assert statuses(results) == ["applied", "applied", "rejected", "rejected", "rejected",
                                 "applied"]
    wrong_type, unknown, malformed = (r["error"] for r in results[2:5])
    assert wrong_type["status"] == 422 and "value" in wrong_type["errors"]
    assert unknown["status"] == 422 and "entity" in unknown["errors"]
    assert malformed["status"] == 422 and "id" in malformed["errors"]
    assert stored_answer(session, world, "A1").value == "yes"
    assert stored_answer(session, world, "C1").value == 5


def test_the_same_body_again_is_applied_unchanged_and_a_different_one_rejected_409(
        session, world):
    started(session, world)
    results = run(session, world.inspector, [
        world.create(), world.create(started_at="2026-05-06T08:30:00+07:00")])
    assert statuses(results) == ["applied", "rejected"]
    assert results[0]["version"] == 1 and results[1]["error"]["status"] == 409
    session.expire_all()
    assert session.get(Inspection, uuid.UUID(world.inspection_id)).started_at.day == 5


def test_another_provinces_inspection_is_rejected_as_not_found(session, world):
    started(session, world)
    stranger = factories.UserFactory(role="inspector", province_code="01")
    results = run(session, stranger, [world.answer("A1", "no"),
                                      mutation("inspection", "upsert", world.inspection_id,
                                               {"status": "submitted"}, base=1)])
    assert statuses(results) == ["rejected", "rejected"]
    assert {r["error"]["status"] for r in results} == {404}
    assert stored_answer(session, world, "A1") is None


def test_a_push_for_another_device_than_the_tokens_is_forbidden(session, world):
    with pytest.raises(errors.Forbidden):
        push_batch(session, world.inspector, device_id=TABLET_B, caller_device_id=TABLET_A,
                   mutations=[world.create()])
    assert count(session, Inspection) == 0


def test_an_item_answered_cleared_and_answered_again_in_one_batch_ends_with_the_last(
        session, world):
    started(session, world, {"C1": 5})
    key = {"inspection_id": world.inspection_id, "item_code": "A1"}
    results = run(session, world.inspector, [
        world.answer("A1", "yes"), world.answer("C1", 6, base=1),
        mutation("answer", "delete", str(uuid.uuid4()), key, base=1),
        world.answer("A1", "no"), world.answer("A1", "yes", base=1),
        world.answer("C1", 7, base=2)])
    assert statuses(results) == ["applied"] * 6
    assert [r["version"] for r in results] == [1, 2, None, 1, 2, 3]
    assert (stored_answer(session, world, "A1").value,
            stored_answer(session, world, "A1").version) == ("yes", 2)
    assert stored_answer(session, world, "C1").value == 7


def _refuse_answers_to(session, code):  # type: ignore[no-untyped-def]
    """A trigger refusing every new answer to `code` as a unique violation would: the
    database refuses what the rules accepted (another writer got there first)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"""
            CREATE FUNCTION pg_temp.refuse_answer() RETURNS trigger AS $$ BEGIN
              IF NEW.item_code = '{code}' THEN
                RAISE EXCEPTION 'answered elsewhere' USING ERRCODE = 'unique_violation';
              END IF; RETURN NEW; END $$ LANGUAGE plpgsql"""))
        session.execute(text("CREATE TRIGGER refuse_answer BEFORE INSERT ON answers FOR EACH "
                             "ROW EXECUTE FUNCTION pg_temp.refuse_answer()"))
    else:
        session.execute(text(f"CREATE TRIGGER refuse_answer BEFORE INSERT ON answers WHEN "
                             f"NEW.item_code = '{code}' BEGIN "
                             f"SELECT RAISE(ABORT, 'answered elsewhere'); END"))


def test_a_write_the_database_refuses_is_replayed_alone_and_the_batch_still_applies(
        session, world):
    started(session, world)
    _refuse_answers_to(session, "C1")
    results = run(session, world.inspector, [
        world.answer("A1", "yes"), world.answer("C1", 5), world.answer("A2", "no")])
    assert statuses(results) == ["applied", "conflict", "applied"]
    assert [stored_answer(session, world, c).value for c in ("A1", "A2")] == ["yes", "no"]
    assert stored_answer(session, world, "C1") is None
    assert count(session, Answer) == 2 and count(session, SyncConflict) == 1
    assert audit.verify(session).ok  # the rolled-back attempt left no link in the chain


class Statements:
    """Counts the statements a session's connection executes while the block runs."""

    def __init__(self, session) -> None:  # type: ignore[no-untyped-def]
        self.engine, self.count = session.get_bind(), 0

    def _one(self, *_args) -> None:  # type: ignore[no-untyped-def]
        self.count += 1

    def __enter__(self):  # type: ignore[no-untyped-def]
        event.listen(self.engine, "before_cursor_execute", self._one)
        return self

    def __exit__(self, *_exc) -> None:  # type: ignore[no-untyped-def]
        event.remove(self.engine, "before_cursor_execute", self._one)


def _visits(world, inspections):  # type: ignore[no-untyped-def]
    """New inspections of `world`'s site, each with three answers."""
    batch = []
    for _ in range(inspections):
        world.inspection_id = str(uuid.uuid4())
        batch += [world.create()] + [world.answer(code, value) for code, value in
                                     (("A1", "yes"), ("A2", "yes"), ("C1", 5))]
    return batch


def test_new_inspections_and_their_answers_cost_the_same_statements_one_or_five(
        session, world):
    assert count(session, Inspection) == 0  # (the test's transaction begun before counting)
    with Statements(session) as one:
        results = push_batch(session, world.inspector, device_id=TABLET_A,
                             caller_device_id=TABLET_A, mutations=_visits(world, 1))
        audit.chain_pending(session)
    assert set(statuses(results)) == {"applied"}
    session.commit()
    assert count(session, Inspection) == 1
    with Statements(session) as five:
        results = push_batch(session, world.inspector, device_id=TABLET_A,
                             caller_device_id=TABLET_A, mutations=_visits(world, 5))
        audit.chain_pending(session)
    assert statuses(results) == ["applied"] * 20
    session.commit()
    assert five.count == one.count  # loaded, written and chained per batch, not per record
    assert count(session, Inspection) == 6 and count(session, Answer) == 18
    assert audit.verify(session).ok


def test_a_large_batch_chains_verifies_and_answers_its_retry_as_it_answered(session, world):
    """A batch past `COPY_FROM_ROWS` (its entries and remembered results copied in on
    PostgreSQL): the chain verifies, the feed has every record, and the retry of the batch is
    answered, mutation by mutation, with what the first push answered."""
    batch = _visits(world, (COPY_FROM_ROWS + 3) // 4 + 1)
    first = run(session, world.inspector, batch)
    assert set(statuses(first)) == {"applied"} and len(first) > COPY_FROM_ROWS
    assert audit.verify(session).ok
    assert count(session, AuditEntry) >= len(batch)
    assert session.scalar(select(func.count()).where(
        SyncFeed.entity.in_(("inspection", "answer")))) == len(batch)
    again = run(session, world.inspector, batch)
    assert statuses(again) == ["duplicate"] * len(batch)
    assert [{k: v for k, v in r.items() if k != "original_status"} | {"status": "applied"}
            for r in again] == first
    assert count(session, SyncMutation) == len(batch)


def test_a_creation_whose_submit_fails_leaves_nothing_and_the_id_can_still_be_created(
        session, world):
    results = run(session, world.inspector, [
        world.create(status="submitted"), world.create(), world.answer("A1", "yes")])
    assert statuses(results) == ["rejected", "applied", "applied"]
    assert results[0]["error"]["status"] == 422  # nothing answered: what is missing
    inspection = session.get(Inspection, uuid.UUID(world.inspection_id))
    assert inspection.status == "draft" and inspection.version == 1
    assert stored_answer(session, world, "A1").value == "yes"
    assert count(session, Inspection) == 1
    assert audit.verify(session).ok


def test_one_new_inspection_sent_twice_in_a_batch_is_made_once_and_another_body_refused(
        session, world):
    again = {**world.create(), "mutation_id": str(uuid.uuid4())}
    other = world.create(started_at="2026-05-05T10:00:00+07:00")
    results = run(session, world.inspector, [
        world.create(), world.answer("A1", "yes"), again, other, world.answer("A2", "no")])
    assert statuses(results) == ["applied", "applied", "applied", "rejected", "applied"]
    assert results[2]["version"] == 1 and results[3]["error"]["status"] == 409
    assert count(session, Inspection) == 1
    assert {stored_answer(session, world, c).value for c in ("A1", "A2")} == {"yes", "no"}
    assert audit.verify(session).ok


def test_a_second_open_visit_of_a_campaign_and_site_is_rejected_naming_the_first_even_within_a_batch(  # noqa: E501
        session, world):
    campaign = factories.CampaignFactory(checklist_id=world.checklist.id,
                                         created_by=world.supervisor.id)
    first, second, third = (str(uuid.uuid4()) for _ in range(3))
    world.inspection_id = first
    opened = run(session, world.inspector, [world.create(campaign_id=str(campaign.id))])
    assert statuses(opened) == ["applied"]

    world.inspection_id = second
    again = world.create(campaign_id=str(campaign.id))
    world.inspection_id = third
    results = run(session, world.inspector, [
        again, mutation("inspection", "delete", first, base=1),
        world.create(campaign_id=str(campaign.id)), world.create(campaign_id=str(campaign.id))])

    assert statuses(results) == ["rejected", "applied", "applied", "applied"]
    assert results[0]["error"]["status"] == 409
    assert results[0]["error"]["existing_id"] == first
    assert {str(i) for i in session.scalars(select(Inspection.id))} == {third}
    world.inspection_id = str(uuid.uuid4())
    (late,) = run(session, world.inspector, [world.create(campaign_id=str(campaign.id))])
    assert late["status"] == "rejected" and late["error"]["existing_id"] == third


# --- conflicts -------------------------------------------------------------------------------

def test_two_tablets_answering_different_items_of_one_inspection_both_apply(session, world):
    started(session, world)
    a = run(session, world.inspector, [world.answer("A1", "yes"), world.answer("C1", 5)])
    b = run(session, world.police, [world.answer("A2", "no"), world.answer("C2", 5)],
            device=TABLET_B)
    assert statuses(a + b) == ["applied"] * 4
    assert {c: stored_answer(session, world, c).value for c in ("A1", "A2", "C1", "C2")} == \
        {"A1": "yes", "A2": "no", "C1": 5, "C2": 5}
    assert count(session, SyncConflict) == 0


def test_the_same_item_answered_on_two_tablets_makes_the_second_a_conflict_kept_whole(
        session, world):
    started(session, world)
    run(session, world.inspector, [world.answer("A1", "yes", note="Đủ dấu ngày")])
    theirs = world.answer("A1", "no", note="Thiếu dấu ngày trên 3 bưu gửi")
    [result] = run(session, world.police, [theirs], device=TABLET_B)

    assert result["status"] == "conflict" and result["version"] == 1
    assert result["server"]["value"] == "yes"
    conflict = session.get(SyncConflict, uuid.UUID(result["conflict_id"]))
    assert (conflict.entity, conflict.entity_id, conflict.device_id, conflict.user_id) == (
        "answer", theirs["id"], TABLET_B, world.police.id)
    assert conflict.data == theirs["data"] and conflict.base_version is None
    assert (conflict.server_version, conflict.province_code) == (1, "92")
    assert conflict.client_time.hour == 2 and conflict.resolved_at is None
    assert stored_answer(session, world, "A1").value == "yes"


def test_a_stale_answer_is_a_conflict_and_a_current_one_a_new_version(session, world):
    started(session, world, {"C1": 5})
    assert run(session, world.inspector, [world.answer("C1", 6, base=1)])[0]["version"] == 2
    [stale] = run(session, world.police, [world.answer("C1", 7, base=1)], device=TABLET_B)
    assert (stale["status"], stale["version"], stale["server"]["value"]) == ("conflict", 2, 6)
    assert stored_answer(session, world, "C1").value == 6
    listed = session.scalars(conflicts.list_conflicts(world.supervisor, resolved=False)).all()
    assert [(c.entity, c.data["value"], c.base_version) for c in listed] == [("answer", 7, 1)]


def test_answers_to_a_submitted_inspection_are_conflicts_and_a_stale_submit_too(
        session, world):
    started(session, world, COMPLIANT)
    [submitted] = run(session, world.inspector, [
        mutation("inspection", "upsert", world.inspection_id, {"status": "submitted"}, base=1)])
    assert (submitted["status"], submitted["version"]) == ("applied", 2)
    assert submitted["server"]["status"] == "submitted"

    late = run(session, world.police, [
        world.answer("K1", "Đơn vị xin bổ sung giấy tờ"), world.answer("C1", 6, base=1),
        mutation("inspection", "upsert", world.inspection_id, {"status": "submitted"}, base=1),
        world.create(campaign_id=None, started_at="2026-05-06T08:30:00+07:00")],
        device=TABLET_B)
    assert statuses(late) == ["conflict", "conflict", "conflict", "conflict"]
    assert late[2]["server"]["status"] == "submitted" and late[2]["version"] == 2
    assert stored_answer(session, world, "K1") is None
    assert stored_answer(session, world, "C1").value == 5
    assert count(session, SyncConflict) == 4


def test_a_conflict_answered_twice_is_recorded_once(session, world):
    started(session, world, {"A1": "yes"})
    stale = [world.answer("A1", "no")]
    first = run(session, world.police, stale, device=TABLET_B)
    again = run(session, world.police, stale, device=TABLET_B)
    assert again[0]["conflict_id"] == first[0]["conflict_id"]
    assert count(session, SyncConflict) == 1


# --- deletions and findings ------------------------------------------------------------------

def test_deleting_a_draft_removes_it_and_its_answers_leaving_tombstones(session, world):
    started(session, world, {"A1": "yes", "C1": 5})
    results = run(session, world.police, [
        mutation("inspection", "delete", world.inspection_id, base=1),
        mutation("inspection", "delete", world.inspection_id, base=1)], device=TABLET_B)
    assert statuses(results) == ["applied", "applied"]
    assert results[0]["server"] is None
    session.expire_all()
    assert count(session, Inspection) == 0 and count(session, Answer) == 0
    tombstones = session.scalars(select(SyncFeed.entity).where(SyncFeed.op == "delete")).all()
    assert sorted(tombstones) == ["answer", "answer", "inspection"]


def test_deleting_needs_the_current_version_and_a_draft(session, world):
    started(session, world, COMPLIANT)
    results = run(session, world.inspector, [
        mutation("inspection", "delete", world.inspection_id),
        mutation("inspection", "upsert", world.inspection_id, {"status": "submitted"}, base=1),
        mutation("inspection", "delete", world.inspection_id, base=2),
    ])
    assert statuses(results) == ["rejected", "applied", "conflict"]
    assert results[0]["error"]["status"] == 428
    assert count(session, Inspection) == 1


def test_clearing_an_answer_checks_its_version(session, world):
    started(session, world, {"A1": "yes", "C1": 5})
    key = {"inspection_id": world.inspection_id}
    results = run(session, world.inspector, [
        mutation("answer", "delete", str(uuid.uuid4()), {**key, "item_code": "A1"}, base=1),
        mutation("answer", "delete", str(uuid.uuid4()), {**key, "item_code": "C1"}, base=3),
        mutation("answer", "delete", str(uuid.uuid4()), {**key, "item_code": "H1"}, base=1)])
    assert statuses(results) == ["applied", "conflict", "applied"]
    assert stored_answer(session, world, "A1") is None
    assert stored_answer(session, world, "C1").value == 5


def test_findings_move_on_through_push_but_are_never_created_or_deleted(session, world):
    started(session, world, {**COMPLIANT, "H1": "thiếu"})
    run(session, world.inspector, [
        mutation("inspection", "upsert", world.inspection_id, {"status": "submitted"}, base=1)])
    finding = session.scalar(select(Finding).where(Finding.item_code == "H1"))
    ident = str(finding.id)
    results = run(session, world.supervisor, [
        mutation("finding", "upsert", ident, {"status": "confirmed", "comment": "Đúng"}, base=1),
        mutation("finding", "upsert", ident, {"status": "dismissed", "comment": "Sai"}, base=1),
        mutation("finding", "upsert", ident, {"status": "verified"}, base=2),
        mutation("finding", "upsert", str(uuid.uuid4()), {"status": "open"}),
        mutation("finding", "delete", ident, base=2)])
    assert statuses(results) == ["applied", "conflict", "rejected", "rejected", "rejected"]
    assert results[0]["server"]["status"] == "confirmed"
    assert [r["error"]["status"] for r in results[2:]] == [409, 422, 422]
    session.expire_all()
    assert (session.get(Finding, finding.id).status, session.get(Finding, finding.id).version) \
        == ("confirmed", 2)


# --- resolving -------------------------------------------------------------------------------

def stale_conflict(session, world):  # type: ignore[no-untyped-def]
    started(session, world, {"C1": 5})
    run(session, world.inspector, [world.answer("C1", 6, base=1)])
    [result] = run(session, world.police, [world.answer("C1", 7, base=1, note="Đếm lại")],
                   device=TABLET_B)
    return uuid.UUID(result["conflict_id"])


def test_taking_the_clients_data_makes_a_new_version_and_keeps_the_history(session, world):
    conflict_id = stale_conflict(session, world)
    conflict, target = conflicts.resolve(session, world.supervisor, conflict_id=conflict_id,
                                         resolution="take_client", wire=WIRE)
    answer = stored_answer(session, world, "C1")
    assert (answer.value, answer.version, answer.note, answer.answered_by) == (
        7, 3, "Đếm lại", world.police.id)
    assert target.version == 3
    assert (conflict.resolution, conflict.resolved_by) == ("take_client", world.supervisor.id)
    audit.chain_pending(session)
    history = session.scalars(select(AuditEntry.after).where(
        AuditEntry.entity == "answers", AuditEntry.entity_id == str(answer.id))
        .order_by(AuditEntry.id)).all()
    assert [h.get("value") for h in history] == [5, 6, 7]
    assert session.scalars(conflicts.list_conflicts(world.supervisor, resolved=False)).all() \
        == []


def test_keeping_the_servers_record_changes_nothing_and_resolving_twice_is_refused(
        session, world):
    conflict_id = stale_conflict(session, world)
    conflict, target = conflicts.resolve(session, world.supervisor, conflict_id=conflict_id,
                                         resolution="keep_server", wire=WIRE)
    assert conflict.resolution == "keep_server" and target.version == 2
    assert stored_answer(session, world, "C1").value == 6
    with pytest.raises(errors.Conflict):
        conflicts.resolve(session, world.supervisor, conflict_id=conflict_id,
                          resolution="take_client", wire=WIRE)


def test_an_answer_to_a_submitted_inspection_can_be_taken_only_once_it_is_returned(
        session, world):
    started(session, world, COMPLIANT)
    run(session, world.inspector, [
        mutation("inspection", "upsert", world.inspection_id, {"status": "submitted"}, base=1)])
    [late] = run(session, world.police, [world.answer("K1", "Bổ sung giấy phép")],
                 device=TABLET_B)
    conflict_id = uuid.UUID(late["conflict_id"])
    with pytest.raises(errors.InvalidState, match="trả lại"):
        conflicts.resolve(session, world.supervisor, conflict_id=conflict_id,
                          resolution="take_client", wire=WIRE)
    from inspection.inspections import services

    services.review(session, world.supervisor, inspection_id=uuid.UUID(world.inspection_id),
                    decision="return", comment="Bổ sung ý kiến đơn vị", if_match=2)
    conflict, _ = conflicts.resolve(session, world.supervisor, conflict_id=conflict_id,
                                    resolution="take_client", wire=WIRE)
    assert conflict.resolution == "take_client"
    assert stored_answer(session, world, "K1").value == "Bổ sung giấy phép"


def test_only_supervisors_of_the_province_see_and_resolve_conflicts(session, world):
    conflict_id = stale_conflict(session, world)
    with pytest.raises(errors.Forbidden):
        conflicts.list_conflicts(world.inspector)
    elsewhere = factories.UserFactory(role="supervisor", province_code="01")
    assert session.scalars(conflicts.list_conflicts(elsewhere)).all() == []
    with pytest.raises(errors.NotFound):
        conflicts.resolve(session, elsewhere, conflict_id=conflict_id,
                          resolution="keep_server", wire=WIRE)


# --- retention -------------------------------------------------------------------------------

def test_pruning_forgets_only_the_mutations_older_than_the_retention(session, world):
    started(session, world, {"A1": "yes"})
    old = session.scalars(select(SyncMutation)).first()
    old.created_at = utcnow() - timedelta(days=31)
    session.flush()
    assert push.prune(session, older_than=utcnow() - timedelta(days=30)) == 1
    assert count(session, SyncMutation) == 1
