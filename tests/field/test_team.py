"""A joint team's two tablets on one visit (kiemtra.ct1 and congan.ct1 of the demo world): one
inspection per assignment, answers merged per item, a same-item clash as a conflict card, a
tablet that started offline merged into the team's inspection at sync, the server's
inspections back after logging in again, a returned inspection fixed and resubmitted."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import requests
from PIL import Image
from playwright.sync_api import Page, expect
from sqlalchemy import select

from inspection.models import Answer, Inspection, Photo
from tests.field.checklist import item, pick, synced
from tests.field.conftest import (
    INSPECTOR,
    PASSWORD,
    POLICE,
    SUPERVISOR,
    Tablet,
    World,
    log_in,
    screenshot,
    sync_now,
)
from tests.workers.processes import wait_for

RETURN_COMMENT = "Mục C2: ghi rõ số văn bản thẩm tra của Công an thành phố."


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (180, 120, 90)).save(out, "JPEG", quality=90)
    return out.getvalue()


def assignment(page: Page, site: dict[str, Any]) -> Any:
    return page.locator("li.assignment").filter(has_text=site["name"])


def checked(page: Page, code: str, label: str) -> None:
    expect(item(page, code).get_by_label(label, exact=True)).to_be_checked()


def begin(page: Page, site: dict[str, Any]) -> str:
    """ "Bắt đầu kiểm tra" at the site: the inspection screen; the inspection's id."""
    assignment(page, site).get_by_role("button", name="Bắt đầu kiểm tra").click()
    expect(page.locator("#inspection-view")).to_be_visible()
    expect(page.locator("#insp-site")).to_have_text(site["name"])
    inspection_id = page.locator("body").get_attribute("data-inspection")
    assert inspection_id
    return inspection_id


def home(page: Page) -> None:
    page.get_by_role("button", name="← Danh sách cơ sở").click()
    expect(page.locator("#home-view")).to_be_visible()


