"""The notices' pages of the console, as each role uses them: the post office addressed reports
remediation with a text and a photo sent by tus, a supervisor rejects it with a comment the post
office then reads, the post office reports again, the supervisor verifies finding by finding
and the notice reads closed (its page and the list); a notice outside one's organisation or
province is "Không tìm thấy".

Fixture side: the demo world's two approved inspections get their notices through the domain
(`notices.request_notice`, then the notice job run here); the second site is handed to another
organisation and its notice made overdue. After that, the test works only through the pages.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from inspection import notices
from inspection.db import make_session_factory
from inspection.models import Finding, Inspection, Notice, Signer, User
from media.blobstore import store_from_url
from tests.console.conftest import TABLET, VIEWPORT, World, open_page, screenshot, sign_in
from tests.live_server import served_settings
from tests.media import pictures
from workers.notices import render_notice
from workers.tracking import run_tracked

OTHER_ORGANIZATION = "Viettel Post Cần Thơ"
LATE_DAYS = 5


@dataclass(frozen=True)
class Issued:
    ours: uuid.UUID
    """The notice addressed to buudien.ct's organisation."""
    codes: list[str]
    """Its findings' item codes."""
    theirs: uuid.UUID
    """Another organisation's notice in the province, overdue by LATE_DAYS."""


@pytest.fixture(scope="module")
def issued(world: World) -> Issued:
    settings = served_settings(world.root, world.engine.url.render_as_string(hide_password=False))
    store = store_from_url(settings.media_url)

    def ask(session: Any) -> list[tuple[uuid.UUID, uuid.UUID]]:
        supervisor = session.scalar(select(User).where(User.username == "giamsat.ct"))
        approved = session.scalars(select(Inspection).where(Inspection.status == "approved")
                                   .order_by(Inspection.started_at)).all()
        approved[1].site.organization = OTHER_ORGANIZATION
        signer = session.scalars(select(Signer).where(Signer.province_code == "92")).first()
        asked = [notices.request_notice(session, supervisor, i.id, signer_id=signer.id)
                 for i in approved[:2]]
        return [(notice.id, job.id) for notice, job, _ in asked]

    asked = world.seed(ask)
    factory = make_session_factory(world.engine)
    for notice_id, job_id in asked:
        def work(session: Any, _progress: Any, notice_id: uuid.UUID = notice_id) -> dict[str, Any]:
            render_notice(session, store, notice_id, settings=settings)
            session.commit()
            return {"notice_id": str(notice_id)}
        run_tracked(factory, str(job_id), work)

    def overdue(session: Any) -> list[str]:
        theirs = session.get_one(Notice, asked[1][0])
        theirs.due_on = notices.today_in_vietnam() - timedelta(days=LATE_DAYS)
        ours = session.get_one(Notice, asked[0][0])
        assert (ours.status, theirs.status) == ("issued", "issued")
        return list(session.scalars(select(Finding.item_code).where(
            Finding.inspection_id == ours.inspection_id, Finding.status == "confirmed")
            .order_by(Finding.item_code)))

    codes = world.seed(overdue)
    assert len(codes) >= 2
    return Issued(ours=asked[0][0], codes=codes, theirs=asked[1][0])


@pytest.fixture
def people(browser: Browser) -> Iterator[Any]:
    """Opens a fresh page per user (`people(username)`); the test fails if any broke."""
    opened: list[tuple[list[str], Any]] = []

    def person(world: World, username: str, path: str,
               viewport: dict[str, int] = VIEWPORT) -> Page:
        page, broken, close = open_page(browser, viewport)
        opened.append((broken, close))
        sign_in(page, world, username, path)
        return page

    yield person
    for broken, close in opened:
        close()
        assert broken == []


def finding(page: Page, code: str) -> Any:
    return page.locator(f'.finding-card[data-code="{code}"]')


def report(page: Page, code: str, text: str, files: list[Path]) -> None:
    card = finding(page, code)
    card.get_by_label(f"Nội dung khắc phục {code}").fill(text)
    card.get_by_label(f"Ảnh bằng chứng {code}").set_input_files([str(f) for f in files])
    card.get_by_role("button", name=f"Gửi báo cáo khắc phục {code}").click()


