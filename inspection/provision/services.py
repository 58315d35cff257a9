"""The post office's annual report on KT1 provision (Cần Thơ directive 5đ): a `post` user of a
providing organisation writes it (a draft for a year, edits with If-Match) and sends it once
every content field is stated; the province's supervisor (or an admin) accepts it or returns it
with a comment, and the post office edits and sends it again. Each sending is rendered as an
official document by a job (`workers.provision`).

Only the post office's own `post` users see and write its report; supervisors and admins see
their province's. `received_on` is the day (Vietnam time) of the sending the Sở accepted
(checklist item I2); `first_submitted_on` the day of the first sending, which decides whether
the report was on time (`inspection.provision.deadline`).
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from inspection import documents, errors, jobs, notices
from inspection.db import utcnow
from inspection.labels import LABELS
from inspection.models import Job, Province, ProvisionReport, Site, User
from inspection.models.provision import COMPLIANCE_ASPECTS
from inspection.scope import require_role
from inspection.versions import expect_version

EDITORS = ("post",)
REVIEWERS = ("supervisor", "admin")
READERS = ("post", "supervisor", "admin")
EDITABLE = ("draft", "returned")
SENT = ("submitted", "accepted")
"""In the Sở's hands: not overdue, not reminded."""
DECISIONS = {"accept": "accepted", "return": "returned"}
PROVISION_KIND = "provision_report"
PROVISION_JOB = "workers.jobs.render_provision_report_job"
FIGURES = ("total_volume", "local_volume", "staff_involved", "revenue_vnd")
TEXTS = ("difficulties", "proposals")
SIGNATURE = ("signer_name", "signer_title")
"""Who signs for the post office: optional (by default "Giám đốc", the name left blank)."""
CONTENT = (*FIGURES, "compliance", "incidents", *TEXTS, *SIGNATURE)
ASPECT_LABELS = LABELS["compliance_aspect"]
MISSING = {
    "total_volume": "Chưa nhập tổng sản lượng bưu gửi KT1 trong năm.",
    "local_volume": "Chưa nhập sản lượng bưu gửi KT1 trên địa bàn tỉnh, thành phố.",
    "staff_involved": "Chưa nhập số người lao động trực tiếp tham gia cung cấp dịch vụ KT1.",
    "revenue_vnd": "Chưa nhập doanh thu dịch vụ KT1.",
    **{f"compliance.{a}": f"Chưa đánh giá việc chấp hành quy định về {label}."
       for a, label in ASPECT_LABELS.items()},
    "incidents": "Chưa nêu các sự cố, vi phạm và cách xử lý (gửi danh sách rỗng nếu không có).",
    "difficulties": "Chưa nêu khó khăn, vướng mắc và nguyên nhân.",
    "proposals": "Chưa nêu đề xuất, kiến nghị.",
}
"""Every content field a report must state before it is sent, as the 422 names it."""
VNPOST = "Tổng công ty Bưu điện Việt Nam"


def today(now: datetime | None = None) -> date:
    return notices.today_in_vietnam(now)


def parent_body(organization: str) -> str:
    """The body above the organisation in its documents' header: a provincial "Bưu điện" is a
    unit of Vietnam Post (the KT1 provider of Decision 32/2025/QĐ-TTg); others print none."""
    return VNPOST if organization.startswith("Bưu điện") else ""


# --- Writing the report (the post office) -----------------------------------------------------

def _is_provider(session: Session, province_code: str, organization: str) -> bool:
    return session.scalar(select(func.count()).select_from(Site).where(
        Site.province_code == province_code, Site.kind == "kt1_provider",
        Site.organization == organization)) != 0


