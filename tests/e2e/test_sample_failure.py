"""A dataset sample that does not come, in Chromium against a real server: the picker says so (in the
page's language), the drawing on the pad and the input shown stay, and "Try again" brings the sample.

The sample is asked for over the session's websocket (a `sample` request, answered by a frame whose
header has `reply_to`), so the test routes that socket: while `failing`, a sample request never
reaches the server and is answered with the server's own refusal for "busy" (HTTP 503 on the REST
side); everything else goes through unchanged.
"""

import json
import re
from collections.abc import Callable

import pytest
import torch
from playwright.sync_api import Page, WebSocketRoute, expect

from app.engine.data.digits import load_digits_32
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

# The last frame's header and input (its values dequantized), and the input panel's pixels at the
# input's largest and smallest values (the background).
READ_INPUT = f"""
() => {{
  const mapPixel = {MAP_PIXEL};
  const tensor = window.nnlive.lastFrame.tensors.input;
  const [height, width] = tensor.shape.slice(-2);
  const [lo, hi] = tensor.range ?? [0, 255];
  const values = Array.from(tensor.data, (v) => (tensor.range ? lo + ((hi - lo) * v) / 255 : v));
  const canvas = document.querySelector('[data-tensor="input"] canvas');
  const at = (i) => mapPixel(canvas, [height, width], 0, Math.floor(i / width), i % width);
  const top = values.indexOf(Math.max(...values));
  const bottom = values.indexOf(Math.min(...values));
  const spread = values[top] - values[bottom];
  const step = tensor.range ? (hi - lo) / 255 : 0;
  return {{ header: window.nnlive.lastFrame.header, values, step, top: at(top), bottom: at(bottom), spread }};
}}
"""


