"""The dropout pair: two twins of one seeded MLP on a few digits; without dropout the validation loss
turns up while the training loss goes to ≈ 0, with dropout it stays clearly lower."""

import itertools

import torch
import torch.nn.functional as F

from app.engine.catalog import CATALOG
from app.engine.live.dropoutpair import digit_splits
from app.engine.params import validate

CPU = torch.device("cpu")
SPEC = CATALOG["dropout_pair"]


def build(seed: int, controls: dict | None = None):
    controls = validate(SPEC.controls, controls or {}, "controls")
    return SPEC.build(SPEC.validate_config({}), controls, seed, CPU)


def curves(live, steps: int, every: int) -> list[dict]:
    frames = []
    for step in range(1, steps + 1):
        live.train_step()
        if step % every == 0:
            frames.append(live.frame(False, torch.float32)[0])
    return frames


def test_both_twins_start_from_the_same_weights_and_a_balanced_training_set():
    live = build(3)
    plain, twin = live.nets["plain"], live.nets["dropout"]
    for (name, a), b in zip(plain.state_dict().items(), twin.state_dict().values(), strict=True):
        assert torch.equal(a, b), name
    (x, y), (vx, vy) = digit_splits(8)
    assert torch.equal(torch.bincount(y), torch.full((10,), 8))
    assert len(vy) == 500
    assert x.shape == (80, 64)
    assert float(x.max()) <= 1.0
    assert not (x[:, None] == vx[None]).all(-1).any()  # no training digit is held out


def test_without_dropout_the_validation_loss_turns_up_and_dropout_keeps_it_lower():
    torch.set_num_threads(1)
    frames = curves(build(0), 400, 100)
    plain = [f["plain"] for f in frames]
    dropout = [f["dropout"] for f in frames]
    # Both learn the 80 training digits by heart…
    assert plain[-1]["train_loss"] < 1e-3
    assert plain[-1]["train_acc"] == 1.0
    assert dropout[-1]["train_acc"] == 1.0
    # …the one without dropout grows more confident in its wrong answers: its validation loss climbs…
    assert plain[-1]["val_loss"] > plain[1]["val_loss"] + 0.02
    assert all(b["val_loss"] >= a["val_loss"] for a, b in itertools.pairwise(plain[1:]))
    # …while the twin with dropout keeps a clearly lower one.
    assert dropout[-1]["val_loss"] < plain[-1]["val_loss"] - 0.1


def test_frame_numbers_are_torchs_cross_entropy_in_eval_mode():
    live = build(1)
    curves(live, 5, 5)
    fields, tensors = live.frame(False, torch.float32)
    assert tensors == {}
    vx, vy = live.val
    for run in ("plain", "dropout"):
        net = live.nets[run].eval()
        with torch.no_grad():
            logits = net(vx)
        assert abs(fields[run]["val_loss"] - float(F.cross_entropy(logits, vy))) < 1e-6
        assert fields[run]["val_acc"] == float((logits.argmax(1) == vy).float().mean())


def test_controls_set_the_twins_dropout_and_reset_goes_back_to_the_start():
    live = build(2, {"p": 0.3, "p_input": 0.1})
    ps = [m.p for m in live.nets["dropout"].modules() if isinstance(m, torch.nn.Dropout)]
    assert ps == [0.1, 0.3, 0.3]
    assert all(m.p == 0.0 for m in live.nets["plain"].modules() if isinstance(m, torch.nn.Dropout))
    first = curves(live, 3, 3)[0]
    live.set_controls({"lr": 0.01})
    assert live.optimizers["plain"].param_groups[0]["lr"] == 0.01
    live.set_controls({"lr": 1e-3})
    live.reset()
    assert curves(live, 3, 3)[0] == first  # the same weights and the same masks again
