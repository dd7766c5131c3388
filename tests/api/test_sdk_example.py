"""docs/sdk_example.py runs as documented: it starts its own server, streams to it and ends cleanly."""

import os
import re
import subprocess
import sys
from pathlib import Path

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
