"""The LeNet-5 page in Chromium against a real server: drawing, training, language, viewers, colours.

The page keeps what it last drew in ``window.nnlive`` (lastFrame: the decoded frame, curves: the
loss and accuracy views, role), so the tests compare the screen with the server's own numbers.
"""

import pytest
from playwright.sync_api import Browser, Page, expect

from e2e.frames import MAP_PIXEL, settled_frame
from e2e.held import NEXT_ANIMATION_FRAME, HeldSocket

WAIT_MS = 30_000

# End colours of the maps (static/js/math/colormap.js), written out independently of it.
VIRIDIS_TOP = (253, 231, 37)
VIRIDIS_BOTTOM = (68, 1, 84)
RDBU_POSITIVE_END = (103, 0, 31)
RDBU_NEGATIVE_END = (5, 48, 97)

# Per tensor shown as feature maps: its values (dequantized) and, for its largest and smallest
# value, the value, whether any value is negative, and the canvas pixel at the centre of that cell.
READ_EXTREMES = f"""
(name) => {{
  const mapPixel = {MAP_PIXEL};
  const tensor = window.nnlive.lastFrame.tensors[name];
  const [lo, hi] = tensor.range ?? [0, 255];
  const values = Array.from(tensor.data, (v) => (tensor.range ? lo + ((hi - lo) * v) / 255 : v));
  const [height, width] = tensor.shape.slice(-2);
  const canvas = document.querySelector(`[data-tensor="${{name}}"] .featuremaps canvas`);
  const pixelOf = (index) => {{
    const channel = Math.floor(index / (height * width));
    const y = Math.floor((index % (height * width)) / width);
    return mapPixel(canvas, [height, width], channel, y, index % width).slice(0, 3);
  }};
  let max = 0;
  let min = 0;
  values.forEach((v, i) => {{
    if (v > values[max]) max = i;
    if (v < values[min]) min = i;
  }});
  return {{
    anyNegative: values[min] < 0,
    max: {{ value: values[max], pixel: pixelOf(max) }},
    min: {{ value: values[min], pixel: pixelOf(min) }},
  }};
}}
"""

# A panel's canvas (feature maps, or a strip: one map of [1, width]): for each map, how many distinct
# colours it shows and whether its pixels are opaque; and whether every pixel outside the maps is clear.
READ_CANVASES = f"""
(name) => {{
  const mapPixel = {MAP_PIXEL};
  const canvas = document.querySelector(`[data-tensor="${{name}}"] canvas`);
  const shape = window.nnlive.lastFrame.tensors[name].shape;
  const [height, width] = shape.length >= 2 ? shape.slice(-2) : [1, shape[0]];
  const count = shape.slice(0, -2).reduce((n, d) => n * d, 1);
  if (shape.length < 2) canvas.dataset.columns = "1";
  const maps = [];
  let covered = 0;
  for (let c = 0; c < count; c++) {{
    const colours = new Set();
    let opaque = true;
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {{
      const [r, g, b, a] = mapPixel(canvas, [height, width], c, y, x);
      colours.add((r << 16) | (g << 8) | b);
      opaque &&= a === 255;
      covered++;
    }}
    maps.push({{ colours: colours.size, opaque }});
  }}
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  const opaquePixels = data.filter((_, i) => i % 4 === 3 && data[i] === 255).length;
  return {{ maps, restClear: opaquePixels === covered }};
}}
"""

TRAIN_LOSSES = "window.nnlive.curves.loss.columns[0].filter((v) => v !== null)"


def open_lenet(page: Page, url: str) -> None:
    """Open the page and wait until it has drawn a frame."""
    page.goto(url)
    page.wait_for_function("window.nnlive?.lastFrame", timeout=WAIT_MS)


def draw_seven(page: Page) -> None:
    """Draw a 7 on the drawpad with the mouse."""
    box = page.locator("#drawpad canvas").bounding_box()
    assert box

    def at(fx: float, fy: float) -> tuple[float, float]:
        return box["x"] + fx * box["width"], box["y"] + fy * box["height"]

    page.mouse.move(*at(0.25, 0.2))
    page.mouse.down()
    for fx, fy in [(0.45, 0.2), (0.7, 0.2), (0.6, 0.45), (0.5, 0.65), (0.42, 0.85)]:
        page.mouse.move(*at(fx, fy), steps=6)
    page.mouse.up()


def expected_extreme_colour(extreme: dict, any_negative: bool) -> tuple[int, int, int]:
    """The colour the map rule gives the largest-magnitude value of a tensor."""
    if any_negative:
        return RDBU_POSITIVE_END if extreme["value"] > 0 else RDBU_NEGATIVE_END
    return VIRIDIS_TOP


