"""A session replacement whose request never answers (a server or proxy holding it), in Chromium
against a real server: after the timeout the page says so, keeps the session it shows, and the
next replacement goes through; when the server makes the late one after all, the page ends it.

The page's clock is Playwright's (it runs as usual; the test jumps it over the 15 s of the
timeout instead of waiting them).
"""

import re

from playwright.sync_api import Page, Request, Route, expect

from e2e.frames import WAIT_MS, open_page

CREATE = "**/api/sessions"
TIMEOUT_MS = 15_000  # static/js/session/oneatatime.js TASK_TIMEOUT_MS


def is_create(request: Request) -> bool:
    return request.method == "POST" and request.url.endswith("/api/sessions")


def change_stride(page: Page, stride: int) -> None:
    page.fill('#settings [name="stride"]', str(stride))
    page.press('#settings [name="stride"]', "Enter")


def is_end(request: Request) -> bool:
    return request.method == "DELETE" and "/api/sessions/" in request.url


def test_a_replacement_answered_too_late_shows_a_timeout_the_next_goes_through_and_the_late_one_ends(
    page: Page, live_server: str, errors: list[str]
) -> None:
    page.clock.install()
    with page.expect_response(lambda response: is_create(response.request)) as created:
        frame = open_page(page, f"{live_server}/conv?stride=1")
    room = created.value.json()["lecture"]
    session = frame["session"]["id"]
    held: list[Route] = []

    def hold(route: Route) -> None:
        """Keep the request unanswered (Playwright cannot take a bound builtin as a handler)."""
        held.append(route)

    page.route(CREATE, hold)

    with page.expect_request(is_create):
        change_stride(page, 2)
    page.clock.fast_forward(TIMEOUT_MS)
    expect(page.locator("#notice")).to_have_text("The server did not answer in time.")
    expect(page.locator("#notice")).to_be_visible()
    assert len(held) == 1
    assert page.evaluate("() => window.nnlive.session.id") == session, "the session shown stays"

    with page.expect_response(lambda response: is_end(response.request), timeout=WAIT_MS) as ended:
        held[0].continue_()  # the server makes the timed-out replacement after all
    late, successor = re.search(r"/api/sessions/([^?]+)\?successor=(.+)$", ended.value.url).groups()  # type: ignore[union-attr]
    assert ended.value.status == 204
    assert late != session
    assert successor == session, "the page ended the late session, naming the one shown"
    assert page.request.get(f"{live_server}/api/sessions/{late}").status == 404, "nothing left on the server"
    assert page.evaluate("() => window.nnlive.session.id") == session
    assert held[0].request.post_data_json["lecture"] == room, "the late session took over the lecture room"
    entered = page.request.get(f"{live_server}/l/{room}", max_redirects=0)
    assert f"session={session}" in entered.headers["location"], "the room went back to the session shown"

    page.unroute(CREATE)
    change_stride(page, 3)
    page.wait_for_function("(id) => window.nnlive.session.id !== id", arg=session, timeout=WAIT_MS)
    page.wait_for_function("() => window.nnlive.session.config.stride === 3", timeout=WAIT_MS)
    expect(page.locator("#notice")).to_be_hidden()
