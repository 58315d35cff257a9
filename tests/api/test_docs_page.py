"""The API docs page (/api/v1/docs) in Debian's chromium, driven by Playwright, against the
service served for real on 127.0.0.1: Swagger UI renders the OpenAPI document under the page's
content security policy (scripts and styles from this origin only, no inline script) without a
single violation, script error or failed asset.

No database is involved: the page, its assets and the OpenAPI document are made without one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser import chromium
from tests.live_server import served_settings, serving

expect.set_options(timeout=20_000)

# Records every CSP violation the page reports, before any of the page's own scripts run.
VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${where}`);
});
"""


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root: Path = tmp_path_factory.mktemp("docs")
    with serving(served_settings(root, f"sqlite:///{root / 'unused.sqlite'}")) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Browser) -> Iterator[tuple[Page, list[str]]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    context.add_init_script(VIOLATIONS)
    page = context.new_page()
    broken: list[str] = []
    page.on("pageerror", lambda exc: broken.append(f"script error: {exc}"))
    page.on("console", lambda msg: broken.append(f"console: {msg.text}")
            if msg.type == "error" else None)
    page.on("response", lambda resp: broken.append(f"{resp.status} {resp.url}")
            if resp.status >= 400 else None)
    page.on("requestfailed", lambda req: broken.append(f"failed {req.url}"))
    yield page, broken
    context.close()


def test_swagger_ui_renders_the_api_under_its_content_security_policy(
        base_url: str, page: tuple[Page, list[str]]) -> None:
    tab, broken = page
    resp = tab.goto(f"{base_url}/api/v1/docs")
    assert resp is not None and resp.status == 200
    csp = resp.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe" not in csp

    expect(tab.locator(".swagger-ui .info .title")).to_contain_text("KT1 Inspect")
    login = tab.locator(".opblock-post", has_text="/api/v1/auth/login").first
    expect(login).to_be_visible()
    login.locator(".opblock-summary").click()  # the operation, its body schema and examples
    expect(login.locator(".opblock-body")).to_be_visible()
    expect(login.locator(".opblock-body")).to_contain_text("username")
    tab.locator(".models, section.models").first.scroll_into_view_if_needed()

    assert tab.evaluate("window.__violations") == []
    assert broken == []
    assert tab.evaluate("typeof window.ui") == "object"  # started by docs.js, not inline
