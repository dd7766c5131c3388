"""The loss lab's numbers: for random batches, options and reductions, each sample's loss, the reduced
loss and ∂loss/∂input equal torch's; the weighted mean divides by Σ w_y (checked by hand); inputs outside
a loss's domain are refused naming the field."""

import random

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from app.engine.live.loss import LOSS
from app.engine.live.weights import import_weights
from app.engine.params import ParamError
from app.protocol.messages import Forward

CPU = torch.device("cpu")


def build(**config):
    return LOSS.build(LOSS.validate_config(config), {"curve": 0}, 0, CPU)


def run(live, x: torch.Tensor, t: torch.Tensor) -> dict:
    live.handle(Forward(type="forward", input=x.tolist(), target=t.tolist()))
    header, tensors = live.frame(False, torch.float32)
    return {"header": header, **{k: torch.from_numpy(v) for k, v in tensors.items()}}


def random_case(rng: random.Random, name: str) -> tuple[dict, torch.Tensor, torch.Tensor, nn.Module]:
    """A config, a batch and the torch module it should equal, all drawn at random."""
    n, c = rng.randint(1, 6), rng.randint(2, 5)
    reduction = rng.choice(["mean", "sum", "none"])
    config = {"loss": name, "reduction": reduction}
    gen = torch.Generator().manual_seed(rng.randint(0, 10**6))
    if name in ("nll", "cross_entropy"):
        x = torch.randn(n, c, generator=gen) * 2
        t = torch.randint(c, (n,), generator=gen)
        weight = [round(rng.uniform(0.1, 3), 3) for _ in range(c)] if rng.random() < 0.6 else None
        ignore = int(t[0]) if rng.random() < 0.3 and n > 1 and reduction != "mean" else -100
        config |= {"weight": weight, "ignore_index": ignore}
        w = torch.tensor(weight) if weight else None
        if name == "nll":
            x = torch.log_softmax(x, 1)
            module = nn.NLLLoss(weight=w, ignore_index=ignore, reduction=reduction)
        else:
            smoothing = rng.choice([0.0, 0.1])
            config["label_smoothing"] = smoothing
            module = nn.CrossEntropyLoss(
                weight=w, ignore_index=ignore, reduction=reduction, label_smoothing=smoothing
            )
        return config, x, t, module
    shape = (n,) if rng.random() < 0.5 else (n, c)
    if name in ("bce", "bce_with_logits"):
        t = torch.rand(shape, generator=gen).round()
        weight = [round(rng.uniform(0.1, 2), 3) for _ in range(shape[-1])] if rng.random() < 0.5 else None
        config["weight"] = weight
        w = torch.tensor(weight) if weight else None
        if name == "bce":
            x = torch.rand(shape, generator=gen)
            return config, x, t, nn.BCELoss(weight=w, reduction=reduction)
        pos = rng.choice([None, 2.5, [round(rng.uniform(0.5, 3), 3) for _ in range(shape[-1])]])
        config["pos_weight"] = pos
        p = None if pos is None else torch.tensor(pos if isinstance(pos, list) else [pos])
        x = torch.randn(shape, generator=gen) * 3
        return config, x, t, nn.BCEWithLogitsLoss(weight=w, reduction=reduction, pos_weight=p)
    x, t = torch.randn(shape, generator=gen) * 2, torch.randn(shape, generator=gen) * 2
    modules = {
        "l1": lambda: nn.L1Loss(reduction=reduction),
        "mse": lambda: nn.MSELoss(reduction=reduction),
        "smooth_l1": lambda: nn.SmoothL1Loss(reduction=reduction, beta=config.setdefault("beta", 0.5)),
        "huber": lambda: nn.HuberLoss(reduction=reduction, delta=config.setdefault("delta", 1.5)),
    }
    return config, x, t, modules[name]()


