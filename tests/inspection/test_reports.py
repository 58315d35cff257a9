"""Reports in the domain: who may ask for one, and the figures, checked against a small world
whose expected figures the test computes on its own, in Python, from the world's description."""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy.orm import Session

from inspection import errors, reports
from inspection.models import Campaign, Finding, Inspection, Site
from inspection.provision import deadline as provision_deadline
from tests import factories
from tests.factories import CAN_THO_POST, PROVISION_CONTENT

VN = timezone(timedelta(hours=7))
AS_OF = date(2026, 11, 23)
NINH_KIEU, CAI_KHE = "31135", "31120"
COMMUNE_NAMES = {NINH_KIEU: "Phường Ninh Kiều", CAI_KHE: "Phường Cái Khế"}
SEVERITY = {"A1": "high", "A2": "critical", "C2": "critical", "H1": "low"}
SECTION = {"A1": "A. Chấp nhận bưu gửi KT1", "A2": "A. Chấp nhận bưu gửi KT1",
           "C2": "C. Nhân sự", "H1": "H. Giá cước"}


@dataclass(frozen=True)
class Visit:
    """An inspection as the world describes it; findings (item, status, days until due)."""

    site: str
    commune: str
    started: datetime
    status: str
    findings: tuple[tuple[str, str, int | None], ...] = ()
    province: str = "92"
    in_campaign: bool = False


VISITS = (
    Visit("P1", NINH_KIEU, datetime(2026, 3, 10, 8, 0, tzinfo=VN), "approved",
          (("A1", "confirmed", -10), ("A2", "remediated", -40), ("C2", "verified", -60)),
          in_campaign=True),
    Visit("P2", NINH_KIEU, datetime(2026, 6, 1, 9, 0, tzinfo=VN), "submitted",
          (("A1", "open", None), ("H1", "dismissed", None))),
    Visit("P3", CAI_KHE, datetime(2026, 9, 5, 14, 0, tzinfo=VN), "approved",
          (("A2", "confirmed", 30), ("C2", "confirmed", None)), in_campaign=True),
    Visit("P1", NINH_KIEU, datetime(2026, 11, 1, 8, 0, tzinfo=VN), "approved"),
    Visit("P3", CAI_KHE, datetime(2026, 10, 1, 8, 0, tzinfo=VN), "draft",
          (("A1", "open", None),)),
    # Half an hour into 2026 in Vietnam, still 2025 in UTC: it counts for 2026.
    Visit("U1", CAI_KHE, datetime(2026, 1, 1, 0, 30, tzinfo=VN), "approved",
          (("H1", "confirmed", -5),)),
    # Half an hour before 2026 in Vietnam: it counts for 2025.
    Visit("P2", NINH_KIEU, datetime(2025, 12, 31, 23, 30, tzinfo=VN), "approved",
          (("A1", "verified", -200),)),
    Visit("P1", NINH_KIEU, datetime(2025, 5, 1, 8, 0, tzinfo=VN), "approved",
          (("A2", "remediated", -300), ("C2", "confirmed", -100))),
    Visit("X1", "", datetime(2026, 4, 1, 8, 0, tzinfo=VN), "approved",
          (("A1", "confirmed", -10),), province="31"),
)
SITES = {"P1": "kt1_provider", "P2": "kt1_provider", "P3": "kt1_provider",
         "P4": "kt1_provider", "U1": "kt1_user", "U2": "kt1_user", "X1": "kt1_provider"}


@dataclass
class World:
    sites: dict[str, Site] = field(default_factory=dict)
    inspections: list[Inspection] = field(default_factory=list)
    campaign: Campaign | None = None


