"""Make the recordings /replay offers (static/recordings/*.nnrec) from real training runs.

    python tools/make_recordings.py            # all of them
    python tools/make_recordings.py lenet      # one

Each one goes through the real server path: an nnlive server in this process (uvicorn, as
``nnlive serve`` runs it), a session made with ``POST /api/sessions``, and a presenter's websocket that
trains it and whose every received message is written down, as a driving page's Record button would,
with the project's own recording writer (app/protocol/recording.py). A recording stops at its duration
or its byte budget. Frames are slowed to FRAME_RATE a second so that learning fits in a small file.
"""

import argparse
import json
import os
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's app, when run as a file

from app.api.recordings import RECORDINGS, SHIPPED  # noqa: E402
from app.protocol import decode_frame  # noqa: E402
from app.protocol.recording import Record, write_recording  # noqa: E402

RECORDINGS_DIR = ROOT / "static" / RECORDINGS
FRAME_RATE = 3.0  # frames a second while recording (a page gets NNLIVE_FRAME_RATE, 30 by default)
RECV_S = 1.0


@dataclass(frozen=True)
class Recipe:
    """How to make one shipped recording: a session, what its presenter sends, how long to record."""

    model: str
    config: dict[str, Any] = field(default_factory=dict)
    controls: dict[str, Any] = field(default_factory=dict)
    before_training: tuple[dict[str, Any], ...] = ()
    seconds: float = 30.0
    max_bytes: int = 900_000


RECIPES = {
    # LeNet-5 on the bundled digits, a validation digit as the probe: every layer as it learns.
    "lenet": Recipe(
        "lenet",
        controls={"lr": 0.002},
        before_training=({"type": "sample", "split": "val", "index": 7},),
        seconds=40,
    ),
    # Dates to ISO with additive attention, on a text of two dates whose second is wanted: the matrix
    # turning from a blur into a diagonal over that date, the twin without attention failing on such texts.
    "attention": Recipe(
        "seq2seq", before_training=({"type": "sample", "split": "val", "index": 4},), seconds=75
    ),
    # A character-level LSTM reading Python's own source: samples going from noise to words and code.
    "charrnn": Recipe("charrnn", controls={"sample_every": 2.0}, seconds=45, max_bytes=800_000),
}


def post(url: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def delete(url: str, token: str) -> None:
    request = urllib.request.Request(url, method="DELETE", headers={"Authorization": f"Bearer {token}"})
    urllib.request.urlopen(request, timeout=30).close()


class Recording:
    """A presenter's socket whose every received message is written down with its time, as a driving
    page's Record button writes them (the page's own ``ok`` replies included): what came before
    training began is the context a replay opens with, at t = 0."""

    def __init__(self, socket: ClientConnection, max_bytes: int) -> None:
        self.socket, self.max_bytes = socket, max_bytes
        self.records: list[Record] = []
        self.size = 0
        self.start: float | None = None  # until training begins, messages are the context, at t = 0

    def begin(self) -> None:
        """Training begins: the recording's clock starts."""
        self.start = time.monotonic()

    @property
    def elapsed(self) -> float:
        return 0.0 if self.start is None else time.monotonic() - self.start

    def receive(self, timeout: float) -> str | bytes | None:
        """The next message (kept, unless the recording is full), or None when none came in time."""
        try:
            data = self.socket.recv(timeout=timeout)
        except TimeoutError:
            return None
        raw = data.encode() if isinstance(data, str) else data
        if self.size + len(raw) <= self.max_bytes:
            kind = "text" if isinstance(data, str) else "frame"
            self.records.append(Record(round(self.elapsed * 1000), kind, raw))
        self.size += len(raw) + 16
        return data

    @property
    def full(self) -> bool:
        return self.size > self.max_bytes

    def ask(self, message: dict[str, Any]) -> None:
        """Send ``message``; wait for its answer: an ``ok``, or an input's frame (``reply_to`` its id)."""
        self.socket.send(json.dumps({**message, "id": message["type"]}))
        while True:
            reply = self.receive(timeout=60)
            if reply is None:
                raise TimeoutError(f"no answer to {message['type']}")
            if isinstance(reply, bytes):
                if decode_frame(reply)[0].get("reply_to") == message["type"]:
                    return
                continue
            answer = json.loads(reply)
            if answer.get("id") == message["type"]:
                if answer["type"] == "error":
                    raise RuntimeError(f"{message['type']}: {answer['message']}")
                return


def record(base: str, page: str, recipe: Recipe) -> bytes:
    """Train a session of ``recipe`` on the server at ``base`` and return what its presenter received."""
    body = {"model": recipe.model, "config": recipe.config, "seed": 0, "precision": "float16"}
    session = post(f"{base}/api/sessions", body)
    ws = base.replace("http", "ws", 1) + f"/ws/sessions/{session['id']}"
    with connect(ws, max_size=None) as socket:
        recording = Recording(socket, recipe.max_bytes)
        recording.ask({"type": "auth", "token": session["token"]})
        if recipe.controls:
            recording.ask({"type": "set", "values": recipe.controls})
        for message in recipe.before_training:
            recording.ask(message)
        recording.ask({"type": "train"})
        recording.begin()
        while recording.elapsed < recipe.seconds and not recording.full:
            recording.receive(timeout=RECV_S)
        socket.send(json.dumps({"type": "pause"}))
    delete(f"{base}/api/sessions/{session['id']}", session["token"])
    started = datetime.now(UTC).isoformat(timespec="seconds")
    meta = {"page": page, "model": recipe.model, "session": session["id"], "view": {}, "started": started}
    return write_recording(meta, recording.records)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("names", nargs="*", help=f"some of {', '.join(RECIPES)} (default: all)")
    names = parser.parse_args(argv).names or list(RECIPES)
    if unknown := set(names) - set(RECIPES):
        parser.error(f"no recording named {', '.join(sorted(unknown))}")
    os.environ["NNLIVE_FRAME_RATE"] = str(FRAME_RATE)
    from app.sdk.embedded import EmbeddedServer  # after the frame rate is set: it reads the settings

    server = EmbeddedServer()
    try:
        for name in names:
            shipped = next(s for s in SHIPPED if s.name == name)
            data = record(server.url, shipped.page, RECIPES[name])
            RECORDINGS_DIR.mkdir(exist_ok=True)
            path = RECORDINGS_DIR / shipped.file
            path.write_bytes(data)
            print(f"{path.relative_to(ROOT)}: {len(data) / 1024:.0f} KiB", flush=True)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
