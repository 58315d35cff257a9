"""The console's shell: one login, the session kept across a reload, logout, an unknown
address, and the one label table the pages read."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

from inspection.labels import LABELS
from tests.console.conftest import menu, sign_in


def test_the_label_table_is_served_as_a_module_to_both_apps(world):
    for prefix in ("/console", "/app"):
        resp = requests.get(f"{world.base_url}{prefix}/labels.js", timeout=10)
        assert resp.status_code == 200
        assert resp.headers["Content-Type"].startswith("text/javascript")
        assert "export const LABELS" in resp.text
        assert '"critical": "Nghiêm trọng"' in resp.text
        for kind, table in LABELS.items():
            assert f'"{kind}"' in resp.text
            for text in table.values():
                assert f'"{text}"' in resp.text


def test_a_wrong_password_is_refused_in_place(world, page):
    page.goto(f"{world.base_url}/console/")
    page.get_by_label("Tên đăng nhập").fill("giamsat.ct")
    page.get_by_label("Mật khẩu").fill("not-the-password")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("alert")).to_have_text("Tên đăng nhập hoặc mật khẩu không đúng.")
    expect(page.locator("#shell")).to_be_hidden()


def test_the_session_survives_a_reload_and_ends_with_logout(world, page):
    sign_in(page, world, "giamsat.ct")
    expect(page.locator("#who-name")).to_have_text("Phạm Thị Lan")
    expect(page.locator("#who-role")).to_have_text("Giám sát viên")
    page.goto(f"{world.base_url}/console/#/no-such-page")
    expect(page.get_by_role("heading", name="Không tìm thấy trang")).to_be_visible()
    page.reload()
    expect(page.locator("#who-name")).to_have_text("Phạm Thị Lan")
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.locator("#login-view")).to_be_visible()
    page.reload()
    expect(page.locator("#login-view")).to_be_visible()
    expect(page.locator("#shell")).to_be_hidden()


MENUS = {
    "giamsat.ct": ["Duyệt kết quả kiểm tra", "Thông báo vi phạm", "Báo cáo tổng hợp",
                   "Lập kế hoạch", "Báo cáo cung cấp KT1", "Xung đột dữ liệu", "Bản đồ"],
    "admin": ["Duyệt kết quả kiểm tra", "Thông báo vi phạm", "Báo cáo tổng hợp", "Lập kế hoạch",
              "Báo cáo cung cấp KT1", "Xung đột dữ liệu", "Bản đồ", "Người dùng", "Người ký",
              "Bảng kiểm tra", "Căn cứ pháp lý", "Nhật ký kiểm toán"],
    "kiemtra.ct1": ["Bản đồ"],
    "congan.ct1": ["Thẩm tra nhân viên"],
    "buudien.ct": ["Thông báo gửi đơn vị", "Báo cáo năm KT1", "Nhân viên KT1"],
}


@pytest.mark.parametrize("username", MENUS)
def test_each_role_sees_only_its_menus_and_lands_on_the_first(world, page, username):
    sign_in(page, world, username)
    assert menu(page) == MENUS[username]
    expect(page.locator('#menu a[aria-current="page"]')).to_have_text(MENUS[username][0])


def test_a_page_of_another_role_says_so(world, page):
    sign_in(page, world, "buudien.ct", "#/review")
    expect(page.get_by_role("heading", name="Không có quyền")).to_be_visible()
    expect(page.get_by_text("không dành cho vai trò của bạn")).to_be_visible()
