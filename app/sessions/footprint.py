"""How much memory a session holds: the bytes of the tensors reachable from its live model."""

import os
import resource
from pathlib import Path
from typing import Any

import numpy as np
import torch

_MAX_OBJECTS = 100_000  # a bound on the walk, far above what any live model holds


def tensor_bytes(root: object) -> int:
    """Bytes of the distinct tensor (and numpy array) storages reachable from ``root``.

    The walk follows containers and the attributes of the project's own objects, of torch modules and of
    optimizers, so it counts parameters with their gradients, buffers, optimizer state, kept initial
    weights and dataset tensors. Views share their base's storage, which counts once.
    """
    storages: dict[tuple[Any, ...], int] = {}
    seen: set[int] = set()
    stack = [root]
    while stack and len(seen) < _MAX_OBJECTS:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, torch.Tensor):
            storage = obj.untyped_storage()
            storages[(obj.device.type, storage.data_ptr())] = storage.nbytes()
            if obj.grad is not None:
                stack.append(obj.grad)
        elif isinstance(obj, np.ndarray):
            base = obj if obj.base is None else obj.base
            if isinstance(base, np.ndarray):
                storages[("numpy", base.__array_interface__["data"][0])] = base.nbytes
        elif isinstance(obj, dict):
            stack.extend(obj.values())
        elif isinstance(obj, list | tuple | set | frozenset):
            stack.extend(obj)
        elif _walkable(obj) and hasattr(obj, "__dict__"):
            stack.extend(vars(obj).values())
    return sum(storages.values())


def _walkable(obj: object) -> bool:
    module = type(obj).__module__
    return module.startswith(("app.", "torch.")) or isinstance(obj, torch.nn.Module | torch.optim.Optimizer)


def resident_bytes() -> int:
    """The process's resident memory now (Linux ``/proc``), else its peak as ``getrusage`` reports it."""
    try:
        return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
