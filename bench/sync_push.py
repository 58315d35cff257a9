"""Offline sync on PostGIS: mutations per second through `POST /sync/push` against bare
SQLAlchemy inserts of the same rows (the floor) in the same run; four provinces pushing at
once from four processes against one stream; and the size of the offline package for an
inspector with 50 assignments, raw and gzipped.

One stream pushes N inspections x 40 answers (N = KT1_BENCH_INSPECTIONS, default 1000) in
batches of KT1_BENCH_BATCH mutations (default 500) through the whole WSGI stack (Flask's test
client), from a process of its own that settles the loaded app's heap as a gunicorn worker
does (`api.serving.settle_heap`). Then four processes, each a tablet of its own province
(own users and site), push KT1_BENCH_PROVINCE_INSPECTIONS each (default N / 4, the same total)
at once: their aggregate rate over the wall time from the common start to the last one done,
and its ratio to the one stream. Lock wait: the time each batch spends in the statements that
lock the audit chain's head (`HEAD_LOCK`), timed around their execution; mean and max per
batch. CPU: the cores busy machine-wide (/proc/stat) while each run pushes. One stream keeps
more than one core busy (its process and its PostgreSQL backend), so four streams on C cores
reach at most C / that many times its rate (`cpu_ceiling_ratio`); `over_cpu_ceiling` says how
close they came. Prints one JSON object on its last line.
"""

from __future__ import annotations

import gzip
import json
import multiprocessing
import os
import re
import statistics
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, insert, select, text

from api.app import create_app
from api.serving import settle_heap
from bench.lifecycle import (
    CORES,
    PASSWORD,
    busy_jiffies,
    cores_busy,
    drop_database,
    scratch_database,
)
from geo.units import packaged_units
from inspection import accounts, audit, campaigns, migrate, reference, sites
from inspection.checklists import builtin
from inspection.config import Settings
from inspection.db import make_engine, make_session_factory
from inspection.demo import compliant_value
from inspection.models import Answer, Checklist, Inspection, Site, inspection_members

