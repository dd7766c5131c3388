"""A dataset sample that does not come, in Chromium against a real server: the picker says so (in the
page's language), the drawing on the pad and the input shown stay, and "Try again" brings the sample.

The sample is asked for over the session's websocket (a `sample` request, answered by a frame whose
header has `reply_to`), so the test routes that socket: while `failing`, a sample request never
reaches the server and is answered with the server's own refusal for "busy" (HTTP 503 on the REST
side); everything else goes through unchanged.
"""

import json
import re

from playwright.sync_api import Page, WebSocketRoute, expect

from app.errors import Busy
from app.protocol.server import Error
from e2e.frames import MAP_PIXEL
from e2e.held import NEXT_ANIMATION_FRAME
from e2e.test_lenet_page import draw_seven, open_lenet

WAIT_MS = 30_000
BUSY = "the model is busy, try again shortly"

# How many pixels of the drawing pad carry ink.
PAD_INK = """
() => {
  const canvas = document.querySelector("#drawpad canvas");
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  return data.filter((_, i) => i % 4 === 3 && data[i] > 0).length;
}
"""

# The input panel's pixels at the input's largest and smallest values (the background), and its header.
READ_INPUT = f"""
() => {{
  const mapPixel = {MAP_PIXEL};
  const tensor = window.nnlive.lastFrame.tensors.input;
  const [height, width] = tensor.shape.slice(-2);
  const values = Array.from(tensor.data);
  const canvas = document.querySelector('[data-tensor="input"] canvas');
  const at = (i) => mapPixel(canvas, [height, width], 0, Math.floor(i / width), i % width);
  const top = values.indexOf(Math.max(...values));
  const bottom = values.indexOf(Math.min(...values));
  const spread = values[top] - values[bottom];
  return {{ header: window.nnlive.lastFrame.header, top: at(top), bottom: at(bottom), spread }};
}}
"""


class FailingSamples:
    """Route `page`'s session sockets; while `failing`, sample requests are refused as "busy"."""

    def __init__(self, page: Page) -> None:
        self.failing = False
        self.sent: list[dict] = []  # the sample requests that reached the server
        self.forwards: list[int] = []  # ids of the drawings sent (forward)
        self.refused = 0
        page.route_web_socket(re.compile(r"/ws/sessions/"), self._route)

    def _route(self, ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()

        def from_page(message: str | bytes) -> None:
            parsed = json.loads(message) if isinstance(message, str) else {}
            if parsed.get("type") == "forward":
                self.forwards.append(parsed["id"])
            if parsed.get("type") != "sample":
                server.send(message)
            elif self.failing:
                self.refused += 1
                ws.send(json.dumps(Error.of(Busy(BUSY), parsed["id"]).body()))
            else:
                self.sent.append(parsed)
                server.send(message)

        ws.on_message(from_page)


def drawing_answered(page: Page, samples: FailingSamples) -> None:
    """Wait until the last drawing sent is answered and no drawing waits behind it (one goes out as
    soon as the one in flight is answered)."""
    while True:
        page.evaluate(NEXT_ANIMATION_FRAME)  # the pad emits its last strokes
        last = samples.forwards[-1]
        page.wait_for_function(
            "(id) => window.nnlive.lastFrame.header.reply_to === id", arg=last, timeout=WAIT_MS
        )
        page.evaluate(NEXT_ANIMATION_FRAME)
        if samples.forwards[-1] == last:
            return


def test_a_refused_sample_keeps_the_drawing_says_why_and_try_again_shows_it(
    page: Page, live_server: str, errors: list[str]
) -> None:
    samples = FailingSamples(page)
    open_lenet(page, f"{live_server}/lenet")
    page.wait_for_function("() => window.nnlive.role === 'driver'", timeout=WAIT_MS)
    draw_seven(page)
    drawing_answered(page, samples)
    ink = page.evaluate(PAD_INK)
    assert ink > 0
    drawn = page.evaluate(READ_INPUT)

    samples.failing = True
    page.select_option("#sample-split", "train")
    page.fill("#sample-index", "3")
    page.click("#sample-show")
    failure = page.locator(".sample-failure")
    expect(failure).to_be_visible()
    expect(failure.locator(".sample-failure-title")).to_have_text(
        "The sample did not arrive; the input shown stays as it was."
    )
    expect(failure.locator(".sample-failure-reason")).to_have_text(f"The server is busy: {BUSY}")
    assert samples.refused == 1
    assert samples.sent == [], "the refused request never reached the server"
    assert page.evaluate(PAD_INK) == ink, "the drawing stays on the pad"
    assert page.evaluate(READ_INPUT) == drawn, "the input shown is still the drawing's"

    page.click('button[data-lang="zh-CN"]')
    expect(failure.locator(".sample-failure-title")).to_have_text("样本没有取到，当前的输入保持不变。")
    expect(failure.locator(".sample-failure-reason")).to_have_text(f"服务器繁忙：{BUSY}")
    expect(failure.locator(".sample-retry")).to_have_text("重试")

    samples.failing = False
    frames = page.evaluate("() => window.nnlive.frames")
    failure.locator(".sample-retry").click()
    page.wait_for_function(
        "(frames) => window.nnlive.frames > frames && Number.isInteger(window.nnlive.lastFrame.header.label)",
        arg=frames,
        timeout=WAIT_MS,
    )
    [asked] = samples.sent
    assert (asked["split"], asked["index"]) == ("train", 3), "the retry asks for the same sample"
    expect(failure).to_be_hidden()
    shown = page.evaluate(READ_INPUT)
    assert shown["header"]["reply_to"] == asked["id"], "the frame drawn answers the sample"
    assert shown["header"]["label"] in range(10)
    assert shown["spread"] > 0
    assert shown["top"][3] == 255, "the input panel is drawn"
    assert shown["top"][:3] != shown["bottom"][:3], "the sample's ink is not the background colour"
    assert page.evaluate(PAD_INK) == 0, "once the sample is shown the pad is wiped"
