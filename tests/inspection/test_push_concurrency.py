"""Two tablets pushing new inspections at once on PostgreSQL, committed for real: a batch's
creations are checked on state it loaded under the site's lock and written in one flush, so
the second tablet either waits for the first and sees its inspection, or (naming another
site) finds out at its flush and is replayed one mutation at a time."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text

from api.app import create_app
from api.blueprints.sync_push import push_batch
from inspection import audit, migrate
from inspection.config import Settings
from inspection.db import make_engine, make_session_factory
from inspection.models import Answer, Checklist, Inspection, Site, User
from tests import factories
from tests.conftest import _drop_postgres_database, _postgres_database, seed_reference

STARTED = "2026-05-05T08:30:00+07:00"


@pytest.fixture(scope="module")
def scratch():  # type: ignore[no-untyped-def]
    name = f"kt1_push_{uuid.uuid4().hex[:8]}"
    url = _postgres_database(name)
    engine = make_engine(url, pool_size=4)
    migrate.upgrade(engine)
    seed_reference(engine)
    yield url, engine
    engine.dispose()
    _drop_postgres_database(name)


class World:
    def __init__(self, factory) -> None:  # type: ignore[no-untyped-def]
        with factory() as session:
            self.inspector, self.police = (
                User(username=f"{agency}-{uuid.uuid4().hex[:6]}", password_hash=factories._HASH,
                     full_name="Lê Văn Kiểm Tra", role=role, agency=agency, province_code="92")
                for role, agency in (("inspector", "skhcn"), ("police", "police")))
            self.sites = [Site(name=f"Bưu cục {n}", kind="kt1_provider", province_code="92",
                               location="SRID=4326;POINT(105.7469 10.0452)") for n in (1, 2)]
            session.add_all([self.inspector, self.police, *self.sites])
            self.checklist_id = session.scalar(select(Checklist.id).where(
                Checklist.status == "published", Checklist.target_kind == "kt1_provider"))
            session.commit()

    def create(self, inspection_id: str, site: Site) -> dict:  # type: ignore[type-arg]
        return _mutation("inspection", inspection_id, {
            "site_id": str(site.id), "checklist_id": str(self.checklist_id),
            "started_at": STARTED, "team": [str(self.inspector.id), str(self.police.id)]})

    def answer(self, inspection_id: str, code: str) -> dict:  # type: ignore[type-arg]
        return _mutation("answer", str(uuid.uuid4()), {
            "inspection_id": inspection_id, "item_code": code, "value": "yes",
            "answered_at": "2026-05-05T09:00:00+07:00"})


def _mutation(entity: str, ident: str, data: dict) -> dict:  # type: ignore[type-arg]
    return {"mutation_id": str(uuid.uuid4()), "entity": entity, "op": "upsert", "id": ident,
            "base_version": None, "data": data}


@pytest.fixture
def app(scratch, tmp_path):  # type: ignore[no-untyped-def]
    url, _ = scratch
    return create_app(Settings(env="test", database_url=url, instance_path=tmp_path,
                               media_url=(tmp_path / "media").as_uri()))


def _push(factory, user, device, mutations, before_commit=lambda: None):  # type: ignore[no-untyped-def]
    with factory() as session:
        audit.set_actor(session, user.id, device)
        results = push_batch(session, session.merge(user), device_id=device,
                             caller_device_id=device, mutations=mutations)
        before_commit()
        session.commit()
    return results


def _wait_for_a_lock_waiter(engine, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    """Until a backend of this database waits for a row lock (the second tablet's push)."""
    deadline = time.monotonic() + timeout
    with engine.connect() as conn:
        while time.monotonic() < deadline:
            waiting = conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'")).scalar()
            conn.rollback()
            if waiting:
                return
            time.sleep(0.02)
    raise AssertionError("the second push never waited for the first")


def _first_holds_until_second_waits(app, factory, engine, world, first_mutations,  # type: ignore[no-untyped-def]
                                    second_mutations):
    """The inspector's push, committed only once the police officer's push waits for a lock;
    both results."""
    out: dict[str, object] = {}
    pushed = threading.Event()

    def first() -> None:
        try:
            with app.app_context():
                out["first"] = _push(factory, world.inspector, "tablet-A", first_mutations,
                                     before_commit=lambda: (pushed.set(),
                                                            _wait_for_a_lock_waiter(engine)))
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            out["failure"] = exc
            pushed.set()

    thread = threading.Thread(target=first)
    thread.start()
    assert pushed.wait(30)
    with app.app_context():
        second = _push(factory, world.police, "tablet-B", second_mutations)
    thread.join(30)
    assert "failure" not in out, out["failure"]
    return out["first"], second


def _same_new_inspection_at_once(app, scratch, second_site: int):  # type: ignore[no-untyped-def]
    """Both tablets create one inspection id (the first on the first site, the second on
    `second_site`) and answer an item each: both answers kept, once; (second's results, id)."""
    _, engine = scratch
    factory = make_session_factory(engine)
    world = World(factory)
    iid = str(uuid.uuid4())
    first, second = _first_holds_until_second_waits(
        app, factory, engine, world,
        [world.create(iid, world.sites[0]), world.answer(iid, "A1")],
        [world.create(iid, world.sites[second_site]), world.answer(iid, "A2")])
    assert [r["status"] for r in first] == ["applied", "applied"]
    with factory() as session:
        assert session.get_one(Inspection, uuid.UUID(iid)).site_id == world.sites[0].id
        assert set(session.scalars(select(Answer.item_code).where(
            Answer.inspection_id == uuid.UUID(iid)))) == {"A1", "A2"}
        assert audit.verify(session).ok
    return second, iid


def test_two_tablets_creating_one_inspection_at_once_make_it_once_and_keep_both_answers(
        app, scratch):
    second, iid = _same_new_inspection_at_once(app, scratch, second_site=0)
    assert [r["status"] for r in second] == ["applied", "applied"]  # waited, then saw it
    assert second[0]["version"] == 1 and second[0]["server"]["id"] == iid


def test_the_same_new_id_for_another_site_fails_the_batch_flush_and_only_it_is_rejected(
        app, scratch):
    """The second tablet names another site: no site lock to wait on, so it sees no such
    inspection, and learns at its flush (after the first commits); the batch is replayed one
    mutation at a time: its creation is a 409, its answer to the first's inspection applies."""
    second, _ = _same_new_inspection_at_once(app, scratch, second_site=1)
    assert [r["status"] for r in second] == ["rejected", "applied"]
    assert second[0]["error"]["status"] == 409


def test_another_provinces_site_and_inspection_are_not_found_and_never_locked(app, scratch):
    """A tablet naming another province's rows gets 404 results, and its batch locked none
    of them: another writer takes them at once meanwhile."""
    _, engine = scratch
    factory = make_session_factory(engine)
    world = World(factory)
    with factory() as session:
        far_site = Site(name="Bưu cục Hải Phòng", kind="kt1_provider", province_code="31")
        session.add(far_site)
        session.flush()
        far = Inspection(id=uuid.uuid4(), site_id=far_site.id, checklist_id=world.checklist_id,
                         province_code="31", started_at=datetime(2026, 5, 5, tzinfo=UTC),
                         request_hash="0" * 64, created_by=world.inspector.id, version=1)
        session.add(far)
        session.commit()
    taken: list[str] = []

    def another_writer_takes_them() -> None:
        with engine.connect() as conn:
            for table, ident in (("sites", far_site.id), ("inspections", far.id)):
                conn.execute(text(f"SELECT id FROM {table} WHERE id = :id FOR UPDATE NOWAIT"),
                             {"id": ident})  # raises if the push holds it
                taken.append(table)
            conn.rollback()

    new_id = uuid.uuid4()
    with app.app_context():
        results = _push(factory, world.inspector, "tablet-A", [
            world.create(str(new_id), far_site), world.answer(str(far.id), "A1"),
            world.create(str(far.id), world.sites[0])], before_commit=another_writer_takes_them)

    assert [r["status"] for r in results] == ["rejected", "rejected", "rejected"]
    assert [r["error"]["status"] for r in results] == [404, 404, 404]  # its id too
    assert taken == ["sites", "inspections"]
    with factory() as session:
        assert session.get(Inspection, new_id) is None
        assert session.get_one(Inspection, far.id).site_id == far_site.id
        assert session.scalar(select(func.count()).select_from(Answer).where(
            Answer.inspection_id == far.id)) == 0
