"""Inspection lifecycle through the HTTP API (create, every answer, submit) per second on
PostGIS, against the same rows written by bare SQLAlchemy inserts in the same run.

The API side goes through the whole WSGI stack (Flask's test client: routing, auth, schemas,
services, audit chain, one commit per request). The baseline writes the inspection, its team
and its answers with Core inserts in one transaction per inspection. Prints one JSON object on
its last line. Env: KT1_BENCH_POSTGRES_URL (an existing database to create a scratch one from),
KT1_BENCH_ROUNDS (default 30).
"""

from __future__ import annotations

import json
import os
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, insert, select, text

from api.app import create_app
from geo.units import packaged_units
from inspection import accounts, migrate, reference
from inspection.checklists import builtin
from inspection.config import Settings
from inspection.db import make_engine, make_session_factory
from inspection.demo import compliant_value
from inspection.models import Answer, Checklist, Inspection, Site, inspection_members

BASE_URL = os.environ.get("KT1_BENCH_POSTGRES_URL",
                          "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ROUNDS = int(os.environ.get("KT1_BENCH_ROUNDS", "30"))
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



def prepare(engine):  # type: ignore[no-untyped-def]
    migrate.upgrade(engine)
    factory = make_session_factory(engine)
    with factory() as session:
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
        items = [i for i in checklist.items() if compliant_value(i) is not None]
        return inspector, police, site, checklist, items


def run_api(app, inspector, police, site, checklist, items) -> float:  # type: ignore[no-untyped-def]
    client = app.test_client()
    token = client.post("/api/v1/auth/login", json={
        "username": inspector.username, "password": PASSWORD,
        "device_id": "bench-tablet"}).get_json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    start = time.perf_counter()
    for _ in range(ROUNDS):
        iid = str(uuid.uuid4())
        resp = client.post("/api/v1/inspections", headers=headers, json={
            "id": iid, "site_id": str(site.id), "checklist_id": str(checklist.id),
            "started_at": datetime.now(UTC).isoformat(),
            "location": {"lon": 105.7470, "lat": 10.0453, "accuracy_m": 8},
            "team": [str(inspector.id), str(police.id)]})
        assert resp.status_code == 201, resp.get_json()
        created_etag = resp.headers["ETag"]
        for item in items:
            resp = client.put(f"/api/v1/inspections/{iid}/answers/{item.code}",
                              headers={**headers, "If-None-Match": "*"},
                              json={"value": compliant_value(item),
                                    "answered_at": datetime.now(UTC).isoformat()})
            assert resp.status_code in (200, 201), resp.get_json()
        resp = client.post(f"/api/v1/inspections/{iid}/submit",
                           headers={**headers, "If-Match": created_etag})
        assert resp.status_code == 200, resp.get_json()
    return ROUNDS / (time.perf_counter() - start)


def run_baseline(engine, inspector, police, site, checklist, items) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    for _ in range(ROUNDS):
        iid = uuid.uuid4()
        now = datetime.now(UTC)
        with engine.begin() as conn:
            conn.execute(insert(Inspection.__table__).values(
                id=iid, site_id=site.id, checklist_id=checklist.id, province_code="92",
                status="submitted", started_at=now, request_hash="0" * 64, version=2,
                location="SRID=4326;POINT(105.747 10.0453)", accuracy_m=8,
                created_by=inspector.id, created_at=now, updated_at=now, submitted_at=now))
            conn.execute(insert(inspection_members), [
                {"inspection_id": iid, "user_id": inspector.id},
                {"inspection_id": iid, "user_id": police.id}])
            conn.execute(insert(Answer.__table__), [
                {"id": uuid.uuid4(), "inspection_id": iid, "item_code": item.code,
                 "value": compliant_value(item), "answered_at": now,
                 "answered_by": inspector.id, "version": 1, "updated_at": now}
                for item in items])
    return ROUNDS / (time.perf_counter() - start)


def main() -> None:
    name, url = scratch_database()
    try:
        engine = make_engine(url)
        inspector, police, site, checklist, items = prepare(engine)
        app = create_app(Settings(env="test", database_url=url,
                                  instance_path=Path("/tmp") / name))
        run_api(app, inspector, police, site, checklist, items)  # warm-up: caches, plans
        api_rate = run_api(app, inspector, police, site, checklist, items)
        base_rate = run_baseline(engine, inspector, police, site, checklist, items)
        app.extensions["kt1"].engine.dispose()
        engine.dispose()
    finally:
        drop_database(name)
    print(json.dumps({
        "bench": "inspection_lifecycle", "backend": "postgis", "rounds": ROUNDS,
        "answers_per_inspection": len(items), "requests_per_inspection": len(items) + 2,
        "api_inspections_per_s": round(api_rate, 2),
        "baseline_inspections_per_s": round(base_rate, 2),
        "api_over_baseline_ratio": round(api_rate / base_rate, 4),
        "api_requests_per_s": round(api_rate * (len(items) + 2), 1),
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
