"""Inspection lifecycle through the HTTP API (create, every answer, submit) per second on
PostGIS, served by gunicorn as production runs it, against the same rows written by bare
SQLAlchemy inserts in the same run.

The API side is a real gunicorn (`api.wsgi:app` with production's `api.serving`: gthread
workers, each settling the loaded app's heap) fed by client processes over keep-alive HTTP/1.1
connections (`http.client`), each running whole inspections one after another, so inspections
run in parallel. The baseline writes the inspection, its team and its answers with Core inserts
in one transaction per inspection, from as many processes. SQL statements per request type are
counted in-process (a `before_cursor_execute` listener on the app's engine, the same requests
through Flask's test client), and so are the waits for the server (round trips, from libpq's
trace of every message: the transaction's BEGIN and COMMIT, a pipeline's statements sent
together and any ping at checkout included). The stack's ceiling: as many `GET /healthz`
requests (one `SELECT 1` through the same gunicorn, Flask and session) from the same clients,
per second: what no request of the API can beat on this machine. For both runs, the machine's
cores busy and its CPU milliseconds per request (clients, gunicorn and PostgreSQL together,
/proc/stat): the ceiling's run, which waits on no lock, shows how busy this stack keeps the
machine; the API's run well below it means requests wait on each other (a lock), at it they
wait for CPU. Prints one JSON object on its last line.

Env: KT1_BENCH_POSTGRES_URL (an existing database to create a scratch one from),
KT1_BENCH_ROUNDS (inspections per measured run, default 60), KT1_BENCH_CLIENTS (client
processes, default 8), KT1_BENCH_WORKERS / KT1_BENCH_THREADS (gunicorn, default
`api.serving` production defaults).
"""

from __future__ import annotations

import collections
import http.client
import itertools
import json
import multiprocessing
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg
from sqlalchemy import create_engine, event, insert, select, text

from api.app import create_app
from api.serving import gunicorn_command, production_options
from geo.units import packaged_units
from inspection import accounts, audit, migrate, reference
from inspection.checklists import builtin
from inspection.config import Settings
from inspection.db import make_engine, make_session_factory
from inspection.demo import compliant_value
from inspection.models import Answer, Checklist, Inspection, Site, inspection_members

