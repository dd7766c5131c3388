"""Declared parameters (a model's config and live controls) and their validation against bounds."""

import math
from dataclasses import asdict, dataclass
from typing import Any, Literal

ParamType = Literal["int", "float", "bool", "choice", "int_list", "choice_list"]


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
    min_items: int | None = None  # list types: how many items at least and at most
    max_items: int | None = None

    def describe(self) -> dict[str, Any]:
        """The catalog entry: only the keys that apply to this type."""
        entry = {k: v for k, v in asdict(self).items() if v is not None}
        return {**entry, "default": self.fresh_default()}

    def fresh_default(self) -> Any:
        """The default, a list of its own for list types (defaults are kept as tuples)."""
        return list(self.default) if self.type.endswith("_list") else self.default

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
        if self.type.endswith("_list"):
            return self._list(value, field)
        return self._bounded(self._number(value, field), field)

    def _bounded(self, number: int | float, field: str) -> int | float:
        if self.min is not None and number < self.min:
            raise ParamError(field, f"must be at least {self.min:g}")
        if self.max is not None and number > self.max:
            raise ParamError(field, f"must be at most {self.max:g}")
        return number

    def _list(self, value: Any, field: str) -> list:
        """A list of ints within bounds (``int_list``) or of distinct choices (``choice_list``)."""
        if not isinstance(value, list):
            raise ParamError(field, "must be a list")
        low, high = self.min_items or 0, self.max_items if self.max_items is not None else len(value)
        if not low <= len(value) <= high:
            raise ParamError(field, f"must hold {low} to {high} items, got {len(value)}")
        if self.type == "choice_list":
            for i, item in enumerate(value):
                if item not in (self.choices or ()):
                    raise ParamError(f"{field}[{i}]", f"must be one of {', '.join(self.choices or ())}")
            if len(set(value)) < len(value):
                raise ParamError(field, "must not name an item twice")
            return list(value)
        item_param = Param(self.name, "int", 0, self.doc, min=self.min, max=self.max)
        return [item_param.check(item, f"{field}[{i}]") for i, item in enumerate(value)]

    def _number(self, value: Any, field: str) -> int | float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ParamError(field, f"must be a number ({self.type})")
        if not math.isfinite(value):
            raise ParamError(field, "must be a finite number")
        if self.type == "int":
            if value != int(value):
                raise ParamError(field, "must be a whole number")
            return int(value)
        return float(value)


def validate(params: tuple[Param, ...], values: Any, prefix: str, *, partial: bool = False):
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
        p.name: p.check(values[p.name], f"{prefix}.{p.name}") if p.name in values else p.fresh_default()
        for p in params
    }
