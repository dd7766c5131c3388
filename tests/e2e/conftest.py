"""Chromium for the browser tests: Debian's /usr/bin/chromium, headless, with nothing fetched; and the
page's errors, which fail a test."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """pytest-playwright's launch arguments, pointed at the system Chromium."""
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(autouse=True)
def _tests_may_evaluate_strings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the tests' own scripts run under the pages' Content-Security-Policy.

    Playwright evaluates string predicates (``wait_for_function``) with eval, which the policy forbids
    to pages; browser contexts therefore bypass it unless a test asks otherwise (test_csp.py checks
    every page under the policy).
    """
    new_context = Browser.new_context

    def bypassing(self: Browser, **options: object):
        return new_context(self, **{"bypass_csp": True, **options})

    monkeypatch.setattr(Browser, "new_context", bypassing)


@pytest.fixture
def errors(page: Page) -> Iterator[list[str]]:
    """Console errors and uncaught exceptions of the page; the test fails if any occurred.

    Chromium logs every HTTP error response; a 422 is the server refusing a setting, which the pages
    show next to the field, so it is not counted.
    """
    seen: list[str] = []
    refused = "the server responded with a status of 422"
    page.on("console", lambda m: seen.append(m.text) if m.type == "error" and refused not in m.text else None)
    page.on("pageerror", lambda e: seen.append(str(e)))
    yield seen
    assert not seen


@pytest.fixture
def strict_page(browser: Browser) -> Iterator[Page]:
    """A page under the pages' Content-Security-Policy (not bypassed); its console errors and uncaught
    exceptions fail the test."""
    context = browser.new_context(bypass_csp=False)
    page = context.new_page()
    seen: list[str] = []
    page.on("console", lambda m: seen.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen.append(str(e)))
    yield page
    context.close()
    assert not seen


@pytest.fixture
def contexts(browser: Browser) -> Iterator[list[BrowserContext]]:
    """Browser contexts for other people (each its own sessionStorage: no token); closed after the test."""
    opened: list[BrowserContext] = []
    yield opened
    for context in opened:
        context.close()
