"""The SDK's connection to a server: a daemon thread that owns the run's session and websocket.

The training thread only ever calls ``offer`` (a one-slot outbox where the newest frame wins) and
never waits on the network. The thread creates the run's session (``POST /api/runs/{name}``), connects
as its driver, encodes and sends each offered frame, and reads what the server sends back. When the
server goes away it retries with backoff; when the session is gone (a restarted server forgets its
sessions) it starts a new one for the same run name, which /inspect?run=NAME follows.
"""

import json
import logging
import threading
import urllib.error
import urllib.request
from typing import Any

import numpy as np
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from app.protocol import encode_frame
from app.protocol.codec import PROTOCOL
from app.sdk import run_tokens

log = logging.getLogger("nnlive.sdk")
BACKOFF_FIRST_S = 0.5
BACKOFF_MAX_S = 5.0
HTTP_TIMEOUT_S = 5.0
IDLE_POLL_S = 0.5  # how often an idle connection reads what the server sent


class SessionGone(Exception):
    """The server does not know the run's session any more."""


class Transport:
    """Sends a run's newest frame to ``url`` from a background thread, reconnecting as needed."""

    def __init__(self, url: str, run: str) -> None:
        self.url, self.run = url.rstrip("/"), run
        self.run_token = run_tokens.load(self.url, run)  # owns the name on that server (docs/sdk.md)
        self.session: dict[str, Any] | None = None  # POST /api/runs/{run}'s reply: id, token…
        self.sent = 0  # frames handed to the socket
        self._link = threading.Event()  # set while the socket is open and authenticated
        self._pending: tuple[dict[str, Any], dict[str, np.ndarray]] | None = None
        self._wake = threading.Condition()
        self._closing = False
        self._thread = threading.Thread(target=self._main, name=f"nnlive-sdk-{run}", daemon=True)
        self._thread.start()

    @property
    def connected(self) -> bool:
        """Whether the socket is open now."""
        return self._link.is_set()

    def wait_connected(self, timeout: float | None = None) -> bool:
        """Wait until the socket is open; False when ``timeout`` passed first."""
        return self._link.wait(timeout)

    def offer(self, header: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        """Queue a frame; an unsent older one is dropped (newest wins). Never blocks on the network."""
        with self._wake:
            self._pending = (header, arrays)
            self._wake.notify()

    def close(self, timeout: float = 2.0) -> None:
        """Send what is pending if the server is there (waiting at most ``timeout``), then stop."""
        with self._wake:
            self._closing = True
            self._wake.notify()
        self._thread.join(timeout)

    # -- the thread ----------------------------------------------------------------------------

    def _main(self) -> None:
        delay = BACKOFF_FIRST_S
        while not self._closing:
            try:
                self._serve()
                return
            except SessionGone:
                self.session = None
                delay = BACKOFF_FIRST_S
                continue
            except (OSError, ConnectionClosed, TimeoutError, ValueError) as exc:
                log.info("nnlive: no connection to %s (%s); retrying in %.1f s", self.url, exc, delay)
            except Exception:
                log.exception("nnlive: connection error; retrying in %.1f s", delay)
            self._link.clear()
            with self._wake:
                self._wake.wait_for(lambda: self._closing, delay)
            delay = min(BACKOFF_MAX_S, delay * 2)

    def _serve(self) -> None:
        """Connect as the session's driver and send frames until closed (raises when the link fails)."""
        session = self._ensure_session()
        ws_url = self.url.replace("http", "ws", 1) + f"/ws/sessions/{session['id']}"
        with connect(ws_url, compression=None, max_size=None, open_timeout=HTTP_TIMEOUT_S) as ws:
            # Naming the presenter number it had keeps control across a dropped connection, even before
            # the server notices the old socket is gone.
            token, presenter = session["token"], session.get("presenter")
            ws.send(json.dumps({"type": "auth", "token": token, "presenter": presenter, "id": "auth"}))
            session["presenter"] = self._await_auth(ws)
            self._link.set()
            while True:
                with self._wake:
                    self._wake.wait_for(lambda: self._pending is not None or self._closing, IDLE_POLL_S)
                    item, self._pending = self._pending, None
                    closing = self._closing
                if item is not None:
                    ws.send(encode_frame(*item))
                    self.sent += 1
                self._drain(ws)
                if closing:
                    return

    def _ensure_session(self) -> dict[str, Any]:
        if self.session is not None and self._http("GET", f"/api/sessions/{self.session['id']}") is None:
            self.session = None
        if self.session is None:
            self.session = self._http("POST", f"/api/runs/{self.run}", self.run_token)
            if self.session is None:
                raise ValueError(f"the server refused run name {self.run!r}")
            if self.session["run"] != self.run:  # someone else holds the name on this server
                log.warning("nnlive: run name %r is taken; this run is %r", self.run, self.session["run"])
            self.run, self.run_token = self.session["run"], self.session["run_token"]
            run_tokens.save(self.url, self.run, self.run_token)
            log.info("nnlive: run %r streams to %s", self.run, self.session["viewer_url"])
        return self.session

    def _http(self, method: str, path: str, token: str | None = None) -> dict[str, Any] | None:
        """The JSON reply, or None for a 404 (no such session) or 4xx refusal; raises when unreachable."""
        body = b"" if method == "POST" else None
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        request = urllib.request.Request(self.url + path, method=method, data=body, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_S) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            if 400 <= exc.code < 500:
                log.warning("nnlive: %s %s refused (%s)", method, path, exc.code)
                return None
            raise

    def _await_auth(self, ws: ClientConnection) -> int | None:
        """Wait for the reply to ``auth``; returns the presenter number the server gave (SessionGone when
        the session is gone or another presenter holds its control)."""
        while True:
            message = ws.recv(timeout=HTTP_TIMEOUT_S)
            if isinstance(message, bytes):
                continue
            reply = json.loads(message)
            if reply.get("type") == "hello" and reply.get("protocol") != PROTOCOL:
                raise ValueError(f"the server speaks protocol {reply.get('protocol')}; this SDK {PROTOCOL}")
            if reply.get("type") == "error" and reply.get("code") == "not_found":
                raise SessionGone()
            if reply.get("id") == "auth":
                if reply.get("type") != "ok":
                    raise SessionGone()  # the token no longer fits: start a new session
                if reply.get("role") != "driver":
                    # Another holder of the token took control (while this one reconnected): the server
                    # would refuse every frame here, so the run goes on in a new session.
                    log.warning("nnlive: another presenter holds control of the run's session; starting anew")
                    raise SessionGone()
                return reply.get("presenter")

    def _drain(self, ws: ClientConnection) -> None:
        """Read everything the server sent (state messages, errors) without waiting; SessionGone when
        a frame was refused because this connection no longer holds control."""
        while True:
            try:
                message = ws.recv(timeout=0)
            except TimeoutError:
                return
            if isinstance(message, str) and '"error"' in message:
                reply = json.loads(message)
                if reply.get("type") == "error" and reply.get("code") == "forbidden":
                    # Another holder of the token took this presenter's number (and control) over.
                    log.warning("nnlive: the run's session is driven by another presenter; starting anew")
                    raise SessionGone()
                if reply.get("type") == "error":
                    log.warning("nnlive: the server refused a frame: %s", reply.get("message"))