def test_drawing_shows_feature_maps_and_the_servers_prediction(
    page: Page, live_server: str, errors: list[str]
) -> None:
    open_lenet(page, f"{live_server}/lenet")
    assert "?session=" in page.url
    before = page.evaluate("window.nnlive.lastFrame.header.seq")
    draw_seven(page)
    page.wait_for_function(
        "(seq) => { const h = window.nnlive.lastFrame.header; return h.seq > seq && h.reply_to !== null; }",
        arg=before,
        timeout=WAIT_MS,
    )
    settled_frame(page)  # the answer to the last stroke: no newer frame comes

    for name in ("input", "c1", "s2", "c3", "s4", "c5", "f6"):
        canvas = page.evaluate(READ_CANVASES, name)
        assert canvas["maps"], name
        assert all(m["opaque"] for m in canvas["maps"]), name
        assert canvas["restClear"], f"{name}: the pixels between the maps are transparent"
        assert any(m["colours"] > 1 for m in canvas["maps"]), f"{name} is blank"

    shown = page.evaluate(
        """() => ({
          pred: window.nnlive.lastFrame.header.pred,
          probs: Array.from(window.nnlive.lastFrame.tensors.probs.data),
          text: document.querySelector('.bars-prediction').textContent,
          highlighted: Array.from(document.querySelectorAll('.bars-list li'))
            .findIndex((li) => li.classList.contains('predicted')),
        })"""
    )
    argmax = max(range(10), key=lambda i: shown["probs"][i])
    assert shown["pred"] == argmax
    assert shown["highlighted"] == argmax
    assert shown["text"].strip().endswith(str(argmax))
    expect(page.locator('[data-tensor="c1"] .panel-title')).to_contain_text(
        "C1 6@28×28 = ⌊(32 − 5 + 2·0)/1⌋ + 1"
    )


def test_colours_follow_the_servers_values(page: Page, live_server: str, errors: list[str]) -> None:
    """The extreme value of each map lands on the end colour of the map its data calls for."""
    open_lenet(page, f"{live_server}/lenet")
    for name in ("input", "c1", "c3", "c1.weight"):
        read = page.evaluate(READ_EXTREMES, name)
        negative = read["anyNegative"] or name.endswith(".weight")
        top = read["max"] if abs(read["max"]["value"]) >= abs(read["min"]["value"]) else read["min"]
        assert tuple(top["pixel"]) == expected_extreme_colour(top, negative), name
        if not negative and read["min"]["value"] == 0:
            assert tuple(read["min"]["pixel"]) == VIRIDIS_BOTTOM, name


def test_training_feeds_the_loss_curve_and_the_loss_falls(
    page: Page, live_server: str, errors: list[str]
) -> None:
    open_lenet(page, f"{live_server}/lenet")
    page.click("#train")
    expect(page.locator("#run-state")).to_have_attribute("data-state", "training")
    page.wait_for_function(f"{TRAIN_LOSSES}.length >= 30", timeout=WAIT_MS)
    page.click("#train")
    expect(page.locator("#run-state")).to_have_attribute("data-state", "paused")
    losses = page.evaluate(TRAIN_LOSSES)
    assert sum(losses[-5:]) / 5 < 0.6 * losses[0], losses
    steps = page.evaluate("window.nnlive.state.step")
    expect(page.locator("#step")).to_contain_text(str(steps))


def test_keyboard_drives_training_and_gradients(page: Page, live_server: str, errors: list[str]) -> None:
    open_lenet(page, f"{live_server}/lenet")
    expect(page.locator("#train")).to_be_enabled()
    page.keyboard.press("s")
    page.wait_for_function("window.nnlive.state?.step === 1", timeout=WAIT_MS)
    page.keyboard.press("ArrowRight")
    page.wait_for_function("window.nnlive.state?.step === 2", timeout=WAIT_MS)

    page.keyboard.press("g")
    page.wait_for_function(
        "window.nnlive.lastFrame.header.grads && 'c1.grad' in window.nnlive.lastFrame.tensors",
        timeout=WAIT_MS,
    )
    expect(page.locator('[data-tensor="c1"] .panel-badge')).to_be_visible()
    expect(page.locator("#grad-scale .legend")).to_have_attribute("data-kind", "diverging")
    expect(page.locator("#grads")).to_be_checked()

    page.keyboard.press(" ")
    expect(page.locator("#run-state")).to_have_attribute("data-state", "training")
    page.keyboard.press(" ")
    expect(page.locator("#run-state")).to_have_attribute("data-state", "paused")

    page.keyboard.press("r")
    page.wait_for_function("window.nnlive.state?.step === 0", timeout=WAIT_MS)
    page.keyboard.press("g")
    page.wait_for_function("window.nnlive.lastFrame.header.grads === false", timeout=WAIT_MS)
    expect(page.locator('[data-tensor="c1"] .panel-badge')).to_be_hidden()


