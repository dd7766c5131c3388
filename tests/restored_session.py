"""A small session as a snapshot brings it back (its token unknown, its hash kept), for tests of what a
worker registers and serves of it."""

import torch
from clock import ManualClock

from app.cluster.registry import token_hash
from app.engine.catalog import CATALOG
from app.sessions.session import Session


def restored_session(session_id: str = "s1", token: str = "secret") -> Session:
    """A backprop session whose token hash is that of ``token``; close it after use."""
    spec = CATALOG["backprop"]
    config, controls = spec.validate_config({}), {p.name: p.default for p in spec.controls}
    return Session(
        session_id=session_id,
        token="",
        token_hash=token_hash(token),
        spec=spec,
        config=config,
        controls=controls,
        seed=0,
        precision=spec.precision,
        live=spec.build(config, controls, 0, torch.device("cpu")),
        emit=lambda stream, payload: None,
        frame_interval=0.0,
        clock=ManualClock(),
    )
