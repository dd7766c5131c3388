"""``bounds.loads`` parses with decoders made once (not one per message, as ``json.loads`` with parse hooks
does) and accepts and refuses exactly what ``json.loads`` with its hooks did: str, bytes and bytearray
(UTF-8, -16 or -32), the same values and the same errors."""

import json
import math

import pytest

from app.protocol.bounds import JsonError, loads

VALUE = {"a": [1, -2, 2.5, "é", None, True, False], "b": {}}
TEXT = json.dumps(VALUE)


@pytest.mark.parametrize(
    "data",
    [TEXT, TEXT.encode(), bytearray(TEXT.encode()), TEXT.encode("utf-16"), TEXT.encode("utf-32-le")],
    ids=["str", "utf-8", "bytearray", "utf-16", "utf-32-le"],
)
@pytest.mark.parametrize("allow_nan", [False, True])
def test_str_and_bytes_in_every_encoding_json_reads_give_the_same_value(data, allow_nan):
    assert loads(data, allow_nan=allow_nan) == VALUE


def test_a_byte_order_mark_is_skipped_in_utf8_bytes_and_refused_in_a_str():
    assert loads(b"\xef\xbb\xbf[1]") == [1]
    with pytest.raises(JsonError, match=r"^not valid JSON$"):
        loads("\ufeff[1]")


@pytest.mark.parametrize("data", [b"[\xff]", b'"\xc3\x28"', b"", "", "[1,]", "{'a': 1}", "1 2"])
def test_bytes_that_are_not_utf8_and_text_that_is_not_json_are_refused_alike(data):
    for allow_nan in (False, True):
        with pytest.raises(JsonError, match=r"^not valid JSON$"):
            loads(data, allow_nan=allow_nan)


@pytest.mark.parametrize("data", ["[NaN]", b"[NaN]"])
def test_nan_is_refused_unless_allowed(data):
    with pytest.raises(JsonError, match=r"^NaN is not a JSON number; send finite numbers"):
        loads(data)
    (value,) = loads(data, allow_nan=True)
    assert math.isnan(value)


def test_infinities_and_overflowing_numbers_are_refused_unless_allowed():
    with pytest.raises(JsonError, match=r"^-Infinity is not a JSON number"):
        loads("[-Infinity]")
    with pytest.raises(JsonError, match=r"^the number 1e400 is out of range$"):
        loads(b"[1e400]")
    assert loads("[Infinity, -Infinity, 1e400]", allow_nan=True) == [math.inf, -math.inf, math.inf]


@pytest.mark.parametrize("encode", [str, str.encode], ids=["str", "bytes"])
@pytest.mark.parametrize("allow_nan", [False, True])
def test_whole_numbers_of_32_digits_are_kept_and_longer_ones_refused(encode, allow_nan):
    assert loads(encode("[-" + "9" * 31 + ", 7]"), allow_nan=allow_nan) == [-int("9" * 31), 7]
    with pytest.raises(JsonError, match=r"^a number of 33 characters; at most 32$"):
        loads(encode("[1" + "0" * 32 + "]"), allow_nan=allow_nan)
    with pytest.raises(JsonError, match=r"^a number of 41 characters; at most 32$"):
        loads(encode("[0." + "5" * 39 + "]"), allow_nan=allow_nan)


def test_what_is_not_text_is_a_type_error_as_in_json_loads():
    with pytest.raises(TypeError, match="must be str, bytes or bytearray, not int"):
        loads(7)  # type: ignore[arg-type]


def test_no_decoder_is_made_per_message(monkeypatch):
    made = []
    monkeypatch.setattr(json.JSONDecoder, "__init__", lambda *a, **k: made.append(a))
    for allow_nan in (False, True):
        assert loads(TEXT, allow_nan=allow_nan) == VALUE
        digits = '["' + "1" * 40 + '", 5]'  # 40 digits in a row: whole numbers are checked one by one
        assert loads(digits, allow_nan=allow_nan) == ["1" * 40, 5]
    assert made == []
