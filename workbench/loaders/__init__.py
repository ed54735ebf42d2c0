"""Dataset loaders, one module per modality; each registers itself in ``DATASETS``.

(Named ``loaders`` rather than ``datasets`` so that ``workbench.datasets()`` stays a function.)
"""

from .base import DATASETS, Dataset, datasets, load_dataset, register_dataset
from . import words  # noqa: F401,E402

__all__ = ["DATASETS", "Dataset", "datasets", "load_dataset", "register_dataset"]
