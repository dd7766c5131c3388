"""Recordings in Chromium: record a live /conv session, download it, and check it holds the frames the
page's websocket received, byte for byte and in order, and the presenter's selections; then replay it
under the Content-Security-Policy in a fresh browser context through /replay, with no websocket and no
session: scrubbing shows each frame, play runs to the end, the view state follows. A LeNet training
recording shows each frame's step; every model page replays; an /inspect recording of an SDK run replays
its frames, curves and selection; a foreign file is refused; PNG export.
"""

import math
from pathlib import Path

import pytest
import torch
from golden.generate import as_v1, v1_recording
from playwright.sync_api import Browser, BrowserContext, Page, expect
from torch import nn

import nnlive
from app.api.pages import PAGES
from app.protocol import decode_frame
from app.protocol.recording import read_recording, write_recording
from e2e.frames import WAIT_MS, next_frame, open_page, settled_frame
from e2e.png import png_size_and_pixel
from e2e.test_conv_page import LOCATE_CELL

CONV = "conv?height=5&width=5&kernel=3"

# Where a canvas pixel of an output cell lies within <main> (CSS pixels) and its colour on the canvas.
CELL_IN_MAIN = """
([tensor, plane, row, col]) => {
  const canvas = document.querySelector(`[data-tensor="${tensor}"] canvas[data-plane="${plane}"]`);
  const { x0, y0, cell } = Object.fromEntries(Object.entries(canvas.dataset).map(([k, v]) => [k, Number(v)]));
  const box = canvas.getBoundingClientRect();
  const main = document.getElementById("main").getBoundingClientRect();
  const ratio = canvas.width / box.width;
  const px = Math.floor(x0 + (col + 0.5) * cell);
  const py = Math.floor(y0 + (row + 0.25) * cell);
  return {
    x: Math.floor(box.left - main.left + (px + 0.5) / ratio),
    y: Math.floor(box.top - main.top + (py + 0.5) / ratio),
    width: main.width,
    height: main.height,
    pixel: Array.from(canvas.getContext("2d").getImageData(px, py, 1, 1).data.slice(0, 3)),
  };
}
"""

# A drag's DataTransfer holding one file of these bytes.
DATA_TRANSFER = """(bytes) => {
  const transfer = new DataTransfer();
  transfer.items.add(new File([new Uint8Array(bytes)], "r.nnrec"));
  return transfer;
}"""

# The logged scalars' chart: its steps and one column of values per series.
CHART = "() => ({ steps: window.nnlive.scalars.view.steps, columns: window.nnlive.scalars.view.columns })"

SEEK = """(t) => {
  const slider = document.getElementById("replay-slider");
  slider.value = String(t);
  slider.dispatchEvent(new Event("input"));
}"""


def record_conv_session(page: Page, live_server: str) -> tuple[bytes, list[bytes], dict]:
    """Record a /conv session: two inputs and a cell moved between them. Returns the downloaded file,
    the frames the websocket received from the last one before Record on, and the live page's pixel of
    the selected cell's output at the end."""
    received: list[bytes] = []
    page.on(
        "websocket",
        lambda ws: ws.on("framereceived", lambda p: received.append(p) if isinstance(p, bytes) else None),
    )
    frame = open_page(page, f"{live_server}/{CONV}")
    frame = settled_frame(page)
    before = len(received)
    page.click("#record")
    expect(page.locator("#record")).to_have_attribute("aria-pressed", "true")
    page.click("#pattern-random")
    frame = next_frame(page, frame["seq"])
    for _ in range(3):
        page.click("#next")
    page.click("#pattern-checkerboard")
    next_frame(page, frame["seq"])
    page.wait_for_function("() => window.nnlive.cell?.k === 3", timeout=WAIT_MS)
    shown = page.evaluate(LOCATE_CELL, ["output", 0, 1, 0])
    with page.expect_download() as download:
        page.click("#record")
    assert download.value.suggested_filename.endswith(".nnrec")
    return Path(download.value.path()).read_bytes(), received[before - 1 :], shown


def replay_in(context: BrowserContext, live_server: str, data: bytes) -> tuple[Page, list[str], list[str]]:
    """Open ``data`` on /replay in ``context``: the page it plays on, the websockets that page opened and
    its console errors and uncaught exceptions."""
    replay = context.new_page()
    sockets: list[str] = []
    problems: list[str] = []
    replay.on("websocket", lambda ws: sockets.append(ws.url))
    replay.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    replay.on("pageerror", lambda e: problems.append(str(e)))
    replay.goto(f"{live_server}/replay")
    replay.set_input_files(
        "#replay-file", files=[{"name": "r.nnrec", "mimeType": "application/octet-stream", "buffer": data}]
    )
    return replay, sockets, problems


