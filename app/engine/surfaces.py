"""The 2-D test functions of gradient descent, written in torch so autograd gives their gradients."""

from collections.abc import Callable
from dataclasses import dataclass

import torch

Surface = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]  # f(x, y), elementwise


@dataclass(frozen=True)
class Landscape:
    """A function with the window it is drawn in, a start that shows its lesson and its minima."""

    f: Callable[[float], Surface]  # kappa → f(x, y)
    bounds: tuple[float, float, float, float]  # x_min, x_max, y_min, y_max
    start: tuple[float, float]
    minima: tuple[tuple[float, float], ...]


def _quadratic(kappa: float) -> Surface:
    return lambda x, y: 0.5 * (x**2 + kappa * y**2)


def _rosenbrock(_kappa: float) -> Surface:
    return lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2


def _himmelblau(_kappa: float) -> Surface:
    return lambda x, y: (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def _saddle(_kappa: float) -> Surface:
    return lambda x, y: x**2 - y**2


def _beale(_kappa: float) -> Surface:
    return lambda x, y: (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


LANDSCAPES: dict[str, Landscape] = {
    "quadratic": Landscape(_quadratic, (-5.0, 5.0, -3.0, 3.0), (-4.5, 2.0), ((0.0, 0.0),)),
    "rosenbrock": Landscape(_rosenbrock, (-2.0, 2.0, -1.0, 3.0), (-1.5, 2.0), ((1.0, 1.0),)),
    "himmelblau": Landscape(
        _himmelblau,
        (-5.0, 5.0, -5.0, 5.0),
        (0.0, -0.5),
        ((3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)),
    ),
    "saddle": Landscape(_saddle, (-2.0, 2.0, -2.0, 2.0), (-1.8, 0.05), ()),
    "beale": Landscape(_beale, (-4.5, 4.5, -4.5, 4.5), (1.0, 1.6), ((3.0, 0.5),)),
}


def evaluate(f: Surface, point: torch.Tensor) -> torch.Tensor:
    """f at a point given as a tensor [x, y]."""
    return f(point[0], point[1])


def grid_values(f: Surface, bounds: tuple[float, float, float, float], size: int) -> torch.Tensor:
    """f on a size × size grid over ``bounds``: row r is y from y_min up, column c is x from x_min."""
    x_min, x_max, y_min, y_max = bounds
    ys, xs = torch.meshgrid(
        torch.linspace(y_min, y_max, size), torch.linspace(x_min, x_max, size), indexing="ij"
    )
    return f(xs, ys)
