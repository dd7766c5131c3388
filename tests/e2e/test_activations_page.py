"""The activations page in Chromium against a real server: the curves drawn are torch's, the neuron
follows its sliders, the depth bars show sigmoid's gradients vanishing, and lecture viewers follow."""

import torch
from playwright.sync_api import Browser, BrowserContext, Page, expect

from e2e.frames import READ_FRAME as READ
from e2e.frames import WAIT_MS, open_page, tensor
from e2e.test_lecture import open_viewer

CANVAS = "(selector) => document.querySelector(selector).toDataURL()"
BAR_HEIGHTS = """
(selector) => [...document.querySelectorAll(`${selector} .layerbars-fill`)]
  .map((fill) => parseFloat(fill.style.height))
"""


def frame_where(page: Page, predicate: str) -> dict:
    """Wait until the drawn frame satisfies ``predicate`` (a JS function of the frame), and read it."""
    page.wait_for_function(f"() => ({predicate})(window.nnlive.lastFrame)", timeout=WAIT_MS)
    return page.evaluate(READ)


def test_curves_are_torchs_and_the_neuron_follows_its_sliders(page: Page, live_server: str, errors) -> None:
    frame = open_page(page, f"{live_server}/activations?points=101&span=5", READ)
    x = tensor(frame["x"])
    assert x.shape == (101,)
    torch.testing.assert_close(tensor(frame["y.tanh"]), torch.tanh(x))
    torch.testing.assert_close(tensor(frame["dy.sigmoid"]), torch.sigmoid(x) * (1 - torch.sigmoid(x)))
    expect(page.locator("#neuron-formula")).to_have_text("y = Sigmoid(1·x + 0)")
    before = page.evaluate(CANVAS, "#neuron-plot canvas")

    page.locator('input[name="w"]').fill("2")
    at_5 = "(f) => Math.abs(f.tensors['neuron.y'].data[100] - 1 / (1 + Math.exp(-10))) < 1e-6"
    frame = frame_where(page, at_5)
    torch.testing.assert_close(tensor(frame["neuron.y"]), torch.sigmoid(2 * x))
    expect(page.locator("#neuron-formula")).to_have_text("y = Sigmoid(2·x + 0)")
    assert page.evaluate(CANVAS, "#neuron-plot canvas") != before

    page.evaluate("() => document.activeElement.blur()")  # keys act outside the form's fields
    page.keyboard.press("3")  # the third function: ReLU
    frame = frame_where(page, "(f) => f.tensors['neuron.y'].data[0] === 0")
    torch.testing.assert_close(tensor(frame["neuron.y"]), torch.relu(2 * x))
    expect(page.locator('.act-fn[data-fn="relu"]')).to_have_attribute("aria-pressed", "true")
    assert "activation=relu" in page.url


def test_depth_bars_show_sigmoid_gradients_vanish(page: Page, live_server: str, errors) -> None:
    query = "depth=20&depth_activation=sigmoid&compare_activation=relu"
    open_page(page, f"{live_server}/activations?{query}", READ)
    frame = frame_where(page, "(f) => f.tensors.grad_norm.shape[0] === 20")
    sigmoid, relu = tensor(frame["grad_norm"]), tensor(frame["grad_norm.compare"])
    assert sigmoid[0] < 1e-6 * sigmoid[-1]
    assert 0.1 < relu[0] / relu[-1] < 10
    page.wait_for_function("() => document.querySelectorAll('#depth-bars .layerbars-fill').length === 20")
    left, right = page.evaluate(BAR_HEIGHTS, "#depth-bars"), page.evaluate(BAR_HEIGHTS, "#compare-bars")
    assert left[0] < left[-1] - 30  # percent of the panel's height
    assert abs(right[0] - right[-1]) < 15
    dead = int(tensor(frame["dead.compare"]).sum())
    expect(page.locator("#compare-dead")).to_contain_text(f"{dead} of 1280")
    names = page.locator("#depth-bars .layerbars-names span").all_text_contents()
    assert [names[0], names[1], names[4], names[-1]] == ["1", "", "5", "20"]
    ticks = [float(t) for t in page.locator("#depth-bars .layerbars-tick").all_text_contents()]
    assert ticks[1] <= min(sigmoid.min(), relu.min()) * 1.01
    assert ticks[0] >= max(sigmoid.max(), relu.max()) * 0.99


def test_a_lecture_viewer_follows_curves_and_controls(
    page: Page, browser: Browser, contexts: list[BrowserContext], live_server: str, errors
) -> None:
    frame = open_page(page, f"{live_server}/activations", READ)
    viewer = open_viewer(browser, contexts, live_server, "activations", frame["session"]["id"])
    page.check('input[name="curves-view"][value="df"]')
    expect(viewer.locator('input[name="curves-view"][value="df"]')).to_be_checked(timeout=WAIT_MS)
    page.locator('input[name="b"]').fill("1.5")
    at_0 = "window.nnlive.lastFrame.tensors['neuron.y'].data[200]"  # x = 0: σ(1.5) = 0.8175745
    sigmoid_1_5 = f"() => Math.abs({at_0} - 0.8175745) < 1e-6"
    viewer.wait_for_function(sigmoid_1_5, timeout=WAIT_MS)
    expect(viewer.locator("#neuron-formula")).to_have_text("y = Sigmoid(1·x + 1.5)")
    expect(viewer.locator('input[name="b"]')).to_be_disabled()
