"""Which ``Host`` names this server answers to (DNS rebinding), and the base URL of the links it hands out.

``NNLIVE_ALLOWED_HOSTS`` lists the host names (``["course.example.org"]``, ``["*"]`` for any); the host
of ``NNLIVE_PUBLIC_URL`` is always allowed. With neither set, a request that arrived on a loopback
address must name a loopback host (``localhost``, ``127.0.0.1``, ``[::1]``), as Jupyter does: a page on
``evil.example`` that rebinds its name to 127.0.0.1 is refused; requests on other addresses are let in.
A refused request gets 403 before any route sees it; a refused websocket is closed before its handshake.
"""

import functools
import ipaddress
import json
from urllib.parse import urlsplit

from fastapi import Request
from starlette.types import ASGIApp, Receive, Scope, Send

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
CLOSE_POLICY = 1008


def host_name(host: str) -> str:
    """The name of a ``Host`` header or URL netloc, without port or IPv6 brackets, lower-case."""
    return (urlsplit(f"//{host}").hostname or "") if host else ""


@functools.lru_cache(maxsize=64)  # a server listens on few addresses; every request asks about its own
def _loopback(address: str | None) -> bool:
    try:
        return address is not None and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


class AllowedHosts:
    """The rule above, for a list of names and a public URL (either may be empty)."""

    def __init__(self, listed: list[str], public_url: str = "") -> None:
        self.any = "*" in listed
        self.names = {name.lower() for name in listed} | ({host_name(urlsplit(public_url).netloc)} - {""})

    def allows(self, name: str, local_address: str | None) -> bool:
        """May a request naming host ``name`` that arrived on ``local_address`` be answered?"""
        if self.any:
            return True
        if self.names:
            return name in self.names
        return not _loopback(local_address) or name in LOOPBACK_NAMES or name.endswith(".localhost")


class HostCheck:
    """ASGI middleware: 403 (JSON) to HTTP requests and a refused handshake to websockets whose ``Host``
    is not allowed."""

    def __init__(self, app: ASGIApp, hosts: AllowedHosts) -> None:
        self.app, self.hosts = app, hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        hosts = [value for name, value in scope["headers"] if name == b"host"]
        host = hosts[0].decode("latin-1") if len(hosts) == 1 else ""  # two Hosts name none for sure
        local = (scope.get("server") or (None, None))[0]
        if len(hosts) <= 1 and self.hosts.allows(host_name(host), local):
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": CLOSE_POLICY, "reason": "host not allowed"})
        else:
            text = "this server does not answer to that Host; see NNLIVE_ALLOWED_HOSTS in docs/deploying.md"
            body = json.dumps({"error": {"code": "forbidden", "message": text}}).encode()
            headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
            await send({"type": "http.response.start", "status": 403, "headers": headers})
            await send({"type": "http.response.body", "body": body})


def public_base(request: Request) -> str:
    """The base URL of links for other people: ``NNLIVE_PUBLIC_URL``, else this request's (its Host
    was allowed by HostCheck)."""
    configured = request.app.state.settings.public_url
    return (configured or str(request.base_url)).rstrip("/")
