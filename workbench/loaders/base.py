"""Datasets and their registry.

A dataset is a table with one row per item: ``label`` (unique, shown on maps and in tables),
``item`` (what the model encodes: a word, a sentence, an image path) and any metadata columns.
Loaders are plain functions registered with :func:`register_dataset`; they read offline sources
only (files inside installed packages), never the network.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..core.errors import EmptyInputError, InvalidParameterError
from ..core.registry import Registry

__all__ = ["Dataset", "DATASETS", "register_dataset", "load_dataset", "datasets"]

DATASETS = Registry("dataset")


@dataclass(frozen=True)
class Dataset:
    """Items to embed with their labels and metadata."""

    name: str
    modality: str
    frame: pd.DataFrame = field(repr=False)
    description: str = ""

    def __post_init__(self):
        if len(self.frame) == 0:
            raise EmptyInputError(f"Dataset {self.name!r} has no rows.")
        missing = {"label", "item"} - set(self.frame.columns)
        if missing:
            raise InvalidParameterError("frame", "a table with 'label' and 'item' columns",
                                        f"columns {list(self.frame.columns)}", owner="Dataset")

    def __len__(self) -> int:
        return len(self.frame)

    def __repr__(self) -> str:
        return f"Dataset({self.name!r}, {self.modality}, {len(self)} items)"

    @property
    def items(self) -> list:
        return self.frame["item"].tolist()

    @property
    def labels(self) -> list[str]:
        return self.frame["label"].astype(str).tolist()

    @property
    def meta(self) -> pd.DataFrame:
        """Every column but ``label`` (``item`` included, handy for tooltips)."""
        return self.frame.drop(columns=["label"]).reset_index(drop=True)

    @classmethod
    def from_items(cls, items, *, modality: str = "text", name: str = "items", labels=None) -> Dataset:
        """A dataset from a list of raw items (labels default to the items themselves)."""
        items = list(items)
        labels = [str(i) for i in items] if labels is None else [str(x) for x in labels]
        return cls(name, modality, pd.DataFrame({"label": labels, "item": items}))


def register_dataset(name: str, *, modality: str, description: str, source: str, size: str, **extra):
    """Function decorator: ``loader(limit=None) -> DataFrame`` with ``label`` and ``item`` columns."""
    return DATASETS.register(name, modality=modality, description=description, source=source, size=size, **extra)


def load_dataset(name: str, *, limit: int | None = None) -> Dataset:
    """Load a registered dataset; ``limit`` keeps the first ``limit`` rows.

    Examples
    --------
    >>> load_dataset("analogy-words", limit=3)
    Dataset('analogy-words', word, 3 items)
    """
    from . import words  # noqa: F401 - registers

    entry = DATASETS.get(name)
    if limit is not None and (not isinstance(limit, int) or limit < 1):
        raise InvalidParameterError("limit", "a positive integer or None", limit, owner="load_dataset")
    frame = entry.factory(limit=limit)
    return Dataset(name, entry.modality, frame.reset_index(drop=True), entry.description)


def datasets() -> pd.DataFrame:
    """All registered datasets: name, modality, size, description, source and licence."""
    from . import words  # noqa: F401

    return DATASETS.frame()
