"""Issue 15, findings 4–6: inputs a hostile stranger sends get a clear error and never a 500, a dropped
socket (1006) or NaN in JSON. Every server message here is parsed strictly (api/helpers.py)."""

import asyncio
import json
import struct

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient
from websockets.exceptions import ConnectionClosed

from api.helpers import WAIT_S, Socket, create_session, strict_json
from app.config import Settings
from app.engine.params import Param, ParamError
from app.protocol import encode_frame
from app.protocol.server import Pong
from app.realtime.viewer import MAX_PENDING_REPLIES, Viewer
from app.sessions.manager import SessionManager

SURROGATE = "\\ud800"  # as JSON text: a lone surrogate once parsed
FRAME_LIMIT = 256 * 1024


@pytest.fixture
def settings() -> Settings:
    """SDK frames of at most 256 KiB, and as many bytes a second."""
    return Settings(
        device="cpu", torch_threads=1, max_frame_bytes=FRAME_LIMIT, max_frame_bytes_per_s=FRAME_LIMIT
    )


def raw_frame(header_json: bytes, body: bytes = b"") -> bytes:
    """A binary frame with this exact header text (padded to 8) and body."""
    head = struct.pack("<I", len(header_json)) + header_json
    return head + b"\0" * (-len(head) % 8) + body


def start_run(base: str, name: str) -> dict:
    response = httpx.post(f"{base}/api/runs/{name}", timeout=WAIT_S)
    assert response.status_code == 201, response.text
    return response.json()


# -- HTTP: finding 4 -------------------------------------------------------------------------------------


def assert_json_error(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert "default-src 'self'" in response.headers["content-security-policy"]
    error = strict_json(response.content)["error"]
    assert error["code"] == code
    return error


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ('{"model": "lenet", "config": {"lr": 1' + "0" * 400 + "}}", "number of 401 characters"),
        ('{"model": "lenet", "config": {"' + SURROGATE + '": 1}}', "lone surrogate"),
        ('{"model": "lenet", "seed": NaN}', "NaN"),
    ],
    ids=["400-digit-number", "lone-surrogate-key", "nan"],
)
def test_a_hostile_json_body_is_a_400_json_error_with_the_security_headers(
    client: TestClient, body: str, says: str
):
    response = client.post("/api/sessions", content=body, headers={"content-type": "application/json"})
    error = assert_json_error(response, 400, "bad_request")
    assert says in error["message"]
    assert client.post("/api/sessions", json={"model": "lenet"}).status_code == 201


def test_a_huge_integer_that_reaches_a_parameter_is_refused_not_overflowed():
    """Behind the body check, a parameter's own bounds hold for numbers no float can hold."""
    lr = Param("lr", "float", 0.01, "learning rate", min=1e-5, max=1.0)
    with pytest.raises(ParamError, match="finite number within range"):
        lr.check(10**400, "config.lr")


def test_a_bug_in_a_handler_is_a_json_500_with_the_security_headers(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
):
    def broken(_self: SessionManager, _session_id: str) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(SessionManager, "get", broken)
    error = assert_json_error(client.get("/api/sessions/x"), 500, "internal")
    assert "a bug" not in error["message"]  # the details go to the log, not to strangers


# -- websocket messages: findings 4 and 6 ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('{"type": "ping", "id": ' + "7" * 5000 + "}", "number of 5000 characters"),
        ('{"type": "ping", "id": "' + SURROGATE + '"}', "lone surrogate"),
        ('{"type": "set", "id": 7, "values": {"' + SURROGATE + '": 1}}', "lone surrogate"),
        ('{"type": "set", "id": 7, "values": {"lr": 1' + "0" * 400 + "}}", "number of 401"),
        ('{"type": "view", "id": 7, "state": {"zoom": NaN}}', "finite"),
        ('{"type": "view", "id": 7, "state": {"zoom": [1e999]}}', "finite"),
        ("[" * 100 + "]" * 100, "nested deeper"),
    ],
    ids=["5000-digit-id", "surrogate-id", "surrogate-key", "400-digit-set", "nan-view", "inf-view", "deep"],
)
def test_a_hostile_message_gets_an_error_and_the_socket_stays_open(driver: Socket, text: str, says: str):
    driver.send(text)
    error = driver.wait("error")
    assert error["code"] == "bad_request"
    assert says in error["message"]
    driver.assert_alive()
    assert driver.answer("sample", index=3)["label"] is not None


def test_a_view_state_reaches_viewers_as_strict_json(driver: Socket, open_socket, session: dict):
    viewer = open_socket(session)
    viewer.wait("frame")
    driver.send(json.dumps({"type": "view", "state": {"zoom": 1.5, "cell": None}}))
    assert viewer.wait("view")["state"] == {"zoom": 1.5, "cell": None}


def test_a_frame_header_with_nan_loss_goes_out_as_null():
    frame = encode_frame({"type": "frame", "train": {"loss": float("nan"), "acc": float("inf")}}, {})
    length = int.from_bytes(frame[:4], "little")
    assert strict_json(frame[4 : 4 + length])["train"] == {"loss": None, "acc": None}


