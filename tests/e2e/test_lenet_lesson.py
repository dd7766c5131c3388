"""What /lenet teaches, in Chromium against a real server: the head ends with the loss and ∂L/∂z,
tiny float16 probabilities are not flagged as mismatches, gradients of all layers share one colour
scale, the architecture and momentum are controls, and the page says where its digits come from.
Every number is held against torch run here on the frame's own tensors."""

import re

import torch
from playwright.sync_api import Page, expect

from e2e.frames import MAP_PIXEL, WAIT_MS, settled_frame, tensor

# End colours of the diverging map (static/js/math/colormap.js, ColorBrewer RdBu), written out here.
RDBU_ENDS = ([103, 0, 31], [5, 48, 97])
PANELS = ("input", "c1", "s2", "c3", "s4", "c5", "f6")

READ_HEAD_AND_GRAD = """
() => {
  const { header, tensors } = window.nnlive.lastFrame;
  const plain = (name) => ({ shape: tensors[name].shape, data: Array.from(tensors[name].data) });
  return { header, out: plain("out"), probs: plain("probs"), grad: plain("out.grad") };
}
"""

# For each panel: its gradient's largest |value|, and the pixel of the cell that holds it.
READ_GRADIENT_EXTREMES = f"""
(names) => names.map((name) => {{
  const mapPixel = {MAP_PIXEL};
  const tensor = window.nnlive.lastFrame.tensors[`${{name}}.grad`];
  let at = 0;
  tensor.data.forEach((v, i) => {{ if (Math.abs(v) > Math.abs(tensor.data[at])) at = i; }});
  const [height, width] = tensor.shape.length >= 2 ? tensor.shape.slice(-2) : [1, tensor.shape[0]];
  const perMap = height * width;
  const canvas = document.querySelector(`[data-tensor="${{name}}"] canvas`);
  if (tensor.shape.length < 2) canvas.dataset.columns = "1"; // a strip: one map of [1, width]
  const [x, y] = [(at % perMap) % width, Math.floor((at % perMap) / width)];
  const pixel = mapPixel(canvas, [height, width], Math.floor(at / perMap), y, x).slice(0, 3);
  return {{ name, largest: Math.abs(tensor.data[at]), pixel }};
}})
"""


def open_driving(page: Page, url: str) -> None:
    page.goto(f"{url}/lenet")
    page.wait_for_function("() => window.nnlive?.lastFrame && window.nnlive.driving", timeout=WAIT_MS)


def numbers(texts: list[str]) -> list[float]:
    return [float(text.replace("−", "-")) for text in texts]


def test_the_head_ends_with_the_loss_and_its_gradient_on_the_logits(
    page: Page, live_server: str, errors: list[str]
) -> None:
    open_driving(page, live_server)
    page.check("#grads")
    page.check("#head-toggle")
    page.wait_for_function(
        "() => window.nnlive.lastFrame.tensors.flat && window.nnlive.lastFrame.tensors['out.grad']",
        timeout=WAIT_MS,
    )
    frame = settled_frame(page, READ_HEAD_AND_GRAD)
    header = frame["header"]
    target = header["label"] if header["label"] is not None else header["pred"]
    p = torch.softmax(tensor(frame["out"]).double(), dim=0)
    loss = -torch.log(p[target]).item()
    ours = p - torch.nn.functional.one_hot(torch.tensor(target), 10).double()
    servers = tensor(frame["grad"]).double()  # the server's autograd ∂L/∂z, travelled as float16

    shown = numbers(page.locator(".headsoftmax-grad").all_inner_texts())
    assert len(shown) == 10
    for i, g in enumerate(shown):
        # Printed to three significant digits: p − onehot from the frame's logits, and the server's own.
        assert abs(g - ours[i].item()) <= 5e-3 * abs(ours[i].item()) + 1e-9, (i, g, ours[i].item())
        assert abs(g - servers[i].item()) <= 2e-2 * abs(servers[i].item()) + 2e-3, (i, g, servers[i].item())
    line = page.locator(".headsoftmax-loss").inner_text()
    assert f"p[{target}]" in line
    shown_loss = float(re.search(r"= ([-+\d.e]+);", line.replace("−", "-")).group(1))
    assert abs(shown_loss - loss) <= 5e-3 * loss + 1e-6, (line, loss)
    expect(page.locator(".headsoftmax tr.target th")).to_have_text(str(target))
    expect(page.locator(".headsoftmax-target")).to_contain_text(str(target))


