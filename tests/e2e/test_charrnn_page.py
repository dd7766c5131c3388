"""The char-RNN page in Chromium against a real server: a sample and a falling loss after Train, the
shown sample against the session's weights rerun in torch, corpora pasted or refused, the prompt.

The page keeps what it drew in ``window.nnlive`` (lastFrame, curves, sample and prompt: the header
of the last sample of each kind with its step), so the tests compare the screen with the server's
numbers and those with torch.
"""

import pytest
import torch
from api.charrnn_torch import rerun
from playwright.sync_api import Page, expect

WAIT_MS = 30_000
TRAIN_LOSSES = "() => window.nnlive.curves.loss.columns[0].filter((v) => v !== null)"
# The shown sample: its frame tensors and header, and the page's characters and top-5 rows.
READ_SAMPLE = """
(card) => {
  const frame = window.nnlive.lastSampleFrame[card];
  const plain = (t) => ({ shape: t.shape, data: Array.from(t.data) });
  const names = ["top5_p", "top5_i", "p_chosen", "hidden"];
  return {
    step: frame.header.step,
    sample: frame.header.sample,
    tensors: Object.fromEntries(names.map((name) => [name, plain(frame.tensors[name])])),
    cells: Array.from(document.querySelectorAll(`#${card}-view .charrnn-chars .ch`), (c) => c.textContent),
    top: Array.from(document.querySelectorAll(`#${card}-view .charrnn-top li`), (li) => ({
      char: li.dataset.char,
      p: li.querySelector(".charrnn-top-p").textContent,
      drawn: li.classList.contains("drawn"),
    })),
  };
}
"""


# ColorBrewer RdBu (11 classes), blue (−1) → white (0) → red (+1), as static/js/math/colormap.js names it.
RDBU = [
    (5, 48, 97), (33, 102, 172), (67, 147, 195), (146, 197, 222), (209, 229, 240), (247, 247, 247),
    (253, 219, 199), (244, 165, 130), (214, 96, 77), (178, 24, 43), (103, 0, 31),
]  # fmt: skip


def rdbu(value: float) -> tuple[int, ...]:
    """The colour of ``value`` on the ±1 diverging scale: 255 levels, linear between the control points."""
    level = round(min(max((value + 1) / 2, 0), 1) * 254)
    x = level / 254 * (len(RDBU) - 1)
    i = min(int(x), len(RDBU) - 2)
    return tuple(round(a + (b - a) * (x - i)) for a, b in zip(RDBU[i], RDBU[i + 1], strict=True))


def open_charrnn(page: Page, url: str) -> None:
    """Open the page and wait until it drives its session and shows a sample."""
    page.goto(url)
    page.wait_for_function("() => window.nnlive?.sample && window.nnlive.driving", timeout=WAIT_MS)


def test_train_shows_samples_and_a_falling_loss_that_torch_confirms(
    page: Page, live_server: str, errors: list[str]
) -> None:
    """Stated: on the shipped story the training loss falls by at least 0.5 after Train."""
    open_charrnn(page, f"{live_server}/charrnn?corpus=shipped&hidden=64")
    first_sample = page.evaluate("() => window.nnlive.sample.header.text")
    page.click("#train")
    expect(page.locator("#run-state")).to_have_attribute("data-state", "training")
    page.wait_for_function(
        f"() => {{ const l = ({TRAIN_LOSSES})(); return l.length >= 5 && l.at(-1) < l[0] - 0.5; }}",
        timeout=60_000,
    )
    page.wait_for_function(
        "(text) => window.nnlive.sample.header.text !== text && window.nnlive.sample.step > 0",
        arg=first_sample,
        timeout=WAIT_MS,
    )
    page.click("#train")
    expect(page.locator("#run-state")).to_have_attribute("data-state", "paused")
    assert int(page.locator("#speed").text_content().replace(",", "")) > 0

    # A sample made with the weights the session holds now: shorten the interval, step until one comes.
    page.fill("#controls [name=sample_every]", "0.5")
    page.locator("#controls [name=sample_every]").dispatch_event("change")
    for _ in range(20):
        page.wait_for_timeout(600)  # a sample is due again (not a measurement: the loop checks the step)
        step = page.evaluate("() => window.nnlive.state.step")
        page.click("#step-once")
        page.wait_for_function("(s) => window.nnlive.state.step > s", arg=step, timeout=WAIT_MS)
        shown = page.evaluate(READ_SAMPLE, "sample")
        if shown["step"] == page.evaluate("() => window.nnlive.state.step"):
            break
    else:
        pytest.fail("no sample at the current step")

    session = page.evaluate("() => window.nnlive.session")
    sample = shown["sample"]
    probs, hidden = rerun(live_server, session, sample["prompt"], sample["text"], sample["temperature"])
    top = probs.topk(5)
    length = len(sample["text"])
    assert torch.allclose(
        torch.tensor(shown["tensors"]["top5_p"]["data"]).view(length, 5), top.values, atol=1e-4
    )
    assert torch.allclose(
        torch.tensor(shown["tensors"]["hidden"]["data"]).view(-1, length), hidden, atol=1e-4
    )
    # The page: one cell per character, and position 0's five most likely characters with torch's numbers.
    assert len(shown["cells"]) == length
    vocab = session["corpus"]["chars"]
    assert [row["char"] for row in shown["top"]] == [vocab[i] for i in top.indices[0].tolist()]
    assert [row["p"] for row in shown["top"]] == [f"{p * 100:.1f}%" for p in top.values[0].tolist()]
    assert [row["drawn"] for row in shown["top"]] == [
        vocab[i] == sample["text"][0] for i in top.indices[0].tolist()
    ]


