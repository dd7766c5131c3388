"""Weights into a live model: every model's export reloads into a fresh build of it (any seed)."""

import pytest
import torch
from safetensors.torch import load, save

from app.engine.catalog import CATALOG
from app.engine.live.weights import import_weights, load_optimizer_state, optimizer_state
from app.engine.params import ParamError, validate

CPU = torch.device("cpu")
MODELS = ["lenet", "conv2d", "maxpool2d", "dropout", "dropout_pair", "rnn", "lstm", "memory"]


def build(name: str, seed: int):
    spec = CATALOG[name]
    config = spec.validate_config({})
    return spec.build(config, validate(spec.controls, {}, "controls"), seed, CPU)


@pytest.mark.parametrize("name", MODELS)
def test_an_export_loads_into_another_seeds_model(name: str):
    source, target = build(name, 1), build(name, 2)
    exported = source.export_weights()
    import_weights(target, exported)
    got, want = load(target.export_weights()), load(exported)
    assert got.keys() == want.keys()
    for key, tensor in want.items():
        assert torch.equal(got[key], tensor), key


def test_weights_of_another_shape_are_refused_naming_the_field():
    lenet = build("lenet", 0)
    with pytest.raises(ParamError) as error:
        import_weights(lenet, save({"c1.0.weight": torch.zeros(2, 2)}), "session")
    assert error.value.field == "session"
    with pytest.raises(ParamError, match="safetensors"):
        import_weights(lenet, b"not a file")


@pytest.mark.parametrize("name", ["lenet", "memory"])
def test_the_optimizer_state_carries_over_to_a_fresh_model(name: str):
    source, target = build(name, 0), build(name, 0)
    for _ in range(3):
        source.train_step()
    import_weights(target, source.export_weights())
    load_optimizer_state(target, optimizer_state(source))
    got, want = target.trainer.optimizer.state_dict(), source.trainer.optimizer.state_dict()
    assert want["state"]  # Adam has moments after three steps
    for index, moments in want["state"].items():
        for key, value in moments.items():
            assert torch.equal(got["state"][index][key], value), (index, key)
