"""The KT1 roster in figures for checklist section C: `GET /sites/{id}/staff-figures` and the
same figures in the tablet's offline package. Counts only, never a name, for anyone who may
read the site; computed here from the workers laid out by hand."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from inspection import staff
from inspection.models import AuditEntry
from tests import factories
from tests.api.test_staff_api import VIETTEL, VNPOST, problem
from tests.api.test_sync_package_api import World as PackageWorld

API = "/api/v1"


@dataclass(frozen=True)
class Worker:
    site: str
    status: str
    committed: bool
    trained_ago: int | None  # days before today, None: never trained
    joined_ago: int  # negative: joins in the future
    left_ago: int | None = None


WORKERS = [
    Worker("site", "vetted", True, 100, 400),
    Worker("site", "vetted", True, 20, 300),
    Worker("site", "requested", False, None, 30),
    Worker("site", "not_vetted", True, 200, 500),
    Worker("site", "not_requested", False, None, 10),
    Worker("site", "vetted", True, 5, 900, left_ago=1),  # left yesterday
    Worker("site", "vetted", True, 2, 900, left_ago=0),  # left today
    Worker("site", "not_requested", False, None, -20),  # selected, starts in 20 days
    Worker("branch", "vetted", False, 50, 800),
    Worker("branch", "requested", True, 3, 60),
    Worker("viettel", "vetted", True, 1, 100),  # another organisation
    Worker("hai_phong", "vetted", True, 1, 100),  # the same organisation, another province
]


def expected(workers: list[Worker], on: date) -> dict:  # type: ignore[type-arg]
    """The figures as the checklist reads them, counted one worker at a time."""
    current = [w for w in workers if on - timedelta(days=w.joined_ago) <= on
               and (w.left_ago is None or on - timedelta(days=w.left_ago) > on)]
    trained = [on - timedelta(days=w.trained_ago) for w in current if w.trained_ago is not None]
    return {
        "involved": len(current),
        "vetted": len([w for w in current if w.status == "vetted"]),
        "vetting_pending": len([w for w in current if w.status == "requested"]),
        "not_vetted": len([w for w in current if w.status == "not_vetted"]),
        "not_requested": len([w for w in current if w.status == "not_requested"]),
        "secrecy_commitments": len([w for w in current if w.committed]),
        "trained": len(trained),
        "last_trained_on": max(trained).isoformat() if trained else None,
    }


class Figures:
    def __init__(self, api, client, session) -> None:  # type: ignore[no-untyped-def]
        self.api, self.client, self.session = api, client, session
        self.today = staff.today()
        site = factories.SiteFactory
        self.sites = {
            "site": site(name="Bưu cục Ninh Kiều", organization=VNPOST),
            "branch": site(name="Bưu cục Cái Răng", organization=VNPOST),
            "viettel": site(name="Bưu cục Viettel", organization=VIETTEL),
            "hai_phong": site(name="Bưu cục Hồng Bàng", organization=VNPOST, province_code="31"),
        }
        self.agency = site(name="Sở Tư pháp", kind="kt1_user", organization="Sở Tư pháp")
        self.empty = site(name="Bưu cục Phong Điền", organization=VNPOST)
        for n, w in enumerate(WORKERS):
            factories.StaffMemberFactory(
                site=self.sites[w.site], full_name=f"Người lao động bí danh {n}",
                vetting_status=w.status, secrecy_commitment=w.committed,
                trained_on=None if w.trained_ago is None else self.ago(w.trained_ago),
                joined_on=self.ago(w.joined_ago),
                left_on=None if w.left_ago is None else self.ago(w.left_ago))
        user, post = factories.UserFactory, {"role": "post", "agency": "post"}
        self.users = {
            "inspector": user(role="inspector"), "police": user(role="police", agency="police"),
            "supervisor": user(role="supervisor"), "admin": user(role="admin"),
            "national": user(role="admin", province_code=None),
            "clerk": user(**post, organization=VNPOST),
            "viettel": user(**post, organization=VIETTEL),
            "hp_supervisor": user(role="supervisor", province_code="31"),
        }
        self._headers: dict[str, dict[str, str]] = {}

    def ago(self, days: int) -> date:
        return self.today - timedelta(days=days)

    def h(self, who):  # type: ignore[no-untyped-def]
        if who not in self._headers:
            self._headers[who] = self.api.login(self.users[who])
        return self._headers[who]

    def get(self, site, who="inspector"):  # type: ignore[no-untyped-def]
        return self.client.get(f"{API}/sites/{site.id}/staff-figures", headers=self.h(who))

    def expected(self, site_key):  # type: ignore[no-untyped-def]
        site = self.sites[site_key]
        organisation = {k for k, s in self.sites.items()
                        if (s.organization, s.province_code) == (site.organization,
                                                                 site.province_code)}
        return {"site_id": str(site.id), "organization": site.organization,
                "as_of": self.today.isoformat(),
                "site": expected([w for w in WORKERS if w.site == site_key], self.today),
                "organization_wide": expected([w for w in WORKERS if w.site in organisation],
                                              self.today)}


@pytest.fixture
def figures(api, client, session):  # type: ignore[no-untyped-def]
    return Figures(api, client, session)


def test_the_figures_count_current_workers_of_the_site_and_of_its_organisation(figures):
    for key in ("site", "branch", "viettel"):
        resp = figures.get(figures.sites[key])
        assert resp.status_code == 200, resp.get_json()
        body = resp.get_json()
        want = figures.expected(key)
        assert {k: body[k] for k in want} == want, key
        site = want["site"]
        assert body["checklist_items"] == {
            "C1": site["involved"], "C2": site["vetted"], "C4": site["secrecy_commitments"],
            "C5.1": site["last_trained_on"]}
    # the same, worked by hand for the first site: 5 current of 8 (two left, one not started)
    assert figures.get(figures.sites["site"]).get_json()["site"] == {
        "involved": 5, "vetted": 2, "vetting_pending": 1, "not_vetted": 1, "not_requested": 1,
        "secrecy_commitments": 3, "trained": 3,
        "last_trained_on": figures.ago(20).isoformat()}
    assert figures.get(figures.sites["site"]).get_json()["organization_wide"]["involved"] == 7
    assert figures.get(figures.empty).get_json()["site"] == {
        "involved": 0, "vetted": 0, "vetting_pending": 0, "not_vetted": 0, "not_requested": 0,
        "secrecy_commitments": 0, "trained": 0, "last_trained_on": None}


def test_anyone_who_may_read_the_site_reads_its_figures_and_they_hold_no_name(figures, session):
    site = figures.sites["site"]
    before = session.scalar(select(func.count()).select_from(AuditEntry))
    for who in ("inspector", "police", "supervisor", "admin", "national", "clerk"):
        figures.h(who)
    logged_in = session.scalar(select(func.count()).select_from(AuditEntry))
    for who in ("inspector", "police", "supervisor", "admin", "national", "clerk"):
        resp = figures.get(site, who)
        assert resp.status_code == 200, (who, resp.get_json())
        assert resp.get_json()["site"]["involved"] == 5
        assert "bí danh" not in resp.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == logged_in >= before
    problem(figures.get(site, "viettel"), 404)  # another organisation's site
    problem(figures.get(site, "hp_supervisor"), 404)
    problem(figures.client.get(f"{API}/sites/{uuid.uuid4()}/staff-figures",
                               headers=figures.h("inspector")), 404)
    got = problem(figures.get(figures.agency), 409)
    assert got["kind"] == "kt1_user"


def test_the_offline_package_carries_the_figures_of_the_assigned_provider_sites(
        api, client, session):
    world = PackageWorld(api, session)
    first, second = world.sites
    today = staff.today()
    factories.StaffMemberFactory(site=first, vetting_status="vetted", secrecy_commitment=True,
                                 trained_on=today - timedelta(days=9))
    factories.StaffMemberFactory(site=first, vetting_status="requested")
    factories.StaffMemberFactory(site=first, left_on=today)
    resp = client.get(f"{API}/sync/package", headers=world.h["inspector"])
    assert resp.status_code == 200, resp.get_json()
    package = resp.get_json()
    by_site = {f["site_id"]: f for f in package["staff_figures"]}
    assert set(by_site) == {str(first.id), str(second.id)}
    assert by_site[str(first.id)]["site"] == {
        "involved": 2, "vetted": 1, "vetting_pending": 1, "not_vetted": 0, "not_requested": 0,
        "secrecy_commitments": 1, "trained": 1,
        "last_trained_on": (today - timedelta(days=9)).isoformat()}
    assert by_site[str(second.id)]["site"]["involved"] == 0
    assert by_site[str(second.id)]["organization_wide"]["involved"] == 2  # same organisation
    for figures in package["staff_figures"]:
        rest = client.get(f"{API}/sites/{figures['site_id']}/staff-figures",
                          headers=world.h["inspector"]).get_json()
        assert figures == rest
    assert "Trần Thị Thu" not in json.dumps(package, ensure_ascii=False)
    etag = resp.headers["ETag"]
    factories.StaffMemberFactory(site=second, vetting_status="vetted")
    again = client.get(f"{API}/sync/package", headers={**world.h["inspector"],
                                                         "If-None-Match": etag})
    assert again.status_code == 200 and again.headers["ETag"] != etag
