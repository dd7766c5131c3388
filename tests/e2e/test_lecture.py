"""Lecture mode in Chromium against a real server: a presenter (the tab holding the token) drives, and
viewers in other browser contexts (no token) follow its page state as well as its frames.

Viewers open the bare viewer link (``?session=ID``, no view state), so what they show of the
presenter's selection can only have come over the socket as a ``view`` message.
"""

import json
import re

import httpx
from playwright.sync_api import Browser, BrowserContext, Page, expect

from e2e.frames import READ_FRAME, WAIT_MS, next_frame, settled_frame
from e2e.test_lenet_head_page import hover_row

FOLLOW_MS = 1_000  # a viewer shows the presenter's view state within a second

RNN_CONFIG = "seq_len=4&batch=2&bidirectional=1&num_layers=2&hidden_size=3"

# A control message from a viewer's page: its own websocket to the session, without the token.
SEND_TRAIN = """
(id) => new Promise((resolve) => {
  const socket = new WebSocket(`ws://${location.host}/ws/sessions/${id}`);
  socket.onopen = () => socket.send(JSON.stringify({ type: "train", id: 7 }));
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "error") {
      socket.close();
      resolve(message);
    }
  };
})
"""


def fresh_tab(browser: Browser, contexts: list[BrowserContext], url: str, init_script: str = "") -> Page:
    """A tab in a new browser context (its own sessionStorage) on ``url``, once it has drawn a frame;
    ``init_script`` runs in the context before the page's own scripts."""
    context = browser.new_context()
    contexts.append(context)
    if init_script:
        context.add_init_script(init_script)
    tab = context.new_page()
    tab.goto(url)
    tab.wait_for_function("() => window.nnlive?.lastFrame", timeout=WAIT_MS)
    return tab


def open_viewer(browser: Browser, contexts: list[BrowserContext], base: str, path: str, session: str) -> Page:
    """A viewer in a new browser context on the bare viewer link, once it has drawn a frame."""
    errors: list[str] = []
    viewer = fresh_tab(browser, contexts, f"{base}/{path}?session={session}")
    viewer.on("pageerror", lambda e: errors.append(str(e)))
    expect(viewer.locator("#role")).to_have_attribute("data-role", "viewer")
    assert not errors
    return viewer


def start_lecture(
    page: Page, browser: Browser, contexts: list[BrowserContext], base: str, path: str
) -> tuple[dict, Page]:
    """The presenter's first frame on ``path`` (with its query) and a viewer of that session."""
    page.goto(f"{base}/{path}")
    page.wait_for_function("() => window.nnlive?.lastFrame", timeout=WAIT_MS)
    expect(page.locator("#role")).to_have_attribute("data-role", "driver")
    frame = page.evaluate(READ_FRAME)
    viewer = open_viewer(browser, contexts, base, path.partition("?")[0], frame["session"]["id"])
    return frame, viewer


def test_viewers_follow_the_selected_conv_cell_and_cannot_drive(
    page: Page, browser: Browser, contexts: list[BrowserContext], live_server: str, errors: list[str]
) -> None:
    frame, viewer = start_lecture(page, browser, contexts, live_server, "conv?height=5&width=5&kernel=3")
    session = frame["session"]["id"]

    page.click("#next")
    page.click("#next")
    page.click("#next")
    cell = page.evaluate("() => window.nnlive.cell")
    assert cell["k"] == 3
    viewer.wait_for_function("(k) => window.nnlive.cell?.k === k", arg=cell["k"], timeout=FOLLOW_MS)
    assert viewer.evaluate("() => window.nnlive.cell") == cell
    assert f"session={session}" in viewer.url
    assert "cell=3" in viewer.url

    # The viewer's controls stay disabled, and a control message from its page is refused.
    for control in ("#pattern-random", "#pattern-checkerboard", "#input-type"):
        expect(viewer.locator(control)).to_be_disabled()
    refusal = viewer.evaluate(SEND_TRAIN, session)
    assert refusal["code"] == "forbidden"
    assert refusal["id"] == 7


def test_conv_viewers_play_the_animation_along_with_the_presenter(
    page: Page, browser: Browser, contexts: list[BrowserContext], live_server: str, errors: list[str]
) -> None:
    _, viewer = start_lecture(page, browser, contexts, live_server, "conv?height=5&width=5&kernel=3")
    page.click("#play")
    # The presenter's URL holds still while it plays: a viewer moving on plays on its own clock.
    viewer.wait_for_function("() => window.nnlive.cell?.k >= 2", timeout=WAIT_MS)
    expect(page.locator("#play")).to_have_class(re.compile(r"\brunning\b"))
    page.click("#play")
    cell = page.evaluate("() => window.nnlive.cell")
    viewer.wait_for_function("(k) => window.nnlive.cell?.k === k", arg=cell["k"], timeout=FOLLOW_MS)
    expect(viewer.locator("#play")).not_to_have_class(re.compile(r"\brunning\b"))


