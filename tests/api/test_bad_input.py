"""Bad input, over the websocket and HTTP: each gets a clear error naming what is wrong, and the connection,
the session, the server and the other sessions carry on."""

import asyncio
import contextlib
import json
from collections.abc import Callable, Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from websockets.exceptions import ConnectionClosed

from api.helpers import Socket, create_session
from app.config import Settings
from app.factory import create_app

OpenSocket = Callable[..., Socket]
ROW = [0.0] * 32
MB = 1024 * 1024


def message(kind: str, **fields: object) -> str:
    """A message with id 7, as JSON text."""
    return json.dumps({"type": kind, "id": 7, **fields})


def forward(rows: list, **fields: object) -> str:
    return message("forward", input=rows, **fields)


def with_pixel(value: str) -> str:
    """A 32×32 forward whose last pixel is ``value`` written as raw JSON text (NaN, Infinity…)."""
    return forward([ROW] * 32).replace("0.0]]", f"{value}]]")


BAD_MESSAGES = [
    pytest.param("{not json", None, "not valid JSON", id="malformed-json"),
    pytest.param("[1, 2]", None, "JSON object", id="json-array"),
    pytest.param(message("teleport"), "type", "unknown message type", id="unknown-type"),
    pytest.param('{"id": 7}', "type", "unknown message type", id="no-type"),
    pytest.param(json.dumps({"type": "ping", "id": [7]}), "id", "valid", id="list-id"),
    pytest.param(message("forward"), "input", "required", id="forward-without-input"),
    pytest.param(message("sample"), "index", "required", id="sample-without-index"),
    pytest.param(message("set"), "values", "required", id="set-without-values"),
    pytest.param(message("auth"), "token", "required", id="auth-without-token"),
    pytest.param(message("pattern", name="random"), "type", "does not take", id="input-of-another-model"),
    pytest.param(forward([ROW] * 31), "input", "got [31, 32]", id="31x32"),
    pytest.param(forward([[*ROW, 0.0]] * 32), "input", "got [32, 33]", id="32x33"),
    pytest.param(forward([ROW] * 31 + [ROW[:-1]]), "input", "rows of equal length", id="ragged-rows"),
    pytest.param(forward([[ROW] * 32]), "input", "got [1, 32, 32]", id="planes"),
    pytest.param(forward([ROW] * 31 + [[1.5, *ROW[1:]]]), "input", "[0, 1]", id="above-1"),
    pytest.param(forward([[-0.1, *ROW[1:]]] + [ROW] * 31), "input", "[0, 1]", id="below-0"),
    pytest.param(forward([ROW] * 32, label=10), "label", "0–9", id="label-10"),
    pytest.param(forward([ROW] * 32, preprocess="maybe"), "preprocess", "boolean", id="preprocess-str"),
    pytest.param(message("step", count=0), "count", "greater than or equal to 1", id="step-0"),
    pytest.param(message("step", count=1000), "count", "less than or equal to 100", id="step-1000"),
    pytest.param(message("step", count="many"), "count", "integer", id="step-str"),
    pytest.param(message("set", values={"warp": 9}), "values.warp", "unknown field", id="set-unknown"),
    pytest.param(message("set", values={"lr": 5}), "values.lr", "at most 1", id="set-lr-high"),
    pytest.param(message("set", values={"lr": 0}), "values.lr", "at least 1e-05", id="set-lr-0"),
    pytest.param(message("set", values={"lr": "fast"}), "values.lr", "number", id="set-lr-str"),
    pytest.param(message("set", values={"batch_size": 2.5}), "values.batch_size", "whole", id="set-batch"),
    pytest.param(message("set", values={"grads": "yes"}), "values.grads", "true or false", id="set-grads"),
    pytest.param(message("set", values={"optimizer": "lbfgs"}), "values.optimizer", "one of", id="set-opt"),
    pytest.param(message("sample", split="val", index=360), "index", "0..359", id="sample-val-360"),
    pytest.param(message("sample", split="train", index=1437), "index", "0..1436", id="sample-train"),
    pytest.param(message("sample", index=-1), "index", "greater than or equal to 0", id="sample-neg"),
    pytest.param(message("sample", split="test", index=0), "split", "'train' or 'val'", id="split"),
]


def sent_id(text: str) -> object:
    """The id a reply to ``text`` should echo (None when the text is not an object with an id)."""
    try:
        raw = json.loads(text)
    except ValueError:
        return None
    return raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), int | str) else None


@pytest.fixture
def other(live_server: str, open_socket: OpenSocket) -> Socket:
    """The driver of a second session on the same server."""
    return open_socket(create_session(live_server), drive=True)


def assert_carries_on(driver: Socket, other: Socket) -> None:
    """The connection answers a ping and still drives its session; another session still works."""
    driver.assert_alive()
    assert driver.answer("sample", index=3)["label"] is not None
    assert other.answer("sample", index=4)["step"] == 0


@pytest.mark.parametrize(("text", "field", "says"), BAD_MESSAGES)
def test_a_bad_message_gets_a_clear_error_and_all_carries_on(
    driver: Socket, other: Socket, text: str, field: str | None, says: str
):
    driver.send(text)
    error = driver.wait("error")
    assert (error["code"], error.get("field"), error["id"]) == ("bad_request", field, sent_id(text))
    assert says in error["message"]
    assert_carries_on(driver, other)


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_pixels_are_refused(driver: Socket, other: Socket, value: str):
    driver.send(with_pixel(value))
    error = driver.wait("error")
    assert (error["code"], error["id"]) == ("bad_request", 7)
    assert error["field"] == "input[31][31]"
    assert "finite" in error["message"]
    assert_carries_on(driver, other)


