"""The ASGI ``send`` of a websocket, kept so that frames skip the layers above it.

Starlette's ``WebSocket.send_bytes`` builds a message per call and passes it through its state checks and
two exception-handling wrappers before it reaches the server's ``send``; for a frame offered to hundreds of
viewers that is most of the per-viewer cost. ``KeepAsgiSend`` (the innermost middleware) records the
``send`` the server handed to a websocket's ASGI call in its scope, and viewers call it with one
``websocket.send`` message built once per frame and shared by all of them. Accepting, closing and text
messages still go through Starlette's ``WebSocket``, which keeps its state.
"""

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket

SCOPE_KEY = "nnlive.asgi_send"
AsgiSend = Callable[[dict[str, Any]], Awaitable[None]]


class KeepAsgiSend:
    """ASGI middleware: a websocket's scope keeps the ``send`` its app was called with."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            scope[SCOPE_KEY] = send
        await self.app(scope, receive, send)


def asgi_send_of(ws: object) -> AsgiSend | None:
    """The kept ASGI ``send`` of a Starlette websocket, or None (another kind of socket, or an app
    without ``KeepAsgiSend``)."""
    return ws.scope.get(SCOPE_KEY) if isinstance(ws, WebSocket) else None


def frame_message(frame: bytes) -> dict[str, Any]:
    """The ASGI message that sends ``frame`` as one binary websocket message."""
    return {"type": "websocket.send", "bytes": frame}
