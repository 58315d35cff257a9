"""GET /sync/pull: the changes a caller may see after a cursor, in position order, with
tombstones; paging loses and repeats nothing, also while other writers commit (PostGIS)."""

from __future__ import annotations

import random
import threading
import time
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text

from api.app import create_app
from inspection import audit, migrate, sites
from inspection.config import Settings
from inspection.db import make_engine, make_session_factory
from inspection.inspections import services
from inspection.models import Answer, AuditEntry, Checklist, Inspection, Site, SyncFeed, User
from inspection.sync import feed
from tests import factories
from tests.conftest import _drop_postgres_database, _postgres_database, seed_reference

URL = "/api/v1/sync/pull"
STARTED = datetime(2026, 5, 5, 1, 30, tzinfo=UTC)


def pull(client, headers, cursor=None, limit=None):  # type: ignore[no-untyped-def]
    query = {k: v for k, v in {"cursor": cursor, "limit": limit}.items() if v is not None}
    resp = client.get(URL, query_string=query, headers=headers)
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def pull_all(client, headers, cursor=None, limit=None):  # type: ignore[no-untyped-def]
    """Every change after `cursor`, page by page; (changes, final cursor, page cursors)."""
    changes, cursors = [], []
    while True:
        page = pull(client, headers, cursor, limit)
        changes += page["changes"]
        cursors.append(int(page["cursor"]))
        cursor = page["cursor"]
        if not page["has_more"]:
            return changes, cursor, cursors


def keys(changes):  # type: ignore[no-untyped-def]
    return [(c["entity"], c["id"], c["op"], c["version"]) for c in changes]


class World:
    """Cần Thơ: a site with an inspection and answers, an assignment; a site of another post
    office; a site in Hải Phòng."""

    def __init__(self, api, session) -> None:  # type: ignore[no-untyped-def]
        self.inspector, self.police = factories.joint_team()
        self.supervisor = factories.UserFactory(role="supervisor")
        self.checklist = factories.inspection_checklist()
        self.site = factories.SiteFactory()
        self.other_office = factories.SiteFactory(organization="Bưu điện Phong Điền")
        self.assignment = factories.AssignmentFactory(
            site_id=self.site.id, team=[self.inspector, self.police])
        self.inspection, _ = services.create_inspection(
            session, self.inspector, inspection_id=uuid.uuid4(), site_id=self.site.id,
            checklist_id=self.checklist.id, started_at=STARTED,
            team=[self.inspector.id, self.police.id])
        self.answers = [self.answer(session, code, value)
                        for code, value in (("A1", "yes"), ("C1", 4))]
        self.far_site = factories.SiteFactory(province_code="31", location=None)
        self.post = factories.UserFactory(role="post", agency="post",
                                          organization=self.site.organization)
        self.h = {name: api.login(getattr(self, name))
                  for name in ("inspector", "supervisor", "post")}

    def answer(self, session, code, value, version=None):  # type: ignore[no-untyped-def]
        return services.put_answer(session, self.inspector, inspection_id=self.inspection.id,
                                   item_code=code, value=value, answered_at=STARTED,
                                   if_match=version, create_only=version is None)[0]


@pytest.fixture
def world(api, session):  # type: ignore[no-untyped-def]
    return World(api, session)


def test_pulling_from_the_start_gives_every_visible_record_once_with_its_rest_shape(
        client, world):
    got = pull(client, world.h["supervisor"])
    assert got["has_more"] is False
    by_id = {c["id"]: c for c in got["changes"]}
    assert len(by_id) == len(got["changes"])
    assert set(by_id) == {str(i) for i in (world.site.id, world.other_office.id,
                                           world.assignment.id, world.inspection.id,
                                           *(a.id for a in world.answers))}
    site = by_id[str(world.site.id)]
    rest = client.get(f"/api/v1/sites/{world.site.id}", headers=world.h["supervisor"])
    assert (site["entity"], site["op"], site["version"]) == ("site", "upsert", 1)
    assert site["data"] == rest.get_json()
    answer = by_id[str(world.answers[1].id)]
    assert answer["entity"] == "answer"
    assert {k: answer["data"][k] for k in ("inspection_id", "item_code", "value", "version")} \
        == {"inspection_id": str(world.inspection.id), "item_code": "C1", "value": 4,
            "version": 1}
    inspection = by_id[str(world.inspection.id)]
    assert inspection["data"]["status"] == "draft" and "answers" not in inspection["data"]
    assert by_id[str(world.assignment.id)]["data"]["site_id"] == str(world.site.id)


