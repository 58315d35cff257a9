"""The map (#/map) as a page of the console, in Debian's chromium driven by Playwright, against
the service served for real on 127.0.0.1, on SpatiaLite and on PostGIS, over Cần Thơ's real
commune boundaries.

Its world is its own (not the demo's): a scratch database per backend, migrated, seeded from
SEEDS and committed. What the page must show is computed here from SEEDS, not read back from the
API; the risk layer's scores too, by the rules of inspection/risk.py's docstring, for today in
Vietnam. Findings of an inspection not yet approved await review: they are drawn hollow and
never counted as open findings. `KT1_UPDATE_SAMPLES=1` writes docs/samples/console/map.png and
map-risk.png.
"""

from __future__ import annotations

import json
import re
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import requests
from playwright.sync_api import Page, Request, Route, expect
from shapely.geometry import shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from geo import boundaries
from inspection import accounts, errors, reference
from inspection.labels import LABELS
from inspection.models import Commune, Finding, Inspection
from tests import factories
from tests.conftest import BACKENDS
from tests.console.conftest import TABLET, World, menu, open_page, screenshot
from tests.geo.conftest import CAN_THO_FILE
from tests.live_server import served_world

OPEN = ("open", "confirmed", "remediated")
SEVERITY_VI = LABELS["severity"]  # critical, high, medium, low: the order of the legend
STATUS_VI = LABELS["finding_status"]
COMMUNE_PATHS = ".leaflet-overlay-pane path.commune"
MARKERS = ".leaflet-findings-pane path.finding"
PAGE = ".map-page"
CAN_THO_POST = "Bưu điện thành phố Cần Thơ"
SESSION_KEY = "kt1.console.session"

ITEMS = {
    "A1": "Dấu ngày, thời gian chấp nhận không thể hiện trên bưu gửi",
    "A2": "Bưu gửi KT1 không được đóng dấu KT1 và gắn mã vạch",
    "B1": "Sổ giao nhận bưu gửi KT1 ghi thiếu thông tin",
    "B2": "Không bố trí nơi giao nhận bưu gửi KT1 riêng biệt",
    "C1": "Thiếu danh sách người lao động trực tiếp cung cấp dịch vụ",
    "C2": "Nhân viên chưa được thẩm tra tiêu chuẩn chính trị",
    "D1": "Phương tiện vận chuyển không có thiết bị định vị",
    "E1": "Không lưu trữ chứng từ giao nhận đủ thời hạn",
    "G1": "Chưa tập huấn nghiệp vụ bảo vệ bí mật nhà nước",
    "H1": "Không niêm yết giá cước dịch vụ KT1",
}


def _vn(day: int, month: int = 5, hour: int = 10) -> datetime:
    """A moment given in Vietnam's time (UTC+7)."""
    return datetime(2026, month, day, hour - 7, tzinfo=UTC)


@dataclass(frozen=True)
class Seed:
    commune: str
    site: str
    started_at: datetime | None  # None: a site never inspected
    status: str = "approved"
    in_campaign: bool = True
    findings: tuple[tuple[str, str, str], ...] = ()  # (item code, severity, status)
    kind: str = "kt1_provider"
    organization: str = CAN_THO_POST  # it has sent no annual KT1 report
    staff: tuple[str, ...] = ()  # the vetting status of each current KT1 worker

    @property
    def awaiting_review(self) -> bool:
        return self.status != "approved"


HUNG_PHU = "31201"  # the commune the test opens: two open findings, one site never inspected
PHONG_DIEN = "31299"  # a submitted inspection of 10/04 outside the campaign: awaiting review
LONG_MY = "31471"  # inspected, nothing found
CAI_RANG = "31186"  # 26 findings: the panel pages them
_CYCLE = [("high", "open"), ("medium", "confirmed"), ("critical", "open"), ("low", "remediated"),
          ("medium", "open"), ("high", "confirmed"), ("low", "open"), ("medium", "remediated"),
          ("critical", "confirmed")]
_SPREAD = {"31153": 6, "31507": 9, "31420": 4, "31321": 3, "31207": 2, "31633": 1, "31732": 5,
           "31783": 7, CAI_RANG: 8}

SEEDS = [
    Seed(HUNG_PHU, "Bưu cục Hưng Phú", _vn(5), findings=(
        ("A2", "critical", "open"), ("A1", "high", "confirmed"), ("H1", "low", "verified"),
        ("C2", "critical", "dismissed")), staff=("not_vetted", "requested", "vetted")),
    Seed(HUNG_PHU, "Điểm phục vụ KT1 Hưng Phú 2", None),
    Seed(PHONG_DIEN, "Bưu điện văn hoá xã Phong Điền", _vn(10, 4), status="submitted",
         in_campaign=False, findings=(("C2", "medium", "open"),)),
    Seed(LONG_MY, "Bưu cục Long Mỹ", _vn(20, 6)),
    *(Seed(code, f"Bưu cục KT1 số {n + 1}", _vn(6 + n), findings=tuple(
        (item, *_CYCLE[k]) for k, item in enumerate(list(ITEMS)[:count])))
      for n, (code, count) in enumerate(_SPREAD.items())),
    # Cái Răng: more findings than one page of the panel (20).
    *(Seed(CAI_RANG, f"Điểm phục vụ KT1 Cái Răng {n}", _vn(21 + n), findings=tuple(
        (item, *_CYCLE[k]) for k, item in enumerate(list(ITEMS)[:9]))) for n in (1, 2)),
    Seed("31261", "Bưu cục Cờ Đỏ", _vn(18), findings=(("B1", "low", "verified"),)),
    Seed("31633", "Điểm phục vụ KT1 Cù Lao Dung 2", None),
    Seed("31528", "Công ty TNHH Nông sản Kế Sách", None, kind="kt1_user",
         organization="Công ty TNHH Nông sản Kế Sách"),
]


