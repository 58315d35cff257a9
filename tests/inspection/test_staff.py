"""The roster's domain rules without HTTP: read entries chain like writes, a vetting moves
only along its workflow, and the figures are those of a day."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from inspection import audit, errors, staff
from inspection.models import AuditEntry, AuditHead
from tests import factories


def test_reads_chain_apart_from_writes_after_a_write_pending_in_the_same_transaction(session):
    member = factories.StaffMemberFactory()
    supervisor = factories.UserFactory(role="supervisor")
    audit.set_actor(session, supervisor.id, "console")

    def page_then_write(stmt):  # type: ignore[no-untyped-def]
        rows = list(session.scalars(stmt))
        session.add(factories.SiteFactory.build(name="Bưu cục chưa ghi"))  # pending, audited
        return rows

    [read] = staff.read_page(session, supervisor, page_then_write)
    assert read is member
    audit.chain_pending(session)
    entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(2)).all()
    assert [(e.action, e.entity) for e in entries] == [("read", "staff_members"),
                                                       ("create", "sites")]
    read_entry, write_entry = entries
    assert (read_entry.chain, write_entry.chain) == ("92:read", "92")
    assert (read_entry.actor_id, read_entry.device_id) == (supervisor.id, "console")
    reads, writes = session.get_one(AuditHead, "92:read"), session.get_one(AuditHead, "92")
    assert (reads.hash, writes.hash) == (read_entry.hash, write_entry.hash)
    report = audit.verify(session)
    assert report.ok
    assert report.chains["92:read"].entries == reads.entries


def test_nothing_read_writes_nothing(session):
    police = factories.UserFactory(role="police", agency="police")
    before = session.scalar(select(func.count()).select_from(AuditEntry))
    assert staff.read_page(session, police, lambda stmt: list(session.scalars(stmt))) == []
    assert audit.record_reads(session, entity="staff_members", records=[]) == 0
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == before


def test_the_vetting_moves_only_along_its_workflow(session):
    clerk = factories.UserFactory(role="post", agency="post",
                                  organization="Bưu điện thành phố Cần Thơ")
    police = factories.UserFactory(role="police", agency="police")
    member = factories.StaffMemberFactory()
    today = staff.today()
    with pytest.raises(errors.InvalidState):
        staff.record_vetting(session, police, member.id, if_match=1, outcome="vetted",
                             reference="1/PA03", decided_on=today)
    staff.request_vetting(session, clerk, member.id, if_match=1)
    with pytest.raises(errors.Forbidden):
        staff.request_vetting(session, police, member.id, if_match=2)
    with pytest.raises(errors.ValidationFailed):
        staff.record_vetting(session, police, member.id, if_match=2, outcome="vetted",
                             reference="1/PA03", decided_on=today - timedelta(days=1))
    staff.record_vetting(session, police, member.id, if_match=2, outcome="vetted",
                         reference="1/PA03", decided_on=today)
    assert (member.vetting_status, member.version) == ("vetted", 3)
    with pytest.raises(errors.InvalidState):
        staff.request_vetting(session, clerk, member.id, if_match=3)


def test_figures_are_those_of_the_day_asked_for(session):
    site = factories.SiteFactory()
    today = staff.today()
    factories.StaffMemberFactory(site=site, joined_on=today - timedelta(days=10),
                                 left_on=today - timedelta(days=3), vetting_status="vetted")
    factories.StaffMemberFactory(site=site, joined_on=today + timedelta(days=5))
    counts = {days: staff.figures_of(session, site, on=today + timedelta(days=days))
              for days in (-20, -5, 0, 5)}
    assert {days: (f.site.involved, f.site.vetted) for days, f in counts.items() if f} == {
        -20: (0, 0), -5: (1, 1), 0: (0, 0), 5: (1, 0)}
    assert staff.figures_of(session, factories.SiteFactory(kind="kt1_user")) is None