def test_pages_of_two_lose_and_repeat_nothing(client, world):
    whole = pull(client, world.h["supervisor"])
    paged, cursor, cursors = pull_all(client, world.h["supervisor"], limit=2)
    assert keys(paged) == keys(whole["changes"])
    assert len(paged) > 4 and len(cursors) == -(-len(paged) // 2)
    assert cursors == sorted(set(cursors))
    assert cursor == whole["cursor"]


def test_has_more_says_whether_a_page_was_cut_short(client, world):
    first = pull(client, world.h["supervisor"], limit=2)
    assert first["has_more"] is True and len(first["changes"]) == 2
    last = pull(client, world.h["supervisor"], limit=500)
    assert last["has_more"] is False
    empty = pull(client, world.h["supervisor"], cursor=last["cursor"])
    assert empty == {"changes": [], "cursor": last["cursor"], "has_more": False}


def test_after_a_new_write_the_last_cursor_gives_just_that_change(client, session, world):
    cursor = pull(client, world.h["inspector"])["cursor"]
    world.answer(session, "A1", "no", version=1)
    session.commit()
    got = pull(client, world.h["inspector"], cursor)
    assert keys(got["changes"]) == [("answer", str(world.answers[0].id), "upsert", 2)]
    assert got["changes"][0]["data"]["value"] == "no"
    assert int(got["cursor"]) > int(cursor)
    assert int(got["cursor"]) == feed.newest(session, "92")


def test_a_record_changed_twice_between_pulls_comes_once_at_its_latest_version(
        client, session, world):
    cursor = pull(client, world.h["supervisor"])["cursor"]
    for version, name in enumerate(("Bưu cục Cái Khế", "Bưu cục Tân An"), start=1):
        sites.update_site(session, world.supervisor, world.site.id, expected_version=version,
                          changes={"name": name})
    session.commit()
    got = pull(client, world.h["supervisor"], cursor)["changes"]
    assert keys(got) == [("site", str(world.site.id), "upsert", 3)]
    assert got[0]["data"]["name"] == "Bưu cục Tân An"


def test_a_deletion_comes_as_a_tombstone_without_data(client, session, world):
    cursor = pull(client, world.h["inspector"])["cursor"]
    gone = world.answers[1]
    session.delete(gone)
    session.commit()
    got = pull(client, world.h["inspector"], cursor)["changes"]
    assert got == [{"entity": "answer", "id": str(gone.id), "op": "delete", "version": 1,
                    "data": None}]


def test_another_provinces_changes_never_appear(client, api, session, world):
    sites.update_site(session, factories.UserFactory(role="supervisor", province_code="31"),
                      world.far_site.id, expected_version=1, changes={"name": "Bưu cục Lê Chân"})
    mine = {c["id"] for c in pull(client, world.h["supervisor"])["changes"]}
    assert str(world.far_site.id) not in mine
    national = factories.UserFactory(role="admin", province_code=None)
    everything = {c["id"] for c in pull(client, api.login(national))["changes"]}
    assert {str(world.far_site.id), str(world.site.id)} <= everything


def test_a_national_admin_pages_through_every_province_with_one_cursor(
        client, api, session, world):
    """Positions are numbered per province: a reader of several provinces gets a cursor with
    a position for each (`N-PP:M-…`), pages lose and repeat nothing, and a change made after
    the last page comes alone from its cursor."""
    headers = api.login(factories.UserFactory(role="admin", province_code=None))
    whole = pull(client, headers, limit=500)
    assert not whole["has_more"] and "-31:" in whole["cursor"] and "-92:" in whole["cursor"]
    paged, cursor = [], None
    while True:
        page = pull(client, headers, cursor, 2)
        paged += page["changes"]
        cursor = page["cursor"]
        if not page["has_more"]:
            break
    assert keys(paged) == keys(whole["changes"]) and len(set(keys(paged))) == len(paged)
    assert cursor == whole["cursor"]
    sites.update_site(session, factories.UserFactory(role="supervisor", province_code="31"),
                      world.far_site.id, expected_version=1, changes={"name": "Bưu cục mới"})
    session.commit()
    got = pull(client, headers, cursor)
    assert [(c["entity"], c["id"]) for c in got["changes"]] == [("site", str(world.far_site.id))]
    assert got["cursor"] != cursor and pull(client, headers, got["cursor"])["changes"] == []


def test_a_post_office_sees_only_its_own_sites_and_their_reviewed_inspections(
        client, session, world):
    got = pull(client, world.h["post"])["changes"]
    assert {(c["entity"], c["id"]) for c in got} == {("site", str(world.site.id))}  # a draft
    world.inspection.status = "approved"
    session.flush()
    got = pull(client, world.h["post"])["changes"]
    assert {(c["entity"], c["id"]) for c in got} == {
        ("site", str(world.site.id)), ("inspection", str(world.inspection.id)),
        *(("answer", str(a.id)) for a in world.answers)}


def test_a_post_user_without_an_organisation_sees_nothing(client, api, session, world):
    nobody = factories.UserFactory(role="post", agency="post", organization=None)
    assert pull(client, api.login(nobody))["changes"] == []


def test_inspectors_pull_only_the_assignments_they_are_on(client, session, world):
    others = factories.AssignmentFactory(site_id=world.other_office.id,
                                         team=list(factories.joint_team()))
    got = {(c["entity"], c["id"]) for c in pull(client, world.h["inspector"])["changes"]}
    assert ("assignment", str(world.assignment.id)) in got
    assert ("assignment", str(others.id)) not in got
    assert ("site", str(world.other_office.id)) in got


@pytest.mark.parametrize("query", [
    {"cursor": "-1"}, {"cursor": "abc"}, {"cursor": "1.5"}, {"cursor": "9" * 40},
    {"limit": "0"}, {"limit": "501"}, {"limit": "x"}])
def test_a_bad_cursor_or_limit_answers_422_naming_the_field(client, world, query):
    resp = client.get(URL, query_string=query, headers=world.h["supervisor"])
    assert resp.status_code == 422
    assert resp.mimetype == "application/problem+json"
    body = resp.get_json()
    assert body["status"] == 422 and set(body["errors"]) == set(query)


def test_without_a_token_pull_answers_401(client, session):
    resp = client.get(URL)
    assert resp.status_code == 401 and resp.mimetype == "application/problem+json"


# --- concurrent writers, real commits (PostGIS) ----------------------------------------------

WRITERS = 4  # half in each province
TRANSACTIONS_EACH = 25
PROVINCES = ("92", "31")
TABLES = {"site": "sites", "inspection": "inspections", "answer": "answers"}


@pytest.fixture(scope="module")
def scratch():  # type: ignore[no-untyped-def]
    """A migrated PostGIS database of its own, committed to for real."""
    name = f"kt1_pull_{uuid.uuid4().hex[:8]}"
    url = _postgres_database(name)
    engine = make_engine(url, pool_size=WRITERS + 2)
    migrate.upgrade(engine)
    seed_reference(engine)
    yield url, engine
    engine.dispose()
    _drop_postgres_database(name)


def _committed(factory, *objects):  # type: ignore[no-untyped-def]
    with factory() as session:
        session.add_all(objects)
        session.commit()
    return objects


class Writer:
    """One tablet's worth of changes in its inspector's province (and now and then a site in
    the other one), each transaction sleeping before and after its flush so that transactions
    overlap and would commit out of order under a naive sequence."""

    def __init__(self, factory, n: int, inspector: User, checklist_id: uuid.UUID) -> None:  # type: ignore[no-untyped-def]
        self.factory, self.n, self.inspector = factory, n, inspector
        self.checklist_id = checklist_id
        self.province = inspector.province_code
        self.far = next(p for p in PROVINCES if p != self.province)
        self.rng = random.Random(n)
        self.sites: list[uuid.UUID] = []
        self.far_sites: list[uuid.UUID] = []
        self.inspections: list[uuid.UUID] = []
        self.answers: list[uuid.UUID] = []
        self.created_answers: list[uuid.UUID] = []
        self.deleted: list[uuid.UUID] = []

    def run(self) -> None:
        for i in range(TRANSACTIONS_EACH):
            with self.factory() as session:
                audit.set_actor(session, self.inspector.id, f"tablet-{self.n}")
                self._nap()
                self._change(session, i)
                session.flush()
                self._nap()
                session.commit()

    def _nap(self) -> None:
        time.sleep(self.rng.uniform(0, 0.004))

    def _change(self, session, i: int) -> None:  # type: ignore[no-untyped-def]
        choice = self.rng.choice(("site", "rename", "inspect", "answer", "delete", "far"))
        if choice == "far" or not self.sites:
            where = self.far if choice == "far" else self.province
            site = Site(id=uuid.uuid4(), name=f"Bưu cục {self.n}-{i}", kind="kt1_provider",
                        province_code=where, version=1)
            session.add(site)
            (self.far_sites if where == self.far else self.sites).append(site.id)
        elif choice == "rename":
            site = session.get_one(Site, self.rng.choice(self.sites))
            site.name, site.version = f"Bưu cục {self.n}-{i} (đổi tên)", site.version + 1
        elif choice == "inspect" or not self.answers:
            site_id = self.rng.choice(self.sites)
            inspection = Inspection(
                id=uuid.uuid4(), site_id=site_id, checklist_id=self.checklist_id,
                province_code=self.province, started_at=STARTED, request_hash="0" * 64,
                created_by=self.inspector.id, version=1)
            answers = [Answer(id=uuid.uuid4(), inspection_id=inspection.id, item_code=code,
                              value="yes", answered_at=STARTED,
                              answered_by=self.inspector.id, version=1)
                       for code in ("A1", "A2")]
            session.add_all([inspection, *answers])  # one flush: the parent is pending
            self.inspections.append(inspection.id)
            self.answers += [a.id for a in answers]
            self.created_answers += [a.id for a in answers]
        elif choice == "answer":
            answer = session.get_one(Answer, self.rng.choice(self.answers))
            answer.value = "no" if answer.value == "yes" else "yes"
            answer.version += 1
        else:
            answer_id = self.answers.pop(self.rng.randrange(len(self.answers)))
            session.delete(session.get_one(Answer, answer_id))
            self.deleted.append(answer_id)


def login(client, user):  # type: ignore[no-untyped-def]
    resp = client.post("/api/v1/auth/login", json={
        "username": user.username, "password": factories.PASSWORD, "device_id": "reader"})
    assert resp.status_code == 200, resp.get_json()
    return {"Authorization": f"Bearer {resp.get_json()['access_token']}"}


def _reader(client, headers, writers_done, out, failures):  # type: ignore[no-untyped-def]
    try:
        rng, cursor = random.Random(7), "0"
        while True:
            finished = writers_done.is_set()  # before the request: its snapshot is later
            page = pull(client, headers, cursor, rng.choice((2, 3)))
            out["changes"] += page["changes"]
            out["cursors"].append(int(page["cursor"]))  # one province: a plain number
            cursor = page["cursor"]
            if finished and not page["changes"] and not page["has_more"]:
                return
    except BaseException as exc:  # noqa: BLE001 - reported by the test
        failures.append(exc)


def _chain_positions(session, province):  # type: ignore[no-untyped-def]
    """(entity, id, op, version) -> the position in `province`'s chain of that change."""
    positions = {}
    for e in session.scalars(select(AuditEntry).where(AuditEntry.entity.in_(TABLES.values()),
                                                      AuditEntry.chain == province)):
        entity = next(k for k, v in TABLES.items() if v == e.entity)
        if e.action == "delete":
            positions[(entity, e.entity_id, "delete", e.before["version"])] = e.position
        elif "version" in (e.after or {}):
            positions[(entity, e.entity_id, "upsert", e.after["version"])] = e.position
    return positions


def _user(role: str, province: str) -> User:
    return User(username=f"{role}-{uuid.uuid4().hex[:6]}", password_hash=factories._HASH,
                full_name="Trần Thị Giám Sát" if role == "supervisor" else "Lê Văn Kiểm Tra",
                role=role, agency="skhcn", province_code=province)


def test_paging_while_writers_in_two_provinces_commit_delivers_each_reader_its_changes_once(
        scratch, tmp_path):
    """Writers in two provinces commit concurrently (their chains, hence their feed positions,
    are numbered apart and never wait for each other); a supervisor of each province pages
    through the feed meanwhile and gets every change of its province once, in its chain's
    order, and nothing of the other's."""
    url, engine = scratch
    factory = make_session_factory(engine)
    with factory() as session:
        checklist_id = session.scalar(select(Checklist.id).where(
            Checklist.status == "published", Checklist.target_kind == "kt1_provider"))
    readers = _committed(factory, *(_user("supervisor", p) for p in PROVINCES))
    inspectors = _committed(factory, *(_user("inspector", p) for p in PROVINCES))
    app = create_app(Settings(env="test", database_url=url, instance_path=tmp_path,
                              media_url=(tmp_path / "media").as_uri()))
    client = app.test_client()
    headers = {r.province_code: login(client, r) for r in readers}
    start = {p: int(pull(client, h)["cursor"]) for p, h in headers.items()}

    writers = [Writer(factory, n, inspectors[n % 2], checklist_id) for n in range(WRITERS)]
    done, failures = threading.Event(), []
    out: dict[str, dict[str, list]] = {p: {"changes": [], "cursors": []} for p in PROVINCES}
    pullers = [threading.Thread(target=_reader, args=(app.test_client(), headers[p], done,
                                                      out[p], failures)) for p in PROVINCES]

    def write(w: Writer) -> None:
        try:
            w.run()
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in writers]
    for t in [*pullers, *threads]:
        t.start()
    for t in threads:
        t.join()
    done.set()
    for t in pullers:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in pullers) and failures == []

    with factory() as session:
        report = audit.verify(session)
        assert report.ok, report.problems
        for province in PROVINCES:
            _check_reader(session, province, writers, out[province], start[province])
    assert sum(len(w.deleted) for w in writers) > 0
    assert all(w.far_sites for w in writers)


