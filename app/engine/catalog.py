"""The model catalog: every model family a session can run, by name."""

from app.engine.live.base import ModelSpec
from app.engine.live.lenet import LENET

CATALOG: dict[str, ModelSpec] = {spec.name: spec for spec in (LENET,)}
