"""The post office's annual KT1 report in the domain: writing, sending, the Sở's review, who is
late on which day, the reminders from 1 December, and the figures the Sở's report states,
each checked against what the test computes by hand from the world it builds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from inspection import errors, provision
from inspection.models import Job, ProvisionReminder, ProvisionReport, User
from inspection.provision import deadline as provision_deadline
from tests import factories
from tests.factories import CAN_THO_POST, PROVISION_CONTENT

DEC = {day: date(2026, 12, day) for day in range(1, 32)}
NOV_30 = date(2026, 11, 30)
VIETTEL = "Tổng công ty Bưu chính Viettel - Chi nhánh Cần Thơ"


def post_user(organization: str = CAN_THO_POST, province_code: str = "92") -> User:
    return factories.UserFactory(role="post", agency="post", organization=organization,
                                 province_code=province_code)


def at(day: date, hour: int = 9) -> datetime:
    """`hour` o'clock in Vietnam on `day`, as UTC."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC) - timedelta(hours=7)


@pytest.fixture
def clerk(session: Session) -> User:
    factories.SiteFactory(organization=CAN_THO_POST)
    return post_user()


def written(session: Session, clerk: User, **content) -> ProvisionReport:  # type: ignore[no-untyped-def]
    report, created = provision.create_draft(session, clerk, year=2026, on=NOV_30)
    assert created
    return provision.edit(session, clerk, report.id, if_match=report.version,
                          changes=content or PROVISION_CONTENT)


# --- Writing and sending -----------------------------------------------------------------------

def test_a_draft_is_created_once_per_organisation_and_year(session, clerk):
    first, created = provision.create_draft(session, clerk, year=2026, on=NOV_30)
    assert created and (first.status, first.organization, first.province_code, first.version) == (
        "draft", CAN_THO_POST, "92", 1)
    colleague = post_user()
    again, created_again = provision.create_draft(session, colleague, year=2026, on=NOV_30)
    assert again is first and not created_again
    assert session.scalar(select(func.count()).select_from(ProvisionReport)) == 1
    with pytest.raises(errors.ValidationFailed):
        provision.create_draft(session, clerk, year=2027, on=NOV_30)
    with pytest.raises(errors.RuleViolation):
        provision.create_draft(session, post_user("Bưu điện không có điểm KT1"), year=2026,
                               on=NOV_30)
    with pytest.raises(errors.Forbidden):
        provision.create_draft(session, factories.UserFactory(role="supervisor"), year=2026,
                               on=NOV_30)


def test_editing_merges_compliance_replaces_incidents_and_checks_the_figures(session, clerk):
    report = written(session, clerk, total_volume=100, compliance={"service": "Đạt"})
    report = provision.edit(session, clerk, report.id, if_match=report.version, changes={
        "compliance": {"quality": "Đạt", "service": None}, "incidents": []})
    assert (report.compliance, report.incidents, report.version) == ({"quality": "Đạt"}, [], 3)
    for bad, key in (({"local_volume": 101}, "local_volume"),
                     ({"staff_involved": -1}, "staff_involved"),
                     ({"revenue_vnd": True}, "revenue_vnd"),
                     ({"compliance": {"weather": "Nắng"}}, "compliance.weather"),
                     ({"incidents": [{"occurred_on": "2026-02-30", "description": "x",
                                      "handling": "y"}]}, "incidents.0.occurred_on"),
                     ({"incidents": [{"occurred_on": "2026-02-03", "description": " "}]},
                      "incidents.0.description"),
                     ({"volume": 3}, "volume")):
        with pytest.raises(errors.ValidationFailed) as refused:
            provision.edit(session, clerk, report.id, if_match=report.version, changes=bad)
        assert refused.value.errors is not None and key in refused.value.errors, bad
    with pytest.raises(errors.PreconditionRequired):
        provision.edit(session, clerk, report.id, if_match=None, changes={"total_volume": 1})
    with pytest.raises(errors.VersionMismatch):
        provision.edit(session, clerk, report.id, if_match=2, changes={"total_volume": 1})


def test_sending_lists_every_missing_field_then_sends_and_creates_the_job(session, clerk):
    report, _ = provision.create_draft(session, clerk, year=2026, on=NOV_30)
    report = provision.edit(session, clerk, report.id, if_match=1, changes={
        "total_volume": 10, "compliance": {"security": "Đạt", "archiving": "  "}})
    with pytest.raises(errors.ValidationFailed) as refused:
        provision.submit(session, clerk, report.id, if_match=report.version)
    assert refused.value.errors is not None
    assert sorted(refused.value.errors) == sorted([
        "local_volume", "staff_involved", "revenue_vnd", "compliance.service",
        "compliance.quality", "compliance.connection", "compliance.archiving", "incidents",
        "difficulties", "proposals"])
    assert all(m[0].startswith("Chưa") for m in refused.value.errors.values())
    report = provision.edit(session, clerk, report.id, if_match=report.version,
                            changes={**PROVISION_CONTENT, "incidents": []})
    sent, job = provision.submit(session, clerk, report.id, if_match=report.version,
                                 now=at(DEC[9], hour=23))
    assert (sent.status, sent.first_submitted_on, sent.submitted_by, sent.job_id) == (
        "submitted", DEC[9], clerk.id, job.id)
    assert (job.kind, job.args, job.province_code) == (
        "provision_report", {"report_id": str(report.id)}, "92")
    with pytest.raises(errors.InvalidState):
        provision.edit(session, clerk, report.id, if_match=sent.version,
                       changes={"total_volume": 1})


