"""Serving as production does (`api.serving`): a gunicorn worker, once it has loaded the app,
takes the loaded objects out of the garbage collector's reach (`settle_heap`), so full
collections no longer walk the whole app; the embedded default's worker does the same."""

from __future__ import annotations

import gc
import signal
import subprocess
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from api import serving
from tests.workers.processes import free_port, kill_group, wait_for

ROOT = Path(__file__).resolve().parents[2]


def _frozen_in_a_worker(tmp_path: Path, *config: str) -> int:
    """How many objects a gunicorn worker serving `gc_probe` holds frozen, started with
    `config` (gunicorn options)."""
    port = free_port()
    cmd = serving.gunicorn_command("tests.workers.gc_probe:app", *config, "-w", "1",
                                   "-b", f"127.0.0.1:{port}")
    log = tmp_path / f"gunicorn-{port}.log"
    with log.open("wb") as out:
        server = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    try:
        return int(wait_for(lambda: _ask(port), timeout_s=60,
                            what=f"gunicorn to answer (see {log})"))
    finally:
        kill_group(server, signal.SIGTERM)


def _ask(port: int) -> str | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as answer:
            return answer.read().decode()
    except OSError:
        return None


def test_a_production_worker_freezes_what_it_loaded(tmp_path: Path) -> None:
    assert _frozen_in_a_worker(tmp_path) == 0  # gunicorn alone freezes nothing
    assert _frozen_in_a_worker(tmp_path, "-c", "python:api.serving") > 1000


def test_the_embedded_worker_freezes_what_it_loaded_and_starts_the_job_runner(
        monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    class Recorder:
        def __init__(self, app: Any, options: dict[str, Any]) -> None:
            seen["options"] = options

        def run(self) -> None:
            seen["options"]["post_worker_init"](None)  # as the worker does, once loaded

    monkeypatch.setattr(serving, "_Embedded", Recorder)
    monkeypatch.setattr(serving, "start_runner", lambda app: seen.setdefault("runner", app))
    app = object()
    made_before = [object()]  # a tracked object the worker loaded
    try:
        serving.serve_embedded(app, host="127.0.0.1", port=0, threads=2)  # type: ignore[arg-type]
        assert gc.get_freeze_count() > 0
        assert not any(o is made_before for o in gc.get_objects())
    finally:
        gc.unfreeze()
    assert seen["runner"] is app
    assert any(o is made_before for o in gc.get_objects())  # back in the collector's reach
