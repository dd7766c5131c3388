"""HTML pages: the home page and one page per model, rendered in the visitor's language."""

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from app.i18n import LANGUAGE_COOKIE, LANGUAGES, choose_language, load_catalog, translator

router = APIRouter()


@dataclass(frozen=True)
class Page:
    """A model page listed on the home page; its texts are i18n keys."""

    path: str
    title_key: str
    summary_key: str


PAGES = (
    Page("/lenet", "page.lenet.title", "page.lenet.summary"),
    Page("/pool", "page.pool.title", "page.pool.summary"),
    Page("/dropout", "page.dropout.title", "page.dropout.summary"),
    Page("/conv", "page.conv.title", "page.conv.summary"),
    Page("/charrnn", "page.charrnn.title", "page.charrnn.summary"),
    Page("/lstm", "page.lstm.title", "page.lstm.summary"),
    Page("/rnn", "page.rnn.title", "page.rnn.summary"),
)


@lru_cache(maxsize=8)
def _templates(directory: Path) -> Jinja2Templates:
    """One template environment per templates directory (compiled templates are reused)."""
    return Jinja2Templates(directory=directory)


def _render(request: Request, template: str, **context: object) -> HTMLResponse:
    """Render a page in the language chosen by cookie, else Accept-Language."""
    settings = request.app.state.settings
    language = choose_language(request.cookies.get(LANGUAGE_COOKIE), request.headers.get("accept-language"))
    catalog = load_catalog(settings.static_dir, language)
    response = _templates(settings.templates_dir).TemplateResponse(
        request,
        template,
        {"lang": language, "languages": LANGUAGES, "catalog": catalog, "t": translator(catalog)} | context,
    )
    response.headers["Content-Language"] = language
    response.headers["Vary"] = "Cookie, Accept-Language"
    return response


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(request: Request) -> HTMLResponse:
    """The home page: the model pages that exist."""
    return _render(request, "index.html", pages=PAGES)


@router.get("/lenet", response_class=HTMLResponse, include_in_schema=False)
def lenet(request: Request) -> HTMLResponse:
    """The LeNet-5 page; `?session=ID` attaches to an existing session."""
    return _render(request, "lenet.html")


@router.get("/pool", response_class=HTMLResponse, include_in_schema=False)
def pool(request: Request) -> HTMLResponse:
    """Max and average pooling, forward and backward; `?session=ID` attaches to a session."""
    return _render(request, "pool.html")


@router.get("/dropout", response_class=HTMLResponse, include_in_schema=False)
def dropout(request: Request) -> HTMLResponse:
    """nn.Dropout on an activation map, train and eval mode; `?session=ID` attaches to a session."""
    return _render(request, "dropout.html")


@router.get("/conv", response_class=HTMLResponse, include_in_schema=False)
def conv(request: Request) -> HTMLResponse:
    """The convolution, position by position; `?session=ID` attaches to a session."""
    return _render(request, "conv.html")


@router.get("/rnn", response_class=HTMLResponse, include_in_schema=False)
def rnn(request: Request) -> HTMLResponse:
    """nn.RNN unrolled, beside a hand-written loop; `?session=ID` attaches to a session."""
    return _render(request, "rnn.html")


@router.get("/lstm", response_class=HTMLResponse, include_in_schema=False)
def lstm(request: Request) -> HTMLResponse:
    """LSTM gates step by step and RNN vs LSTM long memory; `?session=ID` attaches to a session."""
    return _render(request, "lstm.html")


@router.get("/charrnn", response_class=HTMLResponse, include_in_schema=False)
def charrnn(request: Request) -> HTMLResponse:
    """A character-level RNN learning to write; `?session=ID` attaches to a session."""
    return _render(request, "charrnn.html")
