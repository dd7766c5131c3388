"""The RNN page in Chromium against a real server: one cell per step, hover readouts, the evaluated
formula and the nn.RNN vs loop comparison, held against nn.RNN run here with the session's weights."""

import inspect
import re

import httpx
import pytest
import torch
from playwright.sync_api import Page, expect
from safetensors.torch import load

from app.engine.models.rnn import make_rnn, run_direction
from e2e.frames import WAIT_MS, open_page, tensor

NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def session_rnn(base: str, frame: dict) -> torch.nn.RNN:
    """An nn.RNN built here with the session's config and its weights fetched over HTTP."""
    info = frame["session"]
    rnn = make_rnn(info["config"])
    response = httpx.get(f"{base}/api/sessions/{info['id']}/weights", timeout=10)
    rnn.load_state_dict(load(response.content))
    return rnn.eval()


def shown_numbers(text: str) -> list[float]:
    """The numbers between the brackets of a readout."""
    return [float(n) for n in NUMBER.findall(text[text.index("[") : text.index("]")])]


def assert_printed(printed: list[float], expected: torch.Tensor) -> None:
    """Numbers printed with three significant digits against torch's."""
    assert len(printed) == expected.numel()
    for shown, value in zip(printed, expected.tolist(), strict=True):
        assert shown == pytest.approx(value, rel=5e-3, abs=1e-6)


def test_six_steps_draw_six_cells_per_row_and_hovering_h3_shows_the_servers_numbers(
    page: Page, live_server: str, errors: list[str]
) -> None:
    frame = open_page(page, f"{live_server}/rnn?seq_len=6&num_layers=2&hidden_size=5")
    for row in page.locator(".rnn-layer, .rnn-inputs").all():
        expect(row.locator(".rnn-cell")).to_have_count(6)
    expect(page.locator(".rnn-layer")).to_have_count(2)

    h3 = page.locator('.rnn-state[data-layer="1"][data-t="3"]')
    h3.locator(".rnn-unit").nth(2).hover()
    readout = page.locator("#readout")
    expect(readout).to_contain_text("h_3")
    with torch.no_grad():
        output, _ = session_rnn(live_server, frame)(tensor(frame["input"]))  # (T, B, H)
    text = readout.inner_text()
    assert_printed(shown_numbers(text), output[3, 0])
    assert float(text.split("unit 2:")[1]) == shown_numbers(text)[2]  # the hovered unit


def test_the_picked_step_is_evaluated_and_nn_rnn_matches_the_loop(
    page: Page, live_server: str, errors: list[str]
) -> None:
    url = f"{live_server}/rnn?seq_len=4&batch=2&batch_first=1&bidirectional=1&num_layers=2&hidden_size=3"
    frame = open_page(page, url)
    expect(page.locator("#shapes")).to_contain_text("(B, T, I) = (2, 4, 3)")
    expect(page.locator("#shapes")).to_contain_text("(2, 4, 6)")  # output (B, T, D·H)
    expect(page.locator("#shapes")).to_contain_text("(4, 2, 3)")  # h_n (D·num_layers, B, H)
    expect(page.locator('.rnn-layer .rnn-state[data-t="0"]')).to_have_count(4)  # 2 layers × 2 directions

    rnn = session_rnn(live_server, frame)
    with torch.no_grad():
        output, h_n = rnn(tensor(frame["input"]))  # (B, T, 2H), (4, B, H)
    torch.testing.assert_close(tensor(frame["output"]), output, atol=1e-6, rtol=0)
    torch.testing.assert_close(tensor(frame["h_n"]), h_n, atol=1e-6, rtol=0)
    gap = float(page.locator("#gap").get_attribute("data-gap"))
    loop_gap = max(
        (tensor(frame["manual.output"]) - output).abs().max(), (tensor(frame["manual.h_n"]) - h_n).abs().max()
    )
    assert gap < 1e-6
    assert gap == pytest.approx(float(loop_gap), abs=1e-6)

    # The top layer's reverse state at step 0, sequence 1: the formula's last column is torch's value.
    page.fill("#sequence", "1")
    page.dispatch_event("#sequence", "change")
    page.locator('.rnn-state[data-layer="1"][data-t="0"][data-d="1"]').click()
    formula = page.locator("#formula .rnn-step")
    expect(formula).to_have_attribute("data-cell", "1:0:1")
    server_column = [float(cell) for cell in formula.locator("tbody td:last-child").all_inner_texts()]
    assert_printed(server_column, output[1, 0, 3:])
    assert float(formula.locator(".rnn-agreement").get_attribute("data-gap")) < 1e-6


def test_sizes_too_large_are_refused_by_the_field_and_the_session_carries_on(
    page: Page, live_server: str, errors: list[str]
) -> None:
    frame = open_page(page, f"{live_server}/rnn")
    for name in ("hidden_size", "seq_len"):
        field = page.locator(f'#settings [name="{name}"]')
        before = field.input_value()
        field.evaluate("(input) => { input.value = '100000'; }")
        field.dispatch_event("change")
        slot = page.locator(f'[data-error-for="{name}"]')
        expect(slot).to_be_visible(timeout=WAIT_MS)
        expect(slot).to_contain_text("at most")
        field.evaluate("(input, value) => { input.value = value; }", before)
    assert page.evaluate("() => window.nnlive.session.id") == frame["session"]["id"]
    page.locator("#pattern-checkerboard").click()
    page.wait_for_function(
        "(seq) => window.nnlive.lastFrame.header.seq > seq", arg=frame["seq"], timeout=WAIT_MS
    )
    x = page.evaluate("() => Array.from(window.nnlive.lastFrame.tensors.input.data)")
    assert x[:6] == [1, -1, 1, -1, 1, -1]  # (T, B, I) = (6, 1, 3): t = 0 is 1, −1, 1; t = 1 is −1, 1, −1


