"""Issue 18, a lecture that survives real use, in Chromium: the projected link names the lecture room,
so a student who opens it after the presenter changed a setting (a new session) lands on what the
presenter shows now; the presenter link (the room's key in its fragment) gives control back on a
device that never held the token; the viewer count leaves the presenters out."""

import re

import httpx
import pytest
from api.helpers import claim_lecture
from playwright.sync_api import Browser, BrowserContext, Page, expect

from e2e.frames import WAIT_MS
from e2e.test_lecture import READ_QR, fresh_tab, start_lecture
from e2e.test_lenet_page import draw_seven

SESSION_OF_FRAME = "() => window.nnlive.lastFrame.header.session"


def test_a_late_student_lands_on_the_new_session_and_the_presenter_link_gives_control_back(
    page: Page, browser: Browser, contexts: list[BrowserContext], live_server: str, errors: list[str]
) -> None:
    page.goto(f"{live_server}/pool")
    page.wait_for_function("() => window.nnlive?.lastFrame && window.nnlive.driving", timeout=WAIT_MS)
    first = page.evaluate(SESSION_OF_FRAME)
    page.click("#share-toggle")
    room_link = page.locator("#share-url").inner_text()
    assert re.fullmatch(rf"{re.escape(live_server)}/l/[\w-]+", room_link), room_link
    qr = page.evaluate(READ_QR, room_link)
    assert qr["shown"] == qr["expected"]  # the QR code names the room, not the session
    expect(page.locator("#share-presenter-link")).to_be_hidden()  # the key is not projected to the room
    page.click(".share-presenter summary")
    expect(page.locator("#share-presenter-link")).to_be_visible()
    presenter_link = page.locator("#share-presenter-link").input_value()
    assert presenter_link.startswith(f"{room_link}#lecture=")
    expect(page.locator("#share-link")).to_have_value(room_link)

    page.select_option('select[name="op"]', "avg")  # a setting: the presenter's page makes a new session
    page.wait_for_function(f"(id) => ({SESSION_OF_FRAME})() !== id", arg=first, timeout=WAIT_MS)
    now = page.evaluate(SESSION_OF_FRAME)
    expect(page.locator("#share-url")).to_have_text(room_link)  # the projected link did not change

    student = fresh_tab(browser, contexts, room_link)  # scanned ten minutes late
    assert student.evaluate(SESSION_OF_FRAME) == now
    assert f"session={now}" in student.url
    assert student.evaluate("window.nnlive.session.op") == "avg"
    expect(student.locator("#role")).to_have_attribute("data-role", "viewer")
    seq = student.evaluate("() => window.nnlive.lastFrame.header.seq")
    page.click("#pattern-random")  # the presenter acts: the student receives the frames
    student.wait_for_function("(s) => window.nnlive.lastFrame.header.seq > s", arg=seq, timeout=WAIT_MS)
    expect(page.locator("#viewers")).to_have_text("1 watching")  # the presenter is not counted

    laptop = fresh_tab(browser, contexts, presenter_link)  # another device, no token in its storage
    assert "key=" not in laptop.url  # the key left the address bar
    expect(laptop.locator("#role")).to_have_attribute("data-role", "presenter")
    expect(page.locator("#viewers")).to_have_text("1 watching")
    page.goto("about:blank")  # the presenter's tab is gone
    laptop.click("#take-control")
    expect(laptop.locator("#role")).to_have_attribute("data-role", "driver")
    laptop.select_option('select[name="op"]', "max")
    student.wait_for_function(
        "(id) => window.nnlive.lastFrame.header.session !== id", arg=now, timeout=WAIT_MS
    )
    assert student.evaluate("window.nnlive.session.op") == "max"
    laptop.click("#share-toggle")
    expect(laptop.locator("#share-url")).to_have_text(room_link)  # still the same room


