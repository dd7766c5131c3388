"""deploy/: the compose file and the proxy's config, checked as far as a machine without a Docker engine
allows: the YAML names the services and settings the app reads, the proxy passes websocket upgrades and
keeps quiet sockets open, and two replicas started as compose starts them share their sessions on Redis."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from cluster_workers import Worker
from redis_server import RedisServer

from app.config import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
NGINX = (DEPLOY / "nginx.conf").read_text()


def compose(name: str = "compose.yaml") -> dict:
    return yaml.safe_load((DEPLOY / name).read_text())


def test_compose_runs_redis_several_app_replicas_on_it_and_a_proxy_in_front() -> None:
    services = compose()["services"]
    assert set(services) == {"redis", "app", "proxy"}
    app = services["app"]
    assert app["environment"]["NNLIVE_BUS_URL"] == "redis://redis:6379/0"
    assert app["deploy"]["replicas"] >= 2
    assert app["depends_on"]["redis"]["condition"] == "service_healthy"
    assert app["build"]["context"] == ".."
    assert (DEPLOY / app["build"]["context"] / "Dockerfile").is_file()
    assert app["command"][:2] == ["nnlive", "serve"]
    assert app["volumes"] == ["nnlive-data:/data"]  # the image's NNLIVE_DATA_DIR, one for every replica
    assert "nnlive-data" in compose()["volumes"]
    fields = Settings.model_fields
    for name in app["environment"]:  # every NNLIVE_ variable is a setting the app reads
        assert not name.startswith("NNLIVE_") or name.removeprefix("NNLIVE_").lower() in fields, name
    proxy = services["proxy"]
    mounted = {volume.split(":")[0]: volume.split(":")[1] for volume in proxy["volumes"]}
    assert (DEPLOY / "nginx.conf").is_file()
    assert mounted["./nginx.conf"] == "/etc/nginx/conf.d/default.conf"
    assert "server app:8000;" in NGINX  # the service's name and the port its command serves on
    assert "--port" in app["command"]
    assert app["command"][app["command"].index("--port") + 1] == "8000"


def test_the_gpu_variant_builds_the_cuda_torch_and_reserves_the_gpus() -> None:
    app = compose("compose.gpu.yaml")["services"]["app"]
    assert "/whl/cu" in app["build"]["args"]["TORCH_INDEX"]
    assert app["environment"]["NNLIVE_DEVICE"] == "cuda"
    assert app["deploy"]["resources"]["reservations"]["devices"][0]["capabilities"] == ["gpu"]
    assert "ARG TORCH_INDEX=" in (ROOT / "Dockerfile").read_text()


def test_the_proxy_passes_websocket_upgrades_and_keeps_quiet_sockets_open() -> None:
    for line in (
        "proxy_http_version 1.1;",
        "proxy_set_header Upgrade $http_upgrade;",
        "proxy_set_header Connection $connection_upgrade;",
        "map $http_upgrade $connection_upgrade {",
        "proxy_set_header Host $host;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
        "proxy_read_timeout 1h;",
        "proxy_buffering off;",
    ):
        assert line in NGINX, line


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer().start()
    yield server
    server.stop()


def test_two_replicas_started_as_compose_starts_them_share_their_sessions(redis_server: RedisServer) -> None:
    app = compose()["services"]["app"]
    command = app["command"][2:]
    options = [arg for i, arg in enumerate(command) if not {arg, command[i - 1]} & {"--host", "--port"}]
    env = {**app["environment"], "NNLIVE_BUS_URL": redis_server.url}
    env["NNLIVE_ALLOWED_HOSTS"] = '["127.0.0.1"]'  # this test reaches the replicas by address
    replicas = [Worker(redis_server.url, tuple(options), **env) for _ in range(2)]
    try:
        created = httpx.post(f"{replicas[0].base}/api/sessions", json={"model": "lenet"}, timeout=60)
        assert created.status_code == 201, created.text
        session_id = created.json()["id"]
        for _ in range(4):  # each request lands on either worker of the other replica
            info = httpx.get(f"{replicas[1].base}/api/sessions/{session_id}", timeout=60)
            assert info.status_code == 200, info.text
            assert info.json()["id"] == session_id
    finally:
        for replica in replicas:
            replica.stop()
