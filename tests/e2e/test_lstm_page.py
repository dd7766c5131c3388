"""The /lstm page in Chromium against a real server: the gate strips and the cell at the selected step,
held against nn.LSTM run here with the session's weights; RNN vs LSTM training side by side with
‖∂L/∂h_t‖ held against autograd through nn.RNNCell / nn.LSTMCell loops."""

import httpx
import torch
import torch.nn.functional as F
from playwright.sync_api import Page, expect
from polling import wait_until
from safetensors.torch import load
from torch import nn

from app.engine.data.memory import memory_task
from app.engine.live.lstm import VOCAB
from app.engine.live.memory import PROBE_SIZE, TRAIN_SIZE, VAL_SIZE
from e2e.frames import READ_FRAME, WAIT_MS, next_frame, open_page, tensor


def weights(base: str, session_id: str) -> dict[str, torch.Tensor]:
    return load(httpx.get(f"{base}/api/sessions/{session_id}/weights").content)


def embedded(w: dict, text: str) -> torch.Tensor:
    """The text through the session's embedding: x (T, E)."""
    return w["embedding.weight"][[VOCAB.index(ch) for ch in text]]


def lstm_on(w: dict, x: torch.Tensor) -> torch.Tensor:
    """nn.LSTM loaded with the session's weights on x (T, E): h (T, H)."""
    lstm = nn.LSTM(x.shape[1], w["lstm.weight_hh_l0"].shape[1])
    lstm.load_state_dict({k.removeprefix("lstm."): v for k, v in w.items() if k.startswith("lstm.")})
    with torch.no_grad():
        return lstm(x)[0]


def frame_after(page: Page, url: str, act) -> tuple[dict, dict]:
    """Open the page, do ``act(page)``, wait for the frame that answers it: (frame, session weights)."""
    first = open_page(page, f"{url}/lstm", READ_FRAME)
    act(page)
    frame = next_frame(page, first["seq"])
    return frame, weights(url, frame["session"]["id"])


def fmt(v: float) -> str:
    """The page's formatValue for values in [1e-3, 1e4)."""
    return f"{float(f'{v:.3g}'):g}"


def selected_token(page: Page) -> str:
    return page.locator(".lstmstrips-tokens .selected").inner_text()


def test_gate_strips_and_the_cell_follow_the_selected_step(page: Page, live_server: str, errors: list):
    frame = open_page(page, f"{live_server}/lstm", READ_FRAME)
    w = weights(live_server, frame["session"]["id"])
    h = lstm_on(w, embedded(w, "hello world"))
    assert (tensor(frame["h"]) - h).abs().max() < 1e-5
    assert tensor(frame["f"]).shape == (11, 6)
    expect(page.locator(".lstmstrips-row[data-tensor]")).to_have_count(6)
    expect(page.locator("#diff-h")).to_contain_text("max |h")

    for step in range(3):  # the strips' column, the diagram and the formulas move with each step
        assert page.evaluate("() => window.nnlive.selection") == {"step": step, "unit": 0}
        assert selected_token(page) == "hello world"[step]
        value = fmt(h[step, 0].item())
        expect(page.locator('[data-node="h"] .lstmcell-value')).to_have_text(value)
        expect(page.locator('[data-formula="h"] .lstmformulas-result')).to_have_text(value)
        page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("() => window.nnlive.selection") == {"step": 3, "unit": 1}
    expect(page.locator('[data-node="c"] .lstmcell-value')).to_have_text(fmt(frame["c"]["data"][3 * 6 + 1]))


def test_random_text_redraws_the_strips_with_nn_lstm_values(page: Page, live_server: str, errors: list):
    frame, w = frame_after(page, live_server, lambda p: p.click("#pattern-random"))
    tokens = page.evaluate("() => window.nnlive.lastFrame.header.tokens")
    assert (tensor(frame["h"]) - lstm_on(w, embedded(w, tokens))).abs().max() < 1e-5
    expect(page.locator(".lstmstrips-tokens span")).to_have_count(len(tokens))
    expect(page.locator("#sequence-text")).to_have_value(tokens)


def type_numbers(page: Page) -> None:
    page.fill("#sequence-numbers", "1 0 −0.5 2\n0,25 1 1 -1\n0 0 0 0")
    page.click("#numbers-run")


def test_typed_numbers_run_through_the_lstm(page: Page, live_server: str, errors: list):
    frame, w = frame_after(page, live_server, type_numbers)
    x = torch.tensor([[1, 0, -0.5, 2], [0.25, 1, 1, -1], [0, 0, 0, 0]])
    assert torch.equal(tensor(frame["x"]), x)
    assert (tensor(frame["h"]) - lstm_on(w, x)).abs().max() < 1e-5
    expect(page.locator(".lstmstrips-tokens span")).to_have_text(["0", "1", "2"])


def type_text(page: Page) -> None:
    page.fill("#sequence-text", "abc")
    page.click("#sequence-run")


def test_typed_text_runs_through_the_lstm(page: Page, live_server: str, errors: list):
    frame, w = frame_after(page, live_server, type_text)
    assert (tensor(frame["h"]) - lstm_on(w, embedded(w, "abc"))).abs().max() < 1e-5
    expect(page.locator(".lstmstrips-tokens span")).to_have_text(["a", "b", "c"])


