"""rq's work-horses are forked from the worker: a child must open its own database
connections, never reuse the server sessions its parent holds (their prepared statements and
transactions would be shared behind the parent's back)."""

from __future__ import annotations

import os

from sqlalchemy import Engine, text

from inspection.db import make_engine


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_forked_child_opens_its_own_connection_and_leaves_the_parents_alone(
        postgis_engine: Engine) -> None:
    engine = make_engine(postgis_engine.url.render_as_string(hide_password=False))
    try:
        parent = _backend_pid(engine)  # now idle in the parent's pool, its only connection
        read, write = os.pipe()
        child = os.fork()
        if child == 0:  # the child: report its server session, then leave without cleanup
            try:
                os.write(write, str(_backend_pid(engine)).encode())
            finally:
                os._exit(0)
        os.close(write)
        with os.fdopen(read) as pipe:
            reported = pipe.read()
        os.waitpid(child, 0)
        assert reported.isdigit() and int(reported) != parent
        assert _backend_pid(engine) == parent  # the parent's connection still works
    finally:
        engine.dispose()
