"""The embedded job thread of `kt1 serve`: one job at a time, off the request's thread, and a
stop (the server shutting down) that lets the running job finish and then ends the thread."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from inspection.config import Settings
from workers.embedded import EmbeddedRunner

DONE: list[str] = []
STARTED = threading.Event()


def slow_job(name: str) -> None:
    STARTED.set()
    time.sleep(0.5)
    DONE.append(name)


def test_stopping_lets_the_running_job_finish_and_ends_the_thread(tmp_path: Path) -> None:
    DONE.clear()
    STARTED.clear()
    runner = EmbeddedRunner(Settings(env="test", instance_path=tmp_path))
    runner.deliver("a", f"{__name__}.slow_job", "a")
    runner.deliver("a", f"{__name__}.slow_job", "a")  # the same key while pending: once
    runner.deliver("b", f"{__name__}.slow_job", "b")
    assert STARTED.wait(timeout=10)
    runner.stop(timeout_s=10)

    assert DONE == ["a"]  # the running one finished; "b" waits in the outbox for a restart
    assert runner._thread is not None and not runner._thread.is_alive()
    runner.deliver("c", f"{__name__}.slow_job", "c")
    time.sleep(0.7)
    assert DONE == ["a"]  # a stopped runner starts nothing
