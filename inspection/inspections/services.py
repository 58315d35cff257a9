"""Use cases of an inspection: create (idempotent by client id), answer, submit, review.

Every function takes the session first and flushes; the caller commits. The inspection's
`version` covers its own record (team, place, status, review): answers carry their own
versions and ETags, so two team members answering different items never conflict, and an
answer does not bump the inspection. Answers may change only while the inspection is `draft`
or `returned`, so a submitted inspection's content is frozen under its version.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, bindparam, exists, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, load_only, undefer
from sqlalchemy.orm.attributes import set_committed_value

from inspection import errors, teams
from inspection.checklists.compliance import validate_value
from inspection.db import utcnow
from inspection.inspections import findings
from inspection.inspections.batch import OPEN_STATUSES, Batch, load_checklists, lookup
from inspection.inspections.location import Fix, to_point
from inspection.inspections.queries import sees_inspection
from inspection.models import (
    Answer,
    Campaign,
    Checklist,
    ChecklistItem,
    ChecklistSection,
    Inspection,
    Photo,
    Site,
    User,
    inspection_members,
)
from inspection.models.users import FIELD_ROLES
from inspection.scope import ensure_visible, require_role
from inspection.versions import expect_version

CREATOR_ROLES = (*FIELD_ROLES, "supervisor")
ANSWERABLE = ("draft", "returned")
DECISIONS = {"approve": "approved", "return": "returned"}


INSPECTION_NOT_FOUND = "Không tìm thấy phiên kiểm tra."

WITH_SITE_AND_TEAM = (joinedload(Inspection.site).undefer(Site.commune_name),
                      joinedload(Inspection.team))
"""What every use of an inspection reads (visibility by site, membership, its rendering), in
the one query that loads it."""


def find_inspection(session: Session, actor: User, inspection_id: uuid.UUID) -> Inspection | None:
    """The inspection if it exists and the actor may see it (province; a `post` user: an
    approved inspection of its organisation)."""
    inspection = session.get(Inspection, inspection_id, options=WITH_SITE_AND_TEAM)
    if inspection is None or not sees_inspection(actor, inspection):
        return None
    return inspection


def get_inspection(session: Session, actor: User, inspection_id: uuid.UUID) -> Inspection:
    inspection = find_inspection(session, actor, inspection_id)
    if inspection is None:
        raise errors.NotFound(INSPECTION_NOT_FOUND)
    return inspection


def request_hash(*, inspection_id: uuid.UUID, site_id: uuid.UUID, checklist_id: uuid.UUID,
                 campaign_id: uuid.UUID | None, started_at: datetime, location: Fix | None,
                 team: Sequence[uuid.UUID]) -> str:
    """sha256 of the canonical JSON of a validated creation body: keys sorted, instants in
    UTC, the team as a sorted set, an absent `campaign_id` equal to null."""
    canonical = {
        "id": str(inspection_id), "site_id": str(site_id), "checklist_id": str(checklist_id),
        "campaign_id": str(campaign_id) if campaign_id else None,
        "started_at": started_at.astimezone(UTC).isoformat(),
        "location": None if location is None else
        {"lon": location.lon, "lat": location.lat, "accuracy_m": location.accuracy_m},
        "team": sorted({str(u) for u in team}),
    }
    raw = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()


def create_inspection(session: Session, actor: User, *, inspection_id: uuid.UUID,
                      site_id: uuid.UUID, checklist_id: uuid.UUID, started_at: datetime,
                      team: Sequence[uuid.UUID], location: Fix | None = None,
                      campaign_id: uuid.UUID | None = None,
                      batch: Batch | None = None) -> tuple[Inspection, bool]:
    """Create the inspection under the client's id; `(inspection, created)`.

    Idempotent: the same id with the same body (by `request_hash`) returns the stored
    inspection untouched (`created` False); the same id with another body is a Conflict.
    With a `batch` every check runs on its loaded state (the site already locked) and the new
    inspection is left for the batch to flush: a rule broken raises before anything changes,
    and a concurrent creation of the same id fails the batch's flush.
    """
    require_role(actor, *CREATOR_ROLES)
    digest = request_hash(inspection_id=inspection_id, site_id=site_id,
                          checklist_id=checklist_id, campaign_id=campaign_id,
                          started_at=started_at, location=location, team=team)
    existing = lookup(session, inspection_id, batch)
    if existing is not None:
        return _replayed(session, actor, existing, digest), False
    site = batch.sites.get(site_id) if batch is not None else None
    if site is None:  # no batch, or not one it loaded: another province's, or none at all
        site = session.get(Site, site_id, options=[undefer(Site.commune_name)])
    if site is None:
        raise errors.NotFound("Không tìm thấy cơ sở được kiểm tra.")
    ensure_visible(actor, site.province_code, "cơ sở được kiểm tra")
    _check_checklist(session, checklist_id, site, batch)
    _check_campaign(session, campaign_id, site)
    # Two tablets starting the same visit at once are told apart: the site's row is locked
    # before the check for an open inspection; the second waits for the first's commit and
    # sees it. Only visits to the same site wait for each other. (A batch locked its sites.)
    if batch is None or site_id not in batch.sites:
        session.execute(select(Site.id).where(Site.id == site.id).with_for_update())
    _check_no_open_inspection(session, campaign_id, site, batch)
    members = teams.load_team(session, team, site.province_code,
                              known=batch.users if batch is not None else None)
    teams.check_joint_team(site.kind, members)
    if actor.role != "supervisor" and actor.id not in {u.id for u in members}:
        raise errors.RuleViolation("Người tạo phiên kiểm tra phải là thành viên của đoàn.",
                                   errors={"team": ["the caller is not on the team"]})
    inspection = Inspection(
        id=inspection_id, site_id=site.id, checklist_id=checklist_id, campaign_id=campaign_id,
        province_code=site.province_code, commune_code=site.commune_code, status="draft",
        started_at=started_at.astimezone(UTC), location=to_point(location),
        accuracy_m=location.accuracy_m if location else None, request_hash=digest,
        version=1, created_by=actor.id, team=members,
        site=site)  # held, so its rendering needs no second load
    if batch is not None:
        # Pending until the batch flushes; its `answers` untouched, so they load afterwards.
        session.add(inspection)
        batch.created(inspection)
        return inspection, True
    try:
        with session.begin_nested():
            session.add(inspection)
            session.flush()
    except IntegrityError:  # the same id was created concurrently
        existing = session.get(Inspection, inspection_id, populate_existing=True)
        if existing is None:
            raise
        return _replayed(session, actor, existing, digest), False
    # A new inspection has no answers yet: nothing to ask the database for (an answer added
    # later expires the collection: put_answer).
    set_committed_value(inspection, "answers", [])
    return inspection, True


def _replayed(session: Session, actor: User, existing: Inspection, digest: str) -> Inspection:
    if existing.request_hash != digest or find_inspection(session, actor, existing.id) is None:
        raise errors.Conflict(
            "Mã phiên kiểm tra này đã được dùng cho một yêu cầu khác; hãy tạo mã mới.",
            errors={"id": ["already used with a different body"]})
    return existing


def _check_checklist(session: Session, checklist_id: uuid.UUID, site: Site,
                     batch: Batch | None) -> None:
    checklist: Any
    if batch is not None and checklist_id in batch.items:
        checklist = batch.checklists.get(checklist_id)
    else:  # its two columns only: loading the Checklist would load its sections and items
        checklist = session.execute(select(Checklist.status, Checklist.target_kind)
                                    .where(Checklist.id == checklist_id)).first()
    if checklist is None or checklist.status != "published":
        raise errors.ValidationFailed("Bảng kiểm không tồn tại hoặc chưa được ban hành.",
                                      errors={"checklist_id": ["not a published checklist"]})
    if checklist.target_kind != site.kind:
        raise errors.ValidationFailed(
            "Bảng kiểm không dành cho loại cơ sở này.",
            errors={"checklist_id": [f"checklist is for {checklist.target_kind}, "
                                     f"the site is {site.kind}"]})


def _check_campaign(session: Session, campaign_id: uuid.UUID | None, site: Site) -> None:
    if campaign_id is None:
        return
    campaign = session.get(Campaign, campaign_id)
    if campaign is None or campaign.province_code != site.province_code:
        raise errors.ValidationFailed("Đợt kiểm tra không tồn tại trong tỉnh của cơ sở.",
                                      errors={"campaign_id": ["unknown in this province"]})


def _check_no_open_inspection(session: Session, campaign_id: uuid.UUID | None,
                              site: Site, batch: Batch | None) -> None:
    """One open inspection per campaign and site: the second tablet of a team joins the
    first's (the Conflict names it as `existing_id`)."""
    if campaign_id is None:
        return
    if batch is not None and (campaign_id, site.id) in batch.visits:
        existing = batch.visits[campaign_id, site.id]
    else:
        existing = session.scalar(
            select(Inspection.id).where(Inspection.campaign_id == campaign_id,
                                        Inspection.site_id == site.id,
                                        Inspection.status.in_(OPEN_STATUSES))
            .order_by(Inspection.started_at, Inspection.id).limit(1))
    if existing is not None:
        raise errors.Conflict(
            "Cơ sở này đã có một phiên kiểm tra đang mở trong đợt kiểm tra; hãy tham gia phiên "
            "đó thay vì tạo phiên mới.", errors={"site_id": ["an open inspection exists"]},
            existing_id=str(existing))