def test_the_post_office_reports_the_supervisor_rejects_then_verifies_and_it_closes(
        world: World, issued: Issued, people: Any, tmp_path: Path) -> None:
    first = issued.codes[0]
    jpeg = pictures.save_jpeg(tmp_path / "dau-ngay-moi.jpg", pictures.two_tone())
    again = pictures.save_jpeg(tmp_path / "dau-ngay-ro.jpg", pictures.two_tone(480, 240))
    not_a_photo = tmp_path / "bien-ban.txt"
    not_a_photo.write_text("Không phải ảnh", encoding="utf-8")

    post = people(world, "buudien.ct", "#/post/notices")
    expect(post.locator("#menu a", has_text="Thông báo gửi đơn vị")).to_be_visible()
    rows = post.locator(".paged tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Trong hạn")
    expect(rows.first).to_contain_text(f"{len(issued.codes)} phát hiện")
    screenshot(post, "post-notices")
    rows.first.get_by_role("link").click()
    expect(post.get_by_role("heading", name="Thông báo vi phạm Số")).to_be_visible()
    expect(post.get_by_role("button", name="Tải PDF")).to_be_visible()

    # a file that is not a photo is refused in place, and nothing is reported
    report(post, first, "Đã thay con dấu ngày mới.", [not_a_photo])
    expect(finding(post, first).locator(".upload-error")).to_contain_text("Không gửi được")
    expect(finding(post, first).locator(".outcome-error")).to_be_visible()
    expect(finding(post, first)).to_have_attribute("data-status", "confirmed")

    report(post, first, "Đã thay con dấu ngày mới.", [jpeg])
    expect(post.get_by_role("status").filter(
        has_text=f"Đã gửi báo cáo khắc phục {first}.")).to_be_visible()
    expect(finding(post, first)).to_have_attribute("data-status", "remediated")
    reported = post.locator('.event[data-kind="reported"]')
    expect(reported).to_contain_text("Đã thay con dấu ngày mới.")
    expect(reported.get_by_role("img", name="Ảnh khắc phục 1")).to_have_js_property(
        "complete", True)
    finding(post, first).scroll_into_view_if_needed()
    screenshot(post, "post-remediation")

    office = people(world, "giamsat.ct", "#/notices")
    expect(office.locator(".paged tbody tr")).to_have_count(2)
    late = office.locator(".paged tbody tr.overdue")
    expect(late).to_have_count(1)
    expect(late).to_contain_text(f"Quá hạn {LATE_DAYS} ngày")
    screenshot(office, "notices-list")
    office.get_by_role("link", name="Quá hạn khắc phục").click()
    expect(office.locator(".paged tbody tr")).to_have_count(1)
    expect(office.locator(".paged tbody tr")).to_contain_text(OTHER_ORGANIZATION)
    office.get_by_role("link", name="Tất cả").click()
    expect(office.locator(".paged tbody tr")).to_have_count(2)
    office.locator(".paged tbody tr:not(.overdue)").get_by_role("link").click()
    card = finding(office, first)
    card.get_by_role("button", name=f"Không chấp nhận {first}").click()
    expect(card.get_by_role("alert")).to_contain_text("Hãy ghi lý do")
    card.get_by_label(f"Nhận xét về khắc phục {first}").fill("Ảnh chưa thấy rõ dấu ngày.")
    card.get_by_role("button", name=f"Không chấp nhận {first}").click()
    expect(office.get_by_role("status").filter(
        has_text=f"Đã không chấp nhận khắc phục {first}.")).to_be_visible()
    expect(finding(office, first)).to_have_attribute("data-status", "confirmed")

    post.reload()
    rejected = post.locator('.event[data-kind="rejected"]')
    expect(rejected).to_contain_text("Ảnh chưa thấy rõ dấu ngày.")
    expect(rejected).to_contain_text(first)
    expect(finding(post, first).locator(".status-comment")).to_contain_text(
        "Ảnh chưa thấy rõ dấu ngày.")
    for n, code in enumerate(issued.codes):
        report(post, code, f"Đã khắc phục {code}.", [again] if n == 0 else [])
        expect(finding(post, code)).to_have_attribute("data-status", "remediated")

    office.reload()
    for code in issued.codes:
        finding(office, code).get_by_role("button", name=f"Xác minh đã khắc phục {code}").click()
        expect(finding(office, code)).to_have_attribute("data-status", "verified")
    expect(office.locator(".facts .badge-notice_status-closed")).to_have_text(
        "Đã hoàn thành khắc phục")
    expect(office.locator('.event[data-kind="closed"]')).to_be_visible()
    expect(office.locator(".event")).to_have_count(4 + 2 * len(issued.codes))
    screenshot(office, "notice-timeline")
    office.get_by_role("link", name="← Danh sách thông báo").click()
    office.get_by_role("link", name="Đã hoàn thành khắc phục").click()
    closed = office.locator(".paged tbody tr")
    expect(closed).to_have_count(1)
    expect(closed.first.locator(".badge-notice_status-closed")).to_be_visible()

    post.reload()
    expect(post.locator(".facts .badge-notice_status-closed")).to_be_visible()
    expect(post.locator(".report-form")).to_have_count(0)


def test_a_notice_outside_ones_organisation_or_province_is_not_found(
        world: World, issued: Issued, people: Any) -> None:
    post = people(world, "buudien.ct", f"#/post/notices/{issued.theirs}")
    expect(post.get_by_role("heading", name="Không tìm thấy")).to_be_visible()
    hai_phong = people(world, "giamsat.hp", f"#/notices/{issued.ours}")
    expect(hai_phong.get_by_role("heading", name="Không tìm thấy")).to_be_visible()
    hai_phong.goto(f"{world.base_url}/console/#/notices")
    expect(hai_phong.locator(".paged td.empty")).to_have_text("Không có thông báo nào.")
    police = people(world, "congan.ct1", "#/notices")
    expect(police.get_by_role("heading", name="Không có quyền")).to_be_visible()
    police.goto(f"{world.base_url}/console/#/notices/{issued.ours}")
    expect(police.get_by_role("heading", name="Thông báo vi phạm Số")).to_be_visible()


def test_the_notice_pages_fit_a_tablet(world: World, issued: Issued, people: Any) -> None:
    for username, path in (("buudien.ct", f"#/post/notices/{issued.ours}"),
                           ("giamsat.ct", f"#/notices/{issued.ours}"),
                           ("giamsat.ct", "#/notices")):
        page = people(world, username, path, TABLET)
        expect(page.locator("#page h1")).to_be_visible()
        expect(page.locator("#page")).to_have_attribute("aria-busy", "false")
        wider = page.evaluate("() => { const p = document.getElementById('page');"
                              " return p.scrollWidth - p.clientWidth; }")
        assert wider <= 0, (path, wider)
