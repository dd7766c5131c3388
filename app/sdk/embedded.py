"""A server inside the user's own process: uvicorn on a free loopback port in a daemon thread, run as
``nnlive serve`` runs it (permessage-deflate off, the same websocket size limit)."""

import socket
import threading
import time
from typing import Any

STARTUP_S = 30.0


class EmbeddedServer:
    """An nnlive server for one script or notebook; it stops with ``stop()`` or with the process."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, app: Any = None) -> None:
        """Start serving ``app`` (by default a CPU app that leaves torch's thread count alone) on
        ``host``:``port`` (0: a free port) and wait until the server answers."""
        import uvicorn  # imported here: a client of a remote server needs no web framework

        from app.cli import WS_MAX_BYTES
        from app.config import Settings
        from app.factory import create_app

        if not port:
            with socket.socket() as probe:
                probe.bind((host, 0))
                port = probe.getsockname()[1]
        if app is None:
            # torch_threads=0: the server must not change the thread count of the user's own training.
            app = create_app(Settings(device="cpu", torch_threads=0))
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level="warning",
            log_config=None,  # leave the user's logging configuration alone
            ws_per_message_deflate=False,
            ws_max_size=WS_MAX_BYTES,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="nnlive-server", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + STARTUP_S
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the embedded nnlive server did not start")
            time.sleep(0.02)
        self.url = f"http://{host}:{port}"

    def stop(self, timeout: float = 5.0) -> None:
        """Shut the server down (its sessions end)."""
        self._server.should_exit = True
        self._thread.join(timeout)
