"""HTML pages: the home page and one page per model, rendered in the visitor's language."""

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from app.api.recordings import available
from app.errors import NotFound
from app.i18n import LANGUAGE_COOKIE, LANGUAGES, choose_language, load_catalog, translator

router = APIRouter()


@dataclass(frozen=True)
class Chapter:
    """A chapter of the curriculum: its texts (i18n keys) and its pages' paths in teaching order."""

    name: str
    title_key: str
    summary_key: str
    paths: tuple[str, ...]


# The curriculum, chapter one first. A path here without a Page yet (built on another branch) is not listed.
CHAPTERS = (
    Chapter(
        "one",
        "home.chapter_one",
        "home.chapter_one_summary",
        ("/learning", "/losses", "/optim", "/activations", "/backprop", "/playground"),
    ),
    Chapter("two", "home.chapter_two", "home.chapter_two_summary", ("/conv", "/pool", "/dropout", "/lenet")),
    Chapter(
        "three",
        "home.chapter_three",
        "home.chapter_three_summary",
        ("/rnn", "/handrnn", "/lstm", "/charrnn", "/embedding", "/attention", "/transformer"),
    ),
    Chapter("tools", "home.chapter_tools", "home.chapter_tools_summary", ("/inspect",)),
)
_CHAPTER_OF = {path: chapter.name for chapter in CHAPTERS for path in chapter.paths}


@dataclass(frozen=True)
class Page:
    """A model page listed on the home page; its texts are i18n keys."""

    path: str
    title_key: str
    summary_key: str

    @property
    def template(self) -> str:
        """The page's template: ``/conv`` → ``conv.html``."""
        return f"{self.path.strip('/')}.html"

    @property
    def chapter(self) -> str:
        """The curriculum chapter the page belongs to (CHAPTERS)."""
        return _CHAPTER_OF[self.path]


PAGES = (  # in the curriculum's order (CHAPTERS)
    Page("/learning", "page.learning.title", "page.learning.summary"),
    Page("/losses", "page.losses.title", "page.losses.summary"),
    Page("/optim", "page.optim.title", "page.optim.summary"),
    Page("/activations", "page.activations.title", "page.activations.summary"),
    Page("/backprop", "page.backprop.title", "page.backprop.summary"),
    Page("/playground", "page.playground.title", "page.playground.summary"),
    Page("/conv", "page.conv.title", "page.conv.summary"),
    Page("/pool", "page.pool.title", "page.pool.summary"),
    Page("/dropout", "page.dropout.title", "page.dropout.summary"),
    Page("/lenet", "page.lenet.title", "page.lenet.summary"),
    Page("/rnn", "page.rnn.title", "page.rnn.summary"),
    Page("/handrnn", "page.handrnn.title", "page.handrnn.summary"),
    Page("/lstm", "page.lstm.title", "page.lstm.summary"),
    Page("/charrnn", "page.charrnn.title", "page.charrnn.summary"),
    Page("/embedding", "page.embedding.title", "page.embedding.summary"),
    Page("/attention", "page.attention.title", "page.attention.summary"),
    Page("/transformer", "page.transformer.title", "page.transformer.summary"),
    Page("/inspect", "page.inspect.title", "page.inspect.summary"),
)


def chapters(pages: tuple[Page, ...] = PAGES) -> list[tuple[Chapter, list[Page]]]:
    """The chapters that have pages, in order, each with its pages in the curriculum's order."""
    by_path = {page.path: page for page in pages}
    grouped = [(chapter, [by_path[p] for p in chapter.paths if p in by_path]) for chapter in CHAPTERS]
    return [(chapter, listed) for chapter, listed in grouped if listed]


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
        {"lang": language, "languages": LANGUAGES, "catalog": catalog, "t": translator(catalog)}
        | {"pages": PAGES, "chapters": chapters()}
        | context,
    )
    response.headers["Content-Language"] = language
    response.headers["Vary"] = "Cookie, Accept-Language"
    return response


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(request: Request) -> HTMLResponse:
    """The home page: the model pages that exist."""
    return _render(request, "index.html")


@router.get("/replay", response_class=HTMLResponse, include_in_schema=False)
def replay(request: Request) -> HTMLResponse:
    """Open a recording, or one shipped with nnlive, and play it on the page it was made on (no session,
    no model)."""
    return _render(request, "replay.html", shipped=available(request.app.state.settings.static_dir))


def _page(page: Page):
    def show(request: Request) -> HTMLResponse:
        return _render(request, page.template)

    return show


for _each in PAGES:  # every model page: its template; `?session=ID` attaches to a running session
    router.add_api_route(
        _each.path, _page(_each), methods=["GET"], response_class=HTMLResponse, include_in_schema=False
    )


@router.get("/admin", response_class=HTMLResponse, include_in_schema=False)
def admin(request: Request) -> HTMLResponse:
    """The admin view; its token is typed into the page. Absent (404) while NNLIVE_ADMIN_TOKEN is unset."""
    if not request.app.state.settings.admin_token:
        raise NotFound("no page /admin")
    return _render(request, "admin.html")
