"""The front end's type check: tsc (pinned in tools/typecheck) over static/js, every module that opts in
with ``// @ts-check`` checked against its JSDoc types. Runs where ``npm ci`` has installed the checker."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TYPECHECK = ROOT / "tools" / "typecheck"
TSC = TYPECHECK / "node_modules" / "typescript" / "bin" / "tsc"
# Folders whose every module must opt in (pages/ joins once annotated).
CHECKED = ("views", "views/parts", "net", "math", "record", "session", "ui")


@pytest.mark.parametrize("folder", CHECKED)
def test_modules_opt_into_the_type_check(folder: str) -> None:
    """Every module of the checked folders starts with ``// @ts-check``."""
    modules = sorted((ROOT / "static" / "js" / folder).glob("*.js"))
    assert modules, folder
    missing = [p.name for p in modules if not p.read_text(encoding="utf-8").startswith("// @ts-check\n")]
    assert missing == [], f"static/js/{folder}: no // @ts-check on the first line of {missing}"


def test_static_js_passes_the_type_check() -> None:
    """tsc --noEmit reports no error."""
    node = shutil.which("node")
    if node is None or not TSC.exists():
        pytest.skip("the type checker is not installed: run `npm ci` in tools/typecheck (needs node and npm)")
    result = subprocess.run(
        [node, str(TSC), "-p", str(TYPECHECK / "tsconfig.json")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
