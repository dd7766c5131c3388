"""The convolution page in Chromium against a real server: the output size, each position's products
against PyTorch's value, unreached rows, presets against F.conv2d, refusals, colours, keys, language.

The page keeps what it last drew in ``window.nnlive`` (lastFrame, session, cell, driving), so the tests
hold the screen against the frame, and the frame against torch run here on the frame's own input.
"""

import math

import httpx
import pytest
import torch
import torch.nn.functional as F
from playwright.sync_api import Browser, Page, expect
from safetensors.torch import load

from e2e import frames
from e2e.frames import WAIT_MS, next_frame, open_page, settled_frame, tensor
from e2e.held import NEXT_ANIMATION_FRAME, HeldSocket

SUM_TOLERANCE = 1.5e-3  # the sums are printed to 3 decimals

# Where cell (row, col) of plane `plane` of a grid lies, scrolled into view: the client point at its
# centre, and the canvas pixel a quarter of the way in from its top-left corner (clear of the printed
# number and of outlines), with that pixel's colour.
LOCATE_CELL = """
([tensor, plane, row, col]) => {
  const canvas = document.querySelector(`[data-tensor="${tensor}"] canvas[data-plane="${plane}"]`);
  canvas.scrollIntoView({ block: "center" });
  const { x0, y0, cell } = Object.fromEntries(Object.entries(canvas.dataset).map(([k, v]) => [k, Number(v)]));
  const box = canvas.getBoundingClientRect();
  const ratio = canvas.width / box.width;
  const px = Math.floor(x0 + (col + 0.25) * cell);
  const py = Math.floor(y0 + (row + 0.25) * cell);
  return {
    x: box.left + (x0 + (col + 0.5) * cell) / ratio,
    y: box.top + (y0 + (row + 0.5) * cell) / ratio,
    pixel: Array.from(canvas.getContext("2d").getImageData(px, py, 1, 1).data.slice(0, 3)),
  };
}
"""

# ColorBrewer RdBu reversed and matplotlib viridis as in static/js/math/colormap.js, written out here.
DIVERGING_POINTS = [
    (5, 48, 97), (33, 102, 172), (67, 147, 195), (146, 197, 222), (209, 229, 240), (247, 247, 247),
    (253, 219, 199), (244, 165, 130), (214, 96, 77), (178, 24, 43), (103, 0, 31),
]  # fmt: skip
DIVERGING_LEVELS = 255


def diverging_colour(value: float, largest: float) -> tuple[int, ...]:
    """The colour of ``value`` on the diverging map over [−largest, largest] (255 levels, 0 white)."""
    t = min(max((value + largest) / (2 * largest), 0.0), 1.0)
    level = math.floor(t * (DIVERGING_LEVELS - 1) + 0.5) / (DIVERGING_LEVELS - 1)
    x = level * (len(DIVERGING_POINTS) - 1)
    i = min(math.floor(x), len(DIVERGING_POINTS) - 2)
    f = x - i
    a, b = DIVERGING_POINTS[i], DIVERGING_POINTS[i + 1]
    return tuple(math.floor(ca + (cb - ca) * f + 0.5) for ca, cb in zip(a, b, strict=True))


def output_at(frame: dict, o: int, row: int, col: int) -> float:
    _, height, width = frame["output"]["shape"]
    return frame["output"]["data"][(o * height + row) * width + col]


def shown_number(page: Page, selector: str) -> float:
    return float(page.locator(selector).inner_text().replace("−", "-"))


def click_cell(page: Page, tensor_name: str, plane: int, row: int, col: int) -> None:
    where = page.evaluate(LOCATE_CELL, [tensor_name, plane, row, col])
    page.mouse.click(where["x"], where["y"])


