"""The ``nnlive`` command: ``nnlive serve`` and ``nnlive --version``.

Serving binds the port first (a port in use is a one-line error before anything else happens), prints
the address at once, and only then loads the app (torch takes seconds to import): browsers that connect
meanwhile wait in the socket's queue.
"""

import argparse
import errno
import socket
import sys
import threading
import time
import webbrowser

import uvicorn
from uvicorn.supervisors import Multiprocess

from app import __version__

WS_MAX_BYTES = 16 * 1024 * 1024
# Received messages uvicorn holds per connection for the app (its default 32, each up to WS_MAX_BYTES):
# our handlers take each one as soon as the previous is answered. Honoured by uvicorn's legacy
# ``websockets`` protocol (``--ws auto`` before uvicorn 0.50, ``--ws websockets``); the default
# websockets-sansio one ignores it and stops reading after each message until the app has taken it.
WS_MAX_QUEUE = 4
APP = "app.main:app"
BACKLOG = 2048
SETTINGS_HELP = (
    "Everything else (device, frame rate, session limits, a Redis bus, the admin token…) is set by "
    "environment variables named NNLIVE_*, e.g. NNLIVE_DEVICE=cuda nnlive serve; the full list is in "
    "docs/deploying.md."
)


class ServeError(Exception):
    """A reason serving cannot start, said in one line."""


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host``:``port`` (0: a free port), or ServeError saying why not.
    IPv6 when the host is an IPv6 address, as uvicorn binds."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            in_use = f"port {port} on {host} is in use; stop what uses it or pick another with --port"
            raise ServeError(in_use) from None
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return sock


def page_url(sock: socket.socket) -> str:
    """The address to open in a browser; a server on every interface is opened through this machine."""
    host, port = sock.getsockname()[:2]
    if host in ("0.0.0.0", "::"):
        host = "127.0.0.1" if host == "0.0.0.0" else "::1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def open_when_ready(server: uvicorn.Server, url: str) -> None:
    """Open ``url`` in the default browser once ``server`` has started (in a daemon thread)."""

    def wait_then_open() -> None:
        while not server.started:
            if server.should_exit:
                return
            time.sleep(0.05)
        webbrowser.open(url)

    threading.Thread(target=wait_then_open, name="nnlive-open", daemon=True).start()


def check_workers(workers: int, reload: bool) -> None:
    """Several workers need a bus they share (Redis): refuse, in one line, what cannot work."""
    if workers < 1:
        raise ServeError("--workers must be at least 1")
    if workers == 1:
        return
    if reload:
        raise ServeError("--reload runs one worker; leave out --workers")
    from app.config import get_settings  # read the settings only when several workers are asked for

    if get_settings().bus_url.startswith("memory://"):
        raise ServeError(
            f"--workers {workers} needs a shared bus: set NNLIVE_BUS_URL=redis://host:port/db"
            " (memory:// keeps every session inside one process)"
        )


def serve(host: str, port: int, reload: bool = False, open_browser: bool = False, workers: int = 1) -> None:
    """Run the server; permessage-deflate stays off (compressing float frames costs more than it saves).
    With ``workers`` > 1, that many processes share the socket (and sessions, through Redis)."""
    check_workers(workers, reload)
    sock = bind(host, port)
    url = page_url(sock)
    print(f"nnlive {__version__} at {url} — Ctrl+C to stop", flush=True)
    options = {"ws_per_message_deflate": False, "ws_max_size": WS_MAX_BYTES, "ws_max_queue": WS_MAX_QUEUE}
    if reload:  # the reloader binds in its own process: hand the port over to it
        bound_port = sock.getsockname()[1]
        sock.close()
        if open_browser:
            webbrowser.open(url)
        uvicorn.run(APP, host=host, port=bound_port, reload=True, **options)
        return
    config = uvicorn.Config(APP, workers=workers, **options)
    if workers > 1:
        if open_browser:
            webbrowser.open(url)  # the workers are other processes: the page waits in the socket's queue
        Multiprocess(config, sockets=[sock]).run()
        return
    server = uvicorn.Server(config)
    if open_browser:
        open_when_ready(server, url)
    server.run(sockets=[sock])


def parser() -> argparse.ArgumentParser:
    """The command line."""
    top = argparse.ArgumentParser(
        prog="nnlive", description="nnlive: real PyTorch models drawn live in the browser"
    )
    top.add_argument("--version", action="version", version=f"nnlive {__version__}")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser(
        "serve",
        help="run the web server",
        description="Serve nnlive's pages and API; the address to open is printed at once.",
        epilog=SETTINGS_HELP,
    )
    run.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1, this machine only; 0.0.0.0 for every network)",
    )
    run.add_argument("--port", type=int, default=8000, help="TCP port (default: 8000; 0 picks a free one)")
    run.add_argument(
        "--open",
        action="store_true",
        help="open the home page in the default web browser once it is ready (default: off)",
    )
    run.add_argument(
        "--reload", action="store_true", help="restart when the code changes (development; default: off)"
    )
    run.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes sharing the port (default: 1); more than one needs NNLIVE_BUS_URL=redis://…",
    )
    return top


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and run it; a server that cannot start exits with status 1 and one line."""
    args = parser().parse_args(argv)
    try:
        serve(args.host, args.port, args.reload, args.open, args.workers)
    except ServeError as exc:
        print(f"nnlive: {exc}", file=sys.stderr)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
