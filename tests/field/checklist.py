"""The field app's checklist as a test works it: an item by its code, a choice picked, a value
typed (each answer is saved when its control is left)."""

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
