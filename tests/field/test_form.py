"""The checklist as inspectors fill it on a 1280x800 tablet (the field app at /app/), as
kiemtra.ct1 of the demo world, on SpatiaLite and on PostGIS: section navigation and progress,
resuming after a reload, the site's previous open findings, roster figures offered and sent
once confirmed, ratio pairs computed and judged, retrying GPS and photo flags in words.

The module adds to the demo world, before any page opens, one post office per story assigned
to kiemtra.ct1's joint team (and a KT1 roster for one of them); then the pages do the rest and
what reached the server is read from the database. `KT1_UPDATE_SAMPLES=1` writes the
screenshots docs/samples/field/form-*.png (on SpatiaLite).
"""

from __future__ import annotations

import io
import os
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from geoalchemy2.shape import to_shape
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from inspection import campaigns, demo, sites, staff
from inspection.checklists import services as checklist_services
from inspection.checklists.authoring import detail, yes_no
from inspection.inspections.location import location_check
from inspection.labels import LABELS
from inspection.models import Answer, Assignment, Campaign, Finding, Inspection, Site, User
from inspection.notices import VIETNAM
from tests.browser import watch
from tests.console.conftest import TABLET, World, browser, world  # noqa: F401  (fixtures)
from tests.field.checklist import item, pick, scribble, sign, synced, type_in

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples" / "field"
UPDATE_SAMPLES = os.environ.get("KT1_UPDATE_SAMPLES") == "1"
USER = "kiemtra.ct1"
STORIES = ("nav", "roster", "ratio", "gps", "photo")  # and "sign", an agency
ROSTER = (  # name, trained on, secrecy commitment, vetted: 3 involved, 2 vetted, 2 committed
    ("Võ Thị Kim Thoa", date(2026, 5, 12), True, True),
    ("Trương Minh Khang", date(2026, 6, 3), True, True),
    ("Lâm Ngọc Hân", None, False, False),
)

expect.set_options(timeout=20_000)


@dataclass
class Story:
    name: str  # the post office's name
    lon: float
    lat: float
    site_id: Any


@dataclass
class Stories:
    by_key: dict[str, Story]
    findings_site: Story  # a demo site with confirmed findings of an approved inspection


def _add_stories(session: Session) -> Stories:
    """One post office per story beside a demo one, assigned to kiemtra.ct1's team."""
    users = {u.username: u for u in session.scalars(select(User))}
    supervisor, post = users["giamsat.ct"], users["buudien.ct"]
    team = [users[USER].id, users["congan.ct1"].id]
    campaign = session.scalars(select(Campaign)).one()
    assigned = session.scalars(select(Assignment).where(Assignment.campaign_id == campaign.id)
                               .order_by(Assignment.due_on)).all()
    base = session.get(Site, assigned[0].site_id)
    assert base is not None
    point = to_shape(base.location)
    out = {}
    for n, key in enumerate(STORIES):
        lon, lat = point.x + 0.0005 * (n + 1), point.y + 0.0004 * (n + 1)
        site = sites.create_site(session, supervisor, name=f"Bưu cục thử biểu mẫu {n + 1}",
                                 kind="kt1_provider", organization=base.organization,
                                 address=base.address, location=(lon, lat))
        campaigns.create_assignment(session, supervisor, campaign.id, site_id=site.id,
                                    team=team, due_on=campaign.ends_on - timedelta(days=5))
        out[key] = Story(site.name, lon, lat, site.id)
    for name, trained, committed, vetted in ROSTER:
        member = staff.add_member(session, post, site_id=out["roster"].site_id, full_name=name,
                                  position="Nhân viên khai thác KT1",
                                  joined_on=date(2024, 1, 2), trained_on=trained,
                                  secrecy_commitment=committed)
        if vetted:
            member = staff.request_vetting(session, post, member.id, if_match=member.version,
                                           requested_on=date(2026, 3, 2))
            staff.record_vetting(session, users["congan.ct1"], member.id,
                                 if_match=member.version, outcome="vetted",
                                 reference="201/CAT-PA03", decided_on=date(2026, 4, 10))
    out["sign"] = _signature_story(session, supervisor, team, base, (point.x, point.y - 0.002))
    flagged = session.scalars(  # of an inspection kiemtra.ct1 led (so their team's site)
        select(Finding).join(Inspection, Inspection.id == Finding.inspection_id)
        .where(Finding.status == "confirmed", Inspection.created_by == users[USER].id)
        .order_by(Finding.item_code)).first()
    assert flagged is not None
    site = session.get(Site, flagged.site_id)
    assert site is not None
    # Its approved visit is done: the findings are followed up at the next visit, which a
    # campaign of its own assigns to the same team.
    today = datetime.now(VIETNAM).date()
    follow_up = campaigns.create_campaign(
        session, supervisor, name="Kiểm tra lại việc khắc phục",
        starts_on=today - timedelta(days=1), ends_on=today + timedelta(days=30),
        checklist_id=campaign.checklist_id)
    campaigns.create_assignment(session, supervisor, follow_up.id, site_id=site.id, team=team,
                                due_on=today + timedelta(days=14))
    shape = to_shape(site.location)
    return Stories(out, Story(site.name, shape.x, shape.y, site.id))


