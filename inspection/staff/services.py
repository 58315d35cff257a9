"""The KT1 staff roster (Cần Thơ directive 3c, 5d; Hải Phòng 3, 5): a provider's workers
directly involved in KT1, the police's vetting of their political standards, and the roster's
aggregate figures for checklist section C.

Who. The post office's own users (`post`, same organisation and province) add and edit its
workers and ask for vetting; a `police` user of the province records the outcome; the Sở's
supervisors of the province read. Nobody else reads personal data: another role is Forbidden,
another province or organisation NotFound. Every read (`read_member`, `read_page`) appends a
`read` entry per worker to the audit chain. The figures (`figures_for_site`) are counts only
and are readable by anyone who may read the site.

Vetting: `not_requested | not_vetted -> requested -> vetted | not_vetted`. A vetting is of a
named person: a name change puts a `requested` or `vetted` worker back to `not_requested` (and
says so); a `not_vetted` outcome stays (renaming never erases a refusal). Days are Vietnamese
calendar days; a worker is current on day D when joined on or before D and not left by D.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, false, func, or_, select
from sqlalchemy.orm import Session

from inspection import audit, errors, notices, sites
from inspection.models import Site, StaffMember, User
from inspection.models.staff import ROSTER_READERS
from inspection.scope import province_clause, require_role
from inspection.versions import expect_version

READERS = ROSTER_READERS
WRITERS = ("post",)
VETTERS = ("police",)
EDITABLE = ("site_id", "full_name", "position", "joined_on", "trained_on",
            "secrecy_commitment", "left_on")
OUTCOMES = ("vetted", "not_vetted")
REQUESTABLE = ("not_requested", "not_vetted")
RESET_BY_RENAME = ("requested", "vetted")
EARLIEST = date(1950, 1, 1)
JOIN_AHEAD = timedelta(days=366)
"""A worker selected for KT1 may be put on the roster (and vetted, as 5d asks) before the day
they start, up to a year ahead; every other date is of something that already happened."""

CHECKLIST_ITEMS = {"C1": "involved", "C2": "vetted", "C4": "secrecy_commitments",
                   "C5.1": "last_trained_on"}
"""Items of the built-in KT1-PROVIDER checklist (section C) and the site figure each matches."""

WHAT = "người lao động"


def today() -> date:
    return notices.today_in_vietnam()


# --- Scope ------------------------------------------------------------------------------------

def _visible(actor: User) -> ColumnElement[bool]:
    clause = province_clause(actor, StaffMember.province_code)
    if actor.role == "post":
        if not actor.organization:
            return false()
        clause = and_(clause, StaffMember.organization == actor.organization)
    return clause


def _find(session: Session, actor: User, member_id: uuid.UUID, *,
          for_update: bool = False) -> StaffMember:
    stmt = select(StaffMember).where(StaffMember.id == member_id, _visible(actor))
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    member = session.scalar(stmt)
    if member is None:
        raise errors.NotFound(f"Không tìm thấy {WHAT}.")
    return member


def get_member(session: Session, actor: User, member_id: uuid.UUID) -> StaffMember:
    """The worker, for a reader in scope (NOT audited: for checks before a write; a view that
    shows the record uses `read_member`). Forbidden for other roles, NotFound out of scope."""
    require_role(actor, *READERS)
    return _find(session, actor, member_id)


def read_member(session: Session, actor: User, member_id: uuid.UUID) -> StaffMember:
    """The worker, with the read recorded in the audit chain."""
    member = get_member(session, actor, member_id)
    _audit_reads(session, [member], {"via": "record"})
    return member


def roster_select(actor: User, *, site_id: uuid.UUID | None = None,
                  organization: str | None = None, vetting_status: str | None = None,
                  include_left: bool = False) -> Select[Any]:
    """Workers the actor may read, filtered (current and future ones; with `include_left`
    those who left too), by organisation, name and id."""
    require_role(actor, *READERS)
    stmt = select(StaffMember).where(_visible(actor))
    if site_id is not None:
        stmt = stmt.where(StaffMember.site_id == site_id)
    if organization is not None:
        stmt = stmt.where(StaffMember.organization == organization)
    if vetting_status is not None:
        stmt = stmt.where(StaffMember.vetting_status == vetting_status)
    if not include_left:
        stmt = stmt.where(StaffMember.left_on.is_(None))
    return stmt.order_by(StaffMember.organization, StaffMember.full_name, StaffMember.id)


def read_page(session: Session, actor: User, page: Callable[[Select[Any]], list[Any]],
              **filters: Any) -> list[StaffMember]:
    """One page of `roster_select(actor, **filters)`, cut by `page`; every worker on it is
    recorded as read (with the filters used) in the audit chain."""
    rows: list[StaffMember] = page(roster_select(actor, **filters))
    used = {k: str(v) if isinstance(v, uuid.UUID) else v for k, v in filters.items()
            if v is not None}
    _audit_reads(session, rows, {"via": "list", "filters": used})
    return rows


def _audit_reads(session: Session, rows: list[StaffMember], detail: dict[str, Any]) -> None:
    audit.record_reads(session, entity=StaffMember.__tablename__, detail=detail,
                       records=[(str(m.id), m.province_code) for m in rows])


# --- The post office's writes -----------------------------------------------------------------

@dataclass(frozen=True)
class Edited:
    """A worker after an edit, and what the edit did besides (e.g. the vetting it reset)."""

    member: StaffMember
    warnings: list[dict[str, str]] = field(default_factory=list)


def _require_post(actor: User) -> str:
    require_role(actor, *WRITERS)
    if not actor.organization:
        raise errors.Forbidden("Tài khoản bưu điện chưa gắn với doanh nghiệp cung cấp dịch vụ "
                               "KT1 nào.")
    return actor.organization


def _provider_site(session: Session, actor: User, site_id: uuid.UUID) -> Site:
    """A `kt1_provider` site of the actor's organisation and province (422 otherwise)."""
    site = sites.find_site(session, actor, site_id)  # the actor's province and organisation
    if site is None:
        raise errors.ValidationFailed(
            "Cơ sở không thuộc doanh nghiệp của bạn trong tỉnh, thành phố này.",
            errors={"site_id": ["not a site of your organisation"]})
    if site.kind != "kt1_provider":
        raise errors.ValidationFailed(
            "Cơ sở phải là điểm cung cấp dịch vụ KT1 (kt1_provider), không phải cơ quan sử dụng.",
            errors={"site_id": ["not a kt1_provider site"]})
    return site


