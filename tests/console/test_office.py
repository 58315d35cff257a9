"""The office pages of the console, as a supervisor and a post office would use them, in
chromium on both databases: a report asked for, followed and downloaded; a campaign opened
from the top of the risk list with a joint team; the post office's annual KT1 report filled,
sent, returned with a comment, corrected, sent again and accepted; two sync conflicts (made
by two tablets through /sync/push in the fixture) resolved one each way. After the fixtures
the tests act only through the pages."""

from __future__ import annotations

import io
import re
import unicodedata
import uuid
from typing import Any

import pytest
import requests
from openpyxl import load_workbook
from playwright.sync_api import Browser, expect
from pypdf import PdfReader
from sqlalchemy import select

from inspection import demo
from inspection.models import (
    Answer,
    Assignment,
    Campaign,
    Checklist,
    ChecklistItem,
    ChecklistSection,
    Inspection,
    ProvisionReport,
    SyncConflict,
)
from inspection.notices import today_in_vietnam
from tests.console.conftest import PASSWORD, World, menu, open_page, screenshot, sign_in

DRAFT_INSPECTION = demo._stable_id("inspection", "0")  # the demo's draft, team ct1 + congan.ct1
POST_OFFICE = "Bưu điện thành phố Cần Thơ"
ACCEPTED_YEAR, DRAFT_YEAR = demo.Dates(today_in_vietnam()).report_years
"""The demo's annual provision reports: one accepted, the next a draft (dated from today)."""


def _saved(download: Any) -> bytes:
    with open(download.path(), "rb") as f:
        return f.read()


# --- reports ---------------------------------------------------------------------------------

def test_a_supervisor_asks_for_the_annual_report_follows_it_and_downloads_both_files(
        world, page):
    sign_in(page, world, "giamsat.ct", "#/reports")
    mine = ["Báo cáo tổng hợp", "Lập kế hoạch", "Báo cáo cung cấp KT1", "Xung đột dữ liệu"]
    assert [entry for entry in menu(page) if entry in mine] == mine
    page.get_by_label("Loại báo cáo", exact=True).select_option("annual")
    page.get_by_label("Năm báo cáo").fill("2026")
    page.get_by_role("button", name="Lập báo cáo").click()  # two signers: one must be chosen
    expect(page.get_by_text("Chọn người ký văn bản").first).to_be_visible()
    page.get_by_label("Người ký").select_option(label="Giám đốc – Lê Thị Hoa")
    page.get_by_role("button", name="Lập báo cáo").click()
    expect(page.get_by_text("Báo cáo đã lập xong; tải về ở danh sách bên dưới.")).to_be_visible()
    expect(page.locator("[data-job-status]")).to_have_attribute("data-job-status", "finished")
    row = page.locator("tr[data-report]").first
    expect(row).to_contain_text("Báo cáo năm")
    expect(row).to_contain_text("Năm 2026")
    expect(row.locator(".badge")).to_have_text("Đã xong")
    screenshot(page, "reports")
    with page.expect_download() as pdf:
        row.get_by_role("button", name="Tải PDF báo cáo năm 2026").click()
    assert pdf.value.suggested_filename == "bao-cao-92-2026.pdf"
    assert _saved(pdf.value).startswith(b"%PDF-")
    text = " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(_saved(pdf.value))).pages)
    assert "Lê Thị Hoa" in unicodedata.normalize("NFC", text)
    assert re.search(r"Số: \d{2}/BC-SKHCN", unicodedata.normalize("NFC", text))
    expect(row).to_contain_text("/BC-SKHCN")
    with page.expect_download() as xlsx:
        row.get_by_role("button", name="Tải XLSX báo cáo năm 2026").click()
    book = load_workbook(io.BytesIO(_saved(xlsx.value)))
    assert "Theo mức độ" in book.sheetnames
    page.get_by_label("Lọc theo loại", exact=True).select_option("campaign")
    expect(page.locator("tr[data-report]")).to_have_count(0)
    expect(page.get_by_text("Chưa có báo cáo nào.")).to_be_visible()