SIGNERS = {"Z1": "Chữ ký của người đại diện cơ quan", "Z2": "Chữ ký của trưởng đoàn kiểm tra",
           "Z3": "Chữ ký của cán bộ Công an trong đoàn"}


def _signature_story(session: Session, supervisor: User, team: list[Any], base: Site,
                     at: tuple[float, float]) -> Story:
    """An agency using KT1, inspected with a checklist whose one section closes the record
    with three signatures (a campaign of its own pins it)."""
    draft = checklist_services.create_version(
        session, code="KT1-USER-KY", title="Kiểm tra cơ quan sử dụng dịch vụ KT1 (thử chữ ký)",
        target_kind="kt1_user", sections=[
            {"code": "Y", "title": "Kiểm tra", "items": [
                yes_no("Y1", "Cơ quan gửi tài liệu mật qua dịch vụ KT1", severity="high",
                       refs=[])]},
            {"code": "Z", "title": "Chữ ký", "items": [
                detail(code, text, "signature") for code, text in SIGNERS.items()]}])
    checklist = checklist_services.publish(session, draft.id)
    campaign = campaigns.create_campaign(
        session, supervisor, name="Kiểm tra cơ quan sử dụng KT1 (thử chữ ký)",
        starts_on=date(2026, 3, 1), ends_on=date(2026, 12, 31), checklist_id=checklist.id)
    site = sites.create_site(session, supervisor, name="Văn phòng thử chữ ký",
                             kind="kt1_user", organization="UBND thử chữ ký",
                             address=base.address, location=at)
    campaigns.create_assignment(session, supervisor, campaign.id, site_id=site.id, team=team,
                                due_on=date(2026, 12, 20))
    return Story(site.name, at[0], at[1], site.id)


@pytest.fixture(scope="module")
def stories(world: World) -> Stories:  # noqa: F811
    return world.seed(_add_stories)


@dataclass
class Tablet:
    context: BrowserContext
    page: Page


def near(story: Story, metres: float = 20) -> Any:  # playwright's Geolocation
    return {"longitude": story.lon, "latitude": story.lat + metres / 111_195.08,
            "accuracy": 12}


@pytest.fixture
def tablet(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Tablet]:  # noqa: F811
    """A fresh 1280x800 tablet in Vietnam's time zone, allowed to locate itself; any script
    error, CSP violation or failed app asset fails the test."""
    context = browser.new_context(viewport=TABLET, locale="vi-VN",  # type: ignore[arg-type]
                                  timezone_id="Asia/Ho_Chi_Minh", permissions=["geolocation"],
                                  geolocation={"longitude": 0, "latitude": 0, "accuracy": 5000})
    page = context.new_page()
    broken = watch(page)
    yield Tablet(context, page)
    context.close()
    assert broken == []


# --- what the inspector does ----------------------------------------------------------------

def log_in(page: Page, world: World) -> None:  # noqa: F811
    page.goto(f"{world.base_url}/app/")
    expect(page.locator("#login-view")).to_be_visible()
    page.get_by_label("Tên đăng nhập").fill(USER)
    page.get_by_label("Mật khẩu").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator("#home-view")).to_be_visible()
    expect(page.locator("#assignment-list li.assignment").first).to_be_visible()


def start(tablet: Tablet, story: Story) -> str:
    tablet.context.set_geolocation(near(story))
    page = tablet.page
    page.locator("li.assignment").filter(has_text=story.name).get_by_role(
        "button", name="Bắt đầu kiểm tra").click()
    expect(page.locator("#inspection-view")).to_be_visible()
    expect(page.locator("#insp-site")).to_have_text(story.name)
    inspection_id = page.locator("body").get_attribute("data-inspection")
    assert inspection_id
    return inspection_id


