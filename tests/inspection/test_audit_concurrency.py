"""Concurrent writers on PostgreSQL: each province's chain stays linear, never forked, and a
writer (or a reader of personal data) never waits for a writer of another province."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from geo.units import packaged_units
from inspection import audit, migrate, reference
from inspection.db import make_engine, make_session_factory
from inspection.models import AuditEntry, Site, SyncFeed
from tests.conftest import _drop_postgres_database, _postgres_database

PROVINCES = ("92", "31")
WRITERS = 4  # two per province
SITES_EACH = 15


@pytest.fixture
def scratch_postgis():
    name = f"kt1_audit_{uuid.uuid4().hex[:8]}"
    engine = make_engine(_postgres_database(name), pool_size=WRITERS + 1)
    migrate.upgrade(engine)
    with make_session_factory(engine)() as session:
        reference.load_units(session, packaged_units())
        session.commit()
    yield engine
    engine.dispose()
    _drop_postgres_database(name)


def _site(n: int | str, province: str) -> Site:
    return Site(name=f"Bưu cục {n}", kind="kt1_provider", province_code=province)


def test_concurrent_writers_in_two_provinces_keep_one_linear_chain_each(scratch_postgis):
    factory = make_session_factory(scratch_postgis)
    barrier = threading.Barrier(WRITERS)
    failures: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            barrier.wait()
            for i in range(SITES_EACH):
                with factory() as session:
                    audit.set_actor(session, None, f"tablet-{n}")
                    session.add(_site(f"{n}-{i}", PROVINCES[n % 2]))
                    session.commit()
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    with factory() as session:
        report = audit.verify(session)
        assert report.ok, report.problems
        for province in PROVINCES:
            alone = audit.verify(session, chains=[province])
            assert alone.ok and alone.entries == report.chains[province].entries
            entries = session.execute(
                select(AuditEntry.position, AuditEntry.prev_hash, AuditEntry.province_code)
                .where(AuditEntry.chain == province, AuditEntry.entity == "sites")
                .order_by(AuditEntry.position)).all()
            assert len(entries) == WRITERS // 2 * SITES_EACH
            assert {e.province_code for e in entries} == {province}
            links = [e.prev_hash for e in entries]
            assert len(links) == len(set(links)), "two entries share a predecessor: a fork"
            first = entries[0].position
            assert [e.position for e in entries] == list(range(first, first + len(entries)))


def _short_wait(session, ms: int) -> None:  # type: ignore[no-untyped-def]
    session.execute(text(f"SET LOCAL lock_timeout = '{ms}ms'"))


def test_a_writer_waits_only_for_writers_of_its_own_province(scratch_postgis):
    factory = make_session_factory(scratch_postgis)
    with factory() as holder:
        holder.add(_site("đang ghi", "92"))
        audit.chain_pending(holder)  # holds the head of chain 92 until it commits
        with factory() as elsewhere:
            _short_wait(elsewhere, 5000)
            elsewhere.add(_site("tỉnh khác", "31"))
            elsewhere.commit()  # did not wait for the holder
        with factory() as same, pytest.raises(OperationalError, match="lock timeout"):
            _short_wait(same, 200)
            same.add(_site("cùng tỉnh", "92"))
            same.flush()  # noted, not chained: no wait yet
            same.commit()  # chaining waits for the holder
        holder.commit()
    with factory() as session:
        assert audit.verify(session).ok
        assert session.scalar(select(func.count()).select_from(Site)) == 2


def test_an_open_writer_holds_its_province_head_only_while_it_commits(scratch_postgis):
    """A writer that has flushed but not committed holds no head: another writer of the same
    province commits meanwhile, and the first then chains after it."""
    factory = make_session_factory(scratch_postgis)
    with factory() as open_writer:
        first = _site("mở lâu", "92")
        open_writer.add(first)
        open_writer.flush()
        with factory() as other:
            _short_wait(other, 200)
            second = _site("xong trước", "92")
            other.add(second)
            other.commit()  # did not wait for the open writer
        open_writer.commit()
    with factory() as session:
        assert audit.verify(session, chains=["92"]).ok
        seq = {i: session.get_one(SyncFeed, ("site", str(i))).seq for i in (first.id, second.id)}
        assert seq[second.id] < seq[first.id]  # positions in commit order


def test_reading_personal_data_never_waits_for_a_writer(scratch_postgis):
    factory = make_session_factory(scratch_postgis)
    with factory() as holder:
        holder.add(_site("đang ghi", "92"))
        audit.chain_pending(holder)  # holds the head of chain 92 until it commits
        with factory() as reader:
            _short_wait(reader, 5000)
            assert audit.record_reads(reader, entity="staff_members",
                                      records=[(str(uuid.uuid4()), "92")]) == 1
            reader.commit()
        holder.commit()
    with factory() as session:
        report = audit.verify(session)
        assert report.ok and report.chains["92:read"].entries == 1
