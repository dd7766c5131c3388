"""The recordings shipped with nnlive in Chromium, under the pages' Content-Security-Policy: one click
on /replay opens each on its page, which plays it with no model and no socket, through to its last
frame, every frame counted."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from app.api.recordings import SHIPPED
from app.protocol import decode_frame
from app.protocol.recording import read_recording

ROOT = Path(__file__).resolve().parents[2]
WAIT_MS = 60_000
SEEK = """(t) => {
  const slider = document.getElementById("replay-slider");
  slider.value = String(t);
  slider.dispatchEvent(new Event("input"));
}"""


@pytest.mark.parametrize("shipped", SHIPPED, ids=lambda s: s.name)
def test_a_shipped_recording_opens_with_one_click_and_plays_to_its_end(
    strict_page: Page, live_server: str, shipped
) -> None:
    page = strict_page
    _, records = read_recording((ROOT / "static" / "recordings" / shipped.file).read_bytes())
    frames = [(r.t, decode_frame(r.data)[0]) for r in records if r.kind == "frame"]
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.goto(f"{live_server}/replay")
    page.click(f'.replay-shipped button[data-name="{shipped.name}"]')
    page.wait_for_url(f"**{shipped.page}?**replay=**", timeout=WAIT_MS)
    opening = [header for t, header in frames if t == 0][-1]  # the newest of the context is drawn
    page.wait_for_function(
        "(seq) => window.nnlive?.lastFrame?.header.seq === seq", arg=opening["seq"], timeout=WAIT_MS
    )
    expect(page.locator("#connection")).to_have_attribute("data-status", "replay")
    expect(page.locator("#replay-time")).to_contain_text(f" of {len(frames)}")

    # Play the last few seconds at four times the speed: it ends on the recording's last frame.
    page.evaluate(SEEK, frames[-8][0])
    page.wait_for_function(
        "(seq) => window.nnlive.lastFrame.header.seq === seq", arg=frames[-8][1]["seq"], timeout=WAIT_MS
    )
    drawn = page.evaluate("() => window.nnlive.frames")
    page.select_option("#replay-speed", "4")
    page.click("#replay-play")
    page.wait_for_function(
        "(seq) => window.nnlive.lastFrame.header.seq === seq", arg=frames[-1][1]["seq"], timeout=WAIT_MS
    )
    expect(page.locator("#replay-play")).to_have_attribute("aria-pressed", "false", timeout=WAIT_MS)
    expect(page.locator("#replay-time")).to_contain_text(f"{len(frames)} of {len(frames)}")
    assert page.evaluate("() => window.nnlive.lastFrame.header.step") == frames[-1][1]["step"]
    assert page.evaluate("() => window.nnlive.frames") > drawn
    assert sockets == []
