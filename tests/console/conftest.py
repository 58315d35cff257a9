"""The console (/console/) in Debian's chromium, driven by Playwright, against the service
served for real on 127.0.0.1, on SpatiaLite and on PostGIS.

`world` is a scratch database per module and backend, migrated and seeded with the demo world
(`kt1 seed demo`: Cần Thơ's supervisor, inspectors, police, post office, admin; sites, a
campaign with assignments, inspections, a staff roster, provision reports), committed, and
served. A module adds what its story needs in `world.seed(fn)` before its browser steps;
after that a test works only through the pages, as the user would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from inspection import demo
from tests.browser import chromium, watch
from tests.conftest import BACKENDS
from tests.live_server import ServedWorld, served_world

PASSWORD = demo.DEMO_PASSWORD
VIEWPORT = {"width": 1366, "height": 768}
TABLET = {"width": 1280, "height": 800}
SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples" / "console"

expect.set_options(timeout=20_000)


World = ServedWorld


@pytest.fixture(scope="module", params=BACKENDS)
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[World]:
    with served_world(request.param, tmp_path_factory, "console", demo.seed_demo) as (served, _):
        yield served


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def open_page(browser: Browser, viewport: dict[str, int] = VIEWPORT
              ) -> tuple[Page, list[str], Callable[[], None]]:
    """A fresh browser profile in a time zone other than Vietnam's (dates must still read in
    Vietnam's time): (page, what broke, close). Any script error, CSP violation or failed page
    asset (anything but an API answer) is recorded in what broke."""
    context = browser.new_context(viewport=viewport, locale="vi-VN", timezone_id="Europe/Paris",
                                  accept_downloads=True)
    page = context.new_page()
    broken = watch(page, every_console_error=False)
    return page, broken, context.close


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page at 1366x768; the test fails if anything broke."""
    opened, broken, close = open_page(browser)
    yield opened
    close()
    assert broken == []


def sign_in(page: Page, world: World, username: str, path: str = "") -> None:
    """Opens the console (at `path`, e.g. "#/review") and signs in as `username`."""
    page.goto(f"{world.base_url}/console/{path}")
    expect(page.locator("#login-view")).to_be_visible()
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator("#shell")).to_be_visible()


def menu(page: Page) -> list[str]:
    """The menu entries the signed-in user sees, in order."""
    return page.locator("#menu a").all_inner_texts()


def screenshot(page: Page, name: str) -> None:
    """docs/samples/console/<name>.png, when KT1_UPDATE_SAMPLES=1."""
    import os

    if os.environ.get("KT1_UPDATE_SAMPLES") == "1":
        SAMPLES.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SAMPLES / f"{name}.png"), full_page=False)