# -- SDK frames: findings 4 and 6 --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "says"),
    [
        (b"[1, 2]", "JSON object"),
        (b'"frame"', "JSON object"),
        (b"7", "JSON object"),
        (b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),
        (
            b'{"step": 1, "tensors": [{"name": "t", "dtype": "uint8", "shape": [1' + b"0" * 400 + b"]"
            b', "offset": 8, "nbytes": 1}]}',
            "number of 401",
        ),
        (
            b'{"step": 1, "tensors": [{"name": "t", "dtype": "uint8", "shape": [4294967296, 4294967296]'
            b', "offset": 8, "nbytes": 0}]}',
            "shape",
        ),
        (b'{"step": 1, "tensors": "all"}', "tensors must be a list"),
        (
            b'{"step": 1, "tensors": [{"name": "t", "dtype": "uint8", "shape": [2], "offset": "8",'
            b' "nbytes": 2}]}',
            "offset",
        ),
        (b'{"step": 1, "note": NaN}', "NaN"),
    ],
    ids=["list", "string", "int", "deep", "shape-10e400", "shape-huge", "table-str", "offset-str", "nan"],
)
def test_a_forged_sdk_frame_gets_an_error_and_the_run_goes_on(
    live_server: str, open_socket, header: bytes, says: str
):
    info = start_run(live_server, "forged")
    driver, viewer = open_socket(info, drive=True), open_socket(info)
    driver.send(raw_frame(header))
    error = driver.wait("error")
    assert (error["code"], error["field"]) == ("bad_request", "frame"), error
    assert says in error["message"]
    driver.send(encode_frame({"step": 2, "scalars": {"loss": 0.5}}, {"t": np.ones(3, np.float32)}))
    assert viewer.wait("frame", step=2)["scalars"] == {"loss": 0.5}


# -- bursts: finding 5 -------------------------------------------------------------------------------------


class SlowSocket:
    """What a Viewer needs of a websocket; each send waits until the test lets it through."""

    def __init__(self) -> None:
        self.sent: list = []
        self.gate = asyncio.Event()

    async def send_text(self, text: str) -> None:
        await self.gate.wait()
        self.sent.append(strict_json(text))

    async def close(self, code: int, reason: str) -> None:
        self.sent.append(code)


def test_replies_beyond_the_mailbox_become_one_limit_error_then_a_clean_close(run_async):
    async def scenario() -> list:
        socket = SlowSocket()
        viewer = Viewer(socket)
        for n in range(MAX_PENDING_REPLIES + 40):  # a client that sends and never reads
            viewer.reply(Pong(id=n))
        sender = asyncio.create_task(viewer.send_loop())
        socket.gate.set()
        await asyncio.wait_for(sender, WAIT_S)
        return socket.sent

    sent = run_async(scenario())
    assert [m["id"] for m in sent[:MAX_PENDING_REPLIES]] == list(range(MAX_PENDING_REPLIES))
    limit = sent[MAX_PENDING_REPLIES]
    assert (limit["type"], limit["code"], limit["id"]) == ("error", "limit", MAX_PENDING_REPLIES)
    assert sent[MAX_PENDING_REPLIES + 1 :] == [1008]


def test_400_pings_back_to_back_are_answered_or_limited_never_dropped(driver: Socket, open_socket, session):
    for n in range(400):
        try:
            driver.send(json.dumps({"type": "ping", "id": n}))
        except ConnectionClosed:  # limited (1008, below) while the pings were still going out
            break
    replies, code = [], None
    while len(replies) < 400:
        try:
            message = driver.read()
        except Exception as exc:  # the socket closed: how?
            code = getattr(getattr(exc, "rcvd", None), "code", None)
            break
        if isinstance(message, dict) and message.get("type") in ("pong", "error"):
            replies.append(message)
    if code is None:
        assert [r["id"] for r in replies] == list(range(400))
    else:
        assert code == 1008
        assert replies[-1]["code"] == "limit"
    open_socket(session).wait("frame")  # the session serves others


def test_the_1008_close_comes_after_every_queued_error(driver: Socket, open_socket, session):
    for _ in range(31):
        driver.send("{not json")
    assert driver.close_code() == 1008
    errors = [m for m in driver.unread if isinstance(m, dict) and m.get("type") == "error"]
    assert len(errors) == 31
    open_socket(session).wait("frame")


def test_sdk_frames_beyond_the_byte_rate_are_refused_and_other_sessions_go_on(
    live_server: str, live_app, open_socket
):
    per_s = live_app.state.settings.max_frame_bytes_per_s
    info = start_run(live_server, "flood")
    driver = open_socket(info, drive=True)
    big = encode_frame({"step": 1}, {"t": np.zeros(per_s // 8, np.float32)})  # half a second's worth
    for _ in range(6):
        driver.send(big)
    error = driver.wait("error", code="limit")
    assert (error["field"], "bytes a second" in error["message"]) == ("frame", True)
    other = open_socket(create_session(live_server), drive=True)
    assert other.answer("sample", index=1)["label"] is not None
