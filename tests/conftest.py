"""Test harness: every database test runs on SpatiaLite and on PostGIS.

The schema comes from `alembic upgrade head` once per backend and session, with the reference
units and built-in checklists loaded and committed. Each test runs in an outer transaction
that is rolled back (`join_transaction_mode="create_savepoint"`); a module whose tests share a
costly world builds it once per backend and runs each test in a SAVEPOINT instead
(tests/module_world.py). A missing PostGIS fails the run; it is never skipped.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from api.app import create_app
from inspection import migrate
from inspection.config import DEMO_SIGNING_PASSWORD, Settings, SigningKey
from inspection.db import make_engine, make_session_factory
from media.certificates import ensure_demo_ca
from tests import factories
from tests.legal_world import verify_every_citation

SHARED = Path(__file__).resolve().parents[2] / "shared"
SHARED_DATA = SHARED / "data"
POSTGRES_URL = os.environ.get(
    "KT1_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = ("spatialite", "postgis")

# Modules that wait the longest (real faults with rq's heartbeats, schemathesis, live uploads,
# browsers): started first, so that under `-n N --dist loadfile` the short modules fill the
# other processes meanwhile instead of one long module running alone at the end.
LONG_FIRST = ("tests/workers/test_job_faults.py", "tests/api/test_schemathesis.py",
              "tests/console/", "tests/field/", "tests/api/test_uploads_live.py",
              "tests/api/test_field_app.py", "tests/workers/test_embedded_served.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        path = item.nodeid.split("::", 1)[0]
        return next((n for n, p in enumerate(LONG_FIRST) if path.startswith(p)),
                    len(LONG_FIRST))

    items.sort(key=rank)  # stable: each module keeps its own order


def seed_reference(engine: Engine) -> None:
    """Units from the package and the built-in checklists, committed once per backend."""
    from geo.units import packaged_units
    from inspection import reference
    from inspection.checklists import builtin

    factory = make_session_factory(engine)
    with factory() as session:
        reference.load_units(session, packaged_units())
        builtin.seed_builtin(session)
        verify_every_citation(session)
        session.commit()


@pytest.fixture(scope="session")
def spatialite_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path = tmp_path_factory.mktemp("spatialite") / "test.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    seed_reference(engine)
    yield engine
    engine.dispose()


def _postgres_database(name: str) -> str:
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"PostgreSQL is required for the PostGIS tests ({POSTGRES_URL}): {exc}")
    finally:
        admin.dispose()
    return POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"


def _drop_postgres_database(name: str) -> None:
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def postgis_engine() -> Iterator[Engine]:
    name = f"kt1_test_{os.getpid()}"
    engine = make_engine(_postgres_database(name))
    try:
        migrate.upgrade(engine)
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"PostGIS is required (CREATE EXTENSION postgis failed?): {exc}")
    seed_reference(engine)
    yield engine
    engine.dispose()
    _drop_postgres_database(name)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def engine(backend: str, request: pytest.FixtureRequest) -> Engine:
    return request.getfixturevalue(f"{backend}_engine")  # type: ignore[no-any-return]


@pytest.fixture
def connection(engine: Engine) -> Iterator:
    conn = engine.connect()
    outer = conn.begin()
    yield conn
    outer.rollback()
    conn.close()


@pytest.fixture(scope="module")
def module_connection(backend: str, request: pytest.FixtureRequest) -> Iterator[Connection]:
    """One connection for a whole module, in an outer transaction rolled back at its end: for
    modules that build their world once (tests/module_world.py, which also makes `backend`
    module-scoped there; elsewhere asking for it is a scope error)."""
    engine: Engine = request.getfixturevalue(f"{backend}_engine")
    conn = engine.connect()
    outer = conn.begin()
    yield conn
    outer.rollback()
    conn.close()


@pytest.fixture
def session_factory(connection) -> sessionmaker[Session]:  # type: ignore[no-untyped-def]
    return make_session_factory(connection, join_transaction_mode="create_savepoint")


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    s = session_factory()
    factories.bind(s)
    yield s
    s.close()


@pytest.fixture(scope="session")
def demo_signing(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The demo CA (PEM) and signing certificate (PKCS#12) `kt1 signing demo-ca` makes, made
    once per test session: every test's settings sign issued PDFs with it."""
    folder = tmp_path_factory.mktemp("signing")
    ca, signer = folder / "demo-ca.pem", folder / "demo-signer.p12"
    ensure_demo_ca(ca, signer, password=DEMO_SIGNING_PASSWORD)
    return ca, signer


@pytest.fixture
def settings(tmp_path: Path, demo_signing: tuple[Path, Path]) -> Settings:
    ca, signer = demo_signing
    return Settings(env="test", instance_path=tmp_path, database_url="sqlite://",
                    media_url=(tmp_path / "media").as_uri(),
                    signing_keys=(SigningKey(signer, DEMO_SIGNING_PASSWORD),), signing_trust=ca)


@pytest.fixture
def app(settings: Settings, session_factory: sessionmaker[Session], session: Session,  # type: ignore[no-untyped-def]
        monkeypatch: pytest.MonkeyPatch):
    """The app on the test's transaction. Jobs run in-process after commit (no Redis) and open
    their sessions by `settings.database_url`: here they get the test's transaction too."""
    import workers.jobs

    monkeypatch.setattr(workers.jobs, "session_factory", lambda _url: session_factory)
    return create_app(settings, session_factory=session_factory)


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


class Api:
    """A thin JSON client over Flask's test client that logs users in."""

    def __init__(self, client) -> None:  # type: ignore[no-untyped-def]
        self.client = client

    def login(self, user, device_id: str | None = None) -> dict[str, str]:  # type: ignore[no-untyped-def]
        resp = self.client.post("/api/v1/auth/login", json={
            "username": user.username, "password": factories.PASSWORD,
            "device_id": device_id or f"test-{uuid.uuid4()}"})
        assert resp.status_code == 200, resp.get_json()
        return {"Authorization": f"Bearer {resp.get_json()['access_token']}"}


@pytest.fixture
def api(client) -> Api:  # type: ignore[no-untyped-def]
    return Api(client)