def test_dataset_sample_shows_its_label(page: Page, live_server: str, errors: list[str]) -> None:
    open_lenet(page, f"{live_server}/lenet")
    page.select_option("#sample-split", "train")
    page.fill("#sample-index", "3")
    page.click("#sample-show")
    page.wait_for_function("window.nnlive.lastFrame.header.reply_to !== null", timeout=WAIT_MS)
    label = page.evaluate("window.nnlive.lastFrame.header.label")
    assert label in range(10)
    expect(page.locator(".bars-list li.truth")).to_have_count(1)
    expect(page.locator(".bars-list li.truth .bars-class")).to_have_text(str(label))


def test_a_sample_clicked_right_after_drawing_stays_the_servers_input(
    page: Page, live_server: str, errors: list[str]
) -> None:
    """Draw, then ask for a sample while the drawing's forward is still unanswered: a drawing queued
    behind that forward must not reach the server after the sample; the sample's frame is the last."""
    socket = HeldSocket(page)
    open_lenet(page, f"{live_server}/lenet")
    socket.holding = True
    draw_seven(page)
    page.evaluate(NEXT_ANIMATION_FRAME)  # the pad emits its last strokes
    assert socket.inputs == ["forward"], "the first drawing's forward waits for its answer"
    page.select_option("#sample-split", "train")
    page.fill("#sample-index", "3")
    page.click("#sample-show")
    page.evaluate(NEXT_ANIMATION_FRAME)
    assert socket.inputs == ["forward", "sample"]
    socket.release()

    frame = settled_frame(page, "() => window.nnlive.lastFrame.header")
    assert socket.inputs == ["forward", "sample"], "no drawing goes after the sample"
    assert frame["label"] in range(10), "the last frame answers the sample"
    expect(page.locator(".bars-list li.truth .bars-class")).to_have_text(str(frame["label"]))


def test_language_switch_retranslates_live_and_is_remembered(
    page: Page, live_server: str, errors: list[str]
) -> None:
    open_lenet(page, f"{live_server}/lenet")
    expect(page.locator("#train")).to_have_text("Train")
    page.click('button[data-lang="zh-CN"]')
    expect(page.locator("#train")).to_have_text("训练")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("#step")).to_have_text("第 0 步")
    expect(page.locator(".bars-prediction")).to_contain_text("预测")

    page.reload()
    page.wait_for_function("window.nnlive?.lastFrame", timeout=WAIT_MS)
    expect(page.locator("#train")).to_have_text("训练")
    page.click('button[data-lang="en"]')
    expect(page.locator("#train")).to_have_text("Train")
    expect(page.locator(".bars-prediction")).to_contain_text("Prediction")


def test_viewer_watches_with_controls_disabled(
    page: Page, browser: Browser, live_server: str, errors: list[str]
) -> None:
    open_lenet(page, f"{live_server}/lenet")
    expect(page.locator("#role")).to_have_attribute("data-role", "driver")

    context = browser.new_context()
    try:
        viewer = context.new_page()
        open_lenet(viewer, page.url)
        expect(viewer.locator("#connection")).to_have_attribute("data-status", "open")
        expect(viewer.locator("#role")).to_have_attribute("data-role", "viewer")
        for control in ("#train", "#step-once", "#reset", "#lr", "#optimizer", "#batch-size", "#grads"):
            expect(viewer.locator(control)).to_be_disabled()
        expect(viewer.locator("#sample-show")).to_be_disabled()
        expect(viewer.locator(".drawpad")).to_have_class("drawpad disabled")

        page.click("#train")
        expect(viewer.locator("#run-state")).to_have_attribute("data-state", "training")
        viewer.keyboard.press(" ")  # a viewer's keys do nothing
        page.click("#train")
        expect(viewer.locator("#run-state")).to_have_attribute("data-state", "paused")
        expect(page.locator("#viewers")).to_have_text("1 watching")  # the presenter is not counted
    finally:
        context.close()


