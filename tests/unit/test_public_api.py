"""``import nnlive`` is the public API, and the older ``from app import sdk`` gives the same objects."""

import nnlive
from app import __version__, sdk


def test_nnlive_names_the_sdk() -> None:
    assert nnlive.connect is sdk.connect
    assert nnlive.Run is sdk.Run
    assert nnlive.__version__ == __version__
    assert sorted(nnlive.__all__) == ["Run", "__version__", "connect"]
    for method in ("watch", "log", "close", "show"):
        assert callable(getattr(nnlive.Run, method))
