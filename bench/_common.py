"""What both benchmarks share: a real LeNet session, a fixed thread count, best-of timing, verdicts."""

import math
import time
import timeit
from collections.abc import Callable

import torch

from app.engine.live.lenet import LENET, LeNetLive
from app.engine.params import validate

Emit = Callable[[str, bytes], None]


def fix_threads(threads: int) -> int:
    """Pin torch's intra-op threads for the whole run and return the number in force."""
    torch.set_num_threads(threads)
    return torch.get_num_threads()


def lenet_live(seed: int = 0) -> LeNetLive:
    """LeNet-5 on the bundled digits with the catalog's default config and controls (Adam, batch 64)."""
    config = validate(LENET.config, {}, "config")
    return LeNetLive(config, default_controls(), seed, torch.device("cpu"))


def default_controls() -> dict:
    """The catalog's default controls, as a new session gets them."""
    return {p.name: p.default for p in LENET.controls}


def session_args(live: LeNetLive, *, grads: bool, precision: str, frame_interval: float, emit: Emit) -> dict:
    """Arguments for a real ``Session`` over ``live``, whose frames come from its own ``_publish_frame``."""
    return {
        "session_id": "bench",
        "token": "bench",
        "spec": LENET,
        "config": validate(LENET.config, {}, "config"),
        "controls": {**default_controls(), "grads": grads},
        "seed": live.seed,
        "precision": precision,
        "live": live,
        "emit": emit,
        "frame_interval": frame_interval,
    }


def best_of(fns: dict[str, Callable[[], object]], repeat: int = 25, run: float = 0.02) -> dict[str, float]:
    """CPU seconds per call of each function: the best of ``repeat`` timeit runs of about ``run`` s.

    Short runs timed on this process's CPU clock, taking turns, keep a busy machine out of the best.
    """
    timers = {name: timeit.Timer(fn, timer=time.process_time) for name, fn in fns.items()}
    numbers = {name: math.ceil(run / max(timer.timeit(1), 1e-6)) for name, timer in timers.items()}
    best = dict.fromkeys(fns, math.inf)
    for _ in range(repeat):
        for name, timer in timers.items():
            best[name] = min(best[name], timer.timeit(numbers[name]) / numbers[name])
    return best


def verdict(ok: bool) -> str:
    """How a measured ratio stands against its target."""
    return "target met" if ok else "TARGET MISSED"
