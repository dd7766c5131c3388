"""The MLP playground in Chromium against a real server: it trains and its pictures change, the numbers
drawn are the network's, a URL restores the whole set-up, clicks add points, lecture viewers follow, and
every input feature's map is painted, chosen or not."""

import pytest
import torch
from playwright.sync_api import Browser, BrowserContext, Page, expect

from app.engine.data.points2d import plane_grid
from app.engine.models.playground import feature_columns
from e2e.frames import READ_FRAME as READ
from e2e.frames import WAIT_MS, open_page, tensor
from e2e.held import NEXT_ANIMATION_FRAME, HeldSocket
from e2e.test_activations_page import CANVAS
from e2e.test_conv_page import diverging_colour
from e2e.test_lecture import open_viewer

# The colour at the centre of the output map: red-ish where class 1 is predicted.
CENTRE_RGB = """
() => {
  const canvas = document.querySelector('#surface canvas');
  const middle = canvas.width / 2 + 5;
  return Array.from(canvas.getContext('2d').getImageData(middle, middle, 1, 1).data);
}
"""
PAUSED_FRAME = "() => window.nnlive.lastFrame.header.val?.step === window.nnlive.lastFrame.header.step"
SETUP = (
    "dataset=circle&hidden=6,4&features=x1,x2,x1_sq&activation=relu&grid=24&samples=300&lr=0.05&batch_size=20"
)


def test_trains_and_its_pictures_change(page: Page, live_server: str, errors) -> None:
    frame = open_page(page, f"{live_server}/playground?{SETUP}", READ)
    assert frame["surface"]["shape"] == [24, 24]
    assert frame["unit.l1"]["shape"] == [6, 24, 24]
    assert frame["unit.l2"]["shape"] == [4, 24, 24]
    expect(page.locator(".net-node")).to_have_count(3 + 6 + 4 + 1)
    expect(page.locator(".net-lines line")).to_have_count(3 * 6 + 6 * 4 + 4)
    surface_before = page.evaluate(CANVAS, "#surface canvas")
    unit_before = page.evaluate(CANVAS, '.net-node[data-unit="1.0"] canvas')

    page.keyboard.press(" ")  # Space: train
    page.wait_for_function("() => window.nnlive.lastFrame.header.step > 300", timeout=WAIT_MS)
    page.wait_for_function("() => window.nnlive.lastFrame.header.test.acc > 0.95", timeout=WAIT_MS)
    page.click("#train")  # pause: the last frame is the one validated where training stopped
    expect(page.locator("#run-state")).to_have_attribute("data-state", "paused")
    page.wait_for_function(PAUSED_FRAME, timeout=WAIT_MS)
    frame = page.evaluate(READ)
    assert page.evaluate(CANVAS, "#surface canvas") != surface_before
    assert page.evaluate(CANVAS, '.net-node[data-unit="1.0"] canvas') != unit_before
    # inside the circle is class 1: the surface says so there, and the map is red (r > b) at the centre
    surface = tensor(frame["surface"])
    assert surface[12, 12] > 0.9
    r, _, b, _ = page.evaluate(CENTRE_RGB)
    assert r > b
    # the first hidden layer's maps are relu(W1 · features + b1) over the plane, as drawn
    w, bias = tensor(frame["weight.l1"]), tensor(frame["bias.l1"])
    features = tensor(frame["feature"]).reshape(3, -1)
    expected = torch.relu(w @ features + bias[:, None]).reshape(6, 24, 24)
    torch.testing.assert_close(tensor(frame["unit.l1"]), expected, atol=1e-4, rtol=1e-4)
    expect(page.locator("#metrics")).to_contain_text("test loss")
    page.hover('.net-node[data-unit="1.0"]')  # a unit: its bias
    expect(page.locator("#hover")).to_contain_text("layer 1, unit 1: bias b =")
    page.locator(".net-lines line").first.dispatch_event("mouseenter")  # a weight: W1[0, 0]
    expect(page.locator("#hover")).to_contain_text("from unit 1 to unit 1: w =")
    shown = float(page.locator("#hover").text_content().rpartition("=")[2])
    assert shown == pytest.approx(w[0, 0].item(), rel=5e-3, abs=1e-3)
    assert page.locator(".curves").count() == 1