@pytest.mark.parametrize(
    "name", ["l1", "mse", "nll", "cross_entropy", "bce", "bce_with_logits", "smooth_l1", "huber"]
)
def test_streamed_losses_and_gradients_equal_torch(name: str) -> None:
    rng = random.Random(name)
    for _ in range(12):
        config, x, t, module = random_case(rng, name)
        got = run(build(**config), x, t)
        per_sample = module.__class__(**{**_kwargs(module), "reduction": "none"})(x, t)
        torch.testing.assert_close(got["per_sample"], per_sample)
        leaf = x.clone().requires_grad_(True)
        reduced = module(leaf, t)
        reduced.sum().backward()
        torch.testing.assert_close(got["loss"], reduced.detach().sum())  # "none": their sum
        torch.testing.assert_close(got["input.grad"], leaf.grad)


def _kwargs(module: nn.Module) -> dict:
    """The constructor arguments of a torch loss module, read back from it."""
    names = ("weight", "ignore_index", "label_smoothing", "pos_weight", "beta", "delta")
    return {k: getattr(module, k) for k in names if hasattr(module, k)}


def test_weighted_mean_divides_by_the_targets_weights_by_hand() -> None:
    x = torch.tensor([[2.0, 0.0, -1.0], [0.5, 1.0, 0.0], [0.0, 0.0, 3.0], [1.0, 2.0, 0.5]])
    t = torch.tensor([0, 1, 2, 1])
    weight = [1.0, 4.0, 0.5]
    got = run(build(loss="cross_entropy", weight=weight), x, t)
    log_p = torch.log_softmax(x, 1)
    terms = [-weight[y] * float(log_p[i, y]) for i, y in enumerate(t.tolist())]
    divisor = weight[0] + weight[1] + weight[2] + weight[1]
    assert got["header"]["divisor"] == pytest.approx(divisor)
    assert float(got["loss"]) == pytest.approx(sum(terms) / divisor, rel=1e-6)
    assert float(got["loss"]) != pytest.approx(sum(terms) / len(terms), rel=1e-3)
    torch.testing.assert_close(got["per_sample"], torch.tensor(terms))


def test_cross_entropy_equals_log_softmax_then_nll() -> None:
    x, t = torch.randn(5, 4, generator=torch.Generator().manual_seed(1)), torch.tensor([0, 3, 2, 1, 3])
    got = run(build(loss="cross_entropy"), x, t)
    torch.testing.assert_close(got["log_softmax"], F.log_softmax(x, 1))
    assert got["header"]["nll_of_log_softmax"] == pytest.approx(float(got["loss"]), rel=1e-6)
    torch.testing.assert_close(got["nll"], got["per_sample"])


def test_naive_bce_saturates_where_bce_with_logits_stays_exact() -> None:
    got = run(
        build(loss="bce_with_logits", reduction="none"), torch.tensor([40.0, -2.0]), torch.tensor([0.0, 1.0])
    )
    assert float(got["per_sample"][0]) == pytest.approx(40.0, rel=1e-5)  # softplus(40)
    assert float(got["naive_per_sample"][0]) == pytest.approx(100.0)  # log(1 − 1) clamped at −100
    assert got["header"]["naive_differs"]
    assert got["header"]["sigmoid_saturated"]


def test_mse_gives_the_outlier_most_of_the_gradient_l1_does_not() -> None:
    got = run(build(loss="mse"), torch.tensor([1.0, 2.0, 3.0, 4.0]), torch.tensor([1.5, 2.5, 2.5, 14.0]))
    compared = got["header"]["compared"]
    assert got["header"]["outlier_index"] == 3
    assert compared["mse"]["outlier_share"] > 0.8
    assert compared["l1"]["outlier_share"] == pytest.approx(0.25)
    assert compared["huber"]["loss"] < compared["mse"]["loss"]


