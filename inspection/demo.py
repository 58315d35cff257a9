"""The demo world for `make run`: users of every role, ~40 KT1 points over Cần Thơ's communes
(synthetic boundaries), a campaign with joint teams, and inspections in every state.

Seeded once: a second run changes nothing and reports the accounts again. Its dates are
relative to the day it is seeded (Vietnam's calendar), so a newcomer finds a current world: a
campaign running this year, assignments due in the coming weeks, inspections of the past
weeks, findings due next month and the annual provision reports as fits the 10 December
deadline (`Dates`).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from geoalchemy2.shape import to_shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.units import packaged_units
from inspection import accounts, audit, campaigns, legal, reference, sites
from inspection.checklists import builtin, kt1_provider
from inspection.inspections import findings as finding_service
from inspection.inspections import services as inspections
from inspection.inspections.location import Fix
from inspection.models import Checklist, ChecklistItem, Commune, Finding, Signer, User
from inspection.models.provision import DUE_DAY, DUE_MONTH
from inspection.notices import VIETNAM, today_in_vietnam

DEMO_PASSWORD = "kt1-demo-2026"
CAN_THO = "92"
HAI_PHONG = "31"
NAMESPACE = uuid.UUID("6f1c1b7e-2d4a-4a8e-9a57-0c1d2e3f4a5b")
SITE_COUNT = 40

USERS = (
    # username, role, agency, province, full name, organization
    ("admin", "admin", "skhcn", None, "Quản trị hệ thống", None),
    ("giamsat.ct", "supervisor", "skhcn", CAN_THO, "Phạm Thị Lan", None),
    ("kiemtra.ct1", "inspector", "skhcn", CAN_THO, "Nguyễn Văn An", None),
    ("kiemtra.ct2", "inspector", "skhcn", CAN_THO, "Trần Minh Đức", None),
    ("congan.ct1", "police", "police", CAN_THO, "Lê Hoàng Nam", None),
    ("congan.ct2", "police", "police", CAN_THO, "Võ Thanh Tâm", None),
    ("buudien.ct", "post", "post", CAN_THO, "Huỳnh Ngọc Hân", "Bưu điện thành phố Cần Thơ"),
    ("giamsat.hp", "supervisor", "skhcn", HAI_PHONG, "Đỗ Quang Huy", None),
)

SIGNERS = (
    # DEMO DATA, not real officials: generic names for the signing officials of the two demo
    # cities' Sở KH&CN (province, full name, title, delegation). Cần Thơ has two, so its
    # supervisor chooses who signs; Hải Phòng one, who signs by default.
    (CAN_THO, "Trần Văn Bình", "Phó Giám đốc", "KT. GIÁM ĐỐC"),
    (CAN_THO, "Lê Thị Hoa", "Giám đốc", None),
    (HAI_PHONG, "Phạm Văn Hùng", "Phó Giám đốc", "KT. GIÁM ĐỐC"),
)


@dataclass(frozen=True)
class Dates:
    """The demo's calendar, counted from `today` (the day it is seeded, in Vietnam)."""

    today: date

    @property
    def campaign(self) -> tuple[date, date]:
        """Running: begun two months ago, ending in two months."""
        return self.today - timedelta(days=60), self.today + timedelta(days=60)

    @property
    def campaign_name(self) -> str:
        return f"Kiểm tra liên ngành dịch vụ bưu chính KT1 năm {self.today.year}"

    def assignment_due(self, n: int) -> date:
        """Due in the coming weeks: two to five weeks from today."""
        return self.today + timedelta(weeks=2 + n % 4)

    def inspection_start(self, n: int) -> datetime:
        """The n-th of the demo's six inspections: one every three days, from three weeks
        ago, at 08:30 in Vietnam."""
        day = self.today - timedelta(days=21 - 3 * n)
        return datetime.combine(day, time(8, 30), tzinfo=VIETNAM).astimezone(UTC)

    @property
    def finding_due(self) -> date:
        return self.today + timedelta(days=30)

    @property
    def answered_date(self) -> str:
        """A date item's answer (the last training, say): four months ago."""
        return (self.today - timedelta(days=120)).isoformat()

    def days_ago(self, days: int) -> date:
        return self.today - timedelta(days=days)

    @property
    def report_years(self) -> tuple[int, int]:
        """(the year of the annual report sent on 8 December and accepted, the year of the
        draft): until this year's 10 December deadline, last year's and this year's; after
        it, this year's and next year's."""
        year = self.today.year
        if self.today > date(year, DUE_MONTH, DUE_DAY):
            year += 1
        return year - 1, year