def build_world(session: Session, as_of: date = AS_OF) -> World:
    """The world above in the database, due dates relative to `as_of`."""
    world = World()
    factories.the_signer("92")  # Cần Thơ's only signer signs its reports by default
    checklist = factories.inspection_checklist()
    inspector, police = factories.joint_team()
    for key, kind in SITES.items():
        province = "31" if key.startswith("X") else "92"
        world.sites[key] = factories.SiteFactory(name=f"Bưu cục {key}", kind=kind,
                                                 province_code=province)
    world.campaign = factories.CampaignFactory(checklist_id=checklist.id)
    for key in ("P1", "P2", "P3"):
        factories.AssignmentFactory(campaign=world.campaign, site_id=world.sites[key].id)
    for visit in VISITS:
        site = world.sites[visit.site]
        inspection = Inspection(
            id=uuid.uuid4(), site_id=site.id, checklist_id=checklist.id,
            province_code=visit.province, commune_code=visit.commune or None,
            campaign_id=world.campaign.id if visit.in_campaign else None,
            started_at=visit.started, status=visit.status,
            request_hash=hashlib.sha256(b"report").hexdigest(), created_by=inspector.id,
            version=1, team=[inspector, police])
        session.add(inspection)
        session.flush()
        world.inspections.append(inspection)
        for item, status, due in visit.findings:
            session.add(Finding(
                inspection_id=inspection.id, site_id=site.id, item_code=item,
                severity=SEVERITY[item], legal_basis="QĐ 32/2025/QĐ-TTg",
                description=f"Không đạt mục {item}", status=status,
                due_on=as_of + timedelta(days=due) if due is not None else None,
                province_code=visit.province, commune_code=visit.commune or None))
    session.flush()
    return world


# --- The expected figures, from the description alone ---------------------------------------

def done(year: int | None = None, *, campaign: bool = False) -> list[Visit]:
    return [v for v in VISITS if v.province == "92" and v.status in ("submitted", "approved")
            and (v.started.year == year if year else True)
            and (v.in_campaign if campaign else True)]


def counted(visits: list[Visit]) -> list[tuple[Visit, str, str, int | None]]:
    return [(v, item, status, due) for v in visits for item, status, due in v.findings
            if status != "dismissed"]


def expected(visits: list[Visit]) -> dict[str, object]:
    found = counted(visits)
    confirmed = [f for f in found if f[2] in ("confirmed", "remediated", "verified")]
    return {
        "inspections": len(visits),
        "approved": sum(v.status == "approved" for v in visits),
        "covered": {kind: len({v.site for v in visits if SITES[v.site] == kind})
                    for kind in ("kt1_provider", "kt1_user")},
        "findings": len(found),
        "by_section": dict(Counter(SECTION[f[1]] for f in found)),
        "by_severity": {s: sum(SEVERITY[f[1]] == s for f in found)
                        for s in ("critical", "high", "medium", "low")},
        "by_commune": {c: (sum(v.commune == c for v in visits),
                           sum(f[0].commune == c for f in found)) for c in
                       {v.commune for v in visits}},
        "confirmed": len(confirmed),
        "remediated": sum(f[2] in ("remediated", "verified") for f in confirmed),
        "overdue": sorted((f[0].site, f[1]) for f in found
                          if f[2] == "confirmed" and f[3] is not None and f[3] < 0),
    }


def observed(f: reports.Figures) -> dict[str, object]:
    return {
        "inspections": f.inspections,
        "approved": f.approved,
        "covered": {c.kind: c.covered for c in f.coverage},
        "findings": f.findings,
        "by_section": {t.label: t.count for t in f.by_section},
        "by_severity": {t.key: t.count for t in f.by_severity},
        "by_commune": {c.code: (c.inspections, c.findings) for c in f.by_commune},
        "confirmed": f.remediation.confirmed,
        "remediated": f.remediation.done,
        "overdue": sorted((o.site.removeprefix("Bưu cục "), o.item_code) for o in f.overdue),
    }


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session)


def test_the_annual_figures_are_those_of_the_year_in_vietnam_time(session, world):
    figures = reports.figures(session, reports.Scope.year("92", 2026), as_of=AS_OF)
    assert observed(figures) == expected(done(2026))
    assert observed(figures)["inspections"] == 5
    provinces = {c.kind: c.sites for c in figures.coverage}
    assert provinces["kt1_provider"] >= 4 and provinces["kt1_user"] >= 2
    assert figures.remediation.rate == pytest.approx(2 / 6)
    assert [o.days for o in figures.overdue] == [10, 5]
    names = {c.code: c.name for c in figures.by_commune}
    assert names == {code: COMMUNE_NAMES[code] for code in names}


