"""/dropout's experiment in Chromium against a real server: the same MLP trained without and with
dropout; both runs' four curves are drawn with the frames' numbers, and once the run without dropout
overfits the page says so, naming the validation losses the frame carries."""

import pytest
from playwright.sync_api import Browser, Page, expect

OVERFIT_MS = 120_000  # a hang guard: the run without dropout turns up after a few hundred steps


def shown3(value: float) -> str:
    """A number as the page prints it here (three significant digits, no trailing zeros)."""
    return repr(float(f"{value:.3g}"))


READ_PAIR = """
() => {
  const { lastFrame, charts } = window.nnlive.pair;
  const last = (view) => view.columns.map((column) => column.at(-1));
  const text = (id) => document.getElementById(id).textContent;
  return {
    header: lastFrame.header,
    loss: last(charts.loss),
    acc: last(charts.acc),
    steps: charts.loss.steps.at(-1),
    now: text("pair-now"),
    verdict: text("pair-verdict"),
  };
}
"""


def test_both_runs_curves_show_the_frames_numbers_and_the_page_names_overfitting(
    page: Page, live_server: str, errors: list[str]
) -> None:
    page.goto(f"{live_server}/dropout")
    page.wait_for_function("() => window.nnlive?.pair?.frames > 0 && window.nnlive.driving")
    expect(page.locator("#pair")).to_contain_text("overfitting")
    page.locator("#pair-controls #train").click()
    page.wait_for_function("() => window.nnlive.pair.overfits", timeout=OVERFIT_MS)
    shown = page.evaluate(READ_PAIR)  # the frame drawn last, with what its drawing wrote
    page.locator("#pair-controls #train").click()  # pause
    header = shown["header"]
    assert shown["steps"] == header["step"]
    assert shown["loss"] == [
        header["plain"]["train_loss"],
        header["plain"]["val_loss"],
        header["dropout"]["train_loss"],
        header["dropout"]["val_loss"],
    ]
    assert shown["acc"] == [
        header["plain"]["train_acc"],
        header["plain"]["val_acc"],
        header["dropout"]["train_acc"],
        header["dropout"]["val_acc"],
    ]
    # The lesson: without dropout the training loss is ≈ 0 and the validation loss is above the other run's.
    assert header["plain"]["train_loss"] < 0.01
    assert header["plain"]["val_loss"] > header["dropout"]["val_loss"]
    plain, dropout = (shown3(header[run]["val_loss"]) for run in ("plain", "dropout"))
    assert shown["now"] == (
        f"Step {header['step']}: validation loss without dropout {plain}, with dropout {dropout}."
    )
    assert shown["verdict"].startswith("Overfitting: without dropout the validation loss has turned up")
    assert f"to {plain}, while" in shown["verdict"]
    assert errors == []


@pytest.mark.parametrize(("width", "height"), [(1440, 900), (390, 844)])
def test_the_experiment_fits_the_screen(page: Page, live_server: str, width: int, height: int) -> None:
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server}/dropout")
    page.wait_for_function("() => window.nnlive?.pair?.frames > 0")
    pair = page.locator("#pair")
    pair.scroll_into_view_if_needed()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    box = pair.bounding_box()
    assert box
    assert box["width"] <= width
    for chart in ("#pair-loss canvas", "#pair-acc canvas"):
        chart_box = page.locator(chart).first.bounding_box()
        assert chart_box
        assert chart_box["width"] > 0.3 * min(width, 1000)
        assert chart_box["x"] + chart_box["width"] <= width


def test_a_viewer_follows_the_presenters_experiment(page: Page, browser: Browser, live_server: str) -> None:
    page.goto(f"{live_server}/dropout")
    page.wait_for_function("() => window.nnlive?.pair?.frames > 0 && window.nnlive.driving")
    for _ in range(3):
        page.locator("#pair-controls #step-once").click()
    page.wait_for_function("() => window.nnlive.pair.lastFrame.header.step === 3")
    session = page.evaluate("() => window.nnlive.session.id")
    pair = page.evaluate("() => new URLSearchParams(location.search).get('pair')")
    context = browser.new_context()
    try:
        viewer = context.new_page()
        viewer.goto(f"{live_server}/dropout?session={session}")  # the bare viewer link
        viewer.wait_for_function(
            "(id) => new URLSearchParams(location.search).get('pair') === id"
            " && window.nnlive.pair?.lastFrame?.header.step === 3",
            arg=pair,
        )
        header = page.evaluate("() => window.nnlive.pair.lastFrame.header")
        assert viewer.evaluate("() => window.nnlive.pair.lastFrame.header")["plain"] == header["plain"]
        expect(viewer.locator("#pair-controls #train")).to_be_disabled()
    finally:
        context.close()
