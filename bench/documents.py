"""Official documents on PostGIS: seconds per violation notice with six photos, and for the
annual report of a province with 10,000 inspections, each against the time to merely load the
same rows from the database in the same run.

(a) N approved inspections, each with six confirmed findings and six ready photos (their
thumbnails in a folder blob store); a notice is numbered, rendered to PDF and DOCX, its PDF
signed with the demo certificate, stored and issued (`workers.notices.render_notice`, one
transaction each; every reference the findings cite verified, one signer). The baseline loads
what the notice reads: the notice, its inspection, site, team, confirmed findings with their
items and sections, and the photos (`inspection.notices.facts`). (b) 10,000 inspections of
Cần Thơ in the year across its communes, three findings each (Core inserts); the annual
report's figures, PDF and XLSX (`workers.reports.render_report`) against selecting the rows it
aggregates (the year's inspections and their findings with the items' sections) into Python.
Prints one JSON object on its last line. Env: KT1_BENCH_POSTGRES_URL, KT1_BENCH_NOTICES
(default 10), KT1_BENCH_INSPECTIONS (default 10000).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.orm import Session

from bench.lifecycle import drop_database, scratch_database
from geo.units import packaged_units
from inspection import accounts, audit, migrate, notices, reference, reports
from inspection.checklists import builtin
from inspection.config import DEMO_SIGNING_PASSWORD, Settings
from inspection.db import make_engine, make_session_factory, utcnow
from inspection.models import (
    Checklist,
    ChecklistItem,
    ChecklistSection,
    Commune,
    Finding,
    Inspection,
    LegalReference,
    Photo,
    Signer,
    Site,
    User,
    inspection_members,
)
from media.blobstore import FileBlobStore
from media.certificates import ensure_demo_ca
from workers.notices import render_notice
from workers.reports import render_report

NOTICES = int(os.environ.get("KT1_BENCH_NOTICES", "10"))
INSPECTIONS = int(os.environ.get("KT1_BENCH_INSPECTIONS", "10000"))
PASSWORD = "mat-khau-do-hieu-nang"
YEAR = 2026
VN = timedelta(hours=7)


class World:
    """Reference data, a joint team, a supervisor, KT1 sites of Cần Thơ and the checklist."""

    def __init__(self, session: Session) -> None:
        reference.load_units(session, packaged_units())
        builtin.seed_builtin(session)
        # The legal officer has verified every reference the six findings cite (the bench
        # measures writing a notice, not which law is verified), and one official signs.
        session.execute(update(LegalReference).values(
            status="verified", valid_from=None, valid_to=None, superseded_by_id=None,
            province_code=None, verified_at=utcnow()))
        session.add(Signer(province_code="92", full_name="Trần Văn Bình", title="Phó Giám đốc",
                           delegation="KT. GIÁM ĐỐC", active=True, version=1))
        self.inspector = accounts.create_user(
            session, username="bench.skhcn", password=PASSWORD, role="inspector",
            agency="skhcn", province_code="92", full_name="Nguyễn Thị Thu Hương")
        self.police = accounts.create_user(
            session, username="bench.police", password=PASSWORD, role="police",
            agency="police", province_code="92", full_name="Trần Văn Đức")
        self.supervisor = accounts.create_user(
            session, username="bench.supervisor", password=PASSWORD, role="supervisor",
            agency="skhcn", province_code="92", full_name="Lê Minh Khoa")
        self.checklist = session.scalars(select(Checklist).where(
            Checklist.target_kind == "kt1_provider", Checklist.status == "published")).one()
        self.items = list(session.scalars(
            select(ChecklistItem).join(ChecklistSection)
            .where(ChecklistItem.checklist_id == self.checklist.id,
                   ChecklistItem.severity.is_not(None))
            .order_by(ChecklistSection.position, ChecklistItem.position)))
        self.communes = list(session.scalars(
            select(Commune.code).where(Commune.province_code == "92").order_by(Commune.code)))
        self.sites = []
        for n, commune in enumerate(self.communes):
            site = Site(name=f"Bưu cục KT1 số {n + 1}", kind="kt1_provider",
                        province_code="92", commune_code=commune,
                        organization="Bưu điện thành phố Cần Thơ",
                        address=f"Số {n + 1} đường Hòa Bình",
                        location=f"SRID=4326;POINT({105.70 + n * 0.001} {10.00 + n * 0.001})")
            session.add(site)
            self.sites.append(site)
        session.flush()


def thumbnail(seed: int) -> bytes:
    img = Image.effect_noise((512, 384), 40 + seed).convert("RGB")
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85)
    return out.getvalue()


def approved_inspection(session: Session, world: World, store: FileBlobStore,
                        n: int) -> Inspection:
    """An approved joint inspection with six confirmed findings, each with a ready photo."""
    started = datetime(YEAR, 5, 1, 1, 30, tzinfo=UTC) + timedelta(days=n % 200)
    site = world.sites[n % len(world.sites)]
    inspection = Inspection(
        id=uuid.uuid4(), site_id=site.id, checklist_id=world.checklist.id,
        province_code="92", commune_code=site.commune_code, status="approved",
        started_at=started, submitted_at=started + timedelta(hours=3),
        request_hash=hashlib.sha256(str(n).encode()).hexdigest(), version=3,
        created_by=world.inspector.id, team=[world.inspector, world.police])
    session.add(inspection)
    session.flush()
    for k, item in enumerate(world.items[:6]):
        session.add(Finding(
            id=uuid.uuid4(), inspection_id=inspection.id, site_id=site.id,
            item_code=item.code, severity=item.severity or "medium",
            legal_basis=item.legal_basis, legal_refs=item.legal_refs,
            description=f"Không đạt: {item.text}", status="confirmed", version=2,
            province_code="92", commune_code=site.commune_code))
        thumb_sha, _ = store.put(io.BytesIO(thumbnail(n * 6 + k)))
        session.add(Photo(
            id=uuid.uuid4(), inspection_id=inspection.id, item_code=item.code,
            sha256=hashlib.sha256(f"original {n} {k}".encode()).hexdigest(), size=4_000_000,
            content_type="image/jpeg", status="ready", width=4000, height=3000,
            exif={"taken_at": (started + timedelta(minutes=20 + k)).isoformat(),
                  "lon": 105.7469, "lat": 10.0452, "make": "samsung", "model": "SM-T975"},
            flags=[], thumbnail_sha256=thumb_sha, preview_sha256=thumb_sha,
            processed_at=started + timedelta(hours=1), version=2))
    session.flush()
    return inspection


def bench_notices(factory, world: World, store: FileBlobStore,  # type: ignore[no-untyped-def]
                  settings: Settings) -> dict[str, float]:
    with factory() as session:
        audit.set_actor(session, world.supervisor.id, "bench")
        supervisor = session.get_one(User, world.supervisor.id)
        ids = []
        for n in range(NOTICES + 1):  # the first one warms caches and fonts
            inspection = approved_inspection(session, world, store, n)
            notice, _job, _queued = notices.request_notice(session, supervisor, inspection.id)
            ids.append(notice.id)
        session.commit()
    timings = []
    for notice_id in ids:
        with factory() as session:
            start = time.perf_counter()
            issued = render_notice(session, store, notice_id, settings=settings)
            session.commit()
            timings.append(time.perf_counter() - start)
            assert issued.status == "issued" and issued.pdf_sha256
    loads = []
    for notice_id in ids:
        with factory() as session:
            start = time.perf_counter()
            facts = notices.facts(session, notices.lock_for_issue(session, notice_id))
            assert len(facts.photos) == 6
            session.rollback()
            loads.append(time.perf_counter() - start)
    render_s = sum(timings[1:]) / NOTICES
    load_s = sum(loads[1:]) / NOTICES
    return {"notices": NOTICES, "photos_each": 6, "seconds_per_notice": round(render_s, 4),
            "load_seconds_per_notice": round(load_s, 5),
            "ratio_render_over_load": round(render_s / load_s, 1)}


def year_of_inspections(engine, world: World) -> int:  # type: ignore[no-untyped-def]
    """INSPECTIONS submitted or approved inspections of the year across the province's sites,
    three findings each, of varied severities and statuses (Core inserts, one transaction)."""
    rnd = random.Random(7)
    statuses = ["confirmed", "remediated", "verified", "open", "dismissed"]
    inspections, members, findings = [], [], []
    for n in range(INSPECTIONS):
        site = world.sites[n % len(world.sites)]
        started = datetime(YEAR, 1, 2, tzinfo=UTC) + timedelta(minutes=rnd.randrange(500_000))
        iid = uuid.uuid4()
        inspections.append({
            "id": iid, "site_id": site.id, "checklist_id": world.checklist.id,
            "province_code": "92", "commune_code": site.commune_code,
            "status": rnd.choice(["submitted", "approved"]), "started_at": started,
            "submitted_at": started + timedelta(hours=2), "request_hash": "0" * 64,
            "version": 2, "created_by": world.inspector.id, "created_at": started,
            "updated_at": started})
        members += [{"inspection_id": iid, "user_id": world.inspector.id},
                    {"inspection_id": iid, "user_id": world.police.id}]
        for item in rnd.sample(world.items, 3):
            findings.append({
                "id": uuid.uuid4(), "inspection_id": iid, "site_id": site.id,
                "item_code": item.code, "severity": item.severity or "medium",
                "legal_basis": item.legal_basis, "legal_refs": item.legal_refs,
                "description": f"Không đạt: {item.code}", "status": rnd.choice(statuses),
                "due_on": date(YEAR, 1, 1) + timedelta(days=rnd.randrange(330)),
                "province_code": "92", "commune_code": site.commune_code, "version": 1,
                "created_at": started, "updated_at": started})
    with engine.begin() as conn:
        for start in range(0, len(inspections), 2000):
            conn.execute(insert(Inspection.__table__), inspections[start:start + 2000])
        for start in range(0, len(members), 5000):
            conn.execute(insert(inspection_members), members[start:start + 5000])
        for start in range(0, len(findings), 5000):
            conn.execute(insert(Finding.__table__), findings[start:start + 5000])
        conn.execute(text("ANALYZE"))
    return len(findings)


def bench_report(factory, world: World, store: FileBlobStore) -> dict[str, float]:  # type: ignore[no-untyped-def]
    def one_report() -> float:
        with factory() as session:
            report, _job = reports.request_report(session, None, kind="annual",
                                                  province_code="92", year=YEAR)
            session.commit()
            start = time.perf_counter()
            rendered = render_report(session, store, report.id)
            session.commit()
            assert rendered.report.is_ready
            return time.perf_counter() - start

    def load_rows() -> float:
        lo = datetime(YEAR, 1, 1, tzinfo=UTC) - VN
        hi = datetime(YEAR + 1, 1, 1, tzinfo=UTC) - VN
        with factory() as session:
            start = time.perf_counter()
            rows = session.execute(
                select(Inspection.id, Inspection.site_id, Inspection.commune_code,
                       Inspection.status, Inspection.started_at)
                .where(Inspection.province_code == "92",
                       Inspection.started_at >= lo, Inspection.started_at < hi)).all()
            found = session.execute(
                select(Finding.id, Finding.item_code, Finding.severity, Finding.status,
                       Finding.due_on, Finding.commune_code, ChecklistSection.code)
                .join(Inspection, Inspection.id == Finding.inspection_id)
                .join(ChecklistItem, (ChecklistItem.checklist_id == Inspection.checklist_id)
                      & (ChecklistItem.code == Finding.item_code))
                .join(ChecklistSection, ChecklistSection.id == ChecklistItem.section_id)
                .where(Finding.province_code == "92",
                       Inspection.started_at >= lo, Inspection.started_at < hi)).all()
            assert len(rows) >= INSPECTIONS and found
            return time.perf_counter() - start

    one_report()  # warm-up
    report_s = min(one_report() for _ in range(2))
    load_s = min(load_rows() for _ in range(3))
    return {"inspections": INSPECTIONS, "report_seconds": round(report_s, 3),
            "load_seconds": round(load_s, 4), "ratio_report_over_load": round(report_s / load_s, 1)}


def main() -> None:
    name, url = scratch_database()
    media = Path(tempfile.mkdtemp(prefix="kt1-bench-docs-"))
    try:
        engine = make_engine(url)
        migrate.upgrade(engine)
        factory = make_session_factory(engine)
        with factory() as session:
            world = World(session)
            session.commit()
        store = FileBlobStore(media)
        settings = Settings(env="test", database_url=url, instance_path=media,
                            media_url=media.as_uri())
        ensure_demo_ca(*settings.demo_signing_files, password=DEMO_SIGNING_PASSWORD)  # signed
        notice = bench_notices(factory, world, store, settings)
        print(f"notice: {notice['seconds_per_notice']} s each "
              f"({notice['ratio_render_over_load']}x loading its rows)", flush=True)
        findings = year_of_inspections(engine, world)
        with factory() as session:
            total = session.scalar(select(func.count()).select_from(Inspection))
        report = bench_report(factory, world, store)
        print(f"annual report over {total} inspections, {findings} findings: "
              f"{report['report_seconds']} s ({report['ratio_report_over_load']}x loading "
              "its rows)", flush=True)
        engine.dispose()
        print(json.dumps({"bench": "documents", "notice": notice, "annual_report": report}))
    finally:
        shutil.rmtree(media, ignore_errors=True)
        drop_database(name)


if __name__ == "__main__":
    main()
