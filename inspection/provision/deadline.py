"""The 10 December deadline of the post offices' annual KT1 reports: which organisations
provide KT1, which are late, the daily reminders from 1 December, and what the Sở's own annual
report states of each (`summary`).

The organisations that provide KT1 in a province are the distinct `Site.organization` of its
`kt1_provider` sites (with those already holding a report of the year). Days are Vietnamese
calendar days. A report first sent on or before 10 December (`due_on`) is on time and never
overdue, even if the Sở returns it later for corrections: the deadline is for sending, and a
return is the review's business (shown as `returned`; the reminders resume until it is sent
again). A report first sent after the deadline and then returned is overdue again, counted
from 10 December, until it is sent again. Reminders run every day of December for that year's
report while it is not sent (draft, returned or none); after 31 December a missing report
stays overdue on the list and in the Sở's report, without daily reminders.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select, true, union
from sqlalchemy.orm import Session

from inspection.labels import LABELS
from inspection.models import ProvisionReminder, ProvisionReport, Site, User
from inspection.models.provision import DUE_DAY, DUE_MONTH, REMINDERS_FROM_DAY
from inspection.provision.services import FIGURES, READERS, SENT
from inspection.scope import require_role, resolve_province

STATUS_LABELS: dict[str | None, str] = {None: LABELS["provision_status"]["none"]}
STATUS_LABELS.update(LABELS["provision_status"])


def due_on(year: int) -> date:
    return date(year, DUE_MONTH, DUE_DAY)


def reminders_from(year: int) -> date:
    return date(year, DUE_MONTH, REMINDERS_FROM_DAY)


# --- Who provides KT1 ------------------------------------------------------------------------

def organizations(*, province_code: str | None = None, year: int | None = None,
                  organization: str | None = None) -> Select[Any]:
    """(province_code, organization) of the providers, ordered: the organisations of
    `kt1_provider` sites, and those holding a report of `year`."""
    sites = select(Site.province_code, Site.organization).where(
        Site.kind == "kt1_provider", Site.organization != "")
    held = select(ProvisionReport.province_code, ProvisionReport.organization).where(
        ProvisionReport.year == year if year is not None else true())
    for column_s, column_r, value in ((Site.province_code, ProvisionReport.province_code,
                                       province_code),
                                      (Site.organization, ProvisionReport.organization,
                                       organization)):
        if value is not None:
            sites, held = sites.where(column_s == value), held.where(column_r == value)
    both = union(sites, held).subquery()
    return (select(both.c.province_code, both.c.organization)
            .order_by(both.c.province_code, both.c.organization))


def organization_names(**where: Any) -> Select[Any]:
    """`organizations(**where)`'s organisation names alone (one province), ordered."""
    both = organizations(**where).subquery()
    return select(both.c.organization).order_by(both.c.organization)


# --- Who is late -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Standing:
    """Where an organisation's report of `year` stands on day `as_of`."""

    province_code: str
    organization: str
    year: int
    report: ProvisionReport | None
    overdue: bool
    days_overdue: int
    last_reminded_on: date | None
    as_of: date

    @property
    def due_on(self) -> date:
        return due_on(self.year)

    @property
    def status(self) -> str | None:
        return self.report.status if self.report is not None else None

    @property
    def on_time(self) -> bool | None:
        """Sent on or before 10 December; None while unsent and not yet due."""
        first = self.report.first_submitted_on if self.report is not None else None
        if first is not None:
            return first <= self.due_on
        return False if self.as_of > self.due_on else None


def lateness(report: ProvisionReport | None, *, year: int, on: date) -> tuple[bool, int]:
    """(overdue, days overdue) on day `on`: after 10 December, not in the Sở's hands and
    never sent on time."""
    due = due_on(year)
    if on <= due:
        return False, 0
    if report is not None and report.status in SENT:
        return False, 0
    if report is not None and report.first_submitted_on is not None \
            and report.first_submitted_on <= due:
        return False, 0
    return True, (on - due).days


def standings(session: Session, keys: Iterable[tuple[str, str]], *, year: int,
              on: date) -> list[Standing]:
    """Each (province_code, organization) with its report of `year` and last reminder
    (two queries for the whole list)."""
    keys = [(str(p), str(o)) for p, o in keys]
    names = {o for _, o in keys}
    reports = {(r.province_code, r.organization): r for r in session.scalars(
        select(ProvisionReport).where(ProvisionReport.year == year,
                                      ProvisionReport.organization.in_(names)))}
    reminded = {(p, o): last for p, o, last in session.execute(
        select(ProvisionReminder.province_code, ProvisionReminder.organization,
               func.max(ProvisionReminder.reminded_on))
        .where(ProvisionReminder.year == year, ProvisionReminder.organization.in_(names))
        .group_by(ProvisionReminder.province_code, ProvisionReminder.organization))}
    out = []
    for key in keys:
        report = reports.get(key)
        late, days = lateness(report, year=year, on=on)
        out.append(Standing(*key, year, report, late, days, reminded.get(key), on))
    return out


def standing(session: Session, report: ProvisionReport, *, on: date) -> Standing:
    return standings(session, [(report.province_code, report.organization)],
                     year=report.year, on=on)[0]


