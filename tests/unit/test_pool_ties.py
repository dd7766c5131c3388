"""Max pooling's ties on this torch build: the whole gradient goes to the first maximum of a window in
reading order (row by row), which /pool's page states; the live model's frame routes it the same way."""

import torch
import torch.nn.functional as F
from client_messages import typed

from app.engine.live.pool import MAXPOOL2D
from app.engine.params import validate


def test_max_pool2d_backward_sends_a_tie_to_the_first_maximum_in_reading_order():
    x = torch.tensor(
        [[[[1.0, 3.0, 3.0, 0.0], [3.0, 2.0, 5.0, 5.0], [7.0, 7.0, 4.0, 4.0], [7.0, 7.0, 4.0, 4.0]]]]
    )
    x.requires_grad_(True)
    out, argmax = F.max_pool2d(x, 2, return_indices=True)
    (grad,) = torch.autograd.grad(out, x, torch.ones_like(out))
    assert argmax.flatten().tolist() == [1, 6, 8, 10]  # row-major flat indices: the first of each tie
    expected = torch.zeros(4, 4)
    for flat in (1, 6, 8, 10):
        expected.view(-1)[flat] = 1.0
    assert torch.equal(grad[0, 0], expected)


def test_the_live_frame_routes_a_typed_tie_to_the_first_maximum():
    config = MAXPOOL2D.validate_config({"height": 2, "width": 2, "kernel": 2, "stride": 2})
    live = MAXPOOL2D.build(config, validate(MAXPOOL2D.controls, {}, "controls"), 0, torch.device("cpu"))
    live.handle(typed({"type": "forward", "input": [[[0.5, 2.0], [2.0, 2.0]]]}))
    _, tensors = live.frame(False, torch.float32)
    assert tensors["argmax"].tolist() == [[[1]]]
    assert tensors["input.grad"].tolist() == [[[0.0, 1.0], [0.0, 0.0]]]
