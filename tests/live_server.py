"""The service served for real on 127.0.0.1, for the tests that need a real client (tuspy,
a browser) rather than Flask's test client, and the scratch database it serves.

Such a server's threads open their own connections, so its database cannot be a test's rolled
back transaction: it is a scratch one per module and backend, migrated, with the reference
units and checklists committed, and dropped at the end.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from api.app import create_app
from api.jobs import stop_runner
from inspection import migrate
from inspection.config import Settings
from inspection.db import make_engine, make_session_factory
from tests.conftest import _drop_postgres_database, _postgres_database, seed_reference

Wsgi = Callable[..., Any]


@contextmanager
def serving(settings: Settings, wrap: Callable[[Wsgi], Wsgi] | None = None) -> Iterator[str]:
    """The app (inside the WSGI middleware `wrap` makes, if any) on a free port of 127.0.0.1,
    one thread per request, until the block ends."""
    app = create_app(settings)
    server = make_server("127.0.0.1", 0, wrap(app) if wrap else app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        stop_runner(app)  # its job thread must not outlive the scratch database


@contextmanager
def scratch_database(backend: str, root: Path, label: str) -> Iterator[tuple[str, Engine]]:
    """(url, engine) of a fresh migrated database on `backend` (a file under `root` for
    SpatiaLite, a database named after `label` and this process for PostGIS), with the
    reference data committed; disposed of, and dropped on PostGIS, when the block ends."""
    name = f"kt1_{label}_{os.getpid()}"
    url = (f"sqlite:///{root / 'kt1.sqlite'}" if backend == "spatialite"
           else _postgres_database(name))
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        seed_reference(engine)
        yield url, engine
    finally:
        engine.dispose()
        if backend == "postgis":
            _drop_postgres_database(name)


def served_settings(root: Path, url: str) -> Settings:
    """Settings for a served app on `url`, with its media and uploads under `root`."""
    return Settings(env="test", instance_path=root, database_url=url,
                    media_url=(root / "media").as_uri(), upload_dir=root / "uploads")


@dataclass
class ServedWorld:
    """A scratch database served for real, as the browser tests use it."""

    backend: str
    base_url: str
    engine: Engine
    root: Path

    def seed(self, fn: Callable[[Session], Any]) -> Any:
        """Runs `fn(session)` and commits: a test's own additions to the served world."""
        with make_session_factory(self.engine)() as session:
            out = fn(session)
            session.commit()
            return out

    def read(self, fn: Callable[[Session], Any]) -> Any:
        """Runs `fn(session)` on a fresh session (what the server holds now)."""
        with make_session_factory(self.engine)() as session:
            return fn(session)


@contextmanager
def served_world(backend: str, tmp_path_factory: pytest.TempPathFactory, label: str,
                 seed: Callable[[Session], Any], wrap: Callable[[Wsgi], Wsgi] | None = None
                 ) -> Iterator[tuple[ServedWorld, Any]]:
    """A scratch database on `backend` with what `seed(session)` adds committed, served on a
    free port until the block ends: (the world, what `seed` returned)."""
    root = tmp_path_factory.mktemp(f"{label}-{backend}")
    with scratch_database(backend, root, label) as (url, engine):
        with make_session_factory(engine)() as session:
            seeded = seed(session)
            session.commit()
        with serving(served_settings(root, url), wrap=wrap) as base_url:
            yield ServedWorld(backend, base_url, engine, root), seeded
