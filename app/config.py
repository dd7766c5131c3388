"""Typed settings read from the environment (prefix NNLIVE_), with safe defaults for a local demo."""

import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# A page allowed to frame /inspect: an origin (``https://hub.example.org``, ``*`` in host or port) or a
# scheme (``vscode-webview:``); nothing that could end the policy's directive (nor an IPv6 address, which
# CSP cannot name).
FRAME_ANCESTOR = r"^([a-z][a-z0-9+.-]*://[A-Za-z0-9.*:-]+|[a-z][a-z0-9+.-]*:)$"
PACKAGE = Path(__file__).resolve().parent


def default_data_dir() -> str:
    """Where a server keeps what outlives it (session snapshots): ``$XDG_DATA_HOME/nnlive``."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(base) / "nnlive")


def web_dir(name: str) -> Path:
    """``static`` or ``templates``: inside the package when installed from a wheel (the build copies them
    there), else at the top of the source checkout, where they live (an editable install, a clone)."""
    packaged = PACKAGE / name
    return packaged if packaged.is_dir() else PACKAGE.parent / name


class Settings(BaseSettings):
    """Every knob of a server. Each field is documented in docs/deploying.md."""

    model_config = SettingsConfigDict(env_prefix="NNLIVE_", frozen=True)

    device: Literal["auto", "cpu", "cuda"] = "auto"
    bus_url: str = "memory://"
    frame_rate: float = Field(30.0, gt=0, le=120)
    frame_budget: float = Field(0.04, gt=0, le=1)
    max_sessions: int = Field(100, ge=1)
    max_sessions_per_client: int = Field(50, ge=1)
    max_viewers: int = Field(500, ge=1)
    session_idle_s: float = Field(1800.0, gt=0)
    presenter_grace_s: float = Field(900.0, gt=0)
    allowed_origins: list[str] = []
    allowed_hosts: list[str] = []
    public_url: str = ""
    frame_ancestors: list[Annotated[str, Field(pattern=FRAME_ANCESTOR)]] = []
    max_message_bytes: int = Field(256 * 1024, ge=1024)
    max_upload_bytes: int = Field(1024 * 1024, ge=1024)
    max_frame_bytes: int = Field(4 * 1024 * 1024, ge=1024)
    max_frame_bytes_per_s: int = Field(32 * 1024 * 1024, ge=1024)
    torch_threads: int = Field(1, ge=0)
    max_training: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    admin_token: str = ""
    max_steps_per_s: float = Field(50.0, gt=0)
    max_messages_per_s: float = Field(250.0, gt=0)
    data_dir: str = Field(default_factory=default_data_dir)  # "" keeps no snapshots
    snapshot_url: str = ""  # redis://host:port/db keeps the snapshots in Redis instead
    snapshot_interval_s: float = Field(10.0, gt=0)
    static_dir: Path = Field(default_factory=lambda: web_dir("static"))
    templates_dir: Path = Field(default_factory=lambda: web_dir("templates"))


@lru_cache
def get_settings() -> Settings:
    """The settings of this process, read once from the environment."""
    return Settings()
