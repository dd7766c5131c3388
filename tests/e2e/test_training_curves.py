"""The training curves as TensorBoard users expect them, on /lenet in Chromium against a real server: axes
before the first point, log-y ticks, smoothing, the previous run as a ghost after a reset (named by what
changed), and the "loss exploded" alert of a real run of LeNet-5 with Adam at lr 0.5."""

import math

import pytest
from playwright.sync_api import Page, expect

WAIT_MS = 60_000
LOSS = "window.nnlive.curves.loss"
TRAIN_LOSSES = f"() => {LOSS}.columns[0].filter((v) => v !== null).length"
Y_TICKS = f"() => {LOSS}.plot.axes[1]._values"  # the y tick labels uPlot drew last


def open_lenet(page: Page, url: str) -> None:
    page.goto(f"{url}/lenet")
    page.wait_for_function("() => window.nnlive?.lastFrame && window.nnlive.driving", timeout=WAIT_MS)


def set_control(page: Page, selector: str, value: str, name: str, expected: object) -> None:
    page.fill(selector, value)
    page.locator(selector).blur()
    page.wait_for_function(f"() => window.nnlive.state?.controls.{name} === {expected}", timeout=WAIT_MS)


def train_until(page: Page, points: int) -> None:
    page.click("#train")
    page.wait_for_function(f"() => ({TRAIN_LOSSES})() >= {points}", timeout=WAIT_MS)
    page.click("#train")
    expect(page.locator("#run-state")).to_have_attribute("data-state", "paused")


def plot_pixels(page: Page) -> dict:
    """How many pixels of the loss chart's canvas are not white, and how many are the train blue."""
    return page.evaluate(
        f"""() => {{
      const canvas = {LOSS}.plotBox.querySelector("canvas");
      const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
      let inked = 0, blue = 0;
      for (let i = 0; i < data.length; i += 4) {{
        if (data[i + 3] > 0 && data[i] + data[i + 1] + data[i + 2] < 700) inked++;
        if (data[i] < 40 && Math.abs(data[i + 1] - 114) < 30 && data[i + 2] > 150) blue++;
      }}
      return {{ inked, blue }};
    }}"""
    )


def test_axes_before_the_first_point_then_log_ticks_and_smoothing(
    page: Page, live_server: str, errors
) -> None:
    open_lenet(page, live_server)
    page.wait_for_function(f"() => ({Y_TICKS})()?.length >= 2", timeout=WAIT_MS)
    assert page.evaluate(TRAIN_LOSSES) == 0
    assert page.evaluate(Y_TICKS)[0] == "0"  # an empty chart still has its axes: 0 … 1
    assert plot_pixels(page)["inked"] > 500  # the tick labels and grid are drawn
    assert plot_pixels(page)["blue"] == 0

    train_until(page, 12)
    page.check(".curves-log >> nth=0")
    page.wait_for_function(f"() => {LOSS}.log && ({Y_TICKS})().length >= 2", timeout=WAIT_MS)
    ticks = page.evaluate(f"() => {LOSS}.plot.axes[1]._splits")
    for tick in ticks:  # 1, 2 or 5 × a power of ten
        mantissa = tick / 10 ** math.floor(math.log10(tick) + 1e-9)
        assert round(mantissa, 6) in (1, 2, 5), ticks
    losses = page.evaluate(f"() => {LOSS}.columns[0].filter((v) => v !== null)")
    assert min(ticks) <= min(losses)
    assert max(ticks) >= max(losses) / 10

    # Smoothing: the top series is TensorBoard's debiased average of the raw losses, which stay drawn.
    before = page.evaluate(f"() => {LOSS}.plot.data[5].filter((v) => v !== null)[1]")
    page.fill(".curves-smoothing >> nth=0", "0.9")
    second_smoothed = f"{LOSS}.plot.data[5].filter((v) => v !== null)[1]"
    page.wait_for_function(f"() => {second_smoothed} !== {before}", timeout=WAIT_MS)
    raw, smoothed = page.evaluate(f"() => [{LOSS}.plot.data[3], {LOSS}.plot.data[5]]")
    pairs = [(r, s) for r, s in zip(raw, smoothed, strict=True) if r is not None]
    average, count, expected = 0.0, 0, []
    for r, _ in pairs:
        average, count = average * 0.9 + 0.1 * r, count + 1
        expected.append(average / (1 - 0.9**count))
    assert [s for _, s in pairs] == pytest.approx(expected, rel=1e-9)
    assert pairs[0][1] == pytest.approx(pairs[0][0])  # debiased: starts at the first loss
    assert plot_pixels(page)["blue"] > 100