def test_the_previous_year_and_a_campaign_have_their_own_figures(session, world):
    before = reports.figures(session, reports.Scope.year("92", 2025), as_of=AS_OF)
    assert observed(before) == expected(done(2025))
    assert world.campaign is not None
    scope = reports.Scope("92", campaign_id=world.campaign.id)
    campaign = reports.figures(session, scope, as_of=AS_OF)
    assert observed(campaign) == expected(done(campaign=True))
    assert [(c.kind, c.sites, c.covered) for c in campaign.coverage] == [
        ("kt1_provider", 3, 2), ("kt1_user", 0, 0)]


def test_report_data_compares_an_annual_report_with_the_year_before(session, world):
    supervisor = factories.UserFactory(role="supervisor")
    report, job = reports.request_report(session, supervisor, kind="annual",
                                         province_code="92", year=2026)
    heard: list[int] = []
    data = reports.report_data(session, report, as_of=AS_OF, progress=heard.append)
    assert (data.province, data.year, heard) == ("Thành phố Cần Thơ", 2026, [50, 100])
    assert data.previous is not None and data.previous.inspections == len(done(2025))
    assert job is not None and (job.kind, job.args) == ("report", {"report_id": str(report.id)})


def test_only_the_provinces_supervisors_ask_and_a_missing_year_or_campaign_is_invalid(
        session, world):
    supervisor = factories.UserFactory(role="supervisor")
    with pytest.raises(errors.Forbidden):
        reports.request_report(session, factories.UserFactory(role="inspector"),
                               kind="annual", province_code="92", year=2026)
    with pytest.raises(errors.NotFound):
        reports.request_report(session, supervisor, kind="annual", province_code="31",
                               year=2026)
    with pytest.raises(errors.ValidationFailed) as missing_year:
        reports.request_report(session, supervisor, kind="annual", province_code="92")
    assert missing_year.value.errors is not None and "year" in missing_year.value.errors
    with pytest.raises(errors.ValidationFailed):
        reports.request_report(session, supervisor, kind="campaign", province_code="92")
    other = factories.CampaignFactory(province_code="31")
    with pytest.raises(errors.NotFound):
        reports.request_report(session, supervisor, kind="campaign", province_code="92",
                               campaign_id=other.id)
    national = factories.UserFactory(role="admin", province_code=None)
    factories.the_signer("31")
    report, _ = reports.request_report(session, national, kind="annual", province_code="31",
                                       year=2026)
    assert reports.get_report(session, national, report.id) is report
    with pytest.raises(errors.NotFound):
        reports.get_report(session, supervisor, report.id)


# --- The post offices' own annual reports (the provision section) ------------------------------

def test_an_annual_report_states_each_providers_own_report_and_a_campaign_report_does_not(
        session, world):
    viettel = "Chi nhánh Bưu chính Viettel Cần Thơ"
    factories.SiteFactory(organization=viettel)  # a second provider, no report yet
    factories.ProvisionReportFactory(complete=True, status="accepted",
                                     first_submitted_on=date(2026, 11, 20),
                                     received_on=date(2026, 11, 20))
    factories.ProvisionReportFactory(organization="Bưu cục X1", province_code="31",
                                     complete=True, status="submitted")
    supervisor = factories.UserFactory(role="supervisor")
    report, _ = reports.request_report(session, supervisor, kind="annual", province_code="92",
                                       year=2026)
    data = reports.report_data(session, report, as_of=AS_OF)
    assert data.provision is not None and data.provision.year == 2026
    assert [(r.organization, r.status, r.received_on, r.on_time, r.total_volume, r.incidents)
            for r in data.provision.rows] == [
        (CAN_THO_POST, "accepted", date(2026, 11, 20), True,
         PROVISION_CONTENT["total_volume"], 1),
        (viettel, None, None, None, None, None)]  # not due yet on 23 November
    assert data.provision.total("revenue_vnd") == PROVISION_CONTENT["revenue_vnd"]
    later = provision_deadline.summary(session, "92", 2026, as_of=date(2026, 12, 11))
    assert [r.on_time for r in later.rows] == [True, False]
    assert world.campaign is not None
    campaign, _ = reports.request_report(session, supervisor, kind="campaign",
                                         province_code="92", campaign_id=world.campaign.id)
    assert reports.report_data(session, campaign, as_of=AS_OF).provision is None
