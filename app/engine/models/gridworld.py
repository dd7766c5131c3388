"""A small grid world (start, goal, pits) and a torch policy network trained on it by REINFORCE."""

from dataclasses import dataclass

import torch
from torch import nn

LAYOUT = (  # S start, G goal, X pit
    "....G",
    ".X.X.",
    ".....",
    ".XX..",
    "S....",
)
EMPTY, START, GOAL, PIT = 0, 1, 2, 3
MOVES = ((-1, 0), (0, 1), (1, 0), (0, -1))  # up, right, down, left
GOAL_REWARD, PIT_REWARD = 1.0, -1.0
MAX_STEPS = 30
GAMMA = 0.98
EPISODES_PER_STEP = 8
HISTORY_LIMIT = 400


@dataclass(frozen=True)
class Episode:
    """The cells visited (start first), the actions taken, and the reward after each action."""

    cells: list[int]
    actions: list[int]
    rewards: list[float]


class GridWorld:
    """The layout as cell codes; ``move`` applies one action (walls keep the agent in place)."""

    def __init__(self, step_reward: float) -> None:
        self.rows, self.cols = len(LAYOUT), len(LAYOUT[0])
        codes = {".": EMPTY, "S": START, "G": GOAL, "X": PIT}
        self.cells = [codes[ch] for row in LAYOUT for ch in row]
        self.start = self.cells.index(START)
        self.step_reward = step_reward

    def move(self, cell: int, action: int) -> tuple[int, float, bool]:
        """The next cell, the reward and whether the episode ended."""
        r, c = divmod(cell, self.cols)
        dr, dc = MOVES[action]
        r, c = min(max(r + dr, 0), self.rows - 1), min(max(c + dc, 0), self.cols - 1)
        nxt = r * self.cols + c
        if self.cells[nxt] == GOAL:
            return nxt, GOAL_REWARD, True
        if self.cells[nxt] == PIT:
            return nxt, PIT_REWARD, True
        return nxt, self.step_reward, False

    def run(self, probs: list[list[float]], uniforms: list[float]) -> Episode:
        """One episode from the start, each action drawn from ``probs[cell]`` with one uniform number."""
        cell, cells, actions, rewards = self.start, [self.start], [], []
        for u in uniforms:
            action, total = len(MOVES) - 1, 0.0
            for a, p in enumerate(probs[cell]):
                total += p
                if u < total:
                    action = a
                    break
            cell, reward, done = self.move(cell, action)
            cells.append(cell)
            actions.append(action)
            rewards.append(reward)
            if done:
                break
        return Episode(cells, actions, rewards)


def policy_network(world: GridWorld) -> nn.Module:
    """One-hot cell → 32 tanh units → a logit per move (the caller seeds torch)."""
    return nn.Sequential(nn.Linear(world.rows * world.cols, 32), nn.Tanh(), nn.Linear(32, len(MOVES)))


def returns_to_go(rewards: list[float]) -> list[float]:
    """G_t = r_t + γ·G_{t+1}."""
    out, total = [], 0.0
    for reward in reversed(rewards):
        total = reward + GAMMA * total
        out.append(total)
    return out[::-1]


class Reinforce:
    """A policy network π(a | cell) on one-hot cells, updated by REINFORCE with a mean-return baseline."""

    def __init__(self, world: GridWorld, policy: nn.Module, lr: float, generator: torch.Generator) -> None:
        self.world, self.policy, self.generator = world, policy, generator
        cells = world.rows * world.cols
        self.optimizer = torch.optim.Adam(self.policy.parameters(), lr=lr)
        self.onehot = torch.eye(cells)
        self.history: list[float] = []  # the mean return of each training step's episodes
        self.episodes = 0
        self.last: Episode | None = None

    def probs(self) -> torch.Tensor:
        """π(a | cell) for every cell: [cells, 4]."""
        with torch.no_grad():
            return torch.softmax(self.policy(self.onehot), 1)

    def play(self, probs: torch.Tensor, count: int) -> list[Episode]:
        """``count`` episodes drawn from ``probs``."""
        table = probs.tolist()
        uniforms = torch.rand(count, MAX_STEPS, generator=self.generator).tolist()
        return [self.world.run(table, u) for u in uniforms]

    def step(self) -> float:
        """Play a batch of episodes, take one policy-gradient step; the batch's mean return."""
        episodes = self.play(self.probs(), EPISODES_PER_STEP)
        cells = [c for e in episodes for c in e.cells[:-1]]
        actions = torch.tensor([a for e in episodes for a in e.actions])
        advantage = torch.tensor([g for e in episodes for g in returns_to_go(e.rewards)])
        advantage = advantage - advantage.mean()
        log_probs = torch.log_softmax(self.policy(self.onehot[cells]), 1)[torch.arange(len(actions)), actions]
        loss = -(log_probs * advantage).sum() / len(episodes)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        mean = sum(sum(e.rewards) for e in episodes) / len(episodes)
        self._remember(mean)
        self.episodes += len(episodes)
        self.last = episodes[-1]
        return mean

    def _remember(self, mean: float) -> None:
        if len(self.history) >= HISTORY_LIMIT:
            self.history = self.history[1::2]
        self.history.append(mean)

    def set_lr(self, lr: float) -> None:
        """The optimizer's learning rate."""
        for group in self.optimizer.param_groups:
            group["lr"] = lr


def mean_return(world: GridWorld, probs: torch.Tensor, episodes: int, generator: torch.Generator) -> float:
    """The mean undiscounted return of ``episodes`` episodes drawn from ``probs`` [cells, 4]."""
    table = probs.tolist()
    uniforms = torch.rand(episodes, MAX_STEPS, generator=generator).tolist()
    return sum(sum(world.run(table, u).rewards) for u in uniforms) / episodes