def get_answer(session: Session, actor: User, *, inspection_id: uuid.UUID,
               item_code: str) -> Answer:
    answer = get_inspection(session, actor, inspection_id).answer_for(item_code)
    if answer is None:
        raise errors.NotFound(f"Mục {item_code} chưa có câu trả lời.")
    return answer


def put_answer(session: Session, actor: User, *, inspection_id: uuid.UUID, item_code: str,
               value: Any, answered_at: datetime, note: str | None = None,
               location: Fix | None = None, answer_id: uuid.UUID | None = None,
               if_match: int | None = None, create_only: bool = False,
               batch: Batch | None = None) -> tuple[Answer, bool]:
    """Write the answer to one item; `(answer, created)`.

    The first answer needs `create_only` (If-None-Match: *), a change needs `if_match`
    equal to the answer's version; neither is PreconditionRequired, a wrong one is
    VersionMismatch. Only field-role members of the team answer, while `draft`/`returned`.
    With a `batch` every check runs on its loaded state and nothing is flushed: the caller
    flushes the batch's writes together (a rule broken raises before anything changes).
    """
    inspection, item, member = _inspection_and_item(session, actor, inspection_id, item_code,
                                                    batch)
    if actor.role not in FIELD_ROLES or not member:
        raise errors.Forbidden("Chỉ thành viên đoàn kiểm tra mới được trả lời bảng kiểm.")
    if item is None:
        raise errors.NotFound(f"Bảng kiểm không có mục {item_code}.")
    _ensure_status(inspection, ANSWERABLE, "trả lời")
    answer = _locked_answer(session, inspection, item_code, batch)
    _check_answer_precondition(answer, if_match=if_match, create_only=create_only)
    validate_value(item, value)
    fields = {"value": value, "note": note, "answered_at": answered_at.astimezone(UTC),
              "location": to_point(location), "answered_by": actor.id,
              "accuracy_m": location.accuracy_m if location else None}
    if answer is not None:
        for key, new in fields.items():
            setattr(answer, key, new)
        answer.version += 1
        if batch is None:
            session.flush()
        return answer, False
    if answer_id is not None and _answer_id_taken(session, answer_id, batch):
        raise errors.Conflict("Mã câu trả lời này đã được dùng cho một câu trả lời khác.",
                              errors={"id": ["already used"]})
    answer = Answer(id=answer_id or uuid.uuid4(), inspection_id=inspection.id,
                    item_code=item_code, version=1, **fields)
    if batch is not None:
        session.add(answer)
        batch.answers[inspection.id, item_code] = answer
        batch.taken.add(answer.id)
    else:
        # No savepoint: a failed insert fails the whole request (or the push's savepoint of
        # this one mutation), which then rolls back; only the answer to give changes.
        session.add(answer)
        try:
            session.flush()
        except IntegrityError as exc:  # answered concurrently by someone else
            raise errors.VersionMismatch(
                f"Mục {item_code} vừa được người khác trả lời; hãy tải lại.") from exc
    if not inspect(inspection).pending:  # a batch's new inspection loads them once flushed
        session.expire(inspection, ["answers"])
    return answer, True


