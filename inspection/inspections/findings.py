"""Findings: derived from the non-compliant answers when an inspection is submitted, then
followed from `open` through confirmation (or dismissal), remediation and verification.

While the inspection is not yet approved its findings are provisional: only a supervisor may
confirm or dismiss them (typically while reviewing); remediation and verification wait for the
approval. A resubmission keeps the row of a finding whose item is still non-compliant, deletes
`open` findings whose answer became compliant and adds new ones; a finding a supervisor has
already confirmed or dismissed is a decision on record and is never deleted silently.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspection import errors
from inspection.checklists.compliance import is_compliant
from inspection.inspections.queries import sees_finding
from inspection.models import Answer, ChecklistItem, Finding, Inspection, Notice, User
from inspection.models.notices import NOTICED_FINDINGS
from inspection.models.users import role_name
from inspection.versions import expect_version

# current status -> {next status: roles allowed to make that move}
TRANSITIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "open": {"confirmed": ("supervisor",), "dismissed": ("supervisor",)},
    "confirmed": {"remediated": ("supervisor", "inspector", "police", "post")},
    "remediated": {"verified": ("supervisor", "inspector", "police"),
                   "confirmed": ("supervisor", "inspector", "police")},
}
"""`remediated` → `confirmed` is a remediation the inspectors did not accept: it needs a
comment saying why, and the finding is again what the notice's deadline counts."""
AFTER_APPROVAL = ("remediated", "verified")
NEEDS_COMMENT = {("open", "dismissed"): "Bác bỏ phát hiện cần ghi rõ lý do.",
                 ("remediated", "confirmed"): "Không chấp nhận khắc phục cần ghi rõ lý do."}


def values_by_code(inspection: Inspection) -> dict[str, Any]:
    """The answered values (null answers left out), as compliance rules read them."""
    return {a.item_code: a.value for a in inspection.answers if a.value is not None}


def ensure_complete(inspection: Inspection) -> None:
    """Raise ValidationFailed naming every required item without an answer and every
    `photo_required` item whose answer is non-compliant and has no `ready` photo."""
    items = inspection.checklist.items()
    values = values_by_code(inspection)
    # Its photos as the relationship loads them: its rendering reads them too.
    with_photo = {p.item_code for p in inspection.photos if p.status == "ready"}
    missing_answers = [i.code for i in items if i.required and i.code not in values]
    missing_photos = [i.code for i in items if i.photo_required and i.code not in with_photo
                      and is_compliant(i, values.get(i.code), values) is False]
    if not missing_answers and not missing_photos:
        return
    problems: dict[str, list[str]] = {c: ["Mục bắt buộc chưa được trả lời."]
                                      for c in missing_answers}
    for code in missing_photos:
        problems.setdefault(code, []).append(
            "Câu trả lời không đạt cần ít nhất một ảnh bằng chứng đã xử lý xong.")
    counts = [f"{n} {what}" for n, what in (
        (len(missing_answers), "mục bắt buộc chưa trả lời"),
        (len(missing_photos), "mục không đạt thiếu ảnh bằng chứng")) if n]
    raise errors.ValidationFailed(
        f"Chưa thể nộp: {', '.join(counts)}.",
        errors=problems, missing_answers=missing_answers, missing_photos=missing_photos)


def describe(item: ChecklistItem, answer: Answer) -> str:
    """What was found, as a notice states it: the requirement not met, then the team's note."""
    found = f"Chưa bảo đảm yêu cầu “{item.text.strip().rstrip('.')}”"
    note = (answer.note or "").strip()
    return f"{found}. Ghi nhận của Đoàn kiểm tra: {note}" if note else found


def derive(session: Session, inspection: Inspection) -> list[Finding]:
    """One finding per non-compliant answer (items without a severity never produce one),
    carrying the item's severity and legal basis; see the module docstring on resubmission."""
    values = values_by_code(inspection)
    existing = {f.item_code: f for f in session.scalars(
        select(Finding).where(Finding.inspection_id == inspection.id))}
    kept: list[Finding] = []
    for item in inspection.checklist.items():
        answer = inspection.answer_for(item.code)
        if (answer is None or item.severity is None
                or is_compliant(item, answer.value, values) is not False):
            continue
        finding = existing.pop(item.code, None)
        if finding is None:
            finding = _new_finding(inspection, item, answer)
            session.add(finding)
        elif finding.status == "open" and finding.description != describe(item, answer):
            finding.description = describe(item, answer)
            finding.version += 1
        kept.append(finding)
    for stale in existing.values():
        if stale.status == "open":
            session.delete(stale)
    session.flush()
    return kept