def test_a_url_restores_the_setup_and_clicks_add_points(page: Page, live_server: str, errors) -> None:
    frame = open_page(page, f"{live_server}/playground?{SETUP}&l2=0.001&test=0", READ)
    config = frame["session"]["config"]
    assert config["hidden"] == [6, 4]
    assert config["features"] == ["x1", "x2", "x1_sq"]
    assert (config["dataset"], config["activation"], config["grid"]) == ("circle", "relu", 24)
    page.wait_for_function(
        "() => window.nnlive.session && document.querySelector('#controls [name=l2]').value === '0.001'"
    )
    expect(page.locator('#features input[value="x1_sq"]')).to_be_checked()
    expect(page.locator('#features input[value="x2_sq"]')).not_to_be_checked()
    expect(page.locator('[name="dataset"] option:checked')).to_have_text("Circle")  # labelled, not "circle"
    expect(page.locator("#show-test")).not_to_be_checked()
    assert "hidden=6%2C4" in page.url or "hidden=6,4" in page.url

    count = frame["points"]["shape"][0]
    page.locator("#surface canvas").click(position={"x": 150, "y": 150})
    page.wait_for_function(
        f"() => window.nnlive.lastFrame.tensors.points.shape[0] === {count + 1}", timeout=WAIT_MS
    )
    added = page.evaluate(READ)
    x1, x2 = added["points"]["data"][-2:]
    assert abs(x1) < 0.1
    assert abs(x2) < 0.1
    assert added["targets"]["data"][-1] == 1

    page.click('#features input[value="x2_sq"]')  # a new set-up: a new session with four features
    page.wait_for_function("() => window.nnlive.session.config.features.length === 4", timeout=WAIT_MS)
    assert "x2_sq" in page.url

    page.fill('#setup [name="samples"]', "5000")  # refused: the notice names the field, the set-up stays
    page.press('#setup [name="samples"]', "Tab")
    expect(page.locator("#notice")).to_contain_text("config.samples", timeout=WAIT_MS)
    expect(page.locator('#setup [name="samples"]')).to_have_value("300")


def test_a_lecture_viewer_follows(
    page: Page, browser: Browser, contexts: list[BrowserContext], live_server: str, errors
) -> None:
    frame = open_page(page, f"{live_server}/playground?{SETUP}", READ)
    viewer = open_viewer(browser, contexts, live_server, "playground", frame["session"]["id"])
    page.check("#discretize")
    expect(viewer.locator("#discretize")).to_be_checked(timeout=WAIT_MS)
    page.click("#step-once")
    viewer.wait_for_function("() => window.nnlive.lastFrame.header.step >= 1", timeout=WAIT_MS)
    expect(viewer.locator("#train")).to_be_disabled()
    expect(viewer.locator('#features input[value="x1_sq"]')).to_be_checked()


# The colour [r, g, b, a] of value (row, col) of the G × G map painted on feature `name`'s thumbnail.
THUMBNAIL_PIXEL = """
([name, grid, row, col]) => {
  const canvas = document.querySelector(`#features input[value="${name}"] + canvas`);
  const x = Math.floor(((col + 0.5) * canvas.width) / grid);
  const y = Math.floor(((row + 0.5) * canvas.height) / grid);
  return Array.from(canvas.getContext("2d").getImageData(x, y, 1, 1).data);
}
"""
ALL_PAINTED = "() => window.nnlive.featuresPainted.length === 7"
NEW_SESSION_PAINTED = """
([features, grid]) => window.nnlive.lastFrame.header.session === window.nnlive.session.id
  && window.nnlive.session.config.features.length === features && window.nnlive.session.config.grid === grid
  && window.nnlive.featuresPainted.length === 7
"""


def feature_map(name: str, grid: int) -> torch.Tensor:
    """Torch's feature ``name`` over the plane's ``grid`` × ``grid`` pixel centres."""
    return feature_columns(plane_grid(grid, 6.0, pixel_centres=True), [name])[:, 0].reshape(grid, grid)


def own_scale(name: str, grid: int) -> float:
    """An unchecked feature's scale: its own largest |value| over the plane (readable whatever is chosen)."""
    return feature_map(name, grid).abs().max().item()


def assert_thumbnail(page: Page, name: str, row: int, col: int, largest: float, *, grid: int = 24) -> None:
    """Feature ``name``'s thumbnail at (row, col) has the colour of torch's value there, on ±``largest``."""
    value = feature_map(name, grid)[row, col].item()
    r, g, b, alpha = page.evaluate(THUMBNAIL_PIXEL, [name, grid, row, col])
    expected = diverging_colour(value, largest)
    assert alpha == 255
    assert all(abs(a - e) <= 1 for a, e in zip((r, g, b), expected, strict=True)), (name, value, (r, g, b))


