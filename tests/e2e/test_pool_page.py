"""The pooling page in Chromium against a real server: the window, the max cell, where gradients go.

The page keeps what it last drew in ``window.nnlive`` (lastFrame, session, cell), so the tests hold
the screen against the frame, and the frame against torch run here on the frame's own input.
"""

import httpx
import pytest
import torch
import torch.nn.functional as F
from playwright.sync_api import Browser, Page, expect

from e2e import frames
from e2e.frames import WAIT_MS, open_page, tensor

# The last drawn frame as plain lists, with the session's geometry.
READ_FRAME = """
() => {
  const { header, tensors } = window.nnlive.lastFrame;
  const plain = (t) => t && { shape: t.shape, data: Array.from(t.data) };
  return {
    seq: header.seq,
    session: header.session,
    config: window.nnlive.session.config,
    op: window.nnlive.session.op,
    input: plain(tensors.input),
    output: plain(tensors.output),
    upstream: plain(tensors["output.grad"]),
    grad: plain(tensors["input.grad"]),
    argmax: plain(tensors.argmax),
  };
}
"""


def open_pool(page: Page, url: str) -> dict:
    return open_page(page, url, READ_FRAME)


def next_frame(page: Page, after: int) -> dict:
    return frames.next_frame(page, after, READ_FRAME)


def torch_pool(frame: dict) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor]:
    """Output, argmax (max only) and ∂L/∂x of the frame's input and upstream gradient, by torch here."""
    c = frame["config"]
    window = {"kernel_size": c["kernel"], "stride": c["stride"], "padding": c["padding"]}
    x = tensor(frame["input"]).requires_grad_(True)
    if frame["op"] == "max":
        out, indices = F.max_pool2d(x[None], return_indices=True, **window)
    else:
        out, indices = F.avg_pool2d(x[None], **window), None
    (grad,) = torch.autograd.grad(out[0], x, grad_outputs=tensor(frame["upstream"]))
    return out[0].detach(), None if indices is None else indices[0], grad


def grid_text(page: Page, tensor_name: str, index: int) -> str:
    """The number a grid prints in one cell."""
    return page.locator(f'[data-tensor="{tensor_name}"] .valuegrid-cell[data-index="{index}"]').text_content()


def cell_classes(page: Page, tensor_name: str, name: str) -> list[int]:
    """Flat indices of the cells of a grid that carry a CSS class."""
    selector = f'[data-tensor="{tensor_name}"] .valuegrid-cell.{name}'
    return page.eval_on_selector_all(selector, "(cells) => cells.map((c) => Number(c.dataset.index))")


def test_the_max_cell_is_marked_and_the_gradient_lands_on_it(
    page: Page, live_server: str, errors: list[str]
) -> None:
    frame = open_pool(page, f"{live_server}/pool?channels=2")
    page.click("#upstream-random")
    frame = next_frame(page, frame["seq"])
    out, indices, grad = torch_pool(frame)
    assert torch.allclose(tensor(frame["output"]), out)
    assert torch.equal(torch.tensor(frame["argmax"]["data"]).reshape(out.shape), indices)
    assert torch.allclose(tensor(frame["grad"]), grad)

    _, height, width = frame["input"]["shape"]
    plane = height * width
    for k in range(len(frame["output"]["data"])):
        page.click(f'[data-tensor="output"] .valuegrid-cell[data-index="{k}"]')
        page.wait_for_function("(k) => window.nnlive.cell === k", arg=k)
        channel = k // (out.shape[1] * out.shape[2])
        winner = channel * plane + int(indices.flatten()[k])
        assert cell_classes(page, "input", "winner") == [winner]
        assert cell_classes(page, "grad", "winner") == [winner]
        g = frame["upstream"]["data"][k]
        assert frame["grad"]["data"][winner] == pytest.approx(g), "the gradient lands on the max cell"
        expect(page.locator("#backward-calc .poolcalc-cell.winner")).to_have_count(1)

    routed = {c * plane + int(i) for c in range(out.shape[0]) for i in indices[c].flatten()}
    assert set(cell_classes(page, "grad", "argmax")) == routed
    nonzero = {i for i, v in enumerate(frame["grad"]["data"]) if v != 0}
    assert nonzero <= routed, "only argmax cells receive gradient"


