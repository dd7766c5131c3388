"""The model catalog."""

from fastapi import APIRouter

from app.engine.catalog import CATALOG

router = APIRouter(prefix="/api")


@router.get("/models")
def list_models() -> dict:
    """Every model with its config fields, live controls and the tensors its frames carry."""
    return {"models": [spec.describe() for spec in CATALOG.values()]}
