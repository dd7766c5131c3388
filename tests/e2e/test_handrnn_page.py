"""The char-RNN by hand in Chromium against a real server: the code shown is the source that runs, the
loss falls while it trains, the gap to autograd is shown small, and a picked step shows its h_t."""

import inspect

from playwright.sync_api import Page, expect

from app.engine.models import handrnn as hand

WAIT_MS = 30_000
TRAIN_LOSSES = "() => window.nnlive.curves.loss.columns[0].filter((v) => v !== null)"


def test_code_is_the_running_source_and_the_loss_falls_with_a_tiny_gap_to_autograd(
    page: Page, live_server: str, errors: list[str]
) -> None:
    page.goto(f"{live_server}/handrnn?hidden=64")
    page.wait_for_function("() => window.nnlive?.session && window.nnlive.driving", timeout=WAIT_MS)
    shown = page.locator(".codeview-source").all_text_contents()
    assert shown == [inspect.getsource(f) for f in (hand.forward, hand.backward, hand.clip, hand.adagrad)]

    page.click("#train")
    expect(page.locator("#run-state")).to_have_attribute("data-state", "training")
    page.wait_for_function(
        f"() => {{ const l = ({TRAIN_LOSSES})(); return l.length >= 5 && l.at(-1) < l[0] - 0.3; }}",
        timeout=90_000,
    )
    page.click("#train")
    expect(page.locator("#run-state")).to_have_attribute("data-state", "paused")
    page.wait_for_function(
        "() => window.nnlive.lastFrame?.header.chunk && window.nnlive.sample", timeout=WAIT_MS
    )

    chunk = page.evaluate("() => window.nnlive.lastFrame.header.chunk")
    assert chunk["check"]["max_abs_error"] < 1e-12
    assert float(page.locator("#check").text_content()) < 1e-12
    notes = page.locator(".codeview-function").nth(1).locator("dd").all_text_contents()
    assert len(notes) == 5
    assert all("autograd" in n for n in notes)

    page.locator("#chunk-chars button[data-t='3']").click()
    expect(page.locator("#chunk-chars button[data-t='3']")).to_have_attribute("aria-pressed", "true")
    h3, bars = page.evaluate(
        """() => {
          const { h } = window.nnlive.lastFrame.tensors;
          const units = h.shape[1];
          return [Array.from(h.data.subarray(4 * units, 5 * units)), Array.from(window.nnlive.hView.values)];
        }"""
    )
    assert bars == h3
    assert len(page.evaluate("() => window.nnlive.sample.text")) == 200
    assert not errors
