"""/healthz (outside /api/v1): database, queue and storage status for load balancers."""

from __future__ import annotations

import logging
from urllib.parse import urlparse

from flask import Blueprint, jsonify
from sqlalchemy import text

from api import database
from api.stored import blob_store

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
    """Ask the configured blob store (a folder or an S3 bucket) whether it can be used."""
    settings = database.settings()
    kind = urlparse(settings.media_url).scheme
    try:
        blob_store().check()
        return {"status": "ok", "kind": kind}
    except Exception:
        log.exception("health: storage")
        return {"status": "down", "kind": kind}


@bp.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    checks = {"database": _database(), "queue": _queue(), "storage": _storage()}
    ok = all(c["status"] == "ok" for c in checks.values())
    return jsonify({"status": "ok" if ok else "degraded", **checks}), 200 if ok else 503
