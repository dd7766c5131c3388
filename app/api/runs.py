"""Named runs of the Python SDK: start a run's session, and find the newest session of a run."""

from typing import Annotated

from fastapi import APIRouter, Header, Request

from app.api.deps import Manager, bearer
from app.api.hosts import public_base
from app.engine.live.external import INSPECT
from app.errors import NotFound
from app.sessions.runs import Runs, check_run_name

router = APIRouter(prefix="/api/runs")


def _runs(request: Request) -> Runs:
    return request.app.state.runs


@router.post("/{name}", status_code=201)
async def start_run(
    name: str, manager: Manager, request: Request, authorization: Annotated[str | None, Header()] = None
) -> dict:
    """A new session for run ``name`` (its driver sends frames); /inspect?run=NAME follows it. A name
    already taken needs its run token (``Authorization: Bearer <run_token>``); without it the reply's
    ``run`` is a free name (``name-2``…) with its own ``run_token``."""
    name, run_token = _runs(request).claim(check_run_name(name), bearer(authorization))
    client = request.client.host if request.client else ""
    session = await manager.create(INSPECT.name, {}, 0, None, client)
    _runs(request).record(name, run_token, session)
    viewer_url = f"{public_base(request)}{INSPECT.page}?run={name}"
    reply = {"run": name, "run_token": run_token, "token": session.token, "viewer_url": viewer_url}
    return {**session.info(), **reply}


@router.get("/{name}")
def get_run(name: str, manager: Manager, request: Request) -> dict:
    """The newest live session of run ``name`` with its curves so far, or ``null`` while there is none
    (the script has not connected yet, or is reconnecting after a restart): /inspect asks again."""
    try:
        session = _runs(request).latest(name, manager)
    except NotFound:
        return {"run": name, "session": None, "curves": None}
    return {"run": name, "session": session.info(), "curves": session.live.curves()}
