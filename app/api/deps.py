"""Dependency aliases shared by the routers."""

from typing import Annotated

from fastapi import Depends, Request

from app.config import Settings
from app.sessions.manager import SessionManager


def _manager(request: Request) -> SessionManager:
    return request.app.state.sessions


def _settings(request: Request) -> Settings:
    return request.app.state.settings


Manager = Annotated[SessionManager, Depends(_manager)]
AppSettings = Annotated[Settings, Depends(_settings)]
