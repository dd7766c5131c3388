"""Run tokens kept between runs of a script: a run name belongs to whoever created it on a server, so
the SDK remembers the token per server and name (readable by this user only), and a script run again
keeps its name and the /inspect page that follows it."""

import json
import logging
import os
from pathlib import Path

log = logging.getLogger("nnlive.sdk")
TOKENS_FILE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "nnlive" / "run-tokens.json"
MAX_KEPT = 200


def _read() -> dict[str, str]:
    try:
        tokens = json.loads(TOKENS_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return tokens if isinstance(tokens, dict) else {}


def load(url: str, run: str) -> str | None:
    """The run token this user got for ``run`` on the server at ``url``, if any."""
    token = _read().get(f"{url} {run}")
    return token if isinstance(token, str) else None


def save(url: str, run: str, token: str) -> None:
    """Remember ``token`` for ``run`` on ``url`` (the newest ``MAX_KEPT``); failures are only logged."""
    tokens = _read()
    tokens.pop(f"{url} {run}", None)
    tokens[f"{url} {run}"] = token
    kept = dict(list(tokens.items())[-MAX_KEPT:])
    try:
        TOKENS_FILE.parent.mkdir(parents=True, exist_ok=True)
        temporary = TOKENS_FILE.with_suffix(".tmp")
        temporary.touch(mode=0o600)
        temporary.write_text(json.dumps(kept), encoding="utf-8")
        temporary.replace(TOKENS_FILE)
    except OSError as exc:
        log.info("nnlive: could not keep the run token (%s); a new run of this script gets a new name", exc)