# The ink of each cell of a pad, read from its canvas (the alpha at the cell's centre, 0–255).
READ_PAD = """
() => {
  const canvas = document.querySelector("#drawpad canvas");
  const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
  const cell = canvas.width / 32;
  return Array.from({ length: 32 * 32 }, (_, i) => {
    const x = Math.floor((i % 32) * cell + cell / 2), y = Math.floor(Math.floor(i / 32) * cell + cell / 2);
    return data[(y * canvas.width + x) * 4 + 3];
  });
}
"""
INK_OF_URL = "() => new URLSearchParams(location.search).get('ink')"
# What the presenter's pad holds, as its view state writes it: the mean ink (alpha) of each cell's
# block of canvas pixels (as the pad reads it), encoded by the page's own inkcode.
PAD_AS_INK = """
async () => {
  const { encodeInk } = await import("/static/js/math/inkcode.js");
  const canvas = document.querySelector("#drawpad canvas");
  const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
  const block = canvas.width / 32;
  const mean = (r, c) => {
    let sum = 0;
    for (let y = r * block; y < (r + 1) * block; y++)
      for (let x = c * block; x < (c + 1) * block; x++) sum += data[(y * canvas.width + x) * 4 + 3];
    return Number((sum / (255 * block * block)).toFixed(4));
  };
  return encodeInk(Array.from({ length: 32 }, (_, r) => Array.from({ length: 32 }, (_, c) => mean(r, c))));
}
"""


def test_lenet_viewers_see_the_presenters_drawing_on_their_pad(
    page: Page, browser: Browser, contexts: list[BrowserContext], live_server: str, errors: list[str]
) -> None:
    _, viewer = start_lecture(page, browser, contexts, live_server, "lenet")
    draw_seven(page)
    # The whole drawing, once the presenter's page has shared it (a few times a second, each stroke
    # after the server's answer to the one before): an earlier URL holds part of it.
    ink = page.evaluate(PAD_AS_INK)
    page.wait_for_function(f"(ink) => ({INK_OF_URL})() === ink", arg=ink, timeout=WAIT_MS)
    viewer.wait_for_function(f"(ink) => ({INK_OF_URL})() === ink", arg=ink, timeout=WAIT_MS)
    shown = viewer.evaluate(READ_PAD)
    assert [round(alpha / 255 * 15) for alpha in shown] == [int(c, 16) for c in ink]
    assert sum(c == "f" for c in ink) > 20  # a real stroke, not a dot

    page.click("#sample-show")  # a dataset sample replaces the drawing: the pads are wiped
    viewer.wait_for_function(f"() => ({INK_OF_URL})() === ''", timeout=WAIT_MS)
    assert not any(viewer.evaluate(READ_PAD))


def test_a_phone_viewer_follows_the_card_the_presenter_is_on(
    page: Page, browser: Browser, contexts: list[BrowserContext], live_server: str, errors: list[str]
) -> None:
    page.set_viewport_size({"width": 1920, "height": 1080})  # the projector
    page.goto(f"{live_server}/pool")
    page.wait_for_function("() => window.nnlive?.lastFrame && window.nnlive.driving", timeout=WAIT_MS)
    session = page.evaluate(SESSION_OF_FRAME)
    context = browser.new_context(viewport={"width": 390, "height": 844})  # a student's phone
    contexts.append(context)
    phone = context.new_page()
    phone.goto(f"{live_server}/pool?session={session}")
    phone.wait_for_function("() => window.nnlive?.lastFrame", timeout=WAIT_MS)
    expect(phone.locator("#follow-presenter")).to_have_attribute("aria-pressed", "true")
    expect(phone.locator("#share-link")).to_be_hidden()  # a compact bar on the student's phone
    expect(phone.locator("#record")).to_be_hidden()
    expect(phone.locator(".site-nav")).to_be_hidden()  # the page list gives way to the lesson
    expect(page.locator("#share-link")).to_be_visible()
    expect(page.locator(".site-nav")).to_be_visible()
    expect(page.locator("#follow-presenter")).to_be_hidden()
    last = phone.locator("main .card").last
    expect(last).not_to_be_in_viewport()

    page.locator("main .card").last.locator("h2").first.click()  # the presenter works in the last card
    expect(last).to_have_class(re.compile(r"\bpresenter-here\b"))
    expect(last).to_be_in_viewport()
    expect(page.locator("main .card.presenter-here")).to_have_count(0)  # the presenter's own page is unmarked

    phone.click("#follow-presenter")  # the student looks around on their own
    expect(phone.locator("#follow-presenter")).to_have_attribute("aria-pressed", "false")
    first = phone.locator("main .card").first
    phone.evaluate("() => scrollTo(0, document.body.scrollHeight)")
    page.locator("main .card").first.locator("h2").first.click()
    expect(first).to_have_class(re.compile(r"\bpresenter-here\b"))  # marked, but the phone stays put
    expect(first).not_to_be_in_viewport()


