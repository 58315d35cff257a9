"""The field app's checklist as a test works it: an item by its code, a choice picked, a value
typed (each answer is saved when its control is left), a signature drawn, and the wait for
everything the tablet holds to be on the server."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect


def item(page: Page, code: str) -> Any:
    return page.locator(f'[data-item="{code}"]')


def pick(page: Page, code: str, label: str) -> None:
    item(page, code).locator("label.choice").filter(
        has=page.get_by_text(label, exact=True)).click()
    expect(item(page, code).get_by_label(label, exact=True)).to_be_checked()


def type_in(page: Page, code: str, text: str) -> None:
    field = item(page, code).locator(".value")
    field.fill(text)
    field.press("Tab")


def scribble(page: Page, code: str) -> None:
    """Draws a zigzag on item `code`'s signature pad."""
    canvas = item(page, code).locator("canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box
    page.mouse.move(box["x"] + 30, box["y"] + box["height"] * 0.6)
    page.mouse.down()
    for k in range(1, 16):
        page.mouse.move(box["x"] + 30 + k * 25, box["y"] + box["height"] * (0.6 - 0.3 * (k % 2)),
                        steps=3)
    page.mouse.up()


def sign(page: Page, code: str) -> None:
    scribble(page, code)
    item(page, code).get_by_role("button", name="Lưu chữ ký").click()
    expect(item(page, code).locator("img.signature-img")).to_have_count(1)


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
