"""Which web pages may open a session websocket."""

from urllib.parse import urlsplit


def origin_allowed(origin: str | None, host: str | None, allowed: list[str]) -> bool:
    """May a websocket from ``origin`` connect? Same host as the page, a listed origin, or no browser.

    Clients that are not browsers (scripts, the SDK) send no Origin and are let in; a browser page on
    another site is refused unless its origin is listed (``*`` lists every origin).
    """
    if origin is None:
        return True
    if "*" in allowed or origin.rstrip("/") in {a.rstrip("/") for a in allowed}:
        return True
    return host is not None and urlsplit(origin).netloc.lower() == host.lower()