def expect_products_match(page: Page, frame: dict, o: int, row: int, col: int) -> None:
    """The products shown for cell (o, row, col) add up, printed and exactly, to the server's value."""
    expect(page.locator("#position")).to_contain_text(f"y[{o}, {row}, {col}]")
    server = output_at(frame, o, row, col)
    assert abs(shown_number(page, '#products [data-role="total"]') - server) <= SUM_TOLERANCE
    assert abs(shown_number(page, '#products [data-role="server"]') - server) <= SUM_TOLERANCE
    products = page.eval_on_selector_all(
        "#products td", "(tds) => tds.map((td) => Number(td.dataset.product))"
    )
    f = frame["session"]["config"]["kernel"]
    assert len(products) == frame["session"]["config"]["in_channels"] * f * f
    bias = frame["bias"]["data"][o] if frame["bias"] else 0.0
    assert sum(products) + bias == pytest.approx(server, abs=1e-4)
    expect(page.locator(".convproducts-verdict")).not_to_have_class("convproducts-verdict bad")


def test_n7_f3_p1_s2_gives_4x4_and_a_clicked_cell_shows_products_summing_to_the_server_value(
    page: Page, live_server: str, errors: list[str]
) -> None:
    frame = open_page(page, f"{live_server}/conv?height=7&width=7&kernel=3&padding=1&stride=2")
    assert frame["output"]["shape"] == [1, 4, 4]
    assert frame["session"]["output"] == [1, 4, 4]
    expect(page.locator("#output-shape")).to_have_text("1×4×4")
    formula = page.locator("#formula")
    for side in ("Height H′", "Width W′"):
        expect(formula).to_contain_text(
            f"{side} = ⌊(n − f + 2p)/s⌋ + 1 = ⌊(7 − 3 + 2·1)/2⌋ + 1 = ⌊6/2⌋ + 1 = 3 + 1 = 4"
        )
    expect(formula).to_contain_text("Output: 1 channel(s) of 4×4")

    page.click("#pattern-random")  # every window holds non-zero numbers
    frame = next_frame(page, frame["seq"])
    for row, col in [(2, 1), (0, 3), (3, 3)]:
        click_cell(page, "output", 0, row, col)
        expect_products_match(page, frame, 0, row, col)
    assert "cell=15" in page.url
    # The clicked cell is outlined and every cell before it is filled in.
    assert page.evaluate("window.nnlive.cell") == {"o": 0, "row": 3, "col": 3, "k": 15}


def test_the_rows_and_columns_the_kernel_never_reaches_are_highlighted(
    page: Page, live_server: str, errors: list[str]
) -> None:
    frame = open_page(page, f"{live_server}/conv?height=8&width=8&kernel=3&padding=0&stride=2")
    assert frame["session"]["unreached"] == [1, 1]
    assert frame["output"]["shape"] == [1, 3, 3]
    grid = page.locator('[data-tensor="input"]')
    expect(grid).to_have_attribute("data-unreached-rows", "7")
    expect(grid).to_have_attribute("data-unreached-cols", "7")
    expect(page.locator("#key-unreached")).to_be_visible()
    expect(page.locator("#formula")).to_contain_text(
        "5 mod 2 = 1, so the kernel never reaches the last 1 padded row(s)"
    )
    expect(page.locator("#formula")).to_contain_text("last 1 padded column(s)")

    # A reached cell has exactly its colour-map colour; the unreached row's cell is washed orange.
    page.click("#pattern-checkerboard")  # ones and zeros: viridis' two ends
    frame = next_frame(page, frame["seq"])
    values = frame["input"]["data"]
    reached = page.evaluate(LOCATE_CELL, ["input", 0, 6, 3])
    unreached = page.evaluate(LOCATE_CELL, ["input", 0, 7, 3])
    viridis_ends = {0.0: [68, 1, 84], 1.0: [253, 231, 37]}
    assert reached["pixel"] == viridis_ends[values[6 * 8 + 3]]
    assert unreached["pixel"] != viridis_ends[values[7 * 8 + 3]]
    red, _, blue = unreached["pixel"]
    assert red > blue  # orange over either end of viridis

    # Without a remainder there is nothing to mark.
    frame = open_page(page, f"{live_server}/conv?height=7&width=7&kernel=3&padding=0&stride=2")
    assert frame["session"]["unreached"] == [0, 0]
    expect(grid).to_have_attribute("data-unreached-rows", "")
    expect(page.locator("#key-unreached")).to_be_hidden()


