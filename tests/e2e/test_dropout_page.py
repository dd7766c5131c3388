"""The dropout page in Chromium against a real server: the mask, the scaling, eval mode, the means.

The page keeps what it last drew in ``window.nnlive`` (lastFrame, session, points of the chart); the
tests hold the screen (cells, pixels, printed numbers) against that frame and the frame against
dropout's definition.
"""

import zlib

import httpx
import pytest
from playwright.sync_api import Page, expect

from e2e import frames
from e2e.frames import WAIT_MS, open_page

VIRIDIS_BOTTOM = (68, 1, 84)
VIRIDIS_TOP = (253, 231, 37)

READ_FRAME = """
() => {
  const { header, tensors } = window.nnlive.lastFrame;
  const plain = (t) => Array.from(t.data);
  return {
    header,
    input: plain(tensors.input),
    output: plain(tensors.output),
    mask: plain(tensors.mask),
    mean: plain(tensors.mean),
  };
}
"""


def open_dropout(page: Page, url: str) -> dict:
    return open_page(page, url, READ_FRAME)


def next_frame(page: Page, after: int) -> dict:
    return frames.next_frame(page, after, READ_FRAME)


def pixel(page: Page, selector: str, fx: float = 0.5, fy: float = 0.15) -> tuple[int, int, int]:
    """The colour on screen at (fx, fy) across an element: a 1×1 screenshot, its PNG decoded here.

    A one-pixel PNG row is a filter byte and the pixel; every PNG filter leaves a lone first pixel as
    stored. The default point is off the cross that marks a dropped cell.
    """
    page.locator(selector).scroll_into_view_if_needed()
    box = page.locator(selector).bounding_box()
    assert box
    png = page.screenshot(
        clip={"x": box["x"] + fx * box["width"], "y": box["y"] + fy * box["height"], "width": 1, "height": 1}
    )
    chunks, at = {}, 8
    while at < len(png):
        length = int.from_bytes(png[at : at + 4], "big")
        kind = png[at + 4 : at + 8].decode()
        chunks[kind] = chunks.get(kind, b"") + png[at + 8 : at + 8 + length]
        at += 12 + length
    row = zlib.decompress(chunks["IDAT"])
    return tuple(row[1:4])


def test_train_mode_drops_and_scales_the_kept_units(page: Page, live_server: str, errors: list[str]) -> None:
    frame = open_dropout(page, f"{live_server}/dropout")
    header = frame["header"]
    assert header["mode"] == "train"
    scale = 1 / (1 - header["p"])
    for x, y, m in zip(frame["input"], frame["output"], frame["mask"], strict=True):
        assert y == (pytest.approx(x * scale, rel=1e-6) if m else 0)
    assert header["kept"] == pytest.approx(sum(frame["mask"]) / len(frame["mask"]))

    dropped = next(i for i, m in enumerate(frame["mask"]) if m == 0)
    brightest = max(range(len(frame["output"])), key=lambda i: frame["output"][i])
    assert brightest == max(
        range(len(frame["mean"])), key=lambda i: max(frame["output"][i], frame["mean"][i])
    )
    cell = '[data-tensor="output"] .valuegrid-cell[data-index="{}"]'
    expect(page.locator(cell.format(dropped))).to_have_class("valuegrid-cell dropped")
    assert pixel(page, cell.format(dropped)) == VIRIDIS_BOTTOM, "a dropped unit is 0: the bottom of viridis"
    assert pixel(page, cell.format(brightest)) == VIRIDIS_TOP, "the largest kept unit tops the shared scale"

    expect(page.locator(".dropoutnumbers-figure.scale .dropoutnumbers-value")).to_have_text(
        "1 / (1 − 0.5) = 2"
    )
    expect(page.locator(".dropoutnumbers-figure.scale .dropoutnumbers-note")).to_contain_text("y ÷ x = 2")
    page.locator(cell.format(brightest)).hover()
    expect(page.locator('[data-tensor="output"] .readout')).to_contain_text("· 1 / (1 − 0.5) = ")


