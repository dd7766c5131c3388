"""A run's inline view in a notebook, in Chromium: a notebook page served on this machine (another origin
than the server, as Jupyter's is) shows run.show()'s iframe of /inspect, live; the server refuses to be
framed on any other page."""

import functools
import http.server
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import torch
from playwright.sync_api import Page, expect
from torch import nn

import nnlive
from app.sdk.notebook import inline_view

WAIT_MS = 30_000


@pytest.fixture
def notebook(tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """``notebook(html)``: the URL of a page holding ``html``, served from localhost like Jupyter."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def page_of(html: str) -> str:
        (tmp_path / "notebook.html").write_text(f"<!doctype html><html><body>{html}</body></html>")
        return f"http://localhost:{server.server_address[1]}/notebook.html"

    yield page_of
    server.shutdown()
    server.server_close()


def test_a_local_notebook_shows_the_runs_live_view(
    page: Page, live_server: str, notebook: Callable[[str], str]
) -> None:
    torch.manual_seed(0)
    model = nn.Linear(3, 2)
    with nnlive.connect(live_server, run="notebook-frame", fps=1e6, precision="float32") as run:
        run.watch(model)
        page.goto(notebook(run._repr_html_()))
        view = page.frame_locator("iframe")
        expect(view.locator("#connection")).to_have_attribute("data-status", "open", timeout=WAIT_MS)
        loss = model(torch.randn(4, 3)).square().mean()
        loss.backward()
        run.log(step=5, loss=loss)
        expect(view.locator("#step")).to_have_text("Step 5", timeout=WAIT_MS)
        [inspect] = [frame for frame in page.frames if "/inspect?run=notebook-frame" in frame.url]
        shown = inspect.evaluate("() => window.nnlive.lastFrame.header.scalars.loss")
        assert abs(shown - loss.item()) < 1e-6


def test_other_pages_refuse_to_be_framed(
    page: Page, live_server: str, notebook: Callable[[str], str]
) -> None:
    with page.expect_console_message(lambda m: "frame-ancestors" in m.text, timeout=WAIT_MS):
        page.goto(notebook(inline_view(f"{live_server}/lenet", "lenet")))
    assert page.frame_locator("iframe").locator("#main").count() == 0
