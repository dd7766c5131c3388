"""The /backprop page in Chromium against a real server: the numbers written out are the frame's, a
typed batch reaches the model, Step updates W by −α·∂L/∂W, and a lecture viewer follows the stage."""

from playwright.sync_api import Browser, BrowserContext, Page, expect

from e2e.frames import WAIT_MS, next_frame, open_page, tensor
from e2e.test_lecture import open_viewer


def test_backprop_writes_the_frames_numbers_and_steps(
    page: Page, live_server: str, errors: list[str]
) -> None:
    frame = open_page(page, f"{live_server}/backprop?sizes=2,3,1&activation=tanh")
    assert frame["session"]["config"]["sizes"] == [2, 3, 1]
    expect(page.locator("#max-error")).to_contain_text("e-")
    # the first stage writes layer 1's z = W·a + b with the frame's numbers
    lines = page.locator("[data-view=lines] li")
    expect(lines).to_have_count(6)  # z and a for each of 3 units
    z = tensor(frame["z.l1"])
    assert lines.first.inner_text().endswith(f"= {float(z[0, 0]):.3g}".replace("e-0", "e-"))
    # a typed batch of two samples
    page.fill("#batch", "1 0 ; 1\n0 1 ; 0")
    page.click("#send-batch")
    page.wait_for_function("() => window.nnlive.lastFrame.tensors.input.shape[0] === 2", timeout=WAIT_MS)
    before = page.evaluate("() => window.nnlive.lastFrame.header.seq")
    batch = next_frame(page, before - 1)
    assert batch["input"]["data"] == [1, 0, 0, 1]
    svg_before = page.inner_html("[data-view=network]")
    page.click("#step-once")
    after = next_frame(page, batch["seq"])
    lr = after["session"]["controls"]["lr"]
    expected = tensor(batch["W.l1"]) - lr * tensor(batch["dW.l1"])
    assert (tensor(after["W.l1"]) - expected).abs().max() < 1e-6
    assert page.inner_html("[data-view=network]") != svg_before
    # the stage moves with the keyboard and the lines follow
    page.locator("body").press("ArrowRight")
    expect(page.locator("#stage-name")).to_contain_text("2/")
    page.locator("body").press("ArrowRight")
    expect(page.locator("[data-view=lines] li").last).to_contain_text("L =")


def test_a_viewer_follows_the_backprop_stage(
    page: Page, browser: Browser, contexts: list[BrowserContext], live_server: str
) -> None:
    frame = open_page(page, f"{live_server}/backprop")
    viewer = open_viewer(browser, contexts, live_server, "backprop", frame["session"]["id"])
    page.locator("body").press("ArrowRight")
    page.locator("body").press("ArrowRight")
    expect(page.locator("#stage-name")).to_contain_text("3/")
    expect(viewer.locator("#stage-name")).to_contain_text("3/", timeout=WAIT_MS)
    page.click("#step-once")
    seq = frame["seq"]
    viewer.wait_for_function("(seq) => window.nnlive.lastFrame.header.seq > seq", arg=seq, timeout=WAIT_MS)
    expect(viewer.locator("#step-once")).to_be_disabled()


def test_bad_sizes_are_refused_by_the_field_and_a_good_change_starts_a_new_session(
    page: Page, live_server: str, errors: list[str]
) -> None:
    frame = open_page(page, f"{live_server}/backprop")
    sizes = page.locator('#settings [name="sizes"]')
    sizes.fill("2, 9, 1")
    sizes.dispatch_event("change")
    slot = page.locator('[data-error-for="sizes"]')
    expect(slot).to_be_visible(timeout=WAIT_MS)
    expect(slot).to_contain_text("at most 6")
    assert page.evaluate("() => window.nnlive.session.id") == frame["session"]["id"]
    sizes.fill("3 4 2")
    sizes.dispatch_event("change")
    page.wait_for_function(
        "(id) => window.nnlive.session.id !== id && window.nnlive.lastFrame.header.session !== id",
        arg=frame["session"]["id"],
        timeout=WAIT_MS,
    )
    assert page.evaluate("() => window.nnlive.lastFrame.tensors['W.l2'].shape") == [2, 4]
    assert "sizes=3%2C4%2C2" in page.url or "sizes=3,4,2" in page.url
