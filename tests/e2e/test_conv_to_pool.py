"""/conv hands its ReLU map to /pool ("Pool this output →"), in Chromium against a real server.

/pool must pool exactly the numbers /conv showed: its frame's input equals the conv frame's ``relu``,
and its max-pooling output equals torch's F.max_pool2d of those values, computed here.
"""

import torch.nn.functional as F
from playwright.sync_api import Page, expect

from e2e.frames import READ_FRAME, WAIT_MS, next_frame, open_page, settled_frame, tensor

# /conv drives its new session and has drawn a frame of two output channels.
TWO_KERNELS_DRAWN = "() => window.nnlive.driving && window.nnlive.lastFrame?.tensors.relu.shape[0] === 2"
# /pool has drawn a frame whose input is the map /conv handed over (the note is shown for exactly that).
POOLS_THE_MAP = "() => window.nnlive?.lastFrame && !document.getElementById('from-conv').hidden"


def test_the_conv_output_is_pooled_on_pool(page: Page, live_server: str, errors: list[str]) -> None:
    frame = open_page(page, f"{live_server}/conv?height=9&width=7")
    page.fill('input[name="out_channels"]', "2")
    page.locator('input[name="out_channels"]').blur()
    page.wait_for_function("(id) => window.nnlive.session.id !== id", arg=frame["session"]["id"])
    page.wait_for_function(TWO_KERNELS_DRAWN)
    frame = page.evaluate(READ_FRAME)
    page.click("#pattern-random")
    next_frame(page, frame["seq"])
    conv = settled_frame(page)
    relu = conv["relu"]
    assert relu["shape"] == [2, 9, 7]
    assert any(v > 0 for v in relu["data"]), "a real ReLU map: some cells pass"
    assert any(v == 0 for v in relu["data"]), "a real ReLU map: some cells are cut to 0"
    expect(page.locator("#to-pool-hint")).to_have_text("Opens /pool with this ReLU map (2×9×7) as its input.")
    conv_session = conv["session"]["id"]

    page.click("#to-pool")
    page.wait_for_url("**/pool?**")
    assert "from=conv" in page.url
    assert "channels=2" in page.url
    page.wait_for_function(POOLS_THE_MAP, timeout=WAIT_MS)
    pool = page.evaluate(READ_FRAME)
    info = pool["session"]
    assert info["config"]["channels"] == 2
    assert info["input"] == [2, 9, 7]
    assert pool["input"] == relu, "/pool's input is /conv's ReLU map, number for number"
    c = info["config"]
    expected = F.max_pool2d(tensor(relu), c["kernel"], c["stride"], c["padding"])  # [C, H, W]: unbatched
    assert pool["output"]["shape"] == list(expected.shape)
    assert pool["output"]["data"] == expected.flatten().tolist()

    expect(page.locator("#from-conv-text")).to_have_text(
        "Feature map from /conv (ReLU of a 1×9×7 input convolved with 2 kernel(s) of 3×3,"
        " p = 1, s = 1, d = 1)."
    )
    expect(page.locator('input[name="channels"]')).to_have_value("2")
    page.click("#from-conv-back")
    page.wait_for_url(lambda url: "/conv?" in url and f"session={conv_session}" in url)
    page.wait_for_function("() => window.nnlive?.lastFrame && window.nnlive.driving", timeout=WAIT_MS)
    assert page.evaluate(READ_FRAME)["relu"] == relu, "back on the same /conv session"


def test_without_the_kept_map_pool_shows_its_default_input_and_says_so(
    page: Page, live_server: str, errors: list[str]
) -> None:
    # A fresh tab, as when the link is opened elsewhere: its sessionStorage holds no map.
    pool = open_page(page, f"{live_server}/pool?from=conv&channels=2&height=5&width=5")
    assert pool["session"]["input"] == [2, 5, 5]
    expect(page.locator("#notice")).to_contain_text("No feature map from /conv was found in this tab")
    expect(page.locator("#from-conv")).to_be_hidden()


def test_an_output_larger_than_pool_takes_cannot_be_handed_over(
    page: Page, live_server: str, errors: list[str]
) -> None:
    frame = open_page(page, f"{live_server}/conv?height=32&width=32&kernel=1&padding=3")
    assert frame["relu"]["shape"] == [1, 38, 38]
    expect(page.locator("#to-pool")).to_be_disabled()
    expect(page.locator("#to-pool-hint")).to_have_text(
        "/pool takes at most 4 channels of 32×32: this output is too large to pool."
    )
