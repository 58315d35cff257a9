"""Follow-up of violation notices in the domain: remediation and its review move the findings
along their transitions, which notices are overdue on a day, and reminders recorded once per
notice and day."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from inspection import errors
from inspection.inspections import findings
from inspection.models import Finding, Notice, NoticeReminder
from inspection.notices import followup as notice_followup
from tests import factories
from tests.inspection.test_notices import approved

DUE = date(2026, 6, 4)


def issued_notice(session, *, statuses=("confirmed", "confirmed"), number=7) -> Notice:  # type: ignore[no-untyped-def]
    inspection = approved(session, statuses=statuses)
    notice = Notice(inspection_id=inspection.id, province_code="92", issuer="SKHCN",
                    symbol="TB-SKHCN", status="issued", year=2026, number=number,
                    issued_on=date(2026, 5, 5), due_on=DUE,
                    created_by=factories.UserFactory(role="supervisor").id, version=2)
    session.add(notice)
    session.flush()
    return notice


def clerk():  # type: ignore[no-untyped-def]
    return factories.UserFactory(role="post", agency="post",
                                 organization="Bưu điện thành phố Cần Thơ")


def statuses(session, notice):  # type: ignore[no-untyped-def]
    session.expire_all()
    return [f.status for f in session.scalars(
        select(Finding).where(Finding.inspection_id == notice.inspection_id)
        .order_by(Finding.item_code))]


def test_remediation_then_verification_moves_every_finding_and_bumps_versions(session):
    notice = issued_notice(session)
    member = next(u for u in notice.inspection.team if u.role == "inspector")
    notice_followup.follow_up(session, clerk(), notice.id, action="report_remediation",
                              report="Đã khắc phục", if_match=2)
    assert statuses(session, notice) == ["remediated", "remediated"]
    notice_followup.follow_up(session, member, notice.id, action="verify", if_match=3)
    assert statuses(session, notice) == ["verified", "verified"]
    row = session.get_one(Notice, notice.id)
    assert (row.version, row.review_decision, row.reviewed_by) == (4, "verified", member.id)
    assert {f.version for f in session.scalars(select(Finding))} == {3}


def test_a_rejected_remediation_is_confirmed_again_and_needs_a_reason(session):
    notice = issued_notice(session)
    supervisor = factories.UserFactory(role="supervisor")
    notice_followup.follow_up(session, clerk(), notice.id, action="report_remediation",
                              report="Đã khắc phục", if_match=2)
    with pytest.raises(errors.ValidationFailed):
        notice_followup.follow_up(session, supervisor, notice.id,
                                  action="reject_remediation", if_match=3)
    notice_followup.follow_up(session, supervisor, notice.id, action="reject_remediation",
                              comment="Chưa thay dấu", if_match=3)
    assert statuses(session, notice) == ["confirmed", "confirmed"]


def test_the_finding_table_allows_remediated_back_to_confirmed_with_a_comment(session):
    notice = issued_notice(session, statuses=("remediated",))
    police = next(u for u in notice.inspection.team if u.role == "police")
    finding = session.scalars(select(Finding)).one()
    with pytest.raises(errors.Forbidden):
        findings.transition(session, clerk(), finding_id=finding.id, status="confirmed",
                            comment="Tự huỷ", if_match=1)
    with pytest.raises(errors.ValidationFailed):
        findings.transition(session, police, finding_id=finding.id, status="confirmed",
                            if_match=1)
    findings.transition(session, police, finding_id=finding.id, status="confirmed",
                        comment="Chưa đạt", if_match=1)
    assert (finding.status, finding.version, finding.status_comment) == (
        "confirmed", 2, "Chưa đạt")


def test_roles_versions_and_states_are_checked(session):
    notice = issued_notice(session)
    inspector = next(u for u in notice.inspection.team if u.role == "inspector")
    with pytest.raises(errors.Forbidden):
        notice_followup.follow_up(session, inspector, notice.id,
                                  action="report_remediation", report="x", if_match=2)
    with pytest.raises(errors.PreconditionRequired):
        notice_followup.follow_up(session, clerk(), notice.id,
                                  action="report_remediation", report="x", if_match=None)
    with pytest.raises(errors.VersionMismatch):
        notice_followup.follow_up(session, clerk(), notice.id,
                                  action="report_remediation", report="x", if_match=1)
    with pytest.raises(errors.InvalidState):
        notice_followup.follow_up(session, inspector, notice.id, action="verify", if_match=2)
    stranger = factories.UserFactory(role="inspector")
    notice_followup.follow_up(session, clerk(), notice.id, action="report_remediation",
                              report="x", if_match=2)
    with pytest.raises(errors.Forbidden):
        notice_followup.follow_up(session, stranger, notice.id, action="verify", if_match=3)
    outsider = factories.UserFactory(role="supervisor", province_code="31")
    with pytest.raises(errors.NotFound):
        notice_followup.follow_up(session, outsider, notice.id, action="verify", if_match=3)
    notice.status = "pending"
    with pytest.raises(errors.InvalidState):
        notice_followup.follow_up(session, inspector, notice.id, action="verify", if_match=3)


def test_overdue_means_past_due_with_a_finding_still_confirmed(session):
    notice = issued_notice(session, statuses=("confirmed", "remediated"))
    [on_due] = notice_followup.standings(session, [notice], on=DUE)
    assert (on_due.overdue, on_due.days_overdue) == (False, 0)
    [late] = notice_followup.standings(session, [notice], on=date(2026, 6, 14))
    assert (late.overdue, late.days_overdue) == (True, 10)
    supervisor = factories.UserFactory(role="supervisor")
    listed = session.scalars(notice_followup.list_notices(
        supervisor, on=date(2026, 6, 14), overdue=True)).all()
    assert [n.id for n in listed] == [notice.id]
    for f in session.scalars(select(Finding).where(Finding.status == "confirmed")):
        f.status = "remediated"
    session.flush()
    assert not notice_followup.standing(session, notice, on=date(2026, 6, 14)).overdue
    assert session.scalars(notice_followup.list_notices(
        supervisor, on=date(2026, 6, 14), overdue=True)).all() == []


def test_reminders_are_recorded_once_per_notice_and_day(session):
    late = issued_notice(session)
    issued_notice(session, statuses=("remediated",), number=8)  # nothing left to remediate
    first = notice_followup.remind_overdue(session, on=date(2026, 6, 10))
    assert [s.notice.id for s in first.overdue] == [late.id] and first.recorded == [late.id]
    assert "1 thông báo quá hạn" in first.summary()
    assert "Số 07/TB-SKHCN" in first.summary() and "quá hạn 6 ngày" in first.summary()
    again = notice_followup.remind_overdue(session, on=date(2026, 6, 10))
    assert again.recorded == [] and "ghi nhắc mới 0" in again.summary()
    notice_followup.remind_overdue(session, on=date(2026, 6, 11))
    rows = session.scalars(select(NoticeReminder).order_by(NoticeReminder.reminded_on)).all()
    assert [(r.reminded_on.day, r.days_overdue) for r in rows] == [(10, 6), (11, 7)]
    assert notice_followup.standing(session, late, on=date(2026, 6, 12)).last_reminded_on == (
        date(2026, 6, 11))
    assert notice_followup.remind_overdue(session, on=DUE).overdue == []
