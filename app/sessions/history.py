"""Metric history for late joiners' curves: bounded by halving its resolution when full."""

from app.protocol.bounds import dumps


class History:
    """(step, loss, acc) points; appends are single list operations, safe to snapshot from any thread."""

    def __init__(self, limit: int = 4000) -> None:
        self._limit = limit
        self._points: list[tuple[int, float, float]] = []
        self.version = 0  # changes with every change of the points
        self._encoded: tuple[int, bytes] | None = None  # (version, JSON of ``columns()``)

    def add(self, step: int, loss: float, acc: float) -> None:
        """Record one point; past the limit keep every other point (the curve's shape survives)."""
        if len(self._points) >= self._limit:
            self._points = self._points[::2]
        self._points.append((step, loss, acc))
        self.version += 1

    def points(self) -> list[tuple[int, float, float]]:
        """Every (step, loss, acc) point, oldest first."""
        return list(self._points)

    def extend(self, points: list[list[float]]) -> None:
        """Record saved points (a restored session's curves)."""
        for step, loss, acc in points:
            self.add(int(step), float(loss), float(acc))

    def clear(self) -> None:
        """Forget every point."""
        self._points = []
        self.version += 1

    def columns(self) -> dict[str, list[float | None]]:
        """``{"step": [...], "loss": [...], "acc": [...]}`` — the form uPlot and the protocol use."""
        points = list(self._points)
        return {
            "step": [p[0] for p in points],
            "loss": [p[1] for p in points],
            "acc": [p[2] for p in points],
        }

    def encoded(self) -> bytes:
        """The JSON of ``columns()``, made once per change and shared by every joiner's ``hello``."""
        cached = self._encoded
        version = self.version  # read before the points: a point added meanwhile only makes it older
        if cached is None or cached[0] != version:
            cached = self._encoded = (version, dumps(self.columns()).encode())
        return cached[1]
