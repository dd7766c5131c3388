"""``nnlive serve`` configures uvicorn's websockets: no permessage-deflate, messages up to 16 MiB, and at
most ``WS_MAX_QUEUE`` received messages held per connection (uvicorn's default of 32 could hold 32 × 16
MiB for a connection whose handler is blocked)."""

import uvicorn

from app import cli


def test_serve_holds_few_received_messages_per_websocket(monkeypatch, capsys):
    configs: list[uvicorn.Config] = []

    class NotRun:
        """Stands for ``uvicorn.Server``: keeps the config it was given and serves nothing."""

        def __init__(self, config: uvicorn.Config) -> None:
            configs.append(config)

        def run(self, sockets: list) -> None:
            for sock in sockets:
                sock.close()

    monkeypatch.setattr(cli.uvicorn, "Server", NotRun)
    cli.serve("127.0.0.1", 0)
    (config,) = configs
    assert (config.ws_max_queue, config.ws_max_size, config.ws_per_message_deflate) == (4, 16 << 20, False)
    assert capsys.readouterr().out.startswith("nnlive ")


def test_serve_with_reload_passes_the_same_websocket_options(monkeypatch, capsys):
    runs: list[dict] = []
    monkeypatch.setattr(cli.uvicorn, "run", lambda app, **options: runs.append(options))
    cli.serve("127.0.0.1", 0, reload=True)
    (options,) = runs
    assert (options["ws_max_queue"], options["ws_max_size"], options["reload"]) == (4, 16 << 20, True)
