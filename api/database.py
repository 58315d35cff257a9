"""The request's database session and the one request-transaction helper.

A session opens lazily on first use; after the view returns, a 2xx/3xx response commits it
and anything else rolls it back. Views never commit themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, current_app, g, request
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from inspection import audit
from inspection.config import Settings
from inspection.db import sqlite_begin


@dataclass
class Runtime:
    """What the app holds for its lifetime: settings, engine, session factory, hooks."""

    settings: Settings
    engine: Engine | None
    session_factory: sessionmaker[Session]
    after_commit: list[Callable[[], Any]] = field(default_factory=list)
    before_commit: list[Callable[[Session], Any]] = field(default_factory=list)
    """Run with the request's session just before it commits (e.g. to queue, after the
    commit, the jobs the domain asked for)."""


def runtime() -> Runtime:
    return current_app.extensions["kt1"]  # type: ignore[no-any-return]


def settings() -> Settings:
    return runtime().settings


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def session() -> Session:
    if "db_session" not in g:
        # On SQLite a request that may write takes the write lock when it begins and waits
        # its turn behind another writer, instead of failing when it first writes.
        sqlite_begin.set("BEGIN" if request.method in SAFE_METHODS else "BEGIN IMMEDIATE")
        g.db_session = runtime().session_factory()
    return g.db_session  # type: ignore[no-any-return]


def release() -> None:
    """End the request's transaction before a long wait (streaming an upload's bytes), so
    none stays open meanwhile; the session begins a new one when next used. Only for a
    request that has written nothing yet, nor noted an audit entry (RuntimeError otherwise):
    this is not a commit."""
    sess: Session | None = g.get("db_session")
    if sess is None:
        return
    if (sess.new or sess.dirty or sess.deleted or g.get("on_commit")
            or audit.has_pending(sess)):
        raise RuntimeError("release() after writing: commit or roll back instead")
    sess.rollback()


def on_commit(callback: Callable[[], Any]) -> None:
    """Run `callback` only once this request's transaction has committed (e.g. enqueue a job)."""
    g.setdefault("on_commit", []).append(callback)


def commit_even_on_error() -> None:
    """Keep what this request wrote even if it answers with an error (e.g. failed logins)."""
    g.commit_on_error = True


def _finish(response: Response) -> Response:
    sess: Session | None = g.pop("db_session", None)
    if sess is None:
        return response
    try:
        if response.status_code < 400 or g.get("commit_on_error"):
            for hook in runtime().before_commit:
                hook(sess)
            sess.commit()
            for callback in g.pop("on_commit", []):
                callback()
        else:
            sess.rollback()
    finally:
        sess.close()
    return response


def _teardown(_exc: BaseException | None) -> None:
    sess: Session | None = g.pop("db_session", None)
    if sess is not None:
        sess.rollback()
        sess.close()


def init_app(app: Flask) -> None:
    app.after_request(_finish)
    app.teardown_request(_teardown)
