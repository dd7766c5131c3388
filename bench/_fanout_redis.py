"""What a ``--redis`` row of the fan-out benchmark can tell besides its figures: per worker, the bus events
it logged (reconnections, subscriptions not confirmed in time, failed publishes), its pub/sub connection
as Redis saw it (the most output Redis held for it, and whether Redis had to give it a new connection),
and the viewers its session's owner still counted once the row's viewers had gone."""

import threading
import time
from dataclasses import dataclass, field

import redis

from app.bus.redis import client_name
from bench._fanout_servers import Server

SAMPLE_S = 0.2  # how often Redis's client list is read during a row
SETTLE_S = 10.0  # how long the owner may take to count the row's viewers out
BUS_EVENTS = {  # what the bus logs (app/bus/redis.py), by what the table calls it
    "reconnections": "bus: Redis connection lost",
    "subscribe time-outs": "bus: subscribing to",
    "publish failures": "bus: publishing to Redis failed",
}


@dataclass
class PubSubSeen:
    """One worker's pub/sub connection(s) as Redis listed them during a row."""

    most_omem: int = 0  # bytes of output Redis held for it at most (pub/sub messages it had not read)
    ids: set[int] = field(default_factory=set)  # more than one: Redis cut it, or it reconnected


class RowWatch:
    """Samples Redis's CLIENT LIST while a row runs (a thread), and the workers' logs around it."""

    def __init__(self, url: str, workers: list[Server]) -> None:
        self._redis = redis.Redis.from_url(url)
        self._workers = workers
        self._names = {client_name(w.process.pid): w.name for w in workers}
        self.seen = {w.name: PubSubSeen() for w in workers}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._logs = [w.log_size() for w in workers]

    def __enter__(self) -> "RowWatch":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(SAMPLE_S):
            for client in self._redis.client_list(_type="pubsub"):
                name = self._names.get(client.get("name", ""))
                if name is not None:
                    seen = self.seen[name]
                    seen.most_omem = max(seen.most_omem, int(client["omem"]))
                    seen.ids.add(int(client["id"]))

    def report(self, session_path: str) -> list[str]:
        """A line per worker: its bus events during the row, its pub/sub connection, and (the owner, the
        first worker) the viewers it still counts after the row."""
        owner = self._workers[0]
        deadline = time.monotonic() + SETTLE_S
        while (left := owner.viewers(session_path)) and time.monotonic() < deadline:
            time.sleep(0.2)  # the workers count the closed connections out as they notice them
        lines = []
        for worker, offset in zip(self._workers, self._logs, strict=True):
            log = worker.log_since(offset)
            events = ", ".join(f"{what} {log.count(text)}" for what, text in BUS_EVENTS.items())
            seen = self.seen[worker.name]
            pubsub = f"pub/sub omem ≤ {seen.most_omem / 1e6:.1f} MB, {len(seen.ids)} connection(s)"
            counted = f"; still counts {left} viewers" if worker is owner else ""
            lines.append(f"{worker.name:>14}: {events}; {pubsub}{counted}")
        return lines