_INSPECTION_AND_ITEM = (
    select(Inspection, ChecklistItem, exists().where(
        inspection_members.c.inspection_id == Inspection.id,
        inspection_members.c.user_id == bindparam("user_id")).label("member"))
    .outerjoin(ChecklistItem, and_(
        ChecklistItem.checklist_id == Inspection.checklist_id,
        ChecklistItem.code == bindparam("item_code")))
    .where(Inspection.id == bindparam("inspection_id"))
    # Only what an answer is checked against: the site's organisation (visibility), whether
    # the writer is on the team (not the team loaded), the item's type and choices; every
    # relationship loaded and every column cost each request its machinery.
    .options(joinedload(Inspection.site).load_only(Site.organization),
             load_only(ChecklistItem.checklist_id, ChecklistItem.code,
                       ChecklistItem.answer_type, ChecklistItem.choices)))
_LOCKED_ANSWER = (
    select(Answer).where(Answer.inspection_id == bindparam("inspection_id"),
                         Answer.item_code == bindparam("item_code"))
    .with_for_update().execution_options(populate_existing=True))
"""Built once: each answer written runs them (a statement built anew costs its construction
and its cache key every time)."""


def _inspection_and_item(session: Session, actor: User, inspection_id: uuid.UUID,
                         item_code: str, batch: Batch | None,
                         ) -> tuple[Inspection, ChecklistItem | None, bool]:
    """The inspection (NotFound unless the actor sees it), its checklist's item of that
    code, or None, and whether the actor is on its team: the batch's where it holds them,
    else in one query."""
    if batch is not None:
        inspection = batch.inspections.get(inspection_id)
        if inspection is None or not sees_inspection(actor, inspection):
            inspection = get_inspection(session, actor, inspection_id)
        load_checklists(session, batch, {inspection.checklist_id})  # one it did not foresee
        return (inspection, batch.items[inspection.checklist_id].get(item_code),
                actor.id in {u.id for u in inspection.team})
    row = session.execute(_INSPECTION_AND_ITEM, {
        "inspection_id": inspection_id, "item_code": item_code, "user_id": actor.id}).first()
    if row is None or not sees_inspection(actor, row[0]):
        raise errors.NotFound(INSPECTION_NOT_FOUND)
    return row[0], row[1], bool(row[2])


