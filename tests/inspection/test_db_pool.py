"""The PostgreSQL pool hands out live connections without a round trip per checkout: a
connection the server ended while it sat in the pool is replaced, one idle for long is pinged,
and a busy one is handed out as it is (`inspection.db._check_at_checkout`)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text

from inspection import db
from inspection.db import make_engine
from tests.conftest import POSTGRES_URL


@pytest.fixture
def engine() -> Iterator[Engine]:
    engine = make_engine(POSTGRES_URL, pool_size=1, max_overflow=0)
    yield engine
    engine.dispose()


@pytest.fixture
def pings(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The pings the engine's checkouts send, one item each."""
    sent: list[int] = []
    ping = engine.dialect.do_ping

    def counted(dbapi_conn):  # type: ignore[no-untyped-def]
        sent.append(1)
        return ping(dbapi_conn)

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    return sent


def _backend(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(text("SELECT pg_backend_pid()")))


def _end_backend(pid: int) -> None:
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            assert conn.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            deadline = time.monotonic() + 10
            while conn.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"),
                              {"pid": pid}):
                assert time.monotonic() < deadline, "the backend did not end"
                time.sleep(0.02)
    finally:
        admin.dispose()


def test_a_busy_connection_is_handed_out_again_without_a_ping(engine, pings) -> None:  # type: ignore[no-untyped-def]
    first = _backend(engine)
    assert [_backend(engine) for _ in range(5)] == [first] * 5
    assert pings == []


def test_a_connection_the_server_ended_in_the_pool_is_replaced_not_handed_out(  # type: ignore[no-untyped-def]
        engine, pings) -> None:
    ended = _backend(engine)
    _end_backend(ended)
    replaced = _backend(engine)  # no error: the checkout saw the ended one and opened another
    assert replaced != ended
    assert pings == []
    assert _backend(engine) == replaced


def test_a_connection_idle_past_the_limit_is_pinged_first(  # type: ignore[no-untyped-def]
        engine, pings, monkeypatch) -> None:
    first = _backend(engine)
    monkeypatch.setattr(db, "IDLE_PING_S", 0.0)
    assert _backend(engine) == first
    assert pings == [1]


def test_a_connection_whose_ping_fails_is_replaced(engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    first = _backend(engine)
    monkeypatch.setattr(db, "IDLE_PING_S", 0.0)

    def lost(_dbapi_conn):  # type: ignore[no-untyped-def]
        raise OSError("the network dropped it")

    monkeypatch.setattr(engine.dialect, "do_ping", lost)
    with engine.connect() as conn:  # the ping of the new connection is not asked: it is new
        assert conn.scalar(text("SELECT pg_backend_pid()")) != first