def test_a_preset_changes_the_output_to_what_torch_computes(
    page: Page, live_server: str, errors: list[str]
) -> None:
    query = "height=9&width=6&in_channels=2&out_channels=2&kernel=3&padding=2&stride=2&dilation=2"
    digit = open_page(page, f"{live_server}/conv?{query}")
    page.click("#pattern-random")
    frame = next_frame(page, digit["seq"])
    before = tensor(frame["output"])
    page.click('[data-preset="sobel_x"]')
    frame = next_frame(page, frame["seq"])
    session = frame["session"]
    weights = load(httpx.get(f"{live_server}/api/sessions/{session['id']}/weights").content)
    sobel_x = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
    assert torch.equal(weights["weight"][0], sobel_x.expand(2, 3, 3))
    assert torch.equal(weights["weight"], tensor(frame["weight"]))

    c = session["config"]
    expected = F.conv2d(
        tensor(frame["input"])[None],
        weights["weight"],
        weights["bias"],
        stride=c["stride"],
        padding=c["padding"],
        dilation=c["dilation"],
    )[0]
    shown = tensor(frame["output"])
    assert shown.shape == expected.shape == torch.Size(session["output"])
    assert torch.allclose(shown, expected, atol=1e-5)
    assert not torch.allclose(shown[0], before[0])
    assert torch.equal(tensor(frame["relu"]), expected.clamp(min=0))

    click_cell(page, "output", 1, 1, 2)  # the second kernel kept its random weights
    expect_products_match(page, frame, 1, 1, 2)

    # A new stride starts a new session; the input and the kernels come along (the input first, so the
    # frame that shows the carried kernels shows the carried input too).
    page.fill('#settings [name="stride"]', "1")
    page.press('#settings [name="stride"]', "Enter")
    page.wait_for_function(
        """(id) => { const n = window.nnlive; return n.session.id !== id && n.lastFrame?.header.session !== id
          && n.lastFrame.tensors.weight.data[0] === -1 && n.lastFrame.tensors.weight.data[1] === 0; }""",
        arg=session["id"],
        timeout=WAIT_MS,
    )
    carried = page.evaluate(frames.READ_FRAME)
    assert carried["session"]["config"]["stride"] == 1
    assert torch.equal(tensor(carried["weight"]), weights["weight"])
    assert torch.equal(tensor(carried["input"]), tensor(frame["input"]))
    assert not torch.equal(tensor(carried["input"]), tensor(digit["input"]))


# (the page's query, the field set, the value refused, what the server says)
REFUSALS = [
    ("height=3&width=3&padding=0&kernel=3", "kernel", "5", "the kernel spans d·(f − 1) + 1 = 5 pixels"),
    ("", "stride", "0", "must be at least 1"),
    ("", "in_channels", "10000", "must be at most 3"),
]


@pytest.mark.parametrize("refusal", REFUSALS, ids=[field for _, field, _, _ in REFUSALS])
def test_a_refused_setting_shows_the_servers_message_and_the_view_keeps_working(
    page: Page, live_server: str, errors: list[str], refusal: tuple[str, str, str, str]
) -> None:
    query, field, value, message = refusal
    frame = open_page(page, f"{live_server}/conv?{query}")
    session = frame["session"]["id"]
    page.fill(f'#settings [name="{field}"]', value)
    page.press(f'#settings [name="{field}"]', "Enter")
    slot = page.locator(f'[data-error-for="{field}"]')
    expect(slot).to_be_visible()
    expect(slot).to_contain_text("Refused:")
    expect(slot).to_contain_text(message)
    expect(page.locator(f'#settings [name="{field}"]')).to_have_attribute("aria-invalid", "true")

    # The previous session goes on: stepping still shows products equal to its output.
    assert page.evaluate("window.nnlive.session.id") == session
    page.locator("h1").click()  # keys go to the page, not the field
    page.keyboard.press("End")
    page.keyboard.press("ArrowLeft")
    cell = page.evaluate("window.nnlive.cell")
    expect_products_match(page, page.evaluate(frames.READ_FRAME), cell["o"], cell["row"], cell["col"])
    page.click("#pattern-checkerboard")
    next_frame(page, frame["seq"])

    # A good value then replaces the session, and the refusal goes away.
    page.fill(f'#settings [name="{field}"]', "2")
    page.press(f'#settings [name="{field}"]', "Enter")
    page.wait_for_function("(id) => window.nnlive.session.id !== id", arg=session, timeout=WAIT_MS)
    expect(slot).to_be_hidden()
    assert page.evaluate("window.nnlive.session.config")[field] == 2


