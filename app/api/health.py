"""Liveness and what the server runs on."""

import torch
from fastapi import APIRouter, Request

from app import __version__

router = APIRouter()


@router.get("/healthz")
def healthz(request: Request) -> dict:
    """Status, versions, device and session count."""
    return {
        "status": "ok",
        "version": __version__,
        "torch": torch.__version__,
        "device": str(request.app.state.device),
        "sessions": len(request.app.state.sessions),
    }