def test_another_province_sees_none_of_these_reports_and_a_post_office_may_not_open_them(
        world, browser):
    page, broken, close = open_page(browser)
    sign_in(page, world, "giamsat.hp", "#/reports")
    expect(page.get_by_text("Chưa có báo cáo nào.")).to_be_visible()
    close()
    page, more, close = open_page(browser)
    sign_in(page, world, "buudien.ct", "#/reports")
    expect(page.get_by_role("heading", name="Không có quyền")).to_be_visible()
    assert "Báo cáo năm KT1" in menu(page) and "Báo cáo tổng hợp" not in menu(page)
    close()
    assert broken + more == []


# --- planning --------------------------------------------------------------------------------

def test_a_campaign_is_opened_from_the_top_of_the_risk_list_with_a_joint_team(world, page):
    sign_in(page, world, "giamsat.ct", "#/planning")
    rows = page.locator(".office-risk-table tbody tr[data-site]")
    expect(rows.first).to_be_visible()
    expect(rows.first.locator(".office-reasons li").first).not_to_be_empty()
    scores = [int(s) for s in rows.evaluate_all("rs => rs.map(r => r.dataset.score)")]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0
    page.get_by_label("Tên đợt kiểm tra").fill("Kiểm tra theo rủi ro tháng 12")
    page.get_by_label("Số địa điểm đứng đầu").fill("3")
    page.get_by_label("Số địa điểm đứng đầu").dispatch_event("change")
    expect(page.locator(".office-risk-table tr.office-picked")).to_have_count(3)
    page.get_by_label("Nguyễn Văn An").check()
    page.get_by_role("button", name="Mở đợt kiểm tra").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "cần ít nhất một thành viên Sở KH&CN và một thành viên Công an")
    page.get_by_label("Lê Hoàng Nam").check()
    page.evaluate("document.querySelector('.page').scrollTo(0, 0)")
    screenshot(page, "planning")
    page.get_by_role("button", name="Mở đợt kiểm tra").click()
    expect(page.get_by_role("status").filter(has_text="Đã mở đợt kiểm tra")).to_have_text(
        "Đã mở đợt kiểm tra “Kiểm tra theo rủi ro tháng 12” và giao 3 địa điểm cho đoàn 2 "
        "người.")
    link = page.get_by_role("link", name="Kiểm tra theo rủi ro tháng 12")
    expect(link).to_be_visible()
    picked = rows.evaluate_all("rs => rs.slice(0, 3).map(r => r.dataset.site)")

    def stored(session: Any) -> tuple[str, set[str], set[str]]:
        campaign = session.scalars(select(Campaign).where(
            Campaign.name == "Kiểm tra theo rủi ro tháng 12")).one()
        assignments = session.scalars(select(Assignment).where(
            Assignment.campaign_id == campaign.id)).all()
        return (str(campaign.id), {str(a.site_id) for a in assignments},
                {u.username for a in assignments for u in a.team})

    campaign_id, sites, team = world.seed(stored)
    assert sites == set(picked) and team == {"kiemtra.ct1", "congan.ct1"}
    link.click()
    expect(page.get_by_label("Loại báo cáo", exact=True)).to_have_value("campaign")
    expect(page.get_by_label("Đợt kiểm tra", exact=True)).to_have_value(campaign_id)


# --- provision reports -----------------------------------------------------------------------

