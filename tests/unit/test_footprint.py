"""What a session's memory figure counts: every distinct tensor storage its model reaches, once."""

import numpy as np
import torch
from torch import nn

from app.sessions.footprint import tensor_bytes


def test_parameters_grads_optimizer_state_and_data_each_count_once():
    model = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3))
    optimizer = torch.optim.Adam(model.parameters())
    data = torch.zeros(10, 4)
    model(data[:5]).sum().backward()
    optimizer.step()  # Adam keeps exp_avg and exp_avg_sq per parameter (and a step count)
    held = {"model": model, "optimizer": optimizer, "data": data, "probe": data[0], "table": np.zeros(8)}
    params = sum(p.numel() * 4 for p in model.parameters())  # float32
    buffers = sum(b.untyped_storage().nbytes() for b in model.buffers())
    optimizer_state = sum(
        t.untyped_storage().nbytes() for state in optimizer.state.values() for t in state.values()
    )
    expected = 2 * params + buffers + optimizer_state + data.numel() * 4 + 8 * 8  # 2×: weights and grads
    assert tensor_bytes(held) == expected