def report_standings(session: Session, reports: Sequence[ProvisionReport], *,
                     on: date) -> list[Standing]:
    """`standing` of each report, in order (two queries per year in the list)."""
    found: dict[uuid.UUID, Standing] = {}
    for year in {r.year for r in reports}:
        mine = [r for r in reports if r.year == year]
        keys = [(r.province_code, r.organization) for r in mine]
        found |= {r.id: s for r, s in zip(mine, standings(session, keys, year=year, on=on),
                                           strict=True)}
    return [found[r.id] for r in reports]


def status_list(session: Session, actor: User, *, province_code: str | None,
                year: int) -> tuple[str, Select[Any]]:
    """The province and the names of its providers whose standing the actor may see: a
    supervisor or admin the province's (`province_code`, default the actor's), a post user
    its own organisation. NotFound for another or an unknown province; ValidationFailed when
    a national admin names none."""
    require_role(actor, *READERS)
    code = resolve_province(session, actor, province_code)
    mine = (actor.organization or "") if actor.role == "post" else None
    return code, organization_names(province_code=code, year=year, organization=mine)


# --- Reminders -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Reminders:
    """One run on a day: the year reminded (None before 1 December), the organisations whose
    report is not sent, and which of them got a new reminder."""

    on: date
    year: int | None
    outstanding: list[Standing]
    recorded: list[tuple[str, str]]

    def summary(self) -> str:
        """The Vietnamese lines `kt1 reminders` prints about the annual reports."""
        if self.year is None:
            return (f"Báo cáo năm về cung cấp dịch vụ KT1: chưa đến kỳ nhắc (từ ngày "
                    f"{reminders_from(self.on.year):%d/%m/%Y}).")
        lines = [f"Báo cáo năm {self.year} về cung cấp dịch vụ KT1 (hạn "
                 f"{due_on(self.year):%d/%m/%Y}): {len(self.outstanding)} đơn vị chưa gửi; "
                 f"nhắc mới {len(self.recorded)}, đã nhắc trong ngày "
                 f"{len(self.outstanding) - len(self.recorded)}."]
        for s in self.outstanding:
            late = f", quá hạn {s.days_overdue} ngày" if s.overdue else ""
            mark = "nhắc mới" if (s.province_code, s.organization) in self.recorded else (
                "đã nhắc")
            lines.append(f"- {s.organization} ({s.province_code}): "
                         f"{STATUS_LABELS[s.status].lower()}{late} [{mark}]")
        return "\n".join(lines)


def remind_outstanding(session: Session, *, on: date) -> Reminders:
    """From 1 December, record one reminder per provider whose report of the year is not
    sent, once a day (a second run the same day records nothing). Flushes; the caller
    commits."""
    if on < reminders_from(on.year):
        return Reminders(on, None, [], [])
    year = on.year
    everyone = standings(session, session.execute(organizations(year=year)).all(),
                         year=year, on=on)
    outstanding = [s for s in everyone if s.status not in SENT]
    already = {(p, o) for p, o in session.execute(
        select(ProvisionReminder.province_code, ProvisionReminder.organization)
        .where(ProvisionReminder.year == year, ProvisionReminder.reminded_on == on))}
    recorded = []
    for s in outstanding:
        key = (s.province_code, s.organization)
        if key not in already:
            session.add(ProvisionReminder(id=uuid.uuid4(), province_code=key[0],
                                          organization=key[1], year=year, reminded_on=on))
            recorded.append(key)
    session.flush()
    marked = [Standing(s.province_code, s.organization, year, s.report, s.overdue,
                       s.days_overdue, on, on) for s in outstanding]
    return Reminders(on, year, marked, recorded)


# --- The Sở's annual report ------------------------------------------------------------------

@dataclass(frozen=True)
class ProvisionRow:
    """One provider in the Sở's report; figures only for a report in the Sở's hands."""

    organization: str
    status: str | None
    first_submitted_on: date | None
    received_on: date | None
    on_time: bool | None
    total_volume: int | None = None
    local_volume: int | None = None
    staff_involved: int | None = None
    revenue_vnd: int | None = None
    incidents: int | None = None


@dataclass(frozen=True)
class ProvisionSummary:
    year: int
    due_on: date
    rows: tuple[ProvisionRow, ...]

    @property
    def sent(self) -> int:
        """Providers that have sent their report at some point."""
        return sum(r.first_submitted_on is not None for r in self.rows)

    @property
    def on_time(self) -> int:
        return sum(r.on_time is True for r in self.rows)

    def with_status(self, status: str) -> int:
        return sum(r.status == status for r in self.rows)

    def total(self, name: str) -> int:
        return sum(getattr(r, name) or 0 for r in self.rows)


def summary(session: Session, province_code: str, year: int, *,
            as_of: date) -> ProvisionSummary:
    """Every provider of the province with its report of `year` as plain values."""
    keys = session.execute(organizations(province_code=province_code, year=year)).all()
    rows = []
    for s in standings(session, keys, year=year, on=as_of):
        r = s.report
        figures: dict[str, Any] = {}
        if r is not None and r.status in SENT:
            figures = {n: getattr(r, n) for n in FIGURES} | {"incidents": len(r.incidents or ())}
        rows.append(ProvisionRow(s.organization, s.status,
                                 r.first_submitted_on if r else None,
                                 r.received_on if r else None, s.on_time, **figures))
    return ProvisionSummary(year, due_on(year), tuple(rows))
