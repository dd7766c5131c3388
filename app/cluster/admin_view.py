"""The admin view of a whole deployment: the same admin request asked of every other live worker, whose
own app answers it (forwarded, so it answers for itself only)."""

import asyncio
import json
import logging
from typing import Any

from redis.exceptions import RedisError
from starlette.responses import Response
from starlette.types import Scope

from app.cluster.forward_http import FORWARDED, request_header
from app.cluster.node import Node
from app.errors import NnliveError

log = logging.getLogger(__name__)
ASK_TIMEOUT_S = 5.0  # a worker that died within its lease is still listed in Redis: do not wait long on it


def forwarded(scope: Scope) -> bool:
    """Whether this request came from another worker (then it is answered for this worker only)."""
    return bool(scope.get(FORWARDED))


async def other_workers_lists(node: Node, scope: Scope) -> list[tuple[str, dict[str, Any]]]:
    """Each other live worker's answer to this admin listing, with the worker's id; a worker that does
    not answer within ``ASK_TIMEOUT_S`` is left out (and logged)."""
    try:
        workers = [w for w in await node.registry.workers() if w != node.worker]
    except (RedisError, OSError) as error:
        log.warning("admin: the other workers are unknown, Redis is unavailable (%s)", error)
        return []
    asks = (asyncio.wait_for(node.call(w, request_header(scope)), ASK_TIMEOUT_S) for w in workers)
    answers = await asyncio.gather(*asks, return_exceptions=True)
    lists = []
    for worker, answer in zip(workers, answers, strict=True):
        if isinstance(answer, NnliveError | RedisError | OSError | TimeoutError):
            log.warning("admin: worker %s did not list its sessions (%s)", worker, answer)
        elif isinstance(answer, BaseException):
            raise answer
        elif answer[0]["status"] == 200:
            lists.append((worker, json.loads(answer[1])))
    return lists


async def end_elsewhere(node: Node, scope: Scope, session_id: str) -> Response | None:
    """Send this admin request to end ``session_id`` to its owner; its answer (None: no worker runs it)."""
    entry = await node.owner_of(session_id)
    if entry is None:
        return None
    answer, body = await node.call(entry.owner, request_header(scope))
    kind = dict(answer["headers"]).get("content-type")
    return Response(body, status_code=answer["status"], media_type=kind)
