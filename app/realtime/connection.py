"""One session websocket and the parts of the app it talks to, built once when the socket connects."""

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import WebSocket

from app.api.hosts import AllowedHosts
from app.config import Settings
from app.realtime.rooms import Rooms
from app.sessions.manager import SessionManager


@dataclass(frozen=True)
class Connection:
    """The socket, the settings, the host names the server answers to, the sessions, the rooms and the
    clock: all a connection's handler reaches."""

    ws: WebSocket
    settings: Settings
    hosts: AllowedHosts
    sessions: SessionManager
    rooms: Rooms
    clock: Callable[[], float]


def connection(websocket: WebSocket) -> Connection:
    """Build the connection from the app that accepted the socket."""
    state = websocket.app.state
    return Connection(websocket, state.settings, state.hosts, state.sessions, state.rooms, state.clock)
