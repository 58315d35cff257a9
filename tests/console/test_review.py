"""The supervisor's review in the console, as Cần Thơ's supervisor works through it: an
inspection a tablet pushed (answers, photo evidence with a doubt, submitted) is found in the
queue, looked at (answers, photos and their flags, the map), returned with a comment; once
resubmitted it is approved, its findings confirmed or dismissed with a reason, and its
violation notice issued and downloaded. Another province's supervisor finds nothing.
"""

from __future__ import annotations

import hashlib
import io
import re
import time
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import requests
from geoalchemy2.shape import to_shape
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from sqlalchemy import select
from tusclient.client import TusClient

from inspection import demo
from inspection.models import (
    Assignment,
    Campaign,
    Checklist,
    Finding,
    Inspection,
    Notice,
    Signer,
    Site,
    User,
)
from tests.console.conftest import TABLET, World, open_page, screenshot, sign_in
from tests.console.test_notices import finding, report
from tests.media.pictures import exif, save_jpeg, two_tone

VN = timezone(timedelta(hours=7))
HA_NOI = (105.8542, 21.0285)  # lon, lat: far from any Cần Thơ site
NON_COMPLIANT = {"A1": "no", "A2": "no", "A3": "no", "A6": 2}
BLOB = re.compile(r"^blob:")
# A document is rendered by a background job: on a loaded machine that outlasts the default
# wait of a page's reaction, so its outcome is awaited longer (an outcome, not a timing).
JOB_WAIT = 90_000
RETURN_COMMENT = "Ảnh mục A2 chụp xa bưu cục; đề nghị chụp lại tại chỗ và bổ sung ghi chú."


@dataclass
class Story:
    inspection_id: str
    site_name: str
    device_id: str
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def _login(world: World, username: str, device_id: str) -> str:
    resp = requests.post(f"{world.base_url}/api/v1/auth/login", json={
        "username": username, "password": demo.DEMO_PASSWORD, "device_id": device_id},
        timeout=10)
    assert resp.status_code == 200, resp.text
    return str(resp.json()["access_token"])


def _mutation(entity: str, ident: str, data: dict[str, Any], base: int | None = None
              ) -> dict[str, Any]:
    return {"mutation_id": str(uuid.uuid4()), "entity": entity, "op": "upsert", "id": ident,
            "base_version": base, "data": data,
            "client_time": datetime.now(UTC).isoformat()}


def push(world: World, story: Story, mutations: list[dict[str, Any]]) -> None:
    """The tablet's sync push; every mutation must be applied."""
    resp = requests.post(f"{world.base_url}/api/v1/sync/push", headers=story.auth, json={
        "device_id": story.device_id, "mutations": mutations}, timeout=30)
    assert resp.status_code == 200, resp.text
    results = resp.json()["results"]
    assert [r["status"] for r in results] == ["applied"] * len(mutations), results


def upload(world: World, story: Story, path: Path, item_code: str) -> None:
    client = TusClient(f"{world.base_url}/api/v1/uploads", headers=story.auth)
    client.uploader(file_path=str(path), chunk_size=256 * 1024, upload_checksum=True, metadata={
        "inspection_id": story.inspection_id, "item_code": item_code, "filename": path.name,
        "filetype": "image/jpeg", "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
    }).upload()


def ready_photos(world: World, story: Story, count: int) -> list[dict[str, Any]]:
    """The inspection's photos once `count` of them are processed (the served app's job
    thread processes each upload when its last byte arrives)."""
    deadline = time.monotonic() + 60
    while True:
        resp = requests.get(f"{world.base_url}/api/v1/inspections/{story.inspection_id}/photos",
                            headers=story.auth, timeout=10)
        assert resp.status_code == 200, resp.text
        found = [p for p in resp.json() if p["status"] == "ready"]
        if len(found) >= count:
            return found
        assert time.monotonic() < deadline, resp.json()
        time.sleep(0.2)


