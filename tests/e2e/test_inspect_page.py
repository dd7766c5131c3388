"""The /inspect page in Chromium, fed by a user's script through the SDK: a training subprocess with a
CNN of its own streams to a server; the page shows its feature maps and loss; the server is stopped
(the script trains on) and started again on the same port, and the page shows the script's new frames.
"""

import os
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest
from api.helpers import Socket
from playwright.sync_api import Page, expect

from app.protocol import encode_frame
from app.sdk.embedded import EmbeddedServer
from e2e.frames import MAP_PIXEL

WAIT_MS = 30_000
ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("sdk_script.py")
# End colours of the diverging map (static/js/math/colormap.js), written out independently of it.
RDBU_POSITIVE_END = (103, 0, 31)
RDBU_NEGATIVE_END = (5, 48, 97)

# The selected module's activation: its largest-magnitude value and the pixel at the centre of its cell.
READ_EXTREME = f"""
() => {{
  const mapPixel = {MAP_PIXEL};
  const tensor = window.nnlive.lastFrame.tensors[window.nnlive.selected];
  const [, , height, width] = tensor.shape;
  let at = 0;
  tensor.data.forEach((v, i) => {{ if (Math.abs(v) > Math.abs(tensor.data[at])) at = i; }});
  const channel = Math.floor(at / (height * width));
  const y = Math.floor((at % (height * width)) / width);
  const canvas = document.querySelector("#activation .featuremaps canvas");
  return {{
    value: tensor.data[at],
    negative: Array.from(tensor.data).some((v) => v < 0),
    pixel: mapPixel(canvas, [height, width], channel, y, at % width).slice(0, 3),
    size: [canvas.width, canvas.height],
    columns: canvas.dataset.columns,
  }};
}}
"""
# Feature maps drawn and a few points of the logged loss.
MAPS_AND_LOSS = """
() => window.nnlive.lastFrame?.tensors["features.0"] && window.nnlive.scalars.view?.steps.length >= 3
"""
NEW_SESSION_FRAME = """
(old) => {
  const frame = window.nnlive.lastFrame;
  return frame && frame.header.session !== old && frame.tensors["features.0"] !== undefined;
}
"""


