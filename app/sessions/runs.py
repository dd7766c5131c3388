"""Named runs: the SDK names its run, and /inspect?run=NAME follows the newest session of that name,
so a page keeps watching a script across reconnects and server restarts.

A name belongs to its first creator: creating it hands out a run token, and only a creator presenting
that token starts further sessions under the name. Anyone else asking for a taken name gets a free one
(``name-2``, ``name-3``…) with a token of its own, so nobody can redirect a run's viewers.
"""

import hmac
import itertools
import re
import secrets

from app.errors import BadRequest, NotFound
from app.sessions.manager import SessionManager
from app.sessions.session import Session

RUN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
MAX_RUNS = 1000


def check_run_name(name: str) -> str:
    """The name if it is 1–64 letters, digits, ``_``, ``.`` or ``-`` (starting with a letter or digit)."""
    if not RUN_NAME.fullmatch(name):
        raise BadRequest("a run name is 1–64 letters, digits, '_', '.' or '-'", "name")
    return name


class Runs:
    """Run name → its newest session id and its run token, for the sessions of this process."""

    def __init__(self) -> None:
        self._latest: dict[str, str] = {}
        self._tokens: dict[str, str] = {}

    def claim(self, name: str, token: str | None) -> tuple[str, str]:
        """The name a creator gets and its run token: ``name`` if it is free or ``token`` is its run
        token, else the first free ``name-N`` with a new token."""
        held = self._tokens.get(name)
        if held is not None and token and hmac.compare_digest(token.encode(), held.encode()):
            return name, held
        if held is not None:
            stem = name[:58]
            name = next(f"{stem}-{n}" for n in itertools.count(2) if f"{stem}-{n}" not in self._tokens)
        return name, secrets.token_urlsafe(24)

    def record(self, name: str, token: str, session: Session) -> None:
        """``session`` is now the one to watch for run ``name``, which ``token`` owns."""
        self._latest.pop(name, None)  # re-inserted last: the oldest names go first when full
        self._tokens.pop(name, None)
        self._latest[name], self._tokens[name] = session.id, token
        while len(self._latest) > MAX_RUNS:
            oldest = next(iter(self._latest))
            del self._latest[oldest], self._tokens[oldest]

    def latest(self, name: str, manager: SessionManager) -> Session:
        """The newest session of run ``name`` that still exists, or NotFound."""
        session_id = self._latest.get(check_run_name(name))
        if session_id is None:
            raise NotFound(f"no run {name!r} on this server")
        return manager.get(session_id)
