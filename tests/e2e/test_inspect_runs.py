"""/inspect without a run in Chromium, under the pages' Content-Security-Policy: the runs streaming now,
each a link, above the SDK's lines, and nothing of a run; a script that starts streaming appears in the
list (polled), and its link opens the run's live view, whose frames carry the script's own numbers."""

import torch
from playwright.sync_api import Page, expect
from torch import nn

import nnlive
from app.config import Settings
from app.i18n import load_catalog

WAIT_MS = 30_000
RUN = "listed-e2e"


def train_step(model: nn.Module, run: nnlive.Run, step: int) -> float:
    """One real step of ``model`` on a fixed batch; its loss is logged and returned."""
    torch.manual_seed(step)
    x, y = torch.randn(8, 4), torch.randint(2, (8,))
    loss = nn.functional.cross_entropy(model(x), y)
    loss.backward()
    run.log(step=step, loss=loss)
    return loss.item()


def test_the_runs_streaming_now_are_listed_and_open_with_a_click(strict_page: Page, live_server: str) -> None:
    page = strict_page
    catalog = load_catalog(Settings().static_dir, "en")
    page.goto(f"{live_server}/inspect")
    expect(page.locator("#runs-hint")).to_have_text(catalog["inspect.runs_none"], timeout=WAIT_MS)
    expect(page.locator("#live-runs")).to_be_visible()
    expect(page.locator(".inspect-how")).to_be_visible()
    expect(page.locator(".inspect-main")).to_be_hidden()
    expect(page.locator("#notice")).to_be_hidden()  # nothing is wrong: no error shown

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 2))
    with nnlive.connect(live_server, run=RUN, fps=1e6, precision="float32") as run:
        run.watch(model)
        train_step(model, run, 0)
        link = page.locator(f'#live-runs a[href="/inspect?run={RUN}"]')
        expect(link).to_have_text(RUN, timeout=WAIT_MS)
        expect(page.locator("#runs-hint")).to_have_text(catalog["inspect.runs_pick"])
        link.click()
        page.wait_for_url(f"**/inspect?run={RUN}", timeout=WAIT_MS)
        expect(page.locator("#connection")).to_have_attribute("data-status", "open", timeout=WAIT_MS)
        loss = train_step(model, run, 1)
        page.wait_for_function("() => window.nnlive.lastFrame?.header.step === 1", timeout=WAIT_MS)
        frame = page.evaluate("() => ({ header: nnlive.lastFrame.header, frames: nnlive.frames })")
        assert frame["frames"] >= 1
        assert frame["header"]["run"] == RUN
        assert abs(frame["header"]["scalars"]["loss"] - loss) < 1e-6
        expect(page.locator(".inspect-main")).to_be_visible()
