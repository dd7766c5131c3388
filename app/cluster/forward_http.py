"""HTTP requests about a session another worker owns are answered by that worker: ``/api/sessions/{id}…``,
a lecture room's link, claim and invites (``/l/{room}``, ``/api/lectures/{room}/claim``, ``…/invites``) and a
new session that takes over a lecture room (``POST /api/sessions`` naming ``lecture``) go to the owner of
the session the room shows. The request (method, path, query, headers, the client's address, body)
travels to its inbox, runs through its own app, and the response comes back as it was made there."""

import json
import re
from typing import Any

from redis.exceptions import RedisError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.errors import error_response
from app.cluster.node import Node
from app.cluster.wire import pack
from app.errors import NnliveError, NotFound

SESSION_PATH = re.compile(r"^/api/sessions/([^/]+)(?:/[^/]*)?$")
LECTURE_PATH = re.compile(r"^/(?:l/([^/]+)|api/lectures/([^/]+)/(?:claim|invites(?:/[^/]+)?))$")
FORWARDED = "nnlive.forwarded"  # in a forwarded request's scope: never forward it again


class ForwardToOwner:
    """An ASGI middleware: a request about a session of another worker is sent there (only with a cluster)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        node: Node | None = getattr(scope["app"].state, "cluster", None) if scope["type"] == "http" else None
        if node is None or scope.get(FORWARDED):
            await self.app(scope, receive, send)
            return
        session_id, body = None, None
        if match := SESSION_PATH.match(scope["path"]):
            session_id = None if _local(scope, match[1]) else match[1]
        elif match := LECTURE_PATH.match(scope["path"]):
            session_id = await _lecture_session(scope, node, match[1] or match[2])
        elif scope["path"] == "/api/sessions" and scope["method"] == "POST":
            body = await _read_body(receive)
            session_id = await _lecture_session(scope, node, _lecture_named(body))
            receive = _replay(body)
        entry = await node.owner_of(session_id) if session_id else None
        if entry is None:
            await self.app(scope, receive, send)  # ours, or not found here either: the route says so
            return
        body = await _read_body(receive) if body is None else body
        try:
            answer, content = await node.call(entry.owner, request_header(scope), body)
        except NnliveError as exc:
            await error_response(exc.status, exc.code, exc.message)(scope, receive, send)
            return
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in answer["headers"]]
        await send({"type": "http.response.start", "status": answer["status"], "headers": headers})
        await send({"type": "http.response.body", "body": content})


async def _lecture_session(scope: Scope, node: Node, room: str | None) -> str | None:
    """The session that lecture room ``room`` shows on another worker (None: no room, ours, or unknown)."""
    if not room:
        return None
    try:
        scope["app"].state.sessions.lectures.current(room)
        return None
    except NotFound:
        pass
    try:
        return await node.registry.lecture(room)
    except (RedisError, OSError):
        return None


def _lecture_named(body: bytes) -> str | None:
    """The ``lecture`` a create request's JSON body names, if any (the route judges the rest)."""
    try:
        room = json.loads(body).get("lecture")
    except (ValueError, AttributeError):
        return None
    return room if isinstance(room, str) else None


def _replay(body: bytes) -> Receive:
    """A ``receive`` that hands the app a body the middleware already read."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def _local(scope: Scope, session_id: str) -> bool:
    try:
        scope["app"].state.sessions.get(session_id)
    except NotFound:
        return False
    return True


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if message["type"] != "http.request" or not message.get("more_body", False):
            return b"".join(chunks)


def request_header(scope: Scope) -> dict[str, Any]:
    """What another worker needs to run this request as it came (its body travels beside)."""
    return {
        "kind": "http",
        "method": scope["method"],
        "path": scope["path"],
        "query": scope["query_string"].decode("latin-1"),
        "headers": [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]],
        "client": list(scope["client"]) if scope.get("client") else None,
        "server": list(scope["server"]) if scope.get("server") else None,
        "scheme": scope.get("scheme", "http"),
    }


async def answer_forwarded(app: ASGIApp, node: Node, header: dict[str, Any], body: bytes) -> None:
    """Run a forwarded request through this worker's ``app`` and send the response to its reply channel."""
    scope: Scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": header["method"],
        "scheme": header["scheme"],
        "path": header["path"],
        "raw_path": header["path"].encode(),
        "root_path": "",
        "query_string": header["query"].encode("latin-1"),
        "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in header["headers"]],
        "client": tuple(header["client"]) if header["client"] else None,
        "server": tuple(header["server"]) if header["server"] else None,
        FORWARDED: True,
    }
    response: dict[str, Any] = {"status": 500, "headers": []}
    chunks: list[bytes] = []

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            response["status"] = message["status"]
            response["headers"] = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in message["headers"]]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, _replay(body), send)
    await node.bus.publish(header["reply"], pack(response, b"".join(chunks)))