def test_average_pooling_spreads_the_gradient_equally(
    page: Page, live_server: str, errors: list[str]
) -> None:
    first = open_pool(page, f"{live_server}/pool?kernel=3&stride=1&padding=1&height=5&width=5")
    page.select_option('select[name="op"]', "avg")
    page.wait_for_function("(id) => window.nnlive.lastFrame.header.session !== id", arg=first["session"])
    page.wait_for_function("() => window.nnlive.driving")
    assert "op=avg" in page.url
    assert httpx.get(f"{live_server}/api/sessions/{first['session']}").status_code == 404, "old session ended"
    frame = page.evaluate(READ_FRAME)
    assert frame["input"] == first["input"], "the input carried over to the new session"

    page.click("#upstream-random")
    frame = next_frame(page, frame["seq"])
    out, _, grad = torch_pool(frame)
    assert torch.allclose(tensor(frame["output"]), out, atol=1e-6)
    assert torch.allclose(tensor(frame["grad"]), grad, atol=1e-6)

    k = 12  # the middle of the 5×5 output: its 3×3 window lies inside the input
    page.click(f'[data-tensor="output"] .valuegrid-cell[data-index="{k}"]')
    g = frame["upstream"]["data"][k]
    cells = page.locator("#backward-calc .poolcalc-cell")
    expect(cells).to_have_count(9)
    shares = [float(text) for text in cells.all_inner_texts()]
    assert shares == pytest.approx([g / 9] * 9, abs=5e-3)  # printed to two decimals, as the grids print
    expect(page.locator("#backward-calc .poolcalc-line")).to_contain_text(" / 9 = ")
    line = page.locator("#forward-calc .poolcalc-line").inner_text()
    shown = page.locator(f'[data-tensor="output"] .valuegrid-cell[data-index="{k}"]').text_content()
    assert line.split(" / 9 ")[-1][2:] == shown, "the mean printed as the output grid prints it"
    terms = line[1 : line.index(")")].split(" + ")
    window = [(r, c) for r in range(1, 4) for c in range(1, 4)]  # input rows and columns 1–3 (padding 1)
    assert terms[:8] == [grid_text(page, "input", r * 5 + c) for r, c in window][:8]


def test_typed_upstream_values_reach_the_server(page: Page, live_server: str, errors: list[str]) -> None:
    frame = open_pool(page, f"{live_server}/pool")
    count = len(frame["upstream"]["data"])
    typed = [round(0.5 * i - 2, 1) for i in range(count)]
    page.click("#upstream-type")
    boxes = page.locator("#upstream-editor .gridedit-cell")
    expect(boxes).to_have_count(count)
    for box, value in zip(boxes.all(), typed, strict=True):
        box.fill(str(value).replace("-", "−"))
    page.click("#upstream-editor button[type=submit]")
    frame = next_frame(page, frame["seq"])
    assert frame["upstream"]["data"] == pytest.approx(typed)
    _, _, grad = torch_pool(frame)
    assert torch.allclose(tensor(frame["grad"]), grad)
    expect(page.locator("#upstream-editor .gridedit")).to_be_hidden()


def test_typed_input_is_checked_before_it_is_sent(page: Page, live_server: str, errors: list[str]) -> None:
    frame = open_pool(page, f"{live_server}/pool?height=2&width=2&kernel=2")
    page.click("#input-type")
    boxes = page.locator("#input-editor .gridedit-cell")
    for box, text in zip(boxes.all(), ["1", "x", "3", "4"], strict=True):
        box.fill(text)
    page.click("#input-editor button[type=submit]")
    expect(page.locator("#input-editor .gridedit-message")).to_be_visible()
    expect(boxes.nth(1)).to_have_attribute("aria-invalid", "true")
    boxes.nth(1).fill("2")
    page.click("#input-editor button[type=submit]")
    frame = next_frame(page, frame["seq"])
    assert frame["input"]["data"] == [1, 2, 3, 4]
    assert frame["output"]["data"] == [4]
    assert cell_classes(page, "input", "winner") == [3]


