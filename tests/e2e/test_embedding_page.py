"""The embedding page in Chromium against a real server: the lookup drawn from its frame (equal to
one-hot @ W), the word scatter drawn where the streamed PCA coordinates say and redrawn as training
moves the points, and a query's neighbours as the server ranked them.

The scale fits the 0.95-quantile of each axis, a point beyond drawn ringed at the edge.

The page keeps what it drew in ``window.nnlive``: ``lastFrame`` (the word frame on the scatter),
``scatter`` (its canvas and each point's pixel) and ``lookup`` (the lookup frame and position).
"""

import pytest
import torch
from playwright.sync_api import Browser, Page, expect

from app.engine import pretrained
from app.engine.pretrained import INSTALL_HINT, pretrained_available

WAIT_MS = 30_000
URL = "/embedding?corpus=shipped&dim=8&shown=40"
# The scatter's last drawn frame, its canvas size, each point's pixel and the colour there.
READ_SCATTER = """
() => {
  const { lastFrame, scatter } = window.nnlive;
  const canvas = scatter.canvas;
  const ratio = canvas.width / canvas.clientWidth;
  const ctx = canvas.getContext("2d");
  const colour = (x, y) =>
    Array.from(ctx.getImageData(Math.floor(x * ratio), Math.floor(y * ratio), 1, 1).data).slice(0, 3);
  const note = document.getElementById("scatter-edge");
  const plain = (t) => ({ shape: t.shape, data: Array.from(t.data) });
  return {
    seq: lastFrame.header.seq,
    step: lastFrame.header.step,
    words: lastFrame.header.words,
    coords: plain(lastFrame.tensors.coords),
    vectors: plain(lastFrame.tensors.vectors),
    components: plain(lastFrame.tensors.components),
    width: canvas.clientWidth,
    height: canvas.clientHeight,
    pixels: scatter.pixels,
    clamped: scatter.clamped,
    edgeNote: note.hidden ? null : note.textContent,
    colours: scatter.pixels.map(([x, y]) => colour(x, y)),
    rings: scatter.pixels.map(([x, y]) => colour(x, y + 6.5)),  // a clamped point's ring: radius + 3
  };
}
"""
READ_LOOKUP = """
() => {
  const { frame, position, index } = window.nnlive.lookup;
  const plain = (t) => ({ shape: t.shape, data: Array.from(t.data) });
  const names = ["indices", "weight", "output", "onehot", "onehot_output"];
  const selected = (grid) =>
    Array.from(document.querySelectorAll(`${grid} .valuegrid-cell.selected`), (c) => Number(c.dataset.index));
  return {
    position, index,
    ...Object.fromEntries(names.map((n) => [n, plain(frame.tensors[n])])),
    selectedWeight: selected("#lookup-weight"),
    selectedIndex: selected("#lookup-indices"),
    memory: Array.from(document.querySelectorAll("#memory-rows tr"), (tr) => tr.textContent),
  };
}
"""
POINT_RGB = [0, 114, 178]  # views/scatter.js COLORS.point (#0072B2)
POINT_RADIUS, MARGIN, FIT_QUANTILE, EDGE = 3.5, 1.15, 0.95, 8  # views/scatter.js


def tensor(t: dict) -> torch.Tensor:
    """A tensor read as ``{"shape", "data"}`` back into torch."""
    return torch.tensor(t["data"], dtype=torch.float32).reshape(t["shape"])


def expected_pixels(xy: torch.Tensor, drawn: dict) -> tuple[torch.Tensor, torch.Tensor]:
    """Where the points (x, y) belong on the canvas, and which lie beyond it. One scale for both axes: the
    largest that keeps the 0.95-quantile of |x|, |y| (× MARGIN) within the half-width, half-height; the origin
    in the middle; a point outside clamped to EDGE pixels from the border."""
    xy = xy.double()
    reach = torch.quantile(xy.abs(), FIT_QUANTILE, dim=0).clamp_min(1e-12) * MARGIN
    width, height = drawn["width"], drawn["height"]
    unit = min(width / 2 / reach[0].item(), height / 2 / reach[1].item())
    free = torch.stack((width / 2 + xy[:, 0] * unit, height / 2 - xy[:, 1] * unit), 1)
    low, high = torch.tensor([EDGE, EDGE]), torch.tensor([width - EDGE, height - EDGE])
    pixels = torch.maximum(torch.minimum(free, high), low)
    return pixels.float(), (pixels != free).any(1)


