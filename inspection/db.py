"""The declarative Base, engine and session factories for SpatiaLite and PostGIS.

SQLite URLs use the `sqlean` driver (it can load extensions) and load `mod_spatialite` on
every connection; PostgreSQL URLs use psycopg 3. Nothing here is built at import time.
"""

from __future__ import annotations

import functools
import os
import select
import time
import uuid
import weakref
from collections.abc import Iterable, Sequence
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Connection, DateTime, Engine, MetaData, Table, create_engine, event
from sqlalchemy.exc import DBAPIError, DisconnectionError, StatementError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.orm.util import identity_key
from sqlalchemy.sql.dml import Insert
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SPATIALITE_LIBRARY = "mod_spatialite"
SQLITE_BUSY_TIMEOUT_MS = 30000


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on both databases (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; give an offset")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> uuid.UUID:
    return uuid.uuid4()


# How SQLite transactions begin in this context. A deferred transaction that reads and then
# writes fails at once ("database is locked", the busy timeout is not waited) when another
# connection is writing, so work that may write takes the write lock up front and waits its
# turn; requests with a safe method (GET, HEAD) read with a deferred transaction instead.
sqlite_begin: ContextVar[str] = ContextVar("kt1_sqlite_begin", default="BEGIN IMMEDIATE")


def is_sqlite(url_or_engine: str | Engine) -> bool:
    url = url_or_engine if isinstance(url_or_engine, str) else str(url_or_engine.url)
    return url.startswith("sqlite")


def _load_spatialite(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.enable_load_extension(True)
    dbapi_conn.load_extension(os.environ.get("SPATIALITE_LIBRARY_PATH", SPATIALITE_LIBRARY))
    dbapi_conn.enable_load_extension(False)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    # Write-ahead logging: one fsync per commit (the rollback journal costs three or more) and
    # readers that never block the writer; synchronous stays FULL, so a commit survives a
    # power cut as before. A database in memory keeps its own journal.
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = FULL")
    cur.close()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`; SQLite gets SpatiaLite loaded and foreign keys enforced."""
    if is_sqlite(url):
        import sqlean  # type: ignore[import-untyped]

        url = url.replace("sqlite+pysqlite://", "sqlite://")
        engine = create_engine(url, module=sqlean, **kwargs)
        event.listen(engine, "connect", _load_spatialite)
        # Let SQLAlchemy, not the driver, open transactions: SAVEPOINTs then work.
        event.listen(engine, "connect", _disable_driver_transactions)
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql(sqlite_begin.get()))
    else:
        engine = create_engine(url, **kwargs)
        if not kwargs.get("pool_pre_ping"):
            _check_at_checkout(engine)
    if engine.url.database not in (None, "", ":memory:"):  # a database in memory is the copy
        _forget_pool_in_forked_children(engine)
    return engine


IDLE_PING_S = 30.0
"""A pooled PostgreSQL connection idle in the pool longer than this is pinged (a round trip)
before it is handed out; one used more recently is only looked at (`_check_at_checkout`)."""

_IDLE_SINCE = "kt1_idle_since"


def _check_at_checkout(engine: Engine) -> None:
    """Hand out only live PostgreSQL connections, without a round trip for a busy one: a
    connection the server ended while it sat in the pool (`pg_terminate_backend`, a restart, an
    idle timeout) has the server's goodbye or its end waiting on the socket, which a zero-time
    `poll` sees; it is replaced (the pool opens a new one). One idle longer than `IDLE_PING_S`
    is also pinged, for a network that dropped it without a word. What SQLAlchemy's
    `pool_pre_ping` would do with a round trip on every checkout, which cost every request
    a round trip of its own; a connection lost mid-request is still invalidated as before."""

    def checkin(_dbapi_conn: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    def checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        if dbapi_conn.closed or dbapi_conn.broken or _readable(dbapi_conn):
            raise DisconnectionError("the server ended this connection while it was idle")
        idle_since = record.info.get(_IDLE_SINCE)
        if idle_since is not None and time.monotonic() - idle_since > IDLE_PING_S:
            try:
                engine.dialect.do_ping(dbapi_conn)
            except Exception as exc:  # any failure: not a connection to hand out
                raise DisconnectionError(f"an idle connection is gone: {exc}") from exc

    event.listen(engine, "checkin", checkin)
    event.listen(engine, "checkout", checkout)


def _readable(dbapi_conn: Any) -> bool:
    """Whether the idle connection's socket has anything to read (a live idle connection has
    nothing: every result was read); a socket already unusable counts as readable."""
    try:
        fd = dbapi_conn.pgconn.socket
    except Exception:  # noqa: BLE001 - psycopg raises when it has no socket left
        return True
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


_IN_FILES: weakref.WeakSet[Engine] = weakref.WeakSet()
"""Every live engine on a database in a file or on a server (`_forget_pools_in_child`)."""


def _forget_pool_in_forked_children(engine: Engine) -> None:
    """A forked child (rq's work-horse) must not use the connections it inherited: the parent
    and its other children use the same server sessions, whose state (open transactions,
    prepared statements) the child's copy does not track, and SQLite forbids using a
    connection across a fork. The child leaves them to the parent (`dispose(close=False)`)
    and opens its own. One fork hook for every engine; an engine gone is forgotten."""
    _IN_FILES.add(engine)


def _forget_pools_in_child() -> None:
    for engine in list(_IN_FILES):
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_forget_pools_in_child)


def _disable_driver_transactions(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None


def make_session_factory(bind: Any, **kwargs: Any) -> sessionmaker[Session]:
    """Sessions that write the audit chain on every flush."""
    from inspection import audit

    factory = sessionmaker(bind=bind, expire_on_commit=False, **kwargs)
    audit.install(factory)
    return factory


def expire_held(session: Session, model: type[Any], keys: Iterable[Any]) -> None:
    """After a Core write to `model`'s table: expire the objects of `model` the session
    holds under those primary keys, so each is read again as written when next used."""
    for key in keys:
        held = session.identity_map.get(identity_key(model, key))
        if held is not None:
            session.expire(held)


def dialect_insert(session: Session, model: Any) -> Any:
    """`INSERT` into `model` in the session's dialect, which offers `ON CONFLICT` (both
    PostgreSQL's and SQLite's builders have `on_conflict_do_nothing/update`)."""
    return insert_in(session.get_bind().dialect.name, model)


def insert_in(dialect: str, model: Any) -> Any:
    """`INSERT` into `model` with the `ON CONFLICT` builder of `dialect` (by name)."""
    from sqlalchemy.dialects.postgresql import insert as postgresql_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return (postgresql_insert if dialect == "postgresql" else sqlite_insert)(model)


COPY_FROM_ROWS = 64
"""From this many rows, `insert_rows` copies them in on PostgreSQL."""


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert `rows` (dicts of the same columns) into `table` in the session's transaction.
    On PostgreSQL, from `COPY_FROM_ROWS` rows, by `COPY ... FROM STDIN`: psycopg formats the
    rows in C, where an executemany pays a statement's bookkeeping per row in Python (a push
    writes hundreds of audit entries and remembered results). The values are those SQLAlchemy
    would bind (each column type's bind processing); a column with a Python-side default must
    be given. A database error surfaces as from a statement (`sqlalchemy.exc.IntegrityError`,
    …). Few rows, SQLite, a column left to its default or a connection in pipeline mode
    (where COPY is refused): Core's executemany."""
    if not rows:
        return
    conn = session.connection()
    columns = list(rows[0])
    if (len(rows) < COPY_FROM_ROWS or conn.dialect.driver != "psycopg"
            or any(c.default is not None and c.name not in rows[0] for c in table.columns)):
        session.execute(_insert(table), list(rows))
        return
    import psycopg

    raw = cast(psycopg.Connection[Any], conn.connection.driver_connection)
    if raw.pgconn.pipeline_status != psycopg.pq.PipelineStatus.OFF:
        session.execute(_insert(table), list(rows))
        return
    binds = [(name, table.c[name].type.dialect_impl(conn.dialect).bind_processor(conn.dialect))
             for name in columns]
    quote = conn.dialect.identifier_preparer
    statement = (f"COPY {quote.format_table(table)} ({', '.join(map(quote.quote, columns))}) "
                 "FROM STDIN")
    try:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([row[name] if bind is None else bind(row[name])
                                for name, bind in binds])
    except psycopg.Error as err:
        raise as_sqlalchemy_error(conn, err, statement) from err


@functools.cache
def _insert(table: Table) -> Insert:
    """The table's plain INSERT (no RETURNING), built once per table."""
    return table.insert().inline()


def as_sqlalchemy_error(conn: Connection, err: Exception, statement: str) -> StatementError:
    """A psycopg error raised outside SQLAlchemy's execution, as SQLAlchemy raises one from a
    statement (`IntegrityError`, `OperationalError`, …); a dropped connection invalidated."""
    import psycopg

    invalidated = conn.dialect.is_disconnect(cast(Any, err), conn.connection, None)
    if invalidated:
        conn.invalidate(err)
    return DBAPIError.instance(statement, None, err, psycopg.Error,
                               connection_invalidated=invalidated, dialect=conn.dialect)
