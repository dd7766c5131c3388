"""Shared helpers of the API tests: sessions over HTTP, a websocket client, and LeNet-5 rerun in torch."""

import itertools
import json
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import httpx
import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import load
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from app.engine.models.lenet import LAYER_NAMES, LeNet5, LeNetConfig
from app.protocol import decode_frame

WAIT_S = 30.0  # how long a test waits for a message before failing (a hang guard, not a timing)
MAX_READ = 2000  # messages read while waiting for one, before giving up


def create_session(base: str, **body: Any) -> dict:
    """POST /api/sessions for a LeNet (``body`` overrides) and return the 201 reply."""
    response = httpx.post(f"{base}/api/sessions", json={"model": "lenet", **body}, timeout=WAIT_S)
    assert response.status_code == 201, response.text
    return response.json()


def enter_lecture(base: str, room: str, query: str = "") -> httpx.Response:
    """GET /l/ROOM without following the redirect."""
    return httpx.get(f"{base}/l/{room}{query}", timeout=WAIT_S, follow_redirects=False)


def claim_lecture(base: str, room: str, key: str) -> httpx.Response:
    """POST /api/lectures/ROOM/claim with the presenter key."""
    headers = {"Authorization": f"Bearer {key}"}
    return httpx.post(f"{base}/api/lectures/{room}/claim", headers=headers, timeout=WAIT_S)


def invite_presenter(base: str, room: str, key: str) -> httpx.Response:
    """POST /api/lectures/ROOM/invites with ``key`` (the owner's presenter key makes an invite)."""
    headers = {"Authorization": f"Bearer {key}"}
    return httpx.post(f"{base}/api/lectures/{room}/invites", headers=headers, timeout=WAIT_S)


def revoke_invite(base: str, room: str, invite_id: str, key: str) -> httpx.Response:
    """DELETE /api/lectures/ROOM/invites/ID with ``key``."""
    headers = {"Authorization": f"Bearer {key}"}
    return httpx.delete(f"{base}/api/lectures/{room}/invites/{invite_id}", headers=headers, timeout=WAIT_S)


def load_weights(data: bytes) -> dict[str, torch.Tensor]:
    """A safetensors file as a state_dict."""
    return load(data)


def fetch_weights(base: str, session_id: str) -> dict[str, torch.Tensor]:
    """GET /api/sessions/{id}/weights, loaded."""
    response = httpx.get(f"{base}/api/sessions/{session_id}/weights", timeout=WAIT_S)
    assert response.status_code == 200, response.text
    return load_weights(response.content)


