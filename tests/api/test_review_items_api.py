"""POST /inspections/{id}/review with `items`: the items a supervisor marks when returning an
inspection, stored, shown in the inspection's `review` (REST and the sync pull feed), and
refused when unknown, malformed or given with an approval."""

from __future__ import annotations

import uuid

import pytest

from inspection.models import Inspection
from tests.api.test_inspections_api import (
    BASE,
    COMPLIANT,
    World,
    answer_all,
    create,
    problem,
    put_answer,
    submit,
)


@pytest.fixture
def world(api, session):  # type: ignore[no-untyped-def]
    return World(api)


def _submitted(client, world):  # type: ignore[no-untyped-def]
    ident = create(client, world)["id"]
    answer_all(client, world, ident, {**COMPLIANT, "A1": "no"})
    assert submit(client, world.h["inspector"], ident).status_code == 200
    return ident


def _review(client, world, ident, body, etag='"2"'):  # type: ignore[no-untyped-def]
    return client.post(f"{BASE}/{ident}/review", json=body,
                       headers={**world.h["supervisor"], "If-Match": etag})


def test_a_return_marks_items_shown_in_rest_and_in_the_pull_feed(client, session, world):  # type: ignore[no-untyped-def]
    ident = _submitted(client, world)
    resp = _review(client, world, ident, {"decision": "return", "comment": "Chụp lại dấu ngày",
                                          "items": ["C2", "A1", "A1"]})
    assert resp.status_code == 200, resp.get_json()
    review = resp.get_json()["review"]
    assert (review["decision"], review["items"]) == ("return", ["A1", "C2"])  # checklist order
    got = client.get(f"{BASE}/{ident}", headers=world.h["police"]).get_json()
    assert got["review"]["items"] == ["A1", "C2"]
    feed = client.get("/api/v1/sync/pull", headers=world.h["police"]).get_json()
    mine = [c for c in feed["changes"] if c["entity"] == "inspection" and c["id"] == ident]
    assert mine and mine[-1]["data"]["review"]["items"] == ["A1", "C2"]
    session.expire_all()
    assert session.get_one(Inspection, uuid.UUID(ident)).review_items == ["A1", "C2"]

    # Fixed, resubmitted and approved: the approval marks nothing.
    etag = client.get(f"{BASE}/{ident}/answers/A1", headers=world.h["inspector"]).headers["ETag"]
    assert put_answer(client, world.h["inspector"], ident, "A1", "yes",
                      etag=etag).status_code == 200
    assert submit(client, world.h["inspector"], ident, etag='"3"').status_code == 200
    approved = _review(client, world, ident, {"decision": "approve"}, etag='"4"').get_json()
    assert approved["review"] == {**approved["review"], "decision": "approve", "items": []}


def test_a_return_without_items_and_an_approval_show_an_empty_list(client, world):  # type: ignore[no-untyped-def]
    ident = _submitted(client, world)
    resp = _review(client, world, ident, {"decision": "return", "comment": "Bổ sung ghi chú",
                                          "items": []})
    assert resp.status_code == 200 and resp.get_json()["review"]["items"] == []


def test_an_item_not_of_the_checklist_answers_422_and_changes_nothing(client, session, world):  # type: ignore[no-untyped-def]
    ident = _submitted(client, world)
    got = problem(_review(client, world, ident, {
        "decision": "return", "comment": "Sửa", "items": ["A1", "Z9", "L4"]}), 422)
    assert list(got["errors"]) == ["items"] and "Z9" in got["detail"] and "L4" in got["detail"]
    session.expire_all()
    row = session.get_one(Inspection, uuid.UUID(ident))
    assert (row.status, row.version, row.review_items) == ("submitted", 2, [])


def test_items_with_an_approval_answer_422(client, world):  # type: ignore[no-untyped-def]
    ident = _submitted(client, world)
    got = problem(_review(client, world, ident, {"decision": "approve", "items": ["A1"]}), 422)
    assert list(got["errors"]) == ["items"]


def test_malformed_items_answer_422(client, world):  # type: ignore[no-untyped-def]
    ident = _submitted(client, world)
    for items in ("A1", [1], [""], ["A" * 21], [None], {"A1": True}):
        problem(_review(client, world, ident, {"decision": "return", "comment": "Sửa",
                                               "items": items}), 422)


def test_a_supervisor_of_another_province_gets_404(api, client, world):  # type: ignore[no-untyped-def]
    from tests import factories

    ident = _submitted(client, world)
    hai_phong = factories.UserFactory(role="supervisor", province_code="31")
    problem(client.post(f"{BASE}/{ident}/review",
                        json={"decision": "return", "comment": "Sửa", "items": ["A1"]},
                        headers={**api.login(hai_phong), "If-Match": '"2"'}), 404)


def test_a_stale_or_missing_if_match_stores_no_items(client, session, world):  # type: ignore[no-untyped-def]
    ident = _submitted(client, world)
    body = {"decision": "return", "comment": "Sửa", "items": ["A1"]}
    problem(_review(client, world, ident, body, etag='"1"'), 412)
    problem(client.post(f"{BASE}/{ident}/review", json=body, headers=world.h["supervisor"]), 428)
    session.expire_all()
    assert session.get_one(Inspection, uuid.UUID(ident)).review_items == []
