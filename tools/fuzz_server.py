"""The long fuzz run (issue 15): a real uvicorn server takes hostile input of every kind while a canary
session is watched, and the run says what it saw.

    python -m tools.fuzz_server --cases 10000

Hypothesis draws (tools/fuzz/strategies.py) websocket text messages of every type against sessions of
several models, forged binary frames against an SDK run, and schemathesis draws requests for every HTTP
operation of the OpenAPI schema. It fails on any 5xx, any JSON with NaN, any close other than a clean
one (1008, 1013, 4410: never 1006), any `internal` error, or a canary whose answer changed. Results go
to docs/fuzzing.md by hand.
"""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable

import httpx
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.cli import WS_MAX_BYTES
from tools.fuzz.probe import Prober, Tally, strict
from tools.fuzz.strategies import any_text, binary_frames, message_texts

MODELS = ("lenet", "conv2d", "maxpool2d", "dropout", "rnn", "lstm", "charrnn", "embedding", "seq2seq")
WAIT_S = 60.0


def start_server() -> tuple[str, subprocess.Popen]:
    """A uvicorn process as `nnlive serve` runs it, on a free port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [sys.executable, "-m", "uvicorn", "app.main:app", "--port", str(port), "--log-level", "error"]
    command += ["--ws-per-message-deflate", "false", "--ws-max-size", str(WS_MAX_BYTES)]
    env = {**os.environ, "NNLIVE_DEVICE": "cpu", "NNLIVE_MAX_SESSIONS_PER_CLIENT": "100"}
    process = subprocess.Popen(command, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + WAIT_S
    while True:
        try:
            httpx.get(f"{base}/healthz", timeout=1).raise_for_status()
            return base, process
        except httpx.HTTPError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start") from None
            time.sleep(0.1)


def create(base: str, model: str) -> dict:
    response = httpx.post(f"{base}/api/sessions", json={"model": model}, timeout=WAIT_S)
    response.raise_for_status()
    return response.json()


class Canary:
    """A session nobody fuzzes: its answer to one sample and how long that takes, before and after."""

    def __init__(self, base: str) -> None:
        self.tally = Tally()
        self.prober = Prober(base, create(base, "lenet"), self.tally)

    def answer(self) -> tuple[str, float]:
        """The bytes of the sample frame (as hex of its tensors' part) and the seconds it took."""
        ws = self.prober.ws or self.prober._open()
        self.prober.ws = ws
        start = time.monotonic()
        ws.send(json.dumps({"type": "sample", "index": 3, "id": "canary"}))
        while True:
            message = ws.recv(timeout=WAIT_S)
            if isinstance(message, bytes):
                length = int.from_bytes(message[:4], "little")
                header = strict(message[4 : 4 + length])
                if header.get("reply_to") == "canary":
                    tensors = header["tensors"]
                    body = message[tensors[0]["offset"] :] if tensors else b""
                    return body.hex(), time.monotonic() - start


def fuzz(strategy: st.SearchStrategy, examples: int, send: Callable) -> None:
    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(strategy)
    def run(payload: object) -> None:
        send(payload)

    run()


def fuzz_http(base: str, examples: int, tally: Tally) -> None:
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:

        def call(case: object) -> None:
            tally.cases += 1
            response = case.call(timeout=WAIT_S)
            if response.status_code >= 500:
                raise AssertionError(f"{case.method} {case.formatted_path}: {response.status_code}")
            if "application/json" in response.headers.get("content-type", [""])[0]:
                body = strict(response.content)
                if response.status_code >= 400:
                    tally.add_error(body["error"]["code"])

        fuzz(operation.as_strategy(), max(1, examples // len(operations)), call)


def main() -> None:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("--cases", type=int, default=10_000, help="inputs in all (45 %% text, 25 %% binary)")
    args = parser.parse_args()
    base, process = start_server()
    started = time.monotonic()
    try:
        canary = Canary(base)
        before, before_s = canary.answer()
        text, frames, http = Tally(), Tally(), Tally()
        per_model = int(args.cases * 0.45) // len(MODELS)
        for model in MODELS:
            prober = Prober(base, create(base, model), text)
            fuzz(st.one_of(message_texts(), any_text), per_model, prober.send)
            prober.close()
        run = httpx.post(f"{base}/api/runs/fuzz", timeout=WAIT_S).json()
        prober = Prober(base, run, frames)
        fuzz(binary_frames(), int(args.cases * 0.25), prober.send)
        prober.close()
        fuzz_http(base, int(args.cases * 0.30), http)
        after, after_s = canary.answer()
        alive = process.poll() is None
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(WAIT_S)
    report = {
        "cases": {"text": text.cases, "binary": frames.cases, "http": http.cases},
        "total": text.cases + frames.cases + http.cases,
        "errors": {"text": text.errors, "binary": frames.errors, "http": http.errors},
        "clean_closes": {"text": text.closes, "binary": frames.closes},
        "internal": text.internal + frames.internal,
        "canary_unchanged": before == after,
        "canary_sample_s": {"before": round(before_s, 3), "after": round(after_s, 3)},
        "server_alive": alive,
        "minutes": round((time.monotonic() - started) / 60, 1),
    }
    print(json.dumps(report, indent=2))
    if report["internal"] or not report["canary_unchanged"] or not alive:
        sys.exit(1)


if __name__ == "__main__":
    main()