def test_an_output_pixel_has_the_colour_of_the_servers_value(
    page: Page, live_server: str, errors: list[str]
) -> None:
    frame = open_page(page, f"{live_server}/conv?height=9&width=9&kernel=3&padding=1&stride=1")
    page.keyboard.press("End")  # every output cell computed
    values = frame["output"]["data"]
    largest = max(abs(v) for v in values)
    expect(page.locator("#output-legend .legend")).to_have_attribute("data-kind", "diverging")
    width = frame["output"]["shape"][2]
    strongest = max(range(len(values)), key=lambda k: abs(values[k]))
    middling = min(range(len(values)), key=lambda k: abs(abs(values[k]) - largest / 3))
    for k in (strongest, middling, 0):
        row, col = divmod(k, width)
        pixel = page.evaluate(LOCATE_CELL, ["output", 0, row, col])["pixel"]
        expected = diverging_colour(values[k], largest)
        assert all(abs(a - b) <= 1 for a, b in zip(pixel, expected, strict=True)), (
            k,
            values[k],
            pixel,
            expected,
        )


def test_keys_step_play_and_jump_and_the_url_keeps_the_view(
    page: Page, browser: Browser, live_server: str, errors: list[str]
) -> None:
    open_page(page, f"{live_server}/conv?height=5&width=5&kernel=3&padding=0&stride=1")
    position = page.locator("#position")
    expect(position).to_contain_text("Position 1 of 9")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("s")
    expect(position).to_contain_text("Position 3 of 9: y[0, 0, 2]")
    page.keyboard.press("ArrowLeft")
    expect(position).to_contain_text("Position 2 of 9")
    page.keyboard.press("End")
    expect(position).to_contain_text("Position 9 of 9: y[0, 2, 2]")
    page.keyboard.press("Home")
    expect(position).to_contain_text("Position 1 of 9")

    # The fastest offered speed: 20 positions a second.
    page.locator("#speed").evaluate(
        "(slider) => { slider.value = slider.max; slider.dispatchEvent(new Event('input')); }"
    )
    expect(page.locator("#speed-value")).to_have_text("20 per second")
    page.keyboard.press(" ")
    expect(page.locator("#play")).to_have_class("primary running")
    expect(position).to_contain_text("Position 9 of 9")
    expect(page.locator("#play")).to_have_class("primary")  # stopped at the end
    page.keyboard.press("ArrowLeft")
    assert "cell=7" in page.url
    assert "speed=20" in page.url

    # The link reproduces the view for a viewer: same cell, same speed, controls disabled.
    context = browser.new_context()
    try:
        viewer = context.new_page()
        viewer.goto(page.url)
        viewer.wait_for_function("window.nnlive?.lastFrame", timeout=WAIT_MS)
        expect(viewer.locator("#role")).to_have_attribute("data-role", "viewer")
        expect(viewer.locator("#position")).to_contain_text("Position 8 of 9: y[0, 2, 1]")
        expect(viewer.locator("#speed-value")).to_have_text("20 per second")
        expect(viewer.locator('#settings [name="kernel"]')).to_be_disabled()
        expect(viewer.locator('[data-preset="edge"]')).to_be_disabled()
        expect(viewer.locator("#pattern-random")).to_be_disabled()
        viewer.keyboard.press("Home")  # the animation is the viewer's own
        expect(viewer.locator("#position")).to_contain_text("Position 1 of 9")
        expect(position).to_contain_text("Position 8 of 9")
    finally:
        context.close()


