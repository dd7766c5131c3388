"""Every HTTP error is JSON: ``{"error": {"code", "message", "field"?}}``."""

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from app.errors import NnliveError

_CODES = {403: "forbidden", 404: "not_found", 405: "bad_request", 413: "limit", 429: "limit"}


def error_response(status: int, code: str, message: str, field: str | None = None) -> JSONResponse:
    """The JSON error body with its status (text from the input is made proper Unicode to be echoed)."""
    body = {"code": code, "message": _printable(message), **({"field": _printable(field)} if field else {})}
    return JSONResponse({"error": body}, status_code=status)


def _printable(text: str) -> str:
    """``text`` with lone surrogates (which UTF-8 cannot carry) replaced by U+FFFD."""
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


async def _nnlive_error(_request: Request, exc: NnliveError) -> JSONResponse:
    response = error_response(exc.status, exc.code, exc.message, exc.field)
    if exc.retry_after is not None:
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    first = exc.errors()[0]
    loc = [str(p) for p in first["loc"] if p != "body"]
    return error_response(422, "bad_request", first["msg"], ".".join(loc) or None)


async def _http_error(_request: Request, exc: HTTPException) -> JSONResponse:
    return error_response(exc.status_code, _CODES.get(exc.status_code, "bad_request"), str(exc.detail))


def install_error_handlers(app: FastAPI) -> None:
    """Route domain, validation and HTTP errors through one JSON shape."""
    app.add_exception_handler(NnliveError, _nnlive_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
