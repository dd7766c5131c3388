"""Sending from outside any task: done at once, or finished by a task when the send has to wait.

A websocket ``send`` almost never waits (it writes to the transport and waits only while the transport's
buffer is full), so a frame handed to an idle viewer can be sent right where it is handed over, without
waking that viewer's sender task. ``SendNow(send).send(message)`` runs ``send(message)`` up to its first
suspension:

- it returns: done, the result is None (no task, no wake-up);
- it suspends on an awaitable's future: the result is an ``Unfinished``, which a task awaits to run the
  rest; awaiting it first yields that same future, unchanged, up to the task (which waits on it as if
  the send had been awaited there from the start), then forwards whatever the task sends or throws in (a
  cancellation included) to the send until it returns;
- it raises: the result is an ``Unfinished`` that raises that exception where it is awaited.

The sends run inside one long-lived generator that delegates to each one with ``yield from`` and yields
``_SENT`` after it: a send that completes at once raises no ``StopIteration`` here. Only the public
generator protocol is used (``send``, ``throw``, ``close``). The first step runs in the caller's task
and context (uvicorn's ``send`` uses neither).
"""

import types
from collections.abc import Awaitable, Callable, Generator
from typing import Any

_SENT = object()  # what the generator yields when a send has returned
Send = Callable[[Any], Awaitable[None]]


class SendNow:
    """Messages passed to one ``send``, each begun at once; call ``send`` again only once the previous
    one is done (its ``Unfinished``, if any, awaited)."""

    __slots__ = ("_sends",)

    def __init__(self, send: Send) -> None:
        self._sends = _sends(send)
        next(self._sends)

    def send(self, message: Any) -> "Unfinished | None":
        """Begin sending ``message``: None if it was sent, else what a task awaits to finish it."""
        try:
            yielded = self._sends.send(message)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as error:  # (a CancelledError too) raised where the rest is awaited, intact
            return Unfinished(self._sends, None, error)
        return None if yielded is _SENT else Unfinished(self._sends, yielded)


@types.coroutine
def _sends(send: Send) -> Generator[Any, Any, None]:
    while True:
        message = yield _SENT
        yield from send(message)  # type: ignore[misc]  # (a coroutine, allowed by types.coroutine)


class Unfinished:
    """The rest of a send that waits (or its error): await it once, in a task, to finish it."""

    __slots__ = ("_error", "_sends", "_yielded")

    def __init__(
        self, sends: Generator[Any, Any, None], yielded: Any, error: BaseException | None = None
    ) -> None:
        self._sends, self._yielded, self._error = sends, yielded, error

    def __await__(self) -> Generator[Any, Any, None]:
        if self._error is not None:
            error, self._error = self._error, None  # (no reference cycle through its traceback)
            raise error
        sends, yielded = self._sends, self._yielded
        while yielded is not _SENT:  # what ``yield from`` does, joined after the send's first yield
            try:
                sent = yield yielded
            except GeneratorExit:
                sends.close()
                raise
            except BaseException as thrown:  # the task's cancellation, say: the send handles it
                yielded = sends.throw(thrown)
            else:
                yielded = sends.send(sent)

    def close(self) -> None:
        """Drop the rest without awaiting it (its task is gone): the send is closed."""
        self._sends.close()
