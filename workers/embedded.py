"""The embedded default's job runner: one background thread in the web process.

Without Redis (`make run`), jobs run on this thread, one at a time, so a long report never
holds a request; requests only hand keys over. When idle it sweeps the outbox every
`interval_s` seconds (and once when it starts), so work stranded by a restart is picked up
without cron. One web process per embedded instance (SQLite has one writer anyway).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

from inspection.config import Settings
from workers.queue import run_inline

log = logging.getLogger(__name__)

SWEEP_INTERVAL_S = 60.0

Sweep = Callable[["EmbeddedRunner"], Any]


class EmbeddedRunner:
    """A `Deliverer` (workers.queue) that runs jobs on its own daemon thread."""

    def __init__(self, settings: Settings, *, sweep: Sweep | None = None,
                 interval_s: float = SWEEP_INTERVAL_S) -> None:
        self.settings = settings
        self._sweep = sweep
        self._interval_s = interval_s
        self._inbox: queue.Queue[tuple[str, str, tuple[Any, ...]]] = queue.Queue()
        self._pending: set[str] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    def active(self, key: str) -> bool:
        with self._lock:
            return key in self._pending

    def deliver(self, key: str, func_path: str, *args: Any) -> None:
        with self._lock:
            if key in self._pending:
                return
            self._pending.add(key)
        self._inbox.put((key, func_path, args))
        self.start()

    def start(self) -> None:
        with self._lock:
            if self._stopping.is_set() or (self._thread is not None and self._thread.is_alive()):
                return
            self._thread = threading.Thread(target=self._run, name="kt1-jobs", daemon=True)
            self._thread.start()

    def idle(self) -> bool:
        """Nothing waiting or running (for tests and a clean shutdown)."""
        with self._lock:
            return not self._pending

    def stop(self, timeout_s: float = 30) -> None:
        """Let the job running now finish (up to `timeout_s`), then end the thread; what is
        still waiting stays `queued` in the database for the next start's sweep."""
        self._stopping.set()
        self._inbox.put(("", "", ()))  # wakes the thread if it waits for work
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=timeout_s)

    def _run(self) -> None:
        self._sweep_safely()
        while not self._stopping.is_set():
            try:
                key, func_path, args = self._inbox.get(timeout=self._interval_s)
            except queue.Empty:
                self._sweep_safely()
                continue
            if self._stopping.is_set():
                break
            try:
                run_inline(self.settings, func_path, *args)
            finally:
                with self._lock:
                    self._pending.discard(key)

    def _sweep_safely(self) -> None:
        if self._sweep is None:
            return
        try:
            self._sweep(self)
        except Exception:  # the runner must outlive a failed sweep (the database restarting)
            log.exception("sweeping the job outbox failed; the next sweep retries")
