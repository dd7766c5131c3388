"""Security headers on every HTTP response."""

from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send


def content_security_policy(frame_ancestors: str = "'none'") -> str:
    """Pages load only their own scripts, styles, images and sockets; ``frame_ancestors`` may frame them."""
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data: blob:",
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            f"frame-ancestors {frame_ancestors}",
            "form-action 'self'",
        )
    )


CONTENT_SECURITY_POLICY = content_security_policy()  # nothing may frame a page
# Pages a notebook shows inline (the SDK's run.show()). /inspect only watches: it has no control that acts
# on the server (the script drives its run), so a framing page cannot trick a click into doing anything.
FRAMABLE_PATHS = frozenset({"/inspect"})
# Who may frame them: the server itself and notebooks on this machine (Jupyter on localhost, VS Code's
# notebook webviews); NNLIVE_FRAME_ANCESTORS adds a hosted notebook's origin. (CSP has no syntax for an
# IPv6 address such as [::1]: browsers reject the whole source.)
LOCAL_NOTEBOOKS = (
    "'self'",
    "http://localhost:*",
    "http://127.0.0.1:*",
    "https://localhost:*",
    "https://127.0.0.1:*",
    "vscode-webview:",
)
OTHER_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]


def _headers(policy: str) -> list[tuple[bytes, bytes]]:
    return [(b"content-security-policy", policy.encode()), *OTHER_HEADERS]


class SecurityHeaders:
    """Add the headers above to every HTTP response; a framable page may be framed by local notebooks
    and ``frame_ancestors``."""

    def __init__(self, app: ASGIApp, frame_ancestors: Iterable[str] = ()) -> None:
        self.app = app
        self.headers = _headers(CONTENT_SECURITY_POLICY)
        ancestors = " ".join((*LOCAL_NOTEBOOKS, *frame_ancestors))
        self.framable_headers = _headers(content_security_policy(ancestors))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = self.framable_headers if scope["path"] in FRAMABLE_PATHS else self.headers

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":  # a route's own policy (/redoc) is kept
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(name, value) for name, value in headers if name not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)