class FailingSamples:
    """Route `page`'s session sockets; while `failing`, sample requests are refused as "busy" (or,
    with `silent`, never answered: a server that hangs)."""

    def __init__(self, page: Page) -> None:
        self.failing = False
        self.silent = False
        self.sent: list[dict] = []  # the sample requests that reached the server
        self.forwards: list[int] = []  # ids of the drawings sent (forward)
        self.refused: list[int] = []  # ids of the sample requests refused (or left unanswered)
        self.holding = False  # while set, what the server sends waits (``deliver`` passes it on)
        self.held: list[tuple[WebSocketRoute, str | bytes]] = []
        page.route_web_socket(re.compile(r"/ws/sessions/"), self._route)

    def deliver(self) -> None:
        """Pass on what the server sent while ``holding``, in order, and hold nothing more."""
        self.holding = False
        for ws, message in self.held:
            ws.send(message)
        self.held.clear()

    def _route(self, ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()

        def from_server(message: str | bytes) -> None:
            if self.holding:
                self.held.append((ws, message))
            else:
                ws.send(message)

        server.on_message(from_server)

        def from_page(message: str | bytes) -> None:
            parsed = json.loads(message) if isinstance(message, str) else {}
            if parsed.get("type") == "forward":
                self.forwards.append(parsed["id"])
            if parsed.get("type") != "sample":
                server.send(message)
            elif self.failing:
                self.refused.append(parsed["id"])
                if not self.silent:
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


def lenet_with_a_drawing(page: Page, live_server: str) -> tuple[FailingSamples, int]:
    """Open /lenet with its socket routed, draw a 7 and wait for its answer; the route and the
    number of inked pad pixels."""
    samples = FailingSamples(page)
    open_lenet(page, f"{live_server}/lenet")
    page.wait_for_function("() => window.nnlive.role === 'driver'", timeout=WAIT_MS)
    draw_seven(page)
    drawing_answered(page, samples)
    ink = page.evaluate(PAD_INK)
    assert ink > 0
    return samples, ink


def test_a_refused_sample_keeps_the_drawing_says_why_and_try_again_shows_it(
    page: Page, live_server: str, errors: list[str]
) -> None:
    samples, ink = lenet_with_a_drawing(page, live_server)
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
    assert len(samples.refused) == 1
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
    images, labels = load_digits_32().split("train")
    assert shown["header"]["label"] == int(labels[3])
    streamed = torch.tensor(shown["values"]).reshape(images[3].shape)
    # Frames carry it as float16 (rounding values in [0, 1] by at most 2⁻¹¹) or uint8 (half a step).
    tolerance = shown["step"] / 2 + 2**-11
    assert torch.allclose(streamed, images[3], atol=tolerance), "the input shown is train image 3"
    assert shown["spread"] > 0
    assert shown["top"][3] == 255, "the input panel is drawn"
    assert shown["top"][:3] != shown["bottom"][:3], "the sample's ink is not the background colour"
    assert page.evaluate(PAD_INK) == 0, "once the sample is shown the pad is wiped"


# The input the last frame shows, as a plain list.
FRAME_INPUT = "() => Array.from(window.nnlive.lastFrame.tensors.input.data)"


def test_conv_keeps_its_drawing_when_the_sample_is_refused_and_wipes_it_once_one_comes(
    page: Page, live_server: str, errors: list[str]
) -> None:
    samples = FailingSamples(page)
    page.goto(f"{live_server}/conv")
    page.wait_for_function("() => window.nnlive?.lastFrame && window.nnlive.driving", timeout=WAIT_MS)
    page.click("#draw-details summary")
    draw_seven(page)  # on /conv's pad as on /lenet's
    drawing_answered(page, samples)
    ink = page.evaluate(PAD_INK)
    assert ink > 0
    drawn = page.evaluate(FRAME_INPUT)

    samples.failing = True
    page.click("#sample-show")
    expect(page.locator(".sample-failure-reason")).to_have_text(f"The server is busy: {BUSY}")
    assert page.evaluate(PAD_INK) == ink, "the drawing stays on the pad"
    assert page.evaluate(FRAME_INPUT) == drawn, "the input is still the drawing"

    samples.failing = False
    page.click("#sample-show")  # asking again from the picker works as well as "Try again"
    page.wait_for_function(  # request ids only grow: a frame answers a request newer than the drawing
        "(id) => window.nnlive.lastFrame.header.reply_to > id", arg=samples.forwards[-1], timeout=WAIT_MS
    )
    assert page.evaluate("() => window.nnlive.lastFrame.header.reply_to") == samples.sent[-1]["id"]
    expect(page.locator(".sample-failure")).to_be_hidden()
    assert page.evaluate(FRAME_INPUT) != drawn, "the sample is the input now"
    assert page.evaluate(PAD_INK) == 0, "once the sample is shown the pad is wiped"


def test_a_sample_never_answered_times_out_with_the_drawing_kept(
    page: Page, live_server: str, errors: list[str]
) -> None:
    """The socket gives a request 15 s (static/js/net/socket.js); Playwright's clock jumps them."""
    page.clock.install()
    samples, ink = lenet_with_a_drawing(page, live_server)

    samples.failing = samples.silent = True
    page.click("#sample-show")
    page.evaluate(NEXT_ANIMATION_FRAME)
    expect(page.locator(".sample-failure")).to_be_hidden()  # still waiting for the answer
    page.clock.fast_forward(15_000)
    expect(page.locator(".sample-failure-reason")).to_have_text("The server did not answer in time.")
    assert len(samples.refused) == 1
    assert page.evaluate(PAD_INK) == ink, "the drawing stays on the pad"


@pytest.mark.parametrize("path", ["/pool", "/dropout"])
def test_pages_without_a_pad_say_why_their_sample_did_not_come_and_try_again(
    page: Page, live_server: str, errors: list[str], path: str
) -> None:
    samples = FailingSamples(page)
    page.goto(f"{live_server}{path}")
    page.wait_for_function("() => window.nnlive?.lastFrame && window.nnlive.driving", timeout=WAIT_MS)
    samples.failing = True
    page.click("#sample-show")
    expect(page.locator(".sample-failure-reason")).to_have_text(f"The server is busy: {BUSY}")

    samples.failing = False
    page.click(".sample-retry")
    expect(page.locator(".sample-failure")).to_be_hidden()
    page.wait_for_function(  # request ids only grow: a frame answers a request newer than the refused one
        "(id) => window.nnlive.lastFrame.header.reply_to > id", arg=samples.refused[-1], timeout=WAIT_MS
    )
    [asked] = samples.sent
    assert page.evaluate("() => window.nnlive.lastFrame.header.reply_to") == asked["id"]


def until(page: Page, done: Callable[[], bool]) -> None:
    """Let the page run animation frames until ``done()`` (what the route saw), a few hundred at most."""
    for _ in range(600):
        if done():
            return
        page.evaluate(NEXT_ANIMATION_FRAME)
    raise AssertionError("the route never saw it")


def test_a_drawing_made_while_a_sample_is_on_its_way_stays_on_the_pad(
    page: Page, live_server: str, errors: list[str]
) -> None:
    samples = FailingSamples(page)
    open_lenet(page, f"{live_server}/lenet")
    page.wait_for_function("() => window.nnlive.role === 'driver'", timeout=WAIT_MS)
    samples.holding = True  # the server's answers come late, as from a busy server
    page.click("#sample-show")
    until(page, lambda: len(samples.sent) == 1)
    page.locator("#drawpad canvas").scroll_into_view_if_needed()  # the click scrolled to the picker
    draw_seven(page)  # after the sample was asked for: the server answers the sample, then this
    until(page, lambda: len(samples.forwards) > 0)
    samples.deliver()
    drawing_answered(page, samples)
    shown = page.evaluate(READ_INPUT)
    assert shown["header"]["reply_to"] == samples.forwards[-1], "the model shows the drawing last"
    assert page.evaluate(PAD_INK) > 0, "the pad keeps the drawing the model shows"
    expect(page.locator(".sample-failure")).to_be_hidden()
