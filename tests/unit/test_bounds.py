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


@pytest.mark.parametrize(
    "text",
    [
        "[1" + "0" * 400 + "]",
        '{"a": -' + "9" * 32 + "}",
        b'{"a": ' + b"1" * 33 + b"}",
        '{"\\ud800": 1' + "0" * 40 + "}",
    ],
    ids=["400-digit", "minus-and-32-digits", "33-digits-in-bytes", "surrogate-and-long"],
)
def test_a_whole_number_longer_than_its_bound_is_refused(text):
    with pytest.raises(JsonError, match=r"a number of \d+ characters|lone surrogate"):
        loads(text)


def test_whole_numbers_within_the_bound_parse_with_or_without_the_digit_scan():
    assert loads('{"a": ' + "9" * 32 + "}") == {"a": int("9" * 32)}  # 32 digits: checked one by one, kept
    assert loads('{"id": "' + "1" * 40 + '", "n": [0, -7, 12]}') == {"id": "1" * 40, "n": [0, -7, 12]}
    assert loads('{"shape": [8, 4, 28, 28], "t": 1.5}') == {"shape": [8, 4, 28, 28], "t": 1.5}
