"""A small world for the risk score, whose right order is worked out by hand below.

With `on` the day of the assessment, Y the last year whose 10 December (D) has passed:

| site | kind / organisation | what it has                                   | points            |
|------|---------------------|-----------------------------------------------|-------------------|
| B    | provider, org B     | last inspected 400 days ago: (400-180)//30=7;   | 7 + 6 + 6 = 19    |
|      |                     | one worker not cleared by the police: 6;        |                   |
|      |                     | org B sent no report for Y: overdue 6           |                   |
| A1   | provider, org A     | open critical 8 + confirmed high 4 = 12; the    | 12 + 4 = 16       |
|      |                     | high one's notice is overdue: 4 again;          |                   |
|      |                     | inspected 30 days ago: 0; two vetted workers: 0 |                   |
| A2   | provider, org A     | only a draft inspection: never inspected 12;    | 12 + 4 = 16       |
|      |                     | two workers not yet vetted: 2 + 2 (a third,     |                   |
|      |                     | who left, does not count)                       |                   |
| C1   | provider, org C     | org C sent its report on D+1: late 3; a         | 3                 |
|      |                     | returned inspection's critical finding: 0       |                   |
| C2   | provider, org C     | the same; a submitted inspection's high and     | 3                 |
|      |                     | draft's low findings: awaiting review, 0        |                   |
| U    | user agency         | one open low finding 1 (a dismissed high: 0)    | 1                 |

A1 and A2 tie at 16: A1 goes first, having a critical finding open. C1 and C2 tie at 3 and
neither has an open finding of an approved inspection (C1's critical one awaits review): by
name. Org A's report was accepted, sent on D-5: nothing.
A site of Hải Phòng with a critical finding is never listed for Cần Thơ.
Communes: X holds A1 and A2 (32), Y holds B (19), Z holds C1, C2 and U (7).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspection.models import Commune, Finding, Inspection, Notice
from inspection.risk import report_year
from tests import factories

ORDER = ["B", "A1", "A2", "C1", "C2", "U"]
SCORES = {"B": 19, "A1": 16, "A2": 16, "C1": 3, "C2": 3, "U": 1}
REASONS = {
    "B": {"last_inspection": 7, "staff_not_vetted": 6, "annual_report_overdue": 6},
    "A1": {"open_findings": 12, "overdue_findings": 4},
    "A2": {"never_inspected": 12, "staff_unvetted": 4},
    "C1": {"annual_report_late": 3, "awaiting_review": 0},
    "C2": {"annual_report_late": 3, "awaiting_review": 0},
    "U": {"open_findings": 1},
}
ORG_A, ORG_B, ORG_C = "Bưu điện A", "Bưu điện B", "Bưu điện C"


@dataclass
class RiskWorld:
    on: date
    sites: dict[str, uuid.UUID] = field(default_factory=dict)
    communes: dict[str, str] = field(default_factory=dict)
    campaign_checklist: uuid.UUID | None = None

    @property
    def commune_scores(self) -> dict[str, int]:
        return {self.communes["X"]: 32, self.communes["Y"]: 19, self.communes["Z"]: 7}


def build(session: Session, on: date) -> RiskWorld:
    factories.bind(session)
    world = RiskWorld(on)
    x, y, z = session.scalars(select(Commune.code).where(Commune.province_code == "92")
                              .order_by(Commune.code).limit(3)).all()
    world.communes = {"X": x, "Y": y, "Z": z}
    author = factories.UserFactory(role="inspector")
    checklist = factories.ChecklistFactory()

    def site(name: str, commune: str, organization: str, kind: str = "kt1_provider",
             province: str = "92") -> uuid.UUID:
        s = factories.SiteFactory(name=f"Bưu cục {name}", kind=kind, organization=organization,
                                  commune_code=world.communes.get(commune),
                                  province_code=province)
        world.sites[name] = s.id
        return s.id

    def visit(site_id: uuid.UUID, days_ago: int, status: str = "approved",
              province: str = "92") -> uuid.UUID:
        started = datetime.combine(on - timedelta(days=days_ago), time(3), tzinfo=UTC)
        inspection = Inspection(id=uuid.uuid4(), site_id=site_id, checklist_id=checklist.id,
                                province_code=province, status=status, started_at=started,
                                request_hash=uuid.uuid4().hex * 2, created_by=author.id)
        session.add(inspection)
        session.flush()
        return inspection.id

    def finding(inspection_id: uuid.UUID, site_id: uuid.UUID, code: str, severity: str,
                status: str, province: str = "92") -> None:
        session.add(Finding(inspection_id=inspection_id, site_id=site_id, item_code=code,
                            severity=severity, status=status, description="Vi phạm",
                            province_code=province))

    def workers(site_name: str, organization: str, *statuses: str, left: bool = False) -> None:
        s = session.get_one(factories.SiteFactory._meta.model, world.sites[site_name])
        for status in statuses:
            factories.StaffMemberFactory(
                site=s, vetting_status=status, joined_on=on - timedelta(days=1000),
                left_on=on - timedelta(days=100) if left else None)

    a1 = site("A1", "X", ORG_A)
    a2 = site("A2", "X", ORG_A)
    b = site("B", "Y", ORG_B)
    c1 = site("C1", "Z", ORG_C)
    c2 = site("C2", "Z", ORG_C)
    u = site("U", "Z", "Sở Tài chính thành phố Cần Thơ", kind="kt1_user")
    hp = site("HP", "", "Bưu điện thành phố Hải Phòng", province="31")

    i_a1 = visit(a1, 30)
    finding(i_a1, a1, "A2", "critical", "open")
    finding(i_a1, a1, "A1", "high", "confirmed")
    session.add(Notice(inspection_id=i_a1, province_code="92", issuer="SKHCN", year=on.year,
                       number=1, symbol="TB-SKHCN", status="issued",
                       issued_on=on - timedelta(days=40), due_on=on - timedelta(days=14),
                       created_by=author.id, version=1))
    visit(a2, 14, status="draft")
    visit(b, 400)
    visit(c1, 90)
    i_c1 = visit(c1, 3, status="returned")
    finding(i_c1, c1, "A2", "critical", "open")
    visit(c2, 75)
    i_c2 = visit(c2, 5, status="submitted")
    finding(i_c2, c2, "A1", "high", "open")
    i_c2_draft = visit(c2, 1, status="draft")
    finding(i_c2_draft, c2, "J1", "low", "open")
    i_u = visit(u, 10)
    finding(i_u, u, "J1", "low", "open")
    finding(i_u, u, "J2", "high", "dismissed")
    i_hp = visit(hp, 5, province="31")
    finding(i_hp, hp, "A2", "critical", "open", province="31")
    session.flush()

    workers("A1", ORG_A, "vetted", "vetted")
    workers("A2", ORG_A, "not_requested", "requested")
    workers("A2", ORG_A, "not_requested", left=True)
    workers("B", ORG_B, "not_vetted")

    year = report_year(on)
    due = date(year, 12, 10)
    factories.ProvisionReportFactory(organization=ORG_A, year=year, status="accepted",
                                     complete=True, first_submitted_on=due - timedelta(days=5),
                                     received_on=due - timedelta(days=5))
    factories.ProvisionReportFactory(organization=ORG_C, year=year, status="submitted",
                                     complete=True, first_submitted_on=due + timedelta(days=1))
    session.flush()
    world.campaign_checklist = factories.inspection_checklist().id
    return world
