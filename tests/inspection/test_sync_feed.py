"""The change feed: one row per synced record at its latest change, in commit order, with
tombstones; and the one-snapshot rule of its readers on PostgreSQL."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, text

from inspection import audit, sites
from inspection.db import make_session_factory
from inspection.inspections import services
from inspection.models import Answer, Finding, Inspection, Site, SyncFeed
from inspection.sync import feed
from tests import factories

STARTED = datetime(2026, 5, 5, 1, 30, tzinfo=UTC)
VALUES = {"A1": "no", "A2": "yes", "C1": 5, "C2": 5, "C5": "2026-01-15"}


def row(session, entity, ident):  # type: ignore[no-untyped-def]
    audit.chain_pending(session)  # this transaction's feed rows, written before its commit
    return session.get(SyncFeed, (entity, str(ident)), populate_existing=True)


def inspect_site(session, site):  # type: ignore[no-untyped-def]
    """An inspection of `site` with every required answer, submitted: A1 'no' makes a finding."""
    inspector, police = factories.joint_team()
    checklist = factories.inspection_checklist()
    inspection, _ = services.create_inspection(
        session, inspector, inspection_id=uuid.uuid4(), site_id=site.id,
        checklist_id=checklist.id, started_at=STARTED, team=[inspector.id, police.id])
    for code, value in VALUES.items():
        services.put_answer(session, inspector, inspection_id=inspection.id, item_code=code,
                            value=value, answered_at=STARTED, create_only=True)
    services.submit(session, inspector, inspection_id=inspection.id, if_match=1)
    return inspection


def test_sites_assignments_inspections_answers_and_findings_get_rows_at_increasing_positions(
        session):
    site = factories.SiteFactory()
    assignment = factories.AssignmentFactory(site_id=site.id, due_on=date(2026, 4, 15))
    inspection = inspect_site(session, site)
    answer = session.scalar(select(Answer).where(Answer.inspection_id == inspection.id,
                                                 Answer.item_code == "A1"))
    finding = session.scalar(select(Finding).where(Finding.inspection_id == inspection.id))
    rows = [row(session, "site", site.id), row(session, "assignment", assignment.id),
            row(session, "answer", answer.id), row(session, "finding", finding.id),
            row(session, "inspection", inspection.id)]  # submit derives findings, then bumps
    assert all(r is not None and r.op == "upsert" for r in rows)
    assert [r.seq for r in rows] == sorted(r.seq for r in rows)
    assert len({r.seq for r in rows}) == len(rows)
    assert {r.province_code for r in rows} == {"92"} and {r.site_id for r in rows} == {site.id}
    assert (rows[3].version, rows[4].version) == (1, 2)  # submitted: version 2
    assert feed.newest(session, "92") == max(r.seq for r in rows)


def test_a_rolled_back_change_leaves_no_feed_row(session):
    before = feed.newest(session, "92")
    ident = uuid.uuid4()
    with pytest.raises(RuntimeError), session.begin_nested():
        session.add(Site(id=ident, name="Bưu cục tạm", kind="kt1_provider",
                         province_code="92", version=1))
        session.flush()
        assert row(session, "site", ident) is not None
        raise RuntimeError("rolled back")
    assert row(session, "site", ident) is None
    assert feed.newest(session, "92") == before


def test_a_deleted_record_leaves_a_tombstone_at_a_new_position_with_its_last_version(session):
    inspection = inspect_site(session, factories.SiteFactory())
    answer = session.scalar(select(Answer).where(Answer.inspection_id == inspection.id,
                                                 Answer.item_code == "C5"))
    created_at = row(session, "answer", answer.id).seq
    session.delete(answer)
    session.flush()
    tomb = row(session, "answer", answer.id)
    assert (tomb.op, tomb.version, tomb.province_code) == ("delete", 1, "92")
    assert tomb.site_id == inspection.site_id and tomb.seq > created_at
    assert session.get(Answer, answer.id) is None


def test_a_record_changed_twice_appears_once_at_its_latest_position(session):
    supervisor = factories.UserFactory(role="supervisor")
    site = factories.SiteFactory()
    first = row(session, "site", site.id).seq
    sites.update_site(session, supervisor, site.id, expected_version=1,
                      changes={"name": "Bưu cục Ninh Kiều"})
    factories.SiteFactory()  # someone else's change in between
    sites.update_site(session, supervisor, site.id, expected_version=2,
                      changes={"address": "Đường 30 Tháng 4, Ninh Kiều"})
    audit.chain_pending(session)
    rows = session.scalars(select(SyncFeed).where(SyncFeed.entity_id == str(site.id))).all()
    assert len(rows) == 1
    assert rows[0].version == 3 and rows[0].seq > first
    assert rows[0].seq == feed.newest(session, "92")


def test_a_record_flushed_with_its_new_parent_carries_the_parents_site_and_province(session):
    """An answer created in the same flush as its inspection (as a sync push may do) must not
    be left without a province: no one would ever pull it."""
    inspector, police = factories.joint_team()
    site = factories.SiteFactory()
    checklist = factories.inspection_checklist()
    inspection = Inspection(
        id=uuid.uuid4(), site_id=site.id, checklist_id=checklist.id, province_code="92",
        started_at=STARTED, request_hash=hashlib.sha256(b"x").hexdigest(),
        created_by=inspector.id, version=1, team=[inspector, police])
    answer = Answer(id=uuid.uuid4(), inspection_id=inspection.id, item_code="A1", value="yes",
                    answered_at=STARTED, answered_by=inspector.id, version=1)
    session.add_all([inspection, answer])
    session.flush()
    got = row(session, "answer", answer.id)
    assert (got.province_code, got.site_id) == ("92", site.id)


# --- the one-snapshot rule (PostgreSQL) -------------------------------------------------------

def test_a_snapshot_on_postgresql_reads_at_repeatable_read(postgis_engine):
    with make_session_factory(postgis_engine)() as session:
        feed.begin_snapshot(session)
        level = session.scalar(text("SHOW transaction_isolation"))
        feed.begin_snapshot(session)  # again: nothing to do
        assert level == "repeatable read"
        session.rollback()
        assert session.scalar(text("SHOW transaction_isolation")) == "read committed"


def test_a_snapshot_cannot_begin_after_the_transaction_has_read(postgis_engine):
    with make_session_factory(postgis_engine)() as session:
        session.scalar(select(SyncFeed.seq).limit(1))
        with pytest.raises(RuntimeError, match="READ COMMITTED"):
            feed.begin_snapshot(session)


def test_a_session_on_the_callers_own_connection_keeps_the_callers_isolation(session):
    feed.begin_snapshot(session)  # the test harness's connection, already in a transaction
    assert feed.newest(session, "92") == 0
    if session.get_bind().dialect.name == "postgresql":
        assert session.scalar(text("SHOW transaction_isolation")) == "read committed"
