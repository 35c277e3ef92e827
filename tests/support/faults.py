"""A bug planted in the loader, for tests of the fault barrier (pipelines/load/barrier.py).

The barrier exists for bugs no one knows yet, so its end-to-end tests need one: a `sitecustomize`
on PYTHONPATH makes every Python process of a load (the CLI, its parse workers, Spark's Python
workers) raise IndexError from the horizontal layout's `detect` on any grid that mentions
PLANTED_MARKER, as the head-block code once did on a real 2-D table. Nothing else changes.
"""

from __future__ import annotations

import os
from pathlib import Path

PLANTED_MARKER = "故障注入标记"

_SITECUSTOMIZE = '''
import importlib.abc, sys

_TARGET = "pipelines.ingest.layouts.horizontal"


def _plant(module):
    detect = module.detect

    def planted(grid):
        if grid.mentions(MARKER):
            return ()[0]  # IndexError: tuple index out of range
        return detect(grid)

    module.detect = planted


class _AfterImport(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != _TARGET:
            return None
        sys.meta_path.remove(self)
        try:
            import importlib.util
            spec = importlib.util.find_spec(name)
        finally:
            sys.meta_path.insert(0, self)
        loader = spec.loader
        original = loader.exec_module

        def exec_module(module):
            original(module)
            _plant(module)

        loader.exec_module = exec_module
        return spec


sys.meta_path.insert(0, _AfterImport())
'''


def planted_environment(folder: Path, env: dict[str, str] | None = None) -> dict[str, str]:
    """`env` (default os.environ) with the planted bug on PYTHONPATH, written into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sitecustomize.py").write_text(
        f"MARKER = {PLANTED_MARKER!r}\n{_SITECUSTOMIZE}", encoding="utf-8"
    )
    base = dict(os.environ if env is None else env)
    base["PYTHONPATH"] = os.pathsep.join(p for p in (str(folder), base.get("PYTHONPATH", "")) if p)
    return base
