"""The audit chain: every write leaves an entry; editing or deleting one is detected."""

from __future__ import annotations

from sqlalchemy import delete, func, select, text, update

from inspection import audit
from inspection.models import AuditEntry
from tests import factories


def _entries(session, entity, entity_id):
    audit.chain_pending(session)  # this transaction's entries, chained before its commit
    return session.scalars(select(AuditEntry).where(
        AuditEntry.entity == entity, AuditEntry.entity_id == str(entity_id))
        .order_by(AuditEntry.id)).all()


def test_every_write_appends_an_entry_with_who_what_before_and_after(session):
    actor = factories.UserFactory()
    audit.set_actor(session, actor.id, "tablet-7")
    site = factories.SiteFactory(name="Bưu cục Ninh Kiều")
    site.name = "Bưu cục Ninh Kiều 2"
    site.version = 2
    session.flush()
    session.delete(site)
    session.flush()
    created, updated, deleted = _entries(session, "sites", site.id)
    assert created.action == "create" and created.before is None
    assert created.after["name"] == "Bưu cục Ninh Kiều"
    assert created.after["location"].startswith("POINT")
    assert updated.before == {"name": "Bưu cục Ninh Kiều", "version": 1}
    assert updated.after == {"name": "Bưu cục Ninh Kiều 2", "version": 2}
    assert deleted.action == "delete" and deleted.after is None
    assert {e.actor_id for e in (created, updated, deleted)} == {actor.id}
    assert {e.device_id for e in (created, updated, deleted)} == {"tablet-7"}
    assert created.province_code == "92"
    assert updated.prev_hash == created.hash and deleted.prev_hash == updated.hash


def test_a_rolled_back_write_leaves_no_entry(session):
    before = session.scalar(select(func.count()).select_from(AuditEntry))
    nested = session.begin_nested()
    factories.SiteFactory()
    nested.rollback()
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == before
    assert audit.verify(session).ok


def test_verify_accepts_an_untouched_chain(session):
    factories.SiteFactory()
    factories.SiteFactory()
    report = audit.verify(session)
    assert report.ok and report.entries >= 2 and report.problems == []


def test_verify_detects_an_edited_entry(session):
    site = factories.SiteFactory(name="Bưu cục A")
    factories.SiteFactory()
    entry = _entries(session, "sites", site.id)[0]
    session.execute(update(AuditEntry).where(AuditEntry.id == entry.id)
                    .values(after={"name": "Bưu cục B"}))
    session.expire_all()
    report = audit.verify(session)
    assert not report.ok
    assert {"chain": "92", "id": entry.id, "problem": "hash-mismatch"} in report.problems
    assert not report.chains["92"].ok


def test_verify_detects_a_deleted_entry_in_the_middle(session):
    first = factories.SiteFactory()
    factories.SiteFactory()
    entry = _entries(session, "sites", first.id)[0]
    session.execute(delete(AuditEntry).where(AuditEntry.id == entry.id))
    session.expire_all()
    report = audit.verify(session)
    assert not report.ok
    assert any(p["problem"] == "broken-link" for p in report.problems)


def test_verify_detects_the_newest_entry_deleted(session):
    factories.SiteFactory()
    newest = session.scalar(select(func.max(AuditEntry.id)))
    session.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": newest})
    session.expire_all()
    report = audit.verify(session)
    assert not report.ok
    assert {"chain": "92", "id": None, "problem": "head-mismatch"} in report.problems


def test_audit_api_lists_history_of_the_callers_province_only(api, client, session):
    supervisor = factories.UserFactory(role="supervisor")
    ours = factories.SiteFactory()
    theirs = factories.SiteFactory(province_code="31")
    session.flush()
    headers = api.login(supervisor)
    resp = client.get(f"/api/v1/audit?entity=sites&id={ours.id}", headers=headers)
    assert resp.status_code == 200
    assert [e["action"] for e in resp.get_json()] == ["create"]
    assert "X-Pagination" in resp.headers
    resp = client.get(f"/api/v1/audit?entity=sites&id={theirs.id}", headers=headers)
    assert resp.get_json() == []


def test_audit_verify_endpoint_reports_the_chain(api, client, session):
    factories.SiteFactory()
    headers = api.login(factories.UserFactory(role="admin", province_code=None))
    body = client.get("/api/v1/audit/verify", headers=headers).get_json()
    assert body["ok"] is True and body["entries"] >= 1 and len(body["head"]) == 64
    inspector = api.login(factories.UserFactory())
    assert client.get("/api/v1/audit/verify", headers=inspector).status_code == 403


def test_a_session_that_outlives_another_writer_chains_onto_the_newest_head(
        session, session_factory):
    from inspection.models import AuditHead

    factories.SiteFactory()
    held = session.get(AuditHead, "92")  # the session keeps its view of the head alive
    with session_factory() as other:
        audit.set_actor(other, None, "other-tablet")
        other.add(factories.SiteFactory.build(name="Bưu cục của phiên khác"))
        other.commit()
    factories.SiteFactory()
    assert held.entries == session.scalar(select(func.count()).select_from(AuditEntry)
                                          .where(AuditEntry.chain == "92"))
    report = audit.verify(session)
    assert report.ok, report.problems


def test_verify_detects_the_head_row_deleted_under_existing_entries(session):
    factories.SiteFactory()
    session.execute(text("DELETE FROM audit_head"))
    session.expire_all()
    report = audit.verify(session)
    assert not report.ok
    assert {"chain": "92", "id": None, "problem": "head-mismatch"} in report.problems


def test_each_write_lands_in_the_chain_of_its_province_whoever_writes_it(session):
    """A national admin's change to a Hải Phòng site is chained in Hải Phòng's chain; an
    assignment (no province of its own) in its site's; a checklist (no province) in `VN`."""
    from inspection import sites

    national = factories.UserFactory(role="admin", province_code=None)
    audit.set_actor(session, national.id, "console")
    far = factories.SiteFactory(province_code="31")
    sites.update_site(session, national, far.id, expected_version=1,
                      changes={"name": "Bưu cục Lê Chân"})
    assignment = factories.AssignmentFactory(site_id=far.id)
    created, updated = _entries(session, "sites", far.id)
    [assigned] = _entries(session, "assignments", assignment.id)
    assert {e.chain for e in (created, updated, assigned)} == {"31"}
    assert assigned.province_code == "31"
    assert (updated.prev_hash, updated.position) == (created.hash, created.position + 1)
    checklist = factories.inspection_checklist()
    [listed] = _entries(session, "checklists", checklist.id)
    assert (listed.chain, listed.province_code) == (audit.NATIONAL, None)
    report = audit.verify(session, chains=["31"])
    assert report.ok and set(report.chains) == {"31"}
