"""The tablet field app (/app/, a PWA) in Debian's chromium, driven by Playwright, against the
service served for real on 127.0.0.1, on SpatiaLite and on PostGIS.

The app uses only the public API; what it did is checked on the server (the database), never
through the app itself. Any script error, console error, CSP violation or failed app asset fails
a test; Chrome's own "Failed to load resource" lines for API answers the app expects (a 422 at
submit, a request cut by going offline) are not app errors. `KT1_UPDATE_SAMPLES=1` also writes
the screenshots docs/samples/field-*.png (on SpatiaLite).
"""

from __future__ import annotations

import hashlib
import io
import os
import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from PIL import Image
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    expect,
    sync_playwright,
)
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from inspection.db import make_session_factory
from inspection.models import Answer, Inspection, Photo
from tests import factories
from tests.api.field_world import INSPECTOR, POLICE, SITES, Recorder, Seeded, seed
from tests.browser import CHROMIUM, watch
from tests.conftest import BACKENDS
from tests.field.checklist import item, pick, sign, synced, type_in
from tests.live_server import served_world
from tests.workers.processes import wait_for

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"
LANDSCAPE: Any = {"width": 1280, "height": 800}  # playwright's ViewportSize
PORTRAIT: Any = {"width": 800, "height": 1280}
UPDATE_SAMPLES = os.environ.get("KT1_UPDATE_SAMPLES") == "1"

expect.set_options(timeout=20_000)


@dataclass
class World:
    backend: str
    base_url: str
    recorder: Recorder
    seeded: Seeded
    sessions: sessionmaker[Session]

    def site_location(self, key: str) -> Any:  # playwright's Geolocation
        lon, lat = SITES[key][1]
        return {"longitude": lon + 0.0003, "latitude": lat + 0.0002, "accuracy": 12}


@pytest.fixture(scope="module", params=BACKENDS)
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[World]:
    def seeding(session: Session) -> Seeded:
        factories.bind(session)
        return seed(session)

    recorder = Recorder()
    with served_world(request.param, tmp_path_factory, "field", seeding,
                      wrap=recorder.wrap) as (served, seeded):
        yield World(request.param, served.base_url, recorder, seeded,
                    make_session_factory(served.engine))


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
    yield browser
    browser.close()


@dataclass
class Tablet:
    context: BrowserContext
    page: Page
    broken: list[str]


def _tablet(browser: Browser, world: World, site: str,
            viewport: Any = LANDSCAPE) -> Iterator[Tablet]:
    """A fresh browser profile (a new tablet) at the site's position; every script error,
    console error, CSP violation or failed app asset is collected and fails the test."""
    context = browser.new_context(viewport=viewport, locale="vi-VN",
                                  timezone_id="Asia/Ho_Chi_Minh",
                                  geolocation=world.site_location(site),
                                  permissions=["geolocation"], service_workers="allow")
    page = context.new_page()
    broken = watch(page)
    yield Tablet(context, page, broken)
    context.close()
    assert broken == []


@pytest.fixture
def tablet(browser: Browser, world: World, request: pytest.FixtureRequest) -> Iterator[Tablet]:
    yield from _tablet(browser, world, getattr(request, "param", "happy"))


# --- what a person does -------------------------------------------------------------------

def log_in(page: Page, world: World, username: str = INSPECTOR) -> None:
    page.goto(f"{world.base_url}/app/")
    expect(page.locator("#login-view")).to_be_visible()
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(factories.PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator("#home-view")).to_be_visible()
    expect(page.locator("#assignment-list li.assignment")).to_have_count(len(SITES))
    # The service worker is active, so it answers the next navigation, with the shell cached
    # (its install fills the cache before it activates). Whether it already controls this
    # page depends on when it activated; a reload does not care.
    assert page.evaluate("""async () => {
        await navigator.serviceWorker.ready;
        return (await caches.keys()).some((name) => name.startsWith("kt1-field-shell-"));
    }""")


def assignment(page: Page, key: str) -> Any:
    return page.locator("li.assignment").filter(has_text=SITES[key][0])