ROOT = Path(__file__).resolve().parents[1]
BASE_URL = os.environ.get("KT1_BENCH_POSTGRES_URL",
                          "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ROUNDS = int(os.environ.get("KT1_BENCH_ROUNDS", "60"))
CLIENTS = int(os.environ.get("KT1_BENCH_CLIENTS", "8"))
PASSWORD = "mat-khau-do-hieu-nang"


def scratch_database() -> tuple[str, str]:
    name = f"kt1_bench_{os.getpid()}"
    admin = create_engine(BASE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name, BASE_URL.rsplit("/", 1)[0] + f"/{name}"


def drop_database(name: str) -> None:
    admin = create_engine(BASE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def prepare(url: str) -> dict[str, Any]:
    """The scratch world: an inspector and a police officer of Cần Thơ, a KT1 post office, the
    built-in provider checklist; returned as plain values the client processes can take."""
    engine = make_engine(url)
    migrate.upgrade(engine)
    factory = make_session_factory(engine)
    with factory() as session:
        audit.set_actor(session, None, "bench")
        reference.load_units(session, packaged_units())
        builtin.seed_builtin(session)
        inspector = accounts.create_user(session, username="bench.skhcn", password=PASSWORD,
                                         role="inspector", agency="skhcn", province_code="92")
        police = accounts.create_user(session, username="bench.police", password=PASSWORD,
                                      role="police", agency="police", province_code="92")
        site = Site(name="Bưu cục đo hiệu năng", kind="kt1_provider", province_code="92",
                    organization="Bưu điện thành phố Cần Thơ",
                    location="SRID=4326;POINT(105.7469 10.0452)")
        session.add(site)
        checklist = session.scalars(select(Checklist).where(
            Checklist.target_kind == "kt1_provider", Checklist.status == "published")).first()
        session.commit()
        answers = [(i.code, compliant_value(i)) for i in checklist.items()
                   if compliant_value(i) is not None]
        world = {"inspector": str(inspector.id), "police": str(police.id),
                 "site": str(site.id), "checklist": str(checklist.id), "answers": answers}
    engine.dispose()
    return world


# -- one inspection, over any transport ---------------------------------------------------------

Send = Callable[[str, str, dict[str, str], Any], tuple[int, dict[str, str], Any]]
"""(method, path, headers, json body or None) -> (status, headers, parsed body)."""


def lifecycle(send: Send, world: dict[str, Any], token: str,
              on_request: Callable[[str], None] = lambda _kind: None) -> None:
    """Create an inspection, answer every item, submit it; AssertionError on any refusal."""
    auth = {"Authorization": f"Bearer {token}"}
    iid = str(uuid.uuid4())
    on_request("create")
    status, headers, body = send("POST", "/api/v1/inspections", auth, {
        "id": iid, "site_id": world["site"], "checklist_id": world["checklist"],
        "started_at": datetime.now(UTC).isoformat(),
        "location": {"lon": 105.7470, "lat": 10.0453, "accuracy_m": 8},
        "team": [world["inspector"], world["police"]]})
    assert status == 201, body
    created_etag = headers["etag"]
    for code, value in world["answers"]:
        on_request("put_answer")
        status, _, body = send("PUT", f"/api/v1/inspections/{iid}/answers/{code}",
                               {**auth, "If-None-Match": "*"},
                               {"value": value, "answered_at": datetime.now(UTC).isoformat()})
        assert status == 201, body
    on_request("submit")
    status, _, body = send("POST", f"/api/v1/inspections/{iid}/submit",
                           {**auth, "If-Match": created_etag}, None)
    assert status == 200, body


def http_sender(port: int) -> Send:
    """A keep-alive HTTP/1.1 connection to 127.0.0.1:port."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def send(method: str, path: str, headers: dict[str, str],
             body: Any) -> tuple[int, dict[str, str], Any]:
        raw = None if body is None else json.dumps(body).encode()
        conn.request(method, path, body=raw,
                     headers={**headers, "Content-Type": "application/json"})
        resp = conn.getresponse()
        data = resp.read()
        return (resp.status, {k.lower(): v for k, v in resp.getheaders()},
                json.loads(data) if data else None)

    return send


def client_process(port: int, world: dict[str, Any], token: str, rounds: int,
                   start: Any) -> None:
    send = http_sender(port)
    start.wait()
    for _ in range(rounds):
        lifecycle(send, world, token)


def ceiling_process(port: int, requests: int, start: Any) -> None:
    """The stack's ceiling: `GET /healthz` (one `SELECT 1`, the same gunicorn, Flask and
    session per request) over the same kind of connection."""
    send = http_sender(port)
    start.wait()
    for _ in range(requests):
        status, _, body = send("GET", "/healthz", {}, None)
        assert status == 200, body


def busy_jiffies() -> tuple[int, int]:
    """(busy, all) CPU time of the whole machine so far, in clock ticks (/proc/stat)."""
    with open("/proc/stat") as stat:
        ticks = [int(t) for t in stat.readline().split()[1:]]
    idle = ticks[3] + ticks[4]  # idle, iowait
    return sum(ticks[:8]) - idle, sum(ticks[:8])


CORES = os.cpu_count() or 1


def cores_busy(before: tuple[int, int], after: tuple[int, int]) -> float:
    """How many of the machine's cores were busy between two `busy_jiffies` readings."""
    return CORES * (after[0] - before[0]) / max(after[1] - before[1], 1)


class Run(NamedTuple):
    """A run of `in_parallel`: rounds per second, and the machine's cores busy meanwhile
    (clients, server, PostgreSQL) with their CPU seconds."""

    per_s: float
    cores_busy: float
    busy_cpu_s: float


def in_parallel(target: Callable[..., None], args: tuple[Any, ...], rounds: int) -> Run:
    """Run `rounds` inspections split over CLIENTS processes started together."""
    ctx = multiprocessing.get_context("fork")
    start = ctx.Event()
    shares = [rounds // CLIENTS + (i < rounds % CLIENTS) for i in range(CLIENTS)]
    procs = [ctx.Process(target=target, args=(*args, share, start)) for share in shares if share]
    for proc in procs:
        proc.start()
    time.sleep(0.5)  # every client connected and waiting
    before = busy_jiffies()
    began = time.perf_counter()
    start.set()
    for proc in procs:
        proc.join()
        if proc.exitcode != 0:
            raise RuntimeError(f"a client process failed ({proc.exitcode})")
    elapsed = time.perf_counter() - began
    busy = cores_busy(before, busy_jiffies())
    return Run(rounds / elapsed, busy, busy * elapsed)


# -- the server ---------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_gunicorn(url: str, port: int, instance: Path,
                   options: dict[str, Any]) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KT1_")}
    env.update(KT1_ENV="development", KT1_DATABASE_URL=url, KT1_INSTANCE_PATH=str(instance))
    # Production's settings and hooks (`api.serving`); the command line sets the sizes.
    cmd = gunicorn_command("api.wsgi:app", "-c", "python:api.serving",
                           "-b", f"127.0.0.1:{port}", "-w", str(options["workers"]),
                           "-k", options["worker_class"], "--threads", str(options["threads"]))
    server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=open(instance / "gunicorn.log", "wb"))  # noqa: SIM115
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("gunicorn did not answer /healthz: see " + str(instance / "gunicorn.log"))


def login(send: Send) -> str:
    status, _, body = send("POST", "/api/v1/auth/login", {}, {
        "username": "bench.skhcn", "password": PASSWORD, "device_id": "bench-tablet"})
    assert status == 200, body
    return str(body["access_token"])


# -- statements per request, in-process ---------------------------------------------------------

def statements_per_request(url: str, instance: Path, world: dict[str, Any]) -> dict[str, Any]:
    """SQL statements the app sends per request type, and the round trips (waits for the
    server, from libpq's trace) they take: means over one inspection after a warm-up one."""
    app = create_app(Settings(env="test", database_url=url, instance_path=instance))
    engine = app.extensions["kt1"].engine
    client = app.test_client()

    def send(method: str, path: str, headers: dict[str, str],
             body: Any) -> tuple[int, dict[str, str], Any]:
        resp = client.open(path, method=method, headers=headers, json=body)
        return (resp.status_code, {k.lower(): v for k, v in resp.headers.items()},
                resp.get_json(silent=True))

    kind = ["login"]
    statements: collections.Counter[str] = collections.Counter()
    round_trips: collections.Counter[str] = collections.Counter()
    requests: collections.Counter[str] = collections.Counter()
    trace = open(instance / "libpq-trace.txt", "w+")  # noqa: SIM115 - closed below
    read_up_to = [0]
    traced_conns: list[Any] = []

    def start_tracing(dbapi_conn: Any) -> None:
        dbapi_conn.pgconn.trace(trace.fileno())
        dbapi_conn.pgconn.set_trace_flags(psycopg.pq.Trace.SUPPRESS_TIMESTAMPS)

    def traced(dbapi_conn: Any, _record: Any) -> None:
        traced_conns.append(dbapi_conn)
        start_tracing(dbapi_conn)

    def count_round_trips() -> None:
        """Round trips in the trace since last asked (the client's messages, then the
        server's: one wait), to the request type running. libpq buffers its trace: ending it
        writes it out, and it starts again."""
        for dbapi_conn in traced_conns:
            if not dbapi_conn.closed:
                dbapi_conn.pgconn.untrace()
                start_tracing(dbapi_conn)
        trace.seek(read_up_to[0])
        sides = [line[:1] for line in trace.read().splitlines()]
        read_up_to[0] = trace.tell()
        round_trips[kind[0]] += sum(1 for pair in itertools.pairwise(sides)
                                    if pair == ("F", "B"))

    def on_request(name: str) -> None:
        count_round_trips()
        kind[0] = name
        requests[name] += 1

    event.listen(engine, "before_cursor_execute",
                 lambda *_args: statements.update([kind[0]]))
    token = login(send)
    lifecycle(send, world, token)
    engine.dispose()  # new connections, each traced (libpq's trace) from its first message
    event.listen(engine, "connect", traced)
    statements.clear()
    lifecycle(send, world, token, on_request)
    count_round_trips()
    engine.dispose()
    trace.close()
    return {name: {"statements": round(statements[name] / requests[name], 2),
                   "round_trips": round(round_trips[name] / requests[name], 2)}
            for name in requests}


# -- the floor ----------------------------------------------------------------------------------

def baseline_process(url: str, world: dict[str, Any], rounds: int, start: Any) -> None:
    engine = create_engine(url)
    inspector, police = uuid.UUID(world["inspector"]), uuid.UUID(world["police"])
    start.wait()
    for _ in range(rounds):
        iid = uuid.uuid4()
        now = datetime.now(UTC)
        with engine.begin() as conn:
            conn.execute(insert(Inspection.__table__).values(
                id=iid, site_id=uuid.UUID(world["site"]),
                checklist_id=uuid.UUID(world["checklist"]), province_code="92",
                status="submitted", started_at=now, request_hash="0" * 64, version=2,
                location="SRID=4326;POINT(105.747 10.0453)", accuracy_m=8,
                created_by=inspector, created_at=now, updated_at=now, submitted_at=now))
            conn.execute(insert(inspection_members), [
                {"inspection_id": iid, "user_id": inspector},
                {"inspection_id": iid, "user_id": police}])
            conn.execute(insert(Answer.__table__), [
                {"id": uuid.uuid4(), "inspection_id": iid, "item_code": code, "value": value,
                 "answered_at": now, "answered_by": inspector, "version": 1,
                 "updated_at": now}
                for code, value in world["answers"]])
    engine.dispose()


def main() -> None:
    name, url = scratch_database()
    options = production_options()
    options["workers"] = int(os.environ.get("KT1_BENCH_WORKERS", options["workers"]))
    options["threads"] = int(os.environ.get("KT1_BENCH_THREADS", options["threads"]))
    try:
        with tempfile.TemporaryDirectory(prefix="kt1-bench-") as tmp:
            instance = Path(tmp)
            world = prepare(url)
            per_request = statements_per_request(url, instance, world)
            port = free_port()
            server = start_gunicorn(url, port, instance, options)
            try:
                token = login(http_sender(port))
                in_parallel(client_process, (port, world, token), CLIENTS)  # warm-up
                api = in_parallel(client_process, (port, world, token), ROUNDS)
                ceiling = in_parallel(ceiling_process, (port,),
                                      ROUNDS * (len(world["answers"]) + 2))
            finally:
                server.terminate()
                server.wait(timeout=60)
            base_rate = in_parallel(baseline_process, (url, world), ROUNDS).per_s
    finally:
        drop_database(name)
    requests_per_inspection = len(world["answers"]) + 2
    print(json.dumps({
        "bench": "inspection_lifecycle", "backend": "postgis", "server": "gunicorn",
        "gunicorn_workers": options["workers"], "gunicorn_threads": options["threads"],
        "worker_class": options["worker_class"], "client_processes": CLIENTS,
        "rounds": ROUNDS, "answers_per_inspection": len(world["answers"]),
        "requests_per_inspection": requests_per_inspection,
        "per_request": per_request,
        "api_inspections_per_s": round(api.per_s, 2),
        "api_requests_per_s": round(api.per_s * requests_per_inspection, 1),
        "baseline_inspections_per_s": round(base_rate, 2),
        "api_over_baseline_ratio": round(api.per_s / base_rate, 4),
        "stack_ceiling_requests_per_s": round(ceiling.per_s, 1),
        "api_over_stack_ceiling_ratio": round(
            api.per_s * requests_per_inspection / ceiling.per_s, 3),
        "api_cores_busy": round(api.cores_busy, 2),
        "api_cpu_ms_per_request": round(
            1000 * api.busy_cpu_s / (ROUNDS * requests_per_inspection), 3),
        "stack_ceiling_cores_busy": round(ceiling.cores_busy, 2),
        "stack_ceiling_cpu_ms_per_request": round(
            1000 * ceiling.busy_cpu_s / (ROUNDS * requests_per_inspection), 3),
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
