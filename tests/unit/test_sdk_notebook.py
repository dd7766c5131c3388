"""A run in a notebook: its rich display and ``run.show()`` are an iframe of the run's live /inspect view,
which the server lets local notebooks (and NNLIVE_FRAME_ANCESTORS) frame, and no other page; in a real
Jupyter kernel (where nbclient and ipykernel are installed) a cell ending in the run shows that iframe."""

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import nnlive
from app.api.security import CONTENT_SECURITY_POLICY, LOCAL_NOTEBOOKS
from app.config import Settings
from app.factory import create_app
from app.sdk.notebook import inline_view

ROOT = Path(__file__).resolve().parents[2]
NOWHERE = "http://127.0.0.1:9"  # nothing listens: the run's sender thread just retries until closed


def test_the_inline_view_is_an_iframe_of_the_page_with_its_link() -> None:
    markup = inline_view("http://127.0.0.1:8000/inspect?run=a&b", "a<b", 480)
    assert re.fullmatch(
        r'<iframe src="http://127\.0\.0\.1:8000/inspect\?run=a&amp;b" title="nnlive: a&lt;b" width="100%" '
        r'height="480" style="[^"<>]*"></iframe><div><a href="http://127\.0\.0\.1:8000/inspect\?run=a&amp;b" '
        r'target="_blank" rel="noopener">http://127\.0\.0\.1:8000/inspect\?run=a&amp;b</a></div>',
        markup,
    )
    with pytest.raises(ValueError, match="height"):
        inline_view("http://x/inspect?run=a", "a", 0)


def test_a_run_displays_as_its_live_view_and_show_prints_the_link_outside_jupyter(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with nnlive.connect(NOWHERE, run="nb-run") as run:
        capsys.readouterr()
        assert f'<iframe src="{NOWHERE}/inspect?run=nb-run"' in run._repr_html_()
        run.show()
        assert capsys.readouterr().out == f"nnlive: watch this run at {NOWHERE}/inspect?run=nb-run\n"


def frame_ancestors(policy: str) -> list[str]:
    return next(d.split()[1:] for d in policy.split("; ") if d.startswith("frame-ancestors "))


def test_only_inspect_may_be_framed_and_only_by_local_notebooks_and_the_configured_ones() -> None:
    settings = Settings(device="cpu", torch_threads=1, frame_ancestors=["https://hub.example.org"])
    with TestClient(create_app(settings)) as client:
        inspect = client.get("/inspect?run=x").headers["content-security-policy"]
        assert frame_ancestors(inspect) == [*LOCAL_NOTEBOOKS, "https://hub.example.org"]
        assert {"'self'", "http://localhost:*", "http://127.0.0.1:*"} <= set(LOCAL_NOTEBOOKS)
        assert not {"*", "http:", "https:"} & set(LOCAL_NOTEBOOKS)  # not any site at all
        assert inspect.replace(" ".join(frame_ancestors(inspect)), "'none'") == CONTENT_SECURITY_POLICY
        for path in ("/", "/lenet", "/replay", "/api/models"):
            assert client.get(path).headers["content-security-policy"] == CONTENT_SECURITY_POLICY


def test_a_frame_ancestor_cannot_smuggle_a_directive() -> None:
    with pytest.raises(ValueError, match="frame_ancestors"):
        Settings(frame_ancestors=["https://x.org; script-src *"])


NOTEBOOK_CELL = """
import nnlive
run = nnlive.connect(run="nb-inline")
run
"""


def test_a_cell_ending_in_the_run_shows_its_live_view_in_jupyter() -> None:
    nbclient = pytest.importorskip("nbclient")
    nbformat = pytest.importorskip("nbformat")
    pytest.importorskip("ipykernel")
    cells = [NOTEBOOK_CELL, "run.show()", "run.close()"]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    resources = {"metadata": {"path": str(ROOT)}}  # the kernel imports this checkout's nnlive
    nbclient.NotebookClient(notebook, timeout=120, resources=resources).execute()
    shown = [o["data"]["text/html"] for cell in notebook.cells[:2] for o in cell.outputs if "data" in o]
    assert len(shown) == 2
    for markup in shown:
        assert re.search(r'<iframe src="http://127\.0\.0\.1:\d+/inspect\?run=nb-inline"', markup)
