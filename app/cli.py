"""The ``nnlive`` command."""

import argparse

import uvicorn

WS_MAX_BYTES = 16 * 1024 * 1024


def serve(host: str, port: int, reload: bool) -> None:
    """Run the server; permessage-deflate stays off (compressing float frames costs more than it saves)."""
    uvicorn.run(
        "app.main:app",
        host=host,
        port=port,
        reload=reload,
        ws_per_message_deflate=False,
        ws_max_size=WS_MAX_BYTES,
    )


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and run it."""
    parser = argparse.ArgumentParser(prog="nnlive", description="live neural-network visualizer")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("serve", help="run the web server")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8000)
    run.add_argument("--reload", action="store_true", help="restart on code changes (development)")
    args = parser.parse_args(argv)
    serve(args.host, args.port, args.reload)


if __name__ == "__main__":
    main()
