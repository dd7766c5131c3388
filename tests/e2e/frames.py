"""What a model page drew, read in the browser tests: each page keeps its last drawn frame in
``window.nnlive.lastFrame`` and says whether it drives in ``window.nnlive.driving``; a test reads the
frame as plain lists (READ_FRAME, or a script of its own) to hold it against torch run here."""

import torch
from playwright.sync_api import Page

WAIT_MS = 30_000

# The last drawn frame: its seq, the session info, the selected cell, and every tensor by name as
# {shape, data} (plain lists).
READ_FRAME = """
() => {
  const { lastFrame, session, cell } = window.nnlive;
  const plain = ([name, t]) => [name, { shape: t.shape, data: Array.from(t.data) }];
  const tensors = Object.fromEntries(Object.entries(lastFrame.tensors).map(plain));
  return { seq: lastFrame.header.seq, session, cell, ...tensors };
}
"""

# The colour [r, g, b] and alpha of value (y, x) of map `channel` on a feature-map canvas
# (static/js/views/featuremaps.js): maps of [height, width] in `data-columns` columns, one canvas pixel
# per value, a transparent pixel between maps; written out here independently of the view.
MAP_PIXEL = """
(canvas, [height, width], channel, y, x) => {
  const columns = Number(canvas.dataset.columns);
  const left = (channel % columns) * (width + 1) + x;
  const top = Math.floor(channel / columns) * (height + 1) + y;
  return Array.from(canvas.getContext("2d").getImageData(left, top, 1, 1).data);
}
"""


def open_page(page: Page, url: str, read: str = READ_FRAME) -> dict:
    """Open the page, wait until it drives its session and has drawn a frame, and read it."""
    page.goto(url)
    page.wait_for_function("() => window.nnlive?.lastFrame && window.nnlive.driving", timeout=WAIT_MS)
    return page.evaluate(read)


def next_frame(page: Page, seq: int, read: str = READ_FRAME) -> dict:
    """Wait until a frame newer than ``seq`` has been drawn, and read it."""
    page.wait_for_function("(seq) => window.nnlive.lastFrame.header.seq > seq", arg=seq, timeout=WAIT_MS)
    return page.evaluate(read)


def settled_frame(page: Page, read: str = READ_FRAME, quiet_ms: int = 400) -> dict:
    """The last frame once no newer one has come for ``quiet_ms``: a page that does not train gets
    frames only in answer to its own messages, so this is the answer to the latest of them."""
    seq = page.evaluate("() => window.nnlive.lastFrame.header.seq")
    for _ in range(WAIT_MS // quiet_ms):
        page.wait_for_timeout(quiet_ms)
        now = page.evaluate("() => window.nnlive.lastFrame.header.seq")
        if now == seq:
            return page.evaluate(read)
        seq = now
    raise AssertionError("frames kept coming")


def tensor(t: dict) -> torch.Tensor:
    """A tensor read as ``{"shape", "data"}`` back into torch."""
    return torch.tensor(t["data"], dtype=torch.float32).reshape(t["shape"])
