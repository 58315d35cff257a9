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
from sqlalchemy import Engine, select

from inspection import demo
from inspection.db import make_session_factory
from inspection.models import Assignment, Inspection, Site, User
from inspection.notices import VIETNAM
from tests.browser import chromium, watch
from tests.conftest import BACKENDS
from tests.live_server import scratch_database, served_settings, serving

PASSWORD = demo.DEMO_PASSWORD
TABLET: Any = {"width": 1280, "height": 800}
SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples" / "field"
INSPECTOR, POLICE, SUPERVISOR = "kiemtra.ct1", "congan.ct1", "giamsat.ct"

expect.set_options(timeout=20_000)


@dataclass
class World:
    backend: str
    base_url: str
    engine: Engine
    root: Path
    sites: dict[str, Any]
    """The team's sites by state: `draft`, `submitted`, `approved` (the demo's inspections of
    the team kiemtra.ct1 + congan.ct1) and `fresh` (assigned to the team, never started), each
    {name, id, location}."""

    def seed(self, fn: Callable[[Any], Any]) -> Any:
        """Runs `fn(session)` and commits: the fixtures' own additions to the demo world."""
        with make_session_factory(self.engine)() as session:
            out = fn(session)
            session.commit()
            return out

    def read(self, fn: Callable[[Any], Any]) -> Any:
        """Runs `fn(session)` on a fresh session (what the server holds now)."""
        with make_session_factory(self.engine)() as session:
            return fn(session)


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
    root = tmp_path_factory.mktemp(f"team-{request.param}")
    with scratch_database(request.param, root, "team") as (url, engine):
        with make_session_factory(engine)() as session:
            demo.seed_demo(session)
            session.commit()
            sites = _team_sites(session)
            session.commit()
        with serving(served_settings(root, url)) as base_url:
            yield World(backend=request.param, base_url=base_url, engine=engine, root=root,
                        sites=sites)


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


SENT_ALL = """async () => {
    const db = await idb.openDB("kt1-field");
    try {
        const queued = await db.count("outbox");
        const answers = await db.getAll("answers");
        const inspections = await db.getAll("inspections");
        const photos = await db.getAll("photos");
        const clashing = new Set(await db.getAllKeys("conflicts")); // kept until resolved
        return queued === 0 && answers.every((a) => clashing.has(a.key)
                                             || (a.version !== null && a.version !== undefined))
            && inspections.every((i) => i.on_server) && photos.every((p) => p.done || p.refused);
    } finally {
        db.close();
    }
}"""


def synced(page: Page, timeout: float = 30_000) -> None:
    """Everything the tablet holds is on the server (nothing queued, every answer but those
    in conflict and every inspection has its server version, every photo sent) and no sync
    is running: checked in
    the tablet's IndexedDB, since the bar's counts may not have caught up with a change made
    a moment ago."""
    page.wait_for_function(SENT_ALL, polling=200, timeout=timeout)
    body = page.locator("body")
    expect(body).to_have_attribute("data-waiting-mutations", "0", timeout=timeout)
    expect(body).to_have_attribute("data-waiting-photos", "0", timeout=timeout)
    expect(body).to_have_attribute("data-sync", "idle", timeout=timeout)


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