def test_a_reset_keeps_the_run_as_a_ghost_named_by_what_changed(page: Page, live_server: str, errors) -> None:
    open_lenet(page, live_server)
    train_until(page, 5)
    drawn = page.evaluate(TRAIN_LOSSES)
    page.click("#reset")
    page.wait_for_function(f"() => {LOSS}.ghost && {LOSS}.steps.length === 0", timeout=WAIT_MS)
    ghost = page.locator(".curves-ghost").first
    expect(ghost).to_be_visible()
    expect(ghost).to_have_text("previous run")
    assert len([v for v in page.evaluate(f"() => {LOSS}.ghost.columns[0]") if v is not None]) == drawn
    # drawn behind the (empty) current run: the ghost series of the chart holds the old losses
    ghost_drawn = f"{LOSS}.plot.data[1].filter((v) => v !== null).length"
    page.wait_for_function(f"() => {ghost_drawn} === {drawn}", timeout=WAIT_MS)

    page.select_option("#optimizer", "sgd")
    page.wait_for_function("() => window.nnlive.state?.controls.optimizer === 'sgd'", timeout=WAIT_MS)
    expect(ghost).to_have_text("previous run (optimizer: adam)")


def test_adam_at_lr_half_says_the_loss_exploded_until_reset(page: Page, live_server: str, errors) -> None:
    open_lenet(page, live_server)
    alert = page.locator(".exploded-alert")
    expect(alert).to_be_hidden()
    set_control(page, "#lr", "0.5", "lr", 0.5)
    page.click("#train")
    page.wait_for_function("() => window.nnlive.exploded === true", timeout=WAIT_MS)
    page.click("#train")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("Loss exploded")
    expect(alert).to_contain_text("Lower the learning rate or reset")
    assert page.evaluate("() => window.nnlive.lastFrame.header.train?.exploded ?? true")
    page.click("#reset")
    expect(alert).to_be_hidden()


def test_word2vec_names_its_rising_validation_loss_overfitting(page: Page, live_server: str, errors) -> None:
    page.goto(f"{live_server}/embedding")
    page.wait_for_function("() => window.nnlive?.lastFrame && window.nnlive.driving", timeout=WAIT_MS)
    note = page.locator("#overfitting")
    expect(note).to_be_hidden()
    page.click("#train")
    expect(note).to_be_visible(timeout=240_000)  # a real run: validation turns up after ~1,500 steps
    page.click("#train")
    expect(note).to_contain_text("Overfitting")
    val = page.evaluate("() => window.nnlive.curves.loss.columns[1].filter((v) => v !== null)")
    train = page.evaluate("() => window.nnlive.curves.loss.columns[0].filter((v) => v !== null)")
    assert sum(val[-3:]) / 3 > 1.02 * min(val)  # it did rise, by the server's own numbers
    assert val.index(min(val)) < len(val) - 3
    assert train[-1] < train[0]


def test_a_setting_change_keeps_the_old_session_as_a_ghost_named_by_the_setting(
    page: Page, live_server: str, errors
) -> None:
    page.goto(f"{live_server}/charrnn")
    page.wait_for_function("() => window.nnlive?.session && window.nnlive.driving", timeout=WAIT_MS)
    first = page.evaluate("() => window.nnlive.session.id")
    chart = "window.nnlive.curves.loss"
    page.click("#train")
    page.wait_for_function(f"() => {chart}.columns[0].filter((v) => v !== null).length >= 3", timeout=WAIT_MS)
    page.click("#train")
    expect(page.locator("#run-state")).to_have_attribute("data-state", "paused")
    page.select_option('#settings select[name="cell"]', "gru")
    page.wait_for_function(f"() => window.nnlive.session.id !== '{first}' && {chart}.ghost", timeout=WAIT_MS)
    expect(page.locator(".curves-ghost").first).to_have_text("previous run (cell: lstm)")
    assert page.evaluate(f"() => {chart}.ghost.columns[0].filter((v) => v !== null).length") >= 3
