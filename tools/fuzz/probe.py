"""A fuzzing client of one session websocket: send one input, then a ping, and read until its pong,
checking every message on the way; say how the connection ended if it did."""

import itertools
import json
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

ERROR_CODES = frozenset({"bad_request", "forbidden", "not_found", "limit", "busy", "unavailable", "internal"})
CLEAN_CLOSES = frozenset({1008, 1013, 4410})  # policy (too many errors, replies not read), try later, ended
WAIT_S = 60.0


class BadAnswer(AssertionError):
    """The server answered in a way no input may cause (invalid JSON, an unknown code, a 1006…)."""


def _reject_constant(name: str) -> None:
    raise BadAnswer(f"the server sent {name}, which is not JSON")


def strict(text: str | bytes) -> object:
    """Parse as JSON.parse does: NaN and Infinity are errors."""
    return json.loads(text, parse_constant=_reject_constant)


@dataclass
class Tally:
    """What a fuzz run saw."""

    cases: int = 0
    errors: dict[str, int] = field(default_factory=dict)  # error code → count
    closes: dict[int, int] = field(default_factory=dict)  # clean close code → count
    internal: list[str] = field(default_factory=list)  # inputs that hit an `internal` error

    def add_error(self, code: str) -> None:
        self.errors[code] = self.errors.get(code, 0) + 1


class Prober:
    """A connection to ``/ws/sessions/{id}`` as its driver, reopened after a clean close."""

    def __init__(self, base: str, session: dict, tally: Tally) -> None:
        self.url = base.replace("http", "ws", 1) + f"/ws/sessions/{session['id']}"
        self.token, self.tally = session["token"], tally
        self._ids: Iterator[int] = itertools.count()
        self.ws: ClientConnection | None = None
        self._stack = ExitStack()

    def _open(self) -> ClientConnection:
        ws = self._stack.enter_context(
            connect(self.url, compression=None, max_size=None, open_timeout=WAIT_S)
        )
        ws.send(json.dumps({"type": "auth", "token": self.token, "id": "auth"}))
        self._read_until(ws, "auth")
        return ws

    def send(self, payload: str | bytes) -> None:
        """Send one fuzzed input and settle: the next pong arrives, or the server closes cleanly."""
        self.tally.cases += 1
        self.ws = self.ws or self._open()
        probe = f"probe-{next(self._ids)}"
        try:
            self.ws.send(payload)
            self.ws.send(json.dumps({"type": "pause", "id": f"{probe}-pause"}))  # stop what it started
            self.ws.send(json.dumps({"type": "ping", "id": probe}))
            self._read_until(self.ws, probe, payload)
        except ConnectionClosed as exc:
            code = exc.rcvd.code if exc.rcvd else None
            if code not in CLEAN_CLOSES:
                raise BadAnswer(f"closed with {code} after {str(payload)[:200]!r}") from None
            self.tally.closes[code] = self.tally.closes.get(code, 0) + 1
            self.ws = None

    def _read_until(self, ws: ClientConnection, reply_id: str, payload: object = None) -> None:
        while True:
            message = ws.recv(timeout=WAIT_S)
            if isinstance(message, bytes):
                length = int.from_bytes(message[:4], "little")
                strict(message[4 : 4 + length])
                continue
            reply = strict(message)
            if reply.get("type") == "error" and reply.get("id") != f"{reply_id}-pause":
                if reply.get("code") not in ERROR_CODES:
                    raise BadAnswer(f"unknown error code in {reply}")
                self.tally.add_error(reply["code"])
                if reply["code"] == "internal":
                    self.tally.internal.append(str(payload)[:200])
            if reply.get("id") == reply_id:
                return

    def close(self) -> None:
        """Close every connection it opened."""
        self._stack.close()
