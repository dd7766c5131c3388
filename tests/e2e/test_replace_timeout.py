"""A session replacement whose request never answers (a server or proxy holding it), in Chromium
against a real server: after the timeout the page aborts it and says so, keeps the session it
shows, and the next replacement goes through.

The page's clock is Playwright's (it runs as usual; the test jumps it over the 15 s of the
timeout instead of waiting them).
"""

from playwright.sync_api import Page, Request, Route, expect

from e2e.frames import WAIT_MS, open_page

CREATE = "**/api/sessions"
TIMEOUT_MS = 15_000  # static/js/session/oneatatime.js TASK_TIMEOUT_MS


def is_create(request: Request) -> bool:
    return request.method == "POST" and request.url.endswith("/api/sessions")


def change_stride(page: Page, stride: int) -> None:
    page.fill('#settings [name="stride"]', str(stride))
    page.press('#settings [name="stride"]', "Enter")


def test_a_replacement_never_answered_is_aborted_shown_as_a_timeout_and_the_next_goes_through(
    page: Page, live_server: str, errors: list[str]
) -> None:
    page.clock.install()
    frame = open_page(page, f"{live_server}/conv?stride=1")
    session = frame["session"]["id"]
    held: list[Route] = []

    def hold(route: Route) -> None:
        """Keep the request unanswered (Playwright cannot take a bound builtin as a handler)."""
        held.append(route)

    page.route(CREATE, hold)

    with page.expect_request(is_create):
        change_stride(page, 2)
    with page.expect_event("requestfailed", is_create) as aborted:
        page.clock.fast_forward(TIMEOUT_MS)
    assert aborted.value.failure == "net::ERR_ABORTED", "the page aborted the request it gave up on"
    expect(page.locator("#notice")).to_have_text("The server did not answer in time.")
    expect(page.locator("#notice")).to_be_visible()
    assert len(held) == 1
    assert page.evaluate("() => window.nnlive.session.id") == session, "the session shown stays"

    page.unroute(CREATE)
    change_stride(page, 3)
    page.wait_for_function("(id) => window.nnlive.session.id !== id", arg=session, timeout=WAIT_MS)
    page.wait_for_function("() => window.nnlive.session.config.stride === 3", timeout=WAIT_MS)
    expect(page.locator("#notice")).to_be_hidden()
