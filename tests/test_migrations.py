"""The schema is made only by Alembic, up and down, on SpatiaLite and on PostGIS."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import inspect, text

from inspection import migrate
from inspection.db import Base, make_engine
from tests.conftest import _drop_postgres_database, _postgres_database


@pytest.fixture(params=["spatialite", "postgis"])
def fresh_engine(request, tmp_path):
    if request.param == "spatialite":
        engine = make_engine(f"sqlite:///{tmp_path / 'fresh.sqlite'}")
        yield engine
        engine.dispose()
    else:
        name = f"kt1_migr_{uuid.uuid4().hex[:8]}"
        engine = make_engine(_postgres_database(name))
        yield engine
        engine.dispose()
        _drop_postgres_database(name)


def _spatial_indexes(engine):
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            rows = conn.execute(text(
                "SELECT f_table_name || '.' || f_geometry_column FROM geometry_columns "
                "WHERE spatial_index_enabled = 1"))
        else:
            rows = conn.execute(text(
                "SELECT tablename || '.' || substr(indexname, length(tablename) + 6) "
                "FROM pg_indexes WHERE indexdef LIKE '%USING gist%'"))
        return {r[0] for r in rows}


def test_upgrade_creates_every_table_with_spatial_indexes_and_downgrade_removes_them(
        fresh_engine):
    migrate.upgrade(fresh_engine)
    assert migrate.current(fresh_engine) is not None
    tables = set(inspect(fresh_engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert _spatial_indexes(fresh_engine) >= {
        "communes.geom", "sites.location", "inspections.location", "answers.location"}
    migrate.downgrade(fresh_engine, "base")
    assert migrate.current(fresh_engine) is None
    assert not set(Base.metadata.tables) & set(inspect(fresh_engine).get_table_names())
    migrate.upgrade(fresh_engine)
    assert set(Base.metadata.tables) <= set(inspect(fresh_engine).get_table_names())


def test_the_migrated_schema_matches_the_models(fresh_engine):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from geoalchemy2 import alembic_helpers

    def ours(obj, name, type_, reflected, compare_to):
        # SpatiaLite's and PostGIS's own tables are not the project's.
        if type_ == "table" and reflected and name not in Base.metadata.tables:
            return False
        return alembic_helpers.include_object(obj, name, type_, reflected, compare_to)

    migrate.upgrade(fresh_engine)
    with fresh_engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={
            "include_object": ours, "compare_type": False})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []


def test_0013_keeps_each_device_for_its_owner_and_keys_remembered_pushes_by_user(fresh_engine):
    """Devices made before 0013 keep their id, which becomes their client id; remembered push
    results keep their rows, now keyed by user too; and down again keeps them."""
    migrate.upgrade(fresh_engine, "0012")
    user_id, token_id = uuid.uuid4(), uuid.uuid4()
    uid = user_id.hex if fresh_engine.dialect.name == "sqlite" else str(user_id)
    tid = token_id.hex if fresh_engine.dialect.name == "sqlite" else str(token_id)
    with fresh_engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO users (id, username, password_hash, full_name, role, agency, active, "
            "created_at) VALUES (:id, 'quantri', 'x', '', 'admin', 'skhcn', true, "
            "'2026-01-01 00:00:00+00:00')"), {"id": uid})
        conn.execute(text(
            "INSERT INTO devices (id, name, user_id, created_at, last_seen_at) VALUES "
            "('may-1', 'Máy 1', :u, '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00')"),
            {"u": uid})
        conn.execute(text(
            "INSERT INTO auth_tokens (id, token_hash, user_id, device_id, created_at, "
            "expires_at) VALUES (:t, 'h', :u, 'may-1', '2026-01-01 00:00:00+00:00', "
            "'2027-01-01 00:00:00+00:00')"), {"t": tid, "u": uid})
        conn.execute(text(
            "INSERT INTO sync_mutations (device_id, mutation_id, user_id, result, created_at) "
            "VALUES ('may-1', 'm-1', :u, '{\"status\": \"applied\"}', "
            "'2026-01-01 00:00:00+00:00')"), {"u": uid})

    migrate.upgrade(fresh_engine)

    with fresh_engine.connect() as conn:
        assert conn.execute(text("SELECT id, client_id FROM devices")).all() == [
            ("may-1", "may-1")]
        assert conn.execute(text("SELECT device_id FROM auth_tokens")).scalar() == "may-1"
        assert conn.execute(text(
            "SELECT device_id, mutation_id FROM sync_mutations")).all() == [("may-1", "m-1")]
    pk = inspect(fresh_engine).get_pk_constraint("sync_mutations")["constrained_columns"]
    assert sorted(pk) == ["device_id", "mutation_id", "user_id"]

    migrate.downgrade(fresh_engine, "0012")

    with fresh_engine.connect() as conn:
        assert conn.execute(text("SELECT id FROM devices")).all() == [("may-1",)]
        assert conn.execute(text("SELECT mutation_id FROM sync_mutations")).all() == [("m-1",)]


BEFORE_RECORD_REISSUE = "0018"
"""The revision just before 0019 (records re-issued)."""


def test_0019_keeps_each_record_and_marks_as_current_only_those_drawn_after_the_last_submission(
        fresh_engine):
    """Records made before 0019 stay; an issued record drawn after its inspection's last
    submission states it, one drawn before does not (asking re-issues it). Down again, one
    record per inspection stays: the one issued."""
    from datetime import UTC, datetime

    from sqlalchemy import insert, select

    from inspection.models import (
        Checklist,
        Inspection,
        InspectionRecord,
        Province,
        ReferenceDataset,
        Site,
        User,
    )

    def at(hour: int) -> datetime:
        return datetime(2026, 5, 5, hour, tzinfo=UTC)

    migrate.upgrade(fresh_engine, BEFORE_RECORD_REISSUE)
    records = InspectionRecord.__table__
    ids = {name: uuid.uuid4() for name in ("user", "site", "checklist", "fresh", "stale",
                                           "fresh_record", "stale_record")}
    with fresh_engine.begin() as conn:
        dataset = conn.execute(insert(ReferenceDataset).values(
            kind="units", source="test", version="1", summary={}).returning(
            ReferenceDataset.id)).scalar_one()
        conn.execute(insert(Province).values(code="92", name="Cần Thơ", unit_type="thành phố",
                                             dataset_id=dataset))
        conn.execute(insert(User).values(id=ids["user"], username="u", password_hash="x",
                                         full_name="", role="supervisor", agency="skhcn",
                                         active=True))
        conn.execute(insert(Site).values(id=ids["site"], name="Bưu cục", kind="kt1_provider",
                                         organization="Bưu điện", address="Cần Thơ",
                                         province_code="92", version=1))
        conn.execute(insert(Checklist).values(id=ids["checklist"], code="C", version=1,
                                              title="C", target_kind="kt1_provider",
                                              status="published"))
        # "fresh": submitted at 9, its record drawn at 10; "stale": resubmitted at 11
        for number, (name, submitted) in enumerate((("fresh", at(9)), ("stale", at(11))), 1):
            conn.execute(insert(Inspection).values(
                id=ids[name], site_id=ids["site"], checklist_id=ids["checklist"],
                province_code="92", status="submitted", started_at=at(8), request_hash="h",
                version=2, created_by=ids["user"], submitted_at=submitted))
            conn.execute(insert(records).values(
                id=ids[f"{name}_record"], inspection_id=ids[name], province_code="92",
                issuer="BB-SKHCN", symbol="BB-SKHCN", year=2026, number=number,
                status="issued", pdf_sha256="a" * 64, docx_sha256="b" * 64,
                created_by=ids["user"], version=2, created_at=at(10), updated_at=at(10)))

    migrate.upgrade(fresh_engine)

    with fresh_engine.begin() as conn:
        stated = dict(conn.execute(select(records.c.id, records.c.states_submitted_at)).all())
        assert stated == {ids["fresh_record"]: at(9), ids["stale_record"]: None}
        reissue = uuid.uuid4()
        conn.execute(insert(records).values(
            id=reissue, inspection_id=ids["stale"], province_code="92", issuer="BB-SKHCN",
            symbol="BB-SKHCN", status="pending", created_by=ids["user"], version=1,
            replaces_id=ids["stale_record"]))
        conn.execute(records.update().where(records.c.id == ids["fresh_record"]).values(
            status="replaced"))
        conn.execute(insert(records).values(
            inspection_id=ids["fresh"], province_code="92", issuer="BB-SKHCN",
            symbol="BB-SKHCN", year=2026, number=9, status="issued", created_by=ids["user"],
            version=1, replaces_id=ids["fresh_record"]))

    migrate.downgrade(fresh_engine, BEFORE_RECORD_REISSUE)

    with fresh_engine.connect() as conn:
        kept = conn.execute(text(
            "SELECT number, status FROM inspection_records ORDER BY number")).all()
        assert kept == [(2, "issued"), (9, "issued")]
    unique = inspect(fresh_engine).get_unique_constraints("inspection_records")
    assert ["inspection_id"] in [u["column_names"] for u in unique]


BEFORE_CHAINS_SPLIT = "0019"
"""The revision just before 0020 (one audit chain per province)."""


def test_0020_keeps_the_national_chain_verifying_and_province_chains_start_where_it_ends(
        fresh_engine):
    """The chain written before the split verifies as it did (its hashes untouched) as the
    `legacy` chain; a new write in a province chains onto its end at the next position, so a
    feed cursor from before the split still sees it; and then there is no way back down."""
    from datetime import UTC, datetime

    from sqlalchemy import select

    from geo.units import packaged_units
    from inspection import audit, reference
    from inspection.db import make_session_factory
    from inspection.models import AuditEntry, Site, SyncFeed

    migrate.upgrade(fresh_engine, BEFORE_CHAINS_SPLIT)
    at = datetime(2026, 1, 1, tzinfo=UTC)
    prev, rows = audit.GENESIS, []
    for n in range(1, 4):
        entry = AuditEntry(at=at, actor_id=None, device_id="may-1", action="create",
                           entity="sites", entity_id=f"site-{n}", province_code="92",
                           before=None, after={"name": f"Bưu cục {n}"}, prev_hash=prev,
                           chain=audit.LEGACY, position=n)
        entry.hash = prev = audit.entry_digest(prev, entry)
        rows.append({"entity_id": entry.entity_id, "after": f'{{"name": "Bưu cục {n}"}}',
                     "prev": entry.prev_hash, "hash": entry.hash})
    with fresh_engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO audit_log (at, device_id, action, entity, entity_id, province_code, "
            "after, prev_hash, hash) VALUES ('2026-01-01 00:00:00+00:00', 'may-1', "
            "'create', 'sites', :entity_id, '92', :after, :prev, :hash)"), rows)
        conn.execute(text("UPDATE audit_head SET entries = 3, hash = :h WHERE id = 1"),
                     {"h": prev})

    migrate.upgrade(fresh_engine)

    factory = make_session_factory(fresh_engine)
    with factory() as session:
        report = audit.verify(session)
        assert report.ok, report.problems
        assert (report.chains[audit.LEGACY].entries, report.chains[audit.LEGACY].head) == (
            3, prev)
        reference.load_units(session, packaged_units())
        site = Site(name="Bưu cục sau khi tách", kind="kt1_provider", province_code="92")
        session.add(site)
        session.commit()
        entry = session.scalar(select(AuditEntry).where(AuditEntry.entity_id == str(site.id)))
        assert (entry.chain, entry.position, entry.prev_hash) == ("92", 4, prev)
        assert session.get_one(SyncFeed, ("site", str(site.id))).seq == 4  # after cursor 3
        assert audit.verify(session).ok

    with pytest.raises(RuntimeError, match="province chains"):
        migrate.downgrade(fresh_engine, BEFORE_CHAINS_SPLIT)
