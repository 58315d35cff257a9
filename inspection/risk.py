"""Risk-based planning (Cần Thơ directive 3b: identify the key targets and areas): a score per
site and per commune, with the reasons that make it, so a supervisor plans the next campaign
from the top of the list.

A site's score is the sum of these points, each shown as a reason:
- each open finding (open, confirmed, or remediated but not yet verified) of an approved
  inspection by severity: critical 8, high 4, medium 2, low 1; the findings of an inspection
  not yet approved (draft, submitted, returned) are awaiting review: a reason says so, for
  no points;
- each finding of an overdue notice (issued, due before today, still confirmed) the same
  weight again;
- time since the last inspection that was submitted (submitted, returned or approved): one point
  per full 30 days beyond 180 days, at most 12; a site never inspected scores the 12;
- a KT1 provider's current workers: 6 for each the police did not clear (`not_vetted`), 2 for
  each not yet vetted (vetting not requested, or requested and pending);
- its organisation's annual KT1 report for the last year whose 10 December has passed: 6 when
  overdue, 3 when it was sent late.
A commune's score is the sum of its sites'. Ties go to the site with the most severe open
finding, then by name. Every count is one grouped query over the province.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from geoalchemy2 import functions as gf
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from geo import geojson
from inspection import campaigns
from inspection.labels import label
from inspection.map import COORDINATE_DIGITS, REVIEWED, outline
from inspection.models import (
    Assignment,
    Campaign,
    Checklist,
    Commune,
    Finding,
    Inspection,
    Notice,
    ProvisionReport,
    Site,
    StaffMember,
    User,
)
from inspection.models.checklists import SEVERITIES
from inspection.models.inspections import OPEN_FINDING_STATUSES
from inspection.notices import today_in_vietnam
from inspection.provision import deadline as provision_deadline
from inspection.scope import require_role, resolve_province
from inspection.staff import current_clause

READERS = ("admin", "supervisor", "police")
SEVERITY_POINTS = {"critical": 8, "high": 4, "medium": 2, "low": 1}
INSPECTED = ("submitted", "returned", "approved")
GRACE_DAYS, DAYS_PER_POINT, MAX_AGE_POINTS = 180, 30, 12
NOT_VETTED_POINTS, UNVETTED_POINTS = 6, 2
REPORT_OVERDUE_POINTS, REPORT_LATE_POINTS = 6, 3


@dataclass(frozen=True)
class Reason:
    code: str
    text: str
    points: int


@dataclass
class SiteRisk:
    site_id: uuid.UUID
    name: str
    kind: str
    organization: str
    commune_code: str | None
    last_inspected_on: date | None
    reasons: list[Reason] = field(default_factory=list)
    worst: int = len(SEVERITIES)  # index in SEVERITIES of its most severe open finding

    @property
    def score(self) -> int:
        return sum(r.points for r in self.reasons)


@dataclass(frozen=True)
class CommuneRisk:
    code: str
    name: str
    score: int
    sites: int
    sites_at_risk: int
    top_site_id: uuid.UUID | None


@dataclass(frozen=True)
class RiskList:
    province_code: str
    as_of: date
    report_year: int
    sites: list[SiteRisk]
    communes: list[CommuneRisk]


def report_year(on: date) -> int:
    """The last year whose annual report deadline (10 December) has passed on day `on`."""
    return on.year if on > provision_deadline.due_on(on.year) else on.year - 1


def assess(session: Session, actor: User, *, province_code: str | None, on: date,
           kind: str | None = None) -> RiskList:
    """The province's sites (of `kind`, if given) in risk order, and its communes."""
    require_role(actor, *READERS)
    code = resolve_province(session, actor, province_code)
    return compute(session, code, on=on, kind=kind)


def compute(session: Session, province_code: str, *, on: date,
            kind: str | None = None) -> RiskList:
    """`assess` without the actor's checks (for jobs and campaign planning)."""
    stmt = select(Site).where(Site.province_code == province_code)
    if kind is not None:
        stmt = stmt.where(Site.kind == kind)
    sites = {s.id: s for s in session.scalars(stmt)}
    last = _last_inspected(session, province_code)
    risks = {sid: SiteRisk(sid, s.name, s.kind, s.organization, s.commune_code,
                           last.get(sid)) for sid, s in sites.items()}
    _open_findings(session, province_code, risks)
    _overdue_findings(session, province_code, on, risks)
    for r in risks.values():
        _age(r, on)
    _staff(session, province_code, on, risks)
    year = report_year(on)
    _annual_reports(session, province_code, year, on, risks)
    ranked = sorted(risks.values(), key=lambda r: (-r.score, r.worst, r.name, str(r.site_id)))
    return RiskList(province_code, on, year, ranked,
                    _communes(session, province_code, ranked))


