"""The SDK's capture, without a server: what a frame step records (clipped by rank, gradients through
tensor hooks), that other steps record nothing, and that no hook outlives the watch."""

import numpy as np
import torch
from torch import nn

from app.sdk.capture import Watcher, clip, first_tensor, selected


def test_clip_keeps_a_small_drawable_view_by_rank():
    assert clip(torch.zeros(8, 40, 100, 33)).shape == (1, 16, 25, 17)  # strides ⌈100/32⌉ = 4, ⌈33/32⌉ = 2
    sequence = torch.arange(2 * 130 * 70.0).reshape(2, 130, 70)
    torch.testing.assert_close(clip(sequence), sequence[:1, ::3, :64])
    assert clip(torch.zeros(40, 300)).shape == (16, 256)
    assert clip(torch.zeros(500)).shape == (256,)
    assert clip(torch.zeros(1, 1, 1, 1, 1)) is None
    assert clip(torch.tensor(1.0)) is None


def test_an_lstm_output_is_its_first_tensor_and_globs_pick_modules():
    out, state = nn.LSTM(3, 4)(torch.zeros(5, 1, 3))
    assert first_tensor((out, state)) is out
    assert first_tensor({"no": "tensor"}) is None
    names = ["features.0", "features.1", "head", "head.drop"]
    assert selected(names, ["features.*", "head"], ["*.1"]) == ["features.0", "head"]
    assert selected(names, None, None) == names


def test_only_frame_steps_capture_and_the_gradient_is_autograds():
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    frames = iter([True, False])
    flushed = []
    watcher = Watcher(model, lambda: next(frames), lambda: flushed.append(watcher.take(torch.float32)))
    x = torch.randn(5, 3)
    hidden = model[1](model[0](x))
    hidden.retain_grad()
    model[2](hidden).square().sum().backward()
    model(x).square().sum().backward()  # a frame step
    arrays, norms = watcher.take(torch.float32)
    torch.testing.assert_close(torch.from_numpy(arrays["1"]), hidden.detach())
    torch.testing.assert_close(torch.from_numpy(arrays["1.grad"]), hidden.grad)
    assert abs(norms["1"] - hidden.grad.norm().item()) < 1e-5
    model(x).sum().backward()  # not a frame step: nothing recorded, nothing flushed
    assert watcher.capture is None
    assert flushed == []
    assert watcher.tree()[0] == {"name": "0", "type": "Linear", "shape": [5, 4]}
    watcher.remove()
    hooks = [m._forward_hooks or m._forward_pre_hooks for m in model.modules()]
    assert not any(hooks)


def test_an_output_modified_in_place_later_keeps_its_own_values_and_gradient():
    """nn.ReLU(inplace=True) after a conv overwrites the conv's output: the capture still holds the conv's."""
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(inplace=True))
    watcher = Watcher(model, lambda: True, lambda: None)
    x = torch.randn(1, 1, 6, 6)
    model(x).sum().backward()
    arrays, _ = watcher.take(torch.float32)
    conv = model[0](x)
    conv.retain_grad()
    torch.relu(conv).sum().backward()
    torch.testing.assert_close(torch.from_numpy(arrays["0"]), conv.detach())
    torch.testing.assert_close(torch.from_numpy(arrays["0.grad"]), conv.grad)
    watcher.remove()


def test_frames_take_turns_when_the_modules_do_not_fit_one():
    model = nn.Sequential(*(nn.Linear(8, 8) for _ in range(4)))  # each output (2, 8) float32: 64 bytes
    watcher = Watcher(model, lambda: True, lambda: None)
    sent = []
    for _ in range(3):
        with torch.no_grad():  # no gradients: only outputs count
            model(torch.randn(2, 8))
        arrays, _ = watcher.take(torch.float32, budget=130)  # room for two modules
        sent.append(sorted(arrays))
    assert sent == [["0", "1"], ["2", "3"], ["0", "1"]]
    with torch.no_grad():
        model(torch.randn(2, 8))
    assert sorted(watcher.take(torch.float32, budget=1)[0]) == ["2"]  # one module always goes


def test_float16_frames_keep_in_float32_what_float16_would_lose():
    """A well-trained model's gradients can lie below float16's smallest normal number (they would
    arrive as zeros: a blank map) and activations above its largest (infinities); those go as float32."""
    model = nn.Sequential(nn.Linear(4, 4, bias=False), nn.Identity())
    with torch.no_grad():
        model[0].weight.copy_(torch.eye(4) * 1e5)
    watcher = Watcher(model, lambda: True, lambda: None)
    x = torch.tensor([[1.0, -2.0, 0.5, 0.0]])
    (model(x) * 1e-12).sum().backward()
    arrays, _ = watcher.take(torch.float16)
    assert arrays["0"].dtype == np.float32  # 2e5 overflows float16
    torch.testing.assert_close(torch.from_numpy(arrays["0"]), x * 1e5)
    assert arrays["1.grad"].dtype == np.float32  # 1e-12 underflows float16
    torch.testing.assert_close(torch.from_numpy(arrays["1.grad"]), torch.full((1, 4), 1e-12))
    model(x / 1e5).sum().backward()  # values float16 holds stay float16
    arrays, _ = watcher.take(torch.float16)
    assert {a.dtype for a in arrays.values()} == {np.dtype(np.float16)}
    watcher.remove()
