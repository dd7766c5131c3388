"""The /transformer page in Chromium against a real server: typed sentences show the tokenizer's tokens,
heatmap and thumbnail pixels have the colour map's colour of the streamed weight (itself held against a
direct transformers call), a picked head goes into the URL and to a lecture's viewers, and a server
without the `pretrained` extra shows how to install it."""

import pytest
from api.transformer_direct import direct_attentions, direct_projections, needs_extra
from playwright.sync_api import Browser, BrowserContext, Page, expect

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
    assert page.evaluate("() => window.nnlive.view") == {
        "layer": 4,
        "head": 7,
        "mode": "heatmap",
        "query": 0,
        "colour": "absolute",
    }
    assert "layer=4" in page.url
    assert "head=7" in page.url
    expect(page.locator("#head-title")).to_have_text("Layer 4, head 7")
    page.keyboard.press("ArrowDown")  # the grid has the focus: the arrow keys move the pick
    page.keyboard.press("ArrowLeft")
    assert page.evaluate("() => window.nnlive.view") == {
        "layer": 5,
        "head": 6,
        "mode": "heatmap",
        "query": 0,
        "colour": "absolute",
    }
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
    page: Page, browser: Browser, contexts: list[BrowserContext], live_server: str, errors: list
):
    frame = open_page(page, f"{live_server}/transformer", READ)
    follow(page, open_viewer(browser, contexts, live_server, "transformer", frame["session"]["id"]))


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
    assert viewer.evaluate("() => window.nnlive.view") == {
        "layer": 2,
        "head": 9,
        "mode": "lines",
        "query": 0,
        "colour": "absolute",
    }
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


@needs_extra
def test_tokens_the_vocabulary_lacks_are_named_in_a_warning(page: Page, live_server: str, errors: list):
    open_page(page, f"{live_server}/transformer", READ)
    expect(page.locator("#unknown-warning")).to_be_hidden()
    frame = type_sentences(page, "我喜欢猫 and cats")
    unknown = [i for i, token in enumerate(frame["header"]["tokens"]) if token == "[UNK]"]
    assert len(unknown) == 3
    warning = page.locator("#unknown-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("3 piece(s) became [UNK]: “喜” “欢” “猫”")
    expect(warning).to_contain_text("vocabulary")
    expect(page.locator("#tokens .transformer-token.unknown")).to_have_count(3)
    type_sentences(page, "The cat sat.")
    expect(page.locator("#unknown-warning")).to_be_hidden()


@needs_extra
def test_the_picked_heads_q_k_v_and_scaled_scores_are_the_models(page: Page, live_server: str, errors: list):
    open_page(page, f"{live_server}/transformer?layer=2&head=5&query=1", READ)
    sentence = "Attention is all you need."
    frame = type_sentences(page, sentence)
    expected = direct_projections(sentence)
    streamed = page.evaluate(
        """() => Object.fromEntries(["q", "k", "v", "scores"].map((name) => {
          const t = window.nnlive.lastFrame.tensors[name];
          return [name, { shape: t.shape, data: Array.from(t.data) }];
        }))"""
    )
    for name in ("q", "k", "v", "scores"):
        assert (tensor(streamed[name]) - expected[name]).abs().max() < 2e-2, name  # float16 frames
    expect(page.locator(".qkv-scaling")).to_have_text("scores = Q Kᵀ / √d with d = 32: Q Kᵀ / 5.66")
    tokens = frame["header"]["tokens"]
    expect(page.locator(".qkv-table caption")).to_contain_text(f"Query token 1 “{tokens[1]}”")
    rows = page.locator(".qkv-table tbody tr")
    expect(rows).to_have_count(len(tokens))
    shown = [[float(cell) for cell in row.locator("td").all_inner_texts()[1:]] for row in rows.all()]
    weights = expected["scores"][2, 5, 1].softmax(-1)
    for j, (score, weight) in enumerate(shown):
        assert score == pytest.approx(expected["scores"][2, 5, 1, j].item(), rel=2e-2, abs=2e-2)
        assert weight == pytest.approx(weights[j].item(), rel=2e-2, abs=2e-3)


@needs_extra
def test_each_head_on_its_own_colour_scale_lets_quiet_heads_show(page: Page, live_server: str, errors: list):
    open_page(page, f"{live_server}/transformer?layer=1&head=3", READ)
    frame = type_sentences(page, "The quick brown fox jumps over the lazy dog.")
    page.select_option("#colour", "head")
    page.wait_for_function("() => window.nnlive.colour?.kind === 'head'")
    expect(page.locator("#colour-caption")).to_contain_text("its own scale")
    assert "colour=head" in page.url
    frame = page.evaluate(READ)
    head = tensor(frame["attentions"])[1, 3]
    scale = page.evaluate("() => window.nnlive.colour.scale")
    assert scale == {"kind": "sequential", "min": 0, "max": pytest.approx(head.max().item())}
    geometry = frame["heat"]
    x = geometry["left"] + 2 * geometry["cell"] + geometry["cell"] // 2
    y = geometry["top"] + 4 * geometry["cell"] + geometry["cell"] // 2
    colours = page.evaluate(
        """async ({ x, y, weight, scale }) => {
          const { colorOf } = await import("/static/js/math/colormap.js");
          const canvas = document.querySelector(".attentionhead-heat");
          const pixel = Array.from(canvas.getContext("2d").getImageData(x, y, 1, 1).data.slice(0, 3));
          return { expected: colorOf(weight, scale), pixel };
        }""",
        {"x": x, "y": y, "weight": head[4, 2].item(), "scale": scale},
    )
    assert colours["pixel"] == colours["expected"]