def test_numbers_of_the_wrong_width_are_refused(page: Page, live_server: str):
    open_page(page, f"{live_server}/lstm", READ_FRAME)
    page.fill("#sequence-numbers", "1 2")
    page.click("#numbers-run")
    expect(page.locator("#notice")).to_contain_text("rows of 4 numbers, got [1, 2]")


READ_MEMORY = """
(cell) => {
  const { header, tensors } = window.nnlive.memory[cell];
  return { header, g: Array.from(tensors.grad_norm.data) };
}
"""


def grad_norms(w: dict, cell: str, length: int, seed: int = 0) -> torch.Tensor:
    """‖∂L/∂h_t‖ on the session's probe batch by a loop of nn.RNNCell / nn.LSTMCell with its weights."""
    x, y = memory_task(TRAIN_SIZE + VAL_SIZE, length, w["readout.weight"].shape[0], seed)
    x, y = x[TRAIN_SIZE:][:PROBE_SIZE], y[TRAIN_SIZE:][:PROBE_SIZE]
    step = (nn.RNNCell if cell == "rnn" else nn.LSTMCell)(
        w["embedding.weight"].shape[1], w["rnn.weight_hh_l0"].shape[1]
    )
    step.load_state_dict(
        {k.removeprefix("rnn.").removesuffix("_l0"): v for k, v in w.items() if k.startswith("rnn.")}
    )
    e, state, hs = w["embedding.weight"][x.long()], None, []
    for t in range(length):
        state = step(e[:, t], state)
        hs.append(state if cell == "rnn" else state[0])
    logits = hs[-1] @ w["readout.weight"].T + w["readout.bias"]
    return torch.stack([g.norm() for g in torch.autograd.grad(F.cross_entropy(logits, y), hs)])


def test_rnn_and_lstm_train_side_by_side(page: Page, live_server: str, errors: list):
    page.goto(f"{live_server}/lstm")
    page.wait_for_function(
        "() => window.nnlive?.memoryDriving && window.nnlive.memoryFrames >= 2", timeout=WAIT_MS
    )
    page.click("#memory-step")
    page.wait_for_function(
        "() => ['rnn', 'lstm'].every((c) => window.nnlive.memory[c]?.header.step === 10)", timeout=WAIT_MS
    )
    for cell in ("rnn", "lstm"):
        shown = page.evaluate(READ_MEMORY, cell)
        assert shown["header"]["cell"] == cell
        assert shown["header"]["T"] == 50
        session_id = page.evaluate("(c) => new URLSearchParams(location.search).get(c)", cell)
        expected = grad_norms(weights(live_server, session_id), cell, 50)
        assert torch.allclose(torch.tensor(shown["g"]), expected, rtol=1e-4, atol=1e-9)
    expect(page.locator(".lstm-cell-pill").first).to_contain_text("10")


def test_the_room_link_shows_all_three_sessions_to_a_viewer(page: Page, live_server: str, errors: list):
    driver = open_page(page, f"{live_server}/lstm", READ_FRAME)
    page.wait_for_function(
        "() => window.nnlive.memoryDriving && window.nnlive.memoryFrames >= 2", timeout=WAIT_MS
    )
    link = page.input_value("#share-link")
    assert "/l/" in link  # the lecture room's link, which leads to the page with all three sessions
    viewer = page.context.new_page()
    viewer.goto(link)
    viewer.wait_for_function(
        "() => window.nnlive?.lastFrame && ['rnn', 'lstm'].every((c) => window.nnlive.memory[c])",
        timeout=WAIT_MS,
    )
    for key in ("session", "rnn", "lstm", "T"):
        assert f"{key}=" in viewer.url
    seen = viewer.evaluate(READ_FRAME)
    assert seen["session"]["id"] == driver["session"]["id"]
    assert seen["h"] == driver["h"]
    assert viewer.evaluate("() => window.nnlive.memory.lstm.header.cell") == "lstm"
    expect(viewer.locator("#memory-train")).to_be_disabled()
    expect(viewer.locator("#sequence-run")).to_be_disabled()


def test_a_new_length_replaces_both_memory_sessions(page: Page, live_server: str, errors: list):
    page.goto(f"{live_server}/lstm")
    page.wait_for_function(
        "() => window.nnlive?.memoryDriving && window.nnlive.memoryFrames >= 2", timeout=WAIT_MS
    )
    old = page.evaluate("() => ['rnn', 'lstm'].map((c) => new URLSearchParams(location.search).get(c))")
    page.fill("#length", "7")
    page.wait_for_function(
        "() => ['rnn', 'lstm'].every((c) => window.nnlive.memory[c]?.header.T === 7)", timeout=WAIT_MS
    )
    for cell in ("rnn", "lstm"):
        shown = page.evaluate(READ_MEMORY, cell)
        session_id = page.evaluate("(c) => new URLSearchParams(location.search).get(c)", cell)
        assert session_id not in old
        expected = grad_norms(weights(live_server, session_id), cell, 7)
        assert torch.allclose(torch.tensor(shown["g"]), expected, rtol=1e-4, atol=1e-9)
    for session_id in old:  # the old pair is deleted (the page does not wait for its DELETE)
        url = f"{live_server}/api/sessions/{session_id}"
        wait_until(lambda url=url: httpx.get(url).status_code == 404, f"{url} still answers")
