"""Datasets and their registry.

A dataset is a table with one row per embeddable entity: ``label`` (unique, shown on maps and in
tables), ``item`` (what the model encodes: a word, a sentence, an image, a node id) and any metadata
columns. Where the modality has them it also carries named **relation tables**: ``edges``
(``source``, ``target``, ``weight``) for graphs, ``interactions`` (``user``, ``item``, ``rating``,
``time``) for recommenders; relation tables refer to entities by label. A dataset with several
kinds of entity (users and items) has a ``kind`` column, which ``neighbours(..., among=kind)``
filters on.

Loaders are plain functions registered with :func:`register_dataset`; they read offline sources
only (files inside installed packages), never the network, and never import a model. A loader
returns a DataFrame, or a :class:`Dataset` when it has relations; each documents what ``limit``
means for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from ..core.errors import DimensionMismatchError, EmptyInputError, InvalidParameterError
from ..core.registry import Registry

__all__ = ["Dataset", "DATASETS", "register_dataset", "load_dataset", "datasets", "as_dataset", "RELATION_COLUMNS"]

DATASETS = Registry("dataset", discover="workbench.loaders", columns=("size", "relations", "licence"))

#: required columns of each known relation table (others may add more columns)
RELATION_COLUMNS = {"edges": ("source", "target"), "interactions": ("user", "item")}


@dataclass(frozen=True)
class Dataset:
    """Entities to embed with their labels and metadata, plus named relation tables.

    Examples
    --------
    >>> ds = Dataset.from_items(["cat", "dog"], modality="word")
    >>> ds, ds.labels
    (Dataset('items', word, 2 items), ['cat', 'dog'])
    >>> edges = pd.DataFrame({"source": ["a"], "target": ["b"]})
    >>> Dataset("pair", "graph", pd.DataFrame({"label": ["a", "b"], "item": ["a", "b"]}), relations={"edges": edges})
    Dataset('pair', graph, 2 items, edges: 1)
    """

    name: str
    modality: str
    frame: pd.DataFrame = field(repr=False)
    description: str = ""
    relations: Mapping[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    def __post_init__(self):
        if not isinstance(self.frame, pd.DataFrame):
            raise InvalidParameterError("frame", "a pandas DataFrame with 'label' and 'item' columns",
                                        type(self.frame).__name__, owner="Dataset")
        if not isinstance(self.relations, Mapping):
            raise InvalidParameterError("relations", "a mapping of names to DataFrames (such as {'edges': ...})",
                                        type(self.relations).__name__, owner="Dataset")
        for name, table in self.relations.items():
            if not isinstance(table, pd.DataFrame):
                raise InvalidParameterError(f"relations[{name!r}]", "a pandas DataFrame", type(table).__name__,
                                            owner="Dataset")
        if len(self.frame) == 0:
            raise EmptyInputError(f"Dataset {self.name!r} has no rows.")
        missing = {"label", "item"} - set(self.frame.columns)
        if missing:
            raise InvalidParameterError("frame", "a table with 'label' and 'item' columns",
                                        f"columns {list(self.frame.columns)}", owner="Dataset")
        for name, table in self.relations.items():
            need = RELATION_COLUMNS.get(name, ())
            lacking = [c for c in need if c not in table.columns]
            if lacking:
                raise InvalidParameterError(f"relations[{name!r}]", f"a table with columns {list(need)}",
                                            f"columns {list(table.columns)}", owner="Dataset")

    def __len__(self) -> int:
        return len(self.frame)

    def __repr__(self) -> str:
        rel = "".join(f", {k}: {len(v):,}" for k, v in self.relations.items())
        return f"Dataset({self.name!r}, {self.modality}, {len(self):,} items{rel})"

    @property
    def items(self) -> list:
        return self.frame["item"].tolist()

    @property
    def labels(self) -> list[str]:
        return self.frame["label"].astype(str).tolist()

    @property
    def meta(self) -> pd.DataFrame:
        """Every column but ``label`` (``item`` and ``kind`` included, handy for tooltips and filters)."""
        return self.frame.drop(columns=["label"]).reset_index(drop=True)

    @property
    def kinds(self) -> list[str]:
        """The entity kinds (``kind`` column), or an empty list for one-kind datasets."""
        return sorted(self.frame["kind"].astype(str).unique()) if "kind" in self.frame else []

    def relation(self, name: str) -> pd.DataFrame:
        """One relation table (``edges``, ``interactions``...), with a message naming those there are."""
        if name not in self.relations:
            have = sorted(self.relations) or "none"
            raise InvalidParameterError("relation", f"one of this dataset's relations ({have})", name,
                                        owner=f"Dataset {self.name!r}")
        return self.relations[name]

    def head(self, n: int) -> Dataset:
        """The first ``n`` entities; relation rows that mention a dropped entity are dropped too."""
        frame = self.frame.head(n).reset_index(drop=True)
        keep = set(frame["label"].astype(str))
        relations = {}
        for name, table in self.relations.items():
            ends = [c for c in RELATION_COLUMNS.get(name, ()) if c in table]
            mask = pd.Series(True, index=table.index)
            for column in ends:
                mask &= table[column].astype(str).isin(keep)
            relations[name] = table[mask].reset_index(drop=True)
        return Dataset(self.name, self.modality, frame, self.description, relations)

    @classmethod
    def from_items(cls, items, *, modality: str = "text", name: str = "items", labels=None) -> Dataset:
        """A dataset from a list of raw items (labels default to the items themselves)."""
        items = list(items)
        labels = list(items if labels is None else labels)
        if not set(map(type, labels)) <= {str}:  # convert only what is not text already
            labels = [str(x) for x in labels]
        if len(labels) != len(items):
            raise DimensionMismatchError(f"{len(labels)} labels for {len(items)} items: give one label per item.")
        return cls(name, modality, pd.DataFrame({"label": labels, "item": items}))


def register_dataset(name: str, *, modality: str, description: str, source: str, size: str, **extra):
    """Function decorator: ``loader(limit=None) -> DataFrame | Dataset`` with ``label`` and ``item`` columns.

    Extra fields (``licence``, ``requires``, ``relations``...) appear in ``wb.datasets()``.
    """
    return DATASETS.register(name, modality=modality, description=description, source=source, size=size, **extra)


def load_dataset(name: str, *, limit: int | None = None) -> Dataset:
    """Load a registered dataset; ``limit`` keeps the first ``limit`` entities (see each loader).

    Examples
    --------
    >>> load_dataset("analogy-words", limit=3)
    Dataset('analogy-words', word, 3 items)
    """
    entry = DATASETS.get(name)
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise InvalidParameterError("limit", "a positive integer or None", limit, owner="load_dataset")
    loaded = entry.create(limit=limit)
    if isinstance(loaded, Dataset):
        return loaded
    return Dataset(name, entry.modality, loaded.reset_index(drop=True), entry.description)


def as_dataset(data, limit: int | None = None, *, modality: str = "text") -> Dataset:
    """A :class:`Dataset` from a registered name, a Dataset, a DataFrame or a list of raw items."""
    if isinstance(data, Dataset):
        return data if limit is None else data.head(limit)
    if isinstance(data, str):
        return load_dataset(data, limit=limit)
    if isinstance(data, pd.DataFrame):
        if data.empty:
            raise EmptyInputError("The DataFrame has no rows.")
        column = "item" if "item" in data else "text" if "text" in data else data.columns[0]
        frame = data.head(limit) if limit else data
        labels = frame["label"] if "label" in frame else frame[column]
        return Dataset("dataframe", modality, frame.assign(label=labels.astype(str), item=frame[column])
                       .reset_index(drop=True))
    items = list(data)[:limit] if limit else list(data)
    return Dataset.from_items(items, modality=modality)


def datasets() -> pd.DataFrame:
    """All registered datasets: name, modality, size, relations, description, source, licence."""
    return DATASETS.frame()
