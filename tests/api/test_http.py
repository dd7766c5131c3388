"""The HTTP API through the real app: health, the catalog, and a session's life from POST to DELETE."""

import pytest
import torch
from fastapi.testclient import TestClient

from api.helpers import assert_same_weights, load_weights, weights_equal

LENET_SHAPES = {
    "c1.0.weight": [6, 1, 5, 5],
    "c1.0.bias": [6],
    "c3.0.weight": [16, 6, 5, 5],
    "c3.0.bias": [16],
    "c5.0.weight": [120, 16, 5, 5],
    "c5.0.bias": [120],
    "f6.0.weight": [84, 120],
    "f6.0.bias": [84],
    "out.weight": [10, 84],
    "out.bias": [10],
}


def create(client: TestClient, **body) -> dict:
    response = client.post("/api/sessions", json={"model": "lenet", **body})
    assert response.status_code == 201, response.text
    return response.json()


def weights(client: TestClient, session_id: str) -> dict[str, torch.Tensor]:
    response = client.get(f"/api/sessions/{session_id}/weights")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/octet-stream"
    return load_weights(response.content)


def test_healthz_reports_versions_device_and_sessions(client: TestClient):
    before = client.get("/healthz").json()
    create(client)
    after = client.get("/healthz").json()
    assert before["status"] == "ok"
    assert before["torch"] == torch.__version__
    assert before["device"] == "cpu"
    assert (before["sessions"], after["sessions"]) == (0, 1)


def test_models_describe_lenet(client: TestClient):
    models = {m["name"]: m for m in client.get("/api/models").json()["models"]}
    lenet = models["lenet"]
    assert (lenet["title"], lenet["page"]) == ("LeNet-5", "/lenet")
    config = {f["name"]: f for f in lenet["config"]}
    assert config["activation"] | {"doc": ""} == {
        "name": "activation",
        "type": "choice",
        "default": "tanh",
        "choices": ["tanh", "relu", "sigmoid"],
        "doc": "",
    }
    assert (config["pooling"]["default"], config["pooling"]["choices"]) == ("avg", ["avg", "max"])
    controls = {f["name"]: f for f in lenet["controls"]}
    assert {k: controls["lr"][k] for k in ("type", "default", "min", "max")} == {
        "type": "float",
        "default": 1e-3,
        "min": 1e-5,
        "max": 1.0,
    }
    assert {k: controls["batch_size"][k] for k in ("type", "default", "min", "max")} == {
        "type": "int",
        "default": 64,
        "min": 1,
        "max": 512,
    }
    assert (controls["grads"]["type"], controls["grads"]["default"]) == ("bool", False)
    assert controls["optimizer"]["choices"] == ["sgd", "sgd_momentum", "adam"]
    assert all(f["doc"] for f in lenet["config"] + lenet["controls"])
    layers = ["c1", "s2", "c3", "s4", "c5", "f6", "out"]
    assert lenet["tensors"] == ["input", *layers, "probs", "c1.weight"]
    assert lenet["optional_tensors"]["grads"] == [f"{n}.grad" for n in ("input", *layers)]
    assert (lenet["inputs"], lenet["trains"]) == (["forward", "sample"], True)


def test_create_returns_info_token_and_viewer_url(client: TestClient):
    info = create(client, config={"pooling": "max"}, seed=3)
    assert info["model"] == "lenet"
    assert info["config"] == {"activation": "tanh", "pooling": "max"}
    assert (info["seed"], info["state"], info["step"], info["precision"]) == (3, "paused", 0, "float16")
    assert len(info["token"]) >= 32
    assert info["viewer_url"] == f"http://testserver/lenet?session={info['id']}"
    assert [layer["name"] for layer in info["layers"]] == ["c1", "s2", "c3", "s4", "c5", "f6", "out"]
    assert info["layers"][1] | {"in": None} == {
        "name": "s2",
        "kind": "pool",
        "op": "max",
        "kernel": 2,
        "stride": 2,
        "padding": 0,
        "in": None,
        "out": [6, 14, 14],
    }
    assert info["dataset"] == {"name": "digits", "train": 1437, "val": 360, "classes": 10}


CREATE_ONLY = ("token", "viewer_url", "lecture", "lecture_key", "lecture_url")  # the creator's alone


def test_get_session_is_the_info_without_the_token(client: TestClient):
    info = create(client)
    got = client.get(f"/api/sessions/{info['id']}").json()
    assert "token" not in got
    assert got == {k: v for k, v in info.items() if k not in CREATE_ONLY}


def test_weights_are_lenets_state_dict(client: TestClient):
    state = weights(client, create(client)["id"])
    assert {name: list(t.shape) for name, t in state.items()} == LENET_SHAPES
    assert all(t.dtype == torch.float32 for t in state.values())


def test_same_seed_and_config_give_the_same_weights(client: TestClient):
    first, second = (weights(client, create(client, seed=0)["id"]) for _ in range(2))
    other_seed = weights(client, create(client, seed=1)["id"])
    assert_same_weights(first, second)
    assert not weights_equal(first, other_seed)


@pytest.mark.parametrize(
    ("authorization", "status"),
    [(None, 403), ("Bearer wrong-token", 403), ("the-token-without-Bearer", 403), ("Bearer {token}", 204)],
)
def test_delete_needs_the_token(client: TestClient, authorization: str | None, status: int):
    info = create(client)
    headers = {"Authorization": authorization.format(token=info["token"])} if authorization else {}
    response = client.delete(f"/api/sessions/{info['id']}", headers=headers)
    assert response.status_code == status
    remaining = client.get(f"/api/sessions/{info['id']}").status_code
    if status == 403:
        assert response.json()["error"]["code"] == "forbidden"
        assert remaining == 200
    else:
        assert response.content == b""
        assert remaining == 404


def test_delete_with_another_sessions_token_is_forbidden(client: TestClient):
    mine, theirs = create(client), create(client)
    headers = {"Authorization": f"Bearer {theirs['token']}"}
    assert client.delete(f"/api/sessions/{mine['id']}", headers=headers).status_code == 403


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/sessions/nope"),
        ("GET", "/api/sessions/nope/weights"),
        ("DELETE", "/api/sessions/nope"),
    ],
)
def test_unknown_session_is_404_json(client: TestClient, method: str, path: str):
    response = client.request(method, path, headers={"Authorization": "Bearer x"})
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "no session 'nope'"}}


def test_unknown_route_is_404_json(client: TestClient):
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_text_upload_checks_the_token_the_model_and_utf8(client: TestClient):
    info = client.post("/api/sessions", json={"model": "lenet"}).json()
    url, auth = f"/api/sessions/{info['id']}/text", {"Authorization": f"Bearer {info['token']}"}
    assert client.put(url, content=b"hello").status_code == 403
    refused = client.put(url, content=b"abc\xff\xfe", headers=auth)
    assert refused.status_code == 422
    assert refused.json()["error"] == {
        "code": "bad_request",
        "message": "the text is not valid UTF-8 (byte 3)",
        "field": "body",
    }
    wrong_model = client.put(url, content="héllo".encode(), headers=auth)
    assert wrong_model.status_code == 422
    assert wrong_model.json()["error"]["field"] == "type"
    too_big = client.put(url, content=b"a" * (2 * 1024 * 1024), headers=auth)
    assert too_big.status_code == 413
