"""A live model's whole state as flat tensors plus JSON, and back into a freshly built model of the same
model, config, controls and seed — one mechanism for every family, no code per model.

The state is found by walking the live model's attributes (and those of nnlive's own objects it holds:
trainers, epoch orders, runners, agents), giving each thing a path such as ``trainer.optimizer``:

- an ``nn.Module``: its ``state_dict``, unless it is a pretrained model (``from_pretrained``: the shared
  MiniLM), whose weights are its package's files, read again when the model is built;
- an optimizer: its ``state_dict``, tensors apart, the rest (step counts, param groups) as JSON;
- an LR scheduler: its ``state_dict`` as JSON; a ``torch.Generator``: its state;
- a tensor: itself, unless it is over ``MAX_PLAIN_TENSOR_BYTES`` (a data set, rebuilt from the seed);
- a number, string, boolean or None (the probe's label, a sampled text, a cursor), lists of those and
  tuples of at most ``MAX_PLAIN_TUPLE`` (the transformer's sentences), and lists of small tensors (a
  k-means trail and its inertia).

Restoring walks the fresh model the same way and puts each saved value where the same path is. The
weights of a model held in no module go through its ``export_weights``/``load_weights``.
"""

import json
from collections.abc import Iterator
from typing import Any, TypeGuard

import torch
from safetensors.torch import load, save
from torch import nn

from app.engine.live.weights import import_weights

MAX_DEPTH = 4
MAX_PLAIN_TENSOR_BYTES = 1 << 20
MAX_PLAIN_TUPLE = 16
Scalar = (int, float, str, bool, type(None))


def _own(value: object) -> bool:
    """One of nnlive's own objects (a trainer, a runner…): walked into. Library objects are not."""
    return type(value).__module__.startswith("app.") and hasattr(value, "__dict__")


def _walk(live: object) -> Iterator[tuple[str, object, str, Any]]:
    """(path, owner, attribute or index, value) for every attribute reachable from ``live``; each object
    once (the first path that reaches it), in a stable order."""
    seen: set[int] = set()
    pending: list[tuple[str, object, int]] = [("", live, 0)]
    while pending:
        prefix, owner, depth = pending.pop(0)
        items = list(enumerate(owner)) if isinstance(owner, list) else sorted(vars(owner).items())
        for key, value in items:
            path = f"{prefix}{key}"
            if isinstance(value, (nn.Module, torch.optim.Optimizer, torch.Tensor, torch.Generator)):
                if id(value) in seen:
                    continue
                seen.add(id(value))
            yield path, owner, str(key), value
            walkable = _own(value) or (isinstance(value, list) and all(_own(v) for v in value))
            if walkable and depth < MAX_DEPTH and id(value) not in seen:
                seen.add(id(value))
                pending.append((f"{path}.", value, depth + 1))


def capture(live: object) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """The tensors (CPU, contiguous, unshared) and the JSON-able rest of ``live``'s state."""
    tensors: dict[str, torch.Tensor] = {}
    rest: dict[str, Any] = {}

    def keep(name: str, tensor: torch.Tensor) -> None:
        tensors[name] = tensor.detach().to("cpu", copy=True).contiguous()

    if hasattr(live, "load_weights"):  # weights held in no module (backprop, learning, optim)
        for name, tensor in load(live.export_weights()).items():  # type: ignore[attr-defined]
            keep(f"weights/{name}", tensor)
    for path, _, _, value in _walk(live):
        if isinstance(value, nn.Module):
            if not _pretrained(value):
                for name, tensor in value.state_dict().items():
                    keep(f"module/{path}/{name}", tensor)
        elif isinstance(value, torch.optim.Optimizer):
            rest[f"optimizer/{path}"] = _flat_optimizer(value.state_dict(), f"optimizer/{path}", keep)
        elif isinstance(value, torch.optim.lr_scheduler.LRScheduler):
            rest[f"scheduler/{path}"] = _jsonable(value.state_dict())
        else:
            _capture_plain(path, value, keep, rest)
    return tensors, {k: v for k, v in rest.items() if v is not None or k.startswith("scalar/")}


def _pretrained(module: nn.Module) -> bool:
    """A model loaded with ``from_pretrained`` (transformers): its weights come from files, not from state."""
    return callable(getattr(type(module), "from_pretrained", None))


def _capture_plain(path: str, value: object, keep: Any, rest: dict[str, Any]) -> None:
    """A generator's state, a small tensor, a scalar, or a list of small tensors or of scalars."""
    if isinstance(value, torch.Generator):
        keep(f"generator/{path}", value.get_state())
    elif isinstance(value, torch.Tensor):
        if value.numel() * value.element_size() <= MAX_PLAIN_TENSOR_BYTES and value.layout == torch.strided:
            keep(f"tensor/{path}", value)
    elif isinstance(value, Scalar):
        rest[f"scalar/{path}"] = value
    elif isinstance(value, list) and _tensor_list(value):
        for index, tensor in enumerate(value):
            keep(f"tensors/{path}/{index}", tensor)
        rest[f"tensors/{path}"] = {"count": len(value), "device": str(value[0].device)}
    elif _scalars(value):
        rest[f"list/{path}"] = list(value)