def _check_reader(session, province, writers, got, start) -> None:  # type: ignore[no-untyped-def]
    """What one province's reader got: each change once, in its chain's order, every record's
    final version, nothing of the other province."""
    delivered = keys(got["changes"])
    assert len(delivered) == len(set(delivered)), "a change was delivered twice"
    ops: dict[tuple, list[str]] = {}
    for entity, ident, op, version in delivered:
        ops.setdefault((entity, ident, version), []).append(op)
    # (entity, id, version) comes once, or twice when a tombstone names the version it deleted
    assert all(o in (["upsert"], ["delete"], ["upsert", "delete"]) for o in ops.values())
    assert got["cursors"] == sorted(got["cursors"]) and got["cursors"][0] >= start
    ours = [w for w in writers if w.province == province]
    final = set()
    for entity, model, ids in (
            ("site", Site, [i for w in ours for i in w.sites]
             + [i for w in writers if w.far == province for i in w.far_sites]),
            ("inspection", Inspection, [i for w in ours for i in w.inspections]),
            ("answer", Answer, [i for w in ours for i in w.created_answers])):
        final |= {(entity, str(i), "upsert", v) for i, v in session.execute(
            select(model.id, model.version).where(model.id.in_(ids)))}
    for w in ours:
        final |= {("answer", str(i), "delete", session.get_one(
            SyncFeed, ("answer", str(i))).version) for i in w.deleted}
    assert final - set(delivered) == set(), "a record's final version never came"
    theirs = {str(i) for w in writers if w.province != province
              for i in (*w.sites, *w.inspections, *w.created_answers)}
    theirs |= {str(i) for w in ours for i in w.far_sites}
    assert theirs and not theirs & {i for _, i, _, _ in delivered}
    positions = _chain_positions(session, province)
    order = [positions[k] for k in delivered]
    assert order == sorted(order) and len(set(order)) == len(order)
    assert got["cursors"][-1] == feed.newest(session, province)
    assert audit.verify(session, chains=[province]).ok


