"""Client messages for tests that hand one to a model or session: parsed as the websocket parses them."""

import json
from typing import Any

from app.protocol.messages import parse_message


def typed(raw: dict[str, Any]) -> Any:
    """The typed message that a client sending ``raw`` as JSON would make (or MessageError)."""
    return parse_message(json.dumps(raw))
