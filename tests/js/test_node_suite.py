"""Runs the JavaScript unit tests (node --test tests/js/) as part of the single pytest run."""

import shutil
import subprocess
from pathlib import Path

import pytest

JS_TESTS = Path(__file__).parent


def test_node_suite_passes() -> None:
    """Every node:test file under tests/js/ passes."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: the JavaScript tests cannot run")
    result = subprocess.run(
        [node, "--test", *map(str, sorted(JS_TESTS.glob("*.test.mjs")))],  # files: any node from 18 on
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