def open_embedding(page: Page, url: str) -> dict:
    """Open the page, wait until it drives its sessions and has drawn both cards; read the scatter."""
    page.goto(url)
    page.wait_for_function(
        "() => window.nnlive?.lastFrame && window.nnlive.driving && window.nnlive.lookup", timeout=WAIT_MS
    )
    return page.evaluate(READ_SCATTER)


def assert_drawn_where_streamed(drawn: dict) -> None:
    """Every point at the pixel the frame's PC1, PC2 give (one scale for both axes, the origin in the middle),
    and, where no other point is near, the point's colour there."""
    expected, beyond = expected_pixels(tensor(drawn["coords"])[:, :2], drawn)
    pixels = torch.tensor(drawn["pixels"], dtype=torch.float32)
    torch.testing.assert_close(pixels, expected, atol=1e-3, rtol=0)
    assert drawn["clamped"] == beyond.tolist()
    apart = torch.cdist(pixels, pixels).fill_diagonal_(1e9).min(1).values > 4 * POINT_RADIUS
    assert apart.sum() >= 5
    for i in apart.nonzero().flatten().tolist():
        assert drawn["colours"][i] == POINT_RGB, (drawn["words"][i], drawn["colours"][i])
        ringed = sum(abs(a - b) for a, b in zip(drawn["rings"][i], POINT_RGB, strict=True)) < 60  # smoothed
        assert ringed == beyond[i].item(), (drawn["words"][i], drawn["rings"][i])
    if beyond.any():
        assert drawn["edgeNote"].endswith(f"words further out ({beyond.sum().item()}).")
    else:
        assert drawn["edgeNote"] is None


def assert_pca_of_streamed_vectors(drawn: dict) -> None:
    """coords = (vectors − mean) · componentsᵀ, the components torch's SVD axes up to sign."""
    vectors, components = tensor(drawn["vectors"]), tensor(drawn["components"])
    centred = vectors - vectors.mean(0)
    _, _, vh = torch.linalg.svd(centred, full_matrices=False)
    torch.testing.assert_close((vh[:3] * components).sum(1).abs(), torch.ones(3), atol=1e-4, rtol=0)
    torch.testing.assert_close(tensor(drawn["coords"]), centred @ components.T, atol=1e-5, rtol=1e-4)


def test_the_scatter_redraws_where_the_coordinates_move_while_training(
    page: Page, live_server: str, errors: list[str]
) -> None:
    before = open_embedding(page, live_server + URL)
    assert before["step"] == 0
    assert_pca_of_streamed_vectors(before)
    assert_drawn_where_streamed(before)

    page.click("#train")
    expect(page.locator("#run-state")).to_have_attribute("data-state", "training")
    page.wait_for_function("() => window.nnlive.lastFrame.header.step >= 50", timeout=60_000)
    page.click("#train")
    expect(page.locator("#run-state")).to_have_attribute("data-state", "paused")
    page.wait_for_function("() => window.nnlive.state.state === 'paused'", timeout=WAIT_MS)
    page.wait_for_function(  # the pause's own frame, made at the step it stopped at
        "() => window.nnlive.lastFrame.header.step === window.nnlive.state.step", timeout=WAIT_MS
    )
    after = page.evaluate(READ_SCATTER)
    assert after["seq"] > before["seq"]
    assert after["step"] >= 50
    assert after["words"] == before["words"]
    moved = (tensor(after["coords"]) - tensor(before["coords"])).abs().max().item()
    assert moved > 1e-3
    shift = (torch.tensor(after["pixels"]) - torch.tensor(before["pixels"])).abs().max().item()
    assert shift > 1  # pixels
    assert_pca_of_streamed_vectors(after)
    assert_drawn_where_streamed(after)