def test_a_provision_report_is_sent_returned_corrected_sent_again_and_accepted(
        world, page, browser):
    post = page
    sign_in(post, world, "buudien.ct", f"#/post/provision?year={DRAFT_YEAR}")
    expect(post.get_by_label("Tổng sản lượng bưu gửi KT1 trong năm")).to_have_value("1204117")
    post.get_by_label("Sản lượng trên địa bàn tỉnh, thành phố").fill("230150")
    post.get_by_label("Doanh thu dịch vụ KT1 (đồng)").fill("12100000000")
    for aspect in ("cung cấp dịch vụ", "chất lượng dịch vụ", "kết nối mạng bưu chính KT1",
                   "bảo đảm an ninh, an toàn", "lưu trữ"):
        post.get_by_label(f"Chấp hành quy định về {aspect}", exact=True).fill(
            f"Thực hiện đầy đủ quy định về {aspect}.")
    post.get_by_role("button", name="Thêm sự cố").click()
    post.get_by_label("Ngày xảy ra").fill(f"{DRAFT_YEAR}-01-14")
    post.get_by_label("Nội dung", exact=True).fill("Chậm phát 02 bưu gửi KT1 do mưa bão")
    post.get_by_label("Cách xử lý, kết quả").fill("Phát bù trong ngày, báo cáo Sở")
    post.get_by_role("button", name="Thêm sự cố").click()
    expect(post.locator(".office-incident legend")).to_have_text(["Sự cố 1", "Sự cố 2"])
    post.get_by_role("button", name="Xoá sự cố 2").click()
    expect(post.locator(".office-incident")).to_have_count(1)
    post.get_by_label("Khó khăn, vướng mắc và nguyên nhân").fill("Địa bàn cù lao xa.")
    post.get_by_label("Người ký báo cáo").fill("Nguyễn Thị Thu")
    post.get_by_label("Chức vụ người ký").fill("Phó Giám đốc")
    post.get_by_role("button", name="Lưu nháp").click()
    expect(post.get_by_role("status").filter(has_text="Đã lưu bản nháp.")).to_be_visible()
    post.evaluate("document.querySelector('.page').scrollTo(0, 0)")
    screenshot(post, "post-provision")
    post.get_by_role("button", name="Gửi báo cáo").click()
    expect(post.get_by_role("alert")).to_contain_text("Chưa nêu đề xuất, kiến nghị.")
    expect(post.get_by_label("Đề xuất, kiến nghị")).to_have_attribute("aria-invalid", "true")
    post.get_by_label("Đề xuất, kiến nghị").fill("Đề nghị tập huấn nghiệp vụ KT1.")
    post.get_by_role("button", name="Gửi báo cáo").click()
    expect(post.get_by_text("Đã gửi báo cáo cho Sở Khoa học và Công nghệ.")).to_be_visible()
    expect(post.get_by_role("region", name="Tình trạng").locator(".badge")).to_have_text(
        "Đã gửi, chờ tiếp nhận")

    office, broken, close = open_page(browser)
    sign_in(office, world, "giamsat.ct", f"#/provision?year={DRAFT_YEAR}")
    row = office.locator(f'tr[data-organization="{POST_OFFICE}"]')
    expect(row.locator(".badge")).to_have_text("Đã gửi, chờ tiếp nhận")
    screenshot(office, "provision-status")
    row.get_by_role("link", name=f"Xem báo cáo của {POST_OFFICE}").click()
    expect(office.get_by_text("230.150")).to_be_visible()
    expect(office.get_by_text("Chậm phát 02 bưu gửi KT1 do mưa bão")).to_be_visible()
    expect(office.get_by_role("button", name="Tải báo cáo (PDF)")).to_be_visible()
    screenshot(office, "provision-review")
    office.get_by_role("button", name="Trả lại báo cáo").click()
    expect(office.get_by_role("alert")).to_have_text("Lỗi: Trả lại báo cáo cần ghi rõ lý do.")
    office.get_by_label("Ý kiến của Sở").fill("Bổ sung doanh thu quý IV vào số liệu.")
    office.get_by_role("button", name="Trả lại báo cáo").click()
    expect(office.get_by_role("status")).to_have_text("Đã trả lại báo cáo cho bưu điện kèm ý kiến.")
    expect(office.get_by_role("region", name="Tình trạng").locator(".badge")).to_have_text(
        "Bị trả lại")

    post.reload()
    expect(post.get_by_role("note")).to_contain_text("Bổ sung doanh thu quý IV vào số liệu.")
    post.get_by_label("Doanh thu dịch vụ KT1 (đồng)").fill("12480000000")
    post.get_by_role("button", name="Gửi báo cáo").click()
    expect(post.get_by_text("Đã gửi báo cáo cho Sở Khoa học và Công nghệ.")).to_be_visible()
    with post.expect_download() as sent:
        post.get_by_role("button", name="Tải báo cáo (PDF)").click()
    assert _saved(sent.value).startswith(b"%PDF-")
    text = " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(_saved(sent.value))).pages)
    assert "Nguyễn Thị Thu" in unicodedata.normalize("NFC", text)

    office.reload()
    expect(office.get_by_text("12.480.000.000")).to_be_visible()
    office.get_by_role("button", name="Tiếp nhận báo cáo").click()
    expect(office.get_by_role("status")).to_have_text("Đã tiếp nhận báo cáo.")
    expect(office.get_by_role("region", name="Tình trạng").locator(".badge")).to_have_text(
        "Đã tiếp nhận")
    with office.expect_download() as pdf:
        office.get_by_role("button", name="Tải báo cáo (PDF)").click()
    assert _saved(pdf.value).startswith(b"%PDF-")
    close()
    assert broken == []
    post.reload()
    expect(post.get_by_role("region", name="Tình trạng").locator(".badge")).to_have_text(
        "Đã tiếp nhận")

    def stored(session: Any) -> tuple[Any, ...]:
        r = session.scalars(select(ProvisionReport).where(ProvisionReport.year == DRAFT_YEAR)).one()
        return (r.status, r.revenue_vnd, r.proposals, len(r.incidents), r.signer_name,
                r.signer_title)

    assert world.seed(stored) == ("accepted", 12_480_000_000, "Đề nghị tập huấn nghiệp vụ KT1.",
                                  1, "Nguyễn Thị Thu", "Phó Giám đốc")


