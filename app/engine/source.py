"""The source of functions that run, read once at import, for pages that show the code beside its numbers."""

import inspect
from collections.abc import Callable
from typing import Any


def sources(*functions: Callable[..., Any]) -> list[dict[str, str]]:
    """Each function's name and its source text, as it is in the running module."""
    return [{"name": fn.__name__, "source": inspect.getsource(fn)} for fn in functions]
