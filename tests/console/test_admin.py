"""The admin's pages as the admin would use them: create a user who then signs in, lock the
account and watch their open session end, revoke a device, read and publish checklist
versions, verify the audit chain; a provincial admin cannot open another province's user."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from inspection import accounts, demo
from inspection.checklists import services as checklists
from inspection.models import Checklist, Signer, User
from tests.console.conftest import PASSWORD, TABLET, menu, open_page, screenshot, sign_in

NEW_PASSWORD = "mat-khau-moi-2026"
DRAFT = {"code": "KT1-THU", "title": "Bảng kiểm tra thử nghiệm", "target_kind": "kt1_user",
         "sections": [{"code": "A", "title": "Hồ sơ", "items": [{
             "code": "A1", "text": "Có sổ theo dõi văn bản KT1", "answer_type": "yes_no_na",
             "compliant_when": {"in": ["yes", "na"]}, "severity": "medium",
             "legal_basis": "Điều 5 Thông tư thử nghiệm"}]}]}


@pytest.fixture(scope="module", autouse=True)
def seeded(world):  # type: ignore[no-untyped-def]
    def add(session):  # type: ignore[no-untyped-def]
        checklists.create_version(session, **DRAFT)
        accounts.create_user(session, username="quantri.ct", password=PASSWORD, role="admin",
                             agency="skhcn", province_code=demo.CAN_THO,
                             full_name="Quản trị Cần Thơ")
    world.seed(add)


def user_id(world, username):  # type: ignore[no-untyped-def]
    return str(world.seed(lambda s: s.scalar(select(User.id).where(User.username == username))))


def log_in(page: Page, world, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{world.base_url}/console/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator("#shell")).to_be_visible()


def test_each_role_sees_only_its_own_pages_of_these(world, browser):
    expected = {"admin": ["Người dùng", "Người ký", "Bảng kiểm tra", "Nhật ký kiểm toán"],
                "congan.ct1": ["Thẩm tra nhân viên"], "buudien.ct": ["Nhân viên KT1"],
                "giamsat.ct": []}
    mine = {entry for entries in expected.values() for entry in entries}
    for username, entries in expected.items():
        page, broken, close = open_page(browser)
        sign_in(page, world, username)
        expect(page.locator("#menu")).to_be_attached()
        page.wait_for_load_state("networkidle")
        assert [e for e in menu(page) if e in mine] == entries, username
        if username != "admin":
            page.goto(f"{world.base_url}/console/#/admin/users")
            expect(page.get_by_role("heading", name="Không có quyền")).to_be_visible()
        close()
        assert broken == []


def test_the_admin_creates_a_user_who_signs_in_and_locking_the_account_ends_their_session(
        world, page, browser):
    sign_in(page, world, "admin", "#/admin/users")
    expect(page.get_by_role("heading", name="Người dùng", exact=True)).to_be_visible()
    expect(page.locator("tr[data-username='giamsat.hp']")).to_contain_text("Hải Phòng")
    screenshot(page, "admin-users")
    page.get_by_text("Thêm người dùng").click()
    form = page.locator("form.admin-form")
    form.get_by_label("Tên đăng nhập").fill("congan.ct9")
    form.get_by_label("Họ và tên").fill("Phan Văn Mới")
    form.get_by_label("Mật khẩu").fill("ngan")
    form.get_by_label("Vai trò").select_option("police")
    expect(form.get_by_label("Cơ quan")).to_have_value("police")
    form.get_by_label("Tỉnh, thành phố").select_option("92")
    form.get_by_role("button", name="Tạo người dùng").click()
    expect(form.locator(".field-error")).to_have_count(1)
    expect(form.get_by_label("Mật khẩu")).to_have_attribute("aria-invalid", "true")
    expect(form.get_by_role("alert")).to_contain_text("password")
    form.get_by_label("Mật khẩu").fill(NEW_PASSWORD)
    form.get_by_role("button", name="Tạo người dùng").click()
    expect(form.get_by_role("status")).to_have_text("Đã tạo người dùng “congan.ct9”.")
    expect(form.locator(".field-error")).to_have_count(0)
    row = page.locator("tr[data-username='congan.ct9']")
    expect(row).to_contain_text("Cán bộ Công an")
    expect(row).to_contain_text("Đang hoạt động")

    theirs, broken, close = open_page(browser)
    log_in(theirs, world, "congan.ct9", NEW_PASSWORD)
    expect(theirs.locator("#who-name")).to_have_text("Phan Văn Mới")
    expect(theirs.get_by_role("heading", name="Thẩm tra nhân viên")).to_be_visible()

    row.get_by_role("link", name="congan.ct9").click()
    expect(page.get_by_role("heading", name=re.compile("Phan Văn Mới"))).to_be_visible()
    expect(page.locator("tr[data-device]")).to_have_count(1)
    expect(page.locator("tr[data-device]")).to_contain_text("Trình duyệt (bảng điều khiển)")
    page.get_by_role("button", name="Khóa tài khoản").click()
    expect(page.get_by_text("Đã khóa tài khoản; mọi phiên đăng nhập của người này đã kết thúc.")
           ).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Phan Văn Mới"))).to_contain_text("Đã khóa")

    theirs.get_by_label("Lọc theo trạng thái thẩm tra").select_option("vetted")
    expect(theirs.locator("#login-view")).to_be_visible()
    expect(theirs.locator("#login-error")).to_contain_text("đã bị thu hồi")
    log_in_refused = theirs.get_by_role("button", name="Đăng nhập")
    theirs.get_by_label("Tên đăng nhập").fill("congan.ct9")
    theirs.get_by_label("Mật khẩu").fill(NEW_PASSWORD)
    log_in_refused.click()
    expect(theirs.locator("#login-error")).to_have_text("Tên đăng nhập hoặc mật khẩu không đúng.")
    close()
    assert broken == []

    page.get_by_role("button", name="Mở khóa tài khoản").click()
    expect(page.get_by_text("Đã mở khóa; người này đăng nhập lại được.")).to_be_visible()
    page.get_by_label("Vai trò").select_option("inspector")
    expect(page.get_by_label("Cơ quan")).to_have_value("skhcn")
    page.get_by_role("button", name="Lưu thay đổi").click()
    expect(page.get_by_text("Đã lưu thay đổi.")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("Cán bộ kiểm tra")


def test_the_admin_revokes_a_device_and_its_session_ends(world, page, browser):
    theirs, broken, close = open_page(browser)
    sign_in(theirs, world, "congan.ct2", "#/police/vetting")
    expect(theirs.get_by_role("heading", name="Thẩm tra nhân viên")).to_be_visible()
    sign_in(page, world, "admin", f"#/admin/users/{user_id(world, 'congan.ct2')}")
    device = page.locator("tr[data-device]").filter(has_text="Trình duyệt (bảng điều khiển)")
    expect(device).to_contain_text("Đang dùng")
    device.get_by_role("button", name=re.compile("Thu hồi thiết bị")).click()
    expect(page.get_by_role("status").filter(has_text="Đã thu hồi thiết bị")).to_be_visible()
    expect(device).to_contain_text("Đã thu hồi")
    theirs.get_by_label("Lọc theo trạng thái thẩm tra").select_option("vetted")
    expect(theirs.locator("#login-view")).to_be_visible()
    expect(theirs.locator("#login-error")).to_contain_text("đã bị thu hồi")
    close()
    assert broken == []


def test_the_admin_reads_a_checklist_and_publishes_a_draft(world, page):
    sign_in(page, world, "admin", "#/admin/checklists")
    # the built-in version 1 is retired: version 2 added the closing items
    page.get_by_label("Lọc theo trạng thái").select_option("published")
    expect(page.locator("#page").get_by_role(
        "link", name=re.compile("bưu điện|cung cấp", re.IGNORECASE))).to_have_count(1)
    page.locator("#page").get_by_role(
        "link", name=re.compile("bưu điện|cung cấp", re.IGNORECASE)).first.click()
    expect(page.get_by_role("heading", name=re.compile("Đang áp dụng"))).to_be_visible()
    expect(page.locator("tr[data-item]").first).to_be_visible()
    expect(page.locator("table.checklist-items").first).to_contain_text(
        "Có / Không / Không áp dụng")
    expect(page.locator(".legal-refs .badge").first).to_be_visible()
    expect(page.get_by_role("button", name="Ngừng áp dụng")).to_be_visible()
    screenshot(page, "admin-checklist")

    page.goto(f"{world.base_url}/console/#/admin/checklists")
    page.get_by_label("Lọc theo trạng thái").select_option("draft")
    page.get_by_role("link", name=DRAFT["title"]).click()
    expect(page.get_by_role("heading", name=re.compile("Bản nháp"))).to_be_visible()
    expect(page.locator("tr[data-item='A1']")).to_contain_text("Trung bình")
    page.get_by_role("button", name="Ban hành phiên bản này").click()
    expect(page.get_by_text("Đã ban hành: từ nay phiên bản này không thay đổi nữa.")
           ).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Đang áp dụng"))).to_be_visible()
    status = world.seed(lambda s: s.scalar(select(Checklist.status).where(
        Checklist.code == DRAFT["code"])))
    assert status == "published"


def test_a_slow_answer_to_an_earlier_filter_never_replaces_the_list_asked_for_last(world, page):
    """The unfiltered list's answer is held back until the retired versions are drawn: when it
    arrives at last, the table still shows what the admin asked for last."""
    held = []

    def hold_the_first(route):  # type: ignore[no-untyped-def]
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route(re.compile(r"/api/v1/checklists\?"), hold_the_first)
    sign_in(page, world, "admin", "#/admin/checklists")
    page.wait_for_function("() => document.querySelector('.paged[aria-busy=true]')")
    assert len(held) == 1
    page.get_by_label("Lọc theo trạng thái").select_option("retired")
    retired = world.seed(lambda s: s.scalar(select(func.count()).select_from(Checklist).where(
        Checklist.status == "retired")))
    paged = page.locator("#page .paged")
    expect(paged).to_have_attribute("data-total", str(retired))
    with page.expect_response(lambda r: "/api/v1/checklists?" in r.url and r.status == 200):
        held[0].continue_()
    page.wait_for_timeout(300)  # the late answer has been read and handled by now
    expect(paged).to_have_attribute("data-total", str(retired))
    expect(paged).to_have_attribute("aria-busy", "false")
    for row in page.locator("#page tbody tr").all():
        expect(row).to_contain_text("Ngừng áp dụng")


def test_the_admin_verifies_the_audit_chain_and_reads_the_newest_entries(world, page):
    sign_in(page, world, "admin", "#/admin/audit")
    expect(page.get_by_text("Toàn vẹn: chuỗi nhật ký không bị sửa, xoá hay viết lại.")
           ).to_be_visible()
    expect(page.locator(".audit-verdict dl.facts")).to_contain_text("Số mục")
    chain = page.locator(".audit-chains tr[data-chain='92']")
    expect(chain).to_contain_text("Ghi dữ liệu (tỉnh, thành phố mã 92)")
    expect(chain).to_contain_text("Toàn vẹn")
    expect(page.locator(".audit-chains tr[data-chain='legacy']")).to_contain_text(
        "Trước khi tách theo tỉnh")
    rows = page.locator("table:not(.audit-chains) tbody tr")
    expect(rows.first).to_contain_text("Đăng nhập")
    expect(rows.first).to_contain_text("Quản trị hệ thống")
    screenshot(page, "admin-audit")
    page.get_by_label("Lọc theo đối tượng").select_option("users")
    expect(rows.first).to_contain_text("Người dùng")
    page.get_by_role("button", name="Kiểm tra lại").click()
    expect(page.get_by_role("status").filter(has_text="Chuỗi nhật ký toàn vẹn.")).to_be_visible()


def test_a_provincial_admin_finds_no_user_of_another_province(world, page):
    sign_in(page, world, "quantri.ct", f"#/admin/users/{user_id(world, 'giamsat.hp')}")
    expect(page.get_by_role("heading", name="Không tìm thấy")).to_be_visible()
    page.goto(f"{world.base_url}/console/#/admin/users")
    expect(page.locator("tr[data-username='giamsat.ct']")).to_be_visible()
    expect(page.locator("tr[data-username='giamsat.hp']")).to_have_count(0)


def test_the_admins_pages_fit_a_tablet(world, browser):
    page, broken, close = open_page(browser, TABLET)
    sign_in(page, world, "admin", "#/admin/users")
    for path, ready in (("#/admin/users", "tr[data-username]"),
                        ("#/admin/checklists", "tbody tr"),
                        ("#/admin/audit", ".audit-verdict dl"),
                        (f"#/admin/users/{user_id(world, 'kiemtra.ct1')}", "dl.facts")):
        page.goto(f"{world.base_url}/console/{path}")
        expect(page.locator(ready).first).to_be_visible()
        assert page.evaluate("(() => { const p = document.getElementById('page');"
                             " return p.scrollWidth <= p.clientWidth; })()"), path
    close()
    assert broken == []


def test_the_admin_verifies_a_reference_in_the_register_and_marks_another_superseded(
        world, page):
    from sqlalchemy import update

    from inspection.legal import reference_id
    from inspection.models import LegalReference

    decision = reference_id("Quyết định 32/2025/QĐ-TTg", None)

    def unverify(session):  # type: ignore[no-untyped-def]
        session.execute(update(LegalReference).where(LegalReference.id == decision)
                        .values(status="unverified", verified_at=None))
    world.seed(unverify)
    sign_in(page, world, "admin", "#/admin/legal")
    expect(page.get_by_role("heading", name="Căn cứ pháp lý", exact=True)).to_be_visible()
    page.get_by_label("Lọc theo trạng thái").select_option("unverified")
    row = page.locator("tr[data-label='Quyết định 32/2025/QĐ-TTg']")
    expect(row).to_contain_text("Chưa xác minh")
    screenshot(page, "admin-legal")
    row.get_by_role("button", name="Sửa").click()
    form = page.get_by_role("form", name="Sửa Quyết định 32/2025/QĐ-TTg")
    form.locator("select[name=status]").select_option("verified")
    form.get_by_label("Có hiệu lực từ").fill("2025-11-01")
    form.get_by_role("button", name="Lưu căn cứ").click()
    expect(form.get_by_role("status")).to_have_text("Đã lưu căn cứ pháp lý.")
    expect(row).to_have_count(0)  # no longer among the unverified
    page.get_by_label("Lọc theo trạng thái").select_option("verified")
    page.get_by_label("Tìm căn cứ").fill("32/2025")
    expect(row).to_contain_text("Đã xác minh")
    expect(row).to_contain_text("từ 01/11/2025")
    stored = world.seed(lambda s: s.get(LegalReference, decision))
    assert (stored.status, stored.verified_by) == ("verified", world.seed(
        lambda s: s.scalar(select(User.id).where(User.username == "admin"))))

    row.get_by_role("button", name="Sửa").click()  # superseded needs its successor
    expect(form.get_by_text("Đã lưu căn cứ pháp lý.")).to_have_count(0)  # the form read afresh
    expect(form).to_contain_text("Xác minh lúc")
    form.locator("select[name=status]").select_option("superseded")
    form.get_by_role("button", name="Lưu căn cứ").click()
    expect(form.get_by_role("alert")).to_be_visible()
    expect(form.locator(".field-error")).to_contain_text("căn cứ thay thế")


def test_an_admin_adds_edits_and_deactivates_a_signer_of_the_province(world, page):
    log_in(page, world, "quantri.ct", PASSWORD)
    assert "Người ký" in menu(page)
    page.goto(f"{world.base_url}/console/#/admin/signers")
    expect(page.get_by_role("heading", name="Người ký văn bản")).to_be_visible()
    expect(page.locator("tr[data-signer]").filter(has_text="Trần Văn Bình")).to_contain_text(
        "KT. GIÁM ĐỐC")
    page.locator("summary", has_text="Thêm người ký").click()
    form = page.get_by_role("form", name="Thêm người ký")
    form.get_by_label("Họ và tên").fill("   ")
    form.get_by_role("button", name="Thêm người ký").click()
    expect(form.locator(".field-error")).to_contain_text("Không được để trống")
    form.get_by_label("Họ và tên").fill("Võ Thị Mai")
    form.get_by_role("button", name="Thêm người ký").click()
    expect(form.get_by_text("Đã thêm người ký “Võ Thị Mai”.")).to_be_visible()
    row = page.locator("tr[data-signer]").filter(has_text="Võ Thị Mai")
    expect(row).to_contain_text("Phó Giám đốc")
    expect(row.locator(".badge")).to_have_text("Đang ký")
    screenshot(page, "admin-signers")
    signer = world.seed(lambda s: s.scalars(select(Signer).where(
        Signer.full_name == "Võ Thị Mai")).one())
    assert (signer.province_code, signer.delegation, signer.active) == (
        "92", "KT. GIÁM ĐỐC", True)

    row.get_by_role("button", name="Sửa Võ Thị Mai").click()
    edit = page.get_by_role("form", name="Sửa người ký Võ Thị Mai")
    edit.get_by_label("Chức vụ").fill("Giám đốc")
    edit.get_by_label("Thẩm quyền ký").fill("")
    edit.get_by_role("button", name="Lưu thay đổi").click()
    expect(page.get_by_text("Đã lưu thông tin người ký Võ Thị Mai.")).to_be_visible()
    expect(row).to_contain_text("Ký trực tiếp")

    row.get_by_role("button", name="Ngừng ký: Võ Thị Mai").click()
    expect(row.locator(".badge")).to_have_text("Ngừng ký")
    expect(row.get_by_role("button", name="Cho ký lại: Võ Thị Mai")).to_be_visible()
    stored = world.seed(lambda s: s.get_one(Signer, signer.id))
    assert (stored.title, stored.delegation, stored.active, stored.version) == (
        "Giám đốc", None, False, 3)
