"""Two real server processes on one real Redis: creates fired at both at the same moment never give a
client more sessions than its limit, nor the deployment more than its maximum; the others are refused
with 429 and a JSON error."""

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from cluster_workers import running_workers
from redis_server import RedisServer

from api.helpers import WAIT_S

LIMIT = 2
CREATES_PER_WORKER = 3


@pytest.mark.parametrize("setting", ["NNLIVE_MAX_SESSIONS_PER_CLIENT", "NNLIVE_MAX_SESSIONS"])
def test_concurrent_creates_on_two_workers_stay_within_the_limit(redis_server: RedisServer, setting: str):
    with running_workers(redis_server.url, **{setting: str(LIMIT)}) as (a, b):
        bases = [a.base, b.base] * CREATES_PER_WORKER
        start = threading.Barrier(len(bases))

        def create(base: str) -> httpx.Response:
            start.wait(WAIT_S)  # every request leaves at once
            return httpx.post(f"{base}/api/sessions", json={"model": "mlp"}, timeout=WAIT_S)

        with ThreadPoolExecutor(len(bases)) as pool:
            replies = list(pool.map(create, bases))
        running = [httpx.get(f"{w.base}/healthz", timeout=WAIT_S).json()["sessions"] for w in (a, b)]

    created = [r for r in replies if r.status_code == 201]
    refused = [r for r in replies if r.status_code != 201]
    assert len(created) == LIMIT
    assert sum(running) == LIMIT
    for reply in refused:
        assert reply.status_code == 429, reply.text
        assert reply.json()["error"]["code"] == "limit"