def test_a_viewer_who_steps_on_their_own_is_told_and_one_click_brings_them_back(
    page: Page, browser: Browser, contexts: list[BrowserContext], live_server: str, errors: list[str]
) -> None:
    _, viewer = start_lecture(page, browser, contexts, live_server, "pool")
    page.keyboard.press("s")  # the presenter steps the window
    page.wait_for_function("() => window.nnlive.cell === 1", timeout=WAIT_MS)
    viewer.wait_for_function("() => window.nnlive.cell === 1", timeout=WAIT_MS)
    expect(viewer.locator("#back-to-presenter")).to_be_hidden()

    viewer.keyboard.press("s")  # the student's own step
    viewer.keyboard.press("s")
    viewer.wait_for_function("() => window.nnlive.cell === 3", timeout=WAIT_MS)
    expect(viewer.locator("#back-to-presenter")).to_be_visible()
    expect(page.locator("#back-to-presenter")).to_be_hidden()
    viewer.click("#back-to-presenter")
    viewer.wait_for_function("() => window.nnlive.cell === 1", timeout=WAIT_MS)
    expect(viewer.locator("#back-to-presenter")).to_be_hidden()


PHONE = {"width": 390, "height": 844}
VISIBLE_DISABLED = """
() => [...document.querySelectorAll("main :is(button, input, select, textarea):disabled")]
  .filter((e) => e.checkVisibility()).map((e) => e.id || e.name)
"""
SETTINGS_LINE = """
() => Object.fromEntries([...document.querySelectorAll("#presenter-settings [data-key]")]
  .map((e) => [e.dataset.key, e.dataset.value]))
"""
OVERFLOW = "() => document.documentElement.scrollWidth - innerWidth"


