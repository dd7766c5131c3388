"""k-means (Lloyd's algorithm) in torch, one iteration at a time, keeping each iteration's centroids."""

import torch


class KMeans:
    """Centroids start at ``k`` distinct points drawn from ``generator``; ``step`` is one Lloyd iteration."""

    MAX_ITERATIONS = 50

    def __init__(self, points: torch.Tensor, k: int, generator: torch.Generator) -> None:
        self.points = points
        self.restart_from(points[torch.randperm(len(points), generator=generator)[:k]])

    def restart_from(self, centroids: torch.Tensor) -> None:
        """Start again (iteration 0) from ``centroids`` [k, 2]."""
        self.centroids = centroids.clone()
        self.assign = self._nearest()
        self.trail = [self.centroids.clone()]
        self.inertia = [self._inertia()]
        self.converged = False

    def _nearest(self) -> torch.Tensor:
        return torch.cdist(self.points, self.centroids).argmin(1)

    def _inertia(self) -> float:
        """Σ over points of the squared distance to the centroid of its cluster."""
        return float(((self.points - self.centroids[self.assign]) ** 2).sum())

    def step(self) -> None:
        """Move each centroid to the mean of its points (an empty cluster keeps its centroid), reassign."""
        if self.converged or len(self.trail) > self.MAX_ITERATIONS:
            return
        centroids = self.centroids.clone()
        for cluster in range(len(centroids)):
            members = self.points[self.assign == cluster]
            if len(members):
                centroids[cluster] = members.mean(0)
        self.centroids = centroids
        assign = self._nearest()
        self.converged = bool((assign == self.assign).all())
        self.assign = assign
        self.trail.append(centroids)
        self.inertia.append(self._inertia())

    def contingency(self, labels: torch.Tensor, classes: int) -> torch.Tensor:
        """[k, classes] counts: how many points of each class fell in each cluster."""
        k = len(self.centroids)
        return torch.bincount(self.assign * classes + labels, minlength=k * classes).reshape(k, classes)