def _locked_answer(session: Session, inspection: Inspection, item_code: str,
                   batch: Batch | None) -> Answer | None:
    """The answer to `item_code`, locked for the rest of the transaction."""
    if batch is None:
        return session.scalar(_LOCKED_ANSWER, {"inspection_id": inspection.id,
                                               "item_code": item_code})
    if inspection.id not in batch.inspections:  # one the batch did not foresee
        batch.inspections[inspection.id] = inspection
        for answer in session.scalars(select(Answer).where(
                Answer.inspection_id == inspection.id).with_for_update()
                .execution_options(populate_existing=True)):
            batch.answers[answer.inspection_id, answer.item_code] = answer
            batch.taken.add(answer.id)
    return batch.answers.get((inspection.id, item_code))


def _answer_id_taken(session: Session, answer_id: uuid.UUID, batch: Batch | None) -> bool:
    if batch is None:
        return session.get(Answer, answer_id) is not None
    return answer_id in batch.taken


def _check_answer_precondition(answer: Answer | None, *, if_match: int | None,
                               create_only: bool) -> None:
    if answer is None:
        if if_match is not None:
            raise errors.VersionMismatch("Mục này chưa có câu trả lời; gửi If-None-Match: *.")
        if not create_only:
            raise errors.PreconditionRequired(
                "Câu trả lời đầu tiên cần If-None-Match: *; sửa câu trả lời cần If-Match.")
        return
    if create_only and if_match is None:
        raise errors.VersionMismatch(
            "Mục này đã có câu trả lời; hãy tải lại và gửi If-Match với ETag của nó.",
            current_version=answer.version)
    expect_version(answer.version, if_match, what="câu trả lời")