def shown(value: object) -> str:
    """A value as the settings line writes it (JavaScript's String)."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def phone_viewer(page: Page, browser: Browser, contexts: list[BrowserContext], url: str) -> tuple[str, Page]:
    """The presenter's session on ``url`` (opened in ``page``) and a student's phone watching it."""
    page.goto(url)
    page.wait_for_function("() => window.nnlive?.lastFrame && window.nnlive.driving", timeout=WAIT_MS)
    session = page.evaluate(SESSION_OF_FRAME)
    context = browser.new_context(viewport=PHONE)
    contexts.append(context)
    phone = context.new_page()
    phone.goto(f"{url}?session={session}")
    phone.wait_for_function("() => window.nnlive?.lastFrame", timeout=WAIT_MS)
    expect(phone.locator("#role")).to_have_attribute("data-role", "viewer")
    return session, phone


# A page, a control of its presenter's and a setting of its config.
COMPACT_PAGES = [
    ("lenet", "#train", "activation"),
    ("conv", '[name="kernel"]', "kernel"),
    ("lstm", "#memory-train", "hidden"),
]


@pytest.mark.usefixtures("errors")
@pytest.mark.parametrize("case", COMPACT_PAGES)
def test_a_phone_viewer_sees_the_lesson_and_the_presenters_settings_not_the_tools(
    page: Page, browser: Browser, contexts: list[BrowserContext], live_server: str, case: tuple
) -> None:
    path, control, setting = case
    page.set_viewport_size(PHONE)  # the presenter on a phone too
    session, phone = phone_viewer(page, browser, contexts, f"{live_server}/{path}")

    expect(phone.locator("#presenter-settings")).to_be_visible()
    assert phone.evaluate(VISIBLE_DISABLED) == []  # no tools the viewer cannot use
    expect(phone.locator(control)).to_be_hidden()
    info = httpx.get(f"{live_server}/api/sessions/{session}", timeout=10).json()
    line = phone.evaluate(SETTINGS_LINE)
    expected = {key: shown(value) for key, value in info["controls"].items()}
    assert {key: line.get(key) for key in expected} == expected
    assert line[setting] == shown(info["config"][setting])
    assert phone.evaluate(OVERFLOW) <= 0

    expect(page.locator(control)).to_be_visible()  # the presenter keeps the tools
    expect(page.locator("#presenter-settings")).to_be_hidden()
    assert page.evaluate(OVERFLOW) <= 0


def test_a_phone_viewers_settings_line_follows_the_presenters_change(
    page: Page, browser: Browser, contexts: list[BrowserContext], live_server: str, errors: list[str]
) -> None:
    session, phone = phone_viewer(page, browser, contexts, f"{live_server}/lenet")
    lr = phone.locator('#presenter-settings [data-key="lr"]')
    expect(lr).to_have_attribute("data-value", "0.001")
    page.fill("#lr", "0.05")
    page.locator("#lr").dispatch_event("change")
    expect(lr).to_have_attribute("data-value", "0.05")
    expect(lr).to_have_text(re.compile(r"0\.05$"))
    info = httpx.get(f"{live_server}/api/sessions/{session}", timeout=10).json()
    assert info["controls"]["lr"] == 0.05


def test_the_presenter_invites_a_co_presenter_and_revokes_the_invite(
    page: Page, browser: Browser, contexts: list[BrowserContext], live_server: str, errors: list[str]
) -> None:
    page.goto(f"{live_server}/pool")
    page.wait_for_function("() => window.nnlive?.lastFrame && window.nnlive.driving", timeout=WAIT_MS)
    page.click("#share-toggle")
    page.click(".share-presenter summary")
    expect(page.locator("#invite-row")).to_be_hidden()
    page.click("#invite-create")
    expect(page.locator("#invite-row")).to_be_visible()
    expect(page.locator("#invite-create")).to_be_hidden()  # one at a time: this page can revoke it
    invite_link = page.locator("#invite-link").input_value()
    presenter_link = page.locator("#share-presenter-link").input_value()
    room_link = page.locator("#share-url").inner_text()
    assert invite_link.startswith(f"{room_link}#lecture=")
    assert invite_link != presenter_link  # a key of its own

    colleague = fresh_tab(browser, contexts, invite_link)
    expect(colleague.locator("#role")).to_have_attribute("data-role", "presenter")
    page.locator('#share-presenters li[data-presenter="2"] button').click()  # the existing handoff
    expect(colleague.locator("#role")).to_have_attribute("data-role", "driver")
    colleague.click("#share-toggle")
    colleague.locator('#share-presenters li[data-presenter="1"] button').click()  # and back
    expect(page.locator("#role")).to_have_attribute("data-role", "driver")

    page.click("#share-toggle")
    page.click("#invite-revoke")
    expect(page.locator("#invite-row")).to_be_hidden()
    expect(page.locator("#invite-create")).to_be_visible()
    expect(page.locator("#notice")).to_have_text("The invite is revoked: its link no longer gives control.")
    room, key = re.search(r"#lecture=([^&]+)&key=(.+)$", invite_link).groups()  # type: ignore[union-attr]
    assert claim_lecture(live_server, room, key).status_code == 403
    late = fresh_tab(browser, contexts, invite_link)
    expect(late.locator("#role")).to_have_attribute("data-role", "viewer")
    owner = fresh_tab(browser, contexts, presenter_link)  # the owner's link still claims
    expect(owner.locator("#role")).to_have_attribute("data-role", "presenter")