def answers_of(world: World, site: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    """The site's inspections in this campaign (ids) and the answers of the first."""
    def read(s: Any) -> tuple[list[str], dict[str, Any]]:
        visits = s.scalars(select(Inspection).where(
            Inspection.site_id == uuid.UUID(site["id"]),
            Inspection.campaign_id == uuid.UUID(site["campaign_id"]))).all()
        answers = {a.item_code: a.value for a in s.scalars(
            select(Answer).where(Answer.inspection_id == visits[0].id))} if visits else {}
        return [str(v.id) for v in visits], answers
    return world.read(read)  # type: ignore[no-any-return]


def test_two_tablets_answer_one_inspection_and_a_clash_is_resolved_on_one(
        world: World, tablets: Callable[[], Tablet]) -> None:
    a, b = tablets(), tablets()
    site = world.sites["fresh"][0]
    log_in(a.page, world, INSPECTOR)
    log_in(b.page, world, POLICE)
    inspection_id = begin(a.page, site)
    synced(a.page)
    # The police member's tablet has not synced since: "Bắt đầu kiểm tra" joins the server's.
    assert begin(b.page, site) == inspection_id

    a.context.set_offline(True)
    b.context.set_offline(True)
    pick(a.page, "A3", "Có")
    pick(a.page, "A4", "Có")
    pick(b.page, "A5", "Không")
    pick(b.page, "A4", "Không")  # the same item, another value: a clash
    a.context.set_offline(False)
    synced(a.page)
    b.context.set_offline(False)
    synced(b.page)

    conflict = b.page.locator("#conflict-list li.conflict")
    expect(conflict).to_have_count(1)
    expect(conflict).to_contain_text("mục A4")
    expect(conflict.locator(".server")).to_contain_text("Có")
    expect(conflict.locator(".mine")).to_contain_text("Không")
    checked(b.page, "A3", "Có")  # the inspector's answer, pulled
    sync_now(a.page)
    checked(a.page, "A5", "Không")  # the police member's answer, pulled

    conflict.get_by_role("button", name="Ghi đè bằng bản của tôi").click()
    expect(b.page.locator("#conflict-list li.conflict")).to_have_count(0)
    synced(b.page)
    sync_now(a.page)
    checked(a.page, "A4", "Không")

    visits, answers = answers_of(world, site)
    assert visits == [inspection_id]
    assert answers == {"A3": "yes", "A4": "no", "A5": "no"}

    # The inspector's evidence photo of A3 reaches the police member's checklist.
    item(a.page, "A3").locator("input[type=file]").first.set_input_files(
        {"name": "bang-ke.jpg", "mimeType": "image/jpeg", "buffer": jpeg()})
    synced(a.page)
    wait_for(lambda: world.read(lambda s: s.scalars(select(Photo.status).where(
        Photo.inspection_id == uuid.UUID(inspection_id))).all()) == ["ready"],
        timeout_s=30, what="the photo's derivatives")
    sync_now(b.page)
    theirs = item(b.page, "A3").locator(".thumbs figure.team")
    expect(theirs).to_have_count(1)
    expect(theirs.locator("figcaption")).to_have_text("Trên máy chủ")
    b.page.wait_for_function(  # the thumbnail, fetched with the police member's token
        "(img) => img.complete && img.naturalWidth > 0",
        arg=theirs.locator("img").element_handle(), timeout=10_000)
    item(b.page, "A3").scroll_into_view_if_needed()
    screenshot(b.page, "team-photo")
    expect(item(a.page, "A3").locator(".thumbs figure")).to_have_count(1)  # its own, once


def test_a_tablet_that_started_offline_merges_into_the_teams_inspection(
        world: World, tablets: Callable[[], Tablet]) -> None:
    a, b = tablets(), tablets()
    site = world.sites["fresh"][1]
    log_in(b.page, world, POLICE)
    b.context.set_offline(True)  # all day long, until the evening
    log_in(a.page, world, INSPECTOR)
    inspection_id = begin(a.page, site)
    pick(a.page, "A3", "Có")
    synced(a.page)

    duplicate = begin(b.page, site)  # it cannot know: a second inspection, on the tablet
    assert duplicate != inspection_id
    pick(b.page, "A3", "Không")  # a clash with the inspector's
    pick(b.page, "A5", "Có")
    item(b.page, "A5").locator("input[type=file]").first.set_input_files(
        {"name": "so-giao-nhan.jpg", "mimeType": "image/jpeg", "buffer": jpeg()})
    expect(item(b.page, "A5").locator(".thumbs figure")).to_have_count(1)
    b.page.locator("#item-B2 textarea[aria-label='Ghi chú B2']").fill("Sổ giao nhận đầy đủ.")
    b.page.locator("#item-B2 textarea[aria-label='Ghi chú B2']").press("Tab")
    expect(b.page.locator("body")).to_have_attribute("data-waiting-mutations", "4")
    expect(b.page.locator("body")).to_have_attribute("data-waiting-photos", "1")

    b.context.set_offline(False)
    expect(b.page.locator("body")).to_have_attribute("data-inspection", inspection_id)
    synced(b.page)
    conflict = b.page.locator("#conflict-list li.conflict")
    expect(conflict).to_have_count(1)
    expect(conflict).to_contain_text("mục A3")
    checked(b.page, "A5", "Có")
    checked(b.page, "A3", "Không")  # the tablet's own value stays until the clash is settled
    conflict.get_by_role("button", name="Ghi đè bằng bản của tôi").click()
    expect(b.page.locator("#conflict-list li.conflict")).to_have_count(0)
    synced(b.page)
    home(b.page)
    expect(b.page.locator("#result-list")).to_contain_text("Đã gộp vào phiên kiểm tra")

    visits, answers = answers_of(world, site)
    assert visits == [inspection_id]  # no duplicate on the server
    assert answers == {"A3": "no", "A5": "yes", "B2": None}
    notes = world.read(lambda s: s.scalar(select(Answer.note).where(
        Answer.inspection_id == uuid.UUID(inspection_id), Answer.item_code == "B2")))
    assert notes == "Sổ giao nhận đầy đủ."
    photos = world.read(lambda s: [(str(p.inspection_id), p.item_code)
                                   for p in s.scalars(select(Photo).where(
                                       Photo.inspection_id.in_([uuid.UUID(inspection_id),
                                                                uuid.UUID(duplicate)])))])
    assert photos == [(inspection_id, "A5")]  # the photo taken offline went to the team's
    sync_now(a.page)
    checked(a.page, "A3", "Không")
    checked(a.page, "A5", "Có")


def test_after_logout_and_login_the_teams_inspections_are_there(
        world: World, tablets: Callable[[], Tablet]) -> None:
    a = tablets()
    draft, submitted = world.sites["draft"], world.sites["submitted"]
    log_in(a.page, world, INSPECTOR)
    expect(assignment(a.page, draft)).to_have_attribute("data-state", "in_progress")
    expect(assignment(a.page, draft)).to_contain_text("Đang kiểm tra")
    expect(assignment(a.page, draft)).to_contain_text("bởi bạn")
    expect(assignment(a.page, submitted)).to_have_attribute("data-state", "submitted")
    expect(assignment(a.page, submitted).get_by_role("button", name="Bắt đầu kiểm tra")
           ).to_have_count(0)
    expect(assignment(a.page, world.sites["approved"])).to_have_attribute("data-state",
                                                                         "approved")
    expect(assignment(a.page, world.sites["fresh"][2])).to_have_attribute("data-state",
                                                                         "not_started")
    expect(a.page.locator("li.assignment[data-overdue=true]").first).to_contain_text("Quá hạn")
    if world.backend == "spatialite":
        screenshot(a.page, "home-team")

    a.context.set_offline(True)
    assignment(a.page, draft).get_by_role("button", name="Tiếp tục kiểm tra").click()
    expect(a.page.locator("body")).to_have_attribute("data-inspection", draft["inspection_id"])
    checked(a.page, "A1", "Có")  # the demo's answers, from the package
    pick(a.page, "C3", "Không")
    home(a.page)
    dialogs: list[str] = []

    def dismiss(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    a.page.on("dialog", dismiss)
    a.page.get_by_role("button", name="Đăng xuất").click()
    for _ in range(100):
        if dialogs:
            break
        a.page.wait_for_timeout(100)
    expect(a.page.locator("#home-view")).to_be_visible()  # not logged out: the question said no
    assert len(dialogs) == 1
    assert "0 xung đột chưa xử lý, 1 thay đổi và 0 ảnh chưa gửi" in dialogs[0]

    a.context.set_offline(False)
    synced(a.page)
    a.page.get_by_role("button", name="Đăng xuất").click()
    expect(a.page.locator("#login-view")).to_be_visible()
    assert len(dialogs) == 1  # nothing left to lose: no question

    log_in(a.page, world, INSPECTOR)
    expect(assignment(a.page, draft)).to_have_attribute("data-state", "in_progress")
    expect(assignment(a.page, submitted)).to_have_attribute("data-state", "submitted")
    assignment(a.page, submitted).get_by_role("button", name="Xem phiên chờ duyệt").click()
    expect(a.page.locator("body")).to_have_attribute("data-inspection",
                                                     submitted["inspection_id"])
    a1 = world.read(lambda s: s.scalar(select(Answer.value).where(
        Answer.inspection_id == uuid.UUID(submitted["inspection_id"]), Answer.item_code == "A1")))
    checked(a.page, "A1", {"yes": "Có", "no": "Không"}[a1])  # the server's answers
    home(a.page)
    assignment(a.page, draft).get_by_role("button", name="Tiếp tục kiểm tra").click()
    checked(a.page, "C3", "Không")  # sent before logging out, back from the server


@pytest.fixture
def returned(world: World) -> dict[str, Any]:
    """The team's submitted inspection, returned by the supervisor through the API."""
    site = world.sites["submitted"]
    url = f"{world.base_url}/api/v1/inspections/{site['inspection_id']}"
    login = requests.post(f"{world.base_url}/api/v1/auth/login", timeout=10, json={
        "username": SUPERVISOR, "password": PASSWORD, "device_id": f"desk-{uuid.uuid4()}"})
    login.raise_for_status()
    auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
    current = requests.get(url, headers=auth, timeout=10)
    current.raise_for_status()
    resp = requests.post(f"{url}/review", timeout=10, json={
        "decision": "return", "comment": RETURN_COMMENT, "items": ["C2"]},
        headers={**auth, "If-Match": current.headers["ETag"]})
    assert resp.status_code == 200, resp.text
    return site


def test_a_returned_inspection_shows_the_comment_and_is_fixed_and_resubmitted(
        world: World, tablets: Callable[[], Tablet], returned: dict[str, Any]) -> None:
    b = tablets()
    log_in(b.page, world, POLICE)  # the police member, who did not start it
    card = assignment(b.page, returned)
    expect(card).to_have_attribute("data-state", "returned")
    expect(card.locator(".returned-note")).to_contain_text(RETURN_COMMENT)
    card.get_by_role("button", name="Tiếp tục kiểm tra").click()
    expect(b.page.locator("body")).to_have_attribute("data-inspection",
                                                     returned["inspection_id"])
    expect(b.page.locator("#insp-review")).to_contain_text(RETURN_COMMENT)
    expect(b.page.locator("#insp-status")).to_contain_text("Bị trả lại")
    expect(b.page.locator(".badge.to-fix")).to_have_count(1)  # the one item marked to fix
    expect(item(b.page, "C2").locator(".badge.to-fix")).to_have_text("Cần sửa")
    if world.backend == "spatialite":
        screenshot(b.page, "returned")
    b.page.locator("#insp-review").get_by_role("button", name="Mục C2").click()
    expect(item(b.page, "C2")).to_be_in_viewport()
    b.page.reload()  # back on the returned inspection, its comment still above the checklist
    expect(b.page.locator("body")).to_have_attribute("data-state", "ready")
    expect(b.page.locator("#insp-review")).to_contain_text(RETURN_COMMENT)

    # C2 (vetted staff) is asked with its total C1 as one ratio block, whose note is the block's
    note = b.page.locator('[data-node="C2"]').get_by_label("Ghi chú C2")
    note.fill("Văn bản thẩm tra số 115/CAT-PA03 ngày 10/4/2026.")
    note.press("Tab")
    synced(b.page)
    b.page.get_by_role("button", name="Nộp phiên kiểm tra").click()
    expect(b.page.locator("#submit-message")).to_have_text("Đã nộp phiên kiểm tra.")
    expect(b.page.locator("#insp-review")).to_be_hidden()
    expect(b.page.locator(".badge.to-fix")).to_have_count(0)  # submitted again: no longer marked
    home(b.page)
    expect(assignment(b.page, returned)).to_have_attribute("data-state", "submitted")

    def read(s: Any) -> tuple[str, str | None]:
        inspection = s.get(Inspection, uuid.UUID(returned["inspection_id"]))
        note = s.scalar(select(Answer.note).where(Answer.inspection_id == inspection.id,
                                                  Answer.item_code == "C2"))
        return inspection.status, note
    assert world.read(read) == ("submitted", "Văn bản thẩm tra số 115/CAT-PA03 ngày 10/4/2026.")
