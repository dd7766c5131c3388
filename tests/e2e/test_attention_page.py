"""The /attention page in Chromium against a real server: the attention heat map changes while the seq2seq
trains and its pixels have the frame's colours; a typed date shows the translation that torch, run here
on the session's weights, decodes greedily."""

import httpx
import torch
from playwright.sync_api import Page, expect
from safetensors.torch import load

from app.engine.data.dates import INPUT_CHARS, OUTPUT_CHARS, OUTPUT_LENGTH, decode_output, encode_input
from app.engine.models.seq2seq import Seq2Seq, Seq2SeqConfig
from e2e.frames import WAIT_MS, open_page

URL = "/attention?hidden=32"
# The attention canvas's pixels (RGBA, flat) and the frame it shows.
READ_MATRIX = """
() => {
  const canvas = document.querySelector("#matrix-view canvas");
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  const { header, tensors } = window.nnlive.lastFrame;
  return { seq: header.seq, step: header.step, pixels: Array.from(pixels), width: canvas.width,
           attention: Array.from(tensors.attention.data), shape: tensors.attention.shape };
}
"""
# Each cell's centre pixel against colormap.js's colour of the frame's weight on the [0, 1] scale.
CHECK_CELLS = """
async () => {
  const { colorOf } = await import("/static/js/math/colormap.js");
  const { cellCentre } = await import("/static/js/views/labelledheat.js");
  const canvas = document.querySelector("#matrix-view canvas");
  const context = canvas.getContext("2d");
  const { tensors } = window.nnlive.lastFrame;
  const [rows, columns] = tensors.attention.shape;
  const scale = { kind: "sequential", min: 0, max: 1 };
  const wrong = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      const [x, y] = cellCentre({ cell: Number(canvas.dataset.cell) }, r, c);
      const pixel = Array.from(context.getImageData(x, y, 1, 1).data.slice(0, 3));
      const expected = colorOf(tensors.attention.data[r * columns + c], scale);
      if (pixel.some((v, k) => Math.abs(v - expected[k]) > 1)) wrong.push([r, c, pixel, expected]);
    }
  }
  return wrong;
}
"""


def greedy(base: str, session: dict, text: str) -> str:
    """The session's weights in a fresh Seq2Seq here, greedy decoding of ``text``."""
    weights = load(httpx.get(f"{base}/api/sessions/{session['id']}/weights").content)
    config = session["config"]
    model = Seq2Seq(Seq2SeqConfig(len(INPUT_CHARS) + 1, len(OUTPUT_CHARS), OUTPUT_LENGTH, **config))
    model.load_state_dict({k: v for k, v in weights.items() if not k.startswith("baseline.")})
    x = torch.tensor([encode_input(text)])
    with torch.no_grad():
        logits = model.eval()(x, torch.tensor([x.shape[1]])).logits
    return decode_output(logits[0].argmax(-1).tolist())


def test_heatmap_changes_while_training_with_the_frames_colours(
    page: Page, live_server: str, errors: list
) -> None:
    open_page(page, f"{live_server}{URL}")
    before = page.evaluate(READ_MATRIX)
    rows, columns = before["shape"]
    assert rows == OUTPUT_LENGTH
    sums = torch.tensor(before["attention"]).reshape(rows, columns).sum(1)
    assert torch.allclose(sums, torch.ones(rows), atol=1e-5)
    assert page.evaluate(CHECK_CELLS) == []
    page.click("#train")
    expect(page.locator("#run-state")).to_have_attribute("data-state", "training")
    page.wait_for_function(
        "(seq) => { const h = window.nnlive.lastFrame.header; return h.seq > seq && h.step >= 30; }",
        arg=before["seq"],
        timeout=WAIT_MS,
    )
    page.click("#train")
    expect(page.locator("#run-state")).to_have_attribute("data-state", "paused")
    after = page.evaluate(READ_MATRIX)
    assert after["step"] > before["step"]
    assert after["pixels"] != before["pixels"]
    assert page.evaluate(CHECK_CELLS) == []
    # both models' held-out exact match is on the accuracy chart
    accuracy = page.evaluate(
        "() => window.nnlive.charts.accuracy.columns.map((c) => c.filter((v) => v !== null).length)"
    )
    assert min(accuracy) >= 1


def test_typing_a_date_shows_its_translation(page: Page, live_server: str, errors: list) -> None:
    open_page(page, f"{live_server}{URL}")
    page.click("#step-once")
    page.wait_for_function("() => window.nnlive.lastFrame.header.step >= 1", timeout=WAIT_MS)
    text = "27 Nov 2026 and 03.04.1999, the second"
    page.fill("#date", text)
    page.click("#translate")
    page.wait_for_function(
        "(text) => window.nnlive.lastFrame.header.input === text", arg=text, timeout=WAIT_MS
    )
    session = page.evaluate("() => window.nnlive.session")
    expected = greedy(live_server, session, text)
    expect(page.locator("#prediction")).to_have_text(expected)
    header = page.evaluate("() => window.nnlive.lastFrame.header")
    assert header["prediction"] == expected
    shape = page.evaluate("() => window.nnlive.lastFrame.tensors.attention.shape")
    assert shape == [OUTPUT_LENGTH, len(text)]
    expect(page.locator("#baseline-prediction")).to_have_text(header["baseline"]["prediction"])
    # a character the model does not know: refused under the field it names, and the page goes on
    page.fill("#date", "27 Nov 2026 ☃")
    page.click("#translate")
    expect(page.locator("#date-error")).to_contain_text("unknown characters '☃'")
    expect(page.locator("#date")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#prediction")).to_have_text(expected)


def test_a_text_that_is_no_date_gets_a_hint_not_a_confident_answer(
    page: Page, live_server: str, errors: list
) -> None:
    open_page(page, f"{live_server}{URL}")
    page.fill("#date", "tomorrow")
    page.click("#translate")
    page.wait_for_function("() => window.nnlive.lastFrame.header.input === 'tomorrow'", timeout=WAIT_MS)
    assert page.evaluate("() => window.nnlive.lastFrame.header.date_like") is False
    expect(page.locator("#unsure")).to_be_visible()
    expect(page.locator("#unsure")).to_contain_text("guess")
    # two dates and no word naming which one: not a text the model learned either
    text = "27/11/26 and 1999-03-04"
    page.fill("#date", text)
    page.click("#translate")
    page.wait_for_function("(t) => window.nnlive.lastFrame.header.input === t", arg=text, timeout=WAIT_MS)
    assert page.evaluate("() => window.nnlive.lastFrame.header.date_like") is False
    expect(page.locator("#unsure")).to_be_visible()


def test_without_attention_there_is_no_matrix_and_no_twin(page: Page, live_server: str, errors: list) -> None:
    open_page(page, f"{live_server}/attention?attention=none&hidden=16")
    assert page.evaluate("() => 'attention' in window.nnlive.lastFrame.tensors") is False
    expect(page.locator("#matrix-none")).to_be_visible()
    expect(page.locator("#matrix-view canvas")).to_be_hidden()
    expect(page.locator("#baseline-prediction")).to_be_hidden()
    header = page.evaluate("() => window.nnlive.lastFrame.header")
    expect(page.locator("#prediction")).to_have_text(header["prediction"])
    expect(page.locator("#target")).to_have_text(header["target"])
    expect(page.locator("#context-view canvas")).to_be_visible()
