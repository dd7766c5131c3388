"""Hypothesis strategies for everything a client can send: each websocket message type with hostile
values in its own fields, and binary frames (SDK driver frames) with forged headers and bodies."""

import json
import struct

from hypothesis import strategies as st

from app.protocol import DTYPES
from app.protocol.messages import _ADAPTER

MESSAGE_TYPES: tuple[str, ...] = tuple(sorted(_ADAPTER.core_schema["choices"]))  # every message type


def fields_of(kind: str) -> tuple[str, ...]:
    """The field names of message ``kind`` (from the protocol's own model), ``id`` included."""
    schema = _ADAPTER.core_schema["choices"][kind]
    while "schema" in schema:
        schema = schema["schema"]
    return tuple(schema["fields"])


# Hostile JSON: what JSON can hold, and what it should not (huge numbers, NaN, surrogates, deep nesting).
huge_numbers = st.sampled_from(["1" + "0" * 400, "7" * 5000, "1e999", "-1e999", "NaN", "Infinity", "-0"])
odd_text = st.sampled_from(["\\ud800", "\\udfff x", "\\u0000", "\u202e", "x" * 70_000, "", " "])
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
)


def _dump(value: object) -> str:
    return json.dumps(value, allow_nan=True)


# JSON text of a value: ordinary values, raw hostile literals, and nested containers of both.
json_text = st.recursive(
    st.one_of(scalars.map(_dump), huge_numbers, odd_text.map(lambda t: f'"{t}"')),
    lambda inner: st.one_of(
        st.lists(inner, max_size=6).map(lambda items: "[" + ",".join(items) + "]"),
        st.dictionaries(st.text(max_size=8).map(_dump), inner, max_size=6).map(
            lambda d: "{" + ",".join(f"{k}:{v}" for k, v in d.items()) + "}"
        ),
    ),
    max_leaves=30,
)
deep = st.integers(60, 3000).map(lambda n: "[" * n + "]" * n)


@st.composite
def message_texts(draw: st.DrawFn, kind: str | None = None) -> str:
    """One websocket text message: a type (or a wrong one) with some of its fields, hostile values."""
    kind = kind or draw(st.sampled_from((*MESSAGE_TYPES, "teleport")))
    names = fields_of(kind) if kind in MESSAGE_TYPES else ("id",)
    chosen = draw(st.lists(st.sampled_from((*names, "extra")), unique=True, max_size=len(names) + 1))
    values = [draw(st.one_of(json_text, deep)) for _ in chosen]
    body = ",".join(f"{json.dumps(n)}:{v}" for n, v in zip(chosen, values, strict=True))
    return f'{{"type":{json.dumps(kind)}{"," if body else ""}{body}}}'


any_text = st.one_of(message_texts(), json_text, st.text(max_size=200))


def _frame(header_text: str, body: bytes) -> bytes:
    head = header_text.encode("utf-8", "surrogatepass")
    prefix = struct.pack("<I", len(head)) + head
    return prefix + b"\0" * (-len(prefix) % 8) + body


tensor_entries = st.fixed_dictionaries(
    {
        "name": st.text(max_size=20),
        "dtype": st.sampled_from([*DTYPES, "float64", 7]),
        "shape": st.lists(st.integers(-2, 2**40), max_size=6),
        "offset": st.integers(-8, 2**33),
        "nbytes": st.integers(-8, 2**33),
    }
)
headers = st.one_of(
    json_text,
    deep,
    st.fixed_dictionaries(
        {"step": st.integers(-5, 2**64), "tensors": st.lists(tensor_entries, max_size=4)},
        optional={"scalars": st.dictionaries(st.text(max_size=8), scalars, max_size=4)},
    ).map(_dump),
)


@st.composite
def binary_frames(draw: st.DrawFn) -> bytes:
    """A binary message: a frame with a forged header and body, a lying length prefix, or random bytes."""
    choice = draw(st.integers(0, 2))
    if choice == 0:
        return _frame(draw(headers), draw(st.binary(max_size=256)))
    if choice == 1:
        return struct.pack("<I", draw(st.integers(0, 2**32 - 1))) + draw(st.binary(max_size=64))
    return draw(st.binary(max_size=64))
