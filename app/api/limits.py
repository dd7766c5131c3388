"""An ASGI middleware refusing HTTP request bodies over a size before the app sees them."""

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.protocol.bounds import JsonError, loads


class BodyLimit:
    """Answer 413 (JSON) to a request whose body exceeds ``max_bytes``, declared or streamed, and 400
    to a JSON body that is not strict, bounded JSON (app/protocol/bounds.py: huge numbers, NaN, lone
    surrogates), before any route parses it.

    The body is read here, at most ``max_bytes`` of it, and replayed to the app: a chunked upload
    cannot slip past a Content-Length check, and nothing larger than the limit is ever held.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await _refuse(send, 413, "limit", f"request body exceeds {self.max_bytes} bytes")
            return
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > self.max_bytes:
                await _refuse(send, 413, "limit", f"request body exceeds {self.max_bytes} bytes")
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        content_type = dict(scope["headers"]).get(b"content-type", b"")
        if body and content_type.split(b";")[0].strip().lower() == b"application/json":
            try:
                loads(body)
            except JsonError as exc:
                await _refuse(send, 400, "bad_request", f"request body refused: {exc}", "body")
                return
        await self.app(scope, _replay(body, receive), send)


async def _refuse(send: Send, status: int, code: str, text: str, field: str | None = None) -> None:
    error = {"code": code, "message": text, **({"field": field} if field else {})}
    body = json.dumps({"error": error}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive() that yields the buffered body once, then defers to the real one (disconnects)."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