INSPECTIONS = int(os.environ.get("KT1_BENCH_INSPECTIONS", "1000"))
BATCH = int(os.environ.get("KT1_BENCH_BATCH", "500"))
PER_PROVINCE = int(os.environ.get("KT1_BENCH_PROVINCE_INSPECTIONS",
                                  str(max(INSPECTIONS // 4, 1))))
ANSWERS = 40
ASSIGNMENTS = 50
PROVINCES = ("01", "31", "48", "79")  # the four concurrent tablets; the one stream is 92's
HEAD_LOCK = re.compile(r"\bFROM audit_\w+.*\bFOR UPDATE\b", re.S)
"""A statement that locks audit chain heads (`audit.lock_chains`)."""


@dataclass(frozen=True)
class Tablet:
    """One province's pushing tablet, as plain data a process of its own can receive."""

    province: str
    username: str
    site_id: str
    checklist_id: str
    team: tuple[str, ...]
    answers: tuple[tuple[str, Any], ...]  # (item code, a compliant value)


def prepare(engine) -> tuple[Tablet, list[Tablet], Any, Any]:  # type: ignore[no-untyped-def]
    migrate.upgrade(engine)
    with make_session_factory(engine)() as session:
        audit.set_actor(session, None, "bench")
        reference.load_units(session, packaged_units())
        builtin.seed_builtin(session)
        for province in ("92",):
            reference.seed_synthetic_boundaries(session, province)
        supervisor = accounts.create_user(session, username="bench.sup", password=PASSWORD,
                                          role="supervisor", agency="skhcn", province_code="92")
        checklist = session.scalars(select(Checklist).where(
            Checklist.target_kind == "kt1_provider", Checklist.status == "published")).first()
        answers = tuple((i.code, compliant_value(i)) for i in checklist.items()
                        if compliant_value(i) is not None)[:ANSWERS]
        inspector, police = _team(session, "92")
        campaign = campaigns.create_campaign(
            session, supervisor, name="Đợt đo hiệu năng", starts_on=date(2026, 1, 1),
            ends_on=date(2026, 12, 31), checklist_id=checklist.id)
        rows = []
        for n in range(ASSIGNMENTS):
            site = sites.create_site(session, supervisor, name=f"Bưu cục đo hiệu năng {n}",
                                     kind="kt1_provider", organization="Bưu điện Cần Thơ",
                                     location=(105.60 + n * 0.004, 10.00 + n * 0.002))
            campaigns.create_assignment(session, supervisor, campaign.id, site_id=site.id,
                                        team=[inspector.id, police.id], due_on=date(2026, 12, 1))
            rows.append(site)
        one = _tablet("92", inspector, police, rows[0], checklist, answers)
        four = []
        for province in PROVINCES:
            their_inspector, their_police = _team(session, province)
            site = Site(name=f"Bưu cục đo hiệu năng {province}", kind="kt1_provider",
                        province_code=province, organization="Bưu điện tỉnh",
                        location="SRID=4326;POINT(105.6001 10.0001)")
            session.add(site)
            session.flush()
            four.append(_tablet(province, their_inspector, their_police, site, checklist,
                                answers))
        session.commit()
        return one, four, rows[0], checklist


def _team(session, province: str):  # type: ignore[no-untyped-def]
    return (accounts.create_user(session, username=f"bench.{province}.skhcn",
                                 password=PASSWORD, role="inspector", agency="skhcn",
                                 province_code=province),
            accounts.create_user(session, username=f"bench.{province}.police",
                                 password=PASSWORD, role="police", agency="police",
                                 province_code=province))


def _tablet(province, inspector, police, site, checklist, answers) -> Tablet:  # type: ignore[no-untyped-def]
    return Tablet(province=province, username=inspector.username, site_id=str(site.id),
                  checklist_id=str(checklist.id), team=(str(inspector.id), str(police.id)),
                  answers=answers)


def mutations_for(n: int, tablet: Tablet) -> list[dict[str, Any]]:
    iid = str(uuid.uuid4())
    now = datetime.now(UTC).isoformat()
    out = [{"mutation_id": f"m-{n}-i", "entity": "inspection", "op": "upsert", "id": iid,
            "base_version": None, "client_time": now,
            "data": {"site_id": tablet.site_id, "checklist_id": tablet.checklist_id,
                     "started_at": now, "team": list(tablet.team),
                     "location": {"lon": 105.6001, "lat": 10.0001, "accuracy_m": 9}}}]
    for k, (code, value) in enumerate(tablet.answers):
        out.append({"mutation_id": f"m-{n}-a{k}", "entity": "answer", "op": "upsert",
                    "id": str(uuid.uuid4()), "base_version": None, "client_time": now,
                    "data": {"inspection_id": iid, "item_code": code, "value": value,
                             "answered_at": now}})
    return out


class LockWait:
    """Seconds spent in `HEAD_LOCK` statements on an engine, summed."""

    def __init__(self, engine) -> None:  # type: ignore[no-untyped-def]
        self.total = 0.0
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, _conn, _cursor, statement, _params, context, _many) -> None:  # type: ignore[no-untyped-def]
        if HEAD_LOCK.search(statement):
            context.kt1_lock_started = time.perf_counter()

    def _after(self, _conn, _cursor, _statement, _params, context, _many) -> None:  # type: ignore[no-untyped-def]
        started = getattr(context, "kt1_lock_started", None)
        if started is not None:
            self.total += time.perf_counter() - started


def stream(url: str, name: str, tablet: Tablet, inspections: int,
           start: Any, out: Any) -> None:
    """One tablet pushing `inspections` from a process of its own (after `start`): puts
    `(mutations, first_sent, last_answered, [lock wait per batch], CPU seconds)`, monotonic
    seconds; the CPU is this process's own (client and server), not PostgreSQL's."""
    app = create_app(Settings(env="test", database_url=url,
                              instance_path=Path("/tmp") / f"{name}-{tablet.province}",
                              max_body_bytes=16 * 1024 * 1024))
    settle_heap()  # as a gunicorn worker does once it has loaded the app
    lock = LockWait(app.extensions["kt1"].engine)
    client = app.test_client()
    device = f"bench-tablet-{tablet.province}"
    token = client.post("/api/v1/auth/login", json={
        "username": tablet.username, "password": PASSWORD,
        "device_id": device}).get_json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    batches = []
    pending: list[dict[str, Any]] = []
    for n in range(inspections):
        pending.extend(mutations_for(n, tablet))
        if len(pending) >= BATCH or n == inspections - 1:
            batches.append(pending)
            pending = []
    waits, sent = [], 0
    start.wait()
    began, cpu = time.monotonic(), time.process_time()
    for batch in batches:
        before = lock.total
        resp = client.post("/api/v1/sync/push", headers=headers,
                           json={"device_id": device, "mutations": batch})
        waits.append(lock.total - before)
        assert resp.status_code == 200, resp.get_json()
        statuses = {r["status"] for r in resp.get_json()["results"]}
        assert statuses == {"applied"}, resp.get_json()["results"][:3]
        sent += len(batch)
    out.put((sent, began, time.monotonic(), waits, time.process_time() - cpu))
    app.extensions["kt1"].engine.dispose()


def run_streams(url: str, name: str, tablets: list[Tablet], inspections: int,
                ) -> dict[str, Any]:
    """Every tablet pushing at once, one process each: the aggregate rate, lock waits and
    how many of the machine's cores were busy meanwhile (the tablets, PostgreSQL, the rest)."""
    ctx = multiprocessing.get_context("spawn")
    start, out = ctx.Barrier(len(tablets) + 1), ctx.Queue()
    procs = [ctx.Process(target=stream, args=(url, name, t, inspections, start, out))
             for t in tablets]
    for proc in procs:
        proc.start()
    start.wait()
    before = busy_jiffies()
    done = [out.get() for _ in procs]
    busy = cores_busy(before, busy_jiffies())
    for proc in procs:
        proc.join()
        assert proc.exitcode == 0, proc.exitcode
    sent = sum(d[0] for d in done)
    waits = [w for d in done for w in d[3]]
    return {"mutations": sent,
            "mutations_per_s": sent / (max(d[2] for d in done) - min(d[1] for d in done)),
            "lock_wait_ms_per_batch_mean": round(1000 * statistics.fmean(waits), 1),
            "lock_wait_ms_per_batch_max": round(1000 * max(waits), 1),
            "cores_busy": round(busy, 2),
            "process_cpu_ms_per_mutation": round(1000 * sum(d[4] for d in done) / sent, 3)}


def settle(engine) -> None:  # type: ignore[no-untyped-def]
    """Vacuum and analyse the database, so a run does not pay (in CPU, and in plans on stale
    statistics) for the autovacuum of the rows the run before it wrote."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


def run_baseline(engine, site, checklist, tablet: Tablet) -> float:  # type: ignore[no-untyped-def]
    per_batch = max(BATCH // (ANSWERS + 1), 1)
    team = [uuid.UUID(u) for u in tablet.team]
    start = time.perf_counter()
    for first in range(0, INSPECTIONS, per_batch):
        now = datetime.now(UTC)
        ins, members, answers = [], [], []
        for _ in range(min(per_batch, INSPECTIONS - first)):
            iid = uuid.uuid4()
            ins.append({"id": iid, "site_id": site.id, "checklist_id": checklist.id,
                        "province_code": "92", "status": "draft", "started_at": now,
                        "request_hash": "0" * 64, "version": 1, "accuracy_m": 9,
                        "location": "SRID=4326;POINT(105.6001 10.0001)",
                        "created_by": team[0], "created_at": now, "updated_at": now})
            members += [{"inspection_id": iid, "user_id": u} for u in team]
            answers += [{"id": uuid.uuid4(), "inspection_id": iid, "item_code": code,
                         "value": value, "answered_at": now, "answered_by": team[0],
                         "version": 1, "updated_at": now}
                        for code, value in tablet.answers]
        with engine.begin() as conn:
            conn.execute(insert(Inspection.__table__), ins)
            conn.execute(insert(inspection_members), members)
            conn.execute(insert(Answer.__table__), answers)
    return INSPECTIONS * (ANSWERS + 1) / (time.perf_counter() - start)


def package_sizes(client, headers) -> dict[str, int]:  # type: ignore[no-untyped-def]
    raw = client.get("/api/v1/sync/package", headers=headers)
    assert raw.status_code == 200, raw.get_json()
    zipped = client.get("/api/v1/sync/package", headers={**headers, "Accept-Encoding": "gzip"})
    body = zipped.get_data()
    assert zipped.headers.get("Content-Encoding") == "gzip"
    unzipped = json.loads(gzip.decompress(body))
    assert unzipped.keys() == raw.get_json().keys()
    assert unzipped["assignments"] == raw.get_json()["assignments"]
    return {"assignments": len(raw.get_json()["assignments"]),
            "raw_bytes": len(raw.get_data()), "gzip_bytes": len(body)}


def main() -> None:
    name, url = scratch_database()
    try:
        engine = make_engine(url)
        one, four, site, checklist = prepare(engine)
        app = create_app(Settings(env="test", database_url=url,
                                  instance_path=Path("/tmp") / name,
                                  max_body_bytes=16 * 1024 * 1024))
        client = app.test_client()
        token = client.post("/api/v1/auth/login", json={
            "username": one.username, "password": PASSWORD,
            "device_id": "bench-tablet"}).get_json()["access_token"]
        package = package_sizes(client, {"Authorization": f"Bearer {token}"})
        app.extensions["kt1"].engine.dispose()
        settle(engine)
        single = run_streams(url, name, [one], INSPECTIONS)
        settle(engine)
        provinces = run_streams(url, name, four, PER_PROVINCE)
        settle(engine)
        floor = run_baseline(engine, site, checklist, one)
        engine.dispose()
    finally:
        drop_database(name)
    push_rate = single["mutations_per_s"]
    # What four streams could reach at most: the machine's cores over those one stream keeps
    # busy (its process, its PostgreSQL backend). Past it they wait for CPU, not for a lock.
    cpu_ceiling = CORES / single["cores_busy"]
    print(json.dumps({
        "bench": "sync_push", "backend": "postgis", "inspections": INSPECTIONS,
        "answers_per_inspection": len(one.answers), "mutations": single["mutations"],
        "batch": BATCH,
        "push_mutations_per_s": round(push_rate, 1),
        "bare_insert_rows_per_s": round(floor, 1),
        "push_over_floor_ratio": round(push_rate / floor, 4),
        "lock_wait_ms_per_batch_mean": single["lock_wait_ms_per_batch_mean"],
        "cores": CORES, "one_stream_cores_busy": single["cores_busy"],
        "process_cpu_ms_per_mutation": single["process_cpu_ms_per_mutation"],
        "four_provinces": {
            "processes": len(four), "inspections_each": PER_PROVINCE,
            "mutations": provinces["mutations"],
            "aggregate_mutations_per_s": round(provinces["mutations_per_s"], 1),
            "over_one_stream_ratio": round(provinces["mutations_per_s"] / push_rate, 3),
            "cores_busy": provinces["cores_busy"],
            "process_cpu_ms_per_mutation": provinces["process_cpu_ms_per_mutation"],
            "cpu_ceiling_ratio": round(cpu_ceiling, 3),
            "over_cpu_ceiling": round(provinces["mutations_per_s"] / push_rate / cpu_ceiling,
                                      3),
            "lock_wait_ms_per_batch_mean": provinces["lock_wait_ms_per_batch_mean"],
            "lock_wait_ms_per_batch_max": provinces["lock_wait_ms_per_batch_max"]},
        "package_50_assignments": package,
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