def tab(page: Page, section: str) -> Any:
    return page.locator(f'#section-nav .section-tab[data-section="{section}"]')




def sample(page: Page, world: World, name: str) -> None:  # noqa: F811
    if UPDATE_SAMPLES and world.backend == "spatialite":
        SAMPLES.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SAMPLES / f"{name}.png"), full_page=False)


def answers_on_server(world: World, inspection_id: str) -> dict[str, Any]:  # noqa: F811
    def read(session: Session) -> dict[str, Any]:
        return {a.item_code: a.value for a in session.scalars(
            select(Answer).where(Answer.inspection_id == uuid.UUID(inspection_id)))}
    return world.seed(read)


# --- the stories ----------------------------------------------------------------------------

def test_sections_show_their_progress_and_a_reload_resumes_in_the_same_section(
        world: World, stories: Stories, tablet: Tablet) -> None:  # noqa: F811
    page = tablet.page
    log_in(page, world)
    start(tablet, stories.by_key["nav"])
    nav = page.locator("#section-nav")
    expect(nav.locator(".section-tab")).to_have_count(12)  # A to L of KT1-PROVIDER v2
    expect(tab(page, "A").locator(".count")).to_have_text("0/8")
    expect(tab(page, "A")).to_have_attribute("aria-current", "true")
    pick(page, "A1", "Có")
    expect(tab(page, "A").locator(".count")).to_have_text("1/8")
    pick(page, "A3", "Không")
    expect(tab(page, "A").locator(".count")).to_have_text("2/8")
    expect(tab(page, "A").locator(".bad-count")).to_have_text("1 không đạt")

    tab(page, "E").click()
    expect(tab(page, "E")).to_have_attribute("aria-current", "true")
    expect(page.locator('.checklist-section[data-section="E"] > h3')).to_be_in_viewport()
    expect(nav).to_be_in_viewport()  # sticky: still there below the sync bar
    pick(page, "E1", "Có")
    expect(tab(page, "E").locator(".count")).to_have_text("1/4")
    tab(page, "E").click()
    sample(page, world, "form-sections")
    page.mouse.wheel(0, 180)  # a little into section E
    page.wait_for_timeout(400)
    offset = page.evaluate("window.scrollY")

    page.reload()  # the inspection on screen opens again, where it was left
    expect(page.locator("body")).to_have_attribute("data-state", "ready")
    expect(page.locator("#inspection-view")).to_be_visible()
    expect(page.locator("#insp-site")).to_have_text(stories.by_key["nav"].name)
    expect(tab(page, "E")).to_have_attribute("aria-current", "true")
    expect(tab(page, "A").locator(".count")).to_have_text("2/8")
    assert abs(page.evaluate("window.scrollY") - offset) < 40
    expect(item(page, "E1").get_by_label("Có", exact=True)).to_be_checked()

    page.get_by_role("button", name="← Danh sách cơ sở").click()
    page.reload()  # left for the home screen: a reload stays there
    expect(page.locator("body")).to_have_attribute("data-state", "ready")
    expect(page.locator("#home-view")).to_be_visible()
    expect(page.locator("#inspection-view")).to_be_hidden()


def test_a_previous_open_finding_of_the_site_is_shown_beside_its_item(
        world: World, stories: Stories, tablet: Tablet) -> None:  # noqa: F811
    site = stories.findings_site

    def open_findings(session: Session) -> list[tuple[str, str, str, date | None]]:
        return [(f.item_code, f.description, f.severity, f.due_on) for f in session.scalars(
            select(Finding).where(Finding.site_id == site.site_id,
                                  Finding.status == "confirmed").order_by(Finding.item_code))]
    findings = world.seed(open_findings)
    assert findings
    page = tablet.page
    log_in(page, world)
    start(tablet, site)
    for code, description, severity, due in findings:
        box = page.locator(f'[data-node="{code}"], [data-item="{code}"]').first.locator(
            ".previous-finding").filter(has_text=description)
        expect(box).to_have_count(1)
        expect(box.locator(".severity")).to_have_text(LABELS["severity"][severity])
        assert due is not None
        expect(box.locator(".meta")).to_have_text(
            f"Trạng thái: {LABELS['finding_status']['confirmed']} · "
            f"Hạn khắc phục: {due.strftime('%d/%m/%Y')}")
    page.locator(f'[data-item="{findings[0][0]}"]').first.scroll_into_view_if_needed()
    sample(page, world, "form-previous-findings")