def test_another_provinces_provision_report_reads_not_found(world, page):
    report_id = world.seed(lambda s: s.scalars(select(ProvisionReport.id).where(
        ProvisionReport.year == ACCEPTED_YEAR)).one())
    sign_in(page, world, "giamsat.hp", f"#/provision/{report_id}")
    expect(page.get_by_role("heading", name="Không tìm thấy")).to_be_visible()


# --- conflicts -------------------------------------------------------------------------------

def _push(world: World, username: str, device: str, mutations: list[dict[str, Any]]) -> Any:
    login = requests.post(f"{world.base_url}/api/v1/auth/login", json={
        "username": username, "password": PASSWORD, "device_id": device}, timeout=30)
    token = login.json()["access_token"]
    resp = requests.post(f"{world.base_url}/api/v1/sync/push", json={
        "device_id": device, "mutations": mutations},
        headers={"Authorization": f"Bearer {token}"}, timeout=60)
    assert resp.status_code == 200, resp.text
    return resp.json()["results"]


def _answer(code: str, value: Any, base: int) -> dict[str, Any]:
    return {"mutation_id": str(uuid.uuid4()), "entity": "answer", "op": "upsert",
            "id": str(uuid.uuid4()), "base_version": base,
            "client_time": "2026-10-05T09:05:00+07:00",
            "data": {"inspection_id": str(DRAFT_INSPECTION), "item_code": code, "value": value,
                     "answered_at": "2026-10-05T09:00:00+07:00"}}


@pytest.fixture(scope="module")
def conflicts(world: World) -> dict[str, Any]:
    """Two yes/no items of the demo's draft: tablet A (kiemtra.ct1) answers "na", then
    tablet B (congan.ct1), from the version before, answers "no": two conflicts."""
    def items(session: Any) -> list[tuple[str, int, str]]:
        return [(a.item_code, a.version, text) for a, text in session.execute(
            select(Answer, ChecklistItem.text)
            .join(Inspection, Inspection.id == Answer.inspection_id)
            .join(Checklist, Checklist.id == Inspection.checklist_id)
            .join(ChecklistSection, ChecklistSection.checklist_id == Checklist.id)
            .join(ChecklistItem, (ChecklistItem.section_id == ChecklistSection.id)
                  & (ChecklistItem.code == Answer.item_code))
            .where(Answer.inspection_id == DRAFT_INSPECTION,
                   ChecklistItem.answer_type == "yes_no_na")
            .order_by(Answer.item_code)).all()][:2]

    chosen = world.seed(items)
    assert len(chosen) == 2
    applied = _push(world, "kiemtra.ct1", "tablet-A", [_answer(c, "na", v) for c, v, _ in chosen])
    assert [r["status"] for r in applied] == ["applied", "applied"]
    stale = _push(world, "congan.ct1", "tablet-B", [_answer(c, "no", v) for c, v, _ in chosen])
    assert [r["status"] for r in stale] == ["conflict", "conflict"]
    return {"items": chosen, "ids": [r["conflict_id"] for r in stale]}