def _last_inspected(session: Session, province_code: str) -> dict[uuid.UUID, date]:
    rows = session.execute(
        select(Inspection.site_id, func.max(Inspection.started_at))
        .where(Inspection.province_code == province_code, Inspection.status.in_(INSPECTED))
        .group_by(Inspection.site_id))
    return {sid: today_in_vietnam(at) for sid, at in rows if at is not None}


def _open_findings(session: Session, province_code: str, risks: dict[uuid.UUID, SiteRisk]
                   ) -> None:
    counts: dict[uuid.UUID, dict[str, int]] = defaultdict(dict)
    awaiting: dict[uuid.UUID, int] = defaultdict(int)
    for sid, severity, inspection_status, n in session.execute(
            select(Finding.site_id, Finding.severity, Inspection.status, func.count())
            .join(Inspection, Inspection.id == Finding.inspection_id)
            .where(Finding.province_code == province_code,
                   Finding.status.in_(OPEN_FINDING_STATUSES))
            .group_by(Finding.site_id, Finding.severity, Inspection.status)):
        if inspection_status == REVIEWED:
            counts[sid][severity] = counts[sid].get(severity, 0) + n
        else:
            awaiting[sid] += n
    for sid, by_severity in counts.items():
        risk = risks.get(sid)
        if risk is None:
            continue
        present = [s for s in SEVERITIES if by_severity.get(s)]
        risk.worst = SEVERITIES.index(present[0]) if present else risk.worst
        total = sum(by_severity.values())
        detail = ", ".join(f"{by_severity[s]} {label('severity', s).lower()}" for s in present)
        risk.reasons.append(Reason(
            "open_findings", f"{total} phát hiện chưa khắc phục xong ({detail})",
            sum(SEVERITY_POINTS.get(s, 0) * n for s, n in by_severity.items())))
    for sid, n in awaiting.items():
        if sid in risks:
            risks[sid].reasons.append(Reason(
                "awaiting_review",
                f"{n} phát hiện của phiên kiểm tra chưa được duyệt (chưa tính điểm)", 0))


def _overdue_findings(session: Session, province_code: str, on: date,
                      risks: dict[uuid.UUID, SiteRisk]) -> None:
    rows = session.execute(
        select(Finding.site_id, Finding.severity, func.count())
        .join(Notice, Notice.inspection_id == Finding.inspection_id)
        # the notice's overdue rule (`inspection.notices.followup.overdue_clause`) for each
        # finding that keeps it overdue: the notice issued and past due, the finding still
        # confirmed
        .where(Notice.province_code == province_code, Notice.status == "issued",
               Notice.due_on < on, Finding.status == "confirmed")
        .group_by(Finding.site_id, Finding.severity))
    by_site: dict[uuid.UUID, list[tuple[str, int]]] = defaultdict(list)
    for sid, severity, n in rows:
        by_site[sid].append((severity, n))
    for sid, pairs in by_site.items():
        if sid in risks:
            risks[sid].reasons.append(Reason(
                "overdue_findings",
                f"{sum(n for _, n in pairs)} phát hiện quá hạn khắc phục theo thông báo",
                sum(SEVERITY_POINTS.get(s, 0) * n for s, n in pairs)))


