"""The ``nnlive`` command: its version, a help that explains every option, the address printed at once,
a port in use refused in one line with a non-zero exit, and --open opening the page once it is ready."""

import os
import socket
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import pytest

from app import __version__, cli

ROOT = Path(__file__).resolve().parents[2]


def nnlive(*args: str, **options) -> subprocess.Popen:
    """``nnlive ARGS`` as a process of this checkout."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "app.cli", *args]
    return subprocess.Popen(command, cwd=ROOT, env=env, text=True, **options)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"nnlive {__version__}"


def test_serve_help_names_every_option_with_its_default_and_the_settings(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        cli.main(["serve", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for option in ("--host HOST", "--port PORT", "--open", "--reload"):
        assert option in text
    assert "(default: 127.0.0.1" in text
    assert "(default: 8000" in text
    assert text.count("default: off") == 2  # --open and --reload
    assert "NNLIVE_" in text
    assert "docs/deploying.md" in text


def test_a_port_in_use_is_one_line_and_a_failing_exit_before_anything_starts() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = nnlive("serve", "--port", str(port), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, err = process.communicate(timeout=60)
    assert process.returncode == 1
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert err.startswith(f"nnlive: port {port} on 127.0.0.1 is in use;")
    assert "startup" not in err.lower()


def test_serving_prints_the_address_first_and_serves_it() -> None:
    # `with`: the pipe is closed and the process waited for on the way out
    with nnlive("serve", "--port", "0", stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as process:
        try:
            first = process.stdout.readline().strip()
            assert first.startswith(f"nnlive {__version__} at http://127.0.0.1:")
            assert first.endswith(" — Ctrl+C to stop")
            url = first.split(" at ", 1)[1].split(" ", 1)[0]
            with urllib.request.urlopen(f"{url}/healthz", timeout=60) as response:  # waits for the app
                assert response.status == 200
        finally:
            process.terminate()


class StartingServer:
    """Stands in for uvicorn.Server: starts once ``started`` is set."""

    def __init__(self) -> None:
        self.started = False
        self.should_exit = False


def test_open_waits_until_the_server_has_started(monkeypatch: pytest.MonkeyPatch) -> None:
    opened = []
    monkeypatch.setattr(cli.webbrowser, "open", lambda url: opened.append(url) or True)
    server = StartingServer()
    cli.open_when_ready(server, "http://127.0.0.1:1234")
    assert opened == []
    server.started = True
    for thread in [t for t in threading.enumerate() if t.name == "nnlive-open"]:
        thread.join(5)
    assert opened == ["http://127.0.0.1:1234"]


def test_a_server_on_every_interface_is_opened_through_this_machine() -> None:
    with cli.bind("0.0.0.0", 0) as sock:
        assert cli.page_url(sock) == f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_a_host_that_cannot_be_bound_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["serve", "--host", "no-such-host.invalid", "--port", "0"])
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("nnlive: cannot listen on no-such-host.invalid:0: ")
    assert err.count("\n") == 1


def test_several_workers_without_redis_are_one_line_and_a_failing_exit() -> None:
    env = {**os.environ, "NNLIVE_BUS_URL": "memory://"}
    process = subprocess.run(
        [sys.executable, "-m", "app.cli", "serve", "--workers", "2", "--port", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert process.returncode == 1
    assert process.stdout == ""
    assert process.stderr.strip().splitlines() == [
        "nnlive: --workers 2 needs a shared bus: set NNLIVE_BUS_URL=redis://host:port/db"
        " (memory:// keeps every session inside one process)"
    ]
