"""LeNet's classifier head on /lenet, and the Step pill, in Chromium against a real server.

The head is off until turned on; then the frames carry flatten and the matrices, and the page writes
each step out. The tests hold what it prints against the frame (the server's torch) and against a
recomputation in torch here from the same frame.
"""

import math

import torch
from playwright.sync_api import Browser, Page, expect

from e2e.frames import WAIT_MS, tensor

# The head's tensors of the last drawn frame as {shape, data}, with header and dtype.
READ_HEAD = """
() => {
  const { header, tensors } = window.nnlive.lastFrame;
  const names = ["flat", "s4", "f6", "out", "probs", "out.weight", "out.bias"];
  const plain = (name) => [name, { shape: tensors[name].shape, data: Array.from(tensors[name].data) }];
  return { header, dtype: tensors.flat.dtype, ...Object.fromEntries(names.map(plain)) };
}
"""


def open_lenet(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_function(
        "() => window.nnlive?.lastFrame && window.nnlive.role === 'driver'", timeout=WAIT_MS
    )


def turn_head_on(page: Page) -> dict:
    """Tick the head's box and wait for a frame that carries it (while paused: no training needed)."""
    page.check("#head-toggle")
    page.wait_for_function("() => window.nnlive.lastFrame.tensors.flat !== undefined", timeout=WAIT_MS)
    expect(page.locator("#head")).to_be_visible()
    return page.evaluate(READ_HEAD)


def hover_row(page: Page, layer: str, row: int, rows: int) -> None:
    """Put the pointer on row ``row`` of a layer's W."""
    matrix = page.locator(f'.headmatvec[data-layer="{layer}"] .headmatvec-matrix')
    matrix.scroll_into_view_if_needed()
    box = matrix.bounding_box()
    assert box
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + (row + 0.5) * box["height"] / rows)


def test_the_step_pill_follows_the_frames_while_training(
    page: Page, live_server: str, errors: list[str]
) -> None:
    open_lenet(page, f"{live_server}/lenet")
    page.click("#train")
    page.wait_for_function("() => window.nnlive.lastFrame.header.step >= 20", timeout=WAIT_MS)
    shown = int(page.locator("#step").inner_text().split()[-1])
    assert shown >= 20, "the pill moved on with the frames"
    assert page.evaluate("window.nnlive.state.step") == 0, "no state message carried the steps"
    page.click("#train")
    expect(page.locator("#run-state")).to_have_attribute("data-state", "paused")


def test_the_head_is_off_by_default_and_shows_its_matrices_when_on(
    page: Page, live_server: str, errors: list[str]
) -> None:
    open_lenet(page, f"{live_server}/lenet")
    expect(page.locator("#head-toggle")).not_to_be_checked()
    expect(page.locator("#head")).to_be_hidden()
    assert "flat" not in page.evaluate("Object.keys(window.nnlive.lastFrame.tensors)")

    frame = turn_head_on(page)
    assert "head=1" in page.url
    for layer, (rows, cols) in {"c5": (120, 400), "f6": (84, 120), "out": (10, 84)}.items():
        size = page.eval_on_selector(f'[data-layer="{layer}"] .headmatvec-w', "(c) => [c.height, c.width]")
        assert size == [rows, cols], layer
    flat, s4 = tensor(frame["flat"]), tensor(frame["s4"])
    assert torch.equal(flat, s4.flatten()), "the server's flatten is S4 row by row"

    page.locator('[data-tensor="head-flat"] .valuegrid-cell[data-index="138"]').hover()
    expect(page.locator('[data-tensor="head-s4"] .valuegrid-cell.partner')).to_have_attribute(
        "data-index", "138"
    )
    expect(page.locator(".headflat-line")).to_contain_text("flat[138] = S4[5, 2, 3]")
    expect(page.locator(".headflat-line")).to_contain_text("138 = 5·25 + 2·5 + 3")

    page.uncheck("#head-toggle")
    page.wait_for_function("() => window.nnlive.lastFrame.tensors.flat === undefined", timeout=WAIT_MS)
    expect(page.locator("#head")).to_be_hidden()
    assert "head=0" in page.url


def test_a_hovered_output_units_sum_is_the_servers_logit(
    page: Page, live_server: str, errors: list[str]
) -> None:
    open_lenet(page, f"{live_server}/lenet")
    frame = turn_head_on(page)
    weight, bias, f6, out = (tensor(frame[n]) for n in ("out.weight", "out.bias", "f6", "out"))
    ours = weight.double() @ f6.double() + bias.double()
    for j in (0, 4, 7, 9):
        hover_row(page, "out", j, 10)
        unit = page.locator('.headmatvec[data-layer="out"]')
        expect(unit).to_have_attribute("data-unit", str(j))
        total = float(unit.locator(".headmatvec-total").inner_text())
        # float16 frames: the sum of 84 rounded products and the server's rounded logit agree to ~1e-3.
        assert abs(total - out[j].item()) <= 2e-3 + 5e-3 * abs(out[j].item()), (j, total, out[j].item())
        assert abs(total - ours[j].item()) <= 5e-3 * abs(ours[j].item()) + 1e-6, "the page sums W·x + b"
        expect(unit.locator(".headmatvec-check")).to_have_class("headmatvec-check agree")
        expect(unit.locator(".headmatvec-server")).to_contain_text(f"out[{j}] = ")


def test_softmax_numbers_are_the_servers_probabilities(
    page: Page, live_server: str, errors: list[str]
) -> None:
    open_lenet(page, f"{live_server}/lenet")
    frame = turn_head_on(page)
    probs, logits = tensor(frame["probs"]), tensor(frame["out"])
    lines = page.locator(".headsoftmax-prob").all_inner_texts()
    assert len(lines) == 10
    shown = [float(line.split("=")[-1]) for line in lines]
    servers = [float(text.split()[0]) for text in page.locator(".headsoftmax-server").all_inner_texts()]
    for i, p in enumerate(shown):
        # Both printed to three significant digits: the division and the server's probability.
        assert abs(p - probs[i].item()) <= 5e-3 * probs[i].item() + 1e-4, (i, p, probs[i].item())
        unit = 10 ** (math.floor(math.log10(p)) - 2)  # one in the third significant digit
        assert abs(p - servers[i]) <= 1.01 * unit, (i, p, servers[i])
    assert abs(sum(shown) - 1) < 5e-3
    total = float(page.locator(".headsoftmax-sum").inner_text())
    assert abs(total - logits.double().exp().sum().item()) <= 5e-3 * total
    expect(page.locator(".headsoftmax-check.agree")).to_have_count(10)
    expect(page.locator(".headsoftmax tr.predicted th")).to_have_text(str(frame["header"]["pred"]))


def test_a_viewer_sees_the_drivers_head_without_its_switch(
    page: Page, browser: Browser, live_server: str, errors: list[str]
) -> None:
    open_lenet(page, f"{live_server}/lenet")
    turn_head_on(page)
    context = browser.new_context()
    try:
        viewer = context.new_page()
        viewer.goto(page.url)
        viewer.wait_for_function(
            "() => window.nnlive?.lastFrame?.tensors.flat !== undefined", timeout=WAIT_MS
        )
        expect(viewer.locator("#head")).to_be_visible()
        expect(viewer.locator("#head-toggle")).to_be_disabled()
        expect(viewer.locator("#head-toggle")).to_be_checked()
    finally:
        context.close()