def recorded_frames(data: bytes, path: str, received: list[bytes]) -> tuple[list, list]:
    """The records of a recording made on ``path`` and its frame records, which must be the frames the
    page's websocket received, byte for byte and in the same order."""
    meta, records = read_recording(data)
    assert meta["page"] == path
    frames = [r for r in records if r.kind == "frame"]
    assert [r.data for r in frames] == received
    return records, frames


def test_a_recording_holds_the_received_frames_and_replays_them_without_a_session(
    page: Page, browser: Browser, live_server: str, errors: list[str]
) -> None:
    data, received, shown = record_conv_session(page, live_server)

    records, frames = recorded_frames(data, "/conv", received)
    seqs = [decode_frame(r.data)[0]["seq"] for r in frames]
    assert len(seqs) == 3
    assert seqs == sorted(set(seqs))
    times = [r.t for r in records]
    assert times == sorted(times)
    views = [r.data.decode() for r in records if r.kind == "text" and b'"view"' in r.data]
    assert any('"cell":"3"' in view for view in views)

    context = browser.new_context(bypass_csp=False)  # the replay runs under the pages' policy
    try:
        sessions: list[str] = []
        context.route("**/api/sessions**", lambda route: (sessions.append(route.request.url), route.abort()))
        replay, sockets, problems = replay_in(context, live_server, data)
        replay.wait_for_url("**/conv?**replay=**", timeout=WAIT_MS)
        replay.wait_for_function(
            "(seq) => window.nnlive?.lastFrame?.header.seq === seq", arg=seqs[0], timeout=WAIT_MS
        )
        expect(replay.locator("#connection")).to_have_attribute("data-status", "replay")
        expect(replay.locator("#replay-bar")).to_be_visible()
        expect(replay.locator("#pattern-random")).to_be_disabled()
        expect(replay.locator("#record")).to_be_hidden()

        # Scrubbing to each frame's time shows that frame; back to the first, then to the last.
        for k in [1, 2, 0, 2]:
            replay.evaluate(SEEK, frames[k].t)
            replay.wait_for_function(
                "(seq) => window.nnlive.lastFrame.header.seq === seq", arg=seqs[k], timeout=WAIT_MS
            )
        replay.wait_for_function("() => window.nnlive.cell?.k === 3", timeout=WAIT_MS)  # the presenter's cell
        assert replay.evaluate(LOCATE_CELL, ["output", 0, 1, 0])["pixel"] == shown["pixel"]

        # Play from the start runs through to the last frame, at four times the speed.
        replay.evaluate(SEEK, 0)
        replay.wait_for_function(
            "(seq) => window.nnlive.lastFrame.header.seq === seq", arg=seqs[0], timeout=WAIT_MS
        )
        replay.select_option("#replay-speed", "4")
        replay.click("#replay-play")
        replay.wait_for_function(
            "(seq) => window.nnlive.lastFrame.header.seq === seq", arg=seqs[2], timeout=WAIT_MS
        )
        expect(replay.locator("#replay-play")).to_have_attribute("aria-pressed", "false", timeout=WAIT_MS)
        assert replay.evaluate(
            "() => Number(document.getElementById('replay-slider').value)"
        ) == pytest.approx(records[-1].t)

        assert sockets == []
        assert sessions == []
        assert not problems
    finally:
        context.close()


def test_a_recording_of_protocol_v1_still_replays(
    page: Page, browser: Browser, live_server: str, errors: list[str]
) -> None:
    """The same recording written as an older server did (protocol v1 frames in a version 1 file) replays
    the same frames and pixels."""
    data, received, shown = record_conv_session(page, live_server)
    meta, records = read_recording(data)
    old = v1_recording(meta, [r._replace(data=as_v1(r.data)) if r.kind == "frame" else r for r in records])
    frames = [r for r in read_recording(old)[1] if r.kind == "frame"]
    assert {r.protocol for r in frames} == {1}
    assert frames[-1].data != received[-1]  # the offsets differ: the page must read it as v1
    last = decode_frame(frames[-1].data, 1)[0]["seq"]

    context = browser.new_context(bypass_csp=False)
    try:
        replay, sockets, problems = replay_in(context, live_server, old)
        replay.wait_for_url("**/conv?**replay=**", timeout=WAIT_MS)
        first = decode_frame(frames[0].data, 1)[0]["seq"]
        replay.wait_for_function(  # the replay started: its first frame is drawn
            "(seq) => window.nnlive?.lastFrame?.header.seq === seq", arg=first, timeout=WAIT_MS
        )
        replay.evaluate(SEEK, frames[-1].t)
        replay.wait_for_function(
            "(seq) => window.nnlive.lastFrame.header.seq === seq", arg=last, timeout=WAIT_MS
        )
        replay.wait_for_function("() => window.nnlive.cell?.k === 3", timeout=WAIT_MS)
        assert replay.evaluate(LOCATE_CELL, ["output", 0, 1, 0])["pixel"] == shown["pixel"]
        assert sockets == []
        assert not problems
    finally:
        context.close()


