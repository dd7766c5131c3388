"""Client messages: every declared type has a schema, and errors name the field without union tags."""

import json

import pytest

from app.protocol.messages import _TYPES, MessageError, parse_message

MINIMAL = {
    "auth": {"token": "t"},
    "ping": {},
    "view": {"state": {"layer": "c1"}},
    "forward": {"input": [[0.5]]},
    "sample": {"index": 0},
    "pattern": {"name": "random"},
    "kernel": {"preset": "edge"},
    "upstream": {"source": "ones"},
    "text": {"text": "hello"},
    "generate": {"prompt": "def "},
    "sentences": {"first": "A cat sat.", "second": "A dog ran."},
    "query": {"word": "king", "analogy": ["king", "man", "woman"]},
    "resample": {},
    "points": {"points": [[1.0, -2.0, 1]], "split": "test"},
    "train": {},
    "pause": {},
    "step": {"count": 2},
    "set": {"values": {"lr": 0.01}},
    "reset": {},
    "handoff": {"to": 2},
    "room": {"open": False},
}


def test_every_message_type_is_covered_here():
    assert set(MINIMAL) == set(_TYPES)


@pytest.mark.parametrize("kind", sorted(MINIMAL))
def test_every_message_type_parses(kind):
    message = parse_message(json.dumps({"type": kind, "id": 4, **MINIMAL[kind]}))
    assert (message.type, message.id) == (kind, 4)


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('{"type": "forward", "input": [[0.5, NaN]], "id": 1}', "input[0][1]"),
        ('{"type": "ping", "id": [1]}', "id"),
        ('{"type": "generate", "temperature": 9}', "temperature"),
        ('{"type": "nonsense"}', "type"),
        ('{"type": "sentences", "first": 7}', "first"),
        ('{"type": "query", "analogy": ["a", "b"]}', "analogy"),
        ('{"type": "points", "points": [[1, 2, 3, 4]]}', "points[0]"),
        ('{"type": "points", "points": [[1, NaN, 0]]}', "points[0][1]"),
        ('{"type": "points", "points": [[1, 2, 1]], "split": "val"}', "split"),
    ],
)
def test_errors_name_the_field(text, field):
    with pytest.raises(MessageError) as error:
        parse_message(text)
    assert error.value.field == field