def test_rnn_viewers_follow_the_pick_and_the_frames_and_a_late_joiner_starts_there(
    page: Page, browser: Browser, contexts: list[BrowserContext], live_server: str, errors: list[str]
) -> None:
    frame, viewer = start_lecture(page, browser, contexts, live_server, f"rnn?{RNN_CONFIG}")
    session = frame["session"]["id"]

    page.fill("#sequence", "1")
    page.dispatch_event("#sequence", "change")
    page.locator('.rnn-state[data-layer="1"][data-t="2"][data-d="1"]').click()
    page.click("#pattern-random")
    seq = next_frame(page, frame["seq"])["seq"]
    picked = {"layer": 1, "t": 2, "d": 1}

    followed = "(seq) => window.nnlive.lastFrame.header.seq === seq && window.nnlive.cell.t === 2"
    viewer.wait_for_function(followed, arg=seq, timeout=WAIT_MS)
    assert viewer.evaluate("() => window.nnlive.cell") == picked
    expect(viewer.locator("#sequence")).to_have_value("1")
    expect(viewer.locator("#formula .rnn-step")).to_have_attribute("data-cell", "1:2:1")
    expect(viewer.locator("#pattern-random")).to_be_disabled()

    # A late joiner shows the present at once: the latest frame and the presenter's pick.
    late = open_viewer(browser, contexts, live_server, "rnn", session)
    late.wait_for_function("() => window.nnlive.cell.t === 2", timeout=FOLLOW_MS)
    assert late.evaluate("() => window.nnlive.lastFrame.header.seq") == seq
    assert late.evaluate("() => window.nnlive.cell") == picked
    expect(late.locator("#sequence")).to_have_value("1")


def pin_row(page: Page, layer: str, row: int, rows: int) -> None:
    """Click row ``row`` of a LeNet head layer's W: the unit is pinned."""
    hover_row(page, layer, row, rows)
    page.mouse.down()
    page.mouse.up()


def test_lenet_viewers_follow_the_pinned_head_units_while_the_presenter_trains(
    page: Page, browser: Browser, contexts: list[BrowserContext], live_server: str, errors: list[str]
) -> None:
    _, viewer = start_lecture(page, browser, contexts, live_server, "lenet")
    page.check("#head-toggle")
    page.wait_for_function("() => window.nnlive.lastFrame.tensors.flat !== undefined", timeout=WAIT_MS)
    pin_row(page, "out", 7, 10)
    pin_row(page, "f6", 30, 84)
    page.mouse.move(0, 0)  # no hover: the pinned units show

    page.click("#train")
    page.wait_for_function("() => window.nnlive.lastFrame.header.step >= 5", timeout=WAIT_MS)
    page.click("#train")
    expect(viewer.locator("#run-state")).to_have_attribute("data-state", "paused")
    seq = settled_frame(page)["seq"]
    viewer.wait_for_function("(seq) => window.nnlive.lastFrame.header.seq === seq", arg=seq, timeout=WAIT_MS)
    for layer, unit in (("out", "7"), ("f6", "30")):
        expect(viewer.locator(f'.headmatvec[data-layer="{layer}"]')).to_have_attribute("data-unit", unit)
    expect(viewer.locator("#head-toggle")).to_be_checked()
    for control in ("#train", "#head-toggle"):
        expect(viewer.locator(control)).to_be_disabled()


# The share panel's canvas read module by module (the pixel at each module's centre) against the
# vendored library's own modules for `text`: equal when the canvas shows `text`'s QR code.
READ_QR = """
async (text) => {
  const { default: qrcode } = await import("/static/vendor/qrcode-generator/qrcode.mjs");
  const code = qrcode(0, "M");
  code.addData(text);
  code.make();
  const count = code.getModuleCount();
  const canvas = document.getElementById("share-qr");
  const { modules, quiet } = canvas.dataset;
  const px = canvas.width / (Number(modules) + 2 * Number(quiet));
  const context = canvas.getContext("2d");
  const dark = (r, c) => {
    const x = Math.floor((c + Number(quiet) + 0.5) * px);
    const y = Math.floor((r + Number(quiet) + 0.5) * px);
    return context.getImageData(x, y, 1, 1).data[0] < 128;
  };
  const line = (isDark, r) => Array.from({ length: count }, (_, c) => isDark(r, c));
  const rows = (isDark) => Array.from({ length: count }, (_, r) => line(isDark, r));
  return { count, modules: Number(modules), shown: rows(dark), expected: rows((r, c) => code.isDark(r, c)) };
}
"""


