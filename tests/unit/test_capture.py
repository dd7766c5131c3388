"""to_numpy: a frame's tensors as CPU arrays of the frame's dtype, equal to casting each on its own."""

import numpy as np
import torch

from app.engine.capture import to_numpy


def one_by_one(tensors: dict[str, torch.Tensor], dtype: torch.dtype) -> dict[str, np.ndarray]:
    return {name: t.detach().to(dtype).numpy() for name, t in tensors.items()}


def test_one_buffer_gives_each_tensor_cast_on_its_own():
    torch.manual_seed(0)
    weight = torch.randn(6, 1, 5, 5, requires_grad=True)
    tensors = {
        "map": torch.randn(1, 6, 28, 28)[0],
        "weight": weight,
        "column": torch.randn(4, 3).t(),  # not contiguous
        "scalar": torch.tensor(2.5),
        "empty": torch.zeros(0, 3),
    }
    for dtype in (torch.float16, torch.float32):
        arrays = to_numpy(tensors, dtype)
        assert list(arrays) == list(tensors)
        for name, expected in one_by_one(tensors, dtype).items():
            assert arrays[name].dtype == expected.dtype and arrays[name].shape == expected.shape, name
            assert np.array_equal(arrays[name], expected), name
    taken = weight.detach().clone()
    with torch.no_grad():
        weight.add_(1.0)  # training goes on: a frame already taken keeps its values
    assert np.array_equal(arrays["weight"], taken.numpy())


def test_mixed_dtypes_are_cast_one_by_one():
    tensors = {"wide": torch.tensor([0.1, 1e-8], dtype=torch.float64), "count": torch.arange(3)}
    arrays = to_numpy(tensors, torch.float16)
    for name, expected in one_by_one(tensors, torch.float16).items():
        assert arrays[name].dtype == np.float16 and np.array_equal(arrays[name], expected), name
