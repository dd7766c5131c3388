"""HTTP and websocket tests through the real app (a package, so ``api.helpers`` is unambiguous)."""