def start(page: Page, key: str) -> str:
    assignment(page, key).get_by_role("button", name="Bắt đầu kiểm tra").click()
    expect(page.locator("#inspection-view")).to_be_visible()
    expect(page.locator("#insp-site")).to_have_text(SITES[key][0])
    inspection_id = page.locator("body").get_attribute("data-inspection")
    assert inspection_id
    return inspection_id


def photo(page: Page, code: str, data: bytes, name: str = "hien-truong.jpg") -> None:
    before = item(page, code).locator(".thumbs figure").count()
    item(page, code).locator("input[type=file]").first.set_input_files(
        {"name": name, "mimeType": "image/jpeg", "buffer": data})
    expect(item(page, code).locator(".thumbs figure")).to_have_count(before + 1)




def waiting(page: Page, mutations: int, photos: int) -> None:
    body = page.locator("body")
    expect(body).to_have_attribute("data-waiting-mutations", str(mutations))
    expect(body).to_have_attribute("data-waiting-photos", str(photos))




def outbox_size(page: Page) -> int:
    return int(page.evaluate("""async () => {
        const db = await idb.openDB("kt1-field");
        const n = await db.count("outbox");
        db.close();
        return n;
    }"""))


def jpeg(seed: int, size: tuple[int, int] = (640, 480), noise: bool = False) -> bytes:
    rng = random.Random(seed)
    if noise:  # incompressible: a photo of ~0.4 MB
        img = Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3))
    else:
        img = Image.new("RGB", size, (rng.randrange(256), 120, 90))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=92)
    return out.getvalue()


def sample(page: Page, name: str) -> None:
    if UPDATE_SAMPLES:
        SAMPLES.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SAMPLES / f"field-{name}.png"), full_page=False)


def api_login(world: World, username: str, device: str) -> dict[str, str]:
    resp = requests.post(f"{world.base_url}/api/v1/auth/login", json={
        "username": username, "password": factories.PASSWORD, "device_id": device}, timeout=10)
    resp.raise_for_status()
    return {"Authorization": f"Bearer {resp.json()['access_token']}"}


# --- 1. the field day, offline --------------------------------------------------------------

