"""Errors every layer raises and every front end reports the same way (HTTP JSON or websocket)."""

from typing import ClassVar


class NnliveError(Exception):
    """A refused request: ``code`` is the protocol's error code, ``field`` the input at fault."""

    code: ClassVar[str] = "bad_request"
    status: ClassVar[int] = 400
    retry_after: ClassVar[int | None] = None  # seconds, sent as Retry-After where it applies

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def body(self) -> dict:
        """The error object sent to clients."""
        extra = {"field": self.field} if self.field else {}
        return {"code": self.code, "message": self.message, **extra}


class BadRequest(NnliveError):
    """Malformed or out-of-bounds input."""

    status = 422


class Forbidden(NnliveError):
    """The request needs the session's control token."""

    code = "forbidden"
    status = 403


class NotFound(NnliveError):
    """No such session (or page)."""

    code = "not_found"
    status = 404


class LimitReached(NnliveError):
    """A server-wide or per-message limit."""

    code = "limit"
    status = 429
    retry_after = 30

    def __init__(self, message: str, field: str | None = None, *, retry_after: int | None = 30) -> None:
        super().__init__(message, field)
        self.retry_after = retry_after  # None: no Retry-After, nothing frees up on its own


class Busy(NnliveError):
    """The model cannot take more work right now; retry shortly."""

    code = "busy"
    status = 503
    retry_after = 2


class Unavailable(NnliveError):
    """A feature that needs an optional extra which is not installed (the message says how)."""

    code = "unavailable"
    status = 501


class Internal(NnliveError):
    """A failure of the server itself (a bug); the log holds the details."""

    code = "internal"
    status = 500
