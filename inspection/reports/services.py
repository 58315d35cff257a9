"""Reports on KT1 inspections: asked for by a province's supervisors, figured in the database.

`request_report` creates the report and the job writing it in the web request's transaction;
the job (`workers.reports`) re-reads it (`lock_for_issue`), gathers its figures (`figures`:
aggregate queries only, never a loop over rows) and records the stored documents
(`mark_issued`: the report is then `ready`). An annual report covers a calendar year in
Vietnam time and compares it with the year before; a campaign report covers one campaign's
inspections.

An annual report also states the post offices' own annual reports of the year (its provision
section, `inspection.provision.deadline.summary`): each provider's status, dates and key figures.

What is counted (the same for every part):
- inspections done: `submitted` or `approved`, started in the period;
- findings: those of the inspections done, except `dismissed` ones;
- remediation rate: findings `remediated` or `verified` over those confirmed at some point
  (`confirmed`, `remediated`, `verified`);
- overdue: findings still `confirmed` whose `due_on` is before the report's day.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, literal, select
from sqlalchemy.orm import Session

from inspection import audit, documents, errors, jobs, notices, signers
from inspection.labels import LABELS
from inspection.models import (
    Assignment,
    Campaign,
    ChecklistItem,
    ChecklistSection,
    Commune,
    Finding,
    Inspection,
    Job,
    Province,
    Report,
    Site,
    User,
)
from inspection.models.checklists import SEVERITIES
from inspection.models.sites import SITE_KINDS
from inspection.notices import VIETNAM
from inspection.provision import deadline as provision_deadline
from inspection.scope import ensure_visible, province_clause, require_role

REQUESTERS = ("supervisor", "admin")
REPORT_KIND = "report"
REPORT_JOB = "workers.jobs.render_report_job"
TYPE_CODE = "BC"
"""The report's type in its symbol ("05/BC-SKHCN", Decree 30/2020 Appendix III)."""

DONE = ("submitted", "approved")
COUNTED = ("open", "confirmed", "remediated", "verified")
CONFIRMED = ("confirmed", "remediated", "verified")
REMEDIATED = ("remediated", "verified")
UNKNOWN_COMMUNE = "Chưa xác định xã, phường"


# --- Asking for a report (web side) ----------------------------------------------------------

def request_report(session: Session, actor: User | None, *, kind: str, province_code: str,
                   year: int | None = None, campaign_id: uuid.UUID | None = None,
                   signer_id: uuid.UUID | None = None) -> tuple[Report, Job | None]:
    """A new pending report and, for a user, the job that will write it (the caller enqueues
    it after commit). `actor` None is the command line, which renders in-process.
    Forbidden for other roles; NotFound for another province or campaign; ValidationFailed
    for a missing year or campaign, and for the signer as `inspection.signers.choose` rules
    (the command line, naming none, takes the province's only active signer, if any)."""
    if actor is not None:
        require_role(actor, *REQUESTERS)
        ensure_visible(actor, province_code, "tỉnh, thành phố")
    if session.get(Province, province_code) is None:
        raise errors.NotFound("Không tìm thấy tỉnh, thành phố.")
    if kind == "annual":
        if year is None:
            raise errors.ValidationFailed("Báo cáo năm cần năm báo cáo.",
                                          errors={"year": ["Bắt buộc với báo cáo năm."]})
        campaign_id = None
    elif kind == "campaign":
        if campaign_id is None:
            raise errors.ValidationFailed(
                "Báo cáo đợt kiểm tra cần đợt kiểm tra.",
                errors={"campaign_id": ["Bắt buộc với báo cáo đợt kiểm tra."]})
        campaign_of(session, province_code, campaign_id)
        year = None
    else:
        raise errors.ValidationFailed(f"Loại báo cáo không hợp lệ: {kind}.",
                                      errors={"kind": ["Chỉ nhận annual hoặc campaign."]})
    signer = (signers.choose(session, province_code=province_code, signer_id=signer_id)
              if actor is not None or signer_id is not None
              else signers.only_active(session, province_code))
    report = Report(id=uuid.uuid4(), kind=kind, province_code=province_code, year=year,
                    campaign_id=campaign_id, status="pending",
                    signer_id=signer.id if signer else None,
                    issuer=issuer_of(session, province_code),
                    created_by=actor.id if actor else None)
    session.add(report)
    session.flush()
    job = None
    if actor is not None:
        job = jobs.create(session, actor, REPORT_KIND, {"report_id": str(report.id)},
                          province_code)
    audit.record_event(session, audit.REPORT_REQUESTED, entity=Report.__tablename__,
                       entity_id=report.id, province_code=province_code, detail={
                           "kind": kind, "year": year, "campaign_id": campaign_id,
                           "job_id": job.id if job else None})
    return report, job