def test_a_checklist_filled_offline_reaches_the_server_exactly_once(
        tablet: Tablet, world: World) -> None:
    page, context = tablet.page, tablet.context
    if world.backend == "spatialite" and UPDATE_SAMPLES:
        page.goto(f"{world.base_url}/app/")
        expect(page.locator("#login-view")).to_be_visible()
        sample(page, "login")
    log_in(page, world)

    context.set_offline(True)
    shell_requests = world.recorder.shell_requests
    page.reload()  # from the service worker's cache, data from IndexedDB
    expect(page.locator("body")).to_have_attribute("data-state", "ready")
    assert world.recorder.shell_requests == shell_requests  # nothing reached the server
    expect(page.locator("#net")).to_have_text("Ngoại tuyến")
    expect(assignment(page, "happy")).to_be_visible()
    if world.backend == "spatialite":
        sample(page, "home")

    inspection_id = start(page, "happy")
    expect(page.locator("#insp-gps")).to_contain_text("cách cơ sở")
    team = page.locator("#insp-team")
    expect(team).to_contain_text("Sở KH&CN")
    expect(team).to_contain_text("Công an")
    expect(item(page, "A1").locator(".badge.required")).to_have_text("Bắt buộc")
    expect(item(page, "A2").locator(".badge.photo")).to_have_text("Cần ảnh khi không đạt")

    picture = jpeg(1)
    pick(page, "A1", "Có")
    item(page, "A1").get_by_label("Ghi chú A1").fill("Dấu ngày rõ ràng trên bưu gửi.")
    item(page, "A1").get_by_label("Ghi chú A1").press("Tab")
    pick(page, "A2", "Không")
    pick(page, "A2", "Có")  # changed his mind: one answer, the last one
    type_in(page, "C1", "5")
    type_in(page, "C2", "3")
    expect(item(page, "C2").locator(".badge.bad")).to_have_text("Không đạt")
    type_in(page, "C5", "2026-10-15")
    pick(page, "H1", "thiếu")
    type_in(page, "K1", "Đơn vị cam kết bổ sung thẩm tra trong 30 ngày.")
    photo(page, "P1", picture)
    sign(page, "S1")
    waiting(page, 1 + len(world.seeded.items), 2)
    expect(page.locator("#waiting")).to_contain_text(
        f"Chờ gửi: {1 + len(world.seeded.items)} thay đổi, 2 ảnh")
    if world.backend == "spatialite":
        page.evaluate("window.scrollTo(0, 0)")
        sample(page, "checklist-1280x800")
        page.set_viewport_size(PORTRAIT)
        page.evaluate("window.scrollTo(0, 0)")
        sample(page, "checklist-800x1280")
        page.set_viewport_size(LANDSCAPE)

    context.set_offline(False)  # back online: the app syncs by itself
    synced(page)
    assert outbox_size(page) == 0
    page.get_by_role("button", name="Nộp phiên kiểm tra").click()
    expect(page.locator("#submit-message")).to_have_text("Đã nộp phiên kiểm tra.")
    expect(page.locator("#insp-status")).to_contain_text("Chờ duyệt")

    page.get_by_role("button", name="← Danh sách cơ sở").click()
    results = page.locator("#result-list")
    expect(results).to_contain_text("Đã áp dụng")
    expect(results.locator(".result.rejected")).to_have_count(0)
    expect(results.locator(".result.conflict")).to_have_count(0)

    processed_photos(world, inspection_id)  # the derivatives are made after the uploads
    with world.sessions() as s:
        site = uuid.UUID(world.seeded.site_ids["happy"])
        inspections = s.scalars(select(Inspection).where(Inspection.site_id == site)).all()
        assert [str(i.id) for i in inspections] == [inspection_id]
        inspection = inspections[0]
        assert inspection.status == "submitted"
        assert inspection.accuracy_m == 12
        answers = {a.item_code: a for a in s.scalars(
            select(Answer).where(Answer.inspection_id == inspection.id))}
        photos = s.scalars(select(Photo).where(Photo.inspection_id == inspection.id)).all()
        assert set(answers) == set(world.seeded.items)
        values = {code: a.value for code, a in answers.items()}
        by_item = {p.item_code: p for p in photos}
        assert len(photos) == 2
        assert values == {"A1": "yes", "A2": "yes", "C1": 5, "C2": 3, "C5": "2026-10-15",
                          "H1": "thiếu", "K1": "Đơn vị cam kết bổ sung thẩm tra trong 30 ngày.",
                          "P1": str(by_item["P1"].id), "S1": str(by_item["S1"].id)}
        assert answers["A1"].note == "Dấu ngày rõ ràng trên bưu gửi."
        assert answers["A2"].version == 1  # edited twice offline, sent once
        assert by_item["P1"].sha256 == hashlib.sha256(picture).hexdigest()
        assert by_item["P1"].status == "ready"
        assert by_item["S1"].status == "ready"
        assert s.scalar(select(func.count()).select_from(Photo).where(
            Photo.sha256 == by_item["P1"].sha256)) == 1


# --- 2. an upload cut by going offline -------------------------------------------------------

