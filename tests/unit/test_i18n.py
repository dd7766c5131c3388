"""The translation layer: language choice, placeholders, and complete, matching catalogs."""

import json
import re
from pathlib import Path

import pytest

from app.api.recordings import SHIPPED
from app.engine.live.mlp import MLP
from app.i18n import LANGUAGES, choose_language, format_text, load_catalog, translator

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "static"
PLACEHOLDER = re.compile(r"\{(\w+)\}")

# Keys the code builds at run time (`conn.${status}` …): every value it can take.
DYNAMIC_KEYS = [
    *(f"conn.{s}" for s in ("connecting", "open", "reconnecting", "closed", "not_found", "replay")),
    *(f"state.{s}" for s in ("paused", "training")),
    *(f"error.{c}" for c in ("bad_request", "forbidden", "not_found", "limit", "busy", "unavailable")),
    *(f"error.{c}" for c in ("timeout", "disconnected", "closed", "other")),
    *(f"layer.pool_{op}" for op in ("avg", "max")),
    *(f"optimizer.{name}" for name in ("sgd", "sgd_momentum", "momentum", "adam", "rmsprop")),
    *(f"playground.{p.name}.{c}" for p in MLP.config if p.name in ("dataset", "loss") for c in p.choices),
    *(key for shipped in SHIPPED for key in (shipped.title_key, shipped.summary_key)),
]
# Literal keys in templates and scripts: t("k"), data-i18n="k", attr:k, setText(el, "k"), key: "k".
KEY_PATTERNS = [
    re.compile(r"""\bt\(\s*["']([a-z_]+\.[a-z_.]+)["']"""),
    re.compile(r"""data-i18n=["']([a-z_]+\.[a-z_.]+)["']"""),
    re.compile(r"""[\w-]+:([a-z_]+\.[a-z_.]+)["';]"""),
    re.compile(r"""setText\([^,]+,\s*["']([a-z_]+\.[a-z_.]+)["']"""),
    re.compile(r"""setAttributeText\([^,]+,[^,]+,\s*["']([a-z_]+\.[a-z_.]+)["']"""),
    re.compile(r"""[kK]ey:\s*["']([a-z_]+\.[a-z_.]+)["']"""),
    re.compile(r"""field\(\s*["']([a-z_]+\.[a-z_.]+)["']"""),
]


def ui_sources() -> list[Path]:
    """Templates, front-end scripts and the page routes: every place a key may be written."""
    scripts = (STATIC / "js").rglob("*.js")
    return [*(ROOT / "templates").glob("*.html"), *scripts, ROOT / "app" / "api" / "pages.py"]


def catalogs() -> dict[str, dict[str, str]]:
    return {lang: load_catalog(STATIC, lang) for lang in LANGUAGES}


def used_keys() -> set[str]:
    """Every literal i18n key in the templates and the front-end scripts."""
    keys: set[str] = set()
    for path in ui_sources():
        text = path.read_text(encoding="utf-8")
        for pattern in KEY_PATTERNS:
            keys.update(pattern.findall(text))
    return keys


@pytest.mark.parametrize(
    ("cookie", "accept", "expected"),
    [
        ("zh-CN", "en-US,en;q=0.9", "zh-CN"),
        ("en", "zh-CN", "en"),
        (None, "zh-TW,zh;q=0.9,en;q=0.8", "zh-CN"),
        (None, "fr-FR,fr;q=0.9,en;q=0.5,zh;q=0.4", "en"),
        (None, "fr, zh;q=0.8, en;q=0.9", "en"),
        (None, "en;q=0, zh-Hans;q=0.1", "zh-CN"),
        ("klingon", None, "en"),
        (None, "", "en"),
        (None, "zh;q=abc, en-GB", "en"),
    ],
)
def test_language_choice(cookie: str | None, accept: str | None, expected: str) -> None:
    """Cookie first, then Accept-Language by quality, then English."""
    assert choose_language(cookie, accept) == expected


def test_placeholders_fill_and_unknown_ones_stay() -> None:
    """Same rule as static/js/ui/i18n.js format()."""
    assert format_text("Step {n} of {total}", {"n": 3}) == "Step 3 of {total}"
    assert translator({"a.b": "{n} watching"})("a.b", n=2) == "2 watching"
    assert translator({})("missing.key") == "missing.key"


def test_catalogs_have_the_same_keys_and_placeholders() -> None:
    """English and Chinese are both complete, and each text takes the same parameters."""
    en, zh = catalogs()["en"], catalogs()["zh-CN"]
    assert set(en) == set(zh)
    for key, text in en.items():
        assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(zh[key])), key


def test_catalogs_are_flat_objects_of_strings() -> None:
    for lang in LANGUAGES:
        data = json.loads((STATIC / "i18n" / f"{lang}.json").read_text(encoding="utf-8"))
        assert all(isinstance(v, str) for v in data.values()), lang


def test_every_key_the_ui_uses_is_translated() -> None:
    """No key in a template or script (nor built at run time) is missing from the catalogs."""
    keys = used_keys() | set(DYNAMIC_KEYS)
    assert len(keys) > 50, "the key scan found too little: has the markup changed?"
    missing = sorted(keys - set(catalogs()["en"]))
    assert not missing


def test_every_catalog_text_is_used() -> None:
    """No dead strings: each key appears quoted somewhere in the UI sources (or is built there)."""
    text = "\n".join(path.read_text(encoding="utf-8") for path in ui_sources())
    quoted = set(re.findall(r"""["':}]([a-z_]+\.[a-z_.]+)["';{]""", text)) | set(DYNAMIC_KEYS)
    assert not sorted(set(catalogs()["en"]) - quoted)