def create_draft(session: Session, actor: User, *, year: int,
                 on: date | None = None) -> tuple[ProvisionReport, bool]:
    """The actor's organisation's report for `year`, created as a draft unless it exists
    (`created` False: the existing one, whatever its status). Forbidden for other roles or a
    post user without an organisation; RuleViolation when the organisation provides no KT1
    in the province; ValidationFailed for a year not yet begun."""
    require_role(actor, *EDITORS)
    if actor.organization is None or actor.province_code is None:
        raise errors.Forbidden("Tài khoản bưu điện chưa gắn với tổ chức cung cấp dịch vụ KT1.")
    if year > (on or today()).year:
        raise errors.ValidationFailed(f"Chưa thể lập báo cáo cho năm {year}.",
                                      errors={"year": ["Năm báo cáo chưa bắt đầu."]})
    key = (actor.province_code, actor.organization, year)
    existing = _find(session, *key)
    if existing is not None:
        return existing, False
    if not _is_provider(session, actor.province_code, actor.organization):
        raise errors.RuleViolation(
            f"{actor.organization} không có điểm cung cấp dịch vụ bưu chính KT1 nào trên địa "
            "bàn; không có báo cáo năm để lập.")
    report = ProvisionReport(id=uuid.uuid4(), province_code=key[0], organization=key[1],
                             year=year, status="draft", created_by=actor.id, version=1)
    try:
        with session.begin_nested():
            session.add(report)
            session.flush()
    except IntegrityError:  # created meanwhile by a colleague: theirs is the report
        found = _find(session, *key)
        assert found is not None
        return found, False
    return report, True


def _find(session: Session, province_code: str, organization: str,
          year: int) -> ProvisionReport | None:
    return session.scalar(select(ProvisionReport).where(
        ProvisionReport.province_code == province_code,
        ProvisionReport.organization == organization, ProvisionReport.year == year))


def edit(session: Session, actor: User, report_id: uuid.UUID, *, if_match: int | None,
         changes: Mapping[str, Any]) -> ProvisionReport:
    """Change content fields of a draft or returned report (If-Match required). `compliance`
    merges by aspect (a null text clears one); `incidents` replaces the list; null clears a
    field. ValidationFailed for unknown fields or aspects, negative figures, or a local volume
    above the total."""
    report = _for_editing(session, actor, report_id, if_match, "sửa")
    unknown = sorted(set(changes) - set(CONTENT))
    if unknown:
        raise errors.ValidationFailed("Báo cáo không có các trường này.",
                                      errors={k: ["Trường không được hỗ trợ."] for k in unknown})
    checked = {name: _checked(name, value, report) for name, value in changes.items()}
    total, local = (checked.get(n, getattr(report, n)) for n in ("total_volume", "local_volume"))
    if total is not None and local is not None and local > total:
        raise errors.ValidationFailed(
            "Sản lượng trên địa bàn không thể lớn hơn tổng sản lượng.",
            errors={"local_volume": ["Lớn hơn tổng sản lượng (total_volume)."]})
    for name, value in checked.items():
        setattr(report, name, value)
    report.version += 1
    session.flush()
    return report


def _for_editing(session: Session, actor: User, report_id: uuid.UUID, if_match: int | None,
                 action: str) -> ProvisionReport:
    report = get_report(session, actor, report_id)
    require_role(actor, *EDITORS)
    expect_version(report.version, if_match, what="báo cáo")
    _ensure_status(report, EDITABLE, action)
    return report


def _ensure_status(report: ProvisionReport, allowed: Sequence[str], action: str) -> None:
    if report.status not in allowed:
        raise errors.InvalidState(
            f"Không thể {action} báo cáo đang ở trạng thái '{report.status}'.",
            current_status=report.status, allowed_from=list(allowed))


def _checked(name: str, value: Any, report: ProvisionReport) -> Any:
    if value is None:
        return None
    if name in FIGURES:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise errors.ValidationFailed("Số liệu phải là số nguyên không âm.",
                                          errors={name: ["Phải là số nguyên không âm."]})
        return value
    if name == "compliance":
        return _compliance(dict(report.compliance or {}), value)
    if name == "incidents":
        return [_incident(i, n) for n, i in enumerate(value)]
    if name in SIGNATURE:
        return unicodedata.normalize("NFC", str(value)).strip() or None
    return str(value)