@pytest.mark.parametrize("tablet", ["upload"], indirect=True)
def test_an_upload_cut_offline_resumes_without_sending_acknowledged_bytes_again(
        tablet: Tablet, world: World) -> None:
    page, context = tablet.page, tablet.context
    log_in(page, world)
    page.evaluate("localStorage.setItem('kt1.chunk_kib', '64')")
    picture = jpeg(2, size=(640, 620), noise=True)
    assert 350_000 < len(picture) < 500_000
    context.set_offline(True)
    inspection_id = start(page, "upload")
    photo(page, "P1", picture)
    waiting(page, 2, 1)

    recorder = world.recorder
    earlier, earlier_heads = len(recorder.appends), len(recorder.resumes)
    recorder.delay = 0.25  # each append takes a while: the drop lands mid-upload
    try:
        context.set_offline(False)
        deadline = time.monotonic() + 20
        while len(recorder.acknowledged()) == len([a for a in recorder.appends[:earlier]
                                                   if a.status == 204]) \
                and time.monotonic() < deadline:
            page.wait_for_timeout(50)
        context.set_offline(True)
        cut_at = len([a for a in recorder.appends[earlier:] if a.status == 204])
        page.wait_for_timeout(800)
        with world.sessions() as s:
            assert s.scalar(select(func.count()).select_from(Photo).where(
                Photo.inspection_id == uuid.UUID(inspection_id))) == 0
        expect(page.locator("body")).to_have_attribute("data-waiting-photos", "1")
        context.set_offline(False)
        synced(page)
    finally:
        recorder.delay = 0.0

    appends = [a for a in recorder.appends[earlier:] if a.length]
    assert {a.upload for a in appends} == {appends[0].upload}
    assert set(recorder.resumes[earlier_heads:]) == {appends[0].upload}  # resumed: HEAD
    acknowledged = [a for a in appends if a.status == 204]
    # Every append started at or after what the server had acknowledged when it arrived...
    assert all(a.offset >= a.acknowledged_before for a in appends)
    # ...and the acknowledged ones tile the file once, in order.
    starts = [a.offset for a in acknowledged]
    assert starts == sorted(set(starts))
    assert [a.offset for a in acknowledged[1:]] == [a.new_offset for a in acknowledged[:-1]]
    assert acknowledged[0].offset == 0
    assert acknowledged[-1].new_offset == len(picture)
    assert sum((a.new_offset or 0) - a.offset for a in acknowledged) == len(picture)
    assert 1 <= cut_at < len(acknowledged)  # acknowledged appends before and after the cut
    with world.sessions() as s:
        photos = s.scalars(select(Photo).where(
            Photo.inspection_id == uuid.UUID(inspection_id))).all()
        assert [(p.sha256, p.item_code) for p in photos] == [
            (hashlib.sha256(picture).hexdigest(), "P1")]
        answer = s.scalar(select(Answer).where(Answer.inspection_id == uuid.UUID(inspection_id)))
        assert answer is not None and answer.value == str(photos[0].id)


# --- 2b. photos the server refuses --------------------------------------------------------------

@pytest.mark.parametrize("tablet", ["refused"], indirect=True)
def test_photos_the_server_refuses_are_marked_and_never_sent_again(
        tablet: Tablet, world: World) -> None:
    """A "photo" that is not an image, and one whose bytes no longer hash to the sha256 taken
    at capture (460): each shows why on its item, neither counts as waiting nor blocks the
    rest, and the next sync sends neither again."""
    page, context = tablet.page, tablet.context
    log_in(page, world)
    context.set_offline(True)
    inspection_id = start(page, "refused")
    pick(page, "A1", "Có")
    fake = b"day khong phai la anh chup " * 400
    photo(page, "A1", fake, name="khong-phai-anh.jpg")
    photo(page, "A2", jpeg(7))
    page.evaluate("""async () => {
        const db = await idb.openDB("kt1-field");
        const photo = (await db.getAll("photos")).find((p) => p.item_code === "A2");
        await db.put("photos", { ...photo, sha256: "0".repeat(64) });
        db.close();
    }""")
    context.set_offline(False)
    synced(page)
    # The server processes the upload on its job thread: the next sync pulls the verdict.
    wait_for(lambda: _photo_statuses(world, inspection_id) == [("A1", "rejected")],
             timeout_s=30, what="the server to process the photo")
    page.get_by_role("button", name="Đồng bộ").click()
    synced(page)
    not_an_image = item(page, "A1").locator(".thumbs figure.refused")
    expect(not_an_image).to_have_text(
        "Máy chủ từ chối ảnh: Tệp không phải là ảnh được hỗ trợ; chỉ nhận ảnh JPEG, PNG, "
        "HEIC/HEIF hoặc WebP.")
    altered = item(page, "A2").locator(".thumbs figure.refused")
    expect(altered).to_have_text("Không gửi được: ảnh trên máy đã thay đổi sau khi chụp "
                                 "(mã sha256 không khớp); hãy chụp lại.")
    expect(page.locator("#waiting")).to_contain_text("0 ảnh")
    if world.backend == "spatialite":
        item(page, "A1").scroll_into_view_if_needed()
        sample(page, "photo-refused")
    sent = list(world.recorder.requests)

    page.get_by_role("button", name="Đồng bộ").click()
    synced(page)
    assert world.recorder.requests[len(sent):] == []  # neither is sent again
    page.get_by_role("button", name="← Danh sách cơ sở").click()
    expect(page.locator("#result-list .result.rejected")).to_contain_text("Ảnh không tải lên được")

    with world.sessions() as s:
        photos = s.scalars(select(Photo).where(
            Photo.inspection_id == uuid.UUID(inspection_id))).all()
        assert [(p.item_code, p.status) for p in photos] == [("A1", "rejected")]
        assert photos[0].sha256 == hashlib.sha256(fake).hexdigest()


