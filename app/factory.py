"""Build the application from settings; tests build as many independent instances as they like."""

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app import __version__
from app.api import admin, apidocs, health, lectures, models, pages, playground, runs, sessions
from app.api.catch_all import CatchAll
from app.api.errors import install_error_handlers
from app.api.hosts import AllowedHosts, HostCheck
from app.api.limits import BodyLimit
from app.api.security import SecurityHeaders
from app.bus.factory import make_bus
from app.config import Settings, get_settings
from app.engine.device import configure_threads, resolve_device
from app.heap import server_heap
from app.realtime import ws
from app.realtime.asgi_send import KeepAsgiSend
from app.realtime.rooms import Rooms
from app.realtime.shutdown_notice import announce_shutdown
from app.sessions.manager import SessionManager
from app.sessions.runs import Runs
from app.sessions.snapshot_store import make_store
from app.sessions.snapshots import Snapshotter


def create_app(settings: Settings | None = None, clock: Callable[[], float] = time.monotonic) -> FastAPI:
    """A new nnlive app; its engine, bus and sessions are made at startup and ended at shutdown. ``clock``
    times the rate limits and idleness (tests pass one they step)."""
    settings = settings or get_settings()
    clustered = not settings.bus_url.startswith("memory://")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_threads(settings.torch_threads)
        bus = make_bus(settings.bus_url)
        app.state.device = resolve_device(settings.device)
        store = make_store(settings.data_dir, settings.snapshot_url)
        snapshots = None if store is None else Snapshotter(store, settings.snapshot_interval_s, clock)
        app.state.cluster = None
        if clustered:  # several workers on Redis (app/cluster); memory:// never imports it
            from app.cluster.cluster import clustered as cluster_of

            app.state.sessions, app.state.cluster = cluster_of(
                app, settings, bus, app.state.device, clock, snapshots=snapshots
            )
        else:
            app.state.sessions = SessionManager(settings, bus, app.state.device, clock, snapshots)
        app.state.rooms = Rooms(bus, settings.max_viewers, clock)
        app.state.runs = Runs()
        app.state.sessions.start()
        if app.state.cluster is not None:
            await app.state.cluster.start()
        await app.state.sessions.restore_all()
        restore_signals = announce_shutdown(app)
        try:
            with server_heap():  # what startup made is never walked again; full collections are rarer
                yield
        finally:
            restore_signals()
            await app.state.sessions.close()
            await app.state.rooms.close()
            if app.state.cluster is not None:
                await app.state.cluster.close()
            await bus.close()

    app = FastAPI(title="nnlive", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.hosts = AllowedHosts(settings.allowed_hosts, settings.public_url)
    app.state.clock = clock
    install_error_handlers(app)
    app.add_middleware(KeepAsgiSend)  # the innermost of all: frames go to the send it keeps
    if clustered:  # a request about another worker's session goes there
        from app.cluster.forward_http import ForwardToOwner

        app.add_middleware(ForwardToOwner)
    app.add_middleware(CatchAll)  # inside the others: its 500 still gets the security headers
    app.add_middleware(BodyLimit, max_bytes=settings.max_upload_bytes)
    app.add_middleware(HostCheck, hosts=app.state.hosts)  # before routing, inside the security headers
    app.add_middleware(SecurityHeaders, frame_ancestors=settings.frame_ancestors)
    # The session websocket first: routing tries each route in turn, and a join (up to thousands at once)
    # should not walk every HTTP route first; an HTTP request passes it at the cost of a type check.
    routers = (ws, health, models, playground, sessions, lectures, runs, admin, apidocs, pages)
    for module in routers:
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=settings.static_dir), name="static")
    return app
