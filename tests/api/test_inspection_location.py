"""A retried GPS fix: PUT /inspections/{id}/location over HTTP and the same change pushed by a
tablet (`/sync/push`, an inspection upsert whose data is only `location`)."""

from __future__ import annotations

import uuid

from tests.api.test_inspections_api import (  # noqa: F401  (world is a fixture)
    BASE,
    COMPLIANT,
    LAT,
    LON,
    answer_all,
    create,
    problem,
    submit,
    world,
)
from tests.api.test_sync_push_api import Tablet, mutation

FAR = {"lon": LON, "lat": LAT + 0.01, "accuracy_m": 15.0}  # about 1.1 km north
NEAR = {"lon": LON, "lat": LAT + 0.0002, "accuracy_m": 9.5}


def relocate(client, headers, ident, location, etag='"1"'):  # type: ignore[no-untyped-def]
    extra = {"If-Match": etag} if etag else {}
    return client.put(f"{BASE}/{ident}/location", json={"location": location},
                      headers={**headers, **extra})


def test_a_better_fix_replaces_the_far_one_and_the_location_check_follows(
        client, world):  # type: ignore[no-untyped-def]  # noqa: F811
    created = create(client, world, location=FAR)
    assert created["location_check"]["status"] == "far"
    resp = relocate(client, world.h["police"], created["id"], NEAR)
    assert resp.status_code == 200, resp.get_json()
    assert resp.headers["ETag"] == '"2"'
    body = resp.get_json()
    assert body["version"] == 2
    assert body["location"] == {"lon": LON, "lat": LAT + 0.0002, "accuracy_m": 9.5}
    assert body["location_check"]["status"] == "ok"
    again = client.get(f"{BASE}/{created['id']}", headers=world.h["supervisor"]).get_json()
    assert again["location_check"]["status"] == "ok"
    # The creation replayed as it was first sent is still the same request.
    replay = client.post(BASE, json=world.body(id=created["id"], location=FAR),
                         headers=world.h["inspector"])
    assert replay.status_code == 200, replay.get_json()


def test_a_fix_needs_if_match_and_a_stale_one_answers_412(client, world):  # type: ignore[no-untyped-def]  # noqa: F811
    ident = create(client, world, location=FAR)["id"]
    problem(relocate(client, world.h["inspector"], ident, NEAR, etag=None), 428)
    problem(relocate(client, world.h["inspector"], ident, NEAR, etag='"7"'), 412)


def test_a_malformed_fix_answers_422_keyed_by_field(client, world):  # type: ignore[no-untyped-def]  # noqa: F811
    ident = create(client, world, location=FAR)["id"]
    body = problem(relocate(client, world.h["inspector"], ident,
                            {"lon": 200, "lat": LAT, "accuracy_m": -1}), 422)
    assert set(body["errors"]["location"]) >= {"lon", "accuracy_m"}
    body = problem(client.put(f"{BASE}/{ident}/location", json={},
                              headers={**world.h["inspector"], "If-Match": '"1"'}), 422)
    assert "location" in body["errors"]


def test_only_the_team_moves_the_fix_and_another_province_sees_nothing(
        api, client, world):  # type: ignore[no-untyped-def]  # noqa: F811
    from tests import factories

    ident = create(client, world, location=FAR)["id"]
    outsider = factories.UserFactory(role="inspector")
    problem(relocate(client, api.login(outsider), ident, NEAR), 403)
    problem(relocate(client, world.h["supervisor"], ident, NEAR), 403)
    hai_phong = factories.UserFactory(role="inspector", province_code="31")
    problem(relocate(client, api.login(hai_phong), ident, NEAR), 404)
    problem(relocate(client, world.h["inspector"], str(uuid.uuid4()), NEAR), 404)


def test_a_submitted_inspection_keeps_its_fix(client, world):  # type: ignore[no-untyped-def]  # noqa: F811
    ident = create(client, world, location=FAR)["id"]
    answer_all(client, world, ident, COMPLIANT)
    assert submit(client, world.h["inspector"], ident).status_code == 200
    problem(relocate(client, world.h["inspector"], ident, NEAR, etag='"2"'), 409)


def test_a_tablet_pushes_a_retried_fix_and_a_stale_one_is_a_conflict(
        api, client, world):  # type: ignore[no-untyped-def]  # noqa: F811
    ident = create(client, world, location=FAR)["id"]
    tablet = Tablet(api, world.inspector, "tablet-gps")
    result = tablet.push([mutation("inspection", "upsert", ident, {"location": NEAR}, base=1)])
    got = result["results"][0]
    assert got["status"] == "applied", got
    assert got["version"] == 2
    assert got["server"]["location_check"]["status"] == "ok"
    stale = tablet.push([mutation("inspection", "upsert", ident, {"location": FAR}, base=1)])
    assert stale["results"][0]["status"] == "conflict"
    bad = tablet.push([mutation("inspection", "upsert", ident,
                                {"location": {"lon": LON}}, base=2)])
    assert bad["results"][0]["status"] == "rejected"
    assert "location" in str(bad["results"][0]["error"]["errors"])
    after = client.get(f"{BASE}/{ident}", headers=world.h["supervisor"]).get_json()
    assert after["location_check"]["status"] == "ok" and after["version"] == 2
