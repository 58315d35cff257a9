"""The KT1 staff roster and its vetting as the post office and the police would use them: the
post office adds a worker and asks for vetting, the police officer records the outcome with
the document's reference and date, the post office sees the badge change, and the worker's
history shows both steps; edits and departures; another province finds nothing."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from inspection import staff
from inspection.models import StaffMember
from tests.console.conftest import TABLET, open_page, screenshot, sign_in

WORKER = "Lý Thị Mai"
REFERENCE = "45/ANCTNB-PC"


def member_id(world, name):  # type: ignore[no-untyped-def]
    return str(world.seed(lambda s: s.scalar(select(StaffMember.id).where(
        StaffMember.full_name == name))))


def test_a_worker_is_added_asked_for_vetted_and_their_history_shows_each_step(world, browser):
    post, post_broken, close_post = open_page(browser)
    sign_in(post, world, "buudien.ct", "#/post/staff")
    expect(post.get_by_role("heading", name="Nhân viên KT1")).to_be_visible()
    post.get_by_role("button", name="Thêm nhân viên").click()
    form = post.get_by_role("form", name="Thêm nhân viên KT1")
    form.get_by_role("button", name="Thêm vào danh sách").click()
    expect(form.get_by_role("alert")).to_be_visible()
    expect(form.locator(".field-error").first).to_be_visible()
    form.get_by_label("Họ và tên").fill(WORKER)
    form.get_by_label("Chức danh").fill("Nhân viên khai thác bưu gửi KT1")
    form.get_by_label("Đã ký cam kết bảo vệ bí mật nhà nước").check()
    form.get_by_role("button", name="Thêm vào danh sách").click()
    expect(post.get_by_text(f"Đã thêm {WORKER} vào danh sách nhân viên KT1.")).to_be_visible()
    row = post.locator(f"tr[data-member='{WORKER}']")
    expect(row).to_contain_text("Chưa đề nghị thẩm tra")
    row.get_by_role("button", name=f"Đề nghị thẩm tra: {WORKER}").click()
    expect(post.get_by_text(f"Đã đề nghị Công an thẩm tra {WORKER}.")).to_be_visible()
    expect(row).to_contain_text("Chờ thẩm tra")
    screenshot(post, "post-staff")

    police, police_broken, close_police = open_page(browser)
    sign_in(police, world, "congan.ct1", "#/police/vetting")
    queued = police.locator(f"tr[data-member='{WORKER}']")
    expect(queued).to_contain_text("Bưu điện thành phố Cần Thơ")
    expect(queued).to_contain_text(staff.today().strftime("%d/%m/%Y"))
    queued.get_by_role("button", name=f"Ghi kết quả thẩm tra: {WORKER}").click()
    form = police.get_by_role("form", name=f"Kết quả thẩm tra của {WORKER}")
    form.get_by_label("Đạt", exact=True).check()
    form.get_by_label("Số, ký hiệu văn bản").fill(REFERENCE)
    screenshot(police, "police-vetting")
    form.get_by_role("button", name="Ghi kết quả").click()
    expect(police.get_by_role("status").filter(
        has_text=f"Đã ghi kết quả thẩm tra của {WORKER}: Đạt")).to_be_visible()
    expect(queued).to_have_count(0)
    police.get_by_label("Lọc theo trạng thái thẩm tra").select_option("vetted")
    expect(queued).to_contain_text(REFERENCE)
    expect(queued).to_contain_text("Đã thẩm tra, đạt")

    post.reload()
    expect(post.locator(f"tr[data-member='{WORKER}']")).to_contain_text("Đã thẩm tra, đạt")

    queued.get_by_role("link", name=WORKER).click()
    expect(police.get_by_role("heading", name=re.compile(WORKER))).to_contain_text(
        "Đã thẩm tra, đạt")
    steps = police.locator("tr.history-step")
    expect(steps).to_have_count(3)
    expect(steps.nth(0)).to_contain_text("Đưa vào danh sách KT1")
    expect(steps.nth(1)).to_contain_text("Bưu điện đề nghị thẩm tra")
    expect(steps.nth(1)).to_contain_text("Huỳnh Ngọc Hân")
    expect(steps.nth(2)).to_contain_text(f"Công an ghi kết quả thẩm tra: Đạt — văn bản {REFERENCE}")
    expect(steps.nth(2)).to_contain_text("Lê Hoàng Nam")
    screenshot(police, "police-staff-history")
    for close, broken in ((close_post, post_broken), (close_police, police_broken)):
        close()
        assert broken == []


def test_the_post_office_edits_a_worker_and_records_that_they_left(world, page):
    sign_in(page, world, "buudien.ct", "#/post/staff")
    row = page.locator("tbody tr[data-member]").first
    expect(row).to_be_visible()
    name = row.get_attribute("data-member")
    row.get_by_role("button", name=f"Sửa: {name}").click()
    form = page.get_by_role("form", name=f"Sửa thông tin {name}")
    form.get_by_label("Chức danh").fill("Trưởng bưu cục KT1")
    form.get_by_role("button", name="Lưu thay đổi").click()
    expect(page.get_by_text(f"Đã lưu thông tin của {name}.")).to_be_visible()
    row = page.locator(f"tr[data-member='{name}']")
    expect(row).to_contain_text("Trưởng bưu cục KT1")
    row.get_by_role("button", name=f"Sửa: {name}").click()
    form.get_by_label("Thôi làm KT1 từ ngày").fill(staff.today().isoformat())
    form.get_by_role("button", name="Lưu thay đổi").click()
    expect(page.get_by_text(f"Đã lưu thông tin của {name}.")).to_be_visible()
    expect(row).to_have_count(0)
    page.get_by_label("Cả người đã thôi làm").check()
    expect(row).to_contain_text(staff.today().strftime("%d/%m/%Y"))
    row.get_by_role("link", name=name).click()
    expect(page.locator("tr.history-step").last).to_contain_text("Thôi làm KT1 từ ngày")


def test_another_provinces_supervisor_finds_no_such_worker(world, page):
    worker = member_id(world, WORKER)
    sign_in(page, world, "giamsat.hp", f"#/police/staff/{worker}")
    expect(page.get_by_role("heading", name="Không tìm thấy")).to_be_visible()


def test_the_police_cannot_open_the_post_offices_roster(world, page):
    sign_in(page, world, "congan.ct1", "#/post/staff")
    expect(page.get_by_role("heading", name="Không có quyền")).to_be_visible()


def test_the_post_office_cannot_open_the_vetting_queue(world, page):
    sign_in(page, world, "buudien.ct", "#/police/vetting")
    expect(page.get_by_role("heading", name="Không có quyền")).to_be_visible()


def test_the_roster_and_the_queue_fit_a_tablet(world, browser):
    for username, path in (("buudien.ct", "#/post/staff"), ("congan.ct1", "#/police/vetting")):
        page, broken, close = open_page(browser, TABLET)
        sign_in(page, world, username, path)
        expect(page.locator("tbody tr").first).to_be_visible()
        assert page.evaluate("(() => { const p = document.getElementById('page');"
                             " return p.scrollWidth <= p.clientWidth; })()"), path
        close()
        assert broken == []
