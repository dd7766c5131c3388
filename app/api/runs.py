"""Named runs of the Python SDK: start a run's session, and find the newest session of a run."""

from fastapi import APIRouter, Request

from app.api.deps import Manager
from app.engine.live.external import INSPECT
from app.errors import NotFound
from app.sessions.runs import Runs, check_run_name

router = APIRouter(prefix="/api/runs")


def _runs(request: Request) -> Runs:
    return request.app.state.runs


@router.get("")
def streaming_runs(manager: Manager, request: Request) -> dict:
    """The runs whose script streams to this server now, the most recently started first (/inspect
    without a run lists them)."""
    runs = _runs(request).streaming(manager)
    return {"runs": [{"run": n, "viewer_url": _viewer_path(n), "session": s.info()} for n, s in runs]}


def _viewer_path(name: str) -> str:
    return f"{INSPECT.page}?run={name}"


@router.post("/{name}", status_code=201)
async def start_run(name: str, manager: Manager, request: Request) -> dict:
    """A new session for run ``name`` (its driver sends frames); /inspect?run=NAME follows it."""
    check_run_name(name)
    client = request.client.host if request.client else ""
    session = await manager.create(INSPECT.name, {}, 0, None, client)
    _runs(request).record(name, session)
    viewer_url = f"{str(request.base_url).rstrip('/')}{_viewer_path(name)}"
    return {**session.info(), "run": name, "token": session.token, "viewer_url": viewer_url}


@router.get("/{name}")
def get_run(name: str, manager: Manager, request: Request) -> dict:
    """The newest live session of run ``name`` with its curves so far, or ``null`` while there is none
    (the script has not connected yet, or is reconnecting after a restart): /inspect asks again."""
    try:
        session = _runs(request).latest(name, manager)
    except NotFound:
        return {"run": name, "session": None, "curves": None}
    return {"run": name, "session": session.info(), "curves": session.live.curves()}
