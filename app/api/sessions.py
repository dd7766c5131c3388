"""Create, inspect, export and end sessions."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from app.api.deps import Manager, bearer
from app.api.hosts import public_base
from app.api.lectures import lecture_url
from app.errors import BadRequest
from app.protocol.messages import Text
from app.sessions.manager import SessionManager
from app.sessions.session import Session

router = APIRouter(prefix="/api/sessions")


class CreateSession(BaseModel):
    """The body of POST /api/sessions."""

    model_config = ConfigDict(extra="forbid")
    model: str = Field(max_length=64)
    config: dict[str, Any] = Field(default_factory=dict, max_length=64)
    seed: int = Field(0, ge=0, le=2**31 - 1)
    precision: Literal["float16", "float32"] | None = None  # the model's default when omitted
    lecture: str | None = Field(None, max_length=64)  # a lecture room to show it in (with its key)
    lecture_key: str | None = Field(None, max_length=128)


@router.post("", status_code=201)
async def create_session(body: CreateSession, manager: Manager, request: Request) -> dict:
    """Start a session; the reply holds its control token and a link for viewers."""
    client = request.client.host if request.client else ""
    lecture = None if body.lecture is None else (body.lecture, body.lecture_key)
    model, config, seed, precision = body.model, body.config, body.seed, body.precision
    session = await manager.create(model, config, seed, precision, client, lecture=lecture)
    return _created(session, manager, request, body.lecture_key)


def _created(
    session: Session, manager: SessionManager, request: Request, joined_with: str | None = None
) -> dict:
    """A new session's info with its control token, a link for viewers, its lecture room and that
    room's presenter key (the creator's, who keeps it to take control back from anywhere; else the key
    it was ``joined_with``: a co-presenter's invite never gets the owner's key back)."""
    viewer_url = f"{public_base(request)}{session.spec.page}?session={session.id}"
    room = session.control.lecture or ""
    key, url = joined_with or manager.lectures.key(room), lecture_url(request, room)
    lecture = {"lecture": room, "lecture_key": key, "lecture_url": url}
    return {**session.info(), "token": session.token, "viewer_url": viewer_url, **lecture}


@router.post("/{session_id}/fork", status_code=201)
async def fork_session(session_id: str, manager: Manager, request: Request) -> dict:
    """Copy a session (any viewer may): same model, config, controls and seed, its current weights,
    step and curves; the copy has its own control token and counts toward the caller's limits."""
    client = request.client.host if request.client else ""
    session = await manager.fork(session_id, client)
    return _created(session, manager, request)


@router.get("/{session_id}")
def get_session(session_id: str, manager: Manager) -> dict:
    """Model, config, step, state and layer geometry of a session."""
    return manager.get(session_id).info()


@router.get("/{session_id}/weights")
async def get_weights(session_id: str, manager: Manager) -> Response:
    """The current state_dict as a safetensors file."""
    session = manager.get(session_id)
    session.charge_export()
    data = await session.run(session.weights)
    name = f"{session.spec.name}-{session.id}-step{session.step}.safetensors"
    disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(data, media_type="application/octet-stream", headers=disposition)


@router.put("/{session_id}/text")
async def put_text(
    session_id: str, request: Request, manager: Manager, authorization: Annotated[str | None, Header()] = None
) -> dict:
    """Upload a UTF-8 text (a corpus to learn from) to a session that takes text; needs the token."""
    session = manager.authorize(session_id, bearer(authorization))
    raw = await request.body()  # at most NNLIVE_MAX_UPLOAD_BYTES: the BodyLimit middleware
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"the text is not valid UTF-8 (byte {exc.start})", "body") from None
    # Not validated as a websocket message: an upload may exceed a message's size; the model checks the text.
    corpus = Text.model_construct(type="text", text=text, purpose="corpus")
    await session.run(session.apply, corpus)
    return {"chars": len(text)}


@router.post("/{session_id}/release", status_code=204)
async def release_session(
    session_id: str, manager: Manager, authorization: Annotated[str | None, Header()] = None
) -> Response:
    """The page driving the session goes away (needs the token): the session ends once nobody needs it,
    that is when nobody watches it, it neither trains nor waits to, and no presenter came back."""
    manager.release(session_id, bearer(authorization))
    return Response(status_code=204)


@router.delete("/{session_id}", status_code=204)
async def delete_session(
    session_id: str,
    manager: Manager,
    authorization: Annotated[str | None, Header()] = None,
    successor: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    """End a session (needs ``Authorization: Bearer <token>``); ``?successor=ID`` sends viewers there."""
    await manager.delete(session_id, bearer(authorization), successor)
    return Response(status_code=204)
