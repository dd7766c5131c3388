"""Server → client websocket text messages (docs/protocol.md), one class each.

A message is built once and its JSON made once (``encoded``), however many viewers it goes to. Snapshots
cross the bus as that JSON; ``read_server_message`` turns them back into their class, so a receiver tells a
``closed`` from a ``state`` by its type.
"""

from collections.abc import Mapping
from functools import cached_property
from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from app.errors import NnliveError
from app.protocol.bounds import dumps
from app.protocol.messages import MessageId


class ServerMessage(BaseModel):
    """A message the server sends; fields that are None are left out, except those in ``_keep``."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    _keep: ClassVar[frozenset[str]] = frozenset()

    def body(self) -> dict[str, Any]:
        """The message as the client receives it (a JSON object)."""
        fields = self.model_dump(by_alias=True)
        return {k: v for k, v in fields.items() if v is not None or k in self._keep}

    @cached_property
    def encoded(self) -> bytes:
        """The message's UTF-8 JSON, made on first use."""
        return dumps(self.body()).encode()  # a non-finite number (a curve's NaN) goes as null

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy (with ``update``), whose JSON is made anew."""
        copy = super().model_copy(update=update, deep=deep)
        copy.__dict__.pop("encoded", None)
        return copy


_EMPTY_HISTORY = b'"history":{}}'


class Hello(ServerMessage):
    """The first message of every connection: the protocol version, the session and its curves."""

    type: Literal["hello"] = "hello"
    protocol: int
    session: dict[str, Any]
    role: Literal["viewer"] = "viewer"
    history: dict[str, Any]

    @classmethod
    def with_curves(cls, protocol: int, session: dict[str, Any], curves: Mapping[str, bytes]) -> Self:
        """A hello whose ``history`` is made of curves already JSON-encoded (by name), spliced into its
        JSON rather than encoded again for every joiner; its ``history`` field stays empty."""
        message = cls(protocol=protocol, session=session, history={})
        head, empty = message.encoded[: -len(_EMPTY_HISTORY)], message.encoded[-len(_EMPTY_HISTORY) :]
        assert empty == _EMPTY_HISTORY, "history is the last field of a hello"
        parts = b",".join(dumps(name).encode() + b":" + curve for name, curve in curves.items())
        message.__dict__["encoded"] = head + b'"history":{' + parts + b"}}"
        return message


class State(ServerMessage):
    """A session's state, sent to every viewer when it changes."""

    type: Literal["state"] = "state"
    state: str
    step: int
    controls: dict[str, Any]
    viewers: int
    presenter: Literal["connected", "away"]
    holder: int | None
    presenters: list[int]
    room: Literal["open", "closed"]
    control_seq: int
    lecture: str | None = None  # the lecture room whose link (/l/ID) shows this session
    place: int | None = None  # while queued: 1 is next to train
    _keep = frozenset({"holder"})


class SharedView(ServerMessage):
    """The driver's page state, mirrored on every viewer's page."""

    type: Literal["view"] = "view"
    state: dict[str, Any]


class Closed(ServerMessage):
    """The session ended (or the room closed to viewers): the connection closes after it."""

    type: Literal["closed"] = "closed"
    reason: str
    successor: str | None = None  # the session that replaced this one, to follow


class Ok(ServerMessage):
    """A command was done; ``auth`` adds the connection's role and presenter number."""

    type: Literal["ok"] = "ok"
    id: MessageId = None
    for_: str = Field(alias="for")
    role: Literal["driver", "presenter"] | None = None
    presenter: int | None = None
    control_seq: int | None = None
    _keep = frozenset({"id"})


class Pong(ServerMessage):
    """The answer to ``ping``."""

    type: Literal["pong"] = "pong"
    id: MessageId = None
    _keep = frozenset({"id"})


class Error(ServerMessage):
    """A refused message: ``code``, a readable ``message``, the ``field`` at fault, the message's ``id``."""

    type: Literal["error"] = "error"
    code: str
    message: str
    field: str | None = None
    id: MessageId = None
    _keep = frozenset({"id"})

    @classmethod
    def of(cls, error: NnliveError, msg_id: MessageId = None) -> "Error":
        """The message for a refused request, answering message ``msg_id``."""
        return cls(code=error.code, message=error.message, field=error.field or None, id=msg_id)


Snapshot = Annotated[State | SharedView | Closed, Field(discriminator="type")]
_SNAPSHOTS: TypeAdapter[State | SharedView | Closed] = TypeAdapter(Snapshot)


def read_server_message(data: bytes) -> State | SharedView | Closed:
    """A snapshot from the bus (``state``, ``view`` or ``closed``) as its class."""
    return _SNAPSHOTS.validate_json(data)
