"""Findings at the service level: the transitions, who may make them, and when."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from inspection import errors
from inspection.inspections import findings, queries, services
from inspection.models import Finding
from tests import factories

STARTED = datetime(2026, 5, 5, 8, 30, tzinfo=timezone(timedelta(hours=7)))
COMPLIANT = {"A1": "yes", "A2": "yes", "C1": 5, "C2": 5, "C5": "2026-01-15"}


@pytest.fixture
def team(session):
    return factories.joint_team()


@pytest.fixture
def supervisor(session):
    return factories.UserFactory(role="supervisor")


def inspected(session, team, supervisor, *, approve=True, site=None):
    """A submitted (and by default approved) inspection with one finding, on A1."""
    inspector, police = team
    site = site or factories.SiteFactory()
    checklist = factories.inspection_checklist()
    inspection, _ = services.create_inspection(
        session, inspector, inspection_id=uuid.uuid4(), site_id=site.id,
        checklist_id=checklist.id, started_at=STARTED, team=[inspector.id, police.id])
    for code, value in {**COMPLIANT, "A1": "no"}.items():
        services.put_answer(session, inspector, inspection_id=inspection.id, item_code=code,
                            value=value, answered_at=datetime.now(UTC), create_only=True)
    services.submit(session, inspector, inspection_id=inspection.id, if_match=1)
    if approve:
        services.review(session, supervisor, inspection_id=inspection.id, decision="approve",
                        comment=None, if_match=2)
    return session.scalar(select(Finding).where(Finding.inspection_id == inspection.id))


def move(session, actor, finding, status, **kw):
    kw.setdefault("if_match", finding.version)
    return findings.transition(session, actor, finding_id=finding.id, status=status, **kw)


def reread(session, finding):
    session.expire_all()
    return session.get(Finding, finding.id)


def test_a_finding_goes_from_open_to_verified_through_its_allowed_transitions(
        session, team, supervisor):
    inspector, police = team
    finding = inspected(session, team, supervisor)
    move(session, supervisor, finding, "confirmed", comment="Xác nhận vi phạm",
         due_on=date(2026, 6, 30))
    move(session, inspector, finding, "remediated", comment="Đã thay dấu ngày")
    move(session, police, finding, "verified")
    row = reread(session, finding)
    assert (row.status, row.version, row.due_on) == ("verified", 4, date(2026, 6, 30))
    assert row.status_comment is None


def test_a_supervisor_dismisses_an_open_finding_with_a_reason(session, team, supervisor):
    finding = inspected(session, team, supervisor)
    with pytest.raises(errors.ValidationFailed):
        move(session, supervisor, finding, "dismissed")
    move(session, supervisor, finding, "dismissed", comment="Đo sai, đã đối chiếu lại")
    row = reread(session, finding)
    assert (row.status, row.status_comment) == ("dismissed", "Đo sai, đã đối chiếu lại")


def test_any_other_transition_is_an_invalid_state_naming_the_allowed_ones(
        session, team, supervisor):
    finding = inspected(session, team, supervisor)
    with pytest.raises(errors.InvalidState) as caught:
        move(session, supervisor, finding, "verified")
    assert caught.value.extra["allowed"] == ["confirmed", "dismissed"]
    move(session, supervisor, finding, "dismissed", comment="Không phải vi phạm")
    with pytest.raises(errors.InvalidState) as caught:
        move(session, supervisor, reread(session, finding), "confirmed")
    assert caught.value.extra["allowed"] == []
    assert reread(session, finding).status == "dismissed"


def test_only_a_supervisor_confirms_and_a_post_clerk_of_the_site_may_remediate(
        session, team, supervisor):
    inspector, _ = team
    finding = inspected(session, team, supervisor)
    with pytest.raises(errors.Forbidden):
        move(session, inspector, finding, "confirmed")
    move(session, supervisor, finding, "confirmed")
    clerk = factories.UserFactory(role="post", agency="post",
                                  organization="Bưu điện thành phố Cần Thơ")
    move(session, clerk, reread(session, finding), "remediated", comment="Đã khắc phục")
    with pytest.raises(errors.Forbidden):
        move(session, clerk, reread(session, finding), "verified")
    assert reread(session, finding).status == "remediated"


def test_a_post_clerk_of_another_organisation_does_not_see_the_finding(
        session, team, supervisor):
    finding = inspected(session, team, supervisor)
    stranger = factories.UserFactory(role="post", agency="post", organization="Viettel Post")
    assert findings.find_finding(session, stranger, finding.id) is None
    with pytest.raises(errors.NotFound):
        move(session, stranger, finding, "remediated")
    with pytest.raises(errors.NotFound):
        findings.get_finding(session, factories.UserFactory(province_code="31"), finding.id)


def test_before_approval_a_supervisor_may_confirm_but_nobody_may_remediate(
        session, team, supervisor):
    inspector, _ = team
    finding = inspected(session, team, supervisor, approve=False)
    move(session, supervisor, finding, "confirmed")
    with pytest.raises(errors.InvalidState):
        move(session, inspector, reread(session, finding), "remediated")
    assert reread(session, finding).status == "confirmed"


def test_a_transition_needs_the_current_version(session, team, supervisor):
    finding = inspected(session, team, supervisor)
    with pytest.raises(errors.PreconditionRequired):
        move(session, supervisor, finding, "confirmed", if_match=None)
    with pytest.raises(errors.VersionMismatch):
        move(session, supervisor, finding, "confirmed", if_match=finding.version + 1)
    assert reread(session, finding).status == "open"


def test_finding_listings_filter_and_scope_by_province_and_organisation(
        session, team, supervisor):
    mine = inspected(session, team, supervisor)
    other_site = factories.SiteFactory(organization="Bưu điện tỉnh khác")
    theirs = inspected(session, team, supervisor, site=other_site)
    clerk = factories.UserFactory(role="post", agency="post",
                                  organization="Bưu điện thành phố Cần Thơ")

    def ids(actor, **filters):
        return {f.id for f in session.scalars(queries.list_findings(actor, **filters))}

    assert ids(supervisor) == {mine.id, theirs.id}
    assert ids(clerk) == set()  # open: not the post office's business until confirmed
    assert ids(factories.UserFactory(province_code="31", role="supervisor")) == set()
    assert ids(supervisor, site_id=other_site.id) == {theirs.id}
    assert ids(supervisor, severity="high", status="open") == {mine.id, theirs.id}
    assert ids(supervisor, severity="critical") == set()
    assert ids(supervisor, inspection_id=mine.inspection_id) == {mine.id}
    assert ids(supervisor, started_from=STARTED.replace(day=6)) == set()
    move(session, supervisor, mine, "confirmed")
    move(session, supervisor, theirs, "confirmed")
    assert ids(clerk) == {mine.id}