def test_a_10_mb_message_is_refused_with_limit_and_the_socket_stays_open(driver: Socket, other: Socket):
    driver.send(message("ping", padding="x" * 10 * MB))
    error = driver.wait("error")
    assert (error["code"], error["id"]) == ("limit", None)
    assert "exceeds the limit of 262144" in error["message"]
    assert_carries_on(driver, other)


def test_a_message_over_16_mib_closes_the_socket_with_1009(
    session: dict, driver: Socket, other: Socket, open_socket: OpenSocket
):
    with contextlib.suppress(ConnectionClosed):  # the server may close while the client still sends
        driver.send(message("ping", padding="x" * 17 * MB))
    # The server closes with 1009 as soon as it reads the frame's length; a client still sending then
    # may lose that close frame to the TCP reset (no code at all), but never sees another code.
    assert driver.close_code() in (1009, None)
    assert_carries_on(open_socket(session, drive=True), other)


def test_a_binary_message_is_refused(driver: Socket, other: Socket):
    driver.send(b'{"type": "ping"}')
    error = driver.wait("error")
    assert (error["code"], error["id"]) == ("bad_request", None)
    assert "binary messages are not accepted" in error["message"]
    assert_carries_on(driver, other)


def test_errors_echo_string_ids(driver: Socket):
    driver.send(json.dumps({"type": "step", "id": "abc", "count": 0}))
    assert driver.wait("error")["id"] == "abc"


def test_more_than_30_bad_messages_in_10_s_close_the_socket_with_1008(
    session: dict, driver: Socket, other: Socket, open_socket: OpenSocket
):
    for _ in range(30):
        driver.send("{not json")
    assert [driver.wait("error")["code"] for _ in range(30)] == ["bad_request"] * 30
    driver.assert_alive()  # 30 are tolerated
    driver.send("{not json")
    assert driver.close_code() == 1008
    assert_carries_on(open_socket(session, drive=True), other)


# -- HTTP ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"model": "lenet", "config": {"activation": "softmax"}}, "config.activation"),
        ({"model": "lenet", "config": {"pooling": 2}}, "config.pooling"),
        ({"model": "lenet", "config": {"depth": 3}}, "config.depth"),
        ({"model": "lenet", "config": []}, "config"),
        ({"model": "lenet", "seed": -1}, "seed"),
        ({"model": "lenet", "seed": 2**31}, "seed"),
        ({"model": "lenet", "seed": "zero"}, "seed"),
        ({"model": "lenet", "precision": "int8"}, "precision"),
        ({"model": "resnet"}, "model"),
        ({"config": {}}, "model"),
        ({"model": "lenet", "colour": "red"}, "colour"),
    ],
)
def test_a_bad_session_request_is_422_naming_the_field(client: TestClient, body: dict, field: str):
    response = client.post("/api/sessions", json=body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("bad_request", field)
    assert error["message"]
    assert client.get("/healthz").json()["sessions"] == 0
    assert client.post("/api/sessions", json={"model": "lenet"}).status_code == 201


def test_a_body_that_is_not_json_is_422(client: TestClient):
    response = client.post("/api/sessions", content=b"model=lenet", headers={"content-type": "text/plain"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "bad_request"


def _chunks(size: int) -> Iterator[bytes]:
    for _ in range(size // MB):
        yield b" " * MB


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(lambda: b" " * 10 * MB, id="declared"),
        pytest.param(lambda: _chunks(10 * MB), id="chunked"),
    ],
)
def test_a_10_mb_body_is_413_json(client: TestClient, content: Callable[[], object]):
    response = client.post("/api/sessions", content=content(), headers={"content-type": "application/json"})
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "limit"
    assert "1048576 bytes" in error["message"]
    assert client.post("/api/sessions", json={"model": "lenet"}).status_code == 201


@pytest.fixture
def two_session_client(settings: Settings) -> Iterator[TestClient]:
    """An app that allows two sessions."""
    with TestClient(create_app(settings.model_copy(update={"max_sessions": 2}))) as client:
        yield client


def test_sessions_beyond_max_sessions_get_429(two_session_client: TestClient):
    client = two_session_client
    first, _ = (client.post("/api/sessions", json={"model": "lenet"}).json() for _ in range(2))
    refused = client.post("/api/sessions", json={"model": "lenet"})
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "limit"
    headers = {"Authorization": f"Bearer {first['token']}"}
    assert client.delete(f"/api/sessions/{first['id']}", headers=headers).status_code == 204
    assert client.post("/api/sessions", json={"model": "lenet"}).status_code == 201


def test_concurrent_creates_cannot_exceed_max_sessions(settings: Settings, run_async):
    app = create_app(settings.model_copy(update={"max_sessions": 1}))

    async def create_four_at_once() -> tuple[list[int], int]:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://nnlive") as client:
                posts = (client.post("/api/sessions", json={"model": "lenet"}) for _ in range(4))
                statuses = sorted(r.status_code for r in await asyncio.gather(*posts))
                return statuses, (await client.get("/healthz")).json()["sessions"]

    assert run_async(create_four_at_once()) == ([201, 429, 429, 429], 1)