def _ensure_status(inspection: Inspection, allowed: Sequence[str], action: str) -> None:
    if inspection.status not in allowed:
        raise errors.InvalidState(
            f"Không thể {action} khi phiên kiểm tra đang ở trạng thái '{inspection.status}'.",
            current_status=inspection.status, allowed_from=list(allowed))


def submit(session: Session, actor: User, *, inspection_id: uuid.UUID,
           if_match: int | None) -> Inspection:
    """`draft`/`returned` → `submitted`, deriving the findings. If-Match is required: a
    team that submits must have seen the current record (e.g. a supervisor's return). An
    inspection whose biên bản was issued asks for a new one in the same transaction (its job
    handed over after commit: `inspection.records.lineage.reissue_on_submit`)."""
    from inspection.records import lineage  # the records package reads inspections

    inspection = get_inspection(session, actor, inspection_id)
    if actor.role != "supervisor" and actor.id not in {u.id for u in inspection.team}:
        raise errors.Forbidden("Chỉ thành viên đoàn hoặc lãnh đạo mới được nộp phiên kiểm tra.")
    expect_version(inspection.version, if_match, what="phiên kiểm tra")
    _ensure_status(inspection, ANSWERABLE, "nộp")
    _load_checklist(session, inspection)
    # Its photos read afresh, once: the evidence checked here and what the response shows.
    session.expire(inspection, ["photos"])
    findings.ensure_complete(inspection)
    findings.derive(session, inspection)
    inspection.status = "submitted"
    inspection.submitted_at = utcnow()
    inspection.version += 1
    session.flush()
    lineage.reissue_on_submit(session, actor, inspection)
    return inspection


def _load_checklist(session: Session, inspection: Inspection) -> None:
    """The inspection's checklist with its sections and items in one query (their default
    loading takes three)."""
    checklist = session.get(Checklist, inspection.checklist_id, options=[
        joinedload(Checklist.sections).joinedload(ChecklistSection.items)])
    set_committed_value(inspection, "checklist", checklist)


def review(session: Session, actor: User, *, inspection_id: uuid.UUID, decision: str,
           comment: str | None, if_match: int | None,
           items: Sequence[str] | None = None) -> Inspection:
    """A supervisor approves (`approved`) or returns (`returned`, a comment is required) a
    submitted inspection; If-Match is required so nobody approves what they have not seen.
    A return may mark `items`: codes of the inspection's checklist for the team to fix (each
    once, in the checklist's order; ValidationFailed for an unknown code or with approve)."""
    require_role(actor, "supervisor")
    inspection = get_inspection(session, actor, inspection_id)
    expect_version(inspection.version, if_match, what="phiên kiểm tra")
    _ensure_status(inspection, ("submitted",), "duyệt")
    if decision not in DECISIONS:
        raise errors.ValidationFailed("Quyết định phải là approve hoặc return.",
                                      errors={"decision": ["one of approve, return"]})
    if decision == "return" and not (comment or "").strip():
        raise errors.ValidationFailed("Trả lại phiên kiểm tra cần ghi rõ lý do.",
                                      errors={"comment": ["required to return"]})
    inspection.review_items = _returned_items(inspection, decision, items)
    inspection.status = DECISIONS[decision]
    inspection.review_comment = comment
    inspection.reviewed_by = actor.id
    inspection.reviewed_at = utcnow()
    inspection.version += 1
    session.flush()
    return inspection


