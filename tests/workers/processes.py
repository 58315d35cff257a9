"""Real processes for the fault tests: a private `redis-server` on its own port that a test
stops and starts again, `kt1` commands (a worker, the sweeper, the embedded server) run as the
operator runs them, and waiting for a condition with a deadline."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

KT1 = str(Path(sys.executable).with_name("kt1"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for[T](check: Callable[[], T], *, timeout_s: float, what: str,
             every_s: float = 0.2) -> T:
    """The first truthy value of `check()`, polled until `timeout_s`; fails the test after."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(every_s)


class PrivateRedis:
    """A `redis-server` of this test alone, keeping nothing on disk (as production's may
    lose what it held when it restarts)."""

    def __init__(self, root: Path) -> None:
        self.port = free_port()
        self.root = root
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        from redis import Redis

        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.root)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        connection = Redis.from_url(self.url)

        def answers() -> bool:
            try:
                return bool(connection.ping())
            except Exception:  # noqa: BLE001 - not up yet
                return False

        wait_for(answers, timeout_s=20, what="the private redis-server")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None


def kt1_env(root: Path, database_url: str, *, redis_url: str | None) -> dict[str, str]:
    env = {**os.environ, "KT1_ENV": "test", "KT1_INSTANCE_PATH": str(root),
           "KT1_DATABASE_URL": database_url, "KT1_MEDIA_URL": (root / "media").as_uri(),
           "KT1_UPLOAD_DIR": str(root / "uploads")}
    env.pop("KT1_REDIS_URL", None)
    if redis_url:
        env["KT1_REDIS_URL"] = redis_url
    return env


def run_kt1(*args: str, env: dict[str, str], timeout_s: float = 180) -> str:
    """Run `kt1 ARGS` to its end; its output (the test fails on a non-zero exit)."""
    done = subprocess.run([KT1, *args], env=env, capture_output=True, text=True,
                          timeout=timeout_s, check=False)
    assert done.returncode == 0, (done.stdout, done.stderr)
    return done.stdout


def start_kt1(*args: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """`kt1 ARGS` in the background, in a process group of its own (a worker's work-horse
    dies with it), its output in `log`."""
    with log.open("ab") as out:
        return subprocess.Popen([KT1, *args], env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)


def descendants(pid: int) -> list[int]:
    """Every process below `pid`, from /proc (rq's work-horse leaves its parent's process
    group, so a group signal misses it)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        below = children.get(todo.pop(), [])
        found += below
        todo += below
    return found


def kill_tree(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL `process` and every process below it at once, as a host that dies does."""
    for pid in [process.pid, *descendants(process.pid)]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    process.wait(timeout=30)


def kill_group(process: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    process.wait(timeout=30)
