"""Client → server websocket messages (docs/protocol.md), validated before any torch work."""

from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    TypeAdapter,
    ValidationError,
    field_validator,
)

from app.protocol.bounds import JsonError, all_finite, loads

MessageId = StrictInt | Annotated[StrictStr, Field(max_length=64)] | None
MAX_SIDE = 64
MAX_STEP_COUNT = 100
Number = Annotated[float, Field(allow_inf_nan=False)]
Row = Annotated[list[Number], Field(max_length=MAX_SIDE)]
Plane = Annotated[list[Row], Field(max_length=MAX_SIDE)]  # (H, W)
Planes = Annotated[list[Plane], Field(max_length=16)]  # (C, H, W), or (T, B, I) for a sequence
Kernels = Annotated[list[Planes], Field(max_length=8)]  # (O, C, f, f)


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: MessageId = None


class Auth(_Message):
    """Present the control token to become a presenter (and the driver, when nobody holds control);
    ``presenter`` resumes the number this page had before its connection dropped."""

    type: Literal["auth"]
    token: str = Field(max_length=256)
    presenter: int | None = Field(None, ge=1)


class Ping(_Message):
    """Liveness check."""

    type: Literal["ping"]


class Forward(_Message):
    """Run the model on an input: a drawing (H, W) or typed numbers (C, H, W); a batch of rows with its
    ``target`` rows (backprop), or a mini-batch (N) or (N, C) with its ``target`` (a loss)."""

    type: Literal["forward"]
    input: Row | Plane | Planes
    target: Row | Plane | None = None
    preprocess: bool = True
    label: int | None = None


class Sample(_Message):
    """Run the model on a dataset example."""

    type: Literal["sample"]
    split: Literal["train", "val"] = "val"
    index: int = Field(ge=0)


class Pattern(_Message):
    """Make a generated input: a checkerboard or random numbers."""

    type: Literal["pattern"]
    name: Literal["checkerboard", "random"]


class Kernel(_Message):
    """Set a convolution's kernels: a named preset, or typed weights (O, C, f, f) and bias (O)."""

    type: Literal["kernel"]
    preset: str | None = Field(None, max_length=32)
    weight: Kernels | None = None
    bias: Annotated[list[Number], Field(max_length=8)] | None = None


class Upstream(_Message):
    """Set the gradient arriving from above: ones, random, or typed values."""

    type: Literal["upstream"]
    source: Literal["ones", "random", "values"]
    values: Plane | Planes | None = None


class Text(_Message):
    """A text: a sequence to run the model on, or a corpus to learn from (the model says which)."""

    type: Literal["text"]
    text: str = Field(max_length=1024 * 1024)
    purpose: Literal["input", "corpus"] = "input"


class Generate(_Message):
    """Continue a prompt by sampling from the model."""

    type: Literal["generate"]
    prompt: str = Field("", max_length=512)
    length: int = Field(200, ge=1, le=2000)
    temperature: float = Field(1.0, ge=0.05, le=3.0)


class Sentences(_Message):
    """One sentence, or two (a pair), for a pretrained transformer to read."""

    type: Literal["sentences"]
    first: str = Field(max_length=1000)
    second: str | None = Field(None, max_length=1000)


class Query(_Message):
    """Ask an embedding for a word's nearest neighbours and an analogy a − b + c (either may be null)."""

    type: Literal["query"]
    word: str | None = Field(None, max_length=64)
    analogy: (
        Annotated[list[Annotated[str, Field(max_length=64)]], Field(min_length=3, max_length=3)] | None
    ) = None


class Resample(_Message):
    """Draw a new random mask (dropout)."""

    type: Literal["resample"]


class Points(_Message):
    """Add points [x1, x2, target] to the playground's training or test set."""

    type: Literal["points"]
    points: Annotated[
        list[Annotated[list[Number], Field(min_length=3, max_length=3)]], Field(min_length=1, max_length=200)
    ]
    split: Literal["train", "test"] = "train"


