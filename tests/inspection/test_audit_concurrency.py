"""Concurrent writers on PostgreSQL: each province's chain stays linear, never forked, and a
writer (or a reader of personal data) never waits for a writer of another province."""

from __future__ import annotations

import threading
import uuid

import psycopg
import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from geo.units import packaged_units
from inspection import audit, migrate, reference
from inspection.db import make_engine, make_session_factory
from inspection.models import AuditEntry, AuditHead, Site, SyncFeed
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


def _head(engine, chain: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        row = conn.execute(text("SELECT entries, hash FROM audit_head WHERE chain = :c"),
                           {"c": chain}).one()
    return row.entries, row.hash


def test_a_commit_sends_the_chains_writes_with_its_commit_in_one_pipeline(scratch_postgis):
    """The entries, feed rows and head of a commit travel with its COMMIT (a psycopg pipeline,
    one wait for the server), so the head is not held across round trips: SQLAlchemy's own
    commit then finds the transaction over. The chain and the feed are as they would be."""
    seen: list[tuple[str, str]] = []

    def note_statement(conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        words = statement.split(" ", 3)
        target = {"INSERT": words[2], "UPDATE": words[1]}.get(words[0], words[0])
        status = conn.connection.driver_connection.pgconn.pipeline_status
        seen.append((target, psycopg.pq.PipelineStatus(status).name))

    def note_commit(conn):  # type: ignore[no-untyped-def]
        seen.append(("sqlalchemy-commit",
                     conn.connection.driver_connection.info.transaction_status.name))

    event.listen(scratch_postgis, "before_cursor_execute", note_statement)
    event.listen(scratch_postgis, "commit", note_commit)
    factory = make_session_factory(scratch_postgis)
    try:
        with factory() as session:
            site = _site("một lượt", "92")
            session.add(site)
            session.commit()
    finally:
        event.remove(scratch_postgis, "before_cursor_execute", note_statement)
        event.remove(scratch_postgis, "commit", note_commit)
    by_target = dict(seen)
    assert by_target["sites"] == "OFF"  # the change itself is flushed before the heads lock
    assert by_target["audit_log"] == by_target["sync_feed"] == by_target["audit_head"] == "ON"
    assert by_target["sqlalchemy-commit"] == "IDLE"  # already committed in the pipeline
    with factory() as session:
        assert audit.verify(session, chains=["92"]).ok
        assert session.get_one(SyncFeed, ("site", str(site.id))).seq == _head(
            scratch_postgis, "92")[0] + session.get_one(AuditHead, "92").base_position


def test_a_pipelined_commit_that_fails_keeps_nothing_and_raises_as_sqlalchemy_does(
        scratch_postgis):
    """An entry that cannot be written (its place taken behind the head's back) fails the
    pipelined commit: the error is SQLAlchemy's IntegrityError, the change is not kept, the
    head has not moved, and the session goes on once the place is free."""
    factory = make_session_factory(scratch_postgis)
    with factory() as session:
        session.add(_site("đầu chuỗi", "92"))
        session.commit()
    entries, head_hash = _head(scratch_postgis, "92")
    with scratch_postgis.begin() as conn:  # a rogue row at the chain's next position
        base = conn.scalar(text("SELECT base_position FROM audit_head WHERE chain = '92'"))
        conn.execute(text(
            "INSERT INTO audit_log (at, action, entity, entity_id, prev_hash, hash, chain, "
            "position) VALUES (now(), 'create', 'x', 'x', '', '', '92', :p)"),
            {"p": base + entries + 1})
    with factory() as session:
        lost = _site("không được giữ", "92")
        session.add(lost)
        with pytest.raises(IntegrityError, match="uq_audit_log_chain_position"):
            session.commit()
        session.rollback()
        assert session.scalar(select(func.count()).select_from(Site)
                              .where(Site.id == lost.id)) == 0
        assert _head(scratch_postgis, "92") == (entries, head_hash)
        with scratch_postgis.begin() as conn:
            conn.execute(text("DELETE FROM audit_log WHERE entity = 'x'"))
        kept = _site("giữ được", "92")
        session.add(kept)
        session.commit()
    with factory() as session:
        assert session.get(Site, kept.id) is not None and session.get(Site, lost.id) is None
        assert audit.verify(session, chains=["92"]).ok


def test_a_backend_ended_before_the_pipelined_commit_loses_the_change_not_the_pool(
        scratch_postgis):
    """PostgreSQL ends the writer's backend after the heads are locked, before the pipelined
    writes and COMMIT reach it: the commit fails as a dropped connection (invalidated), the
    change and its entries are not kept, and the next session works on a new connection."""
    factory = make_session_factory(scratch_postgis)
    with factory() as session:
        session.add(_site("đầu chuỗi", "92"))
        session.commit()
    before = _head(scratch_postgis, "92")

    def end_backend(conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        if statement.startswith("INSERT INTO audit_log"):
            pid = conn.connection.driver_connection.info.backend_pid
            with scratch_postgis.connect() as killer:
                killer.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

    event.listen(scratch_postgis, "before_cursor_execute", end_backend)
    try:
        with factory() as session:
            lost = _site("mất kết nối", "92")
            session.add(lost)
            with pytest.raises(OperationalError) as raised:
                session.commit()
            assert raised.value.connection_invalidated
    finally:
        event.remove(scratch_postgis, "before_cursor_execute", end_backend)
    with factory() as session:
        assert session.get(Site, lost.id) is None
        assert _head(scratch_postgis, "92") == before
        session.add(_site("kết nối mới", "92"))
        session.commit()
        assert audit.verify(session, chains=["92"]).ok
