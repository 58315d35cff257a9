"""The demo world: seeded once, every role, ~40 sites in Cần Thơ's communes, every state."""

from __future__ import annotations

from collections import Counter

from click.testing import CliRunner
from sqlalchemy import func, select

from inspection import demo
from inspection.models import (
    Assignment,
    Commune,
    Finding,
    Inspection,
    ProvisionReport,
    Site,
    StaffMember,
    User,
)


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
