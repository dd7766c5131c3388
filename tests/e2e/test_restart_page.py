"""Issue 14: an open /lenet page outlives a server restart. The server stops (SIGTERM), the page says it
restarts and reconnects by itself; the next server on the same port and data directory restores the
session, and the page shows its step and curves again and drives it with the same token."""

import signal

import pytest
from api.helpers import WAIT_S
from api.server_process import start_server, stop_server
from playwright.sync_api import Page, expect
from redis_server import free_port

WAIT_MS = 30_000
BACK_MS = 120_000  # a fresh server imports torch and restores the session; the page retries every ≤ 10 s
VAL_POINTS = "window.nnlive.curves.loss.columns[1].filter((v) => v !== null).length"


@pytest.fixture
def restartable(tmp_path):
    """Start servers on one port and data directory, one after the other; all are killed at the end."""
    port, started = free_port(), []
    env = {"NNLIVE_DATA_DIR": str(tmp_path / "data")}

    def start():
        base, process = start_server(env, tmp_path / "server.log", port)
        started.append(process)
        return base, process

    yield start
    for process in started:
        stop_server(process)


def test_an_open_lenet_page_reconnects_after_a_restart_and_shows_the_restored_step(
    page: Page, restartable
) -> None:
    errors: list[str] = []  # the page's errors but the browser's own line for each refused reconnect
    down = "ERR_CONNECTION_REFUSED"
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and down not in m.text else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    base, first = restartable()
    page.goto(f"{base}/lenet")
    page.wait_for_function("() => window.nnlive?.lastFrame", timeout=WAIT_MS)
    expect(page.locator("#train")).to_be_enabled()
    for step in (1, 2, 3):
        page.keyboard.press("s")
        page.wait_for_function(f"() => window.nnlive.state?.step === {step}", timeout=WAIT_MS)
    url, session_id = page.url, page.evaluate("() => window.nnlive.session.id")
    val_points = page.evaluate(f"() => {VAL_POINTS}")
    assert val_points == 3  # a validation point per step

    first.send_signal(signal.SIGTERM)
    expect(page.locator("#notice")).to_have_attribute("data-i18n", "error.restarting", timeout=WAIT_MS)
    first.wait(WAIT_S)
    frames = page.evaluate("() => window.nnlive.frames")
    restartable()

    page.wait_for_function(f"() => window.nnlive.frames > {frames}", timeout=BACK_MS)
    assert page.url == url
    assert page.evaluate("() => window.nnlive.session.id") == session_id
    assert page.evaluate("() => window.nnlive.lastFrame.header.step") == 3
    expect(page.locator("#step")).to_contain_text("3")
    expect(page.locator("#run-state")).to_have_attribute("data-state", "paused")
    page.wait_for_function(f"() => {VAL_POINTS} === {val_points}", timeout=WAIT_MS)  # the curves came back
    expect(page.locator("#notice")).to_be_hidden()
    expect(page.locator("#train")).to_be_enabled()  # the page drives it again with its token
    page.keyboard.press("s")
    page.wait_for_function("() => window.nnlive.state?.step === 4", timeout=WAIT_MS)
    assert errors == []