class View(_Message):
    """The driver's page state, mirrored on every viewer's page (a lecture): any small JSON object."""

    type: Literal["view"]
    state: dict[str, Any] = Field(max_length=64)

    @field_validator("state")
    @classmethod
    def _finite(cls, state: dict[str, Any]) -> dict[str, Any]:
        if not all_finite(state):
            raise ValueError("numbers must be finite (JSON has no NaN or Infinity)")
        return state


class Handoff(_Message):
    """The presenter in control hands it to another presenter."""

    type: Literal["handoff"]
    to: int = Field(ge=1)


class Room(_Message):
    """Open or close the room: closing tells every viewer and refuses new ones; presenters stay."""

    type: Literal["room"]
    open: bool


class Train(_Message):
    """Start training."""

    type: Literal["train"]


class Pause(_Message):
    """Stop training."""

    type: Literal["pause"]


class Step(_Message):
    """Run a few optimizer steps."""

    type: Literal["step"]
    count: int = Field(1, ge=1, le=MAX_STEP_COUNT)


class Set(_Message):
    """Change live controls."""

    type: Literal["set"]
    values: dict[str, Any] = Field(max_length=32)


class Reset(_Message):
    """Back to the initial weights."""

    type: Literal["reset"]


AnyClientMessage = (
    Auth
    | Ping
    | Forward
    | Sample
    | Pattern
    | Kernel
    | Upstream
    | Text
    | Generate
    | Sentences
    | Query
    | Resample
    | Points
    | View
    | Handoff
    | Room
    | Train
    | Pause
    | Step
    | Set
    | Reset
)
ClientMessage = Annotated[AnyClientMessage, Field(discriminator="type")]
InputMessage = (
    Forward | Sample | Pattern | Kernel | Upstream | Text | Generate | Sentences | Query | Resample | Points
)
_ADAPTER: TypeAdapter[AnyClientMessage] = TypeAdapter(ClientMessage)
_KINDS = {get_args(cls.model_fields["type"].annotation)[0] for cls in get_args(AnyClientMessage)}
_TYPES = ("auth", "ping", *sorted(_KINDS - {"auth", "ping"}))


class MessageError(ValueError):
    """A message that cannot be accepted; ``field`` names the part at fault, ``id`` is echoed."""

    def __init__(self, message: str, field: str | None = None, msg_id: Any = None) -> None:
        super().__init__(message)
        self.message, self.field, self.id = message, field, msg_id


def parse_message(text: str) -> AnyClientMessage:
    """Parse and validate one text message, or raise MessageError saying what is wrong."""
    try:
        raw = loads(text, allow_nan=True)  # bounded numbers, proper Unicode (app/protocol/bounds.py);
        # NaN is refused by the typed fields below, which name the field at fault
    except JsonError as exc:
        raise MessageError(f"message refused: {exc}") from None
    if not isinstance(raw, dict):
        raise MessageError("message must be a JSON object with a 'type'")
    raw_id = raw.get("id")
    msg_id = raw_id if isinstance(raw_id, int | str) and not isinstance(raw_id, bool) else None
    kind = raw.get("type")
    if kind not in _TYPES:
        raise MessageError(
            f"unknown message type {kind!r}; expected one of {', '.join(_TYPES)}", "type", msg_id
        )
    try:
        return _ADAPTER.validate_python(raw)
    except ValidationError as exc:
        # Of a union's errors, the one that went deepest names the field (input[0][1], not input[0]).
        errors = [(e, [str(p) for p in e["loc"][1:] if not _is_union_tag(p)]) for e in exc.errors()]
        first, loc = max(errors, key=lambda error: len(error[1]))  # loc[0] was the message type
        field = loc[0] + "".join(f"[{p}]" for p in loc[1:]) if loc else None
        raise MessageError(first["msg"], field, msg_id) from None


_PRIMITIVE_TAGS = frozenset({"int", "str", "float", "bool", "none", "constrained-str"})


def _is_union_tag(part: str | int) -> bool:
    """Pydantic names the union member it tried in an error's location ('int', 'list[list[float]]')."""
    return isinstance(part, str) and ("[" in part or part in _PRIMITIVE_TAGS)
