"""nnlive's public Python API: stream your own PyTorch model to nnlive's /inspect page, live.

    import nnlive

    with nnlive.connect("http://127.0.0.1:8000", run="mine") as run:  # no URL: a server in this process
        run.watch(model)
        for x, y in batches:
            ...
            run.log(loss=loss)

In Jupyter, ``run.show()`` (or a cell ending in ``run``) shows the live /inspect view inline.
The server itself is the ``app`` package installed beside this one (``nnlive serve``); this package only
names what a script or notebook uses, so it stays stable while the server's modules move.
"""

from pathlib import Path

import app


def _check_server_package() -> None:
    """Refuse a foreign top-level ``app`` (e.g. the user's own FastAPI project) in place of nnlive's own."""
    ours = Path(__file__).resolve().parent.parent / "app"
    found = Path(app.__file__).resolve().parent
    if found != ours:
        raise ImportError(
            f"nnlive needs its server package 'app' from {ours}, but another package named 'app' "
            f"({found}) comes first on sys.path; run from another directory or rename your package"
        )


_check_server_package()

from app import __version__  # noqa: E402 (after the check: a foreign `app` has none of these)
from app.sdk import Run, connect  # noqa: E402

__all__ = ["Run", "__version__", "connect"]