def _photo_statuses(world: World, inspection_id: str) -> list[tuple[str | None, str]]:
    with world.sessions() as s:
        return [(p.item_code, p.status) for p in s.scalars(select(Photo).where(
            Photo.inspection_id == uuid.UUID(inspection_id)))]


@pytest.mark.parametrize("tablet", ["damaged"], indirect=True)
def test_a_photo_damaged_on_the_way_is_sent_again_at_the_next_sync(
        tablet: Tablet, world: World) -> None:
    """The server answers 460 (what it received does not hash to the sha256 taken at capture)
    but the photo on the device still does: the bytes were damaged on the way, so the photo
    stays waiting and goes again, whole, at the next sync."""
    page, context = tablet.page, tablet.context
    log_in(page, world)
    context.set_offline(True)
    inspection_id = start(page, "damaged")
    picture = jpeg(8)
    photo(page, "A1", picture)
    world.recorder.damage = 1
    context.set_offline(False)
    waiting(page, 0, 1)  # the answer went; the photo, not yet
    deadline = time.monotonic() + 30
    while not any(a.status == 460 for a in world.recorder.appends):
        assert time.monotonic() < deadline, world.recorder.appends
        page.wait_for_timeout(100)
    expect(page.locator("body")).to_have_attribute("data-sync", "idle")
    waiting(page, 0, 1)
    expect(item(page, "A1").locator(".thumbs figure figcaption")).to_have_text("Chờ gửi")
    page.get_by_role("button", name="← Danh sách cơ sở").click()
    expect(page.locator("#result-list .result.rejected").first).to_contain_text(
        "Ảnh không tải lên được (sẽ thử lại)")
    assignment(page, "damaged").get_by_role("button", name="Tiếp tục kiểm tra").click()

    page.get_by_role("button", name="Đồng bộ").click()
    synced(page)
    expect(item(page, "A1").locator(".thumbs figure figcaption")).to_have_text(
        "Đã gửi")  # its caption: the flags of a processed photo may follow it
    photos = processed_photos(world, inspection_id)
    assert [(p.item_code, p.status, p.sha256) for p in photos] == [
        ("A1", "ready", hashlib.sha256(picture).hexdigest())]


def processed_photos(world: World, inspection_id: str) -> list[Photo]:
    """The inspection's photos once none is `processing`: "Đã gửi" on the tablet means the
    upload is whole; the server's job thread makes the derivatives a moment later."""
    deadline = time.monotonic() + 30
    while True:
        with world.sessions() as s:
            photos = list(s.scalars(select(Photo).where(
                Photo.inspection_id == uuid.UUID(inspection_id))).all())
        if all(p.status != "processing" for p in photos) or time.monotonic() > deadline:
            return photos
        time.sleep(0.05)


# --- 3. a conflict made by a second device ----------------------------------------------------

