"""A page's session socket, routed through the test: the test sees the inputs the page sends (forward,
sample) in order, and can hold the server's messages back (in order) and let them through later, so
that a request stays unanswered while the test acts."""

import json
import re

from playwright.sync_api import Page, WebSocketRoute

INPUTS = ("forward", "sample")
# Resolves once the page has run one more animation frame (the pad emits, the page's messages go).
NEXT_ANIMATION_FRAME = "() => new Promise((resolve) => requestAnimationFrame(() => resolve(true)))"


class HeldSocket:
    """Route `page`'s session sockets; `inputs` lists the types of the inputs sent so far. With
    `frames_only`, holding keeps back the binary frames alone (hellos and other text go through)."""

    def __init__(self, page: Page, *, frames_only: bool = False) -> None:
        self.inputs: list[str] = []
        self.holding = False
        self._frames_only = frames_only
        self._held: list[str | bytes] = []
        self._routes: list[WebSocketRoute] = []
        page.route_web_socket(re.compile(r"/ws/sessions/"), self._route)

    def _route(self, ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()
        self._routes.append(ws)

        def from_page(message: str | bytes) -> None:
            kind = json.loads(message).get("type") if isinstance(message, str) else None
            if kind in INPUTS:
                self.inputs.append(kind)
            server.send(message)

        def from_server(message: str | bytes) -> None:
            if self.holding and (isinstance(message, bytes) or not self._frames_only):
                self._held.append(message)
            else:
                ws.send(message)

        ws.on_message(from_page)
        server.on_message(from_server)

    def release(self) -> None:
        """Let the held messages through, in order, and stop holding."""
        self.holding = False
        for message in self._held:
            self._routes[-1].send(message)
        self._held.clear()