def expected_open(keep: Callable[[Seed, str], bool] = lambda seed, severity: True
                  ) -> dict[str, int]:
    """Open findings of approved inspections per commune code (absent: 0) among the findings
    `keep` keeps."""
    out: Counter[str] = Counter()
    for seed in SEEDS:
        for _item, severity, status in seed.findings:
            if keep(seed, severity) and status in OPEN and not seed.awaiting_review:
                out[seed.commune] += 1
    return dict(out)


def expected_awaiting(keep: Callable[[Seed, str], bool] = lambda seed, severity: True
                      ) -> dict[str, int]:
    """Findings of inspections not yet approved per commune code (absent: 0)."""
    out: Counter[str] = Counter()
    for seed in SEEDS:
        if seed.awaiting_review:
            out[seed.commune] += sum(keep(seed, sev) for _i, sev, _s in seed.findings)
    return {code: n for code, n in out.items() if n}


def expected_points(keep: Callable[[Seed, str], bool] = lambda seed, severity: True
                    ) -> Counter[str]:
    """Finding points by severity (every status) among the findings `keep` keeps."""
    return Counter(sev for seed in SEEDS for _i, sev, _s in seed.findings if keep(seed, sev))


# --- Risk, by the rules of inspection/risk.py ---------------------------------------------

RISK_SEVERITY = {"critical": 8, "high": 4, "medium": 2, "low": 1}
NEVER_INSPECTED, NOT_VETTED, UNVETTED, REPORT_OVERDUE = 12, 6, 2, 6


def today_in_vietnam() -> date:
    return (datetime.now(UTC) + timedelta(hours=7)).date()