def _compliance(current: dict[str, Any], given: Mapping[str, Any]) -> dict[str, Any] | None:
    unknown = [a for a in given if a not in COMPLIANCE_ASPECTS]
    if unknown:
        raise errors.ValidationFailed(
            f"Nội dung chấp hành quy định chỉ gồm: {', '.join(COMPLIANCE_ASPECTS)}.",
            errors={f"compliance.{a}": ["Nội dung không được hỗ trợ."] for a in unknown})
    for aspect, text in given.items():
        if text is None:
            current.pop(aspect, None)
        else:
            current[aspect] = str(text)
    return {a: current[a] for a in COMPLIANCE_ASPECTS if a in current} or None


def _incident(given: Mapping[str, Any], n: int) -> dict[str, Any]:
    """{occurred_on (ISO date), description, handling}, each stated."""
    occurred = given.get("occurred_on")
    texts = {k: str(given.get(k) or "").strip() for k in ("description", "handling")}
    missing = [k for k, v in texts.items() if not v] + ([] if occurred else ["occurred_on"])
    if missing:
        raise errors.ValidationFailed(
            f"Sự cố thứ {n + 1} cần nêu ngày xảy ra, nội dung và cách xử lý.",
            errors={f"incidents.{n}.{k}": ["Thiếu trường bắt buộc."] for k in missing})
    try:
        day = occurred if isinstance(occurred, date) else date.fromisoformat(str(occurred))
    except ValueError:
        raise errors.ValidationFailed(
            f"Ngày xảy ra sự cố thứ {n + 1} không hợp lệ.",
            errors={f"incidents.{n}.occurred_on": ["Không phải ngày hợp lệ (YYYY-MM-DD)."]},
        ) from None
    return {"occurred_on": day.isoformat(), "description": str(given["description"]),
            "handling": str(given["handling"])}


def missing_content(report: ProvisionReport) -> dict[str, list[str]]:
    """Every content field still to state, keyed as the 422 lists them (empty: complete)."""
    stated = {name: getattr(report, name) is not None for name in FIGURES}
    stated |= {name: bool((getattr(report, name) or "").strip()) for name in TEXTS}
    stated["incidents"] = report.incidents is not None
    compliance = report.compliance or {}
    stated |= {f"compliance.{a}": bool(str(compliance.get(a) or "").strip())
               for a in COMPLIANCE_ASPECTS}
    return {name: [MISSING[name]] for name in MISSING if not stated[name]}


def submit(session: Session, actor: User, report_id: uuid.UUID, *, if_match: int | None,
           now: datetime | None = None) -> tuple[ProvisionReport, Job]:
    """Send a complete draft or returned report to the Sở (If-Match required), and create the
    job that renders it (the caller enqueues it after commit). ValidationFailed lists every
    content field missing."""
    report = _for_editing(session, actor, report_id, if_match, "gửi")
    missing = missing_content(report)
    if missing:
        raise errors.ValidationFailed(
            f"Chưa thể gửi báo cáo: còn {len(missing)} nội dung chưa nêu.", errors=missing,
            missing=list(missing))
    now = now or utcnow()
    report.status, report.submitted_at, report.submitted_by = "submitted", now, actor.id
    report.first_submitted_on = report.first_submitted_on or today(now)
    report.pdf_sha256 = report.docx_sha256 = None  # this sending gets its own document
    report.version += 1
    session.flush()
    job = jobs.create(session, actor, PROVISION_KIND, {"report_id": str(report.id)},
                      report.province_code)
    report.job_id = job.id
    session.flush()
    return report, job


# --- The Sở's review ---------------------------------------------------------------------------

def review(session: Session, actor: User, report_id: uuid.UUID, *, decision: str,
           if_match: int | None, comment: str | None = None,
           now: datetime | None = None) -> ProvisionReport:
    """The province's supervisor (or an admin) accepts (`received_on` becomes the day it was
    sent) or returns (a comment required; the post office edits and sends again) a sent
    report. If-Match required."""
    report = get_report(session, actor, report_id)
    require_role(actor, *REVIEWERS)
    expect_version(report.version, if_match, what="báo cáo")
    action = "tiếp nhận" if decision == "accept" else "trả lại"
    _ensure_status(report, ("submitted",), action)
    if decision not in DECISIONS:
        raise errors.ValidationFailed("Quyết định phải là accept hoặc return.",
                                      errors={"decision": ["Phải là accept hoặc return."]})
    if decision == "return" and not (comment or "").strip():
        raise errors.ValidationFailed("Trả lại báo cáo cần ghi rõ lý do.",
                                      errors={"comment": ["Bắt buộc khi trả lại báo cáo."]})
    report.status = DECISIONS[decision]
    report.reviewed_at, report.reviewed_by = now or utcnow(), actor.id
    report.review_comment = comment
    if decision == "accept":
        assert report.submitted_at is not None
        report.received_on = today(report.submitted_at)
    report.version += 1
    session.flush()
    return report


