"""The cyclic garbage collector, set for a long-running server.

A full collection walks every object the process holds. The server holds ~280,000 from startup (torch,
scikit-learn, the app), more for each session, and ~70 per connected viewer; with Python's default
thresholds a full collection comes every 100 young ones (~70,000 allocations), that is twice while 1,000
viewers join, at 30-80 ms of CPU each. So what startup made is frozen (never walked again), and a full
collection waits for ten times as many young ones; the young collections, which free short-lived cycles
such as a training step's, keep their default pace.
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager

FULL_COLLECTION_AFTER = 100  # young-generation collections (Python's default: 10)


@contextmanager
def server_heap() -> Iterator[None]:
    """Freeze what exists now and space full collections out; both undone on exit (tests build many
    apps in one process)."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(thresholds[0], thresholds[1], FULL_COLLECTION_AFTER)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