def test_a_refused_setting_shows_the_message_and_the_page_keeps_working(
    page: Page, live_server: str, errors: list[str]
) -> None:
    frame = open_pool(page, f"{live_server}/pool")
    page.fill('input[name="padding"]', "2")
    page.press('input[name="padding"]', "Enter")
    page.locator('input[name="padding"]').blur()
    message = page.locator('[data-error-for="padding"]')
    expect(message).to_be_visible()
    expect(message).to_contain_text("padding must be at most half the window")
    expect(page.locator('input[name="padding"]')).to_have_attribute("aria-invalid", "true")
    assert page.evaluate("window.nnlive.lastFrame.header.session") == frame["session"]

    page.click("#pattern-checkerboard")
    frame = next_frame(page, frame["seq"])
    _, height, width = frame["input"]["shape"]
    assert frame["input"]["data"] == [float((r + c) % 2 == 0) for r in range(height) for c in range(width)]

    page.fill('input[name="padding"]', "1")
    page.locator('input[name="padding"]').blur()
    page.wait_for_function("(id) => window.nnlive.lastFrame.header.session !== id", arg=frame["session"])
    expect(message).to_be_hidden()
    expect(page.locator('[data-tensor="input"] .valuegrid-cell.pad').first).to_have_text("−∞")


def test_keys_move_the_window_and_the_url_keeps_the_view(
    page: Page, browser: Browser, live_server: str, errors: list[str]
) -> None:
    open_pool(page, f"{live_server}/pool")
    page.keyboard.press("s")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => window.nnlive.cell === 2")
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("() => window.nnlive.cell === 1")
    assert "cell=1" in page.url
    page.keyboard.press(" ")
    expect(page.locator("#play")).to_have_class("primary running")
    page.wait_for_function("() => window.nnlive.cell >= 3", timeout=WAIT_MS)
    page.keyboard.press(" ")
    expect(page.locator("#play")).to_have_class("primary")

    context = browser.new_context()
    try:
        viewer = context.new_page()
        viewer.goto(page.url)
        viewer.wait_for_function("() => window.nnlive?.lastFrame", timeout=WAIT_MS)
        cell = page.evaluate("window.nnlive.cell")
        assert viewer.evaluate("window.nnlive.cell") == cell, "the link reproduces the selected window"
        expect(viewer.locator("#role")).to_have_attribute("data-role", "viewer")
        for control in ('select[name="op"]', 'input[name="kernel"]', "#pattern-random", "#upstream-ones"):
            expect(viewer.locator(control)).to_be_disabled()
        viewer.keyboard.press("s")  # the window is the viewer's own: it still moves
        viewer.wait_for_function("(k) => window.nnlive.cell === k + 1", arg=cell)

        old = page.evaluate("window.nnlive.session.id")
        page.select_option('select[name="op"]', "avg")  # the driver's new session: the viewer follows
        viewer.wait_for_function(
            "(id) => window.nnlive.lastFrame.header.session !== id", arg=old, timeout=WAIT_MS
        )
        assert viewer.evaluate("window.nnlive.session.op") == "avg"
        expect(viewer.locator("#notice")).to_contain_text("new session")
        assert f"session={page.evaluate('window.nnlive.session.id')}" in viewer.url
    finally:
        context.close()


def test_a_tie_sends_the_gradient_to_the_first_maximum_and_the_page_says_so(
    page: Page, live_server: str, errors: list[str]
) -> None:
    frame = open_pool(page, f"{live_server}/pool?height=4&width=4")
    expect(page.locator(".pool-grad")).to_contain_text("first of them in reading order")
    page.click('[data-tensor="output"] .valuegrid-cell[data-index="3"]')  # window rows 2–3, columns 2–3
    page.click("#make-tie")
    frame = next_frame(page, frame["seq"])
    window = [frame["input"]["data"][r * 4 + c] for r in (2, 3) for c in (2, 3)]
    best = max(window)
    tied = [i for i, v in enumerate(window) if v == best]
    assert len(tied) >= 2, window
    _, argmax, grad = torch_pool(frame)
    first = (2 + tied[0] // 2) * 4 + 2 + tied[0] % 2
    assert int(argmax.flatten()[3]) == first
    assert frame["argmax"]["data"][3] == first
    torch.testing.assert_close(tensor(frame["grad"]), grad)
    note = page.locator("#forward-calc .poolcalc-note")
    expect(note).to_contain_text(f"{len(tied)} cells hold the maximum")
    expect(note).to_contain_text(f"x[{first // 4}, {first % 4}]")
    winners = page.locator("#backward-calc .poolcalc-cell")
    assert [winners.nth(i).evaluate("(c) => c.classList.contains('winner')") for i in range(4)] == [
        i == tied[0] for i in range(4)
    ]