def test_tiny_probabilities_sent_as_float16_are_not_marked_as_mismatches(
    page: Page, live_server: str, errors: list[str]
) -> None:
    open_driving(page, live_server)
    page.fill("#lr", "0.01")
    page.press("#lr", "Enter")
    page.wait_for_function("() => window.nnlive.state?.controls.lr === 0.01", timeout=WAIT_MS)
    page.check("#head-toggle")
    page.click("#train")
    # Train until the probe's least likely class is below float16's smallest normal number (6.1e-5).
    page.wait_for_function(
        "() => Math.min(...window.nnlive.lastFrame.tensors.probs.data) < 6e-5", timeout=90_000
    )
    page.click("#train")
    expect(page.locator("#run-state")).to_have_attribute("data-state", "paused")
    probs = settled_frame(page, "() => Array.from(window.nnlive.lastFrame.tensors.probs.data)")
    assert min(probs) < 6e-5
    assert page.evaluate("() => window.nnlive.lastFrame.tensors.probs.dtype") == "float16"
    expect(page.locator(".headsoftmax-check.agree")).to_have_count(10)
    expect(page.locator(".headsoftmax-check", has_text="≠")).to_have_count(0)


def test_gradients_of_every_layer_share_one_colour_scale(
    page: Page, live_server: str, errors: list[str]
) -> None:
    open_driving(page, live_server)
    page.check("#grads")
    page.wait_for_function("() => window.nnlive.lastFrame.header.grads", timeout=WAIT_MS)
    expect(page.locator("#grad-scale")).to_be_visible()
    extremes = settled_frame(page, f"() => ({READ_GRADIENT_EXTREMES})({list(PANELS)})")
    largest = max(e["largest"] for e in extremes)
    # One legend for all of them; the panels' own legends give way to it.
    top = float(page.locator("#grad-scale .legend-max").inner_text())
    assert abs(top - largest) <= 5e-3 * largest, (top, largest)
    expect(page.locator("#grad-scale .legend")).to_have_attribute("data-kind", "diverging")
    for name in PANELS:
        expect(page.locator(f'[data-tensor="{name}"] .panel-legend')).to_be_hidden()
    biggest = max(extremes, key=lambda e: e["largest"])
    assert biggest["pixel"] in RDBU_ENDS, "the largest gradient of all takes the end colour"
    smallest = min(extremes, key=lambda e: e["largest"])
    assert smallest["largest"] < largest / 4, "LeNet's gradients differ by layer"
    assert smallest["pixel"] not in RDBU_ENDS, f"{smallest['name']}'s small gradients are paler than the end"
    # A diverging colour's distance from white grows with |g| / largest: the smaller layer is paler.
    paleness = [sum(abs(c - 247) for c in e["pixel"]) for e in (smallest, biggest)]
    assert paleness[0] < paleness[1]


def test_architecture_and_momentum_are_controls(page: Page, live_server: str, errors: list[str]) -> None:
    open_driving(page, live_server)
    expect(page.locator("#data-note")).to_contain_text("scikit-learn")
    expect(page.locator("#data-note")).to_contain_text("8×8")
    expect(page.locator("#data-note")).to_contain_text("32×32")
    expect(page.locator("#momentum")).to_have_value("0.9")
    expect(page.locator("#momentum")).to_be_hidden()  # Adam has no momentum field
    page.select_option("#optimizer", "sgd_momentum")
    expect(page.locator("#momentum")).to_be_visible()
    page.fill("#momentum", "0.5")
    page.press("#momentum", "Enter")
    page.wait_for_function(
        "() => window.nnlive.state?.controls.momentum === 0.5"
        " && window.nnlive.state.controls.optimizer === 'sgd_momentum'",
        timeout=WAIT_MS,
    )
    first = page.evaluate("() => window.nnlive.session.id")
    page.select_option("#pooling", "max")
    page.wait_for_function(
        "(old) => window.nnlive.session.id !== old && window.nnlive.session.config.pooling === 'max'",
        arg=first,
        timeout=WAIT_MS,
    )
    expect(page.locator('[data-tensor="s2"] .panel-note')).to_contain_text("max pooling")
    page.select_option("#activation", "relu")
    page.wait_for_function(
        "() => window.nnlive.session.config.activation === 'relu' && "
        "window.nnlive.lastFrame.header.session === window.nnlive.session.id",
        timeout=WAIT_MS,
    )
    c1 = settled_frame(page, "() => Array.from(window.nnlive.lastFrame.tensors.c1.data)")
    assert min(c1) >= 0, "ReLU's C1 maps are non-negative"
    assert max(c1) > 0
    expect(page.locator("#activation")).to_have_value("relu")
    expect(page.locator("#pooling")).to_have_value("max")