def test_train_mode_drops_between_layers_and_the_loop_still_matches(
    page: Page, live_server: str, errors: list[str]
) -> None:
    frame = open_page(page, f"{live_server}/rnn?num_layers=2&dropout=0.5&hidden_size=8&seq_len=6")
    assert frame["session"]["controls"]["train"] is False
    page.locator("#train-mode").check()
    page.wait_for_function("() => window.nnlive.lastFrame.header.mode === 'train'", timeout=WAIT_MS)
    expect(page.locator("#compare-note")).to_contain_text("same dropout masks")
    expect(page.locator(".rnn-unrolled")).to_have_class(re.compile(r"\bdropout\b"))
    header = page.evaluate("() => window.nnlive.lastFrame.header")
    below = page.evaluate("() => Array.from(window.nnlive.lastFrame.tensors['h.l0'].data)")
    seen = page.evaluate("() => Array.from(window.nnlive.lastFrame.tensors['x.l1'].data)")
    kept = [(s, b) for s, b in zip(seen, below, strict=True) if s != 0]
    assert 0 < len(kept) < len(seen)  # some units dropped, some kept
    assert all(s == pytest.approx(2 * b, rel=1e-6) for s, b in kept)  # scaled by 1/(1 − p)
    assert header["dropout_active"]
    assert header["max_diff"] < 1e-6
    expect(page.locator("#gap")).to_contain_text(re.compile(r"= \d\.\d+e-[78]|= 0$"))


def test_arrow_keys_move_the_picked_step_and_layer(page: Page, live_server: str, errors: list[str]) -> None:
    open_page(page, f"{live_server}/rnn?num_layers=2&seq_len=6")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowUp")
    expect(page.locator("#formula .rnn-step")).to_have_attribute("data-cell", "1:2:0")
    expect(page.locator('.rnn-state[data-layer="1"][data-t="2"]')).to_have_class(re.compile(r"\bselected\b"))
    assert page.evaluate("() => window.nnlive.cell") == {"layer": 1, "t": 2, "d": 0}


def test_without_bias_the_relu_formula_has_no_bias_terms(
    page: Page, live_server: str, errors: list[str]
) -> None:
    frame = open_page(page, f"{live_server}/rnn?bias=0&nonlinearity=relu&num_layers=1&seq_len=5")
    page.locator('.rnn-state[data-layer="0"][data-t="4"]').click()
    formula = page.locator("#formula .rnn-step")
    expect(formula.locator(".rnn-formula")).to_have_text("h4 = relu(Wih x4 + Whh h3)")
    expect(formula.locator("thead th")).to_have_count(6)  # k, W_ih x, W_hh h, Σ, relu(Σ), server h_t
    with torch.no_grad():
        output, _ = session_rnn(live_server, frame)(tensor(frame["input"]))
    server_column = [float(cell) for cell in formula.locator("tbody td:last-child").all_inner_texts()]
    assert_printed(server_column, output[4, 0])
    assert float(formula.locator(".rnn-agreement").get_attribute("data-gap")) < 1e-6


def test_a_sine_of_two_periods_is_the_input(page: Page, live_server: str, errors: list[str]) -> None:
    frame = open_page(page, f"{live_server}/rnn?seq_len=8&input_size=1")
    page.fill("#periods", "2")
    page.locator("#sample-sine").click()
    page.wait_for_function(
        "(seq) => window.nnlive.lastFrame.header.seq > seq", arg=frame["seq"], timeout=WAIT_MS
    )
    x = page.evaluate("() => Array.from(window.nnlive.lastFrame.tensors.input.data)")
    expected = torch.sin(torch.arange(8) * (2 * torch.pi * 2 / 8))  # (T,) for B = I = 1
    torch.testing.assert_close(torch.tensor(x), expected, atol=0.005, rtol=0)


def test_the_loops_code_is_the_running_source_beside_the_picked_state(
    page: Page, live_server: str, errors: list[str]
) -> None:
    frame = open_page(page, f"{live_server}/rnn?seq_len=4&num_layers=1&hidden_size=3")
    expect(page.locator("#code-view .codeview-source")).to_have_text(inspect.getsource(run_direction))
    page.locator('.rnn-state[data-layer="0"][data-t="2"]').click()
    notes = page.locator("#code-view dd")
    expect(notes.nth(0)).to_have_text("l = 0 →, t = 2, b = 0")
    with torch.no_grad():
        output, _ = session_rnn(live_server, frame)(tensor(frame["input"]))  # (T, B, H)
    assert_printed(shown_numbers(notes.nth(1).inner_text()), output[2, 0])
    assert float(notes.nth(2).inner_text()) < 1e-6
