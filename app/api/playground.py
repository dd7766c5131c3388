"""The playground's input features over the plane, every candidate one: they depend on the grid alone, so a
page fetches them once per grid size (binary, a frame of docs/protocol.md) instead of in every frame."""

from functools import lru_cache
from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.engine.data.toy2d import SPAN
from app.engine.live.mlp import MLP, candidate_feature_maps
from app.engine.models.playground import FEATURES
from app.engine.params import ParamError
from app.errors import BadRequest
from app.protocol.codec import encode_frame

router = APIRouter(prefix="/api/models/mlp")
GRID = next(p for p in MLP.config if p.name == "grid")  # the session's own bounds: 8–64
BINARY = {200: {"content": {"application/octet-stream": {}}, "description": "a binary frame"}}


@lru_cache(maxsize=64)  # every size (57) once, ≤ 115 KB each
def _encoded(grid: int) -> bytes:
    header = {"type": "feature_maps", "grid": grid, "span": SPAN, "features": list(FEATURES)}
    return encode_frame(header, {"feature": candidate_feature_maps(grid)})


@router.get("/features", response_class=Response, responses=BINARY)
def feature_maps(grid: Annotated[int, Query(description="the maps are G × G, as config.grid")]) -> Response:
    """Every input feature over the plane's G × G pixel centres (the grid the session's maps use):
    a frame with ``feature`` [7, G, G] float32, in the header's ``features`` order."""
    try:
        size = GRID.check(grid, "grid")
    except ParamError as exc:
        raise BadRequest(exc.message, exc.field) from None
    return Response(_encoded(size), media_type="application/octet-stream")
