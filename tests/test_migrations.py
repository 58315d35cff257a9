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
