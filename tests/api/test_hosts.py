"""Issue 15, finding 2: the server answers only to its own host names (DNS rebinding), a websocket's
Origin must be a page of this server (host name and scheme), and links use the configured public URL."""

import socket
import time
from types import SimpleNamespace
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from api.helpers import WAIT_S, create_session
from app.api.hosts import AllowedHosts, host_name
from app.config import Settings
from app.factory import create_app
from app.realtime.connection import Connection
from app.realtime.origin import origin_allowed, page_may_connect


def port_of(base: str) -> int:
    return urlsplit(base).port


def test_a_rebound_host_name_gets_403_before_any_route(live_server: str):
    port = port_of(live_server)
    refused = httpx.get(f"{live_server}/api/models", headers={"Host": f"evil.example:{port}"}, timeout=WAIT_S)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    assert "default-src 'self'" in refused.headers["content-security-policy"]
    for name in ("localhost", "127.0.0.1"):
        own = httpx.get(f"{live_server}/api/models", headers={"Host": f"{name}:{port}"}, timeout=WAIT_S)
        assert own.status_code == 200


def socket_to(base: str, uri_host: str, origin: str) -> None:
    """Open a session websocket on ``base`` while naming ``uri_host`` as Host and sending ``origin``."""
    info = create_session(base)
    port = port_of(base)
    sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT_S)
    uri = f"ws://{uri_host}:{port}/ws/sessions/{info['id']}"
    with connect(uri, sock=sock, origin=origin, open_timeout=WAIT_S) as ws:
        assert '"hello"' in ws.recv(timeout=WAIT_S)


def test_a_rebound_page_cannot_open_a_websocket(live_server: str):
    port = port_of(live_server)
    with pytest.raises(InvalidStatus) as refused:
        socket_to(live_server, "evil.example", f"http://evil.example:{port}")
    assert refused.value.response.status_code == 403
    socket_to(live_server, "localhost", f"http://localhost:{port}")  # the server's own page


def test_an_https_origin_is_not_a_page_of_an_http_server(live_server: str):
    port = port_of(live_server)
    with pytest.raises(InvalidStatus) as refused:
        socket_to(live_server, "127.0.0.1", f"https://127.0.0.1:{port}")
    assert refused.value.response.status_code == 403


def test_listed_hosts_and_the_public_url_decide_hosts_and_links():
    settings = Settings(device="cpu", torch_threads=1, public_url="https://course.example.org/")
    with TestClient(create_app(settings)) as stranger:
        assert stranger.get("/healthz").status_code == 403  # "testserver" is not the public host
    with TestClient(create_app(settings), base_url="http://course.example.org") as client:
        created = client.post("/api/sessions", json={"model": "lenet"}).json()
        assert created["viewer_url"] == f"https://course.example.org/lenet?session={created['id']}"
        run = client.post("/api/runs/demo").json()
        assert run["viewer_url"] == "https://course.example.org/inspect?run=demo"
    listed = Settings(device="cpu", torch_threads=1, allowed_hosts=["a.example", "b.example"])
    with TestClient(create_app(listed), base_url="http://b.example:8000") as client:
        assert client.get("/healthz").status_code == 200


def test_host_rules():
    default = AllowedHosts([])
    assert default.allows("localhost", "127.0.0.1")
    assert default.allows("::1", "::1")
    assert not default.allows("evil.example", "127.0.0.1")
    assert default.allows("course.example", "10.0.0.5")  # bound to a public address: any host
    assert AllowedHosts(["*"]).allows("evil.example", "127.0.0.1")
    assert not AllowedHosts(["a.example"]).allows("localhost", "127.0.0.1")
    assert host_name("[::1]:8000") == "::1"
    assert host_name("Course.Example:80") == "course.example"


def test_a_sockets_origin_is_checked_with_its_connection_alone():
    """The handler's Connection carries the allowed hosts: nothing is read from the socket's app."""

    def page(origin: str | None, host: str, scheme: str = "ws") -> bool:
        ws = SimpleNamespace(
            scope={"server": ("127.0.0.1", 8000), "scheme": scheme},
            headers={"host": host} | ({"origin": origin} if origin else {}),
            app=None,
        )
        settings = Settings(device="cpu", allowed_origins=[])
        return page_may_connect(Connection(ws, settings, AllowedHosts([]), None, None, time.monotonic))

    assert page("http://localhost:8000", "localhost:8000")
    assert not page("http://evil.example:8000", "evil.example:8000")  # rebound to 127.0.0.1
    assert page("https://localhost:8000", "localhost:8000", scheme="wss")  # a page over TLS
    assert not page("http://localhost:8000", "localhost:8000", scheme="wss")
    assert not page("https://localhost:8000", "localhost:8000")
    assert page(None, "evil.example:8000")  # no Origin: not a browser page


def test_origin_rules_check_scheme_and_host_name():
    only_localhost = AllowedHosts([]).allows
    assert origin_allowed("http://localhost:8000", "localhost:8000", [])
    assert not origin_allowed("https://localhost:8000", "localhost:8000", [])
    assert origin_allowed("https://a.example", "a.example", [], scheme="https")
    assert not origin_allowed(
        "http://evil.example:8000",
        "evil.example:8000",
        [],
        host_allowed=lambda name: only_localhost(name, "127.0.0.1"),
    )


def test_a_request_naming_two_hosts_is_refused(live_server: str):
    """Starlette reads the first Host header and a dict of them the last: a request with two is refused,
    whichever is allowed."""
    port = port_of(live_server)
    for first, second in (("evil.example", "localhost"), ("localhost", "evil.example")):
        with socket.create_connection(("127.0.0.1", port), timeout=WAIT_S) as sock:
            request = f"GET /api/models HTTP/1.1\r\nHost: {first}:{port}\r\nHost: {second}:{port}\r\n"
            sock.sendall(f"{request}Connection: close\r\n\r\n".encode())
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 403"), answer[:80]
        assert b'"forbidden"' in answer
