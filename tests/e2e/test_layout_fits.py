"""Nothing on any page runs past its card, at any common window width: after the first frame, no text,
canvas, svg or form control ends more than 1 px right of its closest card (``.panel, .card, fieldset,
section, main``), and the document never scrolls sideways."""

import pytest
from playwright.sync_api import Page

from app.api.pages import PAGES

WAIT_MS = 60_000
TOLERANCE_PX = 1
# /inspect draws nothing until an SDK run reports to it (tests/e2e/test_inspect_page.py covers it).
PATHS = [page.path for page in PAGES if page.path != "/inspect"]

# Every leaf that ends past its card: text (measured by its own glyphs, not its block's box), canvases,
# svgs, images and form controls. Left out, each for a reason:
# - whatever sits inside a box between it and its card that scrolls or clips sideways (overflow-x other
#   than visible: a table or code block that scrolls on purpose);
# - what is not shown (no size, visibility hidden) and what is only for screen readers (clipped to 1 px).
OVERRUNS = """
(tolerance) => {
  const CARD = ".panel, .card, .controls, fieldset, section, main";  // .controls: a bordered form
  const shown = (el) => {
    const style = getComputedStyle(el);
    return style.visibility !== "hidden" && style.display !== "none";
  };
  const scrollsBefore = (leaf, card) => {
    for (let at = leaf === card ? null : leaf.parentElement; at && at !== card; at = at.parentElement) {
      if (getComputedStyle(at).overflowX !== "visible") return true;
    }
    return false;
  };
  const name = (el) => {
    const id = el.id ? `#${el.id}` : "";
    const classes = Array.from(el.classList, (c) => `.${c}`).join("");
    return `${el.tagName.toLowerCase()}${id}${classes}`;
  };
  const found = [];
  // `leaf`: the element itself, or a text's parent (which may clip it: then only its own box shows).
  const check = (leaf, rect, what) => {
    if (rect.width === 0 && rect.height === 0) return;
    const card = leaf.closest(CARD);
    if (!card || scrollsBefore(leaf, card) || !shown(leaf)) return;
    const overrun = rect.right - card.getBoundingClientRect().right;
    if (overrun > tolerance) found.push(`${what} in ${name(card)}: ${overrun.toFixed(1)} px`);
  };
  for (const el of document.querySelectorAll("canvas, svg, img, input, select, textarea")) {
    if (el.closest("svg") !== el && el.closest("svg")) continue;  // an svg counts as one leaf
    check(el, el.getBoundingClientRect(), name(el));
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const owner = node.parentElement;
    if (!owner || !node.textContent.trim() || owner.closest("svg, script, style, template")) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const clips = getComputedStyle(owner).overflowX !== "visible";
    const text = node.textContent.trim().slice(0, 30);
    check(owner, (clips ? owner : range).getBoundingClientRect(), `"${text}" (${name(owner)})`);
  }
  const scroll = document.documentElement.scrollWidth - innerWidth;
  if (scroll > 0) found.push(`the document scrolls ${scroll} px sideways`);
  return found;
}
"""


def open_drawn(page: Page, url: str) -> None:
    """Open a page and wait for its first frame (drawn, or at least received)."""
    page.goto(url)
    page.wait_for_function("() => window.nnlive?.frames > 0 || window.nnlive?.lastFrame", timeout=WAIT_MS)


def overruns(page: Page, live_server: str, width: int, language: str = "en") -> list[str]:
    """Every page's leaves that run past their cards at `width` px in `language`, each named."""
    page.set_viewport_size({"width": width, "height": 900})
    found = []
    for path in PATHS:
        open_drawn(page, f"{live_server}{path}")
        assert page.evaluate("() => document.documentElement.lang") == language
        found += [f"{path} at {width} px: {overrun}" for overrun in page.evaluate(OVERRUNS, TOLERANCE_PX)]
    return found


# The lead's four widths, a tablet (768) and the narrowest phone still about (320).
@pytest.mark.parametrize("width", [1920, 1280, 1024, 768, 390, 320])
def test_nothing_runs_past_its_card(page: Page, live_server: str, errors: list[str], width: int) -> None:
    found = overruns(page, live_server, width)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("width", [1280, 390])
def test_nothing_runs_past_its_card_in_chinese(
    page: Page, live_server: str, errors: list[str], width: int
) -> None:
    open_drawn(page, f"{live_server}{PATHS[0]}")
    page.click('button[data-lang="zh-CN"]')  # remembered for the pages that follow
    found = overruns(page, live_server, width, "zh-CN")
    assert not found, "\n".join(found)


# Each line plot's canvas has as many pixels across as it shows (devicePixelRatio per CSS pixel).
PLOTS_CRISP = """
() => {
  const plots = Array.from(document.querySelectorAll("canvas.lineplot-canvas"));
  return plots.length === 2 && plots.every((c) => c.width === Math.round(c.clientWidth * devicePixelRatio));
}
"""


def test_the_loss_curves_are_drawn_at_the_width_they_show(
    page: Page, live_server: str, errors: list[str]
) -> None:
    """/losses' two line plots fit a phone's card, drawn crisply at that width, and redrawn when wider."""
    page.set_viewport_size({"width": 390, "height": 900})
    open_drawn(page, f"{live_server}/losses")
    page.wait_for_function(PLOTS_CRISP, timeout=WAIT_MS)
    narrow = page.evaluate("() => document.querySelector('canvas.lineplot-canvas').width")
    page.set_viewport_size({"width": 1280, "height": 900})  # side by side, each wider than on the phone
    page.wait_for_function(
        f"() => document.querySelector('canvas.lineplot-canvas').width > {narrow} && ({PLOTS_CRISP})()",
        timeout=WAIT_MS,
    )