def inspection_row(world: World, ident: str) -> tuple[str, int, str | None]:
    """(status, version, review comment) as stored."""
    def read(s: Any) -> tuple[str, int, str | None]:
        row = s.get_one(Inspection, uuid.UUID(ident))
        return row.status, row.version, row.review_comment
    return world.seed(read)


@pytest.fixture(scope="module")
def story(world: World, tmp_path_factory: pytest.TempPathFactory) -> Story:
    """Nguyễn Văn An's tablet pushes an inspection of the campaign's 7th site (answers,
    four
    of them non-compliant), sends photo evidence for A2 (taken in Hà Nội: a doubt) and a
    plain photo for A5, then submits it."""

    def facts(s: Any) -> dict[str, Any]:
        checklist = s.scalars(select(Checklist).where(
            Checklist.target_kind == "kt1_provider", Checklist.status == "published")).first()
        campaign = s.scalars(select(Campaign)).one()
        sites = s.scalars(select(Site).join(Assignment, Assignment.site_id == Site.id)
                          .where(Assignment.campaign_id == campaign.id)
                          .order_by(Site.name)).all()
        taken = {i.site_id for i in s.scalars(select(Inspection))}
        site = next(x for x in sites if x.id not in taken)
        point = to_shape(site.location)
        users = {u: s.scalars(select(User).where(User.username == u)).one().id
                 for u in ("kiemtra.ct1", "congan.ct1")}
        values = {i.code: demo.compliant_value(i) for i in checklist.items()}
        return {"checklist": str(checklist.id), "campaign": str(campaign.id),
                "site": str(site.id), "site_name": site.name, "lon": point.x, "lat": point.y,
                "team": [str(v) for v in users.values()],
                "values": {k: v for k, v in values.items() if v is not None}}

    got = world.seed(facts)
    device = f"tablet-{uuid.uuid4()}"
    ident = str(uuid.uuid4())
    told = Story(ident, got["site_name"], device, _login(world, "kiemtra.ct1", device))
    started = datetime.now(VN) - timedelta(hours=1)
    answered = (started + timedelta(minutes=20)).isoformat()
    push(world, told, [_mutation("inspection", ident, {
        "site_id": got["site"], "checklist_id": got["checklist"],
        "campaign_id": got["campaign"], "started_at": started.isoformat(),
        "location": {"lon": got["lon"] + 0.0004, "lat": got["lat"] + 0.0003, "accuracy_m": 9},
        "team": got["team"]})])
    values = {**got["values"], **NON_COMPLIANT}
    push(world, told, [_mutation("answer", str(uuid.uuid4()), {
        "inspection_id": ident, "item_code": code, "value": value, "answered_at": answered,
        **({"note": "Bưu gửi chưa được đóng dấu KT1."} if code == "A2" else {})})
        for code, value in values.items()])
    folder = tmp_path_factory.mktemp("review-photos")
    during = (started + timedelta(minutes=30)).strftime("%Y:%m:%d %H:%M:%S")
    upload(world, told, save_jpeg(folder / "a2-buu-gui.jpg", two_tone(800, 600), exif(
        lon_lat=HA_NOI, taken=during, offset="+07:00", make="samsung", model="SM-T975")), "A2")
    upload(world, told, save_jpeg(folder / "a5-vo-boc.jpg", two_tone(800, 600), exif(
        lon_lat=(got["lon"], got["lat"]), taken=during, offset="+07:00", make="samsung",
        model="SM-T975")), "A5")
    ready_photos(world, told, 2)
    push(world, told, [_mutation("inspection", ident, {"status": "submitted"}, base=1)])
    assert inspection_row(world, ident)[0] == "submitted"
    return told


def open_inspection_from_queue(page: Page, story: Story) -> None:
    expect(page.get_by_role("heading", name="Duyệt kết quả kiểm tra")).to_be_visible()
    row = page.locator(f'tr[data-id="{story.inspection_id}"]')
    expect(row).to_be_visible()
    row.get_by_role("link", name=story.site_name).click()
    expect(page.get_by_role("heading", name=f"Kiểm tra: {story.site_name}")).to_be_visible()


