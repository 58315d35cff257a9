"""Inspection campaigns of a province and the assignment of its sites to joint teams."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from inspection import errors
from inspection.models import Assignment, Campaign, Checklist, Province, Site, User
from inspection.models import assignment_members as members
from inspection.models.users import FIELD_ROLES
from inspection.scope import province_clause, require_role
from inspection.teams import check_joint_team, load_team

WRITERS = ("supervisor", "admin")
READERS = ("admin", "supervisor", "inspector", "police")
ASSIGNMENT_STATUSES = ("open", "done")


def find_campaign(session: Session, actor: User, campaign_id: uuid.UUID) -> Campaign | None:
    """The campaign if it belongs to the actor's province (any for a national admin)."""
    return session.scalar(select(Campaign).where(
        Campaign.id == campaign_id, province_clause(actor, Campaign.province_code)))


def get_campaign(session: Session, actor: User, campaign_id: uuid.UUID) -> Campaign:
    require_role(actor, *READERS)
    campaign = find_campaign(session, actor, campaign_id)
    if campaign is None:
        raise errors.NotFound("Không tìm thấy đợt kiểm tra.")
    return campaign


def campaigns_select(actor: User) -> Select[Any]:
    """Campaigns of the actor's province, the latest first."""
    require_role(actor, *READERS)
    return (select(Campaign).where(province_clause(actor, Campaign.province_code))
            .order_by(Campaign.starts_on.desc(), Campaign.name, Campaign.id))


def create_campaign(session: Session, actor: User, *, name: str, starts_on: date,
                    ends_on: date, checklist_id: uuid.UUID,
                    province_code: str | None = None) -> Campaign:
    """A campaign of the actor's province using a published checklist (422 otherwise)."""
    require_role(actor, *WRITERS)
    province = province_code or actor.province_code
    if province is None:
        raise errors.ValidationFailed("Cần chọn tỉnh, thành phố của đợt kiểm tra.",
                                      errors={"province_code": ["required"]})
    if not actor.is_national and province != actor.province_code:
        raise errors.Forbidden("Chỉ được lập đợt kiểm tra của tỉnh, thành phố của mình.")
    if session.get(Province, province) is None:
        raise errors.ValidationFailed(f"Không có tỉnh, thành phố mã {province}.",
                                      errors={"province_code": ["unknown province"]})
    if starts_on > ends_on:
        raise errors.ValidationFailed("Ngày bắt đầu phải trước hoặc trùng ngày kết thúc.",
                                      errors={"ends_on": ["before starts_on"]})
    checklist = session.get(Checklist, checklist_id)
    if checklist is None or checklist.status != "published":
        raise errors.ValidationFailed(
            "Bảng kiểm tra không tồn tại hoặc chưa được ban hành.",
            errors={"checklist_id": ["not a published checklist"]})
    campaign = Campaign(name=name, province_code=province, starts_on=starts_on,
                        ends_on=ends_on, checklist_id=checklist.id, created_by=actor.id,
                        version=1)
    session.add(campaign)
    session.flush()
    return campaign


def _site_for(session: Session, campaign: Campaign, checklist: Checklist,
              site_id: uuid.UUID) -> Site:
    site = session.get(Site, site_id)
    if site is None or site.province_code != campaign.province_code:
        raise errors.ValidationFailed("Cơ sở không tồn tại hoặc không thuộc tỉnh của đợt kiểm tra.",
                                      errors={"site_id": ["unknown site"]})
    if site.kind != checklist.target_kind:
        raise errors.RuleViolation(
            f"Bảng kiểm tra của đợt dành cho loại cơ sở '{checklist.target_kind}', "
            f"còn cơ sở này thuộc loại '{site.kind}'.",
            errors={"site_id": [f"kind {site.kind} does not match {checklist.target_kind}"]})
    return site


def create_assignment(session: Session, actor: User, campaign_id: uuid.UUID, *,
                      site_id: uuid.UUID, team: Sequence[uuid.UUID],
                      due_on: date) -> Assignment:
    """Assign a site of the campaign's province to a team of field staff of that province.
    A `kt1_provider` site needs a joint team (Sở KH&CN and Công an); 422 otherwise."""
    require_role(actor, *WRITERS)
    campaign = get_campaign(session, actor, campaign_id)
    checklist = session.get_one(Checklist, campaign.checklist_id)
    site = _site_for(session, campaign, checklist, site_id)
    if not campaign.starts_on <= due_on <= campaign.ends_on:
        raise errors.ValidationFailed(
            f"Hạn hoàn thành phải nằm trong thời gian của đợt kiểm tra "
            f"({campaign.starts_on.isoformat()} – {campaign.ends_on.isoformat()}).",
            errors={"due_on": ["outside the campaign period"]})
    users = load_team(session, team, campaign.province_code)
    check_joint_team(site.kind, users)
    duplicate = session.scalar(select(Assignment.id).where(
        Assignment.campaign_id == campaign.id, Assignment.site_id == site.id,
        Assignment.status == "open"))
    if duplicate is not None:
        raise errors.Conflict("Cơ sở này đã được phân công trong đợt kiểm tra.",
                              assignment_id=str(duplicate))
    assignment = Assignment(campaign_id=campaign.id, site_id=site.id, due_on=due_on,
                            status="open", version=1, team=users)
    session.add(assignment)
    session.flush()
    return assignment


def _assignments(actor: User) -> Select[Any]:
    return (select(Assignment).join(Campaign, Assignment.campaign_id == Campaign.id)
            .where(province_clause(actor, Campaign.province_code))
            .options(selectinload(Assignment.team))
            .order_by(Assignment.due_on, Assignment.id))


def _filtered(stmt: Select[Any], *, status: str | None, site_id: uuid.UUID | None) -> Select[Any]:
    if status:
        stmt = stmt.where(Assignment.status == status)
    if site_id is not None:
        stmt = stmt.where(Assignment.site_id == site_id)
    return stmt


def campaign_assignments_select(session: Session, actor: User, campaign_id: uuid.UUID, *,
                                status: str | None = None,
                                site_id: uuid.UUID | None = None) -> Select[Any]:
    """Every assignment of a campaign of the actor's province (404 for another province's)."""
    campaign = get_campaign(session, actor, campaign_id)
    stmt = _assignments(actor).where(Assignment.campaign_id == campaign.id)
    return _filtered(stmt, status=status, site_id=site_id)


def assignments_select(actor: User, *, mine: bool = False,
                       campaign_id: uuid.UUID | None = None, status: str | None = None,
                       site_id: uuid.UUID | None = None) -> Select[Any]:
    """Assignments across campaigns, earliest due first: the ones the actor is on for
    inspectors and police (and for anyone asking for `mine`), every one of the province
    for supervisors and admins."""
    require_role(actor, *READERS)
    stmt = _assignments(actor)
    if mine or actor.role in FIELD_ROLES:
        stmt = stmt.where(Assignment.id.in_(
            select(members.c.assignment_id).where(members.c.user_id == actor.id)))
    if campaign_id is not None:
        stmt = stmt.where(Assignment.campaign_id == campaign_id)
    return _filtered(stmt, status=status, site_id=site_id)


def get_assignment(session: Session, actor: User, assignment_id: uuid.UUID) -> Assignment:
    """An assignment of the actor's province (404 otherwise)."""
    require_role(actor, *READERS)
    assignment = session.scalar(
        select(Assignment).join(Campaign, Assignment.campaign_id == Campaign.id)
        .where(Assignment.id == assignment_id, province_clause(actor, Campaign.province_code)))
    if assignment is None:
        raise errors.NotFound("Không tìm thấy phân công.")
    return assignment