def test_a_roster_figure_is_offered_and_sent_as_the_answer_only_once_confirmed(
        world: World, stories: Stories, tablet: Tablet) -> None:  # noqa: F811
    page = tablet.page
    log_in(page, world)
    inspection_id = start(tablet, stories.by_key["roster"])
    c1 = item(page, "C1")
    expect(c1.locator(".roster-hint")).to_contain_text("Theo danh sách nhân viên: 3")
    expect(c1.locator(".value")).to_have_value("")  # offered, not answered
    expect(item(page, "C2").locator(".roster-hint")).to_contain_text(
        "Theo danh sách nhân viên: 2")
    expect(item(page, "C5.1").locator(".roster-hint")).to_contain_text(
        "Theo danh sách nhân viên: 03/06/2026")
    pick(page, "A1", "Có")  # something else is answered and sent meanwhile
    synced(page)
    assert answers_on_server(world, inspection_id) == {"A1": "yes"}

    c1.get_by_role("button", name="Dùng số liệu danh sách nhân viên cho mục C1").click()
    expect(c1.locator(".value")).to_have_value("3")
    expect(c1.locator(".roster-hint")).to_have_text("Khớp danh sách nhân viên (3).")
    type_in(page, "C2", "1")  # corrected: one of the two vetted has no document on file
    expect(item(page, "C2").locator(".roster-hint")).to_contain_text("khác câu trả lời")
    item(page, "C5.1").get_by_role("button", name="Dùng số liệu").click()
    expect(item(page, "C5.1").locator(".value")).to_have_value("2026-06-03")
    tab(page, "C").click()
    sample(page, world, "form-roster")
    synced(page)
    assert answers_on_server(world, inspection_id) == {
        "A1": "yes", "C1": 3, "C2": 1, "C5.1": "2026-06-03"}


def test_a_ratio_pair_computes_its_ratio_and_judges_it_by_the_rule(
        world: World, stories: Stories, tablet: Tablet) -> None:  # noqa: F811
    page = tablet.page
    log_in(page, world)
    inspection_id = start(tablet, stories.by_key["ratio"])
    tab(page, "G").click()
    block = page.locator('[data-ratio="G1"]')
    expect(block.locator(".ratio-value")).to_have_text("Nhập đủ hai số để tính tỉ lệ")
    expect(block.get_by_label("Số bưu gửi KT1 được chọn kiểm tra mẫu chỉ tiêu thời gian")
           ).to_be_visible()
    type_in(page, "G1.1", "50")
    type_in(page, "G1", "45")
    expect(block.locator(".ratio-value")).to_have_text("45/50 = 90 %")
    expect(block.locator(".verdict")).to_have_text(LABELS["verdict"]["noncompliant"])
    expect(item(page, "G1").locator(".badge.bad")).to_have_text("Không đạt")
    expect(tab(page, "G").locator(".bad-count")).to_have_text("1 không đạt")
    type_in(page, "G2.1", "40")
    type_in(page, "G2", "40")
    expect(page.locator('[data-ratio="G2"] .ratio-value')).to_have_text("40/40 = 100 %")
    expect(page.locator('[data-ratio="G2"] .verdict')).to_have_text(
        LABELS["verdict"]["compliant"])
    block.scroll_into_view_if_needed()
    sample(page, world, "form-ratio")
    type_in(page, "G1", "50")
    expect(block.locator(".ratio-value")).to_have_text("50/50 = 100 %")
    expect(block.locator(".verdict")).to_have_text(LABELS["verdict"]["compliant"])
    # A total several pairs share (C1 for C2 and C4) is one answer, shown in each pair.
    type_in(page, "C1", "4")
    expect(page.locator('[data-ratio="C4"] [data-mirror="C1"] input')).to_have_value("4")
    type_in(page, "C4", "3")
    expect(page.locator('[data-ratio="C4"] .ratio-value')).to_have_text("3/4 = 75 %")
    synced(page)
    assert answers_on_server(world, inspection_id) == {
        "G1.1": 50, "G1": 50, "G2.1": 40, "G2": 40, "C1": 4, "C4": 3}


