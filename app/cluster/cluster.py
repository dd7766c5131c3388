"""Everything a worker runs to be one of several on Redis, built and ended with the app."""

import time
from collections.abc import Callable

import torch
from fastapi import FastAPI

from app.bus.base import Bus
from app.cluster.forward_http import answer_forwarded
from app.cluster.links import Links
from app.cluster.manager import ClusterSessionManager
from app.cluster.node import Node
from app.cluster.registry import Registry
from app.cluster.remote_socket import RemoteViewing
from app.config import Settings
from app.realtime.connection import Connection
from app.sessions.snapshots import Snapshotter


class Cluster(Node):
    """This worker's inbox, the links of its sessions' remote connections, and its remote viewers."""

    def __init__(self, app: FastAPI, bus: Bus, registry: Registry) -> None:
        super().__init__(bus, registry)
        self.links = Links(app, self)
        self.viewing = RemoteViewing(self)
        self.on("http", lambda header, body: answer_forwarded(app, self, header, body))
        self.on("link", self.links.take, inline=True)

    async def start(self) -> None:
        await super().start()
        self.links.start()

    async def serve_socket(self, conn: Connection, session_id: str) -> bool:
        """Serve a websocket for a session another worker owns (False: no worker knows it)."""
        return await self.viewing.serve(conn, session_id)

    async def close(self) -> None:
        await self.viewing.close()
        await self.links.close()
        await super().close()
        await self.registry.close()


def clustered(
    app: FastAPI,
    settings: Settings,
    bus: Bus,
    device: torch.device,
    clock: Callable[[], float] = time.monotonic,
    *,
    snapshots: Snapshotter | None = None,
) -> tuple[ClusterSessionManager, Cluster]:
    """The session manager and the cluster of one worker on the Redis at ``settings.bus_url``."""
    cluster = Cluster(app, bus, Registry(settings.bus_url))
    manager = ClusterSessionManager(
        settings, bus, device, clock, snapshots, registry=cluster.registry, worker=cluster.worker
    )
    return manager, cluster
