"""Campaigns and assignments at the service level: scope, checklist, period and joint-team rules."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import select

from inspection import campaigns, errors
from inspection.models import Assignment, Campaign
from tests import factories


def _supervisor(province: str = "92"):  # type: ignore[no-untyped-def]
    return factories.UserFactory(role="supervisor", province_code=province)


def _joint_team(province: str = "92"):  # type: ignore[no-untyped-def]
    return [factories.UserFactory(agency="skhcn", role="inspector", province_code=province),
            factories.UserFactory(agency="police", role="police", province_code=province)]


def _campaign(session, actor, **overrides):  # type: ignore[no-untyped-def]
    args = {"name": "Kiểm tra KT1 quý II/2026", "starts_on": date(2026, 4, 1),
            "ends_on": date(2026, 6, 30), "checklist_id": factories.ChecklistFactory().id}
    return campaigns.create_campaign(session, actor, **{**args, **overrides})


def test_a_supervisor_opens_a_campaign_of_its_province_at_version_1(session):
    actor = _supervisor()
    campaign = _campaign(session, actor)
    session.expire_all()
    stored = session.get(Campaign, campaign.id)
    assert (stored.province_code, stored.version, stored.created_by) == ("92", 1, actor.id)
    assert stored.name == "Kiểm tra KT1 quý II/2026"


def test_a_draft_checklist_cannot_back_a_campaign(session):
    draft = factories.ChecklistFactory(status="draft", published_at=None)
    with pytest.raises(errors.ValidationFailed) as exc:
        _campaign(session, _supervisor(), checklist_id=draft.id)
    assert exc.value.errors == {"checklist_id": ["not a published checklist"]}
    with pytest.raises(errors.ValidationFailed):
        _campaign(session, _supervisor(), checklist_id=uuid.uuid4())


def test_a_campaign_that_ends_before_it_starts_is_refused(session):
    with pytest.raises(errors.ValidationFailed) as exc:
        _campaign(session, _supervisor(), starts_on=date(2026, 7, 1), ends_on=date(2026, 6, 1))
    assert "ends_on" in exc.value.errors


def test_only_supervisors_and_admins_open_campaigns_and_only_in_their_province(session):
    with pytest.raises(errors.Forbidden):
        _campaign(session, factories.UserFactory(role="inspector"))
    with pytest.raises(errors.Forbidden):
        _campaign(session, _supervisor(), province_code="31")
    national = factories.UserFactory(role="admin", province_code=None)
    assert _campaign(session, national, province_code="31").province_code == "31"


def test_another_provinces_campaign_is_not_found(session):
    campaign = factories.CampaignFactory(province_code="31")
    with pytest.raises(errors.NotFound):
        campaigns.get_campaign(session, _supervisor("92"), campaign.id)
    with pytest.raises(errors.NotFound):
        campaigns.create_assignment(session, _supervisor("92"), campaign.id,
                                    site_id=factories.SiteFactory().id,
                                    team=[u.id for u in _joint_team()], due_on=date(2026, 4, 2))
    assert campaigns.get_campaign(session, _supervisor("31"), campaign.id) == campaign


def test_a_joint_team_of_skhcn_and_police_is_assigned_to_a_provider(session):
    campaign = factories.CampaignFactory()
    site = factories.SiteFactory(kind="kt1_provider")
    team = _joint_team()
    assignment = campaigns.create_assignment(session, _supervisor(), campaign.id,
                                             site_id=site.id, team=[u.id for u in team],
                                             due_on=date(2026, 4, 15))
    session.expire_all()
    stored = session.get(Assignment, assignment.id)
    assert {u.id for u in stored.team} == {u.id for u in team}
    assert (stored.site_id, stored.status, stored.version) == (site.id, "open", 1)


def test_a_provider_team_without_police_is_refused_naming_the_missing_agency(session):
    campaign = factories.CampaignFactory()
    inspector = factories.UserFactory(agency="skhcn")
    with pytest.raises(errors.RuleViolation) as exc:
        campaigns.create_assignment(session, _supervisor(), campaign.id,
                                    site_id=factories.SiteFactory().id, team=[inspector.id],
                                    due_on=date(2026, 4, 15))
    assert exc.value.errors == {"team": ["missing agency: police"]}
    assert "Công an" in exc.value.detail
    assert session.scalars(select(Assignment)).all() == []


def test_a_user_agency_site_needs_no_police_member(session):
    campaign = factories.CampaignFactory(
        checklist_id=factories.ChecklistFactory(target_kind="kt1_user").id)
    site = factories.SiteFactory(kind="kt1_user", name="Văn phòng UBND phường Ninh Kiều")
    inspector = factories.UserFactory(agency="skhcn")
    assignment = campaigns.create_assignment(session, _supervisor(), campaign.id,
                                             site_id=site.id, team=[inspector.id],
                                             due_on=date(2026, 5, 1))
    assert [u.id for u in assignment.team] == [inspector.id]


@pytest.mark.parametrize("who", ["other_province", "post_user", "unknown"])
def test_a_member_of_another_province_or_a_post_user_is_refused(session, who):
    campaign = factories.CampaignFactory()
    intruder = {
        "other_province": lambda: factories.UserFactory(agency="police", role="police",
                                                        province_code="31").id,
        "post_user": lambda: factories.UserFactory(agency="post", role="post").id,
        "unknown": uuid.uuid4,
    }[who]()
    with pytest.raises(errors.ValidationFailed) as exc:
        campaigns.create_assignment(session, _supervisor(), campaign.id,
                                    site_id=factories.SiteFactory().id,
                                    team=[*(u.id for u in _joint_team()), intruder],
                                    due_on=date(2026, 4, 15))
    assert exc.value.errors == {"team": [str(intruder)]}


def test_a_site_whose_kind_differs_from_the_checklist_target_is_refused(session):
    campaign = factories.CampaignFactory()  # checklist for kt1_provider
    with pytest.raises(errors.RuleViolation) as exc:
        campaigns.create_assignment(session, _supervisor(), campaign.id,
                                    site_id=factories.SiteFactory(kind="kt1_user").id,
                                    team=[u.id for u in _joint_team()], due_on=date(2026, 4, 15))
    assert "site_id" in exc.value.errors


def test_a_site_of_another_province_is_refused(session):
    campaign = factories.CampaignFactory()
    site = factories.SiteFactory(province_code="31", organization="Bưu điện TP Hải Phòng")
    with pytest.raises(errors.ValidationFailed) as exc:
        campaigns.create_assignment(session, _supervisor(), campaign.id, site_id=site.id,
                                    team=[u.id for u in _joint_team()], due_on=date(2026, 4, 15))
    assert exc.value.errors == {"site_id": ["unknown site"]}


@pytest.mark.parametrize("due_on", [date(2026, 2, 28), date(2026, 7, 1)])
def test_a_due_date_outside_the_campaign_period_is_refused(session, due_on):
    campaign = factories.CampaignFactory()  # 2026-03-01 .. 2026-06-30
    with pytest.raises(errors.ValidationFailed) as exc:
        campaigns.create_assignment(session, _supervisor(), campaign.id,
                                    site_id=factories.SiteFactory().id,
                                    team=[u.id for u in _joint_team()], due_on=due_on)
    assert "due_on" in exc.value.errors


def test_assigning_the_same_site_twice_in_a_campaign_is_a_conflict(session):
    campaign = factories.CampaignFactory()
    site, team = factories.SiteFactory(), [u.id for u in _joint_team()]
    campaigns.create_assignment(session, _supervisor(), campaign.id, site_id=site.id,
                                team=team, due_on=date(2026, 4, 15))
    with pytest.raises(errors.Conflict):
        campaigns.create_assignment(session, _supervisor(), campaign.id, site_id=site.id,
                                    team=team, due_on=date(2026, 4, 20))


def test_field_staff_see_only_their_assignments_and_supervisors_all_of_the_province(session):
    alice, bob = _joint_team()
    mine = factories.AssignmentFactory(team=[alice, bob])
    other = factories.AssignmentFactory(team=[bob])
    factories.AssignmentFactory(campaign=factories.CampaignFactory(province_code="31"),
                                site_id=factories.SiteFactory(province_code="31").id)
    supervisor = _supervisor()

    def ids(stmt):  # type: ignore[no-untyped-def]
        return {a.id for a in session.scalars(stmt)}

    assert ids(campaigns.assignments_select(alice)) == {mine.id}
    assert ids(campaigns.assignments_select(bob)) == {mine.id, other.id}
    assert ids(campaigns.assignments_select(supervisor)) == {mine.id, other.id}
    assert ids(campaigns.assignments_select(supervisor, mine=True)) == set()
    assert ids(campaigns.campaign_assignments_select(session, alice, other.campaign_id)) == {
        other.id}
    with pytest.raises(errors.Forbidden):
        campaigns.assignments_select(factories.UserFactory(role="post", agency="post"))