def test_a_naive_sequence_feed_loses_a_row_that_commits_after_a_later_one(scratch):
    """The hazard the feed avoids, step by step: ids drawn from a sequence at insert time
    commit out of order, and a reader paging by `id > cursor` steps over the late one."""
    _url, engine = scratch
    with engine.connect() as setup:
        setup.execute(text("CREATE TABLE IF NOT EXISTS naive_feed "
                           "(id BIGSERIAL PRIMARY KEY, note TEXT)"))
        setup.commit()
    with engine.connect() as slow, engine.connect() as fast, engine.connect() as reader:
        late = slow.execute(text("INSERT INTO naive_feed (note) VALUES ('slow') "
                                 "RETURNING id")).scalar_one()
        early = fast.execute(text("INSERT INTO naive_feed (note) VALUES ('fast') "
                                  "RETURNING id")).scalar_one()
        fast.commit()
        seen = reader.execute(text("SELECT id FROM naive_feed WHERE id > 0 ORDER BY id")
                              ).scalars().all()
        reader.commit()
        cursor = max(seen)
        slow.commit()
        after = reader.execute(text("SELECT id FROM naive_feed WHERE id > :c ORDER BY id"),
                               {"c": cursor}).scalars().all()
        reader.commit()
        assert late < early and late not in seen and after == []  # lost for good


