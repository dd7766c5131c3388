"""Which web pages may open a session websocket."""

import functools
from collections.abc import Callable
from urllib.parse import urlsplit

from app.realtime.connection import Connection


def origin_allowed(
    origin: str | None,
    host: str | None,
    allowed: list[str],
    *,
    scheme: str = "http",
    host_allowed: Callable[[str], bool] = lambda _name: True,
) -> bool:
    """May a websocket from ``origin`` connect? A listed origin, no browser, or a page of this server.

    Clients that are not browsers (scripts, the SDK) send no Origin and are let in; a browser page on
    another site is refused unless its origin is listed (``*`` lists every origin). A page of this
    server has this server's scheme (``http`` for ``ws://``, ``https`` for ``wss://``), a host name the
    server answers to (``host_allowed``, app/api/hosts.py) and the same host and port as the request.
    """
    if origin is None:
        return True
    if "*" in allowed or origin.rstrip("/") in {a.rstrip("/") for a in allowed}:
        return True
    parts = urlsplit(origin)
    same = host is not None and parts.netloc.lower() == host.lower()
    return same and parts.scheme == scheme and host_allowed(parts.hostname or "")


def page_may_connect(conn: Connection) -> bool:
    """``origin_allowed`` for this connection's request, with the allowed origins and host names."""
    ws = conn.ws
    origin = ws.headers.get("origin")
    if origin is None:  # not a browser (a script, the SDK): nothing more to look up
        return True
    local = (ws.scope.get("server") or (None, None))[0]
    host_allowed = functools.partial(conn.hosts.allows, local_address=local)
    scheme = "https" if ws.scope.get("scheme") == "wss" else "http"
    allowed = conn.settings.allowed_origins
    return origin_allowed(origin, ws.headers.get("host"), allowed, scheme=scheme, host_allowed=host_allowed)
