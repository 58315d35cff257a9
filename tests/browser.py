"""Debian's chromium, driven by Playwright, for the tests of pages as their users see them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox"]  # tests run as root


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless chromium for the block (a module-scoped fixture holds one per module)."""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def watch(page: Page, *, every_console_error: bool = True) -> list[str]:
    """What goes wrong on `page`, collected as it happens: script errors; console errors (every
    one but a failed resource load, or with `every_console_error=False` only the content
    security policy's); and failed page assets (any answer from 400 up that is not the API's,
    whose refusals are the pages' own business)."""
    broken: list[str] = []

    def console(msg: ConsoleMessage) -> None:
        if msg.type != "error":
            return
        if (msg.text.startswith("Failed to load resource") if every_console_error
                else "Content Security Policy" not in msg.text):
            return
        broken.append(f"console: {msg.text}")

    page.on("pageerror", lambda exc: broken.append(f"script error: {exc}"))
    page.on("console", console)
    page.on("response", lambda resp: broken.append(f"{resp.status} {resp.url}")
            if resp.status >= 400 and "/api/v1/" not in resp.url else None)
    return broken