def _age(risk: SiteRisk, on: date) -> None:
    if risk.last_inspected_on is None:
        risk.reasons.append(Reason("never_inspected", "Chưa từng được kiểm tra",
                                   MAX_AGE_POINTS))
        return
    days = (on - risk.last_inspected_on).days
    points = min(MAX_AGE_POINTS, max(0, (days - GRACE_DAYS) // DAYS_PER_POINT))
    if points:
        risk.reasons.append(Reason(
            "last_inspection",
            f"Lần kiểm tra gần nhất ngày {risk.last_inspected_on:%d/%m/%Y} ({days} ngày trước)",
            points))


def _staff(session: Session, province_code: str, on: date,
           risks: dict[uuid.UUID, SiteRisk]) -> None:
    rows = session.execute(
        select(StaffMember.site_id, StaffMember.vetting_status, func.count())
        .where(StaffMember.province_code == province_code, current_clause(on),
               StaffMember.vetting_status != "vetted")
        .group_by(StaffMember.site_id, StaffMember.vetting_status))
    by_site: dict[uuid.UUID, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for sid, status, n in rows:
        by_site[sid][status] += n
    for sid, counts in by_site.items():
        risk = risks.get(sid)
        if risk is None:
            continue
        if counts.get("not_vetted"):
            risk.reasons.append(Reason(
                "staff_not_vetted",
                f"{counts['not_vetted']} người lao động KT1 không đạt thẩm tra vẫn đang làm việc",
                NOT_VETTED_POINTS * counts["not_vetted"]))
        pending = counts.get("not_requested", 0) + counts.get("requested", 0)
        if pending:
            risk.reasons.append(Reason(
                "staff_unvetted", f"{pending} người lao động KT1 chưa được thẩm tra",
                UNVETTED_POINTS * pending))


def _annual_reports(session: Session, province_code: str, year: int, on: date,
                    risks: dict[uuid.UUID, SiteRisk]) -> None:
    providers = {r.organization for r in risks.values()
                 if r.kind == "kt1_provider" and r.organization}
    if not providers:
        return
    reports = {r.organization: r for r in session.scalars(select(ProvisionReport).where(
        and_(ProvisionReport.province_code == province_code, ProvisionReport.year == year,
             ProvisionReport.organization.in_(providers))))}
    reasons: dict[str, Reason] = {}
    for organization in providers:
        report = reports.get(organization)
        overdue, days = provision_deadline.lateness(report, year=year, on=on)
        first = report.first_submitted_on if report is not None else None
        if overdue:
            reasons[organization] = Reason(
                "annual_report_overdue",
                f"Báo cáo năm {year} về dịch vụ KT1 quá hạn {days} ngày", REPORT_OVERDUE_POINTS)
        elif first is not None and first > provision_deadline.due_on(year):
            reasons[organization] = Reason(
                "annual_report_late", f"Báo cáo năm {year} về dịch vụ KT1 gửi muộn "
                f"(ngày {first:%d/%m/%Y})", REPORT_LATE_POINTS)
    for risk in risks.values():
        if risk.kind == "kt1_provider" and risk.organization in reasons:
            risk.reasons.append(reasons[risk.organization])


def _communes(session: Session, province_code: str, ranked: list[SiteRisk]
              ) -> list[CommuneRisk]:
    names = dict(session.execute(select(Commune.code, Commune.name)
                                 .where(Commune.province_code == province_code)).all())
    grouped: dict[str, list[SiteRisk]] = defaultdict(list)
    for r in ranked:
        if r.commune_code is not None:
            grouped[r.commune_code].append(r)
    out = [CommuneRisk(code, names.get(code, code), sum(r.score for r in sites), len(sites),
                       sum(r.score > 0 for r in sites), sites[0].site_id if sites else None)
           for code, sites in grouped.items()]
    out += [CommuneRisk(code, name, 0, 0, 0, None)
            for code, name in names.items() if code not in grouped]
    return sorted(out, key=lambda c: (-c.score, c.name, c.code))


def as_reasons(risk: SiteRisk) -> list[dict[str, Any]]:
    return [{"code": r.code, "text": r.text, "points": r.points} for r in risk.reasons]


def commune_features(session: Session, actor: User, *, province_code: str, on: date,
                     tolerance: float) -> str:
    """The communes' risk as a GeoJSON FeatureCollection (text; the map's risk layer), the
    outlines simplified in the database as the choropleth's."""
    risk = assess(session, actor, province_code=province_code, on=on)
    shapes: dict[str, str | None] = dict(session.execute(
        select(Commune.code, gf.ST_AsGeoJSON(outline(tolerance), COORDINATE_DIGITS))
        .where(Commune.province_code == province_code)).all())
    return geojson.collection(
        (geojson.feature(c.code, {"code": c.code, "name": c.name, "score": c.score,
                                  "sites": c.sites, "sites_at_risk": c.sites_at_risk,
                                  "top_site_id": c.top_site_id}, shapes.get(c.code))
         for c in risk.communes), as_of=on.isoformat())


@dataclass(frozen=True)
class Plan:
    campaign: Campaign
    assignments: list[Assignment]


def plan_campaign(session: Session, actor: User, *, top: int, team: list[uuid.UUID],
                  due_on: date | None, on: date, **campaign: Any) -> Plan:
    """A campaign whose assignments are the `top` sites at risk (score above zero) of the
    kind its checklist inspects, all given to `team` and due on `due_on` (default: the
    campaign's last day). The joint-team rule and every check of a hand-made assignment
    apply; nothing is kept if one fails (the request's transaction is rolled back)."""
    require_role(actor, *campaigns.WRITERS)
    made = campaigns.create_campaign(session, actor, **campaign)
    checklist = session.get_one(Checklist, made.checklist_id)
    ranked = compute(session, made.province_code, on=on, kind=checklist.target_kind)
    chosen = [r for r in ranked.sites if r.score > 0][:top]
    assignments = [campaigns.create_assignment(session, actor, made.id, site_id=r.site_id,
                                               team=team, due_on=due_on or made.ends_on)
                   for r in chosen]
    return Plan(made, assignments)
