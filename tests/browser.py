"""Debian's chromium, driven by Playwright, for the tests of pages as their users see them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Browser, sync_playwright

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