def test_a_hidden_unit_colours_the_text(page: Page, live_server: str, errors: list[str]) -> None:
    """Clicking a row of the heat strip colours each character by that unit's value (RdBu, ±1)."""
    open_charrnn(page, f"{live_server}/charrnn?corpus=shipped&hidden=32")
    strip = page.locator("#sample-view canvas.charrnn-heat-canvas")
    box = strip.bounding_box()
    assert box
    strip.click(position={"x": box["width"] * 0.5 / 200, "y": box["height"] * 3.5 / 32})  # unit 3, position 0
    expect(page.locator("#sample-view .charrnn-key-caption")).to_contain_text("unit 3")
    value, colour = page.evaluate(
        """() => {
          const frame = window.nnlive.lastSampleFrame.sample;
          const [, length] = frame.tensors.hidden.shape;
          const cell = document.querySelector('#sample-view .charrnn-chars .ch[data-t="0"]');
          return [frame.tensors.hidden.data[3 * length], getComputedStyle(cell).backgroundColor];
        }"""
    )
    rgb = tuple(int(v) for v in colour[colour.index("(") + 1 : -1].split(","))
    assert max(abs(a - b) for a, b in zip(rgb, rdbu(value), strict=True)) <= 2, (value, rgb)


def test_a_pasted_text_becomes_the_corpus_and_bad_uploads_are_refused(
    page: Page, live_server: str, errors: list[str]
) -> None:
    """Paste → new vocabulary, step 0; invalid UTF-8 and a file over 1 MiB → the server's refusal shown."""
    open_charrnn(page, f"{live_server}/charrnn?corpus=shipped&hidden=32")
    text = "the cat sat on the mat. " * 12
    page.fill("#corpus-text", text)
    page.click("#corpus-paste")
    expect(page.locator("#notice")).to_contain_text("New corpus")
    page.wait_for_function("() => window.nnlive.sample.header.vocab === ' .acehmnost'", timeout=WAIT_MS)
    expect(page.locator("#corpus-facts")).to_contain_text(f"your text · {len(text)} characters · 11 distinct")
    expect(page.locator("#step")).to_have_text("Step 0")

    page.set_input_files(
        "#corpus-file", files=[{"name": "bad.txt", "mimeType": "text/plain", "buffer": b"ok \xff\xfe"}]
    )
    expect(page.locator("#notice")).to_contain_text("not valid UTF-8 (byte 3)")
    big = b"a" * (1024 * 1024 + 1)
    page.set_input_files("#corpus-file", files=[{"name": "big.txt", "mimeType": "text/plain", "buffer": big}])
    expect(page.locator("#notice")).to_contain_text("Too much at once")
    errors[:] = [e for e in errors if "status of 413" not in e]  # the refusal the page shows, not a fault
    assert page.evaluate("() => window.nnlive.sample.header.vocab") == " .acehmnost"  # the corpus stayed


def test_a_prompt_is_continued_with_its_probabilities(
    page: Page, live_server: str, errors: list[str]
) -> None:
    """The continuation of a typed prompt: the prompt in grey, then `length` characters."""
    open_charrnn(page, f"{live_server}/charrnn?corpus=shipped&hidden=32")
    page.fill("#prompt", "The keeper")
    page.fill("#prompt-length", "30")
    page.fill("#controls [name=temperature]", "1")  # the prompt is continued at the slider's temperature
    page.click("#generate")
    page.wait_for_function("() => window.nnlive.prompt", timeout=WAIT_MS)
    shown = page.evaluate(READ_SAMPLE, "prompt")
    assert shown["sample"]["prompt"] == "The keeper"
    assert len(shown["sample"]["text"]) == 30
    assert len(shown["cells"]) == 30
    expect(page.locator("#prompt-view .charrnn-prompt-chars")).to_have_text("The keeper")
    session = page.evaluate("() => window.nnlive.session")  # untrained: the weights are the initial ones
    probs, hidden = rerun(live_server, session, "The keeper", shown["sample"]["text"], 1.0)
    assert torch.allclose(
        torch.tensor(shown["tensors"]["top5_p"]["data"]).view(30, 5), probs.topk(5).values, atol=1e-4
    )
    assert torch.allclose(torch.tensor(shown["tensors"]["hidden"]["data"]).view(-1, 30), hidden, atol=1e-4)
