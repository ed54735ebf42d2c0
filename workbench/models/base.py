"""The embedder contract and the model registry.

An embedder is a small class: parameters in ``__init__`` (no loading there), ``encode(items)``
returning float32 ``(n, dim)``, and class attributes ``name``, ``modality``, ``dim``. It loads its
model on first use. Register it with :func:`register_model` and it appears in ``wb.catalog()`` and
in the model picker.
"""

from __future__ import annotations

import numpy as np

from ..core.registry import Registry

__all__ = ["Embedder", "MODELS", "register_model", "get_model", "catalog"]

MODELS = Registry("model")


class Embedder:
    """Base class: subclasses set ``name``, ``modality``, ``dim`` and implement ``_encode``."""

    name: str = ""
    modality: str = ""
    dim: int = 0
    batch_size: int = 256

    def encode(self, items) -> np.ndarray:
        """Vectors for ``items`` as float32 ``(len(items), dim)``."""
        items = list(items)
        if not items:
            return np.empty((0, self.dim), np.float32)
        return np.asarray(self._encode(items), dtype=np.float32)

    def _encode(self, items: list) -> np.ndarray:
        raise NotImplementedError

    def params(self) -> dict:
        """Parameters that change the vectors (part of the cache key)."""
        return {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def register_model(name: str, *, modality: str, dim: int, description: str, source: str, **extra):
    """Class decorator: add an embedder to the catalog under ``name``."""
    def decorate(cls):
        cls.name, cls.modality, cls.dim = name, modality, dim
        return MODELS.register(name, modality=modality, description=description, source=source, dim=dim,
                               **extra)(cls)
    return decorate


def get_model(name: str, **params) -> Embedder:
    """A new embedder by registry name (nothing is loaded until it encodes)."""
    return MODELS.get(name).factory(**params)


def catalog():
    """All registered models: name, modality, dim, description, source package."""
    from . import sentences, words  # noqa: F401 - modules register on import

    return MODELS.frame()