def test_two_conflicts_are_resolved_one_each_way_and_the_answer_reads_as_decided(
        world, page, conflicts):
    (keep_code, _, keep_text), (take_code, _, take_text) = conflicts["items"]
    sign_in(page, world, "giamsat.ct", "#/conflicts")
    expect(page.locator("tr[data-conflict]")).to_have_count(2)
    expect(page.locator("tr[data-conflict]").first).to_contain_text("Lê Hoàng Nam")
    screenshot(page, "conflicts-list")
    page.get_by_role("link", name=f"Xem xung đột mục {keep_code} của Lê Hoàng Nam").click()
    expect(page.get_by_text(f"{keep_code} — {keep_text}")).to_be_visible()
    expect(page.locator('[data-side="client"]')).to_have_text("Không")
    expect(page.locator('[data-side="server"]')).to_have_text("Không áp dụng")
    expect(page.get_by_text("tablet-B")).to_be_visible()
    expect(page.get_by_text("Nguyễn Văn An")).to_be_visible()
    screenshot(page, "conflicts")
    page.get_by_role("button", name="Giữ dữ liệu máy chủ").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Đã xử lý: Giữ dữ liệu máy chủ. Giá trị hiện tại: Không áp dụng")
    expect(page.locator('[data-side="current"]')).to_have_text("Không áp dụng")
    expect(page.get_by_role("button", name="Giữ dữ liệu máy chủ")).to_have_count(0)

    page.get_by_role("link", name="‹ Danh sách xung đột").click()
    expect(page.locator("tr[data-conflict]")).to_have_count(1)
    page.get_by_role("link", name=f"Xem xung đột mục {take_code} của Lê Hoàng Nam").click()
    expect(page.get_by_text(f"{take_code} — {take_text}")).to_be_visible()
    page.get_by_role("button", name="Lấy dữ liệu máy tính bảng").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Đã xử lý: Lấy dữ liệu máy tính bảng. Giá trị hiện tại: Không")
    expect(page.locator('[data-side="current"]')).to_have_text("Không")

    page.get_by_role("link", name="‹ Danh sách xung đột").click()
    page.get_by_label("Tình trạng", exact=True).select_option("true")
    expect(page.locator("tr[data-conflict]")).to_have_count(2)
    expect(page.locator("tbody")).to_contain_text("Lấy dữ liệu máy tính bảng")

    def values(session: Any) -> dict[str, Any]:
        return {a.item_code: a.value for a in session.scalars(select(Answer).where(
            Answer.inspection_id == DRAFT_INSPECTION,
            Answer.item_code.in_([keep_code, take_code])))}

    assert world.seed(values) == {keep_code: "na", take_code: "no"}
    resolved = world.seed(lambda s: {c.resolution for c in s.scalars(select(SyncConflict))})
    assert resolved == {"keep_server", "take_client"}


def test_another_provinces_conflict_reads_not_found(world, page, conflicts):
    sign_in(page, world, "giamsat.hp", f"#/conflicts/{conflicts['ids'][0]}")
    expect(page.get_by_role("heading", name="Không tìm thấy")).to_be_visible()


def test_the_pages_fit_a_tablet(world, browser: Browser) -> None:
    tablet, broken, close = open_page(browser, {"width": 1280, "height": 800})
    sign_in(tablet, world, "giamsat.ct", "#/reports")
    for path in ("#/reports", "#/planning", f"#/provision?year={DRAFT_YEAR}", "#/conflicts"):
        tablet.goto(f"{world.base_url}/console/{path}")
        expect(tablet.locator(".office-head h1")).to_be_visible()
        width = tablet.evaluate("document.querySelector('.page').scrollWidth")
        assert width <= 1280 - 210, (path, width)
    close()
    assert broken == []


def test_a_national_admin_picks_the_province_of_the_risk_list_and_provision_status(
        world, page):
    sign_in(page, world, "admin", "#/planning")
    expect(page.get_by_label("Tỉnh, thành phố", exact=True)).to_have_value("92")
    expect(page.locator(".office-risk-table tbody tr[data-site]").first).to_be_visible()
    page.get_by_label("Tỉnh, thành phố", exact=True).select_option("31")
    expect(page.get_by_text("Không có địa điểm nào.")).to_be_visible()
    page.goto(f"{world.base_url}/console/#/provision?year={ACCEPTED_YEAR}")
    expect(page.locator(f'tr[data-organization="{POST_OFFICE}"] .badge')).to_have_text(
        "Đã tiếp nhận")
