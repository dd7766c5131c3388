"""Lecture rooms: ``/l/{room}`` leads to the page of the session the room shows now (the projected link
and QR code), and the room's presenter key (or an invite's) gets a presenter the current session's control
token; the owner's key makes and revokes co-presenter invites."""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Header, Request
from fastapi.responses import RedirectResponse, Response

from app.api.deps import Manager, bearer
from app.api.hosts import public_base

router = APIRouter()


def lecture_url(request: Request, room: str) -> str:
    """The link that always shows the lecture ``room``'s current session."""
    return f"{public_base(request)}/l/{room}"


@router.get("/l/{room}")
def enter_lecture(room: str, manager: Manager, request: Request) -> RedirectResponse:
    """Redirect to the page of the room's current session, the link's other query values kept (the
    view state); a fragment (a presenter key) stays in the browser, which keeps it across the redirect."""
    session = manager.get(manager.lectures.current(room))
    view = [(k, v) for k, v in request.query_params.multi_items() if k != "session"]
    query = urlencode([("session", session.id), *view])
    return RedirectResponse(f"{session.spec.page}?{query}", status_code=303)


@router.post("/api/lectures/{room}/claim")
def claim_lecture(room: str, manager: Manager, authorization: Annotated[str | None, Header()] = None) -> dict:
    """With ``Authorization: Bearer <presenter key>``: the room's current session and its control token,
    so that a presenter who lost the tab (or a co-presenter) presents it from any device."""
    session = manager.get(manager.lectures.authorize(room, bearer(authorization)))
    return {**session.info(), "token": session.presenter_token(), "lecture": room}


@router.post("/api/lectures/{room}/invites", status_code=201)
def invite_presenter(
    room: str, manager: Manager, authorization: Annotated[str | None, Header()] = None
) -> dict:
    """With the owner's presenter key: a co-presenter invite, its id (to revoke it) and its own key."""
    invite, key = manager.lectures.invite(room, bearer(authorization))
    return {"lecture": room, "invite": invite, "key": key}


@router.delete("/api/lectures/{room}/invites/{invite}", status_code=204)
def revoke_invite(
    room: str, invite: str, manager: Manager, authorization: Annotated[str | None, Header()] = None
) -> Response:
    """With the owner's presenter key: invite ``invite`` no longer claims the room."""
    manager.lectures.revoke(room, bearer(authorization), invite)
    return Response(status_code=204)
