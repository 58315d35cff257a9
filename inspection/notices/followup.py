"""Follow-up of issued violation notices: the post office's remediation report, the inspectors'
verification (or rejection) of it, which notices are overdue, and the daily reminders.

A notice is `closed` once every finding it covers is verified (`Notice.settle`, through
`findings.settle_notice` whichever way the last finding moves). A notice is overdue on a day
when its `due_on` is before that day and some of its findings are still `confirmed`. Findings
move through `inspection.inspections.findings.move`, one ORM change each (their versions bump
and the audit feed carries them to `/sync/pull`); every change bumps the notice's version too.
Days are Vietnamese calendar days (`notices.today_in_vietnam`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, not_, select, true
from sqlalchemy.orm import Session

from inspection import errors
from inspection.db import utcnow
from inspection.inspections import findings as finding_rules
from inspection.models import Finding, Inspection, Notice, NoticeReminder, Photo, Site, User
from inspection.models.users import role_name
from inspection.notices import services as notices
from inspection.scope import province_clause, require_role
from inspection.versions import expect_version

ACTIONS = ("report_remediation", "verify", "reject_remediation")
LISTERS = ("supervisor", "admin", "post")
REVIEWERS = ("supervisor", "inspector", "police")
MOVES = {"report_remediation": ("confirmed", "remediated"),
         "verify": ("remediated", "verified"),
         "reject_remediation": ("remediated", "confirmed")}
"""action -> (the findings' status it takes, the status it gives them)."""


@dataclass(frozen=True)
class Standing:
    """Where a notice stands on a day: overdue or not, and the last reminder recorded."""

    notice: Notice
    overdue: bool
    days_overdue: int
    last_reminded_on: date | None
    as_of: date


def today(now: datetime | None = None) -> date:
    return notices.today_in_vietnam(now)


# --- Recording follow-up ---------------------------------------------------------------------

def follow_up(session: Session, actor: User, notice_id: uuid.UUID, *, action: str,
              if_match: int | None, report: str | None = None, comment: str | None = None,
              finding_ids: Sequence[uuid.UUID] | None = None,
              photo_ids: Sequence[uuid.UUID] | None = None,
              now: datetime | None = None) -> Notice:
    """Record one follow-up `action` on an issued notice (If-Match required) and move the
    named findings (default: all of the notice's in the action's starting status).

    NotFound outside the actor's scope; Forbidden for a role or person that may not act;
    InvalidState when the notice is not issued or a finding is not in the starting status;
    ValidationFailed for a missing text, or ids that are not the notice's."""
    notice = notices.get_notice(session, actor, notice_id)
    _check_actor(actor, notice, action)
    expect_version(notice.version, if_match, what="thông báo")
    if notice.status == "closed":
        raise errors.InvalidState("Thông báo đã hoàn thành khắc phục: mọi phát hiện đã được "
                                  "xác minh.", notice_status=notice.status)
    if notice.status != "issued":
        raise errors.InvalidState("Thông báo chưa được phát hành; chưa thể theo dõi khắc phục.",
                                  notice_status=notice.status)
    now = now or utcnow()
    source, target = MOVES[action]
    moving = _findings(session, notice, source, finding_ids)
    if action == "report_remediation":
        if not (report or "").strip():
            raise errors.ValidationFailed("Báo cáo khắc phục cần nêu rõ những gì đã khắc phục.",
                                          errors={"report": ["required"]})
        photos = _photos(session, notice, photo_ids)
    text = (report if action == "report_remediation" else comment) or None
    for finding in moving:
        finding_rules.move(session, actor, finding, target, comment=text)
    if action == "report_remediation":
        notice.remediation_report, notice.remediated_by, notice.remediated_at = (
            report, actor.id, now)
        notice.remediation_photo_ids = [str(p) for p in photos]
    else:
        notice.review_decision = "verified" if action == "verify" else "rejected"
        notice.review_comment, notice.reviewed_by, notice.reviewed_at = comment, actor.id, now
    finding_rules.settle_notice(session, notice.inspection_id)
    notice.version += 1
    session.flush()
    return notice


def _check_actor(actor: User, notice: Notice, action: str) -> None:
    if action == "report_remediation":
        if actor.role != "post":
            raise errors.Forbidden("Chỉ bưu điện nhận thông báo mới báo cáo khắc phục.")
        return
    if actor.role not in REVIEWERS:
        raise errors.Forbidden(f"Vai trò {role_name(actor.role)} không được xác minh khắc phục.")
    if actor.role != "supervisor" and actor.id not in {u.id for u in notice.inspection.team}:
        raise errors.Forbidden("Chỉ lãnh đạo hoặc thành viên đoàn kiểm tra mới được xác minh "
                               "khắc phục.")


def _findings(session: Session, notice: Notice, source: str,
              finding_ids: Sequence[uuid.UUID] | None) -> list[Finding]:
    rows = list(session.scalars(select(Finding).where(
        Finding.inspection_id == notice.inspection_id,
        Finding.status.in_(notices.NOTICED_FINDINGS)).order_by(Finding.item_code)))
    if finding_ids is None:
        chosen = [f for f in rows if f.status == source]
        if not chosen:
            raise errors.InvalidState(
                f"Thông báo không còn phát hiện nào ở trạng thái '{source}'.",
                current_statuses={f.item_code: f.status for f in rows})
        return chosen
    by_id = {f.id: f for f in rows}
    unknown = [str(i) for i in finding_ids if i not in by_id]
    if unknown or not finding_ids:
        raise errors.ValidationFailed(
            "Danh sách phát hiện phải gồm các phát hiện của thông báo này.",
            errors={"finding_ids": [f"not a finding of this notice: {i}" for i in unknown]
                    or ["must not be empty"]})
    chosen = [by_id[i] for i in dict.fromkeys(finding_ids)]
    wrong = {f.item_code: f.status for f in chosen if f.status != source}
    if wrong:
        raise errors.InvalidState(
            f"Chỉ phát hiện ở trạng thái '{source}' mới chuyển được; "
            f"không phải: {', '.join(sorted(wrong))}.", current_statuses=wrong)
    return chosen


def _photos(session: Session, notice: Notice,
            photo_ids: Sequence[uuid.UUID] | None) -> list[uuid.UUID]:
    """The named photos, which must be evidence of the notice's inspection (not rejected)."""
    ids = list(dict.fromkeys(photo_ids or ()))
    found = {p.id: p for p in session.scalars(select(Photo).where(Photo.id.in_(ids)))}
    bad = [str(i) for i in ids if i not in found
           or found[i].inspection_id != notice.inspection_id or found[i].status == "rejected"]
    if bad:
        raise errors.ValidationFailed(
            "Ảnh khắc phục phải là ảnh đã tải lên cho phiên kiểm tra của thông báo.",
            errors={"photo_ids": [f"not a usable photo of this inspection: {i}" for i in bad]})
    return ids


# --- Overdue ---------------------------------------------------------------------------------

def _still_confirmed() -> ColumnElement[bool]:
    return exists().where(Finding.inspection_id == Notice.inspection_id,
                          Finding.status == "confirmed")


def overdue_clause(on: date) -> ColumnElement[bool]:
    """Notices overdue on day `on`: issued, due before it, a finding still confirmed."""
    return and_(Notice.status == "issued", Notice.due_on < on, _still_confirmed())


def list_notices(actor: User, *, on: date, status: str | None = None,
                 overdue: bool | None = None,
                 inspection_id: uuid.UUID | None = None) -> Select[Any]:
    """Notices the actor may list (supervisors and admins: the province's; a post office:
    its organisation's sites'), the most overdue first (earliest due date), then newest."""
    require_role(actor, *LISTERS)
    stmt = select(Notice).where(province_clause(actor, Notice.province_code),
                                _organization_clause(actor))
    if status is not None:
        stmt = stmt.where(Notice.status == status)
    if inspection_id is not None:
        stmt = stmt.where(Notice.inspection_id == inspection_id)
    if overdue is not None:
        stmt = stmt.where(overdue_clause(on) if overdue else not_(overdue_clause(on)))
    return stmt.order_by(Notice.due_on.is_(None), Notice.due_on, Notice.created_at.desc(),
                         Notice.id)


def _organization_clause(actor: User) -> ColumnElement[bool]:
    if actor.role != "post":
        return true()
    return Notice.inspection_id.in_(
        select(Inspection.id).join(Site, Inspection.site_id == Site.id)
        .where(Site.organization == actor.organization))


def standings(session: Session, rows: Sequence[Notice], *, on: date) -> list[Standing]:
    """Each notice with whether it is overdue on day `on`, by how many days, and its last
    reminder (two queries for the whole page)."""
    ids = [n.id for n in rows]
    confirmed = set(session.scalars(select(Notice.id).where(
        Notice.id.in_(ids), _still_confirmed())))
    reminded: dict[uuid.UUID, date] = {
        notice_id: last for notice_id, last in session.execute(
            select(NoticeReminder.notice_id, func.max(NoticeReminder.reminded_on))
            .where(NoticeReminder.notice_id.in_(ids)).group_by(NoticeReminder.notice_id))}
    out = []
    for n in rows:
        late = (n.status == "issued" and n.due_on is not None and n.due_on < on
                and n.id in confirmed)
        days = (on - n.due_on).days if late and n.due_on is not None else 0
        out.append(Standing(n, late, days, reminded.get(n.id), on))
    return out


def standing(session: Session, notice: Notice, *, on: date) -> Standing:
    return standings(session, [notice], on=on)[0]


# --- Reminders -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Reminders:
    """One run of the reminders on a day: the overdue notices, and which got a new reminder."""

    on: date
    overdue: list[Standing]
    recorded: list[uuid.UUID]

    def summary(self) -> str:
        """The Vietnamese summary `kt1 reminders` prints, one line per overdue notice."""
        lines = [f"Ngày {self.on:%d/%m/%Y}: {len(self.overdue)} thông báo quá hạn khắc phục; "
                 f"ghi nhắc mới {len(self.recorded)}, đã nhắc trong ngày "
                 f"{len(self.overdue) - len(self.recorded)}."]
        for s in self.overdue:
            n = s.notice
            site = n.inspection.site
            mark = "nhắc mới" if n.id in self.recorded else "đã nhắc"
            due = f"{n.due_on:%d/%m/%Y}" if n.due_on else "?"
            lines.append(f"- Số {n.label} ({site.organization or site.name}, {site.name}): "
                         f"hạn {due}, quá hạn {s.days_overdue} ngày [{mark}]")
        return "\n".join(lines)


def remind_overdue(session: Session, *, on: date) -> Reminders:
    """Record a reminder for every notice overdue on day `on` that has none that day
    (idempotent: a second run the same day records nothing). Flushes; the caller commits."""
    rows = list(session.scalars(select(Notice).where(overdue_clause(on))
                                .order_by(Notice.province_code, Notice.due_on, Notice.id)))
    already = set(session.scalars(select(NoticeReminder.notice_id).where(
        NoticeReminder.reminded_on == on, NoticeReminder.notice_id.in_([n.id for n in rows]))))
    overdue = standings(session, rows, on=on)
    recorded = []
    for s in overdue:
        if s.notice.id not in already:
            session.add(NoticeReminder(id=uuid.uuid4(), notice_id=s.notice.id, reminded_on=on,
                                       days_overdue=s.days_overdue))
            recorded.append(s.notice.id)
    session.flush()
    marked = [Standing(s.notice, s.overdue, s.days_overdue, on, on) for s in overdue]
    return Reminders(on, marked, recorded)
