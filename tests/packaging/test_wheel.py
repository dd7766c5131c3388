"""The wheel works away from the checkout: built from this tree (offline, no build isolation), installed
into a fresh virtual environment (its dependencies from the running environment), it serves pages with
their scripts, styles and catalogs from the installed copy, and ``import nnlive`` is its public API."""

import subprocess
import sys
import sysconfig
import urllib.request
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import __version__
from app.api.pages import PAGES
from app.api.recordings import SHIPPED

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from this checkout."""
    out = tmp_path_factory.mktemp("wheel")
    offline = ["--no-deps", "--no-build-isolation", "--no-index"]
    command = [sys.executable, "-m", "pip", "wheel", *offline, "-q", "-w", out, ROOT]
    subprocess.run(command, check=True, cwd=out, timeout=300)
    return next(out.glob("nnlive-*.whl"))


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel installed (not editable); its python. Its dependencies are those of
    the environment running the tests (a .pth file names its site-packages: no download), which come
    after the venv's own, so the venv's ``app`` is the wheel's even beside an editable checkout."""
    env = tmp_path_factory.mktemp("venv")
    venv.create(env, with_pip=True)
    python = env / "bin" / "python"
    site = Path(
        subprocess.check_output(
            [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], text=True
        ).strip()
    )
    ours = sysconfig.get_paths()
    (site / "running_environment.pth").write_text(f"{ours['purelib']}\n{ours['platlib']}\n")
    install = [python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", wheel]
    subprocess.run(install, check=True, timeout=300)
    return python


def test_the_wheel_ships_static_templates_and_the_public_package(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for source in [*ROOT.glob("static/**/*"), *ROOT.glob("templates/*")]:
        if source.is_file() and "__pycache__" not in source.parts:
            assert f"app/{source.relative_to(ROOT)}" in names
    assert "nnlive/__init__.py" in names


@pytest.fixture
def served(installed: Path, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """``nnlive serve`` of the installed copy, run outside the checkout: its URL and the venv."""
    nnlive = installed.parent / "nnlive"
    command = [nnlive, "serve", "--port", "0"]
    # `with`: the pipe is closed and the process waited for on the way out
    with subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, text=True) as process:
        try:
            url = process.stdout.readline().split(" at ", 1)[1].split(" ", 1)[0]
            yield url, installed.parent.parent
        finally:
            process.terminate()


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=120) as response:
        assert response.status == 200
        return response.read()


def test_the_installed_copy_serves_every_page_with_its_files(served: tuple[str, Path]) -> None:
    url, _ = served
    for path in ("/", "/replay", *(page.path for page in PAGES)):
        page = get(f"{url}{path}").decode()
        scripts = [part.split('"', 1)[0] for part in page.split('src="')[1:]]
        styles = [part.split('"', 1)[0] for part in page.split('rel="stylesheet" href="')[1:]]
        assert scripts, path
        assert styles, path
        for asset in scripts + styles:
            assert get(f"{url}{asset}") == (ROOT / asset.lstrip("/")).read_bytes()
    assert get(f"{url}/static/i18n/zh-CN.json") == (ROOT / "static/i18n/zh-CN.json").read_bytes()
    for shipped in SHIPPED:  # /replay's recordings come with the package
        assert get(f"{url}{shipped.url}") == (ROOT / shipped.url.lstrip("/")).read_bytes()


def test_import_nnlive_comes_from_the_installed_copy(installed: Path, tmp_path: Path) -> None:
    probe = "import app, nnlive; print(nnlive.__version__, app.__file__, nnlive.connect.__module__)"
    out = subprocess.run([installed, "-c", probe], cwd=tmp_path, check=True, capture_output=True, text=True)
    version, server_file, module = out.stdout.split()
    assert version == __version__
    assert Path(server_file).is_relative_to(installed.parent.parent)
    assert module == "app.sdk.run"


def test_a_foreign_app_package_first_on_the_path_is_named(installed: Path, tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")  # the user's own FastAPI project, say
    command = [installed, "-c", "import nnlive"]
    out = subprocess.run(command, check=False, cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode != 0
    assert "another package named 'app'" in out.stderr
