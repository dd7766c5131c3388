"""Every page works under its Content-Security-Policy: only the app's own origin, no eval, no inline."""

import httpx
import pytest
from playwright.sync_api import Browser, expect

from app.api.pages import PAGES

WAIT_MS = 30_000


def test_pages_send_the_policy(live_server: str):
    policy = httpx.get(f"{live_server}/lenet", timeout=30).headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe" not in policy


@pytest.mark.parametrize("path", ["/", *(page.path for page in PAGES)])
def test_a_page_runs_under_the_policy(browser: Browser, live_server: str, path: str):
    context = browser.new_context(bypass_csp=False)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    if path == "/inspect":  # the page watches a named SDK run: start one for it to follow
        httpx.post(f"{live_server}/api/runs/csp", timeout=30).raise_for_status()
        path += "?run=csp"
    try:
        page.goto(f"{live_server}{path}")
        if path == "/":
            expect(page.locator("main a").first).to_be_visible(timeout=WAIT_MS)
        else:  # the page's script ran and its websocket (connect-src 'self') opened
            expect(page.locator("#connection")).to_have_attribute("data-status", "open", timeout=WAIT_MS)
            page.wait_for_function("() => window.nnlive?.frames > 0", timeout=WAIT_MS)  # a frame was drawn
    finally:
        context.close()
    assert not problems


@pytest.mark.parametrize(
    ("path", "drawn"),
    [("/docs", ".swagger-ui .opblock-summary-path"), ("/redoc", "[data-section-id] h2")],
)
def test_the_api_docs_work_offline_under_the_policy(
    browser: Browser, live_server: str, path: str, drawn: str
):
    """Issue 15, finding 8: /docs and /redoc draw the API from vendored assets; nothing else is fetched."""
    context = browser.new_context(bypass_csp=False)
    page = context.new_page()
    problems: list[str] = []
    foreign: list[str] = []
    # ReDoc's attribution logo links its CDN: the policy blocks it (a console error that says so, and a
    # request that never leaves), and the page hides it.
    cdn_logo = "https://cdn.redoc.ly/redoc/logo-mini.svg"
    page.on(
        "console", lambda m: problems.append(m.text) if m.type == "error" and cdn_logo not in m.text else None
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on(
        "request",
        lambda r: foreign.append(r.url) if not r.url.startswith((live_server, "data:", cdn_logo)) else None,
    )
    try:
        page.goto(f"{live_server}{path}")
        expect(page.locator(drawn).first).to_be_visible(timeout=WAIT_MS)
        assert "/api/sessions" in page.locator("body").inner_text()
    finally:
        context.close()
    assert not problems
    assert not foreign
