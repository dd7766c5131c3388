"""GET /api/runs: the SDK runs streaming now — a run whose script is connected, not one whose script never
came or has gone — each with its newest session and the link /inspect follows."""

import httpx
import torch
from polling import wait_until
from torch import nn

import nnlive
from api.helpers import WAIT_S


def listed(base: str) -> list[dict]:
    response = httpx.get(f"{base}/api/runs", timeout=WAIT_S)
    assert response.status_code == 200
    return response.json()["runs"]


def test_a_connected_script_is_listed_until_it_closes(live_server: str) -> None:
    assert listed(live_server) == []
    httpx.post(f"{live_server}/api/runs/no-script", timeout=WAIT_S).raise_for_status()  # nobody streams
    torch.manual_seed(0)
    model = nn.Linear(3, 2)
    with nnlive.connect(live_server, run="listed", fps=1e6) as run:
        run.watch(model)
        for step in range(3):
            model(torch.randn(4, 3)).square().mean().backward()
            run.log(step=step, loss=0.5)
        wait_until(lambda: listed(live_server) and listed(live_server)[0]["session"]["step"] == 2, "no frame")
        [entry] = listed(live_server)
        assert entry["run"] == "listed"
        assert entry["viewer_url"] == "/inspect?run=listed"
        assert entry["session"]["id"] == run.session_id
        assert entry["session"]["model"] == "inspect"
    wait_until(lambda: listed(live_server) == [], "a closed run is still listed")


def test_the_newest_run_comes_first(live_server: str) -> None:
    runs = []
    try:
        for name in ("older", "newer"):  # one after the other: each run's session starts in its thread
            runs.append(nnlive.connect(live_server, run=name, fps=1e6))
            wait_until(lambda: runs[-1].connected, "the SDK did not connect")
        wait_until(lambda: len(listed(live_server)) == 2, "not both listed")
        assert [entry["run"] for entry in listed(live_server)] == ["newer", "older"]
    finally:
        for run in runs:
            run.close()
