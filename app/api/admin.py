"""The admin view's API: every session with what it costs, and ending one. Off unless NNLIVE_ADMIN_TOKEN."""

import asyncio
import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request, Response

from app.api.deps import Manager, bearer
from app.engine.worker import WorkerBusy, WorkerClosed
from app.errors import Forbidden, NotFound
from app.sessions.footprint import resident_bytes
from app.sessions.session import Session

FOOTPRINT_TIMEOUT_S = 5.0


def require_admin(request: Request, authorization: Annotated[str | None, Header()] = None) -> None:
    """404 while the admin view is off; 403 unless the bearer token is the admin token."""
    expected = request.app.state.settings.admin_token
    if not expected:
        raise NotFound("the admin view is off (NNLIVE_ADMIN_TOKEN is not set)")
    given = bearer(authorization)
    if not given or not hmac.compare_digest(given.encode(), expected.encode()):
        raise Forbidden("the admin token is required")


router = APIRouter(prefix="/api/admin", dependencies=[Depends(require_admin)])


@router.get("/sessions")
async def list_sessions(manager: Manager, request: Request) -> dict:
    """Every session (id, model, state, step, viewers, client, age, idle time, CPU, memory) and totals;
    with several workers, every worker's (each row names its ``worker``; the RSS is their sum)."""
    sessions = manager.all()
    footprints = await asyncio.gather(*(_footprint(s) for s in sessions))
    rows = [_row(s, memory) for s, memory in zip(sessions, footprints, strict=True)]
    rss, workers = resident_bytes(), 1
    cluster = request.app.state.cluster
    if cluster is not None:  # app/cluster is imported only with a Redis bus
        from app.cluster.admin_view import forwarded, other_workers_lists

        rows = [{**row, "worker": cluster.worker} for row in rows]
        if not forwarded(request.scope):
            for worker, answer in await other_workers_lists(cluster, request.scope):
                rows += [{**row, "worker": worker} for row in answer["sessions"]]
                rss, workers = rss + answer["totals"]["rss_bytes"], workers + 1
    totals = {
        "rss_bytes": rss,
        "workers": workers,
        "sessions": len(rows),
        "viewers": sum(row["viewers"] for row in rows),
        "queue": manager.training_queue.counts(),
    }
    return {"sessions": rows, "totals": totals}


@router.delete("/sessions/{session_id}", status_code=204)
async def end_session(session_id: str, manager: Manager, request: Request) -> Response:
    """End a session (any worker's); its viewers get ``{"type": "closed", "reason": "admin"}``."""
    try:
        await manager.end(session_id, "admin")
    except NotFound:
        cluster = request.app.state.cluster
        if cluster is None:
            raise
        from app.cluster.admin_view import end_elsewhere, forwarded

        answer = None if forwarded(request.scope) else await end_elsewhere(cluster, request.scope, session_id)
        if answer is None:
            raise
        return answer
    return Response(status_code=204)


async def _footprint(session: Session) -> int | None:
    """The session's tensor bytes, measured on its worker; None when it cannot answer in time.

    It goes to the worker directly, not through ``Session.run``: looking must not count as activity,
    or an open admin page would keep every session from expiring.
    """
    try:
        return await asyncio.wait_for(session.worker.call(session.footprint), FOOTPRINT_TIMEOUT_S)
    except (WorkerBusy, WorkerClosed, TimeoutError):
        return None


def _row(session: Session, memory: int | None) -> dict[str, Any]:
    return {
        "id": session.id,
        "model": session.spec.name,
        "state": session.state,
        "place": session.place,
        "step": session.step,
        "viewers": session.viewers,
        "client": session.client,
        "created": session.created,
        "idle_s": session.idle_s(),
        "cpu_s": session.worker.cpu_seconds(),
        "memory_bytes": memory,
    }