def _returned_items(inspection: Inspection, decision: str,
                    items: Sequence[str] | None) -> list[str]:
    if not items:
        return []
    if decision != "return":
        raise errors.ValidationFailed("Chỉ đánh dấu mục cần sửa khi trả lại phiên kiểm tra.",
                                      errors={"items": ["only with decision return"]})
    codes = [i.code for i in inspection.checklist.items()]
    unknown = [code for code in items if code not in codes]
    if unknown:
        raise errors.ValidationFailed(
            f"Mục không thuộc bảng kiểm tra của phiên: {', '.join(unknown)}.",
            errors={"items": [f"not an item of the checklist: {', '.join(unknown)}"]})
    return [code for code in codes if code in set(items)]


def delete_answer(session: Session, actor: User, *, inspection_id: uuid.UUID, item_code: str,
                  if_match: int | None) -> bool:
    """Clear the answer to one item (the row goes; the feed keeps a tombstone); False when
    there was none. Same rules as answering: field-role team members, `draft`/`returned`,
    `if_match` equal to the answer's version (None: PreconditionRequired)."""
    inspection = get_inspection(session, actor, inspection_id)
    if actor.role not in FIELD_ROLES or actor.id not in {u.id for u in inspection.team}:
        raise errors.Forbidden("Chỉ thành viên đoàn kiểm tra mới được xoá câu trả lời.")
    _ensure_status(inspection, ANSWERABLE, "xoá câu trả lời")
    answer = session.scalar(select(Answer).where(
        Answer.inspection_id == inspection.id, Answer.item_code == item_code)
        .with_for_update().execution_options(populate_existing=True))
    if answer is None:
        return False
    expect_version(answer.version, if_match, what="câu trả lời")
    session.delete(answer)
    session.flush()
    session.expire(inspection, ["answers"])
    return True


def relocate(session: Session, actor: User, *, inspection_id: uuid.UUID, location: Fix,
             if_match: int | None) -> Inspection:
    """Replace the team's GPS fix with a better one (the tablet retried GPS) while the
    inspection is `draft`/`returned`; a field-role team member, If-Match required. The
    creation's `request_hash` stays: a replay of the creation is still the same request."""
    inspection = get_inspection(session, actor, inspection_id)
    if actor.role not in FIELD_ROLES or actor.id not in {u.id for u in inspection.team}:
        raise errors.Forbidden("Chỉ thành viên đoàn kiểm tra mới được cập nhật vị trí.")
    expect_version(inspection.version, if_match, what="phiên kiểm tra")
    _ensure_status(inspection, ANSWERABLE, "cập nhật vị trí")
    inspection.location = to_point(location)
    inspection.accuracy_m = location.accuracy_m
    inspection.version += 1
    session.flush()
    return inspection


def delete_inspection(session: Session, actor: User, *, inspection_id: uuid.UUID,
                      if_match: int | None) -> None:
    """Delete a `draft` inspection and its answers (a team member, If-Match required). One
    holding photo evidence is kept: evidence is never thrown away with a draft."""
    inspection = get_inspection(session, actor, inspection_id)
    if actor.id not in {u.id for u in inspection.team}:
        raise errors.Forbidden("Chỉ thành viên đoàn mới được xoá phiên kiểm tra.")
    expect_version(inspection.version, if_match, what="phiên kiểm tra")
    _ensure_status(inspection, ("draft",), "xoá phiên kiểm tra")
    if session.scalar(select(Photo.id).where(Photo.inspection_id == inspection.id).limit(1)):
        raise errors.RuleViolation("Phiên kiểm tra đã có ảnh bằng chứng; không thể xoá.",
                                   errors={"id": ["has photo evidence"]})
    for answer in list(inspection.answers):
        session.delete(answer)
    session.flush()
    session.delete(inspection)
    session.flush()
