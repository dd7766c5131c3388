"""The /transformer page in Chromium against a real server: typed sentences show the tokenizer's tokens,
heatmap and thumbnail pixels have the colour map's colour of the streamed weight (itself held against a
direct transformers call), a picked head goes into the URL and to a lecture's viewers, and a server
without the `pretrained` extra shows how to install it."""

import pytest
from api.transformer_direct import direct_attentions, needs_extra
from playwright.sync_api import Browser, Page, expect

from app.engine import pretrained
from e2e.frames import WAIT_MS, open_page, tensor
from e2e.test_lecture import open_viewer

READ = """
() => {
  const { lastFrame, session, view, heat } = window.nnlive;
  const t = lastFrame.tensors.attentions;
  return { seq: lastFrame.header.seq, header: lastFrame.header, session, view, heat,
           attentions: { shape: t.shape, data: Array.from(t.data) } };
}
"""

# The colour the page's colour map gives a weight on the attention scale, and the pixel a canvas shows.
COLOUR_AND_PIXEL = """
async ({ selector, x, y, weight }) => {
  const { colorOf } = await import("/static/js/math/colormap.js");
  const canvas = document.querySelector(selector);
  const pixel = Array.from(canvas.getContext("2d").getImageData(x, y, 1, 1).data.slice(0, 3));
  return { expected: colorOf(weight, { kind: "sequential", min: 0, max: 1 }), pixel };
}
"""


def type_sentences(page: Page, first: str, second: str = "") -> dict:
    """Type into both fields and read the frame that shows exactly these sentences."""
    page.fill("#second", second)
    page.fill("#first", first)
    want = [first, second] if second else [first]
    page.wait_for_function(
        "(want) => JSON.stringify(window.nnlive.lastFrame.header.sentences) === JSON.stringify(want)",
        arg=want,
        timeout=WAIT_MS,
    )
    return page.evaluate(READ)


def heat_pixel(page: Page, frame: dict, query: int, key: int) -> dict:
    """The heatmap's colour map colour of the picked head's weight (query, key), and its pixel there."""
    layer, head = frame["view"]["layer"], frame["view"]["head"]
    weight = tensor(frame["attentions"])[layer, head, query, key].item()
    geometry = frame["heat"]
    x = geometry["left"] + key * geometry["cell"] + geometry["cell"] // 2
    y = geometry["top"] + query * geometry["cell"] + geometry["cell"] // 2
    args = {"selector": ".attentionhead-heat", "x": x, "y": y, "weight": weight}
    return page.evaluate(COLOUR_AND_PIXEL, args)


@needs_extra
def test_typed_sentences_show_their_tokens_and_the_heads_in_the_colour_map(
    page: Page, live_server: str, errors: list
):
    open_page(page, f"{live_server}/transformer", READ)
    pair = ("Transformers attend to every token.", "Attention is all you need.")
    frame = type_sentences(page, *pair)
    tokens, attentions = direct_attentions(*pair)
    assert frame["header"]["tokens"] == tokens
    expect(page.locator("#tokens .transformer-token")).to_have_text(tokens)
    expect(page.locator("#tokens .segment-1")).to_have_count(len(tokens) - tokens.index("[SEP]") - 1)
    streamed = tensor(frame["attentions"])
    assert streamed.shape == (6, 12, len(tokens), len(tokens))
    assert (streamed - attentions).abs().max() < 2e-3  # float16 frames
    similarity = frame["header"]["similarity"]
    expect(page.locator("#similarity")).to_have_text(f"{float(f'{similarity:.3g}'):g}")  # formatValue

    colours = heat_pixel(page, frame, 3, 1)
    assert colours["pixel"] == colours["expected"]

    page.click('.attentiongrid canvas[data-layer="4"][data-head="7"]')
    assert page.evaluate("() => window.nnlive.view") == {"layer": 4, "head": 7, "mode": "heatmap"}
    assert "layer=4" in page.url
    assert "head=7" in page.url
    expect(page.locator("#head-title")).to_have_text("Layer 4, head 7")
    page.keyboard.press("ArrowDown")  # the grid has the focus: the arrow keys move the pick
    page.keyboard.press("ArrowLeft")
    assert page.evaluate("() => window.nnlive.view") == {"layer": 5, "head": 6, "mode": "heatmap"}
    page.click('.attentiongrid canvas[data-layer="4"][data-head="7"]')
    frame = page.evaluate(READ)
    colours = heat_pixel(page, frame, 0, len(tokens) - 1)
    assert colours["pixel"] == colours["expected"]

    # The thumbnail of layer 4, head 7: 64 px for T tokens, the centre of cell (2, 5).
    cell = 64 / len(tokens)
    weight = streamed[4, 7, 2, 5].item()
    args = {
        "selector": '.attentiongrid canvas[data-layer="4"][data-head="7"]',
        "x": int(5.5 * cell),
        "y": int(2.5 * cell),
        "weight": weight,
    }
    colours = page.evaluate(COLOUR_AND_PIXEL, args)
    assert colours["pixel"] == colours["expected"]

    page.click("text=Lines")
    assert "mode=lines" in page.url
    lines = page.locator(".attentionhead-lines line")
    expect(lines).to_have_count(len(tokens) ** 2)
    opacity = float(lines.nth(2 * len(tokens) + 5).get_attribute("stroke-opacity"))
    assert opacity == pytest.approx(weight, abs=1e-6)

    one = type_sentences(page, "Only one sentence here.")
    assert one["header"]["similarity"] is None
    tokens = direct_attentions("Only one sentence here.")[0]
    expect(page.locator("#tokens .transformer-token")).to_have_text(tokens)


@needs_extra
def test_a_viewer_follows_the_presenters_head_and_sentences(
    page: Page, browser: Browser, live_server: str, errors: list
):
    frame = open_page(page, f"{live_server}/transformer", READ)
    contexts: list = []
    try:
        follow(page, open_viewer(browser, contexts, live_server, "transformer", frame["session"]["id"]))
    finally:
        for context in contexts:
            context.close()


def follow(page: Page, viewer: Page) -> None:
    """The presenter picks a head, draws it as lines and types: the viewer shows all three."""
    expect(viewer.locator("#first")).to_be_disabled()

    page.click('.attentiongrid canvas[data-layer="2"][data-head="9"]')
    page.click("text=Lines")
    type_sentences(page, "The presenter types this.")
    viewer.wait_for_function(
        "() => window.nnlive.lastFrame.header.sentences[0] === 'The presenter types this.'", timeout=WAIT_MS
    )
    viewer.wait_for_function("() => window.nnlive.view.mode === 'lines'", timeout=WAIT_MS)
    assert viewer.evaluate("() => window.nnlive.view") == {"layer": 2, "head": 9, "mode": "lines"}
    expect(viewer.locator("#head-title")).to_have_text("Layer 2, head 9")
    expect(viewer.locator("#first")).to_have_value("The presenter types this.")


def test_without_the_extra_the_page_says_how_to_install_it(
    page: Page, live_server: str, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(pretrained, "pretrained_available", lambda: False)
    crashes: list[str] = []
    page.on("pageerror", lambda e: crashes.append(str(e)))
    page.goto(f"{live_server}/transformer")
    expect(page.locator("#notice")).to_contain_text("Not available on this server", timeout=WAIT_MS)
    expect(page.locator("#notice")).to_contain_text(pretrained.INSTALL_HINT)
    assert not crashes