def test_retrying_gps_replaces_a_far_fix_offline_and_once_the_inspection_is_sent(
        world: World, stories: Stories, tablet: Tablet) -> None:  # noqa: F811
    page = tablet.page
    story = stories.by_key["gps"]
    log_in(page, world)
    tablet.context.set_offline(True)
    tablet.context.set_geolocation(near(story, metres=4_000))
    page.locator("li.assignment").filter(has_text=story.name).get_by_role(
        "button", name="Bắt đầu kiểm tra").click()
    expect(page.locator("#inspection-view")).to_be_visible()
    inspection_id = str(page.locator("body").get_attribute("data-inspection"))
    gps = page.locator("#insp-gps")
    far = f"Kiểm tra vị trí: {LABELS['location_check']['far']}"
    expect(gps).to_contain_text(far)
    expect(gps).to_contain_text("cách cơ sở 4.000 m")
    sample(page, world, "form-gps-retry")
    # Offline, the creation still waits on the tablet: the new fix goes with it.
    tablet.context.set_geolocation(near(story, metres=2_000))
    gps.get_by_role("button", name="Thử lại định vị").click()
    expect(gps).to_contain_text("cách cơ sở 2.000 m")
    expect(gps).to_contain_text(far)
    tablet.context.set_offline(False)
    synced(page)
    assert server_check(world, inspection_id) == "far"
    # Once the inspection is on the server, the new fix is a change of its own.
    tablet.context.set_geolocation(near(story, metres=25))
    gps.get_by_role("button", name="Thử lại định vị").click()
    expect(gps).to_contain_text(f"Kiểm tra vị trí: {LABELS['location_check']['ok']}")
    expect(gps).to_contain_text("Đã cập nhật vị trí.")
    expect(gps.get_by_role("button", name="Thử lại định vị")).to_have_count(0)
    synced(page)
    assert server_check(world, inspection_id) == "ok"


def server_check(world: World, inspection_id: str) -> str:  # noqa: F811
    def check(session: Session) -> str:
        inspection = session.get(Inspection, uuid.UUID(inspection_id))
        assert inspection is not None
        return location_check(inspection.site.location, inspection.location,
                              inspection.accuracy_m, far_radius_m=300,
                              max_accuracy_m=1000).status
    return world.seed(check)


def test_a_flagged_photo_shows_its_flag_in_words(
        world: World, stories: Stories, tablet: Tablet) -> None:  # noqa: F811
    page = tablet.page
    log_in(page, world)
    start(tablet, stories.by_key["photo"])
    pick(page, "A2", "Có")
    item(page, "A2").locator("input[type=file]").first.set_input_files(
        {"name": "anh.jpg", "mimeType": "image/jpeg", "buffer": jpeg(7)})
    expect(item(page, "A2").locator(".thumbs figure")).to_have_count(1)
    synced(page)
    flag = item(page, "A2").locator(".photo-flag").filter(
        has_text=LABELS["photo_flag"]["no_exif_position"])
    for _ in range(20):  # the server checks the photo after it arrives: sync until it says
        if flag.count():
            break
        page.locator("#sync-now").click()
        page.wait_for_timeout(1_000)
    expect(flag).to_have_count(1)
    expect(item(page, "A2").locator(".photo-flag").filter(
        has_text=LABELS["photo_flag"]["no_exif_time"])).to_have_count(1)
    item(page, "A2").locator(".thumbs").scroll_into_view_if_needed()
    sample(page, world, "form-photo-flags")


def jpeg(seed: int) -> bytes:
    """A small JPEG without EXIF (no position, no time: the server flags both)."""
    img = Image.new("RGB", (320, 240), (random.Random(seed).randrange(256), 120, 90))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90)
    return out.getvalue()


def test_several_signatures_in_one_section_each_have_their_own_pad(
        world: World, stories: Stories, tablet: Tablet) -> None:  # noqa: F811
    page = tablet.page
    log_in(page, world)
    inspection_id = start(tablet, stories.by_key["sign"])
    pads = page.locator('.checklist-section[data-section="Z"] .signature-pad')
    expect(pads).to_have_count(3)
    for code, signer in SIGNERS.items():
        expect(item(page, code).locator(".signer")).to_have_text(f"Người ký: {signer}")
        expect(item(page, code).get_by_label(f"Ký tên: {signer}")).to_be_visible()
    sign(page, "Z1")
    scribble(page, "Z2")  # drawn, then cleared: nothing to save
    item(page, "Z2").get_by_role("button", name="Xoá nét ký").click()
    item(page, "Z2").get_by_role("button", name="Lưu chữ ký").click()
    sign(page, "Z3")
    expect(item(page, "Z2").locator("img.signature-img")).to_have_count(0)
    expect(item(page, "Z1").locator("img.signature-img")).to_have_count(1)
    synced(page)
    values = answers_on_server(world, inspection_id)
    assert set(values) == {"Z1", "Z3"} and values["Z1"] != values["Z3"]



