"""Server-side translation for templates, from the same catalogs as static/js/ui/i18n.js.

Catalogs are flat JSON objects ``{key: text}`` in ``<static_dir>/i18n/<lang>.json``; texts may hold
``{name}`` placeholders. The language is the cookie ``nnlive_lang`` when it names a supported one,
else the best match in ``Accept-Language``, else English.
"""

import json
import re
from collections.abc import Callable
from pathlib import Path

LANGUAGES = ("en", "zh-CN")
DEFAULT_LANGUAGE = "en"
LANGUAGE_COOKIE = "nnlive_lang"

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def match_language(tag: str) -> str | None:
    """The supported language for one BCP 47 tag (any ``zh`` → ``zh-CN``), or None."""
    tag = tag.strip().lower()
    if tag == "zh" or tag.startswith("zh-"):
        return "zh-CN"
    if tag == "en" or tag.startswith("en-"):
        return "en"
    return None


def _accepted_tags(accept_language: str) -> list[str]:
    """The tags of an Accept-Language header, most wanted first (q=0 dropped)."""
    weighted = []
    for position, item in enumerate(accept_language.split(",")):
        tag, _, params = item.partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag.strip() and quality > 0:
            weighted.append((-quality, position, tag.strip()))
    return [tag for _, _, tag in sorted(weighted)]


def choose_language(cookie: str | None, accept_language: str | None) -> str:
    """The page language: the cookie's when supported, else Accept-Language's best, else en."""
    if cookie in LANGUAGES:
        return cookie
    for tag in _accepted_tags(accept_language or ""):
        language = match_language(tag)
        if language:
            return language
    return DEFAULT_LANGUAGE


def load_catalog(static_dir: Path, language: str) -> dict[str, str]:
    """The catalog of one supported language."""
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}")
    path = static_dir / "i18n" / f"{language}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def format_text(template: str, params: dict[str, object]) -> str:
    """Fill ``{name}`` placeholders; unknown ones stay as written (same rule as the JS side)."""
    return _PLACEHOLDER.sub(
        lambda m: str(params[m.group(1)]) if m.group(1) in params else m.group(0), template
    )


def translator(catalog: dict[str, str]) -> Callable[..., str]:
    """``t(key, **params)`` over one catalog; a missing key renders as itself."""

    def t(key: str, **params: object) -> str:
        return format_text(catalog.get(key, key), params)

    return t