def test_the_curve_is_the_loss_as_one_value_moves() -> None:
    live = build(loss="mse", reduction="sum")
    got = run(live, torch.tensor([1.0, 2.0]), torch.tensor([0.0, 0.0]))
    xs = got["curve.x"]
    torch.testing.assert_close(got["curve.loss"], xs**2 + 4.0)
    torch.testing.assert_close(got["curve.grad"], 2 * xs)


@pytest.mark.parametrize(
    ("config", "x", "t", "field"),
    [
        ({"loss": "bce"}, [0.5, 1.7], [1, 0], "input[1]"),
        ({"loss": "bce"}, [0.5, 0.7], [1, 2], "target[1]"),
        ({"loss": "cross_entropy"}, [[1, 2], [0, 1]], [0, 2], "target[1]"),
        ({"loss": "nll"}, [[1, 2], [0, 1]], [0, 0.5], "target[1]"),
        ({"loss": "cross_entropy"}, [1, 2], [0, 1], "input"),
        ({"loss": "mse"}, [1, 2], [0, 1, 2], "target"),
        ({"loss": "mse"}, [1, 2], None, "target"),
        ({"loss": "cross_entropy", "ignore_index": 0}, [[1, 2], [0, 1]], [0, 0], "target"),
        ({"loss": "cross_entropy", "weight": [1, 2, 3]}, [[1, 2], [0, 1]], [0, 1], "config.weight"),
        ({"loss": "l1"}, [1e9, 2], [0, 1], "input"),
    ],
)
def test_out_of_domain_inputs_are_refused_naming_the_field(config, x, t, field) -> None:
    live = build(**config)
    with pytest.raises(ParamError) as refused:
        live.handle(Forward(type="forward", input=x, target=t))
    assert refused.value.field == field


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"loss": "mse", "weight": [1.0]}, "config.weight"),
        ({"loss": "bce", "pos_weight": 2.0}, "config.pos_weight"),
        ({"loss": "nll", "label_smoothing": 0.1}, "config.label_smoothing"),
        ({"loss": "mse", "ignore_index": 3}, "config.ignore_index"),
        ({"loss": "cross_entropy", "weight": [1.0, -1.0]}, "config.weight[1]"),
        ({"loss": "cross_entropy", "weight": "heavy"}, "config.weight"),
        ({"loss": "cross_entropy", "weight": [0.0, 0.0, 0.0]}, "target"),
    ],
)
def test_options_a_loss_does_not_take_are_refused(config, field) -> None:
    with pytest.raises(ParamError) as refused:
        LOSS.validate_config(config)
    assert refused.value.field == field


def test_a_fork_shows_the_same_mini_batch() -> None:
    source = build(loss="cross_entropy", ignore_index=1)
    source.handle(Forward(type="forward", input=[[1.0, 2.0, 0.5], [0.0, 0.0, 1.0]], target=[2, 1]))
    fork = build(loss="cross_entropy", ignore_index=1)
    import_weights(fork, source.export_weights())
    (_, want), (_, got) = source.frame(False, torch.float32), fork.frame(False, torch.float32)
    for name in want:
        assert (want[name] == got[name]).all(), name


def test_the_cross_entropy_curve_is_torchs_loss_at_each_point() -> None:
    live = build(loss="cross_entropy", weight=[1.0, 3.0], label_smoothing=0.1)
    live.set_controls({"curve": 3})
    x, t = torch.tensor([[0.5, -1.0], [2.0, 0.3]]), torch.tensor([1, 0])
    got = run(live, x, t)
    module = nn.CrossEntropyLoss(weight=torch.tensor([1.0, 3.0]), label_smoothing=0.1)
    for value, loss, grad in zip(got["curve.x"], got["curve.loss"], got["curve.grad"], strict=True):
        moved = x.clone()
        moved[1, 1] = value
        moved.requires_grad_(True)
        want = module(moved, t)
        want.backward()
        torch.testing.assert_close(loss, want.detach())
        torch.testing.assert_close(grad, moved.grad[1, 1])
