"""The recordings shipped with nnlive: real training runs recorded by tools/make_recordings.py, each a
valid recording of its page whose frames show the model learning, small enough to ship, listed on /replay
with its size and served from /static."""

import importlib.util
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.api.pages import PAGES
from app.api.recordings import SHIPPED
from app.protocol import decode_frame
from app.protocol.recording import read_recording

ROOT = Path(__file__).resolve().parents[2]
MAX_TOTAL_BYTES = 3 * 1024 * 1024


def frames_of(name: str) -> tuple[dict, list[dict]]:
    """The recording's meta and its frames' headers; its first frame is at t = 0, where a replay opens."""
    meta, records = read_recording((ROOT / "static" / "recordings" / f"{name}.nnrec").read_bytes())
    frames = [r for r in records if r.kind == "frame"]
    assert frames[0].t == 0
    return meta, [decode_frame(r.data, r.protocol)[0] for r in frames]


def test_the_script_makes_every_shipped_recording() -> None:
    spec = importlib.util.spec_from_file_location("make_recordings", ROOT / "tools" / "make_recordings.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert set(script.RECIPES) == {shipped.name for shipped in SHIPPED}
    for shipped in SHIPPED:
        assert frames_of(shipped.name)[0]["model"] == script.RECIPES[shipped.name].model


def test_they_are_small_enough_to_ship() -> None:
    sizes = [(ROOT / "static" / "recordings" / s.file).stat().st_size for s in SHIPPED]
    assert sum(sizes) < MAX_TOTAL_BYTES


@pytest.mark.parametrize("shipped", SHIPPED, ids=lambda s: s.name)
def test_each_is_a_training_run_of_its_page(shipped) -> None:
    meta, headers = frames_of(shipped.name)
    assert meta["page"] == shipped.page
    assert meta["page"] in [page.path for page in PAGES]
    assert len(headers) >= 10
    steps = [h["step"] for h in headers]
    assert steps == sorted(steps)
    assert steps[-1] > steps[0]
    # The model learned while it was recorded: the last training loss is well below the first one.
    losses = [h["train"]["loss"] for h in headers if h.get("train")]
    assert losses[-1] < 0.7 * losses[0]


def test_replay_lists_them_with_their_sizes_and_serves_them(client: TestClient) -> None:
    html = client.get("/replay").text
    for shipped in SHIPPED:
        data = (ROOT / "static" / "recordings" / shipped.file).read_bytes()
        assert f'data-src="{shipped.url}"' in html
        assert re.search(rf'data-name="{shipped.name}"[^>]*>[^<]+</button>', html)
        assert f"{round(len(data) / 1024)} KiB" in html
        assert client.get(shipped.url).content == data