def test_on_the_default_corpus_the_scale_fits_the_cloud_and_rings_the_outliers(
    page: Page, live_server: str, errors: list[str]
) -> None:
    """The standard library's words: a few lie far out; the scale fits the rest, those ringed at the edge."""
    drawn = open_embedding(page, live_server + "/embedding")
    assert len(drawn["words"]) == 150
    assert any(drawn["clamped"])
    assert_drawn_where_streamed(drawn)
    inner = torch.tensor(drawn["pixels"])[~torch.tensor(drawn["clamped"])]
    assert (inner[:, 1].max() - inner[:, 1].min()).item() > drawn["height"] / 2  # the cloud fills the frame

    page.set_viewport_size({"width": 360, "height": 900})  # a narrow window: x binds, others lie beyond
    narrower = f"() => window.nnlive.scatter.canvas.clientWidth < {drawn['width']}"
    page.wait_for_function(narrower, timeout=WAIT_MS)
    narrow = page.evaluate(READ_SCATTER)
    assert narrow["seq"] == drawn["seq"]  # redrawn by the resize, not by a frame
    assert_drawn_where_streamed(narrow)  # the note counts the points beyond this frame
    assert sum(narrow["clamped"]) != sum(drawn["clamped"])  # (seed 0: 4 here, 6 in the wide frame)


def test_the_lookup_is_the_rows_of_w_and_equals_one_hot_times_w(
    page: Page, live_server: str, errors: list[str]
) -> None:
    open_embedding(page, live_server + URL)
    drawn = page.evaluate(READ_LOOKUP)
    indices = tensor(drawn["indices"]).long()
    assert indices.tolist() == [[1, 2, 4, 5], [4, 3, 2, 9]]
    weight = tensor(drawn["weight"])
    assert torch.equal(tensor(drawn["output"]), weight[indices])
    onehot = torch.nn.functional.one_hot(indices, 10).float()
    assert torch.equal(tensor(drawn["onehot"]), onehot)
    torch.testing.assert_close(tensor(drawn["onehot_output"]), onehot @ weight, atol=1e-7, rtol=0)
    assert drawn["selectedIndex"] == [0]
    assert drawn["selectedWeight"] == [3, 4, 5]  # index 1 → row 1 of W[10, 3]
    assert drawn["memory"][0].replace("\u202f", " ").startswith("10400 B120 B")

    page.click("#lookup-next")
    page.click("#lookup-next")
    drawn = page.evaluate(READ_LOOKUP)
    assert (drawn["position"], drawn["index"]) == (2, 4)
    assert drawn["selectedWeight"] == [12, 13, 14]

    page.fill("#indices-text", "0 9; 7 7")
    page.click("#lookup-send")
    page.wait_for_function("() => window.nnlive.lookup.frame.tensors.indices.shape[1] === 2", timeout=WAIT_MS)
    drawn = page.evaluate(READ_LOOKUP)
    assert tensor(drawn["indices"]).long().tolist() == [[0, 9], [7, 7]]
    assert torch.equal(tensor(drawn["output"]), tensor(drawn["weight"])[tensor(drawn["indices"]).long()])

    page.fill("#indices-text", "0 10")
    page.click("#lookup-send")
    expect(page.locator("#notice")).to_contain_text("from 0 to 9")


def test_a_query_lists_the_neighbours_the_server_ranked(
    page: Page, live_server: str, errors: list[str]
) -> None:
    open_embedding(page, live_server + URL)
    page.fill("#query-word", "the")
    page.click("#query-send")
    page.wait_for_function("() => window.nnlive.lastFrame.header.query?.word === 'the'", timeout=WAIT_MS)
    neighbours = page.evaluate("() => window.nnlive.lastFrame.header.query.neighbours.map((n) => n.word)")
    expect(page.locator("#neighbours li .embedding-word")).to_have_text(neighbours)
    page.fill("#query-word", "zzzz")
    page.click("#query-send")
    expect(page.locator("#notice")).to_contain_text("not in the vocabulary")


