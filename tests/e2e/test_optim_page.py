"""/optim in Chromium against a real server: Adam on Rosenbrock walks toward (1, 1) while its loss falls,
the standings and the update rule show the streamed numbers, a diverging learning rate shows the diverged
state (the page keeps drawing), a click on the plot restarts from there, and a lecture viewer follows."""

import json
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page, expect

from e2e.frames import WAIT_MS

READ = """
() => {
  const { header, tensors } = window.nnlive.lastFrame;
  const plain = (name) => Array.from(tensors[name].data);
  return { header, path: plain("path.0"), loss: plain("loss.0") };
}
"""

# while training the step pill follows the frames (states are sent on changes only)
PILL_SHOWS_STEP = """
() => {
  const step = window.nnlive.lastFrame.header.step;
  return step > 0 && step < 300 && document.getElementById("step").textContent.endsWith(` ${step}`);
}
"""


def open_optim(page: Page, url: str) -> dict:
    page.goto(url)
    page.wait_for_function("() => window.nnlive?.lastFrame && window.nnlive.driving", timeout=WAIT_MS)
    return page.evaluate(READ)


def link(base: str, **config: object) -> str:
    value = lambda v: quote(json.dumps(v) if isinstance(v, list) else str(v))  # noqa: E731
    query = "&".join(f"{k}={value(v)}" for k, v in config.items())
    return f"{base}/optim?{query}"


def test_adam_on_rosenbrock_walks_toward_the_minimum(page: Page, live_server: str, errors: list[str]) -> None:
    adam = [{"name": "adam", "lr": 0.1}]
    url = link(live_server, function="rosenbrock", optimizers=adam, start=[-1.5, 2.0])
    frame = open_optim(page, url)
    assert frame["path"] == [-1.5, 2.0]
    page.fill("#speed", "200")
    page.locator("#speed").dispatch_event("change")
    page.click("#train")
    page.wait_for_function(PILL_SHOWS_STEP, timeout=WAIT_MS)
    page.wait_for_function("() => window.nnlive.lastFrame.tensors['path.0'].shape[0] > 320", timeout=WAIT_MS)
    page.click("#train")  # pause
    frame = page.evaluate(READ)
    start, end = frame["path"][:2], frame["path"][-2:]
    distance = lambda p: ((p[0] - 1) ** 2 + (p[1] - 1) ** 2) ** 0.5  # noqa: E731
    assert distance(end) < distance(start) / 2
    assert frame["loss"][-1] < frame["loss"][0] / 10
    shown, drawn = page.evaluate(
        """() => [document.querySelector('.optimtable .optim-loss').textContent,
                  window.nnlive.lastFrame.tensors['loss.0'].data.at(-1)]"""
    )  # read together: the table shows the frame drawn last
    assert shown == page.evaluate("(v) => String(Number(v.toPrecision(3)))", drawn)
    expect(page.locator("#rule dd").first).to_contain_text("g = ∇f(w)")
    expect(page.locator("#rule")).to_contain_text("m̂ = m / (1 − β₁^")


def test_a_diverging_learning_rate_shows_the_diverged_state(
    page: Page, live_server: str, errors: list[str]
) -> None:
    rates = [{"name": "sgd", "lr": 0.5}, {"name": "sgd", "lr": 0.05}]  # 0.5 > 2/κ: each step overshoots
    open_optim(page, link(live_server, function="quadratic", optimizers=rates))
    page.fill("#speed", "500")
    page.locator("#speed").dispatch_event("change")
    page.locator("h1").click()  # out of the field: keys drive the page
    page.keyboard.press(" ")
    expect(page.locator("#diverged")).to_be_visible(timeout=WAIT_MS)
    expect(page.locator('.optimtable tr[data-diverged="true"]')).to_have_count(1)
    status = page.locator('.optimtable tr[data-diverged="true"] .optim-status')
    expect(status).to_contain_text("diverged at step")
    frames = page.evaluate("() => window.nnlive.frames")
    page.wait_for_function("(n) => window.nnlive.frames > n", arg=frames, timeout=WAIT_MS)  # still drawing
    page.keyboard.press(" ")


def test_a_click_on_the_plot_starts_there_and_a_viewer_follows(
    page: Page, browser: Browser, live_server: str, errors: list[str]
) -> None:
    open_optim(page, link(live_server, function="himmelblau"))
    viewer = browser.new_context().new_page()
    viewer.goto(page.evaluate("() => document.getElementById('share-link').value"))
    viewer.wait_for_function("() => window.nnlive?.lastFrame", timeout=WAIT_MS)
    plot = page.locator(".contour-canvas")
    box = plot.bounding_box()
    assert box
    plot.click(position={"x": box["width"] * 0.75, "y": box["height"] * 0.25})  # (2.5, 2.5) on [-5, 5]²
    page.wait_for_function("() => window.nnlive.session.config.start !== null", timeout=WAIT_MS)
    start = page.evaluate("() => window.nnlive.session.config.start")
    assert start == pytest.approx([2.5, 2.5], abs=0.1)
    viewer.wait_for_function(
        "(s) => window.nnlive.lastFrame && window.nnlive.session.id === s",
        arg=page.evaluate("() => window.nnlive.session.id"),
        timeout=WAIT_MS,
    )
    page.keyboard.press("2")
    viewer.wait_for_function("() => window.nnlive.selected === 1", timeout=WAIT_MS)
