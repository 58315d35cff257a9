"""The field app (/app/) as a joint team uses it: two tablets (two browser profiles) of one
demo team on the service served for real, with the demo world, on SpatiaLite and on PostGIS.

`world` is a scratch database per module and backend, migrated and seeded with the demo world
(`kt1 seed demo`), committed and served; a module adds what its story needs through
`world.seed(fn)` (or the API, as the supervisor would) before its browser steps; after that a
test works only through the pages, and checks outcomes in the database.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select

from inspection import demo
from inspection.models import Assignment, Inspection, Site, User
from inspection.notices import VIETNAM
from tests.browser import chromium, watch
from tests.conftest import BACKENDS
from tests.field.checklist import synced
from tests.live_server import ServedWorld, served_world

PASSWORD = demo.DEMO_PASSWORD
TABLET: Any = {"width": 1280, "height": 800}
SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples" / "field"
INSPECTOR, POLICE, SUPERVISOR = "kiemtra.ct1", "congan.ct1", "giamsat.ct"

expect.set_options(timeout=20_000)


@dataclass
class World(ServedWorld):
    sites: dict[str, Any]
    """The team's sites by state: `draft`, `submitted`, `approved` (the demo's inspections of
    the team kiemtra.ct1 + congan.ct1) and `fresh` (assigned to the team, never started), each
    {name, id, location}."""


def _team_sites(session: Any) -> dict[str, Any]:
    inspector = session.scalar(select(User).where(User.username == INSPECTOR))
    assigned = [a for a in session.scalars(select(Assignment).order_by(Assignment.due_on))
                if inspector in a.team]
    sites: dict[str, Any] = {"fresh": []}
    for a in assigned:
        site = session.get(Site, a.site_id)
        row = {"name": site.name, "id": str(site.id), "campaign_id": str(a.campaign_id),
               "location": demo_point(site)}
        visit = session.scalar(select(Inspection).where(Inspection.site_id == site.id,
                                                        Inspection.campaign_id == a.campaign_id))
        if visit is None:
            sites["fresh"].append(row)
        else:
            sites[visit.status] = {**row, "inspection_id": str(visit.id)}
    # The demo's assignments fall due in the coming weeks: the last one not yet started is
    # made three days overdue, for the home screen's mark.
    late = next(a for a in reversed(assigned) if str(a.site_id) == sites["fresh"][-1]["id"])
    late.due_on = datetime.now(VIETNAM).date() - timedelta(days=3)
    sites["overdue"] = sites["fresh"][-1]
    return sites


def demo_point(site: Site) -> dict[str, float]:
    from geo.points import lon_lat

    point = lon_lat(site.location)
    assert point is not None
    return {"longitude": point[0] + 0.0003, "latitude": point[1] + 0.0002, "accuracy": 12}


@pytest.fixture(scope="module", params=BACKENDS)
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[World]:
    def seed(session: Any) -> dict[str, Any]:
        demo.seed_demo(session)
        return _team_sites(session)

    with served_world(request.param, tmp_path_factory, "team", seed) as (served, sites):
        yield World(served.backend, served.base_url, served.engine, served.root, sites)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@dataclass
class Tablet:
    context: BrowserContext
    page: Page
    broken: list[str]


def new_tablet(browser: Browser, location: dict[str, float]) -> Tablet:
    """A fresh browser profile (a tablet of its own) at `location`; script errors, console
    errors and failed app assets are collected in `broken`."""
    context = browser.new_context(viewport=TABLET, locale="vi-VN",
                                  timezone_id="Asia/Ho_Chi_Minh", geolocation=location,
                                  permissions=["geolocation"], service_workers="allow")
    page = context.new_page()
    broken = watch(page)
    return Tablet(context, page, broken)


@pytest.fixture
def tablets(browser: Browser, world: World) -> Iterator[Callable[[], Tablet]]:
    """Makes tablets for the test (at the first fresh site); each must end unbroken."""
    made: list[Tablet] = []

    def make() -> Tablet:
        made.append(new_tablet(browser, world.sites["fresh"][0]["location"]))
        return made[-1]

    yield make
    for t in made:
        t.context.close()
    assert [t.broken for t in made] == [[] for _ in made]


def log_in(page: Page, world: World, username: str) -> None:
    page.goto(f"{world.base_url}/app/")
    expect(page.locator("#login-view")).to_be_visible()
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator("#home-view")).to_be_visible()
    expect(page.locator("li.assignment").first).to_be_visible()


def sync_now(page: Page) -> None:
    """Press "Đồng bộ" and wait for the run it starts to end."""
    with page.expect_response(lambda r: "/api/v1/sync/package" in r.url):
        page.get_by_role("button", name="Đồng bộ").click()
    synced(page)


def screenshot(page: Page, name: str) -> None:
    """docs/samples/field/<name>.png, when KT1_UPDATE_SAMPLES=1."""
    if os.environ.get("KT1_UPDATE_SAMPLES") == "1":
        SAMPLES.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SAMPLES / f"{name}.png"), full_page=False)