def test_a_drawing_and_typed_numbers_become_the_input(
    page: Page, live_server: str, errors: list[str]
) -> None:
    frame = open_page(page, f"{live_server}/conv?height=6&width=5&in_channels=2&padding=1")
    page.click("#draw-details summary")
    box = page.locator("#drawpad canvas").bounding_box()
    assert box
    page.mouse.move(box["x"] + 0.2 * box["width"], box["y"] + 0.5 * box["height"])
    page.mouse.down()
    page.mouse.move(box["x"] + 0.8 * box["width"], box["y"] + 0.5 * box["height"], steps=8)
    page.mouse.up()
    next_frame(page, frame["seq"])
    frame = settled_frame(page)  # the answer to the last stroke: no newer frame comes
    drawn = tensor(frame["input"])
    assert drawn.shape == (2, 6, 5)
    assert torch.equal(drawn[0], drawn[1])
    assert 0 < drawn.max() <= 1
    assert drawn.min() >= 0
    assert drawn[:, 2:4].sum() > drawn[:, 0].sum()  # ink across the middle rows

    page.click("#input-type")
    cell = page.locator(".gridedit-cell").nth(7)  # channel 0, row 1, column 2
    cell.fill("−2.5")
    cell.press("Enter")
    frame = next_frame(page, frame["seq"])
    typed = tensor(frame["input"])
    assert typed[0, 1, 2] == -2.5
    assert torch.allclose(typed[1], drawn[1], atol=5e-3)  # the editor shows 3 significant digits
    click_cell(page, "output", 0, 1, 2)
    expect_products_match(page, frame, 0, 1, 2)


def test_the_language_switch_translates_the_page(page: Page, live_server: str, errors: list[str]) -> None:
    open_page(page, f"{live_server}/conv?height=8&width=8&kernel=3&padding=0&stride=2")
    expect(page.locator("#play")).to_have_text("▶ Play")
    page.click('button[data-lang="zh-CN"]')
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("h1")).to_have_text("卷积")
    expect(page.locator("#play")).to_have_text("▶ 播放")
    expect(page.locator("#formula")).to_contain_text("高度 H′ = ⌊(n − f + 2p)/s⌋ + 1")
    expect(page.locator("#formula")).to_contain_text("所以卷积核永远到不了填充后输入的最后 1 行")
    expect(page.locator("#position")).to_contain_text("第 1 个位置，共 9 个")
    expect(page.locator(".convproducts-summary")).to_contain_text("各通道之和，加上偏置")
    expect(page.locator('[data-preset="box_blur"]')).to_have_text("均值模糊")
    expect(page.locator('[data-tensor="output"] figcaption')).to_have_text("通道 0")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#position")).to_contain_text("第 2 个位置")
    page.click('button[data-lang="en"]')
    expect(page.locator("#play")).to_have_text("▶ Play")
    expect(page.locator("#position")).to_contain_text("Position 2 of 9")


def test_a_sample_asked_for_right_after_drawing_stays_the_servers_input(
    page: Page, live_server: str, errors: list[str]
) -> None:
    """As on /lenet: a drawing queued behind an unanswered forward never goes after a dataset sample."""
    socket = HeldSocket(page)
    open_page(page, f"{live_server}/conv")
    page.click("#draw-details summary")
    box = page.locator("#drawpad canvas").bounding_box()
    assert box
    socket.holding = True
    page.mouse.move(box["x"] + 0.2 * box["width"], box["y"] + 0.3 * box["height"])
    page.mouse.down()
    page.mouse.move(box["x"] + 0.8 * box["width"], box["y"] + 0.7 * box["height"], steps=12)
    page.mouse.up()
    page.evaluate(NEXT_ANIMATION_FRAME)  # the pad emits its last strokes
    assert socket.inputs == ["forward"], "the first drawing's forward waits for its answer"
    page.click("#sample-show")
    page.evaluate(NEXT_ANIMATION_FRAME)
    assert socket.inputs == ["forward", "sample"]
    socket.release()

    settled_frame(page, "() => null")
    assert socket.inputs == ["forward", "sample"], "no drawing goes after the sample"
