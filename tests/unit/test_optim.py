"""/optim's engine: every trajectory equals torch.optim run directly on the same function from the same start
(with and without a schedule), divergence stops a path without a NaN, and bad optimizer entries are refused
naming the field."""

import pytest
import torch

from app.engine.live.optim import OPTIM
from app.engine.live.weights import import_weights
from app.engine.params import ParamError

CPU = torch.device("cpu")
FUNCTIONS = {
    "quadratic": lambda x, y: 0.5 * (x**2 + 25.0 * y**2),
    "rosenbrock": lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2,
    "himmelblau": lambda x, y: (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2,
    "saddle": lambda x, y: x**2 - y**2,
    "beale": lambda x, y: (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2,
}
OPTIMIZERS = [
    ({"name": "sgd", "lr": 0.001}, lambda p: torch.optim.SGD(p, lr=0.001)),
    (
        {"name": "momentum", "lr": 0.001, "momentum": 0.8},
        lambda p: torch.optim.SGD(p, lr=0.001, momentum=0.8),
    ),
    ({"name": "nesterov", "lr": 0.001}, lambda p: torch.optim.SGD(p, lr=0.001, momentum=0.9, nesterov=True)),
    ({"name": "adagrad", "lr": 0.3, "eps": 1e-8}, lambda p: torch.optim.Adagrad(p, lr=0.3, eps=1e-8)),
    (
        {"name": "rmsprop", "lr": 0.01, "momentum": 0.5},
        lambda p: torch.optim.RMSprop(p, lr=0.01, momentum=0.5),
    ),
    (
        {"name": "adam", "lr": 0.05, "betas": [0.8, 0.99]},
        lambda p: torch.optim.Adam(p, lr=0.05, betas=(0.8, 0.99)),
    ),
    (
        {"name": "adamw", "lr": 0.05, "weight_decay": 0.1},
        lambda p: torch.optim.AdamW(p, lr=0.05, weight_decay=0.1),
    ),
    ({"name": "rmsprop", "lr": 0.01, "alpha": 0.9}, lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9)),
    (
        {"name": "momentum", "lr": 0.001, "dampening": 0.5, "weight_decay": 0.01},
        lambda p: torch.optim.SGD(p, lr=0.001, momentum=0.9, dampening=0.5, weight_decay=0.01),
    ),
]


def direct(f, start, make, steps: int, schedule=None) -> tuple[torch.Tensor, torch.Tensor]:
    """Run torch.optim on f from start: the positions and losses, start included."""
    point = torch.tensor(start, requires_grad=True)
    optimizer = make([point])
    scheduler = schedule(optimizer) if schedule else None
    path, losses = [point.detach().clone()], [f(*point.detach())]
    for _ in range(steps):
        optimizer.zero_grad()
        f(point[0], point[1]).backward()
        optimizer.step()
        if scheduler:
            scheduler.step()
        path.append(point.detach().clone())
        losses.append(f(*point.detach()))
    return torch.stack(path), torch.stack(losses)


def streamed(config: dict, steps: int) -> tuple[dict, dict]:
    live = OPTIM.build(OPTIM.validate_config(config), {"speed": 30.0}, 0, CPU)
    for _ in range(steps):
        live.train_step()
    header, tensors = live.frame(False, torch.float32)
    return header, {k: torch.from_numpy(v) for k, v in tensors.items()}


@pytest.mark.parametrize("function", list(FUNCTIONS))
def test_every_trajectory_equals_torch_optim_run_directly(function: str) -> None:
    start = [-1.2, 1.1]
    for group in (OPTIMIZERS[:5], OPTIMIZERS[5:]):  # a session runs at most 8 optimizers
        config = {"function": function, "kappa": 25.0, "start": start, "optimizers": [e for e, _ in group]}
        header, tensors = streamed(config, 60)
        for i, (entry, make) in enumerate(group):
            path, losses = direct(FUNCTIONS[function], start, make, 60)
            assert not header["optimizers"][i]["diverged"], entry
            torch.testing.assert_close(tensors[f"path.{i}"], path, msg=str(entry))
            torch.testing.assert_close(tensors[f"loss.{i}"], losses, msg=str(entry))


def test_schedules_are_torchs() -> None:
    entry, make = OPTIMIZERS[0]
    for schedule, scheduler in (
        (
            {"schedule": "step", "step_size": 7, "gamma": 0.3},
            lambda o: torch.optim.lr_scheduler.StepLR(o, 7, 0.3),
        ),
        ({"schedule": "cosine", "t_max": 20}, lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, 20)),
    ):
        config = {"function": "beale", "start": [1.0, 1.0], "optimizers": [entry], **schedule}
        header, tensors = streamed(config, 30)
        path, _ = direct(FUNCTIONS["beale"], [1.0, 1.0], make, 30, scheduler)
        torch.testing.assert_close(tensors["path.0"], path)
        want_lr = scheduler(torch.optim.SGD([torch.zeros(1)], lr=0.001))
        for _ in range(30):
            want_lr.optimizer.step()
            want_lr.step()
        assert header["optimizers"][0]["lr"] == pytest.approx(want_lr.get_last_lr()[0])


