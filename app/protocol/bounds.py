"""Strict JSON for everything a client sends, and JSON-safe numbers for everything the server sends.

``loads`` is ``json.loads`` with bounds checked while parsing: a number literal longer than
``MAX_NUMBER_CHARS`` is refused before Python converts it (no 400-digit ints reaching ``float``; whole
numbers are checked one by one only when a scan of a text finds that many digits in a row),
``NaN``/``Infinity`` and numbers that overflow a double are refused (unless ``allow_nan``: websocket
messages let their typed fields refuse them, naming the field), nesting is at most ``MAX_DEPTH`` and
every string (keys too) must be proper Unicode (no lone surrogates such as ``"\\ud800"``).
``finite`` turns the non-finite floats of an outgoing object into ``None`` (JSON has no NaN).
"""

import json
import math
import re
from typing import Any

MAX_NUMBER_CHARS = 32  # a float64 needs at most 24 characters; ids and counts far fewer
MAX_DEPTH = 64
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")  # \uD800–\uDFFF: a surrogate once parsed
_DIGITS_ONLY = bytes(0x30 if 0x30 <= c <= 0x39 else 0x20 for c in range(256))  # for bytes.translate


class JsonError(ValueError):
    """Input that is not strict, bounded JSON; the message says what is wrong."""


def _short(text: str) -> str:
    if len(text) > MAX_NUMBER_CHARS:
        raise JsonError(f"a number of {len(text)} characters; at most {MAX_NUMBER_CHARS}")
    return text


def _int(text: str) -> int:
    return int(_short(text))


def _float(text: str) -> float:
    value = float(_short(text))
    if not math.isfinite(value):
        raise JsonError(f"the number {text} is out of range")
    return value


def _constant(name: str) -> None:
    raise JsonError(f"{name} is not a JSON number; send finite numbers (or null)")


def _lenient_float(text: str) -> float:
    return float(_short(text))


def _check_tree(value: Any) -> None:
    """Depth and Unicode of a parsed value, walked without recursion."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            check_text(item)
        elif isinstance(item, dict | list):
            if depth > MAX_DEPTH:
                raise JsonError(f"nested deeper than {MAX_DEPTH} levels")
            if isinstance(item, dict):
                stack.extend((key, depth) for key in item)
                stack.extend((child, depth + 1) for child in item.values())
            else:
                stack.extend((child, depth + 1) for child in item)


def check_text(text: str) -> str:
    """``text`` if it is proper Unicode (encodes as UTF-8), else JsonError."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise JsonError(f"a string holds a lone surrogate at character {exc.start}") from None
    return text


def _decoder(allow_nan: bool, checked_ints: bool) -> json.JSONDecoder:
    floats, constants = (_lenient_float, float) if allow_nan else (_float, _constant)
    ints = _int if checked_ints else None  # None: int(), in C
    return json.JSONDecoder(parse_int=ints, parse_float=floats, parse_constant=constants)


# Made once: ``json.loads`` with parse_* hooks builds a decoder (and its scanner) on every call.
_DECODERS = {(nan, ints): _decoder(nan, ints) for nan in (False, True) for ints in (False, True)}


def _text(data: str | bytes) -> str:
    """What ``json.loads`` parses of ``data``: bytes decoded as it decodes them (UTF-8, -16 or -32 by
    their first bytes; UnicodeDecodeError, a ValueError, when they are not); TypeError for anything else."""
    if isinstance(data, str):
        return data
    if isinstance(data, bytes | bytearray):
        return data.decode(json.detect_encoding(data), "surrogatepass")
    raise TypeError(f"the JSON object must be str, bytes or bytearray, not {type(data).__name__}")


def loads(data: str | bytes, *, allow_nan: bool = False) -> Any:
    """Parse strict, bounded JSON (see the module docstring) or raise JsonError."""
    checked_ints = not isinstance(data, str) or _may_hold_long_int(data)
    try:  # (a str beginning with a BOM is refused as json.loads refuses it: not a JSON value)
        value = _DECODERS[bool(allow_nan), checked_ints].decode(_text(data))
    except JsonError:
        raise
    except (ValueError, RecursionError):  # includes JSONDecodeError and bytes that are not UTF-8
        raise JsonError("not valid JSON") from None
    if _may_break_bounds(data):
        _check_tree(value)
    return value


def _may_hold_long_int(text: str) -> bool:
    """Whether ``text`` may hold a whole number longer than ``MAX_NUMBER_CHARS`` (a JSON one is an
    optional minus and digits): only if it has that many digits in a row (digits in strings too: then
    each whole number is checked needlessly, never wrongly skipped). Digits are found in C."""
    try:
        raw = text.encode()
    except UnicodeEncodeError:  # a raw lone surrogate: check everything
        return True
    return b"0" * MAX_NUMBER_CHARS in raw.translate(_DIGITS_ONLY)


def _may_break_bounds(data: str | bytes) -> bool:
    """Whether the parsed value may nest deeper than ``MAX_DEPTH`` or hold a lone surrogate, judged from
    the raw text (cheap): no more opening brackets than ``MAX_DEPTH``, no raw surrogate and no escaped
    one means neither. It may answer True needlessly (brackets in strings, surrogate pairs), never False
    wrongly; only then is the value walked."""
    if isinstance(data, str):
        try:
            data = data.encode("utf-8")
        except UnicodeEncodeError:  # a raw lone surrogate in the text
            return True
    brackets = data.count(b"[") + data.count(b"{")
    return brackets > MAX_DEPTH or _SURROGATE_ESCAPE.search(data) is not None


def all_finite(value: Any) -> bool:
    """Whether every float in ``value`` (nested lists and dicts) is finite."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            return False
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return True


def finite(value: Any) -> Any:
    """A copy of ``value`` with every NaN or infinite float replaced by None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [finite(item) for item in value]
    return value


def dumps(value: Any) -> str:
    """Compact JSON of ``value`` with non-finite floats sent as null (fast when there are none)."""
    try:
        return json.dumps(value, separators=(",", ":"), allow_nan=False)
    except ValueError:
        return json.dumps(finite(value), separators=(",", ":"), allow_nan=False)
