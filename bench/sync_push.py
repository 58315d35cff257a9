"""Offline sync on PostGIS: mutations per second through `POST /sync/push` against bare
SQLAlchemy inserts of the same rows (the floor) in the same run, and the size of the offline
package for an inspector with 50 assignments, raw and gzipped.

Pushes N inspections x 40 answers (N = KT1_BENCH_INSPECTIONS, default 1000) in batches of
KT1_BENCH_BATCH mutations (default 500) through the whole WSGI stack (Flask's test client).
Prints one JSON object on its last line.
"""

from __future__ import annotations

import gzip
import json
import os
import sys
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, select

from api.app import create_app
from bench.lifecycle import (
    PASSWORD,
    drop_database,
    scratch_database,
)
from geo.units import packaged_units
from inspection import accounts, audit, campaigns, migrate, reference, sites
from inspection.checklists import builtin
from inspection.config import Settings
from inspection.db import make_engine, make_session_factory
from inspection.demo import compliant_value
from inspection.models import Answer, Checklist, Inspection, inspection_members

INSPECTIONS = int(os.environ.get("KT1_BENCH_INSPECTIONS", "1000"))
BATCH = int(os.environ.get("KT1_BENCH_BATCH", "500"))
ANSWERS = 40
ASSIGNMENTS = 50


def prepare(engine):  # type: ignore[no-untyped-def]
    migrate.upgrade(engine)
    with make_session_factory(engine)() as session:
        audit.set_actor(session, None, "bench")
        reference.load_units(session, packaged_units())
        builtin.seed_builtin(session)
        for province in ("92",):
            reference.seed_synthetic_boundaries(session, province)
        supervisor = accounts.create_user(session, username="bench.sup", password=PASSWORD,
                                          role="supervisor", agency="skhcn", province_code="92")
        inspector = accounts.create_user(session, username="bench.skhcn", password=PASSWORD,
                                         role="inspector", agency="skhcn", province_code="92")
        police = accounts.create_user(session, username="bench.police", password=PASSWORD,
                                      role="police", agency="police", province_code="92")
        checklist = session.scalars(select(Checklist).where(
            Checklist.target_kind == "kt1_provider", Checklist.status == "published")).first()
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
        session.commit()
        items = [i for i in checklist.items() if compliant_value(i) is not None][:ANSWERS]
        return inspector, police, rows[0], checklist, items


def mutations_for(n: int, site, checklist, team, items):  # type: ignore[no-untyped-def]
    iid = str(uuid.uuid4())
    now = datetime.now(UTC).isoformat()
    out = [{"mutation_id": f"m-{n}-i", "entity": "inspection", "op": "upsert", "id": iid,
            "base_version": None, "client_time": now,
            "data": {"site_id": str(site.id), "checklist_id": str(checklist.id),
                     "started_at": now, "team": [str(u.id) for u in team],
                     "location": {"lon": 105.6001, "lat": 10.0001, "accuracy_m": 9}}}]
    for k, item in enumerate(items):
        out.append({"mutation_id": f"m-{n}-a{k}", "entity": "answer", "op": "upsert",
                    "id": str(uuid.uuid4()), "base_version": None, "client_time": now,
                    "data": {"inspection_id": iid, "item_code": item.code,
                             "value": compliant_value(item), "answered_at": now}})
    return out


def run_push(client, headers, device, site, checklist, team, items) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    pending: list[dict] = []
    sent = 0
    elapsed = 0.0
    for n in range(INSPECTIONS):
        pending.extend(mutations_for(n, site, checklist, team, items))
        if len(pending) >= BATCH or n == INSPECTIONS - 1:
            start = time.perf_counter()
            resp = client.post("/api/v1/sync/push", headers=headers,
                               json={"device_id": device, "mutations": pending})
            elapsed += time.perf_counter() - start
            assert resp.status_code == 200, resp.get_json()
            statuses = {r["status"] for r in resp.get_json()["results"]}
            assert statuses == {"applied"}, resp.get_json()["results"][:3]
            sent += len(pending)
            pending = []
    return sent / elapsed, sent


def run_baseline(engine, site, checklist, team, items) -> float:  # type: ignore[no-untyped-def]
    per_batch = max(BATCH // (ANSWERS + 1), 1)
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
                        "created_by": team[0].id, "created_at": now, "updated_at": now})
            members += [{"inspection_id": iid, "user_id": u.id} for u in team]
            answers += [{"id": uuid.uuid4(), "inspection_id": iid, "item_code": i.code,
                         "value": compliant_value(i), "answered_at": now,
                         "answered_by": team[0].id, "version": 1, "updated_at": now}
                        for i in items]
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
        inspector, police, site, checklist, items = prepare(engine)
        app = create_app(Settings(env="test", database_url=url,
                                  instance_path=Path("/tmp") / name,
                                  max_body_bytes=16 * 1024 * 1024))
        client = app.test_client()
        device = "bench-tablet"
        token = client.post("/api/v1/auth/login", json={
            "username": inspector.username, "password": PASSWORD,
            "device_id": device}).get_json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        package = package_sizes(client, headers)
        push_rate, sent = run_push(client, headers, device, site, checklist,
                                   [inspector, police], items)
        floor = run_baseline(engine, site, checklist, [inspector, police], items)
        app.extensions["kt1"].engine.dispose()
        engine.dispose()
    finally:
        drop_database(name)
    print(json.dumps({
        "bench": "sync_push", "backend": "postgis", "inspections": INSPECTIONS,
        "answers_per_inspection": len(items), "mutations": sent, "batch": BATCH,
        "push_mutations_per_s": round(push_rate, 1),
        "bare_insert_rows_per_s": round(floor, 1),
        "push_over_floor_ratio": round(push_rate / floor, 4),
        "package_50_assignments": package,
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