def test_png_export_holds_the_canvases(page: Page, live_server: str, errors: list[str]) -> None:
    open_page(page, f"{live_server}/{CONV}")
    settled_frame(page)
    cell = page.evaluate(CELL_IN_MAIN, ["output", 0, 1, 1])
    with page.expect_download() as download:
        page.click("#export-png")
    assert download.value.suggested_filename.endswith(".png")
    data = Path(download.value.path()).read_bytes()
    width, height, colour = png_size_and_pixel(data, cell["x"], cell["y"])
    assert (width, height) == (math.ceil(cell["width"]), math.ceil(cell["height"]))
    assert colour == cell["pixel"]


# /inspect has no model of its own to record: its frames come from an SDK script (the next test).
@pytest.mark.parametrize("path", [page.path for page in PAGES if page.path != "/inspect"])
def test_every_page_replays_a_recording_without_a_socket(
    page: Page, browser: Browser, live_server: str, path: str, errors: list[str]
) -> None:
    page.goto(f"{live_server}{path}")
    page.wait_for_function("() => window.nnlive?.lastFrame", timeout=WAIT_MS)
    expect(page.locator("#role")).to_have_attribute("data-role", "driver")
    page.click("#record")
    with page.expect_download() as download:
        page.click("#record")
    data = Path(download.value.path()).read_bytes()
    last = decode_frame([r for r in read_recording(data)[1] if r.kind == "frame"][-1].data)[0]
    context = browser.new_context()
    try:
        replay, sockets, problems = replay_in(context, live_server, data)
        replay.wait_for_url(f"**{path}?**replay=**", timeout=WAIT_MS)
        replay.wait_for_function(
            "(seq) => window.nnlive?.lastFrame?.header.seq === seq", arg=last["seq"], timeout=WAIT_MS
        )
        expect(replay.locator("#connection")).to_have_attribute("data-status", "replay")
        assert sockets == []
        assert not problems
    finally:
        context.close()


SCRIPTS_FRAME_OF_STEP = """(step) => {
  const header = window.nnlive?.lastFrame?.header;
  return header?.step === step && header.modules.length > 0;
}"""


