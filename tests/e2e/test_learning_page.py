"""The /learning page in Chromium against a real server: the four panels train and their pictures and
numbers change with the frames; a lecture viewer follows the enlarged panel; the home page lists the
chapters, chapter one first."""

import itertools

import httpx
from playwright.sync_api import Browser, BrowserContext, Page, expect

from e2e.frames import WAIT_MS, open_page
from e2e.test_lecture import open_viewer

CANVASES = ("supervised", "kmeans", "semi", "base", "world", "returns")
PIXELS = """
(names) => Object.fromEntries(
  names.map((n) => [n, document.querySelector(`[data-view=${n}], #${n} canvas`).toDataURL()]),
)
"""
HEADER = "() => window.nnlive.lastFrame.header"


def test_the_four_panels_train_and_their_pictures_change(
    page: Page, live_server: str, errors: list[str]
) -> None:
    frame = open_page(page, f"{live_server}/learning?dataset=moons&clusters=2&samples=120")
    assert frame["session"]["config"]["dataset"] == "moons"
    before = page.evaluate(PIXELS, list(CANVASES))
    page.click("#train")
    page.wait_for_function("() => window.nnlive.lastFrame.header.step >= 30", timeout=WAIT_MS)
    page.click("#train")  # pause
    expect(page.locator("#run-state")).to_have_attribute("data-state", "paused", timeout=WAIT_MS)
    # Pausing makes one last frame at the paused step, which may arrive after the `paused` state: wait
    # until the page has drawn it (its pills show its numbers), then read what is shown.
    session = httpx.get(f"{live_server}/api/sessions/{frame['session']['id']}", timeout=WAIT_MS / 1000).json()
    page.wait_for_function(
        """(step) => {
            const h = window.nnlive.lastFrame.header;
            const text = (id) => document.getElementById(id).textContent;
            return h.step === step
                && text("sup-numbers").includes(`${(h.sup_acc * 100).toFixed(1)}%`)
                && text("rl-numbers").includes(`${h.rl_episodes} episodes`);
        }""",
        arg=session["step"],
        timeout=WAIT_MS,
    )
    header = page.evaluate(HEADER)
    after = page.evaluate(PIXELS, list(CANVASES))
    changed = [name for name in CANVASES if after[name] != before[name]]
    assert set(changed) >= {"supervised", "kmeans", "semi", "world", "returns"}, changed
    inertia = page.evaluate("() => Array.from(window.nnlive.lastFrame.tensors['kmeans.inertia'].data)")
    assert all(b <= a + 1e-3 for a, b in itertools.pairwise(inertia))
    assert header["rl_episodes"] == header["step"] * 8
    # K: k-means starts again from other points, the other panels stay
    page.locator("body").press("k")
    page.wait_for_function("() => window.nnlive.lastFrame.header.kmeans_iteration === 0", timeout=WAIT_MS)
    expect(page.locator("#kmeans-numbers")).to_contain_text("Iteration 0")
    restarted = page.evaluate(PIXELS, list(CANVASES))
    assert restarted["kmeans"] != after["kmeans"]
    assert restarted["supervised"] == after["supervised"]


def test_a_viewer_follows_the_enlarged_panel(
    page: Page, browser: Browser, contexts: list[BrowserContext], live_server: str
) -> None:
    frame = open_page(page, f"{live_server}/learning")
    viewer = open_viewer(browser, contexts, live_server, "learning", frame["session"]["id"])
    page.locator("body").press("4")
    expect(page.locator("#panels")).to_have_attribute("data-focus", "4")
    expect(viewer.locator("#panels")).to_have_attribute("data-focus", "4", timeout=WAIT_MS)
    page.locator("body").press("s")
    viewer.wait_for_function("() => window.nnlive.lastFrame.header.step === 1", timeout=WAIT_MS)
    expect(viewer.locator("#train")).to_be_disabled()


def test_home_lists_chapter_one_first(page: Page, live_server: str) -> None:
    page.goto(live_server)
    chapters = page.locator("[data-chapter]")
    expect(chapters.first).to_have_attribute("data-chapter", "one")
    expect(chapters.first.locator("a").first).to_have_attribute("href", "/learning")
