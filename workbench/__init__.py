"""workbench: see and test embeddings of every kind, in Jupyter.

>>> import workbench as wb
>>> emb = wb.embed("glove-vocab", "glove-6b-50d", limit=5000)  # doctest: +SKIP
>>> emb.analogy(positive=["king", "woman"], negative=["man"])   # doctest: +SKIP
>>> wb.Workbench()                                             # doctest: +SKIP

Everything is imported on first use, so ``import workbench`` is fast and pulls in none of torch,
umap, plotly or ipywidgets.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_LAZY = {
    "Embeddings": "workbench.core.embeddings",
    "Projection": "workbench.core.projection",
    "project": "workbench.core.projection",
    "NeighbourIndex": "workbench.core.index",
    "WorkbenchError": "workbench.core.errors",
    "embed": "workbench.pipeline",
    "catalog": "workbench.models.base",
    "get_model": "workbench.models.base",
    "register": "workbench.models.base",
    "load_model": "workbench.models.trainable",
    "datasets": "workbench.loaders.base",
    "load_dataset": "workbench.loaders.base",
    "Dataset": "workbench.loaders.base",
    "Workbench": "workbench.ui.app",
    "State": "workbench.ui.state",
}
_SUBMODULES = {"core", "models", "loaders", "figures", "ui", "pipeline"}

__all__ = sorted(_LAZY)


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f"workbench.{name}")
    raise AttributeError(f"module 'workbench' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY) | _SUBMODULES)