def issuer_of(session: Session, province_code: str) -> str:
    """The counter and symbol of the province's reports: "BC-SKHCN"."""
    return f"{TYPE_CODE}-{notices.issuing_body(session, province_code).abbreviation}"


def campaign_of(session: Session, province_code: str, campaign_id: uuid.UUID) -> Campaign:
    """The campaign, if it is one of the province's; NotFound otherwise."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None or campaign.province_code != province_code:
        raise errors.NotFound("Không tìm thấy đợt kiểm tra của tỉnh, thành phố này.")
    return campaign


# --- Reading ---------------------------------------------------------------------------------

def get_report(session: Session, actor: User, report_id: uuid.UUID) -> Report:
    """The report, for the supervisors and admins of its province (a national admin: any)."""
    require_role(actor, *REQUESTERS)
    report = session.get(Report, report_id)
    if report is None:
        raise errors.NotFound("Không tìm thấy báo cáo.")
    ensure_visible(actor, report.province_code, "báo cáo")
    return report


def list_reports(actor: User, *, kind: str | None = None, year: int | None = None,
                 campaign_id: uuid.UUID | None = None,
                 province_code: str | None = None) -> Select[Any]:
    """Reports of the actor's province (a national admin: any, or `province_code`), newest
    first; filters `kind`, `year`, `campaign_id`. Forbidden for other roles."""
    require_role(actor, *REQUESTERS)
    stmt = select(Report).where(province_clause(actor, Report.province_code))
    for column, value in ((Report.kind, kind), (Report.year, year),
                          (Report.campaign_id, campaign_id),
                          (Report.province_code, province_code)):
        if value is not None:
            stmt = stmt.where(column == value)
    return stmt.order_by(Report.created_at.desc(), Report.id.desc())


document_sha256 = documents.REPORT.document_sha256
"""The stored document's key (pdf or xlsx); InvalidState until the report is ready."""


# --- Figures ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Tally:
    """One row of a breakdown: `key` as stored ("A", "high", "31117"), `label` as read."""

    key: str
    label: str
    count: int


@dataclass(frozen=True)
class Coverage:
    """Sites of one kind: how many the province (or campaign) has, how many were inspected."""

    kind: str
    sites: int
    covered: int

    @property
    def rate(self) -> float | None:
        return self.covered / self.sites if self.sites else None


@dataclass(frozen=True)
class CommuneTally:
    code: str
    name: str
    inspections: int
    findings: int


@dataclass(frozen=True)
class Overdue:
    site: str
    commune: str
    item_code: str
    severity: str
    due_on: date
    days: int


@dataclass(frozen=True)
class Remediation:
    confirmed: int
    remediated: int
    verified: int
    overdue: int

    @property
    def done(self) -> int:
        return self.remediated + self.verified

    @property
    def rate(self) -> float | None:
        return self.done / self.confirmed if self.confirmed else None


@dataclass(frozen=True)
class Figures:
    inspections: int
    approved: int
    coverage: tuple[Coverage, ...]
    findings: int
    by_section: tuple[Tally, ...]
    by_severity: tuple[Tally, ...]
    by_commune: tuple[CommuneTally, ...]
    remediation: Remediation
    overdue: tuple[Overdue, ...]

    @property
    def sites_covered(self) -> int:
        return sum(c.covered for c in self.coverage)

    @property
    def sites(self) -> int:
        return sum(c.sites for c in self.coverage)


@dataclass(frozen=True)
class Scope:
    """What a part of the report counts: a province's inspections started in [start, end)
    (UTC), or one campaign's."""

    province_code: str
    start: datetime | None = None
    end: datetime | None = None
    campaign_id: uuid.UUID | None = None

    @classmethod
    def year(cls, province_code: str, year: int) -> Scope:
        return cls(province_code, _new_year(year), _new_year(year + 1))

    def inspections(self) -> list[ColumnElement[bool]]:
        where = [Inspection.province_code == self.province_code, Inspection.status.in_(DONE)]
        if self.start is not None and self.end is not None:
            where += [Inspection.started_at >= self.start, Inspection.started_at < self.end]
        if self.campaign_id is not None:
            where.append(Inspection.campaign_id == self.campaign_id)
        return where


