"""rq's work-horses are forked from the worker: a child must open its own database
connections, never reuse the ones its parent holds (PostgreSQL server sessions whose prepared
statements and transactions would be shared behind the parent's back; SQLite connections,
which must not cross a fork at all)."""

from __future__ import annotations

import json
import os

from sqlalchemy import Engine, text

from inspection.db import make_engine


def _session_id(engine: Engine) -> int:
    """PostgreSQL's server process of the connection used; 1 on SQLite (it answers only)."""
    with engine.connect() as conn:
        query = "SELECT pg_backend_pid()" if engine.dialect.name == "postgresql" else "SELECT 1"
        return int(conn.execute(text(query)).scalar_one())


def test_a_forked_child_opens_its_own_connection_and_leaves_the_parents_alone(
        engine: Engine) -> None:
    fresh = make_engine(engine.url.render_as_string(hide_password=False))
    try:
        parent = _session_id(fresh)  # now idle in the parent's pool, its only connection
        assert fresh.pool.checkedin() == 1  # type: ignore[attr-defined]
        read, write = os.pipe()
        child = os.fork()
        if child == 0:  # the child: report what it inherited and what it uses, then leave
            try:
                inherited = fresh.pool.checkedin()  # type: ignore[attr-defined]
                os.write(write, json.dumps([inherited, _session_id(fresh)]).encode())
            finally:
                os._exit(0)
        os.close(write)
        with os.fdopen(read) as pipe:
            reported = pipe.read()
        os.waitpid(child, 0)
        inherited, used = json.loads(reported)
        assert inherited == 0  # the parent's connection was left to the parent
        if fresh.dialect.name == "postgresql":
            assert used != parent
        assert _session_id(fresh) == parent  # the parent's connection still works
    finally:
        fresh.dispose()