def clean_text(value: str) -> str:
    """NFC, trimmed, inner runs of whitespace as one space."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", value)).strip()


DATES = ("joined_on", "trained_on", "left_on")


def _check_dates(dates: Mapping[str, date | None], on: date) -> None:
    """`dates` holds the worker's DATES as they would be: ValidationFailed by field."""
    problems: dict[str, list[str]] = {}
    for name in DATES:
        value = dates[name]
        if value is not None and value < EARLIEST:
            problems.setdefault(name, []).append(f"before {EARLIEST.isoformat()}")
        if value is not None and name != "joined_on" and value > on:
            problems.setdefault(name, []).append("in the future")
    joined, left = dates["joined_on"], dates["left_on"]
    if joined is not None and joined > on + JOIN_AHEAD:
        problems.setdefault("joined_on", []).append("more than a year ahead")
    if joined is not None and left is not None and left < joined:
        problems.setdefault("left_on", []).append("before joined_on")
    if problems:
        raise errors.ValidationFailed(
            "Ngày không hợp lệ: ngày vào làm không quá một năm tới; ngày tập huấn, ngày nghỉ "
            "không ở tương lai; ngày nghỉ không trước ngày vào làm.", errors=problems)


def _text(name: str, value: str) -> str:
    cleaned = clean_text(value)
    if not cleaned:
        raise errors.ValidationFailed("Họ tên và vị trí công việc không được để trống.",
                                      errors={name: ["blank"]})
    return cleaned


def add_member(session: Session, actor: User, *, site_id: uuid.UUID, full_name: str,
               position: str, joined_on: date, trained_on: date | None = None,
               secrecy_commitment: bool = False, left_on: date | None = None) -> StaffMember:
    """A worker on the roster of the actor's organisation, at one of its KT1 provider sites
    (vetting `not_requested`). Post users only."""
    organization = _require_post(actor)
    site = _provider_site(session, actor, site_id)
    _check_dates({"joined_on": joined_on, "trained_on": trained_on, "left_on": left_on},
                 today())
    member = StaffMember(
        id=uuid.uuid4(), province_code=site.province_code, organization=organization,
        site_id=site.id, full_name=_text("full_name", full_name),
        position=_text("position", position), joined_on=joined_on, trained_on=trained_on,
        secrecy_commitment=secrecy_commitment, left_on=left_on, vetting_status="not_requested",
        created_by=actor.id, version=1)
    session.add(member)
    session.flush()
    return member


