"""Issue 15, finding 1 in Chromium: a page that goes away ends the session it created (pagehide asks the
server to release it); a page that reloads keeps it."""

import pytest
from fastapi import FastAPI
from playwright.sync_api import Page
from polling import wait_until

from app.sessions import release
from e2e.frames import open_page

WAIT_S = 30.0


@pytest.fixture(autouse=True)
def short_grace(monkeypatch: pytest.MonkeyPatch) -> None:
    """A reloading page has 1 s to come back instead of 10."""
    monkeypatch.setattr(release, "UNWATCHED_GRACE_S", 1.0)


def wait_until_ended(app: FastAPI, session_id: str) -> str:
    return wait_until(lambda: app.state.sessions.ended_reason(session_id), "the session was not ended")


def test_leaving_a_page_ends_its_session_and_reloading_keeps_it(
    page: Page, live_server: str, live_app: FastAPI, errors: list[str]
):
    first = open_page(page, f"{live_server}/pool", "() => window.nnlive.session.id")
    page.reload()
    assert open_page(page, page.url, "() => window.nnlive.session.id") == first
    page.goto("about:blank")
    assert wait_until_ended(live_app, first) == "released"
    assert len(live_app.state.sessions) == 0
