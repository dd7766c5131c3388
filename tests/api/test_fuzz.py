"""Fuzzing that stays (issue 15): Hypothesis sends every websocket message type with hostile values and
forged binary frames, and schemathesis every HTTP operation of the OpenAPI schema. A fast subset here
(seconds); tools/fuzz_server.py runs the long one. No input gets a 5xx, invalid JSON or a 1006, every
bad input is answered with an error code of the protocol, and a canary session is unaffected."""

import json
from collections.abc import Iterator

import httpx
import numpy as np
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.helpers import WAIT_S, Socket, create_session, strict_json
from tools.fuzz.probe import Prober, Tally
from tools.fuzz.strategies import MESSAGE_TYPES, any_text, binary_frames, message_texts

FAST = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,  # the suite's subset is the same every run; the long run explores
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def canary(live_server: str, open_socket) -> Iterator[None]:
    """A session nobody fuzzes: after the fuzzing it answers as before."""
    info = create_session(live_server)
    driver: Socket = open_socket(info, drive=True)
    before = driver.answer("sample", index=3)
    yield
    after = driver.answer("sample", index=3)
    for name, tensor in before.tensors.items():
        np.testing.assert_array_equal(after.tensors[name], tensor, err_msg=name)


def test_every_message_type_is_fuzzed():
    assert {"auth", "forward", "set", "view", "step", "room", "handoff", "text"} <= set(MESSAGE_TYPES)


def test_hostile_text_messages(live_server: str, canary: None):
    tally = Tally()
    prober = Prober(live_server, create_session(live_server), tally)

    @FAST
    @given(st.one_of(message_texts(), any_text))
    def send(payload: str) -> None:
        prober.send(payload)

    try:
        send()
    finally:
        prober.close()
    assert not tally.internal, tally.internal
    assert tally.errors.get("bad_request", 0) > 0


def test_forged_binary_frames(live_server: str, canary: None):
    run = httpx.post(f"{live_server}/api/runs/fuzz", timeout=WAIT_S).json()
    tally = Tally()
    prober = Prober(live_server, run, tally)

    @FAST
    @given(binary_frames())
    def send(payload: bytes) -> None:
        prober.send(payload)

    try:
        send()
    finally:
        prober.close()
    assert not tally.internal, tally.internal
    assert tally.errors.get("bad_request", 0) > 0


@pytest.fixture
def api_schema(live_server: str):
    return schemathesis.openapi.from_url(f"{live_server}/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=8, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_every_http_operation(case):
    response = case.call(timeout=WAIT_S)
    assert response.status_code < 500, (case.method, case.formatted_path, response.text[:300])
    assert "default-src 'self'" in response.headers.get("content-security-policy", [""])[0]
    if response.headers.get("content-type", [""])[0] == "application/json":
        body = strict_json(response.content)
        if response.status_code >= 400:
            assert set(body["error"]) <= {"code", "message", "field"}
            json.dumps(body, ensure_ascii=False).encode()  # proper Unicode throughout
