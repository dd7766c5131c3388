"""/losses in Chromium against a real server: editing a prediction (the table, or a dragged bar) changes
the shown loss to the server's, which equals torch's; cross-entropy shows log_softmax + NLL equal; a raw
logit sent to BCE is refused naming the field and the page keeps its last frame; a viewer follows."""

import pytest
import torch
from playwright.sync_api import Browser, Page, expect

from e2e.frames import WAIT_MS

READ = """
() => {
  const { header, tensors } = window.nnlive.lastFrame;
  const plain = (name) => Array.from(tensors[name].data);
  const names = { input: "input", target: "target", loss: "loss", grad: "input.grad" };
  return { header, ...Object.fromEntries(Object.entries(names).map(([key, name]) => [key, plain(name)])) };
}
"""
AS_PRINTED = "(v) => String(Number(v.toPrecision(3)))"


def open_losses(page: Page, url: str) -> dict:
    page.goto(url)
    page.wait_for_function("() => window.nnlive?.lastFrame && window.nnlive.driving", timeout=WAIT_MS)
    return page.evaluate(READ)


def after(page: Page, seq: int) -> dict:
    page.wait_for_function("(s) => window.nnlive.lastFrame.header.seq > s", arg=seq, timeout=WAIT_MS)
    return page.evaluate(READ)


def test_editing_a_prediction_shows_the_servers_loss(page: Page, live_server: str, errors: list[str]) -> None:
    frame = open_losses(page, f"{live_server}/losses?loss=mse")
    cell = page.locator('#batch input[name="input-1-0"]')
    cell.fill("7")
    cell.blur()  # the input's change event: the page sends the edited batch
    frame = after(page, frame["header"]["seq"])
    assert frame["input"][1] == 7
    leaf = torch.tensor(frame["input"], dtype=torch.float32, requires_grad=True)
    want = torch.nn.functional.mse_loss(leaf, torch.tensor(frame["target"]))
    want.backward()
    assert frame["loss"][0] == pytest.approx(want.item(), rel=1e-6)
    assert frame["grad"] == pytest.approx(leaf.grad.tolist(), rel=1e-5)
    printed = page.evaluate(AS_PRINTED, frame["header"]["value"])
    expect(page.locator("#loss-value")).to_have_text(f"loss (mean) = {printed}")

    bars = page.locator(".dragbars-canvas")
    box = bars.bounding_box()
    assert box
    slot = box["width"] / len(frame["input"])
    bars.hover(position={"x": slot * 0.5, "y": 90})  # sample 0's bar, dragged to the zero line
    page.mouse.down()
    page.mouse.move(box["x"] + slot * 0.5, box["y"] + 20, steps=4)
    page.mouse.up()
    page.wait_for_function("() => window.nnlive.lastFrame.tensors.input.data[0] !== 1", timeout=WAIT_MS)
    dragged = page.evaluate(READ)
    assert dragged["input"][1] == 7
    printed = page.evaluate(AS_PRINTED, dragged["header"]["value"])
    expect(page.locator("#loss-value")).to_have_text(f"loss (mean) = {printed}")


def test_cross_entropy_is_log_softmax_then_nll_on_screen(
    page: Page, live_server: str, errors: list[str]
) -> None:
    frame = open_losses(page, f"{live_server}/losses?loss=cross_entropy&weight=%5B1%2C2%2C0.5%5D")
    header = frame["header"]
    assert header["nll_of_log_softmax"] == pytest.approx(header["value"], rel=1e-6)
    expect(page.locator("#facts")).to_contain_text("NLLLoss(log_softmax(x)) = ")
    expect(page.locator("#facts")).to_contain_text("Σ l / Σ w_y")
    expect(page.locator("#reduction")).to_contain_text("(1 + 2 + 0.5 + 2)")


def test_a_raw_logit_for_bce_is_refused_naming_the_field(
    page: Page, browser: Browser, live_server: str
) -> None:
    frame = open_losses(page, f"{live_server}/losses?loss=bce")
    viewer = browser.new_context().new_page()
    viewer.goto(page.evaluate("() => document.getElementById('share-link').value"))
    viewer.wait_for_function("() => window.nnlive?.lastFrame", timeout=WAIT_MS)
    page.click("#preset-logit")
    expect(page.locator("#notice")).to_contain_text("input[0]")
    expect(page.locator("#notice")).to_contain_text("not a probability")
    assert page.evaluate("() => window.nnlive.lastFrame.header.seq") == frame["header"]["seq"]
    cell = page.locator('#batch input[name="input-2-0"]')
    cell.fill("0.25")
    cell.blur()
    edited = after(page, frame["header"]["seq"])
    viewer.wait_for_function("(s) => window.nnlive.lastFrame.header.seq >= s", arg=edited["header"]["seq"])
    expect(viewer.locator("#loss-value")).to_have_text(page.locator("#loss-value").inner_text())