def restore(live: object, tensors: dict[str, torch.Tensor], rest: dict[str, Any]) -> None:
    """Put a captured state into a fresh ``live`` of the same model, config, controls and seed; raises
    (ValueError, RuntimeError, ParamError…) when it does not fit."""
    weights = {k.removeprefix("weights/"): v for k, v in tensors.items() if k.startswith("weights/")}
    if weights:
        import_weights(live, save(weights), "snapshot")
    for path, owner, key, value in list(_walk(live)):
        if isinstance(value, nn.Module):
            prefix = f"module/{path}/"
            state = {k[len(prefix) :]: v for k, v in tensors.items() if k.startswith(prefix)}
            if state or not value.state_dict():
                with torch.no_grad():
                    value.load_state_dict(state)
        elif isinstance(value, torch.optim.Optimizer) and f"optimizer/{path}" in rest:
            value.load_state_dict(_unflat_optimizer(rest[f"optimizer/{path}"], f"optimizer/{path}", tensors))
        elif isinstance(value, torch.optim.lr_scheduler.LRScheduler) and f"scheduler/{path}" in rest:
            value.load_state_dict(rest[f"scheduler/{path}"])
        elif isinstance(value, torch.Generator) and f"generator/{path}" in tensors:
            value.set_state(tensors[f"generator/{path}"])
        elif isinstance(value, torch.Tensor) and f"tensor/{path}" in tensors:
            _put_tensor(owner, key, value, tensors[f"tensor/{path}"])
        elif isinstance(value, list) and f"tensors/{path}" in rest:
            kept = rest[f"tensors/{path}"]
            device = kept["device"] if torch.cuda.is_available() or kept["device"] == "cpu" else "cpu"
            _set(owner, key, [tensors[f"tensors/{path}/{i}"].to(device) for i in range(kept["count"])])
        elif _scalars(value) and f"list/{path}" in rest:
            _set(owner, key, type(value)(rest[f"list/{path}"]))
        elif isinstance(value, Scalar) and f"scalar/{path}" in rest:
            saved = rest[f"scalar/{path}"]
            if value is None or saved is None or type(saved) is type(value) or _numbers(value, saved):
                _set(owner, key, saved)


def _scalars(value: object) -> TypeGuard[list[Any] | tuple[Any, ...]]:
    """A list of scalars, or a short plain tuple of them (the transformer's sentences; a long one is a data
    set's texts, rebuilt from the seed)."""
    if type(value) is list or (type(value) is tuple and len(value) <= MAX_PLAIN_TUPLE):
        return all(isinstance(v, Scalar) for v in value)
    return False


def _tensor_list(values: list[Any]) -> bool:
    """A non-empty list of small tensors (a k-means trail), kept whole."""
    if not values or not all(isinstance(v, torch.Tensor) and v.layout == torch.strided for v in values):
        return False
    return sum(v.numel() * v.element_size() for v in values) <= MAX_PLAIN_TENSOR_BYTES


def _numbers(a: object, b: object) -> bool:
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (a, b))


def _set(owner: object, key: str, value: Any) -> None:
    """Set an attribute (or list item) unless it holds that value already (a frozen data set keeps it)."""
    current = owner[int(key)] if isinstance(owner, list) else getattr(owner, key)
    if isinstance(value, torch.Tensor):
        same = isinstance(current, torch.Tensor) and current.dtype == value.dtype
        same = same and current.shape == value.shape and torch.equal(current.cpu(), value.cpu())
    elif isinstance(value, list) and any(isinstance(v, torch.Tensor) for v in value):
        same = False  # a list of tensors is replaced whole
    else:
        same = type(current) is type(value) and current == value
    if same:
        return
    if isinstance(owner, list):
        owner[int(key)] = value
    else:
        setattr(owner, key, value)


def _put_tensor(owner: object, key: str, fresh: torch.Tensor, saved: torch.Tensor) -> None:
    """A tensor an optimizer may hold (a parameter, a leaf that needs grad) is overwritten in place;
    any other (a probe, perhaps a view into a data set) is replaced."""
    if fresh.requires_grad or isinstance(fresh, nn.Parameter):
        if fresh.shape != saved.shape:
            raise ValueError(f"{key}: shape {list(saved.shape)} does not fit {list(fresh.shape)}")
        with torch.no_grad():
            fresh.copy_(saved)
        return
    _set(owner, key, saved.to(device=fresh.device, dtype=saved.dtype))


def _flat_optimizer(state: dict[str, Any], prefix: str, keep: Any) -> dict[str, Any]:
    """An optimizer's state_dict with its tensors handed to ``keep`` and the rest returned as JSON."""
    values: dict[str, dict[str, Any]] = {}
    for index, slots in state["state"].items():
        values[str(index)] = {}
        for name, value in slots.items():
            if isinstance(value, torch.Tensor):
                keep(f"{prefix}/{index}/{name}", value)
                values[str(index)][name] = {"tensor": True}
            else:
                values[str(index)][name] = _jsonable(value)
    return {"state": values, "param_groups": _jsonable(state["param_groups"])}


def _unflat_optimizer(flat: dict[str, Any], prefix: str, tensors: dict[str, torch.Tensor]) -> dict[str, Any]:
    state: dict[int, dict[str, Any]] = {}
    for index, slots in flat["state"].items():
        state[int(index)] = {
            name: tensors[f"{prefix}/{index}/{name}"] if value == {"tensor": True} else value
            for name, value in slots.items()
        }
    return {"state": state, "param_groups": flat["param_groups"]}


def _jsonable(value: Any) -> Any:
    """``value`` if JSON keeps it (tuples become lists), else None (a callable in a scheduler…)."""
    try:
        return json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError):
        return None