def test_the_presenters_share_panel_shows_the_lecture_link_as_a_qr_code(
    page: Page, browser: Browser, contexts: list[BrowserContext], live_server: str, errors: list[str]
) -> None:
    _, viewer = start_lecture(page, browser, contexts, live_server, "pool")
    expect(viewer.locator("#share-toggle")).to_be_hidden()

    expect(page.locator("#share-panel")).to_be_hidden()
    page.click("#share-toggle")
    expect(page.locator("#share-panel")).to_be_visible()
    expect(page.locator("#share-toggle")).to_have_attribute("aria-expanded", "true")
    link = page.locator("#share-url").inner_text()  # the lecture room's link (tests/e2e/test_lecture_room.py)
    assert re.fullmatch(rf"{re.escape(live_server)}/l/[\w-]+", link), link
    width = page.locator("#share-qr").bounding_box()["width"]
    assert width >= 300  # big enough to scan from afar

    qr = page.evaluate(READ_QR, link)
    assert qr["modules"] == qr["count"]
    assert qr["shown"] == qr["expected"]
    assert any(any(row) for row in qr["shown"])  # not blank
    page.click("#share-toggle")
    expect(page.locator("#share-panel")).to_be_hidden()


def test_a_viewer_detaches_onto_its_own_copy_and_rejoins_the_presenter(
    page: Page, browser: Browser, contexts: list[BrowserContext], live_server: str, errors: list[str]
) -> None:
    _, viewer = start_lecture(page, browser, contexts, live_server, "lenet")
    page.click("#step-once")
    page.wait_for_function("() => window.nnlive.lastFrame.header.step >= 1", timeout=WAIT_MS)
    presented = settled_frame(page)
    lecture = presented["session"]["id"]
    viewer.wait_for_function("(s) => window.nnlive.lastFrame.header.seq === s", arg=presented["seq"])
    expect(viewer.locator("#train")).to_be_disabled()
    expect(viewer.locator("#rejoin")).to_be_hidden()

    # Detached: the viewer drives a copy that starts from the presenter's weights.
    viewer.click("#detach")
    expect(viewer.locator("#role")).to_have_attribute("data-role", "driver")
    own = "(id) => window.nnlive.session.id !== id && window.nnlive.lastFrame.header.session !== id"
    viewer.wait_for_function(own, arg=lecture, timeout=WAIT_MS)
    copy = viewer.evaluate(READ_FRAME)
    fork = copy["session"]["id"]
    assert f"session={fork}" in viewer.url
    assert f"lecture={lecture}" in viewer.url
    assert copy["session"]["step"] == 1
    assert copy["probs"] == presented["probs"]  # the same weights on the same probe
    expect(viewer.locator("#train")).to_be_enabled()
    expect(viewer.locator("#detach")).to_be_hidden()
    expect(viewer.locator("#rejoin")).to_be_visible()

    # Training the copy changes its frames, not the presenter's.
    viewer.click("#step-once")
    viewer.wait_for_function("() => window.nnlive.lastFrame.header.step >= 2", timeout=WAIT_MS)
    trained = settled_frame(viewer)
    assert trained["probs"] != presented["probs"]
    assert page.evaluate("() => window.nnlive.lastFrame.header.step") == 1

    # Rejoined: the viewer follows the presenter's session and view again; its copy is ended.
    viewer.click("#rejoin")
    expect(viewer.locator("#role")).to_have_attribute("data-role", "viewer")
    viewer.wait_for_function("(id) => window.nnlive.session.id === id", arg=lecture, timeout=WAIT_MS)
    assert "lecture=" not in viewer.url
    expect(viewer.locator("#train")).to_be_disabled()
    expect(viewer.locator("#detach")).to_be_visible()
    page.check("#head-toggle")
    page.wait_for_function("() => window.nnlive.lastFrame.tensors.flat !== undefined", timeout=WAIT_MS)
    pin_row(page, "out", 4, 10)
    expect(viewer.locator('.headmatvec[data-layer="out"]')).to_have_attribute("data-unit", "4")
    ended = httpx.get(f"{live_server}/api/sessions/{fork}", timeout=WAIT_MS / 1000)
    assert ended.status_code == 404


def open_presenter(
    browser: Browser, contexts: list[BrowserContext], url: str, session: str, token: str
) -> Page:
    """A second presenter: a new browser context whose tab holds the session's token, as the
    presenter's own tab does after a reload."""
    return fresh_tab(browser, contexts, url, f"sessionStorage.setItem('nnlive.token.{session}', '{token}')")


