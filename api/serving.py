"""Serving with gunicorn. Production: `gunicorn -c python:api.serving 'api.wsgi:app'` takes the
settings below. The embedded default (`kt1 serve`): one worker process with threads (SQLite has
one writer; the job thread lives in that process)."""

from __future__ import annotations

import gc
import os
import sys
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.config import Config

from api.jobs import start_runner, stop_runner

# Production (PostGIS): gunicorn reads these names with `-c python:api.serving`. A process per
# core for the CPU work, threads in each so that a request waiting on the database leaves its
# core to another; measured by bench/lifecycle.py (KT1_BENCH_WORKERS/THREADS to compare).
workers = os.cpu_count() or 1
worker_class = "gthread"
threads = 4


def post_worker_init(_worker: Any) -> None:
    """gunicorn's hook once a worker has loaded the app: `settle_heap`."""
    settle_heap()


def settle_heap() -> None:
    """Take the loaded app's objects (modules, mappers, schemas, compiled statements: some
    180,000 that live as long as the process) out of the garbage collector's reach. Otherwise
    every full collection walks them all again; a sync push of 500 mutations allocates enough
    to set one off every dozen batches, 0.17 s each on the 2-core bench machine
    (bench/sync_push).
    Garbage made since start-up is collected first, so none of it is kept for good."""
    gc.collect()
    gc.freeze()


def production_options() -> dict[str, Any]:
    """The production settings above, for starting gunicorn from code (the bench)."""
    return {"workers": workers, "worker_class": worker_class, "threads": threads,
            "post_worker_init": post_worker_init}


def gunicorn_command(app: str, *options: str) -> list[str]:
    """The command that starts this Python's gunicorn on `app` (`module:name`) with `options`,
    for starting it from code (the benches, the tests); off the user-wide control socket (in
    ~/.gunicorn) of a gunicorn that has one, as `serve_embedded` is."""
    cmd = [sys.executable, "-m", "gunicorn", *options, app]
    if _HAS_CONTROL_SOCKET:
        cmd.append("--no-control-socket")
    return cmd


_HAS_CONTROL_SOCKET = "control_socket_disable" in Config().settings


class _Embedded(BaseApplication):  # type: ignore[misc]
    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        if _HAS_CONTROL_SOCKET:  # no socket in $HOME
            self.cfg.set("control_socket_disable", True)

    def load(self) -> Flask:
        return self.application


def serve_embedded(app: Flask, *, host: str, port: int, threads: int) -> None:
    """Serve `app` on host:port until stopped (SIGINT/SIGTERM). Its job runner starts in the
    worker process, so it sweeps the outbox as the server starts."""
    def worker_ready(worker: Any) -> None:
        post_worker_init(worker)
        start_runner(app)

    _Embedded(app, {
        "bind": f"{host}:{port}", "workers": 1, "worker_class": "gthread", "threads": threads,
        "timeout": 120, "graceful_timeout": 30, "accesslog": "-",
        "post_worker_init": worker_ready,
        "worker_exit": lambda _server, _worker: stop_runner(app, timeout_s=25),
    }).run()
