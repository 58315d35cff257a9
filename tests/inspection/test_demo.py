"""The demo world: seeded once, every role, ~40 sites in Cần Thơ's communes, every state."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from inspection import demo
from inspection.models import (
    Answer,
    Assignment,
    Campaign,
    Checklist,
    Commune,
    Finding,
    Inspection,
    ProvisionReport,
    Site,
    StaffMember,
    User,
)
from inspection.notices import today_in_vietnam


def test_the_demo_world_is_seeded_once_with_every_role_and_state(session):
    report = demo.seed_demo(session)
    assert report.created
    roles = set(session.scalars(select(User.role).where(
        User.username.in_([a[0] for a in report.accounts]))))
    assert roles == {"admin", "supervisor", "inspector", "police", "post"}
    sites = session.scalars(select(Site).where(Site.province_code == "92")).all()
    assert len(sites) == demo.SITE_COUNT
    assert all(s.commune_code is not None for s in sites)
    assert len({s.commune_code for s in sites}) == demo.SITE_COUNT
    synthetic = session.scalar(select(func.count()).select_from(Commune).where(
        Commune.province_code == "92", Commune.boundary_source == "synthetic"))
    assert synthetic == 103
    assert session.scalar(select(func.count()).select_from(Assignment)) == 12
    states = set(session.scalars(select(Inspection.status)))
    assert states == {"draft", "submitted", "returned", "approved"}
    confirmed = session.scalars(select(Finding.status).join(Inspection).where(
        Inspection.status == "approved")).all()
    assert confirmed and set(confirmed) == {"confirmed"}
    vetting = Counter(session.scalars(select(StaffMember.vetting_status)))
    assert vetting == {"vetted": 3, "requested": 1, "not_requested": 1, "not_vetted": 1}
    assert sorted(session.scalars(select(ProvisionReport.status))) == ["accepted", "draft"]

    again = demo.seed_demo(session)
    assert not again.created
    assert session.scalar(select(func.count()).select_from(Site).where(
        Site.province_code == "92")) == demo.SITE_COUNT


def test_the_cli_creates_users_with_the_documented_flags(app, session):
    runner = CliRunner()
    from api.cli import users

    with app.app_context():
        result = runner.invoke(users, [
            "create", "--username", "thanh.tra", "--password", "mat-khau-dai-du",
            "--role", "inspector", "--agency", "skhcn", "--province", "92"])
        assert result.exit_code == 0, result.output
        duplicate = runner.invoke(users, [
            "create", "--username", "thanh.tra", "--password", "mat-khau-dai-du",
            "--role", "inspector", "--agency", "skhcn", "--province", "92"])
    assert duplicate.exit_code != 0
    user = session.scalar(select(User).where(User.username == "thanh.tra"))
    assert (user.role, user.agency, user.province_code) == ("inspector", "skhcn", "92")


@pytest.mark.parametrize("today", [date(2026, 3, 2), date(2025, 12, 20)])
def test_the_demo_is_dated_from_the_day_it_is_seeded(session, today):  # type: ignore[no-untyped-def]
    demo.seed_demo(session, today=today)
    campaign = session.scalars(select(Campaign)).one()
    assert campaign.starts_on < today < campaign.ends_on
    assert campaign.name.endswith(f"năm {today.year}")
    assert session.get_one(Checklist, campaign.checklist_id).version == 2  # the current one
    dues = session.scalars(select(Assignment.due_on)).all()
    assert all(today + timedelta(weeks=2) <= d <= today + timedelta(weeks=5) for d in dues)
    started = [today_in_vietnam(s) for s in session.scalars(select(Inspection.started_at))]
    assert all(today - timedelta(weeks=3) <= d < today for d in started)
    dues = session.scalars(select(Finding.due_on).where(Finding.due_on.is_not(None))).all()
    assert dues and all(d > today for d in dues)
    reports = dict(session.execute(select(ProvisionReport.year, ProvisionReport.status)).all())
    # until 10 December last year's report is the accepted one; after it, this year's
    accepted = today.year - 1 if today <= date(today.year, 12, 10) else today.year
    assert reports == {accepted: "accepted", accepted + 1: "draft"}
    joined = session.scalars(select(StaffMember.joined_on)).all()
    assert all(d < today for d in joined)
    closing = dict(session.execute(select(Answer.item_code, Answer.value).join(Inspection).where(
        Inspection.status == "approved", Answer.item_code.in_(["L1", "L2"]))).all())
    assert set(closing) == {"L1", "L2"} and all(closing.values())
    returned = session.scalars(select(Inspection).where(Inspection.status == "returned")).one()
    assert returned.review_items == ["C2"]  # the item its comment names, marked


def test_the_demo_issues_its_notices_under_the_register_the_domain_material_gives(session):
    from inspection import notices
    from inspection.models import Signer
    from tests.legal_world import real_register

    real_register(session)
    demo.seed_demo(session)
    supervisor = session.scalar(select(User).where(User.username == "giamsat.ct"))
    signer = session.scalars(select(Signer).where(Signer.province_code == "92")).first()
    assert signer is not None
    approved = session.scalars(select(Inspection).where(Inspection.status == "approved")).all()
    assert approved
    for inspection in approved:
        notice, _, queued = notices.request_notice(session, supervisor, inspection.id,
                                                   signer_id=signer.id)
        facts = notices.facts(session, notice)
        assert queued and facts.findings
        for finding in facts.findings:
            assert finding.basis and "chưa xác minh" not in finding.basis