def record_inspect_run(page: Page, live_server: str) -> tuple[bytes, list[bytes], list[float]]:
    """Record /inspect following an SDK run: steps 1–3 and the next module selected. Returns the
    downloaded file, the frames the websocket received from the last one before Record on, and the
    losses of steps 0–3."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 3, 3, padding=1), nn.ReLU())
    received: list[bytes] = []
    sent: list[str | bytes] = []
    page.on(
        "websocket",
        lambda ws: ws.on("framereceived", lambda p: received.append(p) if isinstance(p, bytes) else None),
    )
    # Playwright takes Python functions only, not a builtin such as sent.append.
    page.on("websocket", lambda ws: ws.on("framesent", lambda p: sent.append(p)))  # noqa: PLW0108
    losses: list[float] = []
    run = nnlive.connect(live_server, run="replayed", fps=1000)
    run.watch(model)

    def train_step(step: int) -> None:
        """One logged step; its frame is on the page before the next one goes out (none is dropped).
        The script's frames list its modules: the session's frame from before the first one (which a
        page that joins early receives) lists none, at step 0 too."""
        loss = model(torch.randn(2, 1, 6, 6)).square().mean()
        loss.backward()
        run.log(step=step, loss=loss)
        losses.append(loss.item())
        page.wait_for_function(SCRIPTS_FRAME_OF_STEP, arg=step, timeout=WAIT_MS)

    try:
        page.goto(f"{live_server}/inspect?run=replayed&module=0")
        train_step(0)
        before = len(received)
        page.click("#record")
        for step in (1, 2, 3):
            train_step(step)
        page.keyboard.press("ArrowDown")  # the ReLU: a view change the recording keeps
        page.wait_for_function("() => window.nnlive.selected === '1'", timeout=WAIT_MS)
        with page.expect_download() as download:
            page.click("#record")
    finally:
        run.close()
    assert sent == []  # a viewer: no auth, so it never takes control from the script
    return Path(download.value.path()).read_bytes(), received[before - 1 :], losses


def test_an_inspect_recording_of_an_sdk_run_replays_its_frames_curves_and_selection(
    page: Page, browser: Browser, live_server: str, errors: list[str]
) -> None:
    data, received, losses = record_inspect_run(page, live_server)

    records, frames = recorded_frames(data, "/inspect", received)
    decoded = [decode_frame(r.data) for r in frames]
    assert [h["step"] for h, _ in decoded] == [0, 1, 2, 3]

    context = browser.new_context()
    try:
        replay, sockets, problems = replay_in(context, live_server, data)
        replay.wait_for_url("**/inspect?**replay=**", timeout=WAIT_MS)
        replay.wait_for_function("() => window.nnlive?.lastFrame?.header.step === 0", timeout=WAIT_MS)
        expect(replay.locator("#connection")).to_have_attribute("data-status", "replay")
        expect(replay.locator("#record")).to_be_hidden()
        for k in [2, 0, 3]:
            replay.evaluate(SEEK, frames[k].t)
            replay.wait_for_function(
                "(step) => window.nnlive.lastFrame.header.step === step", arg=k, timeout=WAIT_MS
            )
            shown = replay.evaluate("() => Array.from(window.nnlive.lastFrame.tensors['0'].data)")
            assert shown == decoded[k][1]["0"].array.astype(float).ravel().tolist()
        # At the end: the module the recording selected, every logged loss on the chart, three maps.
        replay.evaluate(SEEK, records[-1].t)
        replay.wait_for_function("() => window.nnlive.selected === '1'", timeout=WAIT_MS)
        chart = replay.evaluate(CHART)
        assert chart["steps"] == [0, 1, 2, 3]
        assert chart["columns"][0] == pytest.approx(losses)
        maps = replay.locator("#activation canvas")  # 3 maps of 6×6 on one canvas, 2 columns a pixel apart
        expect(maps).to_have_count(1)
        expect(maps).to_have_attribute("data-columns", "2")
        expect(maps).to_have_js_property("width", 2 * 6 + 1)
        expect(maps).to_have_js_property("height", 2 * 6 + 1)
        replay.evaluate(SEEK, 0)  # back to the start: the curves start over
        replay.wait_for_function("() => window.nnlive.scalars.view.steps.length === 1", timeout=WAIT_MS)
        assert sockets == []
        assert not problems
    finally:
        context.close()


def test_replay_refuses_a_file_that_is_not_a_recording(
    page: Page, live_server: str, errors: list[str]
) -> None:
    page.goto(f"{live_server}/replay")
    page.set_input_files(
        "#replay-file", files=[{"name": "x.nnrec", "mimeType": "text/plain", "buffer": b"hello world!"}]
    )
    expect(page.locator("#notice")).to_contain_text("not an nnlive recording")
    assert page.url.endswith("/replay")

    # A dropped file goes the same way: a recording of a page this server lacks is refused by name.
    foreign = write_recording({"page": "/elsewhere"}, [])
    dropped = page.evaluate_handle(DATA_TRANSFER, list(foreign))
    page.dispatch_event("#replay-drop", "drop", {"dataTransfer": dropped})
    expect(page.locator("#notice")).to_contain_text("(/elsewhere)")
    assert page.url.endswith("/replay")


def test_a_training_recording_shows_each_frames_step_and_plays_on(
    page: Page, browser: Browser, live_server: str, errors: list[str]
) -> None:
    page.goto(f"{live_server}/lenet")
    page.wait_for_function("() => window.nnlive?.lastFrame", timeout=WAIT_MS)
    expect(page.locator("#role")).to_have_attribute("data-role", "driver")
    page.click("#record")
    page.click("#train")
    page.wait_for_function("() => window.nnlive.lastFrame.header.step >= 30", timeout=WAIT_MS)
    page.click("#train")
    expect(page.locator("#run-state")).to_have_attribute("data-state", "paused")
    with page.expect_download() as download:
        page.click("#record")
    data = Path(download.value.path()).read_bytes()
    frames = [r for r in read_recording(data)[1] if r.kind == "frame"]
    headers = [decode_frame(r.data)[0] for r in frames]
    steps = [h["step"] for h in headers]
    assert steps == sorted(steps)
    assert steps[-1] >= 30

    context = browser.new_context()
    try:
        replay, sockets, problems = replay_in(context, live_server, data)
        replay.wait_for_url("**/lenet?**replay=**", timeout=WAIT_MS)
        replay.wait_for_function("() => window.nnlive?.lastFrame", timeout=WAIT_MS)
        middle = len(frames) // 2
        replay.evaluate(SEEK, frames[middle].t)
        seq = headers[middle]["seq"]
        replay.wait_for_function(
            "(seq) => window.nnlive.lastFrame.header.seq === seq", arg=seq, timeout=WAIT_MS
        )
        expect(replay.locator("#step")).to_have_text(f"Step {steps[middle]}")
        replay.click("#replay-play")
        replay.wait_for_function(
            "(seq) => window.nnlive.lastFrame.header.seq > seq", arg=seq, timeout=WAIT_MS
        )
        expect(replay.locator("#train")).to_be_disabled()
        assert sockets == []
        assert not problems
    finally:
        context.close()