def edit_member(session: Session, actor: User, member_id: uuid.UUID, *,
                if_match: int | None, changes: Mapping[str, Any]) -> Edited:
    """PATCH semantics over EDITABLE (If-Match required); the version moves only when a
    value does. A new name resets a `requested` or `vetted` vetting, with a warning."""
    _require_post(actor)
    member = _find(session, actor, member_id, for_update=True)
    expect_version(member.version, if_match, what=WHAT)
    new = _cleaned(session, actor, changes)
    changed = {k: v for k, v in new.items() if getattr(member, k) != v}
    if not changed:
        return Edited(member)
    _check_dates({name: changed.get(name, getattr(member, name)) for name in DATES}, today())
    renamed = "full_name" in changed
    for key, value in changed.items():
        setattr(member, key, value)
    warnings = []
    if renamed and member.vetting_status in RESET_BY_RENAME:
        warnings.append({"code": "vetting-reset", "detail": (
            f"Họ tên đã thay đổi khi thẩm tra đang ở trạng thái '{member.vetting_status}': "
            "kết quả hoặc đề nghị thẩm tra không còn ứng với người này, nên trạng thái được "
            "đặt lại 'not_requested'. Cần đề nghị Công an thẩm tra lại.")})
        _clear_vetting(member)
    member.version += 1
    session.flush()
    return Edited(member, warnings)


def _cleaned(session: Session, actor: User, changes: Mapping[str, Any]) -> dict[str, Any]:
    """The changes checked field by field: texts cleaned, the site one of the actor's."""
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise errors.ValidationFailed("Không sửa được các trường này.",
                                      errors={k: ["not editable"] for k in unknown})
    new = dict(changes)
    for name in ("full_name", "position"):
        if name in new:
            new[name] = _text(name, new[name])
    if "site_id" in new:
        new["site_id"] = _provider_site(session, actor, new["site_id"]).id
    missing = [k for k in ("joined_on", "secrecy_commitment") if k in new and new[k] is None]
    if missing:
        raise errors.ValidationFailed("Ngày vào làm và cam kết bảo vệ bí mật không để trống.",
                                      errors={k: ["required"] for k in missing})
    return new


def _clear_vetting(member: StaffMember) -> None:
    member.vetting_status = "not_requested"
    member.vetting_requested_on = member.vetting_requested_by = None
    member.vetting_reference = member.vetting_decided_on = member.vetting_decided_by = None


# --- Vetting ----------------------------------------------------------------------------------

def request_vetting(session: Session, actor: User, member_id: uuid.UUID, *,
                    if_match: int | None, requested_on: date | None = None) -> StaffMember:
    """The post office asks the police to vet a worker (`not_requested` or `not_vetted` ->
    `requested`) on `requested_on` (default today; not in the future). Not for a worker who
    has left."""
    _require_post(actor)
    member = _find(session, actor, member_id, for_update=True)
    expect_version(member.version, if_match, what=WHAT)
    on = today()
    requested_on = requested_on or on
    if member.vetting_status not in REQUESTABLE:
        raise errors.InvalidState(
            f"Chỉ đề nghị thẩm tra khi trạng thái là {' hoặc '.join(REQUESTABLE)}; hiện là "
            f"'{member.vetting_status}'.", vetting_status=member.vetting_status)
    if member.left_on is not None:
        raise errors.InvalidState("Người lao động đã nghỉ; không đề nghị thẩm tra.",
                                  vetting_status=member.vetting_status)
    if not EARLIEST <= requested_on <= on:
        raise errors.ValidationFailed("Ngày đề nghị không được ở tương lai.",
                                      errors={"requested_on": ["in the future or absurd"]})
    _clear_vetting(member)
    member.vetting_status = "requested"
    member.vetting_requested_on, member.vetting_requested_by = requested_on, actor.id
    member.version += 1
    session.flush()
    return member


def record_vetting(session: Session, actor: User, member_id: uuid.UUID, *,
                   if_match: int | None, outcome: str, reference: str,
                   decided_on: date) -> StaffMember:
    """A police officer of the province records the outcome of a requested vetting, with the
    reference of the police's document and its date (not before the request, not ahead)."""
    require_role(actor, *VETTERS)
    member = _find(session, actor, member_id, for_update=True)
    expect_version(member.version, if_match, what=WHAT)
    if outcome not in OUTCOMES:
        raise errors.ValidationFailed(f"Kết quả phải là một trong: {', '.join(OUTCOMES)}.",
                                      errors={"outcome": ["unknown outcome"]})
    if member.vetting_status != "requested":
        raise errors.InvalidState(
            f"Chỉ ghi kết quả cho đề nghị đang chờ (requested); hiện là "
            f"'{member.vetting_status}'.", vetting_status=member.vetting_status)
    reference = clean_text(reference)
    if not reference:
        raise errors.ValidationFailed("Cần số, ký hiệu văn bản của Công an.",
                                      errors={"reference": ["blank"]})
    requested_on = member.vetting_requested_on or EARLIEST
    if not requested_on <= decided_on <= today():
        raise errors.ValidationFailed(
            "Ngày có kết quả phải từ ngày đề nghị đến hôm nay.",
            errors={"decided_on": [f"not between {requested_on.isoformat()} and today"]})
    member.vetting_status, member.vetting_reference = outcome, reference
    member.vetting_decided_on, member.vetting_decided_by = decided_on, actor.id
    member.version += 1
    session.flush()
    return member


