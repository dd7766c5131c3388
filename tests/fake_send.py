"""A fake ASGI ``send`` for the send path's tests: it completes at once, waits while ``writable`` is clear
(the transport's buffer is full: a client that reads slowly) or raises ``error`` (the client went away),
as uvicorn's does."""

import asyncio


class FakeSend:
    """Records what it sent; counts the sends that were cancelled or closed while they waited."""

    def __init__(self) -> None:
        self.sent: list = []
        self.writable = asyncio.Event()
        self.writable.set()
        self.error: Exception | None = None
        self.abandoned = 0

    async def __call__(self, message: object) -> None:
        try:
            await self.writable.wait()
        except BaseException:
            self.abandoned += 1
            raise
        if self.error is not None:
            raise self.error
        self.sent.append(message)

    def frames(self) -> list:
        """The bytes of the binary messages sent, in order."""
        return [m["bytes"] for m in self.sent if isinstance(m, dict) and m.get("bytes") is not None]
