"""Dataset loaders, one module per family; each registers itself in ``DATASETS``.

(Named ``loaders`` rather than ``datasets`` so that ``workbench.datasets()`` stays a function.)
This is the one place that lists the families: importing the package registers them all.
"""

from ..core.registry import discover
from .base import DATASETS, Dataset, as_dataset, datasets, load_dataset, register_dataset

FAMILIES = ("words", "graphs", "recommendation", "corpora")
discover(__name__, FAMILIES, DATASETS)

__all__ = ["DATASETS", "Dataset", "as_dataset", "datasets", "load_dataset", "register_dataset", "FAMILIES"]
