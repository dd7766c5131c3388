"""The server's collector settings hold while it runs and are undone after."""

import gc

from app.heap import FULL_COLLECTION_AFTER, server_heap


def test_server_heap_freezes_and_spaces_full_collections_then_restores():
    before = gc.get_threshold()
    with server_heap():
        assert gc.get_freeze_count() > 0  # what existed is frozen
        assert gc.get_threshold() == (before[0], before[1], FULL_COLLECTION_AFTER)
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
