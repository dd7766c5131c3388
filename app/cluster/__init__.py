"""Several workers on one Redis (``NNLIVE_BUS_URL=redis://…``): a shared registry of sessions, and requests
and websocket messages forwarded to the worker that owns a session. Nothing here runs with ``memory://``."""