# --- Figures for checklist section C ----------------------------------------------------------

@dataclass(frozen=True)
class Figures:
    """Counts of current workers; `involved` = the four vetting statuses' counts summed."""

    involved: int
    vetted: int
    vetting_pending: int
    not_vetted: int
    not_requested: int
    secrecy_commitments: int
    trained: int
    last_trained_on: date | None


@dataclass(frozen=True)
class StaffFigures:
    """A provider site's figures and its organisation's in the province, on day `as_of`."""

    site_id: uuid.UUID
    organization: str
    as_of: date
    site: Figures
    organization_wide: Figures

    @property
    def checklist_items(self) -> dict[str, Any]:
        """The site's figure for each item of CHECKLIST_ITEMS."""
        return {code: getattr(self.site, name) for code, name in CHECKLIST_ITEMS.items()}


def current_clause(on: date) -> ColumnElement[bool]:
    return and_(StaffMember.joined_on <= on,
                or_(StaffMember.left_on.is_(None), StaffMember.left_on > on))


def _aggregates() -> list[Any]:
    def count(condition: ColumnElement[bool]) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    status = StaffMember.vetting_status
    return [func.count(), count(status == "vetted"), count(status == "requested"),
            count(status == "not_vetted"), count(status == "not_requested"),
            count(StaffMember.secrecy_commitment.is_(True)),
            count(StaffMember.trained_on.is_not(None)), func.max(StaffMember.trained_on)]


def _figures(values: Any) -> Figures:
    *counts, last = values
    if isinstance(last, str):  # should SQLite hand MAX() back as text
        last = date.fromisoformat(last)
    involved, vetted, pending, not_vetted, not_requested, committed, trained = map(int, counts)
    return Figures(involved=involved, vetted=vetted, vetting_pending=pending,
                   not_vetted=not_vetted, not_requested=not_requested,
                   secrecy_commitments=committed, trained=trained, last_trained_on=last)


NOBODY = Figures(0, 0, 0, 0, 0, 0, 0, None)


def figures_of_sites(session: Session, shown: Sequence[Site], *,
                     on: date | None = None) -> list[StaffFigures]:
    """The figures of each `kt1_provider` site of `shown` (other kinds are skipped), in two
    grouped queries. No scope check: for callers that have checked the sites are visible."""
    providers = [s for s in shown if s.kind == "kt1_provider"]
    if not providers:
        return []
    on = on or today()
    by_site = {row[0]: _figures(row[1:]) for row in session.execute(
        select(StaffMember.site_id, *_aggregates())
        .where(StaffMember.site_id.in_({s.id for s in providers}), current_clause(on))
        .group_by(StaffMember.site_id))}
    organizations = sorted({(s.province_code, s.organization) for s in providers})
    by_organization = {(row[0], row[1]): _figures(row[2:]) for row in session.execute(
        select(StaffMember.province_code, StaffMember.organization, *_aggregates())
        .where(or_(*[and_(StaffMember.province_code == province,
                          StaffMember.organization == organization)
                     for province, organization in organizations]), current_clause(on))
        .group_by(StaffMember.province_code, StaffMember.organization))}
    return [StaffFigures(site_id=s.id, organization=s.organization, as_of=on,
                         site=by_site.get(s.id, NOBODY),
                         organization_wide=by_organization.get(
                             (s.province_code, s.organization), NOBODY))
            for s in providers]


def figures_of(session: Session, site: Site, *, on: date | None = None) -> StaffFigures | None:
    """The figures of one site (None unless it is a `kt1_provider`); no scope check."""
    found = figures_of_sites(session, [site], on=on)
    return found[0] if found else None


def figures_for_site(session: Session, actor: User, site_id: uuid.UUID) -> StaffFigures:
    """The figures of a site the actor may read (NotFound otherwise); InvalidState for a
    user agency's site, which keeps no KT1 roster."""
    site = sites.get_site(session, actor, site_id)
    shown = figures_of(session, site)
    if shown is None:
        raise errors.InvalidState("Cơ sở là cơ quan sử dụng dịch vụ KT1; không có danh sách "
                                  "người lao động KT1.", kind=site.kind)
    return shown

