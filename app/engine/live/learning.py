"""The four kinds of learning side by side, one training step each per session step: a supervised
classifier, k-means, self-training from k labels (beside the same classifier on the k labels alone),
and a REINFORCE agent in a grid world. One model, ``learning``; its frame carries every panel."""

import copy
from typing import Any

import numpy as np
import torch
from safetensors.torch import save

from app.engine.data.points2d import DATASETS, class_count, make_points, plane_grid
from app.engine.device import seeded
from app.engine.live.base import ModelSpec
from app.engine.live.weights import check_fits
from app.engine.models.gridworld import GridWorld, Reinforce, policy_network
from app.engine.models.kmeans import KMeans
from app.engine.models.selftrain import Fitted, SelfTraining, classifier, pick_labelled
from app.engine.params import Param, ParamError
from app.engine.training import Metrics

GRID = 40  # decision regions are sampled on GRID × GRID points
EXTENT = 3.0  # … over [−EXTENT, EXTENT]²


class LearningLive:
    """One data set and the four learners on it; ``train_step`` advances each by one step."""

    def __init__(self, config: dict, controls: dict, seed: int, device: torch.device) -> None:
        self.config, self.controls, self.seed = config, dict(controls), seed
        self.classes = class_count(config["dataset"])
        generator = torch.Generator().manual_seed(seed)
        count, noise = config["samples"], config["noise"]
        self.x, self.y = make_points(config["dataset"], count, noise, generator)
        self.test_x, self.test_y = make_points(config["dataset"], count, noise, generator)
        self.labelled = pick_labelled(self.y, config["labelled"], self.classes, generator)
        self.grid = plane_grid(GRID, EXTENT)
        self.reset()

    def reset(self) -> None:
        """Every learner back to the seed's start."""
        lr = self.controls["lr"]
        generator = torch.Generator().manual_seed(self.seed + 1)
        self.supervised = Fitted(seeded(self.seed, lambda: classifier(self.classes)), lr)
        start = seeded(self.seed + 2, lambda: classifier(self.classes))
        semi, base = Fitted(start, lr), Fitted(copy.deepcopy(start), lr)
        self.selftrain = SelfTraining(semi, base, self.x, self.y, self.labelled)
        self.selftrain.threshold = self.controls["threshold"]
        self.kmeans = KMeans(self.x, self.config["clusters"], generator)
        self.kmeans_starts = torch.Generator().manual_seed(self.seed + 4)  # for `resample`
        self.world = GridWorld(self.controls["step_reward"])
        policy = seeded(self.seed + 3, lambda: policy_network(self.world))
        self.agent = Reinforce(self.world, policy, self.controls["rl_lr"], generator)
        self._running: list[tuple[float, float]] = []

    def describe(self) -> dict[str, Any]:
        """Sizes of the data, the plane the regions cover and the grid world's shape."""
        return {
            "classes": self.classes,
            "grid": GRID,
            "extent": EXTENT,
            "world": [self.world.rows, self.world.cols],
        }

    def handle(self, message: dict[str, Any]) -> None:
        """``resample``: k-means starts again from k other points (the rest carries on)."""
        picks = torch.randperm(len(self.x), generator=self.kmeans_starts)[: self.config["clusters"]]
        self.kmeans.restart_from(self.x[picks])

    def set_controls(self, controls: dict[str, Any]) -> None:
        """Learning rates, the pseudo-label threshold and the reward per step."""
        self.controls |= controls
        for fitted in (self.supervised, self.selftrain.semi, self.selftrain.base):
            fitted.set_lr(self.controls["lr"])
        self.selftrain.threshold = self.controls["threshold"]
        self.world.step_reward = self.controls["step_reward"]
        self.agent.set_lr(self.controls["rl_lr"])

    def train_step(self) -> None:
        """One step of every learner."""
        self._running.append(self.supervised.step(self.x, self.y))
        self.kmeans.step()
        self.selftrain.step()
        self.agent.step()

    def take_running(self) -> Metrics | None:
        """The supervised classifier's mean training loss and accuracy since the last call."""
        running, self._running = self._running, []
        if not running:
            return None
        return Metrics(*(sum(v) / len(running) for v in zip(*running, strict=True)))

    def evaluate(self) -> Metrics:
        """The supervised classifier on the held-out test points."""
        return Metrics(*self.supervised.score(self.test_x, self.test_y))

    def frame(self, grads: bool, dtype: torch.dtype) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """Every panel's pictures and numbers now."""
        fields: dict[str, Any] = {}
        tensors: dict[str, torch.Tensor] = {"points": self.x, "labels": self.y.int()}
        for name, fitted in (
            ("sup", self.supervised),
            ("semi", self.selftrain.semi),
            ("base", self.selftrain.base),
        ):
            fields[f"{name}_acc"] = fitted.score(self.test_x, self.test_y)[1]
            tensors[f"{name}.probs"] = fitted.probs(self.grid).reshape(GRID, GRID, self.classes)
        fields |= self._kmeans_fields(tensors) | self._semi_fields(tensors) | self._rl_fields(tensors)
        return fields, _arrays(tensors)

    def _kmeans_fields(self, tensors: dict) -> dict[str, Any]:
        km = self.kmeans
        table = km.contingency(self.y, self.classes)
        tensors |= {
            "kmeans.centroids": km.centroids,
            "kmeans.assign": km.assign.int(),
            "kmeans.trail": torch.stack(km.trail),
            "kmeans.inertia": torch.tensor(km.inertia),
            "kmeans.contingency": table.int(),
        }
        purity = float(table.max(1).values.sum()) / len(self.y)
        return {
            "kmeans_iteration": len(km.trail) - 1,
            "inertia": km.inertia[-1],
            "kmeans_converged": km.converged,
            "kmeans_purity": purity,
        }

    def _semi_fields(self, tensors: dict) -> dict[str, Any]:
        pseudo = self.selftrain.pseudo
        chosen = pseudo >= 0
        tensors |= {"semi.labelled": self.labelled.int(), "semi.pseudo": pseudo.int()}
        return {
            "pseudo_count": int(chosen.sum()),
            "pseudo_correct": int((pseudo[chosen] == self.y[chosen]).sum()),
            "threshold": self.selftrain.threshold,
        }

    def _rl_fields(self, tensors: dict) -> dict[str, Any]:
        agent, world = self.agent, self.world
        shape = (world.rows, world.cols)
        tensors |= {
            "rl.map": torch.tensor(world.cells, dtype=torch.uint8).reshape(shape),
            "rl.policy": agent.probs().reshape(*shape, -1),
            "rl.episode": torch.tensor(agent.last.cells if agent.last else [world.start], dtype=torch.int32),
            "rl.returns": torch.tensor(agent.history, dtype=torch.float32),
        }
        return {
            "rl_return": agent.history[-1] if agent.history else None,
            "rl_episodes": agent.episodes,
            "step_reward": world.step_reward,
        }

    def _modules(self) -> dict[str, torch.nn.Module]:
        return {
            "sup": self.supervised.model,
            "semi": self.selftrain.semi.model,
            "base": self.selftrain.base.model,
            "rl": self.agent.policy,
        }

    def _state(self) -> dict[str, torch.Tensor]:
        named = {
            f"{p}.{k}": v.detach() for p, m in self._modules().items() for k, v in m.state_dict().items()
        }
        return named | {"kmeans.centroids": self.kmeans.centroids}

    def export_weights(self) -> bytes:
        """The three classifiers' and the policy's weights, prefixed by panel, and the k-means centroids."""
        return save({k: v.contiguous() for k, v in self._state().items()})

    def load_weights(self, state: dict[str, torch.Tensor], field: str) -> None:
        """Take an export of the same config (a fork): every network, and k-means from those centroids."""
        check_fits(self._state(), state, field)
        with torch.no_grad():
            for prefix, module in self._modules().items():
                cut = len(prefix) + 1
                module.load_state_dict({k[cut:]: v for k, v in state.items() if k.startswith(f"{prefix}.")})
        self.kmeans.restart_from(state["kmeans.centroids"])


