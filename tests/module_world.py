"""Opt-in fixtures for a test module whose tests all stand on the same costly world (Cần Thơ's
103 real communes, logged-in users): the world is built once per module and backend instead
of once per test, and every test still sees exactly that world and leaks nothing.

Per backend, the module holds one connection in an outer transaction; the world is written
into it (its SAVEPOINT released, nothing ever committed to the database) and rolled back when
the module ends. Each test runs in a SAVEPOINT of its own on that connection, rolled back
after the test, under the same `session`, `app` and `client` fixtures as every other test.

A module opts in by importing the overrides next to its world fixture:

    from tests.module_world import backend, connection  # noqa: F401

and builds the world in a module-scoped fixture with `build_world(module_connection, ...)`
(`module_connection` is in tests/conftest.py). `backend` becomes module-scoped, so pytest runs
the module's tests backend by backend.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from api.app import create_app
from inspection.config import Settings
from inspection.db import make_session_factory
from tests import factories
from tests.conftest import BACKENDS, Api


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def connection(module_connection: Connection) -> Iterator[Connection]:
    """The module's connection inside a SAVEPOINT that is rolled back after the test."""
    savepoint = module_connection.begin_nested()
    yield module_connection
    if savepoint.is_active:
        savepoint.rollback()


def build_world[T](conn: Connection, instance_path: Path,
                   build: Callable[[Session, Api], T]) -> T:
    """`build(session, api)` on `conn`, with the factories bound to `session` and `api`
    logging users in through an app on the same connection; what it wrote stays in the
    connection's outer transaction. The objects it returns are detached but loaded (the
    sessions do not expire on commit)."""
    import workers.jobs

    session_factory = make_session_factory(conn, join_transaction_mode="create_savepoint")
    settings = Settings(env="test", instance_path=instance_path, database_url="sqlite://",
                        media_url=(instance_path / "media").as_uri())
    app = create_app(settings, session_factory=session_factory)
    with pytest.MonkeyPatch.context() as mp, session_factory() as session:
        mp.setattr(workers.jobs, "session_factory", lambda _url: session_factory)
        factories.bind(session)
        world = build(session, Api(app.test_client()))
        session.commit()
    return world
