"""Bulk inserts (`inspection.db.insert_rows`): from `COPY_FROM_ROWS` rows on PostgreSQL they go
by COPY, and read back exactly as Core's executemany writes them; a database error is
SQLAlchemy's; inside a pipeline (where COPY is refused) they go by executemany."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from sqlalchemy import Table, event, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from inspection.db import COPY_FROM_ROWS, insert_rows, make_session_factory
from inspection.models import SyncMutation, User
from tests import factories

TABLE = cast(Table, SyncMutation.__table__)
RESULT = {"mutation_id": "m", "status": "applied", "version": 3, "server": {
    "note": "Bưu cục đã niêm phong\ttúi KT1 \\ \"đúng\"\n", "value": [1.5, None, True, {}],
    "location": None}}


def _rows(user_id: Any, n: int, tag: str) -> list[dict[str, Any]]:
    at = datetime(2026, 12, 8, 9, 30, 15, 123456, tzinfo=UTC)
    return [{"user_id": user_id, "device_id": f"tablet-{tag}", "mutation_id": f"{tag}-{k}",
             "result": None if k == 1 else {**RESULT, "mutation_id": f"{tag}-{k}"},
             "created_at": at + timedelta(seconds=k)} for k in range(n)]


class Statements:
    def __init__(self, session: Any) -> None:
        self.engine, self.seen = session.get_bind(), []

    def _note(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.seen.append(statement.split("(")[0].strip())

    def __enter__(self) -> Statements:
        event.listen(self.engine, "before_cursor_execute", self._note)
        return self

    def __exit__(self, *_exc: Any) -> None:
        event.remove(self.engine, "before_cursor_execute", self._note)


@pytest.mark.parametrize("n", [3, COPY_FROM_ROWS + 36])
def test_rows_read_back_as_written(session, backend, n):
    user = factories.UserFactory()
    rows = _rows(user.id, n, f"n{n}")
    with Statements(session) as statements:
        insert_rows(session, TABLE, rows)
    copied = backend == "postgis" and n >= COPY_FROM_ROWS
    assert statements.seen.count("INSERT INTO sync_mutations") == (0 if copied else 1)
    stored = {r.mutation_id: r for r in session.execute(select(TABLE).where(
        TABLE.c.device_id == f"tablet-n{n}"))}
    assert len(stored) == n
    for row in rows:
        got = stored[row["mutation_id"]]
        assert (got.user_id, got.result, got.created_at) == (
            row["user_id"], row["result"], row["created_at"])
    if backend == "postgis":  # None is JSON null, by COPY as by a statement
        assert session.scalar(text("SELECT jsonb_typeof(result) FROM sync_mutations "
                                   "WHERE mutation_id = :m"), {"m": f"n{n}-1"}) == "null"


def test_a_copy_that_breaks_a_key_is_an_integrity_error_and_keeps_nothing(session, backend):
    user = factories.UserFactory()
    rows = _rows(user.id, COPY_FROM_ROWS + 1, "dup")
    insert_rows(session, TABLE, rows[:1])
    with pytest.raises(IntegrityError), session.begin_nested():
        insert_rows(session, TABLE, rows)  # its first row is already there
    assert session.execute(select(TABLE.c.mutation_id).where(
        TABLE.c.device_id == "tablet-dup")).scalars().all() == ["dup-0"]
    insert_rows(session, TABLE, rows[1:])  # the transaction goes on
    assert len(session.execute(select(TABLE).where(TABLE.c.device_id == "tablet-dup")).all()) \
        == len(rows)


@pytest.mark.parametrize("backend", ["postgis"], indirect=True)  # psycopg's pipelines
def test_in_a_pipeline_the_rows_go_by_statement(session, backend):
    user = factories.UserFactory()
    rows = _rows(user.id, COPY_FROM_ROWS + 10, "pipe")
    raw = session.connection().connection.driver_connection
    with Statements(session) as statements, raw.pipeline():
        insert_rows(session, TABLE, rows)
    assert statements.seen == ["INSERT INTO sync_mutations"]
    assert len(session.execute(select(TABLE).where(TABLE.c.device_id == "tablet-pipe")).all()) \
        == len(rows)


@pytest.mark.parametrize("backend", ["postgis"], indirect=True)
def test_a_backend_ended_before_the_copy_is_a_dropped_connection(engine, backend):
    """PostgreSQL ends the backend before the rows are copied in: the copy fails as a statement
    on a dropped connection does (OperationalError, invalidated), nothing is kept, and the next
    session works on a new connection."""
    factory = make_session_factory(engine)
    with factory() as session:
        user = User(username=f"copy.{uuid.uuid4().hex[:8]}", password_hash="x", role="inspector",
                    agency="skhcn", province_code="92")
        session.add(user)
        session.flush()
        pid = session.connection().connection.driver_connection.info.backend_pid
        with engine.connect() as killer:
            killer.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with pytest.raises(OperationalError) as raised:
            insert_rows(session, TABLE, _rows(user.id, COPY_FROM_ROWS, "ended"))
        assert raised.value.connection_invalidated
    with factory() as session:
        assert session.execute(select(TABLE).where(TABLE.c.device_id == "tablet-ended")).all() \
            == []
        assert session.get(User, user.id) is None
