"""Alembic environment: runs on the connection given by the caller, or on KT1_DATABASE_URL."""

from alembic import context
from geoalchemy2 import alembic_helpers
from sqlalchemy import text

import inspection.models  # noqa: F401  (registers every table on the metadata)
from inspection.config import Settings
from inspection.db import Base, make_engine

config = context.config


def _prepare_spatial(connection) -> None:
    """Give the database its spatial metadata before any table is made."""
    if connection.dialect.name == "sqlite":
        has_meta = connection.execute(
            text("SELECT 1 FROM sqlite_master WHERE name = 'spatial_ref_sys'")
        ).first()
        if not has_meta:
            connection.execute(text("SELECT InitSpatialMetaData()"))
    else:
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))


def run_migrations(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_object=alembic_helpers.include_object,
        process_revision_directives=alembic_helpers.writer,
        render_item=alembic_helpers.render_item,
        compare_type=True,
    )
    with context.begin_transaction():
        _prepare_spatial(connection)
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    url = config.get_main_option("sqlalchemy.url") or Settings.from_env().database_url
    engine = make_engine(url)
    with engine.connect() as conn:
        run_migrations(conn)
        conn.commit()
    engine.dispose()