@dataclass
class DemoReport:
    created: bool
    accounts: list[tuple[str, str, str]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def _stable_id(*parts: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "/".join(parts))


def seed_reference(session: Session) -> None:
    """Units, built-in checklists and synthetic boundaries of the two demo cities."""
    if not reference.units_loaded(session):
        reference.load_units(session, packaged_units())
    builtin.seed_builtin(session)
    for province in (CAN_THO, HAI_PHONG):
        reference.seed_synthetic_boundaries(session, province)


def seed_demo(session: Session, today: date | None = None) -> DemoReport:
    """Seed the demo world once, dated from `today` (default: today in Vietnam); refuse
    nothing, repeat nothing."""
    dates = Dates(today or today_in_vietnam())
    audit.set_actor(session, None, "seed")
    seed_reference(session)
    accounts_list = [(u[0], u[1], DEMO_PASSWORD) for u in USERS]
    if session.scalar(select(User.id).where(User.username == "giamsat.ct")) is not None:
        return DemoReport(created=False, accounts=accounts_list)
    # A post office's staff belong to an organisation with a KT1 site in their province:
    # they are made once the sites are.
    users = {u[0]: _user(session, u) for u in USERS if u[1] != "post"}
    supervisor = users["giamsat.ct"]
    audit.set_actor(session, supervisor.id, "seed")
    site_rows = _sites(session, supervisor)
    users.update({u[0]: _user(session, u) for u in USERS if u[1] == "post"})
    checklist = session.scalars(select(Checklist).where(
        Checklist.target_kind == "kt1_provider", Checklist.status == "published")
        .order_by(Checklist.version.desc())).first()
    if checklist is None:
        raise RuntimeError("no published checklist for KT1 providers")
    starts_on, ends_on = dates.campaign
    campaign = campaigns.create_campaign(
        session, supervisor, name=dates.campaign_name, starts_on=starts_on, ends_on=ends_on,
        checklist_id=checklist.id)
    teams = [[users["kiemtra.ct1"].id, users["congan.ct1"].id],
             [users["kiemtra.ct2"].id, users["congan.ct2"].id]]
    providers = [s for s in site_rows if s.kind == "kt1_provider"]
    for n, site in enumerate(providers[:12]):
        campaigns.create_assignment(session, supervisor, campaign.id, site_id=site.id,
                                    team=teams[n % 2], due_on=dates.assignment_due(n))
    made = _inspections(session, users, checklist, campaign.id, providers, teams, dates)
    roster = _roster(session, users, providers, dates)
    reports = _provision_reports(session, users, dates)
    _signers(session)
    session.flush()
    return DemoReport(created=True, accounts=accounts_list,
                      counts={"sites": len(site_rows), "assignments": 12, **made,
                              "staff": roster, "provision_reports": reports,
                              "signers": len(SIGNERS)})


def _signers(session: Session) -> None:
    """The demo's signing officials (`SIGNERS`: demo data, not real officials)."""
    for province, full_name, title, delegation in SIGNERS:
        session.add(Signer(id=_stable_id("signer", province, full_name), province_code=province,
                           full_name=full_name, title=title, delegation=delegation,
                           active=True, version=1))


def _user(session: Session, row: tuple[Any, ...]) -> User:
    username, role, agency, province, full_name, organization = row
    return accounts.create_user(session, username=username, password=DEMO_PASSWORD, role=role,
                                agency=agency, province_code=province, full_name=full_name,
                                organization=organization)


def _sites(session: Session, actor: User) -> list[Any]:
    communes = session.scalars(select(Commune).where(
        Commune.province_code == CAN_THO, Commune.geom.is_not(None))
        .order_by(Commune.code)).all()
    step = max(len(communes) / SITE_COUNT, 1)
    chosen = [communes[int(i * step)] for i in range(min(SITE_COUNT, len(communes)))]
    rows = []
    for n, commune in enumerate(chosen):
        pt = to_shape(commune.geom).representative_point()
        short = commune.name.split(" ", 1)[1] if " " in commune.name else commune.name
        agency = n % 10 == 9
        rows.append(sites.create_site(
            session, actor,
            name=(f"Văn phòng UBND {commune.name.lower()}" if agency
                  else f"Bưu điện văn hóa {short}"),
            kind="kt1_user" if agency else "kt1_provider",
            organization=(f"UBND {commune.name}" if agency else "Bưu điện thành phố Cần Thơ"),
            address=f"{commune.name}, thành phố Cần Thơ", location=(pt.x, pt.y)))
    return rows


def compliant_value(item: ChecklistItem, today: date | None = None) -> Any:
    """An answer that satisfies the item's own rule (None for photo and signature items);
    a date is four months before `today` (default: today in Vietnam)."""
    rule = item.compliant_when or {}
    values: dict[str, Any] = {
        "yes_no_na": "yes",
        "number": rule.get("max", rule.get("min", 6)),
        "date": Dates(today or today_in_vietnam()).answered_date,
        "text": "Đơn vị không có ý kiến giải trình.",
        "choice": item.choices[0] if item.choices else None,
    }
    return values.get(item.answer_type)


REPRESENTATIVES = (("Nguyễn Thị Mai", "Trưởng bưu cục"), ("Phạm Quốc Bảo", "Phó Trưởng bưu cục"))
"""Who spoke for the site (the closing items), by the inspection's number modulo 2."""
CONCLUSIONS = {
    "K2": "Không có hành vi vi phạm hành chính cần lập biên bản.",
    "K3": "Khắc phục các nội dung chưa đạt trong thời hạn ghi tại thông báo của Sở.",
}
"""The conclusion's text items (K1 keeps the generic "no explanation")."""


def _answers(checklist: Checklist, *, violations: int, dates: Dates,
             n: int = 0, citable: Collection[str] = ()) -> dict[str, Any]:
    """Compliant answers to every item, then `violations` items made non-compliant (items
    that need no photo: demo photos would be fake evidence), those in `citable` first (their
    legal basis holds, so a notice can be issued on them). The closing items name the
    site's representative; signatures stay unanswered (no fake drawings either)."""
    values = {i.code: compliant_value(i, dates.today) for i in checklist.items()}
    name, title = REPRESENTATIVES[n % 2]
    texts = {**CONCLUSIONS, kt1_provider.REPRESENTATIVE_NAME: name,
             kt1_provider.REPRESENTATIVE_TITLE: title}
    values.update({code: text for code, text in texts.items() if code in values})
    candidates = sorted((i for i in checklist.items() if i.severity and not i.photo_required),
                        key=lambda i: i.code not in citable)
    for item in candidates[:violations]:
        rule = item.compliant_when or {}
        if "in" in rule:
            values[item.code] = "no"
        elif "gte_item" in rule:
            values[item.code] = max(int(values.get(rule["gte_item"]) or 6) - 2, 0)
        elif "max" in rule:
            values[item.code] = rule["max"] + 1
        elif "min" in rule:
            values[item.code] = rule["min"] - 10
    return {k: v for k, v in values.items() if v is not None}


def _inspections(session: Session, users: dict[str, User], checklist: Checklist,
                 campaign_id: uuid.UUID, providers: list[Any],
                 teams: list[list[uuid.UUID]], dates: Dates) -> dict[str, int]:
    supervisor = users["giamsat.ct"]
    plan = [("draft", 0), ("submitted", 2), ("submitted", 3), ("returned", 1),
            ("approved", 3), ("approved", 2)]
    for n, (state, violations) in enumerate(plan):
        start = dates.inspection_start(n)
        site = providers[n]
        lead = users["kiemtra.ct1"] if n % 2 == 0 else users["kiemtra.ct2"]
        pt = to_shape(session.merge(site).location)
        inspection, _ = inspections.create_inspection(
            session, lead, inspection_id=_stable_id("inspection", str(n)), site_id=site.id,
            checklist_id=checklist.id, campaign_id=campaign_id,
            started_at=start, team=teams[n % 2],
            location=Fix(lon=pt.x + 0.0004, lat=pt.y + 0.0003, accuracy_m=12))
        answers = _answers(checklist, violations=violations, dates=dates, n=n,
                           citable=_citable(session, checklist, site, start))
        if state == "draft":
            answers = dict(list(answers.items())[:10])
        for code, value in answers.items():
            inspections.put_answer(session, lead, inspection_id=inspection.id, item_code=code,
                                   value=value, answered_at=start + timedelta(hours=1),
                                   create_only=True)
        if state == "draft":
            continue
        inspections.submit(session, lead, inspection_id=inspection.id,
                           if_match=inspection.version)
        if state in ("returned", "approved"):
            inspections.review(session, supervisor, inspection_id=inspection.id,
                               decision="return" if state == "returned" else "approve",
                               comment="Bổ sung ghi chú cho mục C2." if state == "returned"
                               else "Đồng ý kết quả kiểm tra.", if_match=inspection.version,
                               items=["C2"] if state == "returned" else None)
        if state == "approved":
            for finding in session.scalars(select(Finding).where(
                    Finding.inspection_id == inspection.id).order_by(Finding.item_code)):
                finding_service.transition(session, supervisor, finding_id=finding.id,
                                           status="confirmed", comment="Xác nhận vi phạm.",
                                           due_on=dates.finding_due, if_match=finding.version)
    return {"inspections": len(plan)}


def _citable(session: Session, checklist: Checklist, site: Any,
             start: datetime) -> set[str]:
    """The items whose legal basis holds (verified, in force) on the visit's day, where
    `site` is: what a notice may cite with the register as the domain material has it."""
    on = today_in_vietnam(start)
    return {i.code for i in checklist.items() if i.severity and not legal.cite(
        session, [(i.code, i.legal_refs or [])], on=on, province_code=site.province_code
    ).blocked}


# Workers of the first three provider sites, through the roster's own workflow: (name,
# position, joined, trained (days before the seeding day), commitment, vetting outcome or None
# (asked, pending) or "" (not asked)). Vetting was asked 279 days ago and decided 240 days ago.
ROSTER = (
    (("Nguyễn Thị Mai", "Trưởng bưu cục", 2771, 230, True, "vetted"),
     ("Lê Văn Phúc", "Nhân viên khai thác KT1", 1922, 230, True, "vetted"),
     ("Trần Thị Ngọc Ánh", "Nhân viên giao dịch", 307, None, True, None)),
    (("Phạm Quốc Bảo", "Nhân viên khai thác KT1", 2519, 398, True, "vetted"),
     ("Đặng Thị Thu Hà", "Bưu tá phát KT1", 66, None, False, "")),
    (("Huỳnh Văn Lợi", "Bưu tá phát KT1", 3184, 398, True, "not_vetted"),),
)


def _roster(session: Session, users: dict[str, User], providers: list[Any],
            dates: Dates) -> int:
    from inspection import staff

    post, police = users["buudien.ct"], users["congan.ct1"]
    count = 0
    for site, workers in zip(providers, ROSTER, strict=False):
        for name, position, joined, trained, committed, outcome in workers:
            member = staff.add_member(
                session, post, site_id=site.id, full_name=name, position=position,
                joined_on=dates.days_ago(joined),
                trained_on=dates.days_ago(trained) if trained is not None else None,
                secrecy_commitment=committed)
            count += 1
            if outcome == "":
                continue
            member = staff.request_vetting(session, post, member.id, if_match=member.version,
                                           requested_on=dates.days_ago(279))
            if outcome is not None:
                staff.record_vetting(session, police, member.id, if_match=member.version,
                                     outcome=outcome, reference=f"{112 + count}/CAT-PA03",
                                     decided_on=dates.days_ago(240))
    return count


def _provision_reports(session: Session, users: dict[str, User], dates: Dates) -> int:
    """An annual KT1 report sent on time and accepted; the next one, a draft (`Dates`)."""
    from inspection.models import ProvisionReport

    post, supervisor = users["buudien.ct"], users["giamsat.ct"]
    accepted, drafted = dates.report_years
    sent = datetime(accepted, DUE_MONTH, DUE_DAY - 2, 2, 0, tzinfo=UTC)
    session.add(ProvisionReport(
        province_code=CAN_THO, organization=post.organization or "", year=accepted,
        status="accepted", total_volume=1_180_430, local_volume=214_905, staff_involved=42,
        revenue_vnd=11_872_500_000,
        compliance={"service": "Chấp nhận, vận chuyển và phát bưu gửi KT1 đúng quy trình.",
                    "quality": "Bảo đảm chỉ tiêu thời gian toàn trình đã công bố.",
                    "connection": "Kết nối đủ 103 xã, phường sau sắp xếp đơn vị hành chính.",
                    "security": "Khu vực khai thác riêng, có camera giám sát 24/24.",
                    "archiving": "Lưu sổ sách, chứng từ KT1 đủ thời hạn quy định."},
        incidents=[{"occurred_on": date(accepted, 8, 19).isoformat(),
                    "description": "Bao bì 01 bưu gửi KT1 bị rách do mưa lớn khi vận chuyển",
                    "handling": "Lập biên bản, kiểm đếm và đóng gói lại trước người nhận; "
                                "báo cáo Sở Khoa học và Công nghệ trong ngày"}],
        difficulties="Một số xã cù lao đi lại khó khăn vào mùa nước nổi.",
        proposals="Đề nghị các cơ quan gửi tài liệu mật đúng qua dịch vụ KT1.",
        submitted_at=sent, submitted_by=post.id, first_submitted_on=sent.date(),
        received_on=sent.date(), reviewed_at=sent + timedelta(days=3),
        reviewed_by=supervisor.id, created_by=post.id, version=3))
    session.add(ProvisionReport(
        province_code=CAN_THO, organization=post.organization or "", year=drafted,
        status="draft", total_volume=1_204_117, staff_involved=45, created_by=post.id,
        version=1))
    session.flush()
    return 2