def test_the_sos_review_accepts_or_returns_and_received_on_is_the_accepted_sending(
        session, clerk):
    supervisor = factories.UserFactory(role="supervisor")
    report = written(session, clerk)
    report, _ = provision.submit(session, clerk, report.id, if_match=report.version,
                                 now=at(DEC[8]))
    with pytest.raises(errors.Forbidden):
        provision.review(session, clerk, report.id, decision="accept", if_match=report.version)
    with pytest.raises(errors.ValidationFailed):
        provision.review(session, supervisor, report.id, decision="return", comment=" ",
                         if_match=report.version)
    report = provision.review(session, supervisor, report.id, decision="return",
                              comment="Bổ sung số liệu doanh thu", if_match=report.version)
    assert (report.status, report.received_on, report.first_submitted_on) == (
        "returned", None, DEC[8])
    report = provision.edit(session, clerk, report.id, if_match=report.version,
                            changes={"revenue_vnd": 13_000_000_000})
    # sent again at 00:30 on 15 December in Vietnam (still the 14th in UTC)
    report, _ = provision.submit(session, clerk, report.id, if_match=report.version,
                                 now=at(DEC[15], hour=0) + timedelta(minutes=30))
    assert report.first_submitted_on == DEC[8]
    with pytest.raises(errors.InvalidState):
        provision.submit(session, clerk, report.id, if_match=report.version)
    report = provision.review(session, supervisor, report.id, decision="accept",
                              if_match=report.version)
    assert (report.status, report.received_on, report.reviewed_by) == (
        "accepted", DEC[15], supervisor.id)
    with pytest.raises(errors.InvalidState):
        provision.review(session, supervisor, report.id, decision="return", comment="x",
                         if_match=report.version)
    assert session.scalar(select(func.count()).select_from(Job)) == 2


def test_reading_is_the_organisations_and_the_provinces_supervisors_only(session, clerk):
    report = written(session, clerk)
    assert provision.get_report(session, factories.UserFactory(role="supervisor"),
                                report.id) is report
    national = factories.UserFactory(role="admin", province_code=None)
    assert provision.get_report(session, national, report.id) is report
    for outsider in (post_user(VIETTEL), factories.UserFactory(role="supervisor",
                                                               province_code="31"),
                     post_user(province_code="31")):
        with pytest.raises(errors.NotFound):
            provision.get_report(session, outsider, report.id)
    for role in ("inspector", "police"):
        with pytest.raises(errors.Forbidden):
            provision.get_report(session, factories.UserFactory(role=role), report.id)


# --- Who is late, by hand ----------------------------------------------------------------------

@dataclass(frozen=True)
class Provider:
    """An organisation of the world: its report's status and the days it was first sent and
    (when accepted) received; None for no report."""

    name: str
    status: str | None
    first_sent: date | None = None
    received: date | None = None


PROVIDERS = (
    Provider("Bưu điện A (chưa lập)", None),
    Provider("Bưu điện B (đang soạn)", "draft"),
    Provider("Bưu điện C (gửi ngày 5)", "submitted", DEC[5]),
    Provider("Bưu điện D (tiếp nhận, gửi ngày 10)", "accepted", DEC[10], DEC[10]),
    Provider("Bưu điện E (trả lại, gửi đầu ngày 9)", "returned", DEC[9]),
    Provider("Bưu điện F (trả lại, gửi đầu ngày 12)", "returned", DEC[12]),
    Provider("Bưu điện G (gửi trễ ngày 12)", "submitted", DEC[12]),
    Provider("Bưu điện H (tiếp nhận, gửi lại ngày 15)", "accepted", DEC[3], DEC[15]),
)


def expected_lateness(p: Provider, on: date) -> tuple[bool, int]:
    """Overdue after 10 December unless sent or accepted, or first sent by the 10th."""
    due = DEC[10]
    if on <= due or p.status in ("submitted", "accepted"):
        return False, 0
    if p.first_sent is not None and p.first_sent <= due:
        return False, 0
    return True, (on - due).days


def build_providers(session: Session) -> None:
    for p in PROVIDERS:
        factories.SiteFactory(organization=p.name)
        if p.status is not None:
            factories.ProvisionReportFactory(
                organization=p.name, status=p.status, complete=True,
                first_submitted_on=p.first_sent, received_on=p.received,
                submitted_at=at(p.first_sent) if p.first_sent else None)
    factories.SiteFactory(organization="Bưu điện X", province_code="31")
    factories.SiteFactory(organization="Trường học (không cung cấp)", kind="kt1_user")
    factories.SiteFactory(organization="")