@pytest.mark.parametrize("tablet", ["conflict"], indirect=True)
def test_a_conflict_from_another_device_is_shown_until_resolved(
        tablet: Tablet, world: World) -> None:
    page, context = tablet.page, tablet.context
    log_in(page, world)
    inspection_id = start(page, "conflict")
    pick(page, "A1", "Có")
    waiting(page, 2, 0)
    synced(page)  # by itself, a moment after the change

    # The police officer of the team changes A1 on his own tablet.
    other = api_login(world, POLICE, "may-tinh-bang-cong-an")
    resp = requests.put(f"{world.base_url}/api/v1/inspections/{inspection_id}/answers/A1",
                        json={"value": "no", "answered_at": "2026-11-23T09:00:00+07:00"},
                        headers={**other, "If-Match": '"1"'}, timeout=10)
    assert resp.status_code == 200, resp.text

    context.set_offline(True)
    pick(page, "A1", "Không áp dụng")
    context.set_offline(False)
    synced(page)
    conflict = page.locator("#conflicts li.conflict")
    expect(conflict).to_have_count(1)
    expect(conflict).to_contain_text("Xung đột: mục A1")
    expect(conflict.locator(".server")).to_have_text("Trên máy chủ: Không")
    expect(conflict.locator(".mine")).to_have_text("Trên máy này: Không áp dụng")
    expect(item(page, "A1").locator(".badge.bad")).to_have_text("Xung đột")

    page.reload()
    expect(page.locator("body")).to_have_attribute("data-state", "ready")
    expect(conflict).to_have_count(1)
    page.get_by_role("button", name="← Danh sách cơ sở").click() if page.locator(
        "#inspection-view").is_visible() else None
    expect(page.locator("#result-list .result.conflict").first).to_contain_text("Xung đột")
    if world.backend == "spatialite":
        sample(page, "sync-conflict")

    conflict.get_by_role("button", name="Ghi đè bằng bản của tôi").click()
    expect(conflict).to_have_count(0)
    synced(page)
    with world.sessions() as s:
        answer = s.scalar(select(Answer).where(Answer.inspection_id == uuid.UUID(inspection_id),
                                               Answer.item_code == "A1"))
        assert answer is not None
        assert (answer.value, answer.version) == ("na", 3)


# --- 4. submitting with a required item missing -----------------------------------------------

@pytest.mark.parametrize("tablet", ["submit"], indirect=True)
def test_submitting_with_required_items_missing_lists_them_in_place(
        tablet: Tablet, world: World) -> None:
    page = tablet.page
    log_in(page, world)
    start(page, "submit")
    pick(page, "A1", "Có")
    type_in(page, "C1", "2")
    page.get_by_role("button", name="Nộp phiên kiểm tra").click()
    errors = page.locator("#submit-errors")
    expect(errors).to_be_visible()
    missing = sorted(code for code, i in world.seeded.items.items()
                     if i["required"] and code not in ("A1", "C1"))
    expect(errors.locator("li")).to_have_count(len(missing))
    expect(errors).to_contain_text(
        f"Chưa thể nộp: {len(missing)} mục bắt buộc chưa trả lời.")
    for code in missing:
        expect(errors).to_contain_text(f"Mục {code}: {world.seeded.items[code]['text']}")
        expect(item(page, code)).to_have_class("item missing")
        expect(item(page, code).locator(".item-error")).to_have_text(
            "Mục bắt buộc chưa được trả lời.")
    expect(item(page, "A1")).not_to_have_class("item missing")
    expect(page.locator("#insp-status")).to_contain_text("Đang kiểm tra")
    if world.backend == "spatialite":
        sample(page, "submit-missing")


# --- 5. logout --------------------------------------------------------------------------------

def test_the_package_is_refreshed_with_if_none_match_and_logging_out_wipes_the_device(
        tablet: Tablet, world: World) -> None:
    page = tablet.page
    with page.expect_response(lambda r: "/api/v1/sync/package" in r.url) as first:
        log_in(page, world)
    assert first.value.status == 200
    assert first.value.request.headers.get("if-none-match") is None
    synced(page)
    with page.expect_response(lambda r: "/api/v1/sync/package" in r.url) as again:
        page.get_by_role("button", name="Đồng bộ").click()
    assert again.value.status == 304
    assert again.value.request.headers.get("if-none-match") == first.value.headers["etag"]
    synced(page)
    assert "kt1-field" in page.evaluate("(async () => (await indexedDB.databases())"
                                        ".map((d) => d.name))()")
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.locator("#login-view")).to_be_visible()
    assert "kt1-field" not in page.evaluate("(async () => (await indexedDB.databases())"
                                            ".map((d) => d.name))()")
    page.reload()
    expect(page.locator("#login-view")).to_be_visible()
    expect(page.locator("#home-view")).to_be_hidden()