def test_the_mean_over_many_masks_stays_the_inputs_mean(
    page: Page, live_server: str, errors: list[str]
) -> None:
    open_dropout(page, f"{live_server}/dropout?p=0.7")
    page.wait_for_function("() => window.nnlive.lastFrame.header.p === 0.7", timeout=WAIT_MS)  # from the link
    frame = page.evaluate(READ_FRAME)
    header = frame["header"]
    assert header["mean_input"] == pytest.approx(sum(frame["input"]) / len(frame["input"]), rel=1e-5)
    assert header["mean_over_masks"] == pytest.approx(header["mean_input"], rel=0.05)
    assert header["mean_over_masks"] == pytest.approx(sum(frame["mean"]) / len(frame["mean"]), rel=1e-5)
    shown = page.locator(".dropoutnumbers-means .dropoutnumbers-value").all_inner_texts()
    as_printed = "(v) => String(Number(v.toPrecision(3)))"
    expected = [
        page.evaluate(as_printed, header[k]) for k in ("mean_input", "mean_output", "mean_over_masks")
    ]
    assert shown == expected


def test_resampling_draws_a_new_mask_and_feeds_the_chart(
    page: Page, live_server: str, errors: list[str]
) -> None:
    frame = open_dropout(page, f"{live_server}/dropout")
    masks = [frame["mask"]]
    for _ in range(3):
        page.click("#resample")
        frame = next_frame(page, frame["header"]["seq"])
        assert frame["mask"] != masks[-1]
        masks.append(frame["mask"])
    page.keyboard.press("s")
    frame = next_frame(page, frame["header"]["seq"])
    assert frame["mask"] != masks[-1]
    points = page.evaluate("window.nnlive.points")
    assert [p["n"] for p in points] == [1, 2, 3, 4, 5]
    assert points[-1]["average"] == pytest.approx(sum(p["value"] for p in points) / 5)
    assert page.evaluate("window.nnlive.chart.steps.length") == 5


def test_eval_mode_is_the_identity(page: Page, live_server: str, errors: list[str]) -> None:
    frame = open_dropout(page, f"{live_server}/dropout")
    page.check('input[name="mode"][value="eval"]')
    frame = next_frame(page, frame["header"]["seq"])
    assert frame["header"]["mode"] == "eval"
    assert frame["output"] == frame["input"]
    assert set(frame["mask"]) == {1}
    assert frame["header"]["kept"] == 1
    expect(page.locator('[data-tensor="output"] .valuegrid-cell.dropped')).to_have_count(0)
    expect(page.locator("#output-hint")).to_contain_text("y = x")
    kept_note = page.locator(".dropoutnumbers-figure.kept .dropoutnumbers-note")
    expect(kept_note).to_contain_text("keeps every unit")
    assert "train=0" in page.url

    page.check('input[name="mode"][value="train"]')
    frame = next_frame(page, frame["header"]["seq"])
    assert frame["header"]["mode"] == "train"
    assert 0 in frame["mask"]


def test_p_and_size_changes(page: Page, live_server: str, errors: list[str]) -> None:
    frame = open_dropout(page, f"{live_server}/dropout")
    page.locator("#p").fill("0.25")
    frame = next_frame(page, frame["header"]["seq"])
    assert frame["header"]["p"] == 0.25
    kept = [(x, y) for x, y, m in zip(frame["input"], frame["output"], frame["mask"], strict=True) if m and x]
    assert all(y == pytest.approx(x / 0.75, rel=1e-6) for x, y in kept)
    expect(page.locator("#p-value")).to_have_text("= 0.25")

    old = frame["header"]["session"]
    page.fill('input[name="height"]', "8")
    page.locator('input[name="height"]').blur()
    page.wait_for_function("(id) => window.nnlive.lastFrame.header.session !== id", arg=old, timeout=WAIT_MS)
    page.wait_for_function("() => window.nnlive.lastFrame.header.p === 0.25", timeout=WAIT_MS)
    frame = page.evaluate(READ_FRAME)
    assert len(frame["input"]) == 8 * 16, "the new session has the new size and kept p"
    assert httpx.get(f"{live_server}/api/sessions/{old}").status_code == 404

    page.fill('input[name="width"]', "1")
    page.locator('input[name="width"]').blur()
    expect(page.locator('[data-error-for="width"]')).to_be_visible()
    page.click("#pattern-checkerboard")
    page.wait_for_function(  # the frame answering the checkerboard (a frame still in flight may come first)
        "() => window.nnlive.lastFrame.tensors.input.data.slice(0, 3).join() === '1,0,1'", timeout=WAIT_MS
    )
    frame = page.evaluate(READ_FRAME)
    assert frame["input"][:3] == [1, 0, 1], "the page keeps working after a refusal"