def test_every_features_map_is_painted_checked_or_not(
    page: Page, browser: Browser, contexts: list[BrowserContext], live_server: str, errors
) -> None:
    frame = open_page(page, f"{live_server}/playground?grid=24&features=x1,x2&hidden=3", READ)
    page.wait_for_function(ALL_PAINTED, timeout=WAIT_MS)
    largest = tensor(frame["feature"]).abs().max().item()  # the chosen features' scale, as before: 5.75
    expect(page.locator('#features input[value="sin_x1"]')).not_to_be_checked()
    # Unchecked ones, each on its own scale (on the chosen ±5.75, sin x1 would be near white and x1² a
    # flat red): sin x1 at x1 = 1.75, x1² at x1 = −2.25, x1·x2 at (−3.25, 1.25).
    for name, row, col in (("sin_x1", 0, 15), ("x1_sq", 5, 7), ("x1_x2", 9, 5)):
        assert_thumbnail(page, name, row, col, own_scale(name, 24))
    assert_thumbnail(page, "x1", 3, 2, largest)  # a checked one, from the frame, on the chosen ones' scale

    viewer = open_viewer(browser, contexts, live_server, "playground", frame["session"]["id"])
    viewer.wait_for_function(ALL_PAINTED, timeout=WAIT_MS)  # a late joiner gets them too
    assert_thumbnail(viewer, "x1_x2", 9, 5, own_scale("x1_x2", 24))

    page.click('#features input[value="sin_x1"]')  # Apply: a new session; sin x1 now from its frames
    page.wait_for_function(NEW_SESSION_PAINTED, arg=[3, 24], timeout=WAIT_MS)
    assert_thumbnail(page, "sin_x1", 0, 15, largest)  # checked: on the chosen ones' scale
    assert_thumbnail(page, "x1_x2", 9, 5, own_scale("x1_x2", 24))
    page.fill('#setup [name="grid"]', "16")  # another grid: the candidates of that size are fetched
    page.press('#setup [name="grid"]', "Tab")
    page.wait_for_function(NEW_SESSION_PAINTED, arg=[3, 16], timeout=WAIT_MS)
    largest = tensor(page.evaluate(READ)["feature"]).abs().max().item()  # max |x1| there: 5.625
    assert_thumbnail(page, "sin_x1", 0, 10, largest, grid=16)
    for name, row, col in (("x1_x2", 6, 3), ("x2_sq", 12, 0)):
        assert_thumbnail(page, name, row, col, own_scale(name, 16), grid=16)


SESSION_IS = """
([features, grid]) => window.nnlive.session.config.features.length === features
  && window.nnlive.session.config.grid === grid
"""


def test_a_replaced_sessions_frame_is_not_drawn_under_the_new_set_up(
    page: Page, live_server: str, errors
) -> None:
    socket = HeldSocket(page, frames_only=True)
    open_page(page, f"{live_server}/playground?grid=24&features=x1,x2&hidden=3", READ)
    page.wait_for_function(ALL_PAINTED, timeout=WAIT_MS)
    page.fill('#setup [name="grid"]', "16")  # session B: x1, x2 on 16 × 16
    page.press('#setup [name="grid"]', "Tab")
    page.wait_for_function(NEW_SESSION_PAINTED, arg=[2, 16], timeout=WAIT_MS)
    socket.holding = True  # two set-up changes before the next frame: B's stays the page's newest
    page.click('#features input[value="sin_x1"]')  # C: three features on 16 × 16
    page.wait_for_function(SESSION_IS, arg=[3, 16], timeout=WAIT_MS)
    page.fill('#setup [name="grid"]', "24")  # D: three on 24 × 24, whose candidates are there at once
    page.press('#setup [name="grid"]', "Tab")
    page.wait_for_function(SESSION_IS, arg=[3, 24], timeout=WAIT_MS)
    page.evaluate(NEXT_ANIMATION_FRAME)
    page.evaluate(NEXT_ANIMATION_FRAME)
    assert not errors, errors  # B's frame (two features) drawn as D's (three) threw a TypeError
    assert page.evaluate("() => window.nnlive.lastFrame.tensors.feature.shape") == [2, 16, 16]
    socket.release()
    page.wait_for_function(NEW_SESSION_PAINTED, arg=[3, 24], timeout=WAIT_MS)
    assert_thumbnail(page, "sin_x1", 0, 15, 5.75)  # D's, checked, on the chosen ones' scale (max |x1|)