def _new_year(year: int) -> datetime:
    return datetime.combine(date(year, 1, 1), time(), VIETNAM)


SEVERITY_LABELS = LABELS["severity"]
KIND_LABELS = LABELS["site_kind"]


def figures(session: Session, scope: Scope, *, as_of: date) -> Figures:
    """Every figure of one part of the report, each from one aggregate query."""
    inspections, approved = session.execute(
        select(func.count(), func.count().filter(Inspection.status == "approved"))
        .select_from(Inspection).where(*scope.inspections())).one()
    severities = by_severity(session, scope)
    return Figures(
        inspections=inspections, approved=approved,
        coverage=coverage(session, scope),
        findings=sum(t.count for t in severities),
        by_section=by_section(session, scope),
        by_severity=severities,
        by_commune=by_commune(session, scope),
        remediation=remediation(session, scope, as_of=as_of),
        overdue=overdue(session, scope, as_of=as_of),
    )


def _findings(scope: Scope, *columns: Any) -> Select[Any]:
    """Counted findings of the scope's inspections."""
    return (select(*columns).select_from(Finding)
            .join(Inspection, Finding.inspection_id == Inspection.id)
            .where(*scope.inspections(), Finding.status.in_(COUNTED)))


def coverage(session: Session, scope: Scope) -> tuple[Coverage, ...]:
    """Per kind of site: the province's sites (a campaign's: the sites assigned to it) and
    those with an inspection done in scope."""
    if scope.campaign_id is not None:
        population = (select(Site.id, Site.kind).join(Assignment, Assignment.site_id == Site.id)
                      .where(Assignment.campaign_id == scope.campaign_id).distinct())
    else:
        population = select(Site.id, Site.kind).where(
            Site.province_code == scope.province_code)
    sites = population.subquery()
    covered = select(Inspection.site_id).where(*scope.inspections()).distinct().subquery()
    rows = session.execute(
        select(sites.c.kind, func.count(sites.c.id), func.count(covered.c.site_id))
        .select_from(sites).outerjoin(covered, covered.c.site_id == sites.c.id)
        .group_by(sites.c.kind)).all()
    counts = {kind: (total, done) for kind, total, done in rows}
    return tuple(Coverage(kind, *counts.get(kind, (0, 0))) for kind in SITE_KINDS)


def by_section(session: Session, scope: Scope) -> tuple[Tally, ...]:
    """Findings per checklist section (the section of the item in the version inspected)."""
    rows = session.execute(
        _findings(scope, ChecklistSection.code, ChecklistSection.title, func.count(Finding.id))
        .join(ChecklistItem, and_(ChecklistItem.checklist_id == Inspection.checklist_id,
                                  ChecklistItem.code == Finding.item_code))
        .join(ChecklistSection, ChecklistSection.id == ChecklistItem.section_id)
        .group_by(ChecklistSection.code, ChecklistSection.title)
        .order_by(ChecklistSection.code, ChecklistSection.title)).all()
    return tuple(Tally(code, f"{code}. {title}", n) for code, title, n in rows)


def by_severity(session: Session, scope: Scope) -> tuple[Tally, ...]:
    """Findings per severity, every severity listed (most severe first), zeros included."""
    counts: dict[str, int] = {severity: n for severity, n in session.execute(
        _findings(scope, Finding.severity, func.count(Finding.id))
        .group_by(Finding.severity))}
    return tuple(Tally(s, SEVERITY_LABELS[s], counts.get(s, 0)) for s in SEVERITIES)


def by_commune(session: Session, scope: Scope) -> tuple[CommuneTally, ...]:
    """Inspections done and findings per commune where there were any, by commune name."""
    code = func.coalesce(Inspection.commune_code, literal(""))
    found = (_findings(scope, Finding.inspection_id, func.count(Finding.id).label("n"))
             .group_by(Finding.inspection_id).subquery())
    rows = session.execute(
        select(code, func.min(Commune.name), func.count(Inspection.id),
               func.coalesce(func.sum(found.c.n), 0))
        .select_from(Inspection)
        .outerjoin(Commune, Commune.code == Inspection.commune_code)
        .outerjoin(found, found.c.inspection_id == Inspection.id)
        .where(*scope.inspections()).group_by(code)).all()
    tallies = [CommuneTally(c, name or UNKNOWN_COMMUNE, int(i), int(f))
               for c, name, i, f in rows]
    return tuple(sorted(tallies, key=lambda t: (t.code == "", t.name, t.code)))


