"""The inspection record in the console after a resubmission: a record issued while the
inspection was submitted, the inspection returned and submitted again (a new record asked for
by the submit and issued by the served app's job thread) and approved; the supervisor asking
for the record sees the new number, naming the record it replaces."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
import requests
from playwright.sync_api import Page, expect
from sqlalchemy import select

from inspection import demo
from inspection.models import Inspection, User
from tests.console.conftest import World, screenshot, sign_in

JOB_WAIT_S = 90


class Client:
    """One user's API calls over HTTP, as the tablet or another console would make them."""

    def __init__(self, world: World, username: str) -> None:
        self.base = f"{world.base_url}/api/v1"
        resp = requests.post(f"{self.base}/auth/login", json={
            "username": username, "password": demo.DEMO_PASSWORD,
            "device_id": f"test-{uuid.uuid4()}"}, timeout=10)
        assert resp.status_code == 200, resp.text
        self.auth = {"Authorization": f"Bearer {resp.json()['access_token']}"}

    def get(self, path: str) -> requests.Response:
        resp = requests.get(f"{self.base}{path}", headers=self.auth, timeout=30)
        assert resp.status_code == 200, resp.text
        return resp

    def post(self, path: str, body: Any = None, *, if_match: str | None = None) -> Any:
        headers = {**self.auth, **({"If-Match": if_match} if if_match else {})}
        resp = requests.post(f"{self.base}{path}", json=body, headers=headers, timeout=30)
        assert resp.status_code in (200, 202), resp.text
        return resp.json()

    def record_once(self, record_id: str, status: str) -> dict[str, Any]:
        """The record once it reads `status` (its job runs on the served app's thread)."""
        deadline = time.monotonic() + JOB_WAIT_S
        while (record := self.get(f"/records/{record_id}").json())["status"] != status:
            assert time.monotonic() < deadline, record
            time.sleep(0.3)
        return dict(record)


@pytest.fixture(scope="module")
def reissued(world: World) -> dict[str, Any]:
    """A demo inspection awaiting review (led by kiemtra.ct2) gets its record; then it is
    returned, submitted again and approved. The ids and numbers of both records."""
    ident = world.read(lambda s: str(s.scalars(
        select(Inspection.id).join(User, User.id == Inspection.created_by)
        .where(Inspection.status == "submitted", User.username == "kiemtra.ct2")).first()))
    boss, lead = Client(world, "giamsat.ct"), Client(world, "kiemtra.ct2")

    def etag() -> str:
        return str(boss.get(f"/inspections/{ident}").headers["ETag"])

    first = boss.post(f"/inspections/{ident}/record")["record_id"]
    old = boss.record_once(first, "issued")
    boss.post(f"/inspections/{ident}/review", {"decision": "return",
                                               "comment": "Bổ sung ghi chú mục C2."},
              if_match=etag())
    lead.post(f"/inspections/{ident}/submit", if_match=etag())
    replaced = boss.record_once(first, "replaced")
    new = boss.record_once(replaced["replaced_by"], "issued")
    boss.post(f"/inspections/{ident}/review", {"decision": "approve"}, if_match=etag())
    return {"inspection_id": ident, "old": old, "new": new}


def test_the_supervisor_sees_the_record_that_replaced_the_one_issued_before_the_return(
        world: World, page: Page, reissued: dict[str, Any]) -> None:
    old, new = reissued["old"], reissued["new"]
    assert new["number"] != old["number"] and new["replaces"] == old["id"]
    sign_in(page, world, "giamsat.ct", f"#/inspections/{reissued['inspection_id']}")
    page.get_by_role("button", name="Lập biên bản kiểm tra").click()
    box = page.locator(".review-record")
    expect(box.locator(".review-number")).to_have_text(new["number"], timeout=JOB_WAIT_S * 1000)
    expect(box).to_contain_text("Đã ban hành")
    expect(box.locator(".review-replaces")).to_have_text(f"Số {old['number']}")
    expect(box.get_by_role("button", name="Tải PDF")).to_be_visible()
    box.scroll_into_view_if_needed()
    screenshot(page, "record-reissued")