def assert_same_weights(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> None:
    """The same parameter names, shapes and values."""
    assert a.keys() == b.keys()
    for name, tensor in a.items():
        torch.testing.assert_close(tensor, b[name], rtol=0, atol=0, msg=name)


def weights_equal(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> bool:
    """Whether two state_dicts hold the same values."""
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


@dataclass(frozen=True)
class Frame:
    """A decoded binary frame: its header, its tensors as arrays, and the bytes as they arrived."""

    header: dict[str, Any]
    tensors: dict[str, np.ndarray]
    raw: bytes

    def __getitem__(self, key: str) -> Any:
        return self.header[key]


def _no_constant(name: str) -> None:
    raise AssertionError(f"the server sent {name}, which is not JSON")


def strict_json(text: str | bytes) -> Any:
    """Parse as a browser's JSON.parse would: NaN and Infinity are errors."""
    return json.loads(text, parse_constant=_no_constant)


def _decode(message: str | bytes) -> dict | Frame:
    """Every server message of every API test goes through here, parsed strictly."""
    if isinstance(message, bytes):
        strict_json(message[4 : 4 + int.from_bytes(message[:4], "little")])
        header, tensors = decode_frame(message)
        return Frame(header, {name: t.array for name, t in tensors.items()}, message)
    return strict_json(message)


def _kind(message: dict | Frame) -> str:
    return "frame" if isinstance(message, Frame) else message.get("type", "")


class Socket:
    """A client of ``/ws/sessions/{id}`` that reads on until the message a test waits for.

    Messages read while waiting for another are kept, so a ``state`` that overtakes an ``ok`` is not lost;
    waiting for a ``kind`` skips the older messages of that kind only (they are superseded snapshots).
    """

    def __init__(self, base: str, session_id: str) -> None:
        url = base.replace("http://", "ws://") + f"/ws/sessions/{session_id}"
        self._stack = ExitStack()
        self.ws: ClientConnection = self._stack.enter_context(
            connect(url, compression=None, max_size=None, open_timeout=WAIT_S)
        )
        self._ids = itertools.count(1)
        self._unread: list[dict | Frame] = []

    def send(self, message: dict | str | bytes) -> None:
        """Send a dict as JSON, a str as it is (text) or bytes (binary)."""
        self.ws.send(json.dumps(message) if isinstance(message, dict) else message)

    def request(self, kind: str, **fields: Any) -> int:
        """Send ``{"type": kind, "id": n, **fields}`` and return its fresh id ``n``."""
        msg_id = next(self._ids)
        self.send({"type": kind, "id": msg_id, **fields})
        return msg_id

    @property
    def unread(self) -> list[dict | Frame]:
        """Messages that arrived while waiting for others and were not taken yet."""
        return list(self._unread)

    def read(self) -> dict | Frame:
        """The next message in arrival order (a dict for text, a Frame for binary)."""
        if self._unread:
            return self._unread.pop(0)
        return _decode(self.ws.recv(timeout=WAIT_S))

    def _take(
        self, scope: Callable[[Any], bool], match: Callable[[Any], bool], wait_s: float = WAIT_S
    ) -> Any:
        """The first message in ``scope`` that ``match``es; earlier ones in scope are dropped."""
        position = 0
        for _ in range(MAX_READ):
            while position < len(self._unread):
                message = self._unread[position]
                if not scope(message):
                    position += 1
                    continue
                del self._unread[position]
                if match(message):
                    return message
            self._unread.append(_decode(self.ws.recv(timeout=wait_s)))
        raise AssertionError(f"no matching message among {MAX_READ}")

    def wait(
        self,
        kind: str,
        where: Callable[[Any], bool] = lambda _m: True,
        wait_s: float = WAIT_S,
        **fields: Any,
    ) -> Any:
        """The next message of ``kind`` (a text ``type`` or ``"frame"``) with ``fields`` and ``where``.

        ``wait_s`` bounds each wait for one more message (a hang guard for messages that must come).
        """

        def match(message: dict | Frame) -> bool:
            header = message.header if isinstance(message, Frame) else message
            return all(header.get(k) == v for k, v in fields.items()) and where(message)

        return self._take(lambda m: _kind(m) == kind, match, wait_s)

    def wait_reply(self, msg_id: Any) -> dict:
        """The text message (``ok``, ``pong`` or ``error``) whose ``id`` is ``msg_id``."""
        return self._take(lambda m: isinstance(m, dict) and m.get("id") == msg_id, lambda _m: True)

    def call(self, kind: str, **fields: Any) -> dict:
        """Send a message and return the text reply carrying its id."""
        return self.wait_reply(self.request(kind, **fields))

    def ok(self, kind: str, **fields: Any) -> dict:
        """Send a message that must be accepted; return its ``ok``."""
        reply = self.call(kind, **fields)
        assert reply["type"] == "ok", reply
        assert reply["for"] == kind
        return reply

    def answer(self, kind: str, **fields: Any) -> Frame:
        """Send ``forward``/``sample`` and return the frame whose ``reply_to`` is its id."""
        return self.wait("frame", reply_to=self.request(kind, **fields))

    def auth(self, token: str) -> None:
        """Become the driver."""
        assert self.ok("auth", token=token)["role"] == "driver"

    def assert_alive(self) -> None:
        """The connection still answers a ping."""
        reply = self.call("ping")
        assert reply["type"] == "pong", reply

    def close_code(self) -> int | None:
        """Read until the server closes the connection; the close code it sent."""
        try:
            for _ in range(MAX_READ):
                self._unread.append(_decode(self.ws.recv(timeout=WAIT_S)))
        except ConnectionClosed as exc:
            return exc.rcvd.code if exc.rcvd else None
        raise AssertionError("the server did not close the connection")

    def close(self) -> None:
        """Close from the client side."""
        self._stack.close()


def drawing(fill: Callable[[int, int], float], rows: int = 32, cols: int = 32) -> list[list[float]]:
    """A drawing as the protocol sends it: ``rows`` lists of ``cols`` numbers ``fill(r, c)``."""
    return [[fill(r, c) for c in range(cols)] for r in range(rows)]


def seven(r: int, c: int) -> float:
    """A rough hand-drawn 7: a bar on top and a diagonal stroke, with soft edges."""
    bar = 6 <= r <= 8 and 7 <= c <= 24
    stroke = 8 <= r <= 27 and abs(c - (24 - (r - 8) * 0.6)) < 1.5
    return 1.0 if bar or stroke else (0.25 if 5 <= r <= 9 and 6 <= c <= 25 else 0.0)


def lenet(weights: dict[str, torch.Tensor], config: dict | None = None) -> LeNet5:
    """A LeNet-5 holding ``weights``, in eval mode."""
    model = LeNet5(LeNetConfig(**(config or {})))
    model.load_state_dict(weights)
    return model.eval()


def layer_outputs(model: LeNet5, image: np.ndarray) -> dict[str, torch.Tensor]:
    """Run the layers one by one on a (1, 32, 32) image: ``input``, every layer's output and ``probs``.

    The tensors keep their graph, so the caller can differentiate with respect to any of them.
    """
    x = torch.tensor(np.asarray(image, dtype=np.float32))[None].requires_grad_()  # (1, 1, 32, 32)
    outputs = {"input": x}
    for name in LAYER_NAMES:
        x = getattr(model, name)(x)
        outputs[name] = x
    outputs["probs"] = F.softmax(x, dim=1)
    return outputs


def layer_grads(outputs: dict[str, torch.Tensor], target: int) -> dict[str, torch.Tensor]:
    """∂ cross-entropy(logits, target) / ∂ each of ``input`` and the layer outputs, named ``<layer>.grad``."""
    names = ["input", *LAYER_NAMES]
    loss = F.cross_entropy(outputs["out"], torch.tensor([target]))
    grads = torch.autograd.grad(loss, [outputs[n] for n in names])
    return {f"{n}.grad": g for n, g in zip(names, grads, strict=True)}


def assert_matches_float32(frame: Frame, expected: dict[str, torch.Tensor], atol: float = 1e-5) -> None:
    """Each named tensor of a float32 frame equals torch's (batch axis dropped) within ``atol``."""
    for name, want in expected.items():
        got = frame.tensors[name]
        assert got.dtype == np.float32, name
        np.testing.assert_allclose(got, want.detach()[0].numpy(), rtol=1e-4, atol=atol, err_msg=name)


def assert_matches_float16(frame: Frame, expected: dict[str, torch.Tensor]) -> None:
    """Each named tensor of a float16 frame is torch's float32 value cast to float16, within one ulp."""
    for name, want in expected.items():
        got = frame.tensors[name]
        assert got.dtype == np.float16, name
        want16 = want.detach()[0].numpy().astype(np.float16)
        ulp = np.spacing(np.abs(want16)).astype(np.float32)
        error = np.abs(got.astype(np.float32) - want16.astype(np.float32))
        assert (error <= ulp).all(), f"{name}: off by more than one float16 ulp, max {error.max()}"
