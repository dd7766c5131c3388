"""Strict JSON: the raw text is scanned first, and a value is walked only when the scan cannot rule out
a lone surrogate or deep nesting; what the walk refuses is still refused."""

import pytest

from app.protocol.bounds import MAX_DEPTH, JsonError, loads


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ('"\\udfff"', "lone surrogate"),  # escaped in the JSON text
        ('{"k": "\ud800"}', "lone surrogate"),  # a raw surrogate in a str
        (b'{"\\uD800": 1}', "lone surrogate"),  # an escaped key, upper case, in bytes
        ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), "nested deeper"),
    ],
)
def test_a_lone_surrogate_or_deep_nesting_is_refused(text, error):
    with pytest.raises(JsonError, match=error):
        loads(text)


def test_surrogate_pairs_and_nesting_within_bounds_are_kept():
    assert loads('{"face": "\\ud83d\\ude00"}') == {"face": "\U0001f600"}
    deepest = loads("[" * MAX_DEPTH + "]" * MAX_DEPTH)
    for _ in range(MAX_DEPTH - 1):
        (deepest,) = deepest
    assert deepest == []