def test_the_supervisor_finds_the_inspection_in_the_queue_looks_at_it_and_returns_it(
        world, page, story):
    sign_in(page, world, "giamsat.ct", "#/review")
    row = page.locator(f'tr[data-id="{story.inspection_id}"]')
    expect(row).to_contain_text(story.site_name)
    expect(row).to_contain_text("Nguyễn Văn An")
    expect(row).to_contain_text("Lê Hoàng Nam")
    expect(row).to_contain_text("Đúng địa điểm")
    expect(row.locator("td").nth(5)).to_have_text("1")  # one photo with a doubt
    expect(row.locator("td").nth(6)).to_have_text("4")  # four non-compliant items
    # sorted by findings, it comes first among the submitted ones (the demo's have 2 and 3)
    page.get_by_label("Sắp xếp").select_option("-non_compliant")
    expect(page.locator("tbody tr").first).to_have_attribute("data-id", story.inspection_id)
    screenshot(page, "review-queue")

    open_inspection_from_queue(page, story)
    expect(page.locator(".review-header")).to_contain_text("Chờ duyệt")
    expect(page.locator(".review-header")).to_contain_text("Ảnh chụp xa địa điểm kiểm tra")
    expect(page.locator(".review-map.leaflet-container")).to_be_visible()
    # the site, the fix, its accuracy circle and the line between them
    expect(page.locator(".review-map path.leaflet-interactive")).to_have_count(4)
    expect(page.locator(".review-map .leaflet-tooltip")).to_have_text(["Địa điểm", "Định vị",
                                                                       "55 m"])
    a2 = page.locator('li.review-item[data-item="A2"]')
    expect(a2).to_have_class("review-item review-item-bad")
    expect(a2).to_contain_text("Không đạt")
    expect(a2).to_contain_text("Bưu gửi chưa được đóng dấu KT1.")
    expect(page.locator('li.review-item[data-item="A5"]')).not_to_contain_text("Không đạt")
    expect(page.locator(".review-findings tbody tr")).to_have_count(4)
    expect(page.locator(".review-history")).to_contain_text("Tạo phiên kiểm tra")
    expect(page.locator(".review-history")).to_contain_text("Chờ duyệt")
    expect(page.locator(".review-thumb img").first).to_have_attribute("src", BLOB)
    screenshot(page, "inspection")

    a2.get_by_role("button", name="Xem lớn: Mục A2 — ảnh 1 (có nghi vấn)").click()
    dialog = page.get_by_role("dialog", name="Xem ảnh")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Ảnh chụp xa địa điểm kiểm tra")
    expect(dialog).to_contain_text("21.02850, 105.85420")
    expect(dialog).to_contain_text("samsung SM-T975")
    expect(dialog.locator(".review-sha")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    expect(dialog.locator(".review-photo-img")).to_have_attribute("src", BLOB)
    screenshot(page, "inspection-photo")
    dialog.get_by_role("button", name="Đóng").click()
    expect(dialog).to_be_hidden()

    # a return without a comment is refused in place; with one it is stored and shown
    page.get_by_role("button", name="Trả lại", exact=True).click()
    expect(page.locator(".review-decision .outcome-error")).to_contain_text("Cần ghi nhận xét")
    page.get_by_label("Nhận xét").fill(RETURN_COMMENT)
    a2.get_by_label("Đánh dấu mục A2 cần sửa").check()  # the item the team must fix
    a2.scroll_into_view_if_needed()
    screenshot(page, "inspection-return-items")
    page.get_by_role("button", name="Trả lại", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Đã trả lại phiên kiểm tra")).to_be_visible()
    expect(page.locator(".review-header")).to_contain_text("Bị trả lại")
    expect(page.locator(".review-comment-shown")).to_have_text(RETURN_COMMENT)
    expect(page.locator(".review-header")).to_contain_text("Mục cần sửa")
    expect(page.locator('li.review-item[data-item="A2"] .review-returned-badge')).to_have_text(
        "Cần sửa")
    expect(page.get_by_role("button", name="Duyệt", exact=True)).to_have_count(0)
    status, _, comment = inspection_row(world, story.inspection_id)
    assert (status, comment) == ("returned", RETURN_COMMENT)
    assert world.seed(lambda s: s.get_one(Inspection, uuid.UUID(story.inspection_id))
                      .review_items) == ["A2"]


@pytest.fixture
def resubmitted(world: World, story: Story) -> Story:
    """The tablet submits the returned inspection again."""
    status, version, _ = inspection_row(world, story.inspection_id)
    if status == "returned":
        push(world, story, [_mutation("inspection", story.inspection_id, {
            "status": "submitted"}, base=version)])
    assert inspection_row(world, story.inspection_id)[0] == "submitted"
    return story


def set_reference_status(world, instrument, status):  # type: ignore[no-untyped-def]
    """What the legal officer decided of a reference of the register (the whole instrument)."""
    from sqlalchemy import update

    from inspection.legal import reference_id
    from inspection.models import LegalReference

    world.seed(lambda s: s.execute(update(LegalReference).where(
        LegalReference.id == reference_id(instrument, None)).values(status=status)))


def test_once_resubmitted_it_is_approved_its_findings_settled_and_its_notice_issued(
        world, page, resubmitted, tmp_path):
    story = resubmitted
    sign_in(page, world, "giamsat.ct", "#/review")
    open_inspection_from_queue(page, story)
    page.get_by_label("Nhận xét").fill("Đồng ý kết quả kiểm tra.")
    page.get_by_role("button", name="Duyệt", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Đã duyệt phiên kiểm tra.")).to_be_visible()
    expect(page.locator(".review-header")).to_contain_text("Đã duyệt")

    # no notice before a finding is confirmed: the refusal is shown in place, the offer stays
    page.get_by_role("button", name="Ban hành thông báo vi phạm").click()
    expect(page.locator(".review-notice + .outcome-error")).to_be_visible()
    expect(page.get_by_role("button", name="Ban hành thông báo vi phạm")).to_be_enabled()

    # A3 dismissed with its reason (the button asks for it), the rest confirmed at once
    a3 = page.locator('.review-findings tr[data-item="A3"]')
    a3.get_by_role("button", name="Bác bỏ phát hiện A3").click()
    a3.get_by_role("button", name="Xác nhận bác bỏ phát hiện A3").click()
    expect(a3.locator(".outcome-error")).to_contain_text("Cần ghi lý do")
    a3.get_by_label("Lý do bác bỏ phát hiện A3").fill("Dấu ngày thể hiện trên chứng từ chấp nhận.")
    a3.get_by_role("button", name="Xác nhận bác bỏ phát hiện A3").click()
    expect(a3).to_contain_text("Đã bác bỏ")
    expect(a3).to_contain_text("Dấu ngày thể hiện trên chứng từ chấp nhận.")
    page.get_by_role("button", name="Xác nhận tất cả phát hiện chờ xác nhận").click()
    expect(page.locator(".review-findings > .outcome-ok")).to_have_text("Đã xác nhận 3 phát hiện.")
    expect(page.get_by_role("button", name="Xác nhận tất cả phát hiện chờ xác nhận")).to_be_hidden()
    for code in ("A1", "A2", "A6"):
        expect(page.locator(f'.review-findings tr[data-item="{code}"]')).to_contain_text(
            "Đã xác nhận")

    # a finding citing a reference nobody has verified: the refusal lists it, the offer stays
    set_reference_status(world, "Quyết định 32/2025/QĐ-TTg", "unverified")
    page.locator(".review-notice").get_by_label("Người ký").select_option(
        label="KT. GIÁM ĐỐC – Phó Giám đốc – Trần Văn Bình")
    page.get_by_role("button", name="Ban hành thông báo vi phạm").click()
    refused = page.locator(".review-notice + .outcome-error")
    expect(refused).to_contain_text("Mục A1: Quyết định 32/2025/QĐ-TTg – chưa xác minh")
    set_reference_status(world, "Quyết định 32/2025/QĐ-TTg", "verified")
    # the offer comes back with the signer the supervisor chose (two in Cần Thơ, the demo's)
    expect(page.locator(".review-notice").get_by_label("Người ký")).to_have_value(
        world.seed(lambda s: str(s.scalars(select(Signer.id).where(
            Signer.full_name == "Trần Văn Bình")).one())))
    page.get_by_role("button", name="Ban hành thông báo vi phạm").click()
    expect(page.locator(".review-notice progress")).to_be_attached()  # the job, live
    number = page.locator(".review-notice .review-number")
    expect(number).to_have_text(re.compile(r"\d+/TB-"), timeout=JOB_WAIT)
    expect(page.locator(".review-notice")).to_contain_text("Đã ban hành")
    notice_number = number.inner_text()
    expect(page.get_by_text(f"Đã ban hành thông báo số {notice_number}.")).to_be_visible()
    link = page.get_by_role("link", name="Theo dõi khắc phục của thông báo này →")
    notice = world.seed(lambda s: s.scalars(select(Notice).where(
        Notice.inspection_id == uuid.UUID(story.inspection_id))).one())
    expect(link).to_have_attribute("href", f"#/notices/{notice.id}")
    expect(page.locator(".review-notice")).to_contain_text(f"/notices/{notice.id}/verify")
    page.locator(".review-notice").scroll_into_view_if_needed()
    screenshot(page, "notice-issued")

    with page.expect_download() as waited:
        page.locator(".review-notice").get_by_role("button", name="Tải PDF").click()
    saved = tmp_path / "notice.pdf"
    waited.value.save_as(saved)
    data = saved.read_bytes()
    assert data.startswith(b"%PDF")
    text = " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)
    assert notice_number.split("/")[0] in text and "TB-" in text
    assert "Trần Văn Bình" in unicodedata.normalize("NFC", text)

    findings = world.seed(lambda s: {f.item_code: (f.status, f.status_comment) for f in s.scalars(
        select(Finding).where(Finding.inspection_id == uuid.UUID(story.inspection_id)))})
    assert findings == {"A1": ("confirmed", None), "A2": ("confirmed", None),
                        "A6": ("confirmed", None),
                        "A3": ("dismissed", "Dấu ngày thể hiện trên chứng từ chấp nhận.")}

    # the inspection record, issued the same way
    page.get_by_role("button", name="Lập biên bản kiểm tra").click()
    expect(page.locator(".review-record .review-number")).to_have_text(
        re.compile(r"\d+/BB-"), timeout=JOB_WAIT)
    expect(page.locator(".review-record")).to_contain_text("Đã ban hành")
    expect(page.locator(".review-record").get_by_role("button", name="Tải DOCX")).to_be_visible()

    # a second look shows the notice that exists instead of a button to issue another
    page.reload()
    expect(page.locator(".review-notice .review-number")).to_have_text(notice_number)
    expect(page.get_by_role("button", name="Ban hành thông báo vi phạm")).to_have_count(0)


def test_the_post_office_remediates_the_notice_and_the_supervisor_closes_it(
        world, browser, story, tmp_path):
    """The loop's end, on the notice issued above: the post office reports each finding
    fixed (with photo evidence sent by tus for A2), the supervisor verifies each, and the
    notice reads closed for both."""
    notice = world.seed(lambda s: s.scalars(select(Notice).where(
        Notice.inspection_id == uuid.UUID(story.inspection_id))).one())
    codes = ("A1", "A2", "A6")
    evidence = save_jpeg(tmp_path / "a2-dong-dau-kt1.jpg", two_tone(640, 480))
    pages = [open_page(browser) for _ in range(2)]
    try:
        post, office = pages[0][0], pages[1][0]
        sign_in(post, world, "buudien.ct", "#/post/notices")
        post.locator(".paged tbody tr", has_text=story.site_name).get_by_role("link").click()
        expect(post.get_by_role("heading", name="Thông báo vi phạm Số")).to_be_visible()
        for code in codes:
            report(post, code, f"Đã khắc phục mục {code}.", [evidence] if code == "A2" else [])
            expect(finding(post, code)).to_have_attribute("data-status", "remediated")
        expect(post.locator('.event[data-kind="reported"]').filter(has_text="A2").get_by_role(
            "img", name="Ảnh khắc phục 1")).to_have_js_property("complete", True)

        sign_in(office, world, "giamsat.ct", f"#/notices/{notice.id}")
        for code in codes:
            finding(office, code).get_by_role(
                "button", name=f"Xác minh đã khắc phục {code}").click()
            expect(finding(office, code)).to_have_attribute("data-status", "verified")
        expect(office.locator(".facts .badge-notice_status-closed")).to_have_text(
            "Đã hoàn thành khắc phục")
        post.reload()
        expect(post.locator(".facts .badge-notice_status-closed")).to_be_visible()
        expect(post.locator(".report-form")).to_have_count(0)
        expect(post.get_by_role("heading", name="Thông báo vi phạm Số")).to_contain_text(
            f"{notice.number:02d}/TB-")
    finally:
        for _, broken, close in pages:
            close()
            assert broken == []
    assert world.seed(lambda s: s.get_one(Notice, notice.id).status) == "closed"


def test_another_provinces_supervisor_is_told_the_inspection_is_not_found(world, page, story):
    sign_in(page, world, "giamsat.hp", f"#/inspections/{story.inspection_id}")
    expect(page.get_by_role("heading", name="Không tìm thấy kiểm tra")).to_be_visible()
    expect(page.get_by_text(story.site_name)).to_have_count(0)


def test_the_queue_reads_on_a_tablet_and_keeps_its_filters_in_the_address(world, browser,
                                                                          story):
    page, broken, close = open_page(browser, TABLET)
    try:
        sign_in(page, world, "giamsat.ct", "#/review?status=approved")
        expect(page.get_by_role("button", name="Đã duyệt")).to_have_attribute(
            "aria-pressed", "true")
        expect(page.locator(f'tr[data-id="{story.inspection_id}"]')).to_be_visible()
        expect(page.locator(".paged")).to_have_attribute("data-total", "3")
        page.get_by_role("button", name="Bị trả lại").click()
        expect(page.locator(".paged")).to_have_attribute("data-total", "1")
        assert "status=returned" in page.url
        page.reload()
        expect(page.get_by_role("button", name="Bị trả lại")).to_have_attribute(
            "aria-pressed", "true")
        screenshot(page, "review-queue-tablet")
    finally:
        close()
    assert broken == []


def test_an_admin_reads_the_queue_without_deciding_and_an_inspector_may_not_open_it(
        world, page, browser):
    sign_in(page, world, "admin", "#/review")
    first = page.locator("tbody tr").first.get_by_role("link")
    expect(first).to_be_visible()
    expect(page.get_by_label("Xã/phường")).to_have_count(0)  # national: no commune list
    first.click()
    expect(page.get_by_text("Chờ giám sát viên của tỉnh duyệt.")).to_be_visible()
    expect(page.get_by_role("button", name="Duyệt", exact=True)).to_have_count(0)

    other, broken, close = open_page(browser)
    try:
        sign_in(other, world, "kiemtra.ct1", "#/review")
        expect(other.get_by_role("heading", name="Không có quyền")).to_be_visible()
    finally:
        close()
    assert broken == []