def test_the_feed_makes_a_later_writer_wait_for_the_earlier_one_to_commit(scratch):
    """The same interleaving on the real feed: the second writer of a province cannot take a
    position until the first commits, so no reader can see its change before the first one's."""
    _url, engine = scratch
    factory = make_session_factory(engine)
    positioned = threading.Event()
    failures: list[BaseException] = []

    fast_id = uuid.uuid4()

    def second() -> None:
        try:
            with factory() as session:
                session.add(Site(id=fast_id, name="Bưu cục nhanh", kind="kt1_provider",
                                 province_code=PROVINCES[0], version=1))
                session.flush()  # noted only
                session.commit()  # takes a position: waits for the head lock
                positioned.set()
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    with factory() as slow:
        slow_site = Site(id=uuid.uuid4(), name="Bưu cục chậm", kind="kt1_provider",
                         province_code=PROVINCES[0], version=1)
        slow.add(slow_site)
        audit.chain_pending(slow)  # takes its position and holds the head until it commits
        thread = threading.Thread(target=second)
        thread.start()
        assert not positioned.wait(0.5), "a second writer took a position while one was open"
        slow.commit()
    thread.join(timeout=30)
    assert failures == [] and positioned.is_set()
    with factory() as session:
        seq = {i: session.get_one(SyncFeed, ("site", str(i))).seq for i in (slow_site.id, fast_id)}
        assert seq[slow_site.id] < seq[fast_id]