def remediation(session: Session, scope: Scope, *, as_of: date) -> Remediation:
    status = Finding.status
    row = session.execute(_findings(
        scope,
        func.count().filter(status.in_(CONFIRMED)),
        func.count().filter(status == "remediated"),
        func.count().filter(status == "verified"),
        func.count().filter(_overdue(as_of)))).one()
    return Remediation(*(int(n) for n in row))


def _overdue(as_of: date) -> ColumnElement[bool]:
    return and_(Finding.status == "confirmed", Finding.due_on.is_not(None),
                Finding.due_on < as_of)


def overdue(session: Session, scope: Scope, *, as_of: date) -> tuple[Overdue, ...]:
    """The overdue findings themselves, the longest overdue first."""
    rows = session.execute(
        _findings(scope, Site.name, Commune.name, Finding.item_code, Finding.severity,
                  Finding.due_on)
        .join(Site, Site.id == Finding.site_id)
        .outerjoin(Commune, Commune.code == Inspection.commune_code)
        .where(_overdue(as_of))
        .order_by(Finding.due_on, Site.name, Finding.item_code)).all()
    return tuple(Overdue(site, commune or UNKNOWN_COMMUNE, item, severity, due,
                         (as_of - due).days)
                 for site, commune, item, severity, due in rows)


# --- The report as a whole -------------------------------------------------------------------

@dataclass(frozen=True)
class ReportData:
    """What the documents state, as plain values (no database object outlives the read).
    `previous` is the year before and `provision` the post offices' reports of the year
    (annual reports only)."""

    kind: str
    province_code: str
    province: str
    year: int | None
    campaign: str | None
    as_of: date
    current: Figures
    previous: Figures | None
    provision: provision_deadline.ProvisionSummary | None = None


Progress = Callable[[int], None]


def report_data(session: Session, report: Report, *, as_of: date,
                progress: Progress | None = None) -> ReportData:
    """The report's figures, this period and (annual) the year before; `progress` hears
    the percentage of this work done, between queries. Raises NotFound if the campaign is
    gone or no longer the province's."""
    tell = progress or (lambda _percent: None)
    kind, province_code, year = report.kind, report.province_code, report.year
    province = session.get_one(Province, province_code).name
    campaign = None
    if kind == "campaign":
        assert report.campaign_id is not None
        found = campaign_of(session, province_code, report.campaign_id)
        campaign, scope = found.name, Scope(province_code, campaign_id=found.id)
    else:
        assert year is not None
        scope = Scope.year(province_code, year)
    current = figures(session, scope, as_of=as_of)
    tell(50)
    previous = provided = None
    if year is not None:
        previous = figures(session, Scope.year(province_code, year - 1), as_of=as_of)
        provided = provision_deadline.summary(session, province_code, year, as_of=as_of)
    tell(100)
    return ReportData(kind, province_code, province, year, campaign, as_of, current, previous,
                      provided)


# --- Writing (job side) ----------------------------------------------------------------------

lock_for_issue = documents.REPORT.lock_for_issue
mark_failed = documents.REPORT.mark_failed
"""A failed report (unless it is ready: a late duplicate failed) is `failed`."""


def assign_number(session: Session, report: Report, *, issued_on: date) -> Report:
    """Number the report (once: a numbered report keeps its number) from its issuer's counter
    for the year (`inspection.documents.take_number`): "05/BC-SKHCN"."""
    if report.number is None:
        report.issuer = report.issuer or issuer_of(session, report.province_code)
        report.number_year = issued_on.year
        report.number = documents.take_number(session, issuer=report.issuer,
                                            province_code=report.province_code,
                                            year=issued_on.year)
        session.flush()
    return report


def mark_issued(session: Session, report: Report, *, files: dict[str, str]) -> Report:
    """Ready with its documents (`files`: the stored pdf and xlsx)."""
    return documents.REPORT.mark_issued(session, report, files=files)
