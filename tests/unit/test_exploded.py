"""A run that explodes is told apart from one that learns: the rule in app/engine/training.py on made-up
means, and on real seeded runs of /lenet's LeNet-5 (Adam at lr 0.5 saturates; Adam at 1e-3 and SGD at 0.5
learn)."""

import math

import pytest
import torch

from app.engine.live.lenet import LENET, LeNetLive
from app.engine.params import validate
from app.engine.training import EXPLODED_STEPS, ExplosionWatch


def test_a_non_finite_loss_has_exploded_at_once() -> None:
    watch = ExplosionWatch()
    watch.start = 2.3
    assert watch.see(math.nan, 1)
    assert watch.see(math.inf, 1)


def test_a_short_spike_is_not_an_explosion_but_a_loss_that_stays_high_is() -> None:
    watch = ExplosionWatch()
    watch.start = 2.3
    assert not watch.see(9.0, EXPLODED_STEPS - 1)  # above 3 × 2.3, not for long enough
    assert not watch.see(2.0, 5)  # back down: the count starts again
    assert not watch.see(9.0, EXPLODED_STEPS - 1)
    assert watch.see(9.0, 1)
    assert not watch.see(6.0, 1)  # below 3 × 2.3 again


def test_a_run_that_starts_low_explodes_only_a_whole_unit_above_its_start() -> None:
    watch = ExplosionWatch()
    watch.start = 0.03  # resumed from trained weights: noise is a large factor here
    assert not watch.see(0.5, 10 * EXPLODED_STEPS)
    assert watch.see(1.2, EXPLODED_STEPS)


def lenet_readings(optimizer: str, lr: float, frames: int = 12, steps: int = 5) -> list[tuple[float, bool]]:
    """(mean loss, exploded) of a seeded LeNet run, read every ``steps`` steps as the session's frames do."""
    controls = {**validate(LENET.controls, {}, "controls"), "optimizer": optimizer, "lr": lr}
    live = LeNetLive(LENET.validate_config({}), controls, 0, torch.device("cpu"))
    readings = []
    for _ in range(frames):
        for _ in range(steps):
            live.train_step()
        metrics = live.take_running()
        assert metrics is not None
        readings.append((metrics.loss, metrics.exploded))
    return readings


def test_lenet_with_adam_at_lr_half_explodes_and_stays_exploded() -> None:
    readings = lenet_readings("adam", 0.5)
    first_exploded = next(i for i, (_, exploded) in enumerate(readings) if exploded)
    assert first_exploded <= 6  # within ~35 steps
    assert all(exploded for _, exploded in readings[first_exploded:])  # it stays there: saturated
    assert min(loss for loss, _ in readings[first_exploded:]) > 3 * math.log(10)


@pytest.mark.parametrize(("optimizer", "lr"), [("adam", 1e-3), ("sgd", 0.5)])
def test_lenet_that_learns_never_reads_as_exploded(optimizer: str, lr: float) -> None:
    readings = lenet_readings(optimizer, lr)
    assert not any(exploded for _, exploded in readings)
    assert readings[-1][0] < readings[0][0]  # and it really learns
