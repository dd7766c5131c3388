"""Dependency aliases shared by the routers."""

from typing import Annotated

from fastapi import Depends, Request

from app.sessions.manager import SessionManager


def _manager(request: Request) -> SessionManager:
    return request.app.state.sessions


Manager = Annotated[SessionManager, Depends(_manager)]