def test_three_axes_turn_the_points_about_the_vertical_axis(
    page: Page, live_server: str, errors: list[str]
) -> None:
    open_embedding(page, live_server + URL)
    page.select_option("#axes", "3d")
    page.fill("#turn", "90")  # x' = x cos 90° + z sin 90° = PC3, y = PC2
    page.wait_for_function("() => window.nnlive.scatter.last.axes.turn === 90", timeout=WAIT_MS)
    drawn = page.evaluate(READ_SCATTER)
    coords = tensor(drawn["coords"])
    turned = torch.stack((coords[:, 2], coords[:, 1]), 1)
    expected, _ = expected_pixels(turned, drawn)
    pixels = torch.tensor(drawn["pixels"], dtype=torch.float32)
    torch.testing.assert_close(pixels, expected, atol=1e-3, rtol=0)
    assert "axes=3d" in page.url


@pytest.mark.skipif(not pretrained_available(), reason=f"the pretrained extra is absent: {INSTALL_HINT}")
def test_the_pretrained_source_draws_minilms_tokens_and_answers_an_analogy(
    page: Page, live_server: str, errors: list[str]
) -> None:
    open_embedding(page, live_server + URL)
    page.select_option("#source", "minilm")
    page.wait_for_function(
        "() => window.nnlive.source === 'minilm' && window.nnlive.lastFrame.header.words.includes('king')",
        timeout=60_000,
    )
    drawn = page.evaluate(READ_SCATTER)
    assert_pca_of_streamed_vectors(drawn)
    assert_drawn_where_streamed(drawn)
    for name, word in zip("abc", ("king", "man", "woman"), strict=True):
        page.fill(f"#analogy-{name}", word)
    page.click("#analogy-send")
    expect(page.locator("#analogy-results li .embedding-word").first).to_have_text("queen")


def test_a_viewer_follows_the_presenters_lookup_and_scatter(
    page: Page, browser: Browser, live_server: str, errors: list[str]
) -> None:
    open_embedding(page, live_server + URL)
    page.select_option("#axes", "0,2")
    session = page.evaluate("() => window.nnlive.session.id")
    lookup = page.evaluate("() => new URLSearchParams(location.search).get('lookup')")
    context = browser.new_context()
    try:
        viewer = context.new_page()
        viewer.goto(f"{live_server}/embedding?session={session}")  # the bare viewer link
        viewer.wait_for_function(
            "(id) => window.nnlive?.lastFrame && new URLSearchParams(location.search).get('lookup') === id"
            " && window.nnlive.lookup",
            arg=lookup,
            timeout=WAIT_MS,
        )
        expect(viewer.locator("#role")).to_have_attribute("data-role", "viewer")
        expect(viewer.locator("#axes")).to_have_value("0,2")
        page.fill("#indices-text", "3 1 4")
        page.click("#lookup-send")
        viewer.wait_for_function(
            "() => window.nnlive.lookup.frame.tensors.indices.shape[1] === 3", timeout=WAIT_MS
        )
        assert viewer.evaluate("() => Array.from(window.nnlive.lookup.frame.tensors.indices.data)") == [
            3,
            1,
            4,
        ]
        assert viewer.locator("#indices-text").is_disabled()

        page.click("#lookup-next")  # the presenter steps the lookup: the viewer's stepper follows
        page.click("#lookup-next")
        viewer.wait_for_function("() => window.nnlive.lookup.position === 2", timeout=WAIT_MS)
        expect(viewer.locator("#back-to-presenter")).to_be_hidden()
        viewer.click("#lookup-prev")  # a step of its own: it left the presenter's position
        expect(viewer.locator("#back-to-presenter")).to_be_visible()
        viewer.click("#back-to-presenter")
        viewer.wait_for_function("() => window.nnlive.lookup.position === 2", timeout=WAIT_MS)
    finally:
        context.close()


def test_without_the_extra_the_page_says_how_to_install_it(
    page: Page, live_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chromium logs the expected 501 as a console error, so only uncaught exceptions count here."""
    monkeypatch.setattr(pretrained, "pretrained_available", lambda: False)  # the server runs in this process
    exceptions: list[str] = []
    page.on("pageerror", lambda e: exceptions.append(str(e)))
    open_embedding(page, live_server + URL)
    page.select_option("#source", "minilm")
    expect(page.locator("#minilm-notice")).to_be_visible()
    expect(page.locator("#minilm-notice")).to_contain_text(INSTALL_HINT)
    page.select_option("#source", "word2vec")
    page.wait_for_function("() => window.nnlive.source === 'word2vec'", timeout=WAIT_MS)
    assert not exceptions