def _new_finding(inspection: Inspection, item: ChecklistItem, answer: Answer) -> Finding:
    return Finding(
        inspection_id=inspection.id, site_id=inspection.site_id, item_code=item.code,
        severity=item.severity, legal_basis=item.legal_basis,
        legal_refs=list(item.legal_refs or []), description=describe(item, answer),
        status="open", province_code=inspection.province_code,
        commune_code=inspection.commune_code, version=1)


def find_finding(session: Session, actor: User, finding_id: uuid.UUID) -> Finding | None:
    """The finding if the actor may see it (province; a `post` user: a confirmed finding, or
    followed up since, of an approved inspection of its organisation)."""
    finding = session.get(Finding, finding_id)
    if finding is None or not sees_finding(actor, finding):
        return None
    return finding


def get_finding(session: Session, actor: User, finding_id: uuid.UUID) -> Finding:
    finding = find_finding(session, actor, finding_id)
    if finding is None:
        raise errors.NotFound("Không tìm thấy phát hiện.")
    return finding


def transition(session: Session, actor: User, *, finding_id: uuid.UUID, status: str,
               comment: str | None = None, due_on: date | None = None,
               if_match: int | None) -> Finding:
    """Move a finding along TRANSITIONS (If-Match required). Another move is InvalidState
    naming the allowed ones; a role not allowed for the move is Forbidden."""
    finding = get_finding(session, actor, finding_id)
    expect_version(finding.version, if_match, what="phát hiện")
    move(session, actor, finding, status, comment=comment, due_on=due_on)
    notice = settle_notice(session, finding.inspection_id)
    if notice is not None:
        notice.version += 1
        session.flush()
    return finding


def settle_notice(session: Session, inspection_id: uuid.UUID) -> Notice | None:
    """Close the inspection's issued notice once every finding it covers is verified (and
    reopen a closed one whose finding is not); the notice when its status changed, else None.
    Its version is the caller's to bump."""
    notice = session.scalar(select(Notice).where(Notice.inspection_id == inspection_id))
    if notice is None:
        return None
    statuses = session.scalars(select(Finding.status).where(
        Finding.inspection_id == inspection_id, Finding.status.in_(NOTICED_FINDINGS)))
    return notice if notice.settle(statuses) else None


def move(session: Session, actor: User, finding: Finding, status: str, *,
         comment: str | None = None, due_on: date | None = None) -> Finding:
    """Apply one move of TRANSITIONS to a finding the actor sees (its version is the caller's
    to check) and bump its version; the errors are those of `transition`."""
    allowed = TRANSITIONS.get(finding.status, {})
    if status not in allowed:
        raise errors.InvalidState(
            f"Không thể chuyển phát hiện từ '{finding.status}' sang '{status}'; được phép: "
            f"{', '.join(allowed) or 'không có'}.", current_status=finding.status,
            allowed=list(allowed))
    if actor.role not in allowed[status]:
        raise errors.Forbidden(
            f"Vai trò {role_name(actor.role)} không được chuyển phát hiện sang '{status}'.")
    if status in AFTER_APPROVAL and finding.inspection.status != "approved":
        raise errors.InvalidState("Phiên kiểm tra chưa được duyệt; chưa thể ghi nhận khắc phục.",
                                  inspection_status=finding.inspection.status)
    needs_comment = NEEDS_COMMENT.get((finding.status, status))
    if needs_comment and not (comment or "").strip():
        raise errors.ValidationFailed(needs_comment, errors={"comment": ["required"]})
    finding.status = status
    finding.status_comment = comment
    if due_on is not None:
        finding.due_on = due_on
    finding.version += 1
    session.flush()
    return finding
