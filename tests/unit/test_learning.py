"""/learning's learners: k-means never raises its inertia, the REINFORCE agent beats a random policy,
self-training uses the pseudo-labels it is confident about, and the frame holds every panel."""

import pytest
import torch

from app.engine.data.points2d import make_points
from app.engine.live.learning import LEARNING, LearningLive
from app.engine.models.gridworld import GridWorld, Reinforce, mean_return, policy_network
from app.engine.models.kmeans import KMeans
from app.engine.params import ParamError


@pytest.mark.parametrize("dataset", ["blobs", "moons"])
@pytest.mark.parametrize("k", [2, 3, 5])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_kmeans_inertia_never_rises(dataset: str, k: int, seed: int) -> None:
    generator = torch.Generator().manual_seed(seed)
    points, _ = make_points(dataset, 150, 0.3, generator)
    kmeans = KMeans(points, k, generator)
    for _ in range(30):
        kmeans.step()
    assert kmeans.converged
    inertia = torch.tensor(kmeans.inertia)
    assert (inertia[1:] <= inertia[:-1] + 1e-4).all(), kmeans.inertia
    # the recorded inertia is the sum of squared distances to the assigned centroids
    distances = ((points - kmeans.centroids[kmeans.assign]) ** 2).sum()
    assert abs(float(distances) - kmeans.inertia[-1]) < 1e-3


def test_reinforce_beats_a_random_policy() -> None:
    world = GridWorld(-0.04)
    torch.manual_seed(0)
    agent = Reinforce(world, policy_network(world), 0.02, torch.Generator().manual_seed(0))
    for _ in range(150):
        agent.step()
    uniform = torch.full((world.rows * world.cols, 4), 0.25)
    random_mean = mean_return(world, uniform, 400, torch.Generator().manual_seed(1))
    last = sum(agent.history[-20:]) / 20
    assert last > random_mean + 1.0, (last, random_mean)
    assert last > 0.5  # reaches the goal almost every time


def live(**config) -> LearningLive:
    controls = {p.name: p.default for p in LEARNING.controls}
    return LEARNING.build(LEARNING.validate_config(config), controls, 0, torch.device("cpu"))


def test_frame_carries_every_panel() -> None:
    model = live(dataset="moons", clusters=2, samples=100, labelled=4)
    for _ in range(25):
        model.train_step()
    fields, arrays = model.frame(False, torch.float32)
    assert set(arrays) == set(LEARNING.tensors)
    assert arrays["sup.probs"].shape == (40, 40, 2)
    assert abs(arrays["sup.probs"].sum(-1) - 1).max() < 1e-5
    assert arrays["kmeans.trail"].shape[1:] == (2, 2)
    assert arrays["kmeans.assign"].shape == (100,)
    assert arrays["kmeans.contingency"].sum() == 100
    assert arrays["semi.labelled"].shape == (4,)
    pseudo = arrays["semi.pseudo"]
    assert fields["pseudo_count"] == int((pseudo >= 0).sum())
    assert (pseudo[arrays["semi.labelled"]] == -1).all()
    assert arrays["rl.policy"].shape == (5, 5, 4)
    assert arrays["rl.returns"].shape == (25,)
    assert fields["rl_episodes"] == 25 * 8
    assert 0 <= fields["sup_acc"] <= 1


def test_reset_returns_to_the_seed() -> None:
    model = live()
    _, first = model.frame(False, torch.float32)
    for _ in range(5):
        model.train_step()
    model.reset()
    _, again = model.frame(False, torch.float32)
    for name in ("sup.probs", "kmeans.centroids", "rl.policy"):
        assert (first[name] == again[name]).all(), name


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"dataset": "spiral"}, "config.dataset"),
        ({"labelled": 2}, "config.labelled"),  # blobs have three classes
        ({"samples": 10}, "config.samples"),
        ({"noise": float("nan")}, "config.noise"),
    ],
)
def test_bad_config_names_the_field(config: dict, field: str) -> None:
    with pytest.raises(ParamError) as caught:
        LEARNING.validate_config(config)
    assert caught.value.field == field


def test_pseudo_labels_are_the_confident_unlabelled_points() -> None:
    model = live(samples=100, labelled=6)
    for _ in range(30):
        model.train_step()
    selftrain = model.selftrain
    selftrain.threshold = 0.8
    selftrain.refresh()
    confidence, guess = selftrain.semi.probs(selftrain.points).max(1)
    expected = torch.where(confidence >= 0.8, guess, -1)
    expected[selftrain.labelled] = -1
    assert torch.equal(selftrain.pseudo, expected)
    assert (selftrain.pseudo >= 0).any()