# Marks every canvas and legend of the panels, and counts elements added under them from now on.
WATCH_PANELS = """
() => {
  const panels = document.querySelectorAll("#input-panel, #layers, #kernels-panel, #output-panel");
  window.panelCanvases = [...document.querySelectorAll("[data-tensor] canvas")];
  window.added = 0;
  const observer = new MutationObserver((list) => {
    for (const m of list) window.added += [...m.addedNodes].filter((n) => n.nodeType === 1).length;
  });
  panels.forEach((panel) => observer.observe(panel, { childList: true, subtree: true }));
  return window.nnlive.frames;
}
"""


def test_training_frames_repaint_the_same_canvases_one_pixel_per_value(
    page: Page, live_server: str, errors: list[str]
) -> None:
    open_lenet(page, f"{live_server}/lenet")
    page.check("#grads")
    page.click("#train")
    page.wait_for_function("() => window.nnlive.lastFrame.header.grads", timeout=WAIT_MS)
    drawn = page.evaluate(WATCH_PANELS)
    page.wait_for_function("(n) => window.nnlive.frames >= n + 5", arg=drawn, timeout=WAIT_MS)
    page.click("#train")
    kept = page.evaluate(
        """() => {
          const sizes = (query) => [...document.querySelectorAll(query)].map((c) => [c.width, c.height]);
          return {
          added: window.added,
          same: window.panelCanvases.every((canvas) => canvas.isConnected),
          before: window.panelCanvases.length,
          now: document.querySelectorAll("[data-tensor] canvas").length,
          c1: sizes('[data-tensor="c1"] .featuremaps canvas'),
          c1Columns: document.querySelector('[data-tensor="c1"] .featuremaps canvas').dataset.columns,
          c3: sizes('[data-tensor="c3"] .featuremaps canvas'),
          c5: sizes('[data-tensor="c5"] .strip canvas'),
        }; }"""
    )
    assert kept["added"] == 0, "nothing is created while frames are drawn"
    assert kept["same"]
    assert kept["now"] == kept["before"]
    # One canvas per tensor, one pixel per value, a pixel between maps: C1's 6 maps of 28×28 in 3
    # columns and 2 rows, C3's 16 maps of 10×10 in 4 and 4.
    assert kept["c1"] == [[3 * 28 + 2, 2 * 28 + 1]]
    assert kept["c1Columns"] == "3"
    assert kept["c3"] == [[4 * 10 + 3, 4 * 10 + 3]]
    assert kept["c5"] == [[120, 1]]


# The value (y, x) of map `channel` of a tensor as the server sent it (dequantized when quantized).
SENT_VALUE = """
([name, channel, y, x]) => {
  const tensor = window.nnlive.lastFrame.tensors[name];
  const [height, width] = tensor.shape.slice(-2);
  const raw = tensor.data[(channel * height + y) * width + x];
  return tensor.range ? tensor.range[0] + ((tensor.range[1] - tensor.range[0]) * raw) / 255 : raw;
}
"""


def test_the_readout_names_the_map_and_cell_under_the_pointer_and_nothing_over_a_gap(
    page: Page, live_server: str, errors: list[str]
) -> None:
    """C3's 16 maps of 10×10 on one canvas in 4 columns, a pixel apart: at a phone's width the pointer
    over map 6's cell (3, 7) reads that value; over the gap after map 5 it reads nothing."""
    page.set_viewport_size({"width": 390, "height": 844})
    open_lenet(page, f"{live_server}/lenet")
    draw_seven(page)
    settled_frame(page, "() => null")
    canvas = page.locator('[data-tensor="c3"] .featuremaps canvas')
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box
    size = page.evaluate("(c) => [c.width, c.height, Number(c.dataset.columns)]", canvas.element_handle())
    assert size == [4 * 11 - 1, 4 * 11 - 1, 4]

    def point(px: float, py: float) -> tuple[float, float]:
        return box["x"] + px / size[0] * box["width"], box["y"] + py / size[1] * box["height"]

    readout = page.locator('[data-tensor="c3"] .featuremaps output.readout')
    page.mouse.move(*point(2 * 11 + 7 + 0.5, 1 * 11 + 3 + 0.5))  # map 6: row 1, column 2
    value = page.evaluate(SENT_VALUE, ["c3", 6, 3, 7])
    text = readout.text_content() or ""
    assert text.startswith("map 6, row 3, column 7: "), text
    assert float(text.rsplit(": ", 1)[1]) == pytest.approx(value, rel=5e-3, abs=1e-6)
    page.mouse.move(*point(2 * 11 - 0.5, 1 * 11 + 3 + 0.5))  # the gap between maps 5 and 6
    expect(readout).to_have_text("")
