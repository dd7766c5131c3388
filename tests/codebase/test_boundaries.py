"""The layout holds: each package imports only what its layer may (read from the source with ``ast``, never
by importing it), and every setting is documented in docs/deploying.md."""

import ast
import re
from pathlib import Path

import pytest

from app.config import Settings

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"
DEPLOYING = ROOT / "docs" / "deploying.md"
WEB = ("fastapi", "starlette", "jinja2", "uvicorn")
SETTING_NAME = re.compile(r"\bNNLIVE_[A-Z][A-Z0-9_]*\b")
# Where a setting may be named for people to read or set: code, docs, pages, scripts (not the tests).
MENTIONS = ("app", "docs", "bench", "templates", "static/js", ".ci", "README.md", "Dockerfile")


def module_name(path: Path) -> str:
    """``app/protocol/codec.py`` → ``app.protocol.codec``; a package's ``__init__.py`` is the package."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(source: str, module: str, is_package: bool = False) -> set[str]:
    """Every module ``source`` imports (anywhere in it, lazily too), relative imports resolved."""
    package = module if is_package else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def package_imports(package: str) -> dict[str, set[str]]:
    """``{module: imports}`` for every Python file of ``package`` (e.g. ``app.engine``)."""
    directory = ROOT.joinpath(*package.split("."))
    return {
        module_name(path): imports_of(path.read_text(), module_name(path), path.name == "__init__.py")
        for path in sorted(directory.rglob("*.py"))
    }


def offending(imports: dict[str, set[str]], forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    """The imports of each module that are, or are inside, one of ``forbidden``."""
    bad = {
        module: sorted(n for n in names if any(n == f or n.startswith(f"{f}.") for f in forbidden))
        for module, names in imports.items()
    }
    return {module: names for module, names in bad.items() if names}


def app_closure(start: str) -> set[str]:
    """Every module that importing the modules of package ``start`` imports, following app's own modules."""
    graph = package_imports("app")
    todo, seen = [m for m in graph if m == start or m.startswith(f"{start}.")], set()
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        for name in graph.get(module, ()):
            seen.add(name)
            if name in graph:
                todo.append(name)
    return seen


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("app.protocol", (*WEB, "torch")),
        ("app.realtime", ("torch",)),
        ("app.bus", ("torch",)),
        ("app.engine", (*WEB, "app.api", "app.realtime", "app.sessions")),
    ],
)
def test_package_imports_stay_in_their_layer(package: str, forbidden: tuple[str, ...]):
    imports = package_imports(package)
    assert imports, f"no modules found in {package}"
    assert offending(imports, forbidden) == {}


def test_the_protocol_stays_pure_even_through_app_modules():
    """Clients import app.protocol: nothing it pulls in, even through app's modules, is web or torch."""
    closure = {name.split(".")[0] for name in app_closure("app.protocol")}
    assert closure.isdisjoint({*WEB, "torch"}), closure


def test_the_checker_sees_every_form_of_import():
    source = (
        "import torch.nn as nn\n"
        "from fastapi import APIRouter\n"
        "from . import codec\n"
        "from ..sessions.manager import channel\n"
        "def lazy():\n"
        "    import starlette.websockets\n"
    )
    imports = {"app.realtime.rooms": imports_of(source, "app.realtime.rooms")}
    assert offending(imports, ("torch", "starlette", "fastapi", "app.sessions", "app.realtime.codec")) == {
        "app.realtime.rooms": [
            "app.realtime.codec",
            "app.sessions.manager",
            "app.sessions.manager.channel",
            "fastapi",
            "fastapi.APIRouter",
            "starlette.websockets",
            "torch.nn",
        ]
    }
    assert offending(imports, ("torc", "app.session")) == {}


# -- settings and their documentation ------------------------------------------------------------------


def env_name(field: str) -> str:
    return f"NNLIVE_{field.upper()}"


def undocumented(names: set[str], doc: str) -> set[str]:
    """The setting names that ``doc`` never mentions."""
    return names - set(SETTING_NAME.findall(doc))


def mentioned_setting_names() -> dict[str, set[Path]]:
    """Every ``NNLIVE_*`` name written in the project, with the files that write it."""
    found: dict[str, set[Path]] = {}
    for entry in MENTIONS:
        path = ROOT / entry
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for file in files:
            if "vendor" in file.parts or file.suffix in {".png", ".svg", ".woff2", ".ico", ".pyc"}:
                continue
            for name in SETTING_NAME.findall(file.read_text(errors="replace")):
                found.setdefault(name, set()).add(file.relative_to(ROOT))
    return found


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_every_setting_is_documented(field: str):
    assert DEPLOYING.exists(), "docs/deploying.md is missing"
    assert undocumented({env_name(field)}, DEPLOYING.read_text()) == set(), (
        f"{env_name(field)} (app/config.py Settings.{field}) is not documented in docs/deploying.md"
    )


def test_every_setting_name_written_anywhere_is_a_real_documented_setting():
    real = {env_name(field) for field in Settings.model_fields}
    mentioned = mentioned_setting_names()
    assert {name: files for name, files in mentioned.items() if name not in real} == {}
    assert undocumented(set(mentioned), DEPLOYING.read_text()) == set()


def test_the_documentation_check_catches_a_missing_setting():
    doc = "| `NNLIVE_DEVICE` | `auto` | … |\n| `NNLIVE_FRAME_RATE_MAX` | … |"
    assert undocumented({"NNLIVE_DEVICE", "NNLIVE_FRAME_RATE"}, doc) == {"NNLIVE_FRAME_RATE"}
