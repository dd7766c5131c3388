"""Dependency aliases shared by the routers."""

from typing import Annotated

from fastapi import Depends, Request

from app.sessions.manager import SessionManager


def _manager(request: Request) -> SessionManager:
    return request.app.state.sessions


Manager = Annotated[SessionManager, Depends(_manager)]


def bearer(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, if there is one."""
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    return None