class Script:
    """The training subprocess; its printed lines are collected as they come."""

    def __init__(self, url: str, run: str, stop_file: Path) -> None:
        self.stop_file = stop_file
        env = {**os.environ, "PYTHONPATH": str(ROOT)}  # this checkout's `app`
        self.process = subprocess.Popen(
            [sys.executable, str(SCRIPT), url, run, str(stop_file)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self._printed = threading.Condition()  # notified with each line, and when the output ends
        self._ended = False
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            with self._printed:
                self.lines.append(line.rstrip())
                self._printed.notify_all()
        with self._printed:
            self._ended = True
            self._printed.notify_all()

    def close(self) -> None:
        """After the process ended: the last lines read, the pipe closed."""
        self._reader.join(WAIT_MS / 1000)
        self.process.stdout.close()

    def last_step(self) -> int:
        steps = [int(line.split()[1]) for line in self.lines if line.startswith("step ")]
        return steps[-1] if steps else -1

    def wait_for_step_after(self, step: int) -> None:
        """Wait until the script prints a step after ``step`` (it prints each step it trains)."""
        with self._printed:
            self._printed.wait_for(lambda: self.last_step() > step or self._ended, WAIT_MS / 1000)
        assert self.last_step() > step, f"the script did not get past step {step}: {self.lines[-5:]}"


@pytest.fixture
def port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def script(port: int, tmp_path: Path) -> Iterator[Script]:
    running = Script(f"http://127.0.0.1:{port}", "e2e-cnn", tmp_path / "stop")
    yield running
    running.stop_file.touch()
    try:
        running.process.wait(30)
    finally:
        running.process.kill()
        running.close()


def test_a_scripts_model_survives_a_server_restart_on_the_page(page: Page, port: int, script: Script):
    crashes: list[str] = []
    page.on("pageerror", lambda e: crashes.append(str(e)))  # reconnect attempts log console errors
    server = EmbeddedServer(port=port)
    try:
        page.goto(f"{server.url}/inspect?run=e2e-cnn&module=features.0")
        page.wait_for_function(MAPS_AND_LOSS, timeout=WAIT_MS)
        shown = page.evaluate(READ_EXTREME)
        # Conv2d(1, 6, 3): 6 maps of 16×16, one canvas pixel per value, in 3 columns a pixel apart
        assert (shown["size"], shown["columns"]) == ([3 * 16 + 2, 2 * 16 + 1], "3")
        assert shown["negative"]  # conv outputs before the ReLU: the diverging map
        assert tuple(shown["pixel"]) == (RDBU_POSITIVE_END if shown["value"] > 0 else RDBU_NEGATIVE_END)
        expect(page.locator('#modules [data-module="features.0"]')).to_contain_text("Conv2d")
        expect(page.locator('#modules [data-module="features.0"]')).to_contain_text("[16, 6, 16, 16]")
        expect(page.locator("#scalars .curves-legend")).to_contain_text("loss")
        curve = page.evaluate("window.nnlive.scalars.view.columns[0].filter((v) => v !== null)")
        assert len(curve) >= 3
        assert all(v > 0 for v in curve)  # cross-entropy values the script logged
        gradient = page.locator("#gradient canvas")
        expect(gradient).to_have_count(1)  # the 6 maps of ∂L/∂output on one canvas, as above
        expect(gradient).to_have_attribute("data-columns", "3")
        expect(gradient).to_have_js_property("height", 2 * 16 + 1)
        page.keyboard.press("ArrowDown")  # the next module: the ReLU, drawn from the script's frame too
        expect(page).to_have_url(re.compile(r"module=features\.1"))
        page.wait_for_function("() => window.nnlive.selected === 'features.1'", timeout=WAIT_MS)
        late = page.context.new_page()  # a page opened later starts with the run's curves so far
        late.goto(page.url)
        late.wait_for_function("() => window.nnlive.lastFrame", timeout=WAIT_MS)
        first_step = "window.nnlive.scalars.view.steps[0]"
        assert late.evaluate(first_step) <= page.evaluate(first_step)
        late.close()
        old_session = page.evaluate("window.nnlive.lastFrame.header.session")
    finally:
        server.stop()

    step_at_stop = script.last_step()
    expect(page.locator("#connection")).not_to_have_attribute("data-status", "open", timeout=WAIT_MS)
    script.wait_for_step_after(step_at_stop + 20)  # it trains on without its server

    server = EmbeddedServer(port=port)
    try:
        page.wait_for_function(NEW_SESSION_FRAME, arg=old_session, timeout=WAIT_MS)
        expect(page.locator("#connection")).to_have_attribute("data-status", "open")
        assert page.evaluate("window.nnlive.lastFrame.header.step") > step_at_stop
    finally:
        script.stop_file.touch()
        assert script.process.wait(30) == 0, script.lines
        server.stop()
    assert script.lines[-1].startswith("done after"), script.lines[-5:]
    assert crashes == []


# The pixel in the middle of bar `i`, a few pixels below the chart's top.
BAR_PIXEL = """
(i) => {
  const canvas = document.querySelector("#activation canvas");
  const bar = canvas.width / window.nnlive.lastFrame.tensors.v.shape[0];
  const pixel = canvas.getContext("2d").getImageData(Math.floor((i + 0.5) * bar), 4, 1, 1);
  return Array.from(pixel.data.slice(0, 3));
}
"""


def test_a_session_by_id_shows_a_vector_as_bars(page: Page, live_server: str, errors: list[str]):
    """POST /api/sessions with model `inspect` links to /inspect?session=ID; a 1-D tensor becomes bars."""
    created = httpx.post(f"{live_server}/api/sessions", json={"model": "inspect"}, timeout=30).json()
    assert created["viewer_url"].endswith(f"/inspect?session={created['id']}")
    driver = Socket(live_server, created["id"])
    try:
        driver.auth(created["token"])
        vector = np.array([1.0, -2.0, 0.5, 3.0], np.float32)
        modules = [{"name": "v", "type": "Linear", "shape": [4]}]
        driver.send(encode_frame({"step": 5, "modules": modules, "scalars": {"loss": 2.0}}, {"v": vector}))
        page.goto(created["viewer_url"])
        page.wait_for_function("() => window.nnlive.lastFrame?.tensors.v", timeout=WAIT_MS)
    finally:
        driver.close()
    assert tuple(page.evaluate(BAR_PIXEL, 3)) == RDBU_POSITIVE_END  # 3: the largest value, the scale's end
    expect(page.locator("#activation-hint")).to_have_text("One value per bar.")
    expect(page.locator("#scalars .curves-legend")).to_contain_text("loss")
    expect(page.locator("#step")).to_contain_text("5")
