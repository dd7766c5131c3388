"""docs/sdk_example.py runs as documented: it starts its own server, streams to it and ends cleanly; and
cell by cell in a Jupyter kernel (when nbclient and ipykernel are installed: they are not dependencies)."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "sdk_example.py"


def test_the_documented_example_streams_to_an_embedded_server():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # this checkout's `app`
    result = subprocess.run(
        [sys.executable, str(EXAMPLE)],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert re.search(r"watch this run at http://127\.0\.0\.1:\d+/inspect\?run=sdk_example", result.stdout)
    summary = re.search(r"loss ([\d.]+) → ([\d.]+); frames sent: (\d+)", result.stdout)
    assert summary, result.stdout
    first, last, sent = float(summary[1]), float(summary[2]), int(summary[3])
    assert last < first
    assert sent > 0


# A cell run before the example's last one (close): the embedded server has the run's frames.
SERVER_HAS_FRAMES = """
import json, time, urllib.request
time.sleep(0.5)  # the newest frame reaches the server
found = json.loads(urllib.request.urlopen(f"{run.url}/api/runs/{run.name}").read())
print(json.dumps({"run": run.name, "session": found["session"], "curves": found["curves"]}))
"""


def test_the_example_runs_cell_by_cell_in_a_jupyter_kernel():
    nbclient = pytest.importorskip("nbclient")
    nbformat = pytest.importorskip("nbformat")
    pytest.importorskip("ipykernel")
    cells = [c.strip() for c in re.split(r"^# %%.*$", EXAMPLE.read_text(), flags=re.MULTILINE) if c.strip()]
    cells.insert(len(cells) - 1, SERVER_HAS_FRAMES)
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    client = nbclient.NotebookClient(notebook, timeout=120, resources={"metadata": {"path": str(ROOT)}})
    client.execute()  # raises if a cell fails
    texts = ["".join(o.get("text", "") for o in cell.outputs) for cell in notebook.cells]
    found = json.loads(texts[-2])
    assert found["run"] == "sdk_example"
    assert found["session"]["source"] == "sdk"
    assert found["session"]["step"] > 0
    losses = [point["loss"] for point in found["curves"]["scalars"]]
    assert len(losses) >= 2
    assert all(loss > 0 for loss in losses)
    sent = int(re.search(r"frames sent: (\d+)", texts[-1])[1])
    assert sent >= len(losses)
