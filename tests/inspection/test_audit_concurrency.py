"""Concurrent writers on PostgreSQL chain their audit entries one after another, never forked."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import func, select

from geo.units import packaged_units
from inspection import audit, migrate, reference
from inspection.db import make_engine, make_session_factory
from inspection.models import AuditEntry, Site
from tests.conftest import _drop_postgres_database, _postgres_database

WRITERS = 4
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


def test_concurrent_writers_keep_one_linear_chain(scratch_postgis):
    factory = make_session_factory(scratch_postgis)
    barrier = threading.Barrier(WRITERS)
    failures: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            barrier.wait()
            for i in range(SITES_EACH):
                with factory() as session:
                    audit.set_actor(session, None, f"tablet-{n}")
                    session.add(Site(name=f"Bưu cục {n}-{i}", kind="kt1_provider",
                                     province_code="92"))
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
        sites = session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.entity == "sites"))
        assert sites == WRITERS * SITES_EACH
        report = audit.verify(session)
        assert report.ok, report.problems
        links = session.scalars(select(AuditEntry.prev_hash)).all()
        assert len(links) == len(set(links)), "two entries share a predecessor: a fork"
