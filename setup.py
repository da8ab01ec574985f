"""Build hook: compile the gettext catalogs (.po -> .mo) into the package as it is built.

The metadata lives in pyproject.toml; this file only adds the compile step, so `pip install .`,
`pip wheel .` and a wheel built from the sdist carry the compiled catalogs (the .mo files are not
in git). An editable install (`pip install -e .`) compiles them in the source tree instead.
Needs Babel at build time: pyproject.toml's [build-system] requires lists it.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
# Loaded by path: importing the package would import Flask and the rest, absent while building.
COMPILED_PY = HERE / "crossborder_crm" / "i18n" / "compiled.py"


def _compiled_module():
    spec = importlib.util.spec_from_file_location("_crm_build_compiled", COMPILED_PY)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


class BuildWithCatalogs(build_py):
    """build_py, then every .po of every domain compiled to its .mo beside it."""

    def run(self) -> None:
        super().run()
        compiled = _compiled_module()
        # Editable builds copy nothing: the package is the source tree, so compile there.
        root = HERE if getattr(self, "editable_mode", False) else Path(self.build_lib)
        for mo in compiled.compile_tree(root / "crossborder_crm" / "locales"):
            self.announce(f"compiled {mo.relative_to(root)}", level=2)


setup(cmdclass={"build_py": BuildWithCatalogs})
