"""Declared parameters (a model's config and live controls) and their validation against bounds."""

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from dataclasses import field as dataclass_field
from typing import Any, Literal

# ints: a list of whole numbers; names: a list of distinct choices; list: JSON its own ``parse`` checks
# (a model's lists of numbers or objects)
ParamType = Literal["int", "float", "bool", "choice", "ints", "names", "list"]


class ParamError(ValueError):
    """A value that a declared parameter refuses; ``field`` names it (e.g. ``config.lr``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Param:
    """One parameter: its type, default and bounds, as the catalog publishes it."""

    name: str
    type: ParamType
    default: Any
    doc: str
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] | None = None
    length: tuple[int, int] | None = None  # ints, names: the fewest and most items; min/max bound each int
    # A "list" parameter's own check: (value, field) -> the value as stored, or ParamError.
    parse: Callable[[Any, str], Any] | None = dataclass_field(default=None, compare=False, repr=False)

    def describe(self) -> dict[str, Any]:
        """The catalog entry: only the keys that apply to this type."""
        return {k: v for k, v in asdict(self).items() if v is not None and k != "parse"}

    def check(self, value: Any, field: str) -> Any:
        """Return ``value`` converted to this parameter's type, or raise ParamError."""
        if self.type == "bool":
            if not isinstance(value, bool):
                raise ParamError(field, "must be true or false")
            return value
        if self.type == "choice":
            if value not in (self.choices or ()):
                raise ParamError(field, f"must be one of {', '.join(self.choices or ())}")
            return value
        if self.type == "ints":
            return self._ints(value, field)
        if self.type == "names":
            return self._names(value, field)
        if self.type == "list":
            return self.parse(value, field) if self.parse else value
        number = self._number(value, field)
        if self.min is not None and number < self.min:
            raise ParamError(field, f"must be at least {self.min:g}")
        if self.max is not None and number > self.max:
            raise ParamError(field, f"must be at most {self.max:g}")
        return number

    def _ints(self, value: Any, field: str) -> list[int]:
        fewest, most = self.length or (0, 64)
        if not isinstance(value, list) or not fewest <= len(value) <= most:
            raise ParamError(field, f"must be a list of {fewest} to {most} whole numbers")
        item = Param(self.name, "int", None, self.doc, min=self.min, max=self.max)
        return [item.check(v, f"{field}[{i}]") for i, v in enumerate(value)]

    def _names(self, value: Any, field: str) -> list[str]:
        fewest, most = self.length or (0, len(self.choices or ()))
        if not isinstance(value, list) or not fewest <= len(value) <= most:
            raise ParamError(field, f"must be a list of {fewest} to {most} names")
        for i, item in enumerate(value):
            if item not in (self.choices or ()):
                raise ParamError(f"{field}[{i}]", f"must be one of {', '.join(self.choices or ())}")
        if len(set(value)) < len(value):
            raise ParamError(field, "must not name an item twice")
        return list(value)

    def _number(self, value: Any, field: str) -> int | float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ParamError(field, f"must be a number ({self.type})")
        if (isinstance(value, int) and value.bit_length() > 63) or not math.isfinite(value):
            raise ParamError(field, "must be a finite number within range")
        if self.type == "int":
            if value != int(value):
                raise ParamError(field, "must be a whole number")
            return int(value)
        return float(value)


def validate(params: tuple[Param, ...], values: Any, prefix: str, *, partial: bool = False) -> dict[str, Any]:
    """Check ``values`` against ``params``; fill defaults unless ``partial``. Unknown keys are refused."""
    if not isinstance(values, dict):
        raise ParamError(prefix, "must be an object")
    known = {p.name: p for p in params}
    for key in values:
        if key not in known:
            raise ParamError(f"{prefix}.{key}", f"unknown field; expected one of {', '.join(known)}")
    if partial:
        return {k: known[k].check(v, f"{prefix}.{k}") for k, v in values.items()}
    return {
        p.name: p.check(values[p.name], f"{prefix}.{p.name}") if p.name in values else p.default
        for p in params
    }
