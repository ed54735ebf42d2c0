"""Registries: one for models, one for datasets. Adding one is a single decorated class or function.

Each entry carries the metadata the catalog, the pickers in the UI and the docs read: name,
modality, a one-line description, the source package, and for models the dimension.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from .errors import UnknownNameError

__all__ = ["Entry", "Registry"]


@dataclass(frozen=True)
class Entry:
    name: str
    modality: str
    description: str
    source: str
    factory: Callable[..., Any] = field(repr=False, compare=False)
    dim: int | None = None
    size: str | None = None
    licence: str | None = None


class Registry:
    """Named factories with metadata.

    Examples
    --------
    >>> models = Registry("model")
    >>> @models.register("ones", modality="word", description="All ones.", source="numpy", dim=3)
    ... class Ones: ...
    >>> models.frame()[["name", "dim"]].values.tolist()
    [['ones', 3]]
    """

    def __init__(self, kind: str):
        self.kind = kind
        self._entries: dict[str, Entry] = {}

    def register(self, name: str, *, modality: str, description: str, source: str, **extra):
        def decorate(factory):
            self._entries[name] = Entry(name, modality, description, source, factory, **extra)
            return factory
        return decorate

    def __contains__(self, name: str) -> bool:
        return name in self._entries

    def __iter__(self):
        return iter(self._entries.values())

    def names(self, modality: str | None = None) -> list[str]:
        return [e.name for e in self if modality in (None, e.modality)]

    def get(self, name: str) -> Entry:
        try:
            return self._entries[name]
        except KeyError:
            raise UnknownNameError(self.kind, name, self.names()) from None

    def frame(self) -> pd.DataFrame:
        """One row per entry (without the factory)."""
        rows = [{k: v for k, v in asdict(e).items() if k != "factory"} for e in self]
        frame = pd.DataFrame(rows, columns=["name", "modality", "dim", "size", "description", "source", "licence"])
        return frame.dropna(axis=1, how="all")