def test_adams_state_is_read_from_the_optimizer() -> None:
    entry, make = OPTIMIZERS[5]
    header, tensors = streamed({"function": "rosenbrock", "start": [-1.0, 1.0], "optimizers": [entry]}, 5)
    point = torch.tensor([-1.0, 1.0], requires_grad=True)
    optimizer = make([point])
    for _ in range(5):
        optimizer.zero_grad()
        FUNCTIONS["rosenbrock"](point[0], point[1]).backward()
        optimizer.step()
    state = optimizer.state[point]
    torch.testing.assert_close(tensors["state.0.exp_avg"], state["exp_avg"])
    torch.testing.assert_close(tensors["state.0.exp_avg_sq"], state["exp_avg_sq"])
    torch.testing.assert_close(tensors["used_grad.0"], point.grad)
    assert header["optimizers"][0]["state_step"] == 5


def test_a_diverging_rate_stops_the_path_finite_and_says_so() -> None:
    config = {
        "function": "rosenbrock",
        "optimizers": [{"name": "sgd", "lr": 0.05}, {"name": "adam", "lr": 0.01}],
    }
    header, tensors = streamed(config, 50)
    first, second = header["optimizers"]
    assert first["diverged"]
    assert first["diverged_at"] == len(tensors["path.0"])
    assert not second["diverged"]
    assert len(tensors["path.1"]) == 51
    assert all(torch.isfinite(t).all() for t in tensors.values())


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"optimizers": [{"name": "lbfgs"}]}, "config.optimizers[0].name"),
        ({"optimizers": [{"name": "sgd", "betas": [0.9, 0.99]}]}, "config.optimizers[0].betas"),
        ({"optimizers": [{"name": "adam", "lr": -1}]}, "config.optimizers[0].lr"),
        ({"optimizers": [{"name": "adam", "betas": [0.9, 1.5]}]}, "config.optimizers[0].betas[1]"),
        ({"optimizers": [{"name": "nesterov", "momentum": 0}]}, "config.optimizers[0].momentum"),
        ({"optimizers": []}, "config.optimizers"),
        ({"start": [1.0]}, "config.start"),
        ({"function": "ackley"}, "config.function"),
    ],
)
def test_bad_optimizer_configs_name_the_field(config: dict, field: str) -> None:
    with pytest.raises(ParamError) as refused:
        OPTIM.validate_config(config)
    assert refused.value.field == field


def test_a_fork_carries_on_from_the_same_paths_and_states() -> None:
    config = OPTIM.validate_config({"function": "beale", "optimizers": [e for e, _ in OPTIMIZERS[:8]]})
    source = OPTIM.build(config, {"speed": 30.0}, 0, CPU)
    for _ in range(25):
        source.train_step()
    fork = OPTIM.build(config, {"speed": 30.0}, 0, CPU)
    import_weights(fork, source.export_weights())
    for _ in range(5):
        source.train_step()
        fork.train_step()
    (_, want), (_, got) = source.frame(False, torch.float32), fork.frame(False, torch.float32)
    assert want.keys() == got.keys()
    for name in want:
        assert (want[name] == got[name]).all(), name
