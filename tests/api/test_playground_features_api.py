"""/playground's candidate features over HTTP (GET /api/models/mlp/features): one binary frame holding
every input feature over the plane, equal to torch's ``feature_columns`` on the session's own grid (the
grid its surface is taken on), and bad sizes refused as JSON naming the field."""

import httpx
import numpy as np
import pytest
import torch

from api.helpers import WAIT_S, create_session, fetch_weights
from app.engine.data.points2d import plane_grid
from app.engine.models.playground import FEATURES, PlaygroundMLP, feature_columns
from app.protocol import decode_frame

FEATURES_AT = {name: i for i, name in enumerate(FEATURES)}


def get_features(base: str, grid: object) -> httpx.Response:
    return httpx.get(f"{base}/api/models/mlp/features", params={"grid": grid}, timeout=WAIT_S)


def feature_maps(base: str, grid: int) -> tuple[dict, np.ndarray]:
    """The frame's header and its ``feature`` tensor."""
    response = get_features(base, grid)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/octet-stream"
    header, tensors = decode_frame(response.content)
    assert tensors["feature"].dtype == "float32"
    return header, tensors["feature"].array.copy()  # writable, for torch


def test_every_feature_equals_torchs_on_the_plane(live_server: str) -> None:
    header, maps = feature_maps(live_server, 20)
    assert header["type"] == "feature_maps"
    assert (header["grid"], header["span"], header["features"]) == (20, 6, list(FEATURES))
    assert maps.shape == (7, 20, 20)
    points = plane_grid(20, 6.0, pixel_centres=True)  # pixel centres, row 0 at x2 = +6, column 0 at x1 = −6
    expected = feature_columns(points, list(FEATURES)).T.reshape(7, 20, 20)
    np.testing.assert_array_equal(maps, expected.numpy())
    x1, x2 = points[:, 0].reshape(20, 20), points[:, 1].reshape(20, 20)
    assert (x1[0, 0].item(), x2[0, 0].item()) == pytest.approx((-5.7, 5.7))  # the top left pixel's centre
    torch.testing.assert_close(torch.from_numpy(maps[FEATURES_AT["sin_x2"]]), x2.sin())
    torch.testing.assert_close(torch.from_numpy(maps[FEATURES_AT["x1_x2"]]), x1 * x2)


def test_they_are_the_maps_the_session_computes_its_surface_on(live_server: str, open_socket) -> None:
    chosen = ["x1_sq", "sin_x2"]
    config = {"dataset": "circle", "samples": 60, "features": chosen, "hidden": [3], "grid": 16}
    info = create_session(live_server, model="mlp", config=config)
    driver = open_socket(info, drive=True)
    driver.ok("step", count=3)
    frame = driver.wait("frame", step=3)
    _, every = feature_maps(live_server, 16)
    rows = [FEATURES_AT[name] for name in chosen]
    np.testing.assert_array_equal(frame.tensors["feature"], every[rows])  # the checked ones, as streamed
    net = PlaygroundMLP(2, [3], 1, "tanh")
    net.load_state_dict(fetch_weights(live_server, info["id"]))
    with torch.no_grad():  # the network on those maps gives the streamed surface: the same grid
        surface = net(torch.from_numpy(every[rows]).reshape(2, -1).T)[:, 0].sigmoid().reshape(16, 16)
    np.testing.assert_allclose(frame.tensors["surface"], surface.numpy(), atol=1e-6)


def test_the_largest_grid_stays_small(live_server: str) -> None:
    response = get_features(live_server, 64)
    assert response.status_code == 200
    assert len(response.content) < 7 * 64 * 64 * 4 + 1024


@pytest.mark.parametrize(
    ("grid", "field"),
    [
        (7, "grid"),
        (65, "grid"),
        (-1, "grid"),
        ("ten", "query.grid"),
        ("9" * 5000, "query.grid"),
        (None, "query.grid"),
    ],
)
def test_a_bad_size_is_refused_naming_the_field(live_server: str, grid: object, field: str) -> None:
    response = get_features(live_server, grid)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("bad_request", field), error