def _arrays(tensors: dict[str, torch.Tensor]) -> dict[str, np.ndarray]:
    """Floats as float32, integer tensors (labels, indices, cell codes) as they are."""
    return {k: (v.detach().float() if v.is_floating_point() else v).cpu().numpy() for k, v in tensors.items()}


def check_config(config: dict) -> None:
    """Every class needs at least one labelled point."""
    if config["labelled"] < class_count(config["dataset"]):
        raise ParamError(
            "config.labelled", f"must be at least the number of classes ({class_count(config['dataset'])})"
        )
    if config["labelled"] > config["samples"]:
        raise ParamError("config.labelled", "must be at most samples")


LEARNING = ModelSpec(
    name="learning",
    title="Four kinds of learning",
    page="/learning",
    config=(
        Param("dataset", "choice", "blobs", "the 2-D points: three blobs or two moons", choices=DATASETS),
        Param(
            "samples",
            "int",
            200,
            "points in the data set (and as many held out for testing)",
            min=30,
            max=600,
        ),
        Param("noise", "float", 0.2, "spread added to every point", min=0.0, max=0.5),
        Param("labelled", "int", 6, "k: points whose label the semi-supervised learner sees", min=2, max=40),
        Param("clusters", "int", 3, "k-means clusters", min=2, max=6),
    ),
    controls=(
        Param("lr", "float", 0.02, "Adam learning rate of the three classifiers", min=1e-4, max=1.0),
        Param(
            "threshold",
            "float",
            0.9,
            "confidence above which a point gets a pseudo-label",
            min=0.5,
            max=0.999,
        ),
        Param("step_reward", "float", -0.04, "reward for each step in the grid world", min=-1.0, max=0.0),
        Param("rl_lr", "float", 0.02, "Adam learning rate of the policy network", min=1e-4, max=0.5),
    ),
    tensors=(
        "points",
        "labels",
        "sup.probs",
        "semi.probs",
        "base.probs",
        "kmeans.centroids",
        "kmeans.assign",
        "kmeans.trail",
        "kmeans.inertia",
        "kmeans.contingency",
        "semi.labelled",
        "semi.pseudo",
        "rl.map",
        "rl.policy",
        "rl.episode",
        "rl.returns",
    ),
    optional_tensors={},
    inputs=frozenset({"resample"}),
    trains=True,
    precision="float32",
    build=LearningLive,
    check=check_config,
)