@pytest.mark.parametrize("on", [DEC[1], DEC[10], DEC[11], DEC[31], date(2027, 2, 1)])
def test_the_standing_of_every_provider_on_a_day_is_the_one_computed_by_hand(session, on):
    build_providers(session)
    shown = provision_deadline.standings(
        session, session.execute(provision_deadline.organizations(province_code="92",
                                                                  year=2026)).all(),
        year=2026, on=on)
    assert [s.organization for s in shown] == sorted(p.name for p in PROVIDERS)
    want = {p.name: (p.status, *expected_lateness(p, on)) for p in PROVIDERS}
    assert {s.organization: (s.status, s.overdue, s.days_overdue) for s in shown} == want
    on_time = {s.organization: s.on_time for s in shown}
    assert on_time[PROVIDERS[2].name] is True and on_time[PROVIDERS[6].name] is False
    assert on_time[PROVIDERS[0].name] is (None if on <= DEC[10] else False)


# --- Reminders ---------------------------------------------------------------------------------

def reminders(session: Session) -> list[tuple[str, date]]:
    return sorted((o, d) for o, d in session.execute(
        select(ProvisionReminder.organization, ProvisionReminder.reminded_on)))


def test_reminders_start_on_1_december_once_a_day_for_each_report_not_sent(session):
    build_providers(session)
    run = provision_deadline.remind_outstanding(session, on=NOV_30)
    assert (run.year, run.outstanding, run.recorded) == (None, [], [])
    assert "chưa đến kỳ nhắc" in run.summary() and reminders(session) == []
    unsent = sorted([p.name for p in PROVIDERS if p.status not in ("submitted", "accepted")]
                    + ["Bưu điện X"])  # Hải Phòng's provider has no report either
    for day in (DEC[1], DEC[11]):
        run = provision_deadline.remind_outstanding(session, on=day)
        assert sorted(o for _, o in run.recorded) == unsent
        assert {p for p, o in run.recorded if o != "Bưu điện X"} == {"92"}
        again = provision_deadline.remind_outstanding(session, on=day)
        assert again.recorded == [] and len(again.outstanding) == len(unsent)
        assert "nhắc mới 0" in again.summary() and "[đã nhắc]" in again.summary()
    assert reminders(session) == sorted((name, d) for name in unsent for d in (DEC[1], DEC[11]))
    late = provision_deadline.remind_outstanding(session, on=DEC[12]).summary()
    assert f"{len(unsent)} đơn vị chưa gửi" in late
    assert "- Bưu điện A (chưa lập) (92): chưa lập, quá hạn 2 ngày [nhắc mới]" in late
    assert "- Bưu điện E (trả lại, gửi đầu ngày 9) (92): bị trả lại [nhắc mới]" in late


def test_reminders_cover_other_provinces_and_stop_once_the_report_is_sent(session, clerk):
    factories.SiteFactory(organization="Bưu điện thành phố Hải Phòng", province_code="31")
    run = provision_deadline.remind_outstanding(session, on=DEC[2])
    assert sorted(run.recorded) == [("31", "Bưu điện thành phố Hải Phòng"),
                                    ("92", CAN_THO_POST)]
    report = written(session, clerk)
    provision.submit(session, clerk, report.id, if_match=report.version, now=at(DEC[3]))
    run = provision_deadline.remind_outstanding(session, on=DEC[3])
    assert run.recorded == [("31", "Bưu điện thành phố Hải Phòng")]
    [shown] = provision_deadline.standings(session, [("92", CAN_THO_POST)], year=2026,
                                           on=DEC[20])
    assert (shown.last_reminded_on, shown.overdue) == (DEC[2], False)


# --- The Sở's report ---------------------------------------------------------------------------

def test_the_summary_shows_figures_of_reports_in_the_sos_hands_only(session):
    build_providers(session)
    summary = provision_deadline.summary(session, "92", 2026, as_of=DEC[20])
    in_hand = [p for p in PROVIDERS if p.status in ("submitted", "accepted")]
    assert len(summary.rows) == len(PROVIDERS) and summary.due_on == DEC[10]
    assert summary.total("total_volume") == len(in_hand) * PROVISION_CONTENT["total_volume"]
    assert summary.total("revenue_vnd") == len(in_hand) * PROVISION_CONTENT["revenue_vnd"]
    assert summary.total("incidents") == len(in_hand)
    assert summary.sent == sum(p.first_sent is not None for p in PROVIDERS)
    assert summary.on_time == sum(p.first_sent is not None and p.first_sent <= DEC[10]
                                  for p in PROVIDERS)
    assert summary.with_status("accepted") == 2 and summary.with_status("returned") == 2
    rows = {r.organization: r for r in summary.rows}
    draft = rows["Bưu điện B (đang soạn)"]
    assert (draft.status, draft.total_volume, draft.incidents, draft.on_time) == (
        "draft", None, None, False)
    resent = rows["Bưu điện H (tiếp nhận, gửi lại ngày 15)"]
    assert (resent.first_submitted_on, resent.received_on, resent.on_time,
            resent.staff_involved) == (DEC[3], DEC[15], True, 45)
