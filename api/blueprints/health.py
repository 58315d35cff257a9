"""/healthz (outside /api/v1): database, queue and storage status for load balancers."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlparse

from flask import Blueprint, jsonify
from sqlalchemy import text

from api import database

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


def _database() -> dict:
    try:
        database.session().execute(text("SELECT 1"))
        return {"status": "ok", "backend": database.session().get_bind().dialect.name}
    except Exception:
        log.exception("health: database")
        return {"status": "down"}


def _queue() -> dict:
    url = database.settings().redis_url
    if not url:
        return {"status": "ok", "mode": "inline"}
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
        return {"status": "ok", "mode": "rq"}
    except Exception:
        log.exception("health: queue")
        return {"status": "down", "mode": "rq"}


def _storage() -> dict:
    url = urlparse(database.settings().media_url)
    if url.scheme != "file":
        return {"status": "ok", "kind": url.scheme}
    path = Path(url.path)
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".healthz"
        probe.write_bytes(b"ok")
        probe.unlink()
        return {"status": "ok", "kind": "file"}
    except OSError:
        log.exception("health: storage")
        return {"status": "down", "kind": "file"}


@bp.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    checks = {"database": _database(), "queue": _queue(), "storage": _storage()}
    ok = all(c["status"] == "ok" for c in checks.values())
    return jsonify({"status": "ok" if ok else "degraded", **checks}), 200 if ok else 503
