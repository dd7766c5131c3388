"""The wheel carries static/ and templates/ inside the ``app`` package (app/static, app/templates), while
in the repository they stay at the top: the build copies them in (app/config.py finds either place).
Everything else is in pyproject.toml."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

WEB_DIRS = ("static", "templates")


class BuildWithWebFiles(build_py):
    """build_py, plus static/ and templates/ copied into the built ``app`` package."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install serves them from the checkout
            return
        for name in WEB_DIRS:
            target = Path(self.build_lib) / "app" / name
            shutil.rmtree(target, ignore_errors=True)  # no file deleted since an earlier build survives
            self.copy_tree(name, str(target))


setup(cmdclass={"build_py": BuildWithWebFiles})
