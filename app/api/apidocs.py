"""/docs (Swagger UI) and /redoc over the app's OpenAPI schema, from libraries vendored in static/vendor:
nothing is fetched from a CDN and the pages pass the Content-Security-Policy (no inline script).

ReDoc styles itself with ``<style>`` elements it writes at run time (styled-components), so /redoc's
policy allows inline styles; scripts stay the app's own, as on every page. Its search (a worker made
from a blob) is off, and the attribution logo it links from its CDN is blocked by the policy.
"""

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from app.api.security import CONTENT_SECURITY_POLICY

router = APIRouter(include_in_schema=False)
OPENAPI_URL = "/openapi.json"
REDOC_POLICY = CONTENT_SECURITY_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")

_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>nnlive API</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">{head}</head>
<body>{body}</body>
</html>
"""
SWAGGER = _PAGE.format(
    head='<link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css">',
    body=(
        f'<div id="swagger-ui" data-openapi="{OPENAPI_URL}"></div>'
        '<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>'
        '<script src="/static/js/pages/apidocs.js"></script>'
    ),
)
REDOC = _PAGE.format(
    head="",
    body=(
        f'<redoc spec-url="{OPENAPI_URL}" disable-search></redoc>'  # search runs in a blob: worker
        '<script src="/static/vendor/redoc/redoc.standalone.js"></script>'
    ),
)


@router.get("/docs")
def swagger_ui() -> HTMLResponse:
    """Swagger UI: try the HTTP API from the browser."""
    return HTMLResponse(SWAGGER)


@router.get("/redoc")
def redoc() -> HTMLResponse:
    """ReDoc: the HTTP API as a readable reference."""
    return HTMLResponse(REDOC, headers={"Content-Security-Policy": REDOC_POLICY})