def test_presenters_hand_control_on_close_the_room_and_take_free_control(
    page: Page, browser: Browser, contexts: list[BrowserContext], live_server: str, errors: list[str]
) -> None:
    frame, viewer = start_lecture(page, browser, contexts, live_server, "pool")
    session = frame["session"]["id"]
    token = page.evaluate("(id) => sessionStorage.getItem(`nnlive.token.${id}`)", session)
    second = open_presenter(browser, contexts, page.url, session, token)
    expect(second.locator("#role")).to_have_attribute("data-role", "presenter")
    expect(second.locator("#presenter")).to_have_attribute("data-status", "open")
    expect(second.locator("#take-control")).to_be_hidden()
    expect(viewer.locator("#presenter")).to_have_attribute("data-status", "open")

    page.click("#share-toggle")
    expect(page.locator("#share-presenters li")).to_have_count(2)
    expect(page.locator('#share-presenters li[data-presenter="1"] .share-holder')).to_be_visible()
    page.click('#share-presenters li[data-presenter="2"] button')
    expect(second.locator("#role")).to_have_attribute("data-role", "driver")
    expect(page.locator("#role")).to_have_attribute("data-role", "presenter")
    expect(page.locator("#share-toggle")).to_be_hidden()

    second.click("#share-toggle")
    second.click("#room-toggle")
    expect(viewer.locator("#notice")).to_have_text("The presenter closed the room.")
    expect(viewer.locator("#connection")).to_have_attribute("data-status", "closed")
    expect(second.locator("#room-toggle")).to_have_text("Reopen the room")

    second.close()
    expect(page.locator("#presenter")).to_have_attribute("data-status", "away")
    page.click("#take-control")
    expect(page.locator("#role")).to_have_attribute("data-role", "driver")


def test_lstm_viewers_follow_the_presenters_memory_pair_and_its_length(
    page: Page, browser: Browser, contexts: list[BrowserContext], live_server: str, errors: list[str]
) -> None:
    _, viewer = start_lecture(page, browser, contexts, live_server, "lstm")
    page.wait_for_function("() => window.nnlive.memoryDriving", timeout=WAIT_MS)
    pair_ids = "() => ['rnn', 'lstm'].map((c) => new URLSearchParams(location.search).get(c))"
    follows = "(ids) => ['rnn', 'lstm'].every((c, k) => window.nnlive.memory[c]?.header.session === ids[k])"
    viewer.wait_for_function(follows, arg=page.evaluate(pair_ids), timeout=WAIT_MS)
    assert viewer.evaluate(pair_ids) == page.evaluate(pair_ids)

    page.fill("#length", "7")
    page.dispatch_event("#length", "change")
    page.wait_for_function("() => window.nnlive.memory.lstm?.header.T === 7", timeout=WAIT_MS)
    viewer.wait_for_function(follows, arg=page.evaluate(pair_ids), timeout=WAIT_MS)
    viewer.wait_for_function("() => window.nnlive.memory.rnn?.header.T === 7", timeout=WAIT_MS)
    expect(viewer.locator("#length")).to_have_value("7")
    expect(viewer.locator("#memory-train")).to_be_disabled()


def test_a_presenter_who_reloads_the_page_keeps_control(
    page: Page, browser: Browser, contexts: list[BrowserContext], live_server: str, errors: list[str]
) -> None:
    _, viewer = start_lecture(page, browser, contexts, live_server, "pool")
    for _ in range(2):
        page.reload()
        page.wait_for_function("() => window.nnlive?.lastFrame", timeout=WAIT_MS)
        expect(page.locator("#role")).to_have_attribute("data-role", "driver")
        expect(page.locator("#take-control")).to_be_hidden()
    page.click("#share-toggle")
    expect(page.locator("#share-presenters li")).to_have_count(1)
    expect(viewer.locator("#presenter")).to_have_attribute("data-status", "open")


def test_a_duplicated_presenter_tab_joins_as_another_presenter_and_leaves_control_where_it_was(
    page: Page, live_server: str, errors: list[str]
) -> None:
    page.goto(f"{live_server}/lenet")
    page.wait_for_function("() => window.nnlive?.lastFrame", timeout=WAIT_MS)
    expect(page.locator("#role")).to_have_attribute("data-role", "driver")
    # A duplicated tab starts with a copy of this tab's sessionStorage, at the same URL.
    storage = page.evaluate("() => Object.fromEntries(Object.entries(sessionStorage))")
    copy = page.context.new_page()
    copy.add_init_script(
        f"for (const [k, v] of Object.entries({json.dumps(storage)})) sessionStorage.setItem(k, v);"
    )
    copy.goto(page.url)
    expect(copy.locator("#role")).to_have_attribute("data-role", "presenter", timeout=WAIT_MS)
    expect(copy.locator("#take-control")).to_be_hidden()

    expect(page.locator("#role")).to_have_attribute("data-role", "driver")
    page.click("#train")  # this tab still drives
    expect(page.locator("#run-state")).to_have_attribute("data-state", "training", timeout=WAIT_MS)
    page.click("#train")
    expect(page.locator("#run-state")).to_have_attribute("data-state", "paused", timeout=WAIT_MS)
    expect(page.locator("#notice")).to_be_hidden()