# --- 6. a browser restart ---------------------------------------------------------------------

def test_login_and_unsent_work_survive_a_browser_restart_offline(
        playwright: Playwright, world: World, tmp_path: Path) -> None:
    """The tablet's browser is closed (the profile stays on disk) and started again with no
    network: the app opens logged in, from the service worker's cache, with the work not yet
    sent, and sends it once the network is back."""
    def launch(offline: bool) -> tuple[BrowserContext, Page, list[str]]:
        context = playwright.chromium.launch_persistent_context(
            tmp_path / "profile", executable_path=CHROMIUM, args=["--no-sandbox"],
            viewport=LANDSCAPE, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh",
            geolocation=world.site_location("restart"), permissions=["geolocation"],
            service_workers="allow", offline=offline)
        page = context.pages[0] if context.pages else context.new_page()
        return context, page, watch(page)

    context, page, broken = launch(offline=False)
    log_in(page, world)
    context.set_offline(True)
    inspection_id = start(page, "restart")
    pick(page, "A1", "Không")
    waiting(page, 2, 0)
    context.close()
    assert broken == []

    shell_requests = world.recorder.shell_requests
    context, page, broken = launch(offline=True)
    page.goto(f"{world.base_url}/app/")
    expect(page.locator("body")).to_have_attribute("data-state", "ready")
    expect(page.locator("#login-view")).to_be_hidden()
    # back in the inspection that was on screen, with its unsent answer
    expect(page.locator("#inspection-view")).to_be_visible()
    expect(page.locator("body")).to_have_attribute("data-inspection", inspection_id)
    expect(item(page, "A1").get_by_label("Không", exact=True)).to_be_checked()
    assert world.recorder.shell_requests == shell_requests  # the shell came from the cache
    waiting(page, 2, 0)
    context.set_offline(False)
    page.get_by_role("button", name="Đồng bộ").click()
    synced(page)
    context.close()
    assert broken == []

    with world.sessions() as s:
        inspections = s.scalars(select(Inspection).where(
            Inspection.site_id == uuid.UUID(world.seeded.site_ids["restart"]))).all()
        assert [str(i.id) for i in inspections] == [inspection_id]
        answers = s.scalars(select(Answer).where(Answer.inspection_id == inspections[0].id)).all()
        assert [(a.item_code, a.value, a.version) for a in answers] == [("A1", "no", 1)]


# --- 7. the shell as the server sends it ------------------------------------------------------

def test_the_shell_is_installable_and_locked_down(client: Any) -> None:
    page = client.get("/app/")
    assert page.status_code == 200
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "worker-src 'self'" in csp
    assert "img-src 'self' blob: data:" in csp and "manifest-src 'self'" in csp
    assert client.get("/app").headers["Location"].endswith("/app/")
    manifest = client.get("/app/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    assert {i["sizes"] for i in manifest.json["icons"]} == {"192x192", "512x512"}
    assert manifest.json["start_url"] == manifest.json["scope"] == "/app/"
    worker = client.get("/app/sw.js")
    assert worker.mimetype == "text/javascript"
    source = worker.get_data(as_text=True)
    assert "__SHELL" not in source
    for path in ("/app/", "/app/static/js/app.js", "/app/static/vendor/idb/umd.js",
                 "/app/static/vendor/tus-js-client/tus.min.js", "/app/static/icons/icon-512.png"):
        assert f'"{path}"' in source
        assert client.get(path).status_code == 200
    assert "/api/" not in source.split("const SHELL")[1].split(";")[0]