def site_reasons(seed: Seed, today: date) -> list[tuple[str, int]]:
    """(text, points) of each reason for the seed's site's risk score on `today`."""
    reasons = []
    open_ = Counter(sev for _item, sev, status in seed.findings if status in OPEN)
    if open_ and seed.awaiting_review:
        reasons.append((f"{open_.total()} phát hiện của phiên kiểm tra chưa được duyệt "
                        "(chưa tính điểm)", 0))
    elif open_:
        detail = ", ".join(f"{open_[s]} {SEVERITY_VI[s].lower()}" for s in SEVERITY_VI
                           if open_[s])
        reasons.append((f"{open_.total()} phát hiện chưa khắc phục xong ({detail})",
                        sum(RISK_SEVERITY[s] * n for s, n in open_.items())))
    if seed.started_at is None:
        reasons.append(("Chưa từng được kiểm tra", NEVER_INSPECTED))
    else:  # submitted or approved: both count as inspected
        last = (seed.started_at + timedelta(hours=7)).date()
        days = (today - last).days
        if points := min(NEVER_INSPECTED, max(0, (days - 180) // 30)):
            reasons.append((f"Lần kiểm tra gần nhất ngày {last:%d/%m/%Y} ({days} ngày trước)",
                            points))
    if n := seed.staff.count("not_vetted"):
        reasons.append((f"{n} người lao động KT1 không đạt thẩm tra vẫn đang làm việc",
                        NOT_VETTED * n))
    if n := sum(status in ("not_requested", "requested") for status in seed.staff):
        reasons.append((f"{n} người lao động KT1 chưa được thẩm tra", UNVETTED * n))
    if seed.kind == "kt1_provider":  # the last annual report due (10 December) was never sent
        year = today.year if today > date(today.year, 12, 10) else today.year - 1
        reasons.append((f"Báo cáo năm {year} về dịch vụ KT1 quá hạn "
                        f"{(today - date(year, 12, 10)).days} ngày", REPORT_OVERDUE))
    return reasons


def expected_risk(today: date) -> dict[str, int]:
    """Each commune's risk score (the sum of its sites'), for communes with a site."""
    out: Counter[str] = Counter()
    for seed in SEEDS:
        out[seed.commune] += sum(points for _text, points in site_reasons(seed, today))
    return dict(out)


def expected_sites_at_risk(code: str, today: date) -> list[tuple[Seed, int]]:
    """The commune's sites scoring above zero with their score, highest first (ties: the most
    severe open finding first, then by name)."""
    def worst(seed: Seed) -> int:
        open_ = {sev for _item, sev, status in seed.findings
                 if status in OPEN and not seed.awaiting_review}
        return min((list(SEVERITY_VI).index(s) for s in open_), default=len(SEVERITY_VI))

    scored = [(seed, sum(p for _t, p in site_reasons(seed, today)))
              for seed in SEEDS if seed.commune == code]
    return sorted([(seed, score) for seed, score in scored if score],
                  key=lambda pair: (-pair[1], worst(pair[0]), pair[0].site))


# --- The service, served for real ---------------------------------------------------------

@dataclass
class MapWorld(World):
    names: dict[str, str]  # commune code -> name, as the database holds it
    campaign_id: str
    inspections: dict[str, str]  # site name -> its inspection's id
    supervisor: str
    police: str
    admin: str
    inspector: str

    def revoke(self, token: str) -> None:
        """Ends the session of `token` elsewhere (as another tab's logout would)."""
        self.seed(lambda session: accounts.logout(
            session, accounts.authenticate(session, token)))


@pytest.fixture(scope="module", params=BACKENDS)
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[MapWorld]:
    def seed(session: Session) -> dict[str, Any]:
        factories.bind(session)
        return _seed(session)

    with served_world(request.param, tmp_path_factory, "map", seed) as (served, seeded):
        yield MapWorld(**vars(served), **seeded)


def _seed(session: Any) -> dict[str, Any]:
    can_tho = boundaries.load_geojson(CAN_THO_FILE)
    report = reference.check_boundaries(session, can_tho, province_code="92",
                                        source=CAN_THO_FILE.name)
    reference.import_boundaries(session, province_code="92", features_report=report,
                                source=CAN_THO_FILE.name)
    shapes = {f["properties"]["code"]: shape(f["geometry"]) for f in can_tho["features"]}
    checklist = factories.ChecklistFactory()
    campaign = factories.CampaignFactory(checklist_id=checklist.id,
                                         name="Đợt kiểm tra KT1 quý II năm 2026")
    author = factories.UserFactory(role="inspector")
    inspections = {}
    for n, seed in enumerate(SEEDS):
        # Sites of one commune stand a little apart, all inside it.
        inside = shapes[seed.commune].representative_point()
        lon, lat = inside.x + 0.0004 * (n % 2), inside.y
        assert shapes[seed.commune].contains(shape({"type": "Point", "coordinates": [lon, lat]}))
        site = factories.SiteFactory(
            name=seed.site, kind=seed.kind, organization=seed.organization,
            location=factories.point(lon, lat),
            commune_code=reference.locate_commune(session, lon, lat, province_code="92"))
        assert site.commune_code == seed.commune, seed
        for vetting in seed.staff:
            factories.StaffMemberFactory(site=site, vetting_status=vetting)
        if seed.started_at is None:
            continue
        inspection = Inspection(
            id=uuid.uuid4(), site_id=site.id, checklist_id=checklist.id,
            campaign_id=campaign.id if seed.in_campaign else None, province_code="92",
            commune_code=seed.commune, status=seed.status, started_at=seed.started_at,
            request_hash=f"{n:064d}", created_by=author.id)
        session.add(inspection)
        session.flush()
        inspections[seed.site] = str(inspection.id)
        for item, severity, status in seed.findings:
            session.add(Finding(inspection_id=inspection.id, site_id=site.id, item_code=item,
                                severity=severity, status=status, description=ITEMS[item],
                                province_code="92", commune_code=seed.commune))
    session.flush()
    users = {
        "supervisor": factories.UserFactory(username="giamsat.bando", role="supervisor",
                                            full_name="Phạm Thị Lan"),
        "police": factories.UserFactory(username="congan.bando", role="police", agency="police",
                                        full_name="Lê Hoàng Nam"),
        "admin": factories.UserFactory(username="quantri.bando", role="admin",
                                       province_code=None, full_name="Quản trị hệ thống"),
        "inspector": factories.UserFactory(username="kiemtra.bando", role="inspector",
                                           full_name="Trần Văn Kiên"),
    }
    names = dict(session.execute(select(Commune.code, Commune.name)
                                 .where(Commune.province_code == "92")).all())
    return {"names": names, "campaign_id": str(campaign.id), "inspections": inspections,
            **{role: user.username for role, user in users.items()}}


# --- The browser (the `browser` and `page` fixtures are the console's: 1366x768, failing the
# test on any script error, CSP violation or broken page asset) ------------------------------

def sign_in(page: Page, world: MapWorld, username: str, password: str = factories.PASSWORD,
            path: str = "#/map") -> None:
    """Opens the console at `path` and signs in through its login form."""
    page.goto(f"{world.base_url}/console/{path}")
    expect(page.locator("#login-view")).to_be_visible()
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


def wait_for_map(page: Page) -> None:
    expect(page.locator(PAGE)).to_have_attribute("data-communes", "103")
    expect(page.locator(PAGE)).to_have_attribute("data-state", "ready")


def open_counts(page: Page) -> dict[str, int]:
    """What each drawn commune says about its open findings (the `data-open-findings` set
    from the feature), for every commune with at least one."""
    counts = page.eval_on_selector_all(
        COMMUNE_PATHS, "els => els.map(e => [e.dataset.code, Number(e.dataset.openFindings)])")
    return {code: n for code, n in counts if n}


def expect_open_counts(page: Page, expected: dict[str, int]) -> None:
    page.wait_for_function(
        """([sel, want]) => {
            const got = {};
            for (const e of document.querySelectorAll(sel)) {
                if (Number(e.dataset.openFindings)) got[e.dataset.code] =
                    Number(e.dataset.openFindings);
            }
            const map = document.querySelector(".map-page");
            return map && map.dataset.state === "ready"
                && JSON.stringify(Object.entries(got).sort())
                === JSON.stringify(Object.entries(want).sort());
        }""", arg=[COMMUNE_PATHS, expected], timeout=20_000)


def expect_markers(page: Page, by_severity: Counter[str]) -> None:
    expect(page.locator(MARKERS)).to_have_count(sum(by_severity.values()))
    for severity in SEVERITY_VI:
        expect(page.locator(f"{MARKERS}.finding-{severity}")).to_have_count(
            by_severity[severity])


def commune(page: Page, code: str) -> Any:
    return page.locator(f'{COMMUNE_PATHS}[data-code="{code}"]')


def point_on(page: Page, code: str) -> tuple[float, float]:
    """A screen point where the commune's own path is the topmost element (not a marker, not
    a neighbour): what a user's pointer would hit."""
    point = page.evaluate("""(code) => {
        const path = document.querySelector(`path.commune[data-code="${code}"]`);
        const r = path.getBoundingClientRect();
        const hits = [];
        for (let i = 1; i < 24; i++) for (let j = 1; j < 24; j++) {
            const x = r.left + r.width * i / 24, y = r.top + r.height * j / 24;
            if (document.elementFromPoint(x, y) === path) hits.push([x, y]);
        }
        return hits.length ? hits[Math.floor(hits.length / 2)] : null;
    }""", code)
    assert point is not None, f"commune {code} cannot be pointed at"
    return point[0], point[1]


def legend_classes(page: Page) -> list[tuple[str, str]]:
    """The choropleth legend: (label, swatch colour as rgb()) per class, 0 first."""
    return page.eval_on_selector_all(
        ".legend .legend-classes li",
        "els => els.map(e => [e.textContent.trim(),"
        " getComputedStyle(e.querySelector('.swatch')).backgroundColor])")


def legend_title(page: Page) -> Any:
    return page.locator(".legend h4").first


def drawn_classes(page: Page) -> list[tuple[str, int, int, str]]:
    """(code, risk score, class, fill) of every drawn commune."""
    return page.eval_on_selector_all(COMMUNE_PATHS, """els => els.map(e => [
        e.dataset.code, Number(e.dataset.riskScore || 0),
        Number(e.getAttribute('class').match(/commune-k(\\d)/)[1]), e.getAttribute('fill')])""")


def rgb(colour: str) -> str:
    """`#rrggbb` as getComputedStyle writes it."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def in_class(label: str, n: int) -> bool:
    low, _, high = label.partition("–")
    return int(low) <= n <= int(high or low)


# --- Tests --------------------------------------------------------------------------------

def test_the_old_map_address_leads_to_the_consoles_map_page(world):
    redirect = requests.get(f"{world.base_url}/console/map", allow_redirects=False, timeout=10)
    assert redirect.status_code == 302
    assert redirect.headers["Location"].endswith("/console/#/map")
    page = requests.get(f"{world.base_url}/console/", timeout=10)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "img-src 'self' data:" in csp and "unsafe" not in csp and "http" not in csp
    for asset, kind in (("js/pages/map/index.js", "javascript"),
                        ("js/pages/map/communes.js", "javascript"),
                        ("js/pages/map/style.css", "text/css"),
                        ("console.css", "text/css"),
                        ("vendor/leaflet/leaflet.js", "javascript"),
                        ("vendor/leaflet/leaflet.css", "text/css"),
                        ("vendor/leaflet/images/layers.png", "image/png")):
        resp = requests.get(f"{world.base_url}/console/static/{asset}", timeout=10)
        assert resp.status_code == 200, asset
        assert kind in resp.headers["Content-Type"], (asset, resp.headers["Content-Type"])
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
    for gone in ("map.js", "map.html"):  # the standalone page is no more
        assert requests.get(f"{world.base_url}/console/static/{gone}",
                            timeout=10).status_code == 404
    # No asset from elsewhere: scripts and styles are the page's own.
    assert not re.search(r'(src|href)="(https?:)?//', page.text)


def test_a_supervisor_sees_the_choropleth_the_findings_and_a_communes_panel(world, page):
    communes_asked: list[str] = []
    page.on("request", lambda r: communes_asked.append(r.url)
            if "/api/v1/map/communes" in r.url else None)
    sign_in(page, world, world.supervisor)
    wait_for_map(page)
    expect(page.locator(COMMUNE_PATHS)).to_have_count(103)
    expect(page.locator("#who-name")).to_have_text("Phạm Thị Lan")
    expect(page.locator("#who-role")).to_have_text("Giám sát viên")
    assert "Bản đồ" in menu(page)
    expect(page.locator('#menu a[aria-current="page"]')).to_have_text("Bản đồ")
    assert page.evaluate(f"sessionStorage.getItem('{SESSION_KEY}')")

    # The simplification is asked by zoom, never by tolerance, while the server accepts it.
    assert communes_asked and all(re.search(r"[?&]zoom=\d+(&|$)", u) for u in communes_asked)
    assert not any("tolerance=" in u for u in communes_asked)

    # Every commune carries its open findings; the classes follow the legend, in order.
    expect_open_counts(page, expected_open())
    legend = legend_classes(page)
    assert len(legend) == 6 and legend[0][0] == "0"
    classes = page.eval_on_selector_all(COMMUNE_PATHS, """els => els.map(e => [
        Number(e.dataset.openFindings), Number(e.getAttribute('class').match(/commune-k(\\d)/)[1]),
        e.getAttribute('fill')])""")
    assert {k for _n, k, _f in classes} == set(range(6))  # the seed spans every class
    for n, k, fill in classes:
        label, swatch = legend[k]
        assert in_class(label, n), (n, k, label)
        assert rgb(fill) == swatch
    by_count = sorted({(n, k) for n, k, _fill in classes})
    assert [k for _n, k in by_count] == sorted(k for _n, k in by_count)  # more is darker

    # Communes with a site never inspected have a dashed outline; others do not.
    unvisited = page.eval_on_selector_all(f"{COMMUNE_PATHS}.commune-unvisited",
                                          "els => els.map(e => e.dataset.code)")
    assert sorted(unvisited) == sorted({HUNG_PHU, "31633", "31528"})
    expect(commune(page, HUNG_PHU)).to_have_attribute("stroke-dasharray", "5 4")
    expect(commune(page, LONG_MY)).not_to_have_attribute("stroke-dasharray", re.compile("."))

    # One circle per finding, coloured by severity.
    expect_markers(page, expected_points())
    expect(page.locator("#map-status")).to_contain_text(
        f"{sum(expected_points().values())} phát hiện trong khung nhìn")

    # The tooltip of a commune with findings (the pointer comes from outside the map).
    name = world.names[HUNG_PHU]
    page.mouse.move(640, 20)
    expect(page.locator(".leaflet-tooltip")).to_have_count(0)
    page.mouse.move(*point_on(page, HUNG_PHU))
    tip = page.locator(".leaflet-tooltip.commune-tip")
    expect(tip).to_have_count(1)
    expect(tip).to_contain_text(name)
    expect(tip).to_contain_text("Phát hiện còn mở: 2")
    expect(tip).to_contain_text("Cơ sở chưa được kiểm tra: 1/2")

    # Click: the panel shows its name, counts, inspection and findings, in Vietnamese.
    page.mouse.click(*point_on(page, HUNG_PHU))
    panel = page.locator("#panel")
    expect(page.locator(PAGE)).to_have_attribute("data-panel", HUNG_PHU)
    expect(panel.locator("#panel-title")).to_have_text(name)
    stats = dict(zip(panel.locator(".stat dt").all_inner_texts(),
                     panel.locator(".stat dd").all_inner_texts(), strict=True))
    assert stats == {"Lượt kiểm tra": "1", "Phát hiện": "4", "Phát hiện còn mở": "2",
                     "Phát hiện chờ duyệt": "0", "Cơ sở KT1": "2",
                     "Cơ sở chưa được kiểm tra": "1"}
    expect(panel.locator("#inspections-count")).to_have_text("(1)")
    inspection = panel.locator("#inspections-list li.record")
    expect(inspection).to_have_count(1)
    expect(inspection).to_contain_text("05/05/2026 10:00")
    expect(inspection).to_contain_text("Bưu cục Hưng Phú")
    expect(inspection).to_contain_text("Đã duyệt")
    expect(panel.locator("#findings-count")).to_have_text("(4)")
    findings = panel.locator("#findings-list li.record")
    expect(findings).to_have_count(4)
    seen = {(f.get_attribute("data-severity"), f.get_attribute("data-status")): f.inner_text()
            for f in findings.all()}
    for item, severity, status in SEEDS[0].findings:
        text = seen[(severity, status)]
        assert SEVERITY_VI[severity] in text and STATUS_VI[status] in text, text
        assert f"Mục {item}" in text and ITEMS[item] in text and "Bưu cục Hưng Phú" in text
        assert "kiểm tra 05/05/2026 10:00" in text
    expect(panel.locator('#findings-list li[data-awaiting-review="false"]')).to_have_count(4)
    assert "{" not in panel.inner_text()  # no raw JSON

    page.mouse.move(640, 30)  # off the map: no tooltip in the picture
    expect(page.locator(".leaflet-tooltip")).to_have_count(0)
    screenshot(page, "map")

    # Severity filter: both layers and the open panel follow it.
    page.get_by_label("Mức độ").select_option(label=SEVERITY_VI["critical"])
    critical = lambda seed, severity: severity == "critical"  # noqa: E731
    expect_open_counts(page, expected_open(critical))
    expect_markers(page, expected_points(critical))
    expect(commune(page, PHONG_DIEN)).to_have_class(re.compile(r"\bcommune-k0\b"))
    expect(page.locator(PAGE)).to_have_attribute("data-panel", HUNG_PHU)
    expect(panel.locator("#findings-count")).to_have_text("(2)")
    expect(findings).to_have_count(2)
    for f in findings.all():
        assert f.get_attribute("data-severity") == "critical"
        assert SEVERITY_VI["critical"] in f.inner_text()
    expect(panel.locator(".stat-alert dd")).to_have_text("1")


def test_the_period_and_campaign_filters_apply_to_both_layers(world, page):
    sign_in(page, world, world.supervisor)
    wait_for_map(page)
    # First, a commune with more findings than a page: the panel fetches the rest on demand.
    page.mouse.click(*point_on(page, CAI_RANG))
    expect(page.locator(PAGE)).to_have_attribute("data-panel", CAI_RANG)
    findings = page.locator("#findings-list li.record")
    expect(page.locator("#findings-count")).to_have_text("(26)")
    expect(findings).to_have_count(20)
    expect(page.locator("#inspections-list li.record")).to_have_count(3)
    page.get_by_role("button", name="Xem thêm (còn 6)").click()
    expect(findings).to_have_count(26)
    expect(page.locator("#findings-more")).to_be_hidden()
    assert len({f.get_attribute("data-id") for f in findings.all()}) == 26
    page.get_by_role("button", name="Đóng").click()
    expect(page.locator("#panel")).to_be_hidden()

    # "Đến ngày" includes its day: the inspection of 10/04 at 10:00 is in [01/04, 10/04].
    page.get_by_label("Từ ngày").fill("2026-04-01")
    page.get_by_label("Đến ngày").fill("2026-04-10")
    april = lambda seed, severity: seed.started_at is not None and \
        seed.started_at < _vn(11, 4)  # noqa: E731
    expect_open_counts(page, expected_open(april))
    expect_markers(page, expected_points(april))
    # ...but it was only submitted: its finding awaits review, hollow, not an open finding.
    assert open_counts(page) == {}
    expect(commune(page, PHONG_DIEN)).to_have_attribute("data-awaiting-review", "1")
    expect(page.locator(f"{MARKERS}.finding-awaiting")).to_have_count(1)
    # A site inspected outside the period counts as not inspected in it.
    expect(commune(page, LONG_MY)).to_have_class(re.compile(r"\bcommune-unvisited\b"))

    page.get_by_label("Đến ngày").fill("2026-03-31")
    expect(page.locator("#filter-error")).to_have_text(
        "“Từ ngày” phải trước hoặc trùng “Đến ngày”.")
    page.get_by_role("button", name="Xoá bộ lọc").click()
    expect(page.locator("#filter-error")).to_be_hidden()
    expect_open_counts(page, expected_open())

    campaign = page.get_by_label("Đợt kiểm tra")
    expect(campaign.locator("option")).to_have_count(2)
    campaign.select_option(value=world.campaign_id)
    expect(campaign.locator("option:checked")).to_contain_text(
        "Đợt kiểm tra KT1 quý II năm 2026 (01/03/2026 – 30/06/2026)")
    in_campaign = lambda seed, severity: seed.in_campaign  # noqa: E731
    expect_open_counts(page, expected_open(in_campaign))
    expect_markers(page, expected_points(in_campaign))
    expect(commune(page, PHONG_DIEN)).to_have_class(re.compile(r"\bcommune-unvisited\b"))


def test_a_supervisor_colours_the_map_by_risk_and_reads_a_communes_sites_at_risk(world, page):
    today = today_in_vietnam()
    risk = expected_risk(today)
    risk_asked: list[str] = []
    page.on("request", lambda r: risk_asked.append(r.url) if "/risk?" in r.url else None)
    sign_in(page, world, world.supervisor)
    wait_for_map(page)
    layer = page.get_by_label("Tô màu theo")
    expect(layer).to_be_visible()
    expect(layer).to_have_value("open")
    expect(legend_title(page)).to_have_text("Phát hiện còn mở mỗi xã, phường")
    assert risk_asked == []  # read only when the layer is switched on

    layer.select_option(label="Mức độ rủi ro")
    body = page.locator(PAGE)
    expect(body).to_have_attribute("data-layer", "risk")
    expect(body).to_have_attribute("data-state", "ready")
    expect(legend_title(page)).to_have_text("Điểm rủi ro mỗi xã, phường")
    expect(page.locator(".legend-note")).to_have_text(
        f"Tổng điểm các cơ sở, tính đến ngày {today:%d/%m/%Y} (không theo bộ lọc)")
    assert any(re.search(r"/map/risk\?.*zoom=\d+", u) for u in risk_asked)
    assert any(re.search(r"/planning/risk\?.*limit=5000", u) for u in risk_asked)

    # Every commune with a site is coloured by the sum of its sites' scores; the others are
    # neutral. The page agrees with this count.
    drawn = drawn_classes(page)
    assert {code: score for code, score, _k, _f in drawn if score} == risk
    coloured = [code for code, _s, k, _f in drawn if k]
    assert sorted(coloured) == sorted(risk) and len(coloured) == len({s.commune for s in SEEDS})

    # The classes follow the risk legend (yellow to red), more is darker, the riskiest
    # commune is in the top class and Hưng Phú in the class whose range holds its score.
    legend = legend_classes(page)
    assert len(legend) == 6 and legend[0] == ["0", rgb("#f4f3ee")]
    assert [swatch for _l, swatch in legend[1:]] == [
        rgb(c) for c in ("#fed976", "#feb24c", "#fd8d3c", "#e31a1c", "#a50026")]
    for code, score, k, fill in drawn:
        assert in_class(legend[k][0], score), (code, score, k, legend[k])
        assert rgb(fill) == legend[k][1]
    by_score = sorted({(score, k) for _c, score, k, _f in drawn})
    assert [k for _s, k in by_score] == sorted(k for _s, k in by_score)
    expect(commune(page, max(risk, key=risk.__getitem__))).to_have_class(
        re.compile(r"\bcommune-k5\b"))
    expect(commune(page, min(risk, key=risk.__getitem__))).to_have_class(
        re.compile(r"\bcommune-k1\b"))
    hung_phu = next(k for k, (label, _swatch) in enumerate(legend)
                    if in_class(label, risk[HUNG_PHU]))
    expect(commune(page, HUNG_PHU)).to_have_class(re.compile(rf"\bcommune-k{hung_phu}\b"))
    expect(page.locator("#map-status")).to_contain_text(
        f"103 xã, phường · {len(risk)} có điểm rủi ro")

    # The finding points stay; the tooltip tells the score.
    expect_markers(page, expected_points())
    page.mouse.move(640, 20)
    expect(page.locator(".leaflet-tooltip")).to_have_count(0)
    page.mouse.move(*point_on(page, HUNG_PHU))
    tip = page.locator(".leaflet-tooltip.commune-tip")
    expect(tip).to_contain_text(f"Điểm rủi ro: {risk[HUNG_PHU]}")
    expect(tip).to_contain_text("Cơ sở có điểm rủi ro: 2/2")

    # Click: the panel lists the commune's sites at risk, in rank order, with their reasons,
    # and still its inspections and findings.
    page.mouse.click(*point_on(page, HUNG_PHU))
    panel = page.locator("#panel")
    expect(body).to_have_attribute("data-panel", HUNG_PHU)
    stats = dict(zip(panel.locator(".stat dt").all_inner_texts(),
                     panel.locator(".stat dd").all_inner_texts(), strict=True))
    assert stats["Điểm rủi ro"] == str(risk[HUNG_PHU]) and stats["Phát hiện còn mở"] == "2"
    section = panel.locator("#risk-section")
    expect(section.locator("h3")).to_have_text("Cơ sở có rủi ro cao (2)")
    expect(section.locator("#risk-note")).to_contain_text(
        f"Tổng điểm rủi ro của xã, phường: {risk[HUNG_PHU]}")
    sites = section.locator("li.risk-site")
    want = expected_sites_at_risk(HUNG_PHU, today)
    expect(sites).to_have_count(len(want))
    ranks = []
    for item, (seed, score) in zip(sites.all(), want, strict=True):
        expect(item.locator(".risk-name")).to_have_text(seed.site)
        expect(item.locator(".risk-score")).to_have_text(f"{score} điểm")
        reasons = [(r.locator(".reason-text").inner_text(),
                    r.locator(".reason-points").inner_text())
                   for r in item.locator("li.reason").all()]
        assert sorted(reasons) == sorted((t, f"+{p}") for t, p in site_reasons(seed, today))
        ranks.append(int(item.get_attribute("data-rank")))
    assert ranks == sorted(ranks)
    assert "Chưa từng được kiểm tra" in sites.nth(1).inner_text()
    expect(panel.locator("#inspections-list li.record")).to_have_count(1)
    expect(panel.locator("#findings-count")).to_have_text("(4)")
    assert "{" not in panel.inner_text()

    page.mouse.move(640, 30)
    expect(page.locator(".leaflet-tooltip")).to_have_count(0)
    screenshot(page, "map-risk")

    # The risk takes no filters: the points and lists follow them, the colours do not; and
    # clearing the filters keeps the layer.
    page.get_by_label("Mức độ").select_option(label=SEVERITY_VI["critical"])
    expect_markers(page, expected_points(lambda seed, severity: severity == "critical"))
    expect(panel.locator("#findings-count")).to_have_text("(2)")
    assert sorted(drawn_classes(page)) == sorted(drawn)
    page.get_by_role("button", name="Xoá bộ lọc").click()
    expect_markers(page, expected_points())
    expect(layer).to_have_value("risk")
    expect(body).to_have_attribute("data-layer", "risk")

    # Back to open findings: that legend, those classes, no risk section.
    layer.select_option(label="Phát hiện còn mở")
    expect(body).to_have_attribute("data-layer", "open")
    expect(legend_title(page)).to_have_text("Phát hiện còn mở mỗi xã, phường")
    expect(page.locator(".legend-note")).to_have_count(0)
    expect_open_counts(page, expected_open())
    expect(commune(page, LONG_MY)).to_have_class(re.compile(r"\bcommune-k0\b"))
    expect(section).to_be_hidden()
    expect(panel.locator(".stat dt")).to_have_count(6)


def test_the_risk_switch_goes_away_when_the_server_refuses_the_layer(world, page):
    page.route(re.compile(r".*/api/v1/map/risk\?.*"), lambda route: route.fulfill(
        status=403, content_type="application/problem+json", body=json.dumps({
            "type": "urn:kt1:problem:forbidden", "title": "Không có quyền thực hiện",
            "status": 403})))
    sign_in(page, world, world.supervisor)
    wait_for_map(page)
    page.get_by_label("Tô màu theo").select_option(label="Mức độ rủi ro")
    expect(page.locator("#layer-field")).to_be_hidden()
    expect(page.locator(PAGE)).to_have_attribute("data-layer", "open")
    expect(page.locator(PAGE)).to_have_attribute("data-state", "ready")
    expect(legend_title(page)).to_have_text("Phát hiện còn mở mỗi xã, phường")
    expect_open_counts(page, expected_open())


def test_an_inspector_sees_the_map_without_the_risk_option(world, page):
    risk_asked: list[str] = []
    page.on("request", lambda r: risk_asked.append(r.url) if "/risk?" in r.url else None)
    sign_in(page, world, world.inspector)
    wait_for_map(page)
    expect(page.locator("#who-role")).to_have_text("Cán bộ kiểm tra")
    expect(page.locator(COMMUNE_PATHS)).to_have_count(103)
    expect(page.locator("#layer-field")).to_be_hidden()
    expect(page.get_by_label("Mức độ")).to_be_visible()
    expect(legend_title(page)).to_have_text("Phát hiện còn mở mỗi xã, phường")
    assert risk_asked == []  # which the server would refuse (tests/api/test_planning_api.py)


def test_a_wrong_password_shows_the_error_and_no_map(world, page):
    sign_in(page, world, world.supervisor, password="khong-dung")
    expect(page.locator("#login-error")).to_have_text("Tên đăng nhập hoặc mật khẩu không đúng.")
    expect(page.locator("#login-error")).to_be_visible()
    expect(page.locator("#shell")).to_be_hidden()
    expect(page.locator(".leaflet-container")).to_have_count(0)
    assert page.evaluate(f"sessionStorage.getItem('{SESSION_KEY}')") is None


def test_a_police_officer_is_told_the_map_is_not_for_their_role(world, page):
    sign_in(page, world, world.police)
    expect(page.locator("#shell")).to_be_visible()
    denied = page.get_by_role("alert")
    expect(denied.get_by_role("heading")).to_have_text("Không có quyền")
    expect(denied).to_contain_text("Trang “Bản đồ giám sát” không dành cho vai trò của bạn.")
    assert "Bản đồ" not in menu(page)
    expect(page.locator(".leaflet-container")).to_have_count(0)
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.locator("#login-view")).to_be_visible()


def test_a_national_admin_picks_the_province_can_tho_first(world, page):
    sign_in(page, world, world.admin)
    wait_for_map(page)
    province = page.get_by_label("Tỉnh, thành phố")
    expect(province).to_be_visible()
    expect(province).to_have_value("92")
    expect(province.locator("option")).to_have_count(34)
    expect(page.locator(COMMUNE_PATHS)).to_have_count(103)
    expect_markers(page, expected_points())


def session_token(page: Page) -> str:
    kept = page.evaluate(f"sessionStorage.getItem('{SESSION_KEY}')")
    assert kept
    return str(json.loads(kept)["token"])


def token_works(world: MapWorld, token: str) -> bool:
    def check(session: Any) -> bool:
        try:
            accounts.authenticate(session, token)
        except errors.Unauthenticated:
            return False
        return True
    return bool(world.seed(check))


def test_the_session_survives_a_reload_and_ends_with_logout_or_revocation(world, page):
    sign_in(page, world, world.supervisor)
    wait_for_map(page)
    page.reload()  # the session is kept in sessionStorage: no second login
    wait_for_map(page)
    expect(page.locator("#login-view")).to_be_hidden()
    token = session_token(page)
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.locator("#login-view")).to_be_visible()
    expect(page.locator("#shell")).to_be_hidden()
    assert page.evaluate(f"sessionStorage.getItem('{SESSION_KEY}')") is None
    assert not token_works(world, token)

    # Signed in again on the same page, the map is opened from the menu and drawn anew.
    page.get_by_label("Tên đăng nhập").fill(world.supervisor)
    page.get_by_label("Mật khẩu").fill(factories.PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.locator("#menu").get_by_role("link", name="Bản đồ").click()
    expect(page).to_have_url(re.compile(r"#/map$"))
    wait_for_map(page)
    expect(page.locator(COMMUNE_PATHS)).to_have_count(103)
    expect_markers(page, expected_points())

    # The token is revoked elsewhere: the next call returns to the form, saying why.
    world.revoke(session_token(page))
    page.get_by_label("Mức độ").select_option(label=SEVERITY_VI["low"])
    expect(page.locator("#login-view")).to_be_visible()
    expect(page.locator("#login-error")).to_contain_text("Phiên đăng nhập đã hết hạn")
    expect(page.locator("#shell")).to_be_hidden()
    assert page.evaluate(f"sessionStorage.getItem('{SESSION_KEY}')") is None


def test_the_page_falls_back_to_tolerance_when_the_server_refuses_zoom(world, page):
    asked: list[str] = []

    def refuse_zoom(route: Route, request: Request) -> None:
        asked.append(request.url)
        if "zoom=" in request.url:
            route.fulfill(status=422, content_type="application/problem+json", body=json.dumps({
                "type": "urn:kt1:problem:validation-failed", "title": "Dữ liệu không hợp lệ",
                "status": 422, "errors": {"zoom": ["Trường không được hỗ trợ."]}}))
        else:
            route.continue_()

    page.route(re.compile(r".*/api/v1/map/communes\?.*"), refuse_zoom)
    sign_in(page, world, world.supervisor)
    wait_for_map(page)
    expect(page.locator(COMMUNE_PATHS)).to_have_count(103)
    expect_open_counts(page, expected_open())
    assert "zoom=" in asked[0]
    assert any("tolerance=0.0005" in u and "zoom=" not in u for u in asked)
    settled = len(asked)
    page.locator(".leaflet-control-zoom-in").click()
    expect(page.locator(PAGE)).to_have_attribute("data-state", "ready")
    page.wait_for_timeout(300)
    assert len(asked) == settled  # with tolerance, zooming needs no new geometry


def test_a_submitted_inspections_findings_await_review_and_are_not_counted_as_open(world, page):
    sign_in(page, world, world.supervisor)
    wait_for_map(page)
    expect_open_counts(page, expected_open())
    assert PHONG_DIEN not in expected_open() and expected_awaiting() == {PHONG_DIEN: 1}
    awaiting = page.eval_on_selector_all(
        COMMUNE_PATHS, "els => els.filter(e => Number(e.dataset.awaitingReview))"
                       ".map(e => [e.dataset.code, Number(e.dataset.awaitingReview)])")
    assert dict(awaiting) == expected_awaiting()
    expect(commune(page, PHONG_DIEN)).to_have_class(re.compile(r"\bcommune-k0\b"))
    # Its point is drawn hollow; every other is filled.
    expect(page.locator(f"{MARKERS}.finding-awaiting")).to_have_count(1)
    expect(page.locator(f"{MARKERS}.finding-awaiting.finding-medium")).to_have_attribute(
        "fill", "#ffffff")
    expect(page.locator("#map-status")).to_contain_text("(1 chờ duyệt)")

    page.mouse.move(640, 20)
    expect(page.locator(".leaflet-tooltip")).to_have_count(0)
    page.mouse.move(*point_on(page, PHONG_DIEN))
    tip = page.locator(".leaflet-tooltip.commune-tip")
    expect(tip).to_contain_text("Phát hiện còn mở: 0")
    expect(tip).to_contain_text("Phát hiện chờ duyệt: 1")

    page.mouse.click(*point_on(page, PHONG_DIEN))
    panel = page.locator("#panel")
    expect(page.locator(PAGE)).to_have_attribute("data-panel", PHONG_DIEN)
    stats = dict(zip(panel.locator(".stat dt").all_inner_texts(),
                     panel.locator(".stat dd").all_inner_texts(), strict=True))
    assert stats["Phát hiện"] == "1" and stats["Phát hiện còn mở"] == "0"
    assert stats["Phát hiện chờ duyệt"] == "1"
    finding = panel.locator("#findings-list li.record")
    expect(finding).to_have_count(1)
    expect(finding).to_have_attribute("data-awaiting-review", "true")
    expect(finding.locator(".badge-inspection_status-submitted")).to_have_text(
        LABELS["inspection_status"]["submitted"])
    expect(panel.locator("#inspections-list li.record")).to_contain_text(
        LABELS["inspection_status"]["submitted"])


def test_an_inspection_or_a_finding_in_the_panel_opens_the_inspections_page(world, page):
    sign_in(page, world, world.supervisor)
    wait_for_map(page)
    page.mouse.click(*point_on(page, HUNG_PHU))
    expect(page.locator(PAGE)).to_have_attribute("data-panel", HUNG_PHU)
    inspection_id = world.inspections["Bưu cục Hưng Phú"]
    page.locator("#inspections-list li.record a").click()
    expect(page).to_have_url(re.compile(rf"#/inspections/{inspection_id}$"))
    expect(page.locator(".leaflet-container")).to_have_count(0)  # the map page was left

    page.go_back()
    wait_for_map(page)
    page.mouse.click(*point_on(page, HUNG_PHU))
    expect(page.locator(PAGE)).to_have_attribute("data-panel", HUNG_PHU)
    page.locator("#findings-list li.record a").first.click()
    expect(page).to_have_url(re.compile(rf"#/inspections/{inspection_id}$"))


def test_on_a_tablet_the_map_and_the_panel_share_the_screen(world, browser):
    page, broken, close = open_page(browser, TABLET)
    try:
        sign_in(page, world, world.supervisor)
        wait_for_map(page)
        page.mouse.click(*point_on(page, HUNG_PHU))
        expect(page.locator(PAGE)).to_have_attribute("data-panel", HUNG_PHU)
        panel = page.locator("#panel").bounding_box()
        mapped = page.locator("#map").bounding_box()
        assert panel and mapped
        assert panel["x"] + panel["width"] <= TABLET["width"] + 1
        assert mapped["width"] >= 400 and mapped["y"] + mapped["height"] <= TABLET["height"] + 1
        for name in ("Từ ngày", "Đến ngày", "Mức độ", "Trạng thái phát hiện", "Đợt kiểm tra",
                     "Tô màu theo"):
            expect(page.get_by_label(name)).to_be_visible()
        # The filter bar stays one line high: the map keeps the height.
        bar = page.locator("#filters").bounding_box()
        assert bar and bar["height"] < 80
        page.mouse.move(640, 20)
        expect(page.locator(".leaflet-tooltip")).to_have_count(0)
        screenshot(page, "map-tablet")
    finally:
        close()
    assert broken == []