# --- Reading ---------------------------------------------------------------------------------

def _sees(actor: User, report: ProvisionReport) -> bool:
    if not actor.is_national and report.province_code != actor.province_code:
        return False
    return actor.role != "post" or report.organization == actor.organization


def find_report(session: Session, actor: User,
                report_id: uuid.UUID) -> ProvisionReport | None:
    report = session.get(ProvisionReport, report_id)
    return report if report is not None and _sees(actor, report) else None


def get_report(session: Session, actor: User, report_id: uuid.UUID) -> ProvisionReport:
    """The report, for the post office that writes it and the province's supervisors and
    admins (Forbidden for other roles; NotFound outside the actor's province or
    organisation)."""
    require_role(actor, *READERS)
    report = find_report(session, actor, report_id)
    if report is None:
        raise errors.NotFound("Không tìm thấy báo cáo năm về cung cấp dịch vụ KT1.")
    return report


def _scope(actor: User, province: Any, organization: Any) -> ColumnElement[bool]:
    where = true() if actor.is_national else province == actor.province_code
    if actor.role == "post":
        where = and_(where, organization == actor.organization)
    return where


def list_reports(actor: User, *, year: int | None = None, status: str | None = None,
                 organization: str | None = None,
                 province_code: str | None = None) -> Select[Any]:
    """Reports the actor may read, newest year first, then by organisation."""
    require_role(actor, *READERS)
    stmt = select(ProvisionReport).where(
        _scope(actor, ProvisionReport.province_code, ProvisionReport.organization))
    for column, value in ((ProvisionReport.year, year), (ProvisionReport.status, status),
                          (ProvisionReport.organization, organization),
                          (ProvisionReport.province_code, province_code)):
        if value is not None:
            stmt = stmt.where(column == value)
    return stmt.order_by(ProvisionReport.year.desc(), ProvisionReport.province_code,
                         ProvisionReport.organization, ProvisionReport.id)


document_sha256 = documents.PROVISION.document_sha256
"""The rendered document's key (pdf or docx); InvalidState before there is one."""


# --- Rendering (job side) --------------------------------------------------------------------

@dataclass(frozen=True)
class ProvisionFacts:
    """What the document states besides the report: the province as a sentence writes it
    ("thành phố Cần Thơ"), the date line's place, the sending day, the parent body."""

    report: ProvisionReport
    province: str
    place: str
    sent_on: date
    parent: str


lock_for_issue = documents.PROVISION.lock_for_issue
is_issued = documents.PROVISION.is_issued
"""Rendered for its latest sending."""


def facts(session: Session, report: ProvisionReport) -> ProvisionFacts:
    """InvalidState unless the report is sent (a job that outlived a return)."""
    if report.status not in SENT or report.submitted_at is None:
        raise errors.InvalidState(
            f"Báo cáo không còn ở trạng thái đã gửi (hiện tại: '{report.status}'); "
            "không lập văn bản.")
    province = session.get_one(Province, report.province_code).name
    return ProvisionFacts(report, province[:1].lower() + province[1:],
                          notices.issuing_body(session, report.province_code).place,
                          today(report.submitted_at), parent_body(report.organization))


def mark_issued(session: Session, report: ProvisionReport, *,
                files: dict[str, str]) -> ProvisionReport:
    """Record the documents (`files`: the stored pdf and docx; derived from the content, the
    version does not change)."""
    return documents.PROVISION.mark_issued(session, report, files=files)
