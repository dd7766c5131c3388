"""The hosted playground in Chromium: the admin page (under the CSP) and a session's place in line."""

import httpx
import pytest
from api.helpers import Socket, create_session
from playwright.sync_api import Browser, Page, expect

from app.config import Settings

WAIT_MS = 30_000
ADMIN_TOKEN = "admin-token-for-the-browser"


@pytest.fixture
def settings() -> Settings:
    """The admin view on, one training session at a time."""
    return Settings(device="cpu", torch_threads=1, admin_token=ADMIN_TOKEN, max_training=1)


def test_the_admin_page_lists_a_session_and_ends_it(browser: Browser, live_server: str) -> None:
    info = create_session(live_server)
    viewer = Socket(live_server, info["id"])
    context = browser.new_context(bypass_csp=False)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    try:
        viewer.wait("frame")
        page.goto(f"{live_server}/admin")
        page.fill("#admin-token", ADMIN_TOKEN)
        page.click("#admin-login button")
        row = page.locator(f"tr[data-session='{info['id']}']")
        expect(row).to_contain_text("lenet", timeout=WAIT_MS)
        expect(row).to_contain_text("Paused")
        expect(row).to_contain_text("127.0.0.1")
        headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        listed = httpx.get(f"{live_server}/api/admin/sessions", headers=headers, timeout=30).json()
        mebibytes = float(f"{listed['sessions'][0]['memory_bytes'] / 2**20:.2f}")
        mib = f"{mebibytes:g} MiB"
        expect(row.locator("td").nth(8)).to_have_text(mib)  # the server's figure, in MiB
        expect(row.locator("td").nth(4)).to_have_text("1")  # the websocket viewer
        assert page.evaluate("sessionStorage.getItem('nnlive.admin_token')") == ADMIN_TOKEN
        assert ADMIN_TOKEN not in page.url

        row.locator("button").click()
        expect(row).to_have_count(0, timeout=WAIT_MS)
        expect(page.locator("#admin-empty")).to_be_visible()
        assert viewer.wait("closed")["reason"] == "admin"
    finally:
        viewer.close()
        context.close()
    assert not problems


def test_a_session_waiting_for_a_training_slot_shows_its_place(
    page: Page, live_server: str, errors: list[str]
) -> None:
    other = create_session(live_server)
    trainer = Socket(live_server, other["id"])
    try:
        trainer.auth(other["token"])
        trainer.ok("train")  # takes the only slot
        page.goto(f"{live_server}/lenet")
        page.wait_for_function("window.nnlive?.lastFrame", timeout=WAIT_MS)
        page.click("#train")
        expect(page.locator("#run-state")).to_have_text("Queued — place 1", timeout=WAIT_MS)
        expect(page.locator("#run-state")).to_have_attribute("data-state", "queued")
        expect(page.locator("#train")).to_have_text("Leave queue")
        page.click(".site-header button[data-lang='zh-CN']")
        expect(page.locator("#run-state")).to_have_text("排队中 — 第 1 位")
        trainer.ok("pause")  # the slot frees: this page's session trains
        expect(page.locator("#run-state")).to_have_attribute("data-state", "training", timeout=WAIT_MS)
        page.click("#train")
        expect(page.locator("#run-state")).to_have_attribute("data-state", "paused", timeout=WAIT_MS)
    finally:
        trainer.close()


def test_the_memory_pair_shows_the_cell_that_waits_for_the_slot(
    page: Page, live_server: str, errors: list[str]
):
    page.goto(f"{live_server}/lstm")
    page.wait_for_function(
        "() => window.nnlive?.memoryDriving && window.nnlive.memoryFrames >= 2", timeout=WAIT_MS
    )
    page.click("#memory-train")  # two sessions ask for the one slot: one trains, the other waits
    pills = page.locator(".lstm-cell-pill")
    expect(page.locator(".lstm-cell-pill[data-state='training']")).to_have_count(1, timeout=WAIT_MS)
    expect(page.locator(".lstm-cell-pill[data-state='queued']")).to_contain_text("queued — place 1")
    expect(page.locator("#memory-train")).to_have_text("Pause")
    page.click("#memory-train")
    expect(pills.and_(page.locator("[data-state='paused']"))).to_have_count(2, timeout=WAIT_MS)
    expect(page.locator("#memory-train")).to_have_text("Train")


@pytest.mark.parametrize("path", ["lenet", "charrnn", "attention", "embedding"])
def test_a_lecture_waiting_for_a_slot_shows_its_place_and_leave_queue_to_the_presenter_only(
    page: Page, browser: Browser, live_server: str, errors: list[str], path: str
) -> None:
    other = create_session(live_server)
    trainer = Socket(live_server, other["id"])
    context = browser.new_context()
    try:
        trainer.auth(other["token"])
        trainer.ok("train")  # takes the only slot
        page.goto(f"{live_server}/{path}")
        expect(page.locator("#role")).to_have_attribute("data-role", "driver", timeout=WAIT_MS)
        expect(page.locator("#run-state")).to_have_attribute("data-state", "paused", timeout=WAIT_MS)
        page.click("#train")
        expect(page.locator("#run-state")).to_have_text("Queued — place 1", timeout=WAIT_MS)
        expect(page.locator("#train")).to_have_text("Leave queue")
        expect(page.locator("#train")).to_be_enabled()

        viewer = context.new_page()
        viewer.goto(page.url)
        expect(viewer.locator("#run-state")).to_have_text("Queued — place 1", timeout=WAIT_MS)
        expect(viewer.locator("#role")).to_have_attribute("data-role", "viewer")
        expect(viewer.locator("#presenter")).to_have_text("Presenter here")
        expect(viewer.locator("#train")).to_have_text("Leave queue")
        expect(viewer.locator("#train")).to_be_disabled()

        trainer.ok("pause")  # the slot frees: the lecture trains, for its viewer too
        expect(viewer.locator("#run-state")).to_have_attribute("data-state", "training", timeout=WAIT_MS)
        expect(viewer.locator("#train")).to_have_text("Pause")
        expect(viewer.locator("#train")).to_be_disabled()
        page.click("#train")
        expect(viewer.locator("#run-state")).to_have_attribute("data-state", "paused", timeout=WAIT_MS)
    finally:
        trainer.close()
        context.close()
