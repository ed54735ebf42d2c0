"""The embedder contract and the model registry.

An embedder is a small class: parameters in ``__init__`` (no loading there), ``encode(items)``
returning a new float32 ``(n, dim)`` array (``wb.embed`` keeps it, read-only, without a copy), and ``name``, ``modality``, ``modalities`` and ``dim``. It loads
its model on first use. ``dim`` belongs to the instance (a Word2Vec with ``vector_size=50`` is
50-d); ``modalities`` is the set of kinds of input it can encode (an aligned text+image model
encodes both), and ``encode_query`` embeds a query of another modality than the items.

:meth:`Embedder.fingerprint` hashes the configuration *and* the weights, and is part of every cache
key: two models with the same name but other weights never share cached vectors.

A :class:`~workbench.models.training.Trainable` embedder adds ``fit``; once fitted it is an ordinary
embedder, and :func:`register` makes it appear in ``wb.catalog()`` and every picker.
"""

from __future__ import annotations

import inspect

import numpy as np

from ..core.cache import content_hash
from ..core.errors import DimensionMismatchError, InvalidParameterError
from ..core.registry import Registry

__all__ = ["Embedder", "MODELS", "register_model", "register", "get_model", "catalog", "ready_models"]

MODELS = Registry("model", discover="workbench.models", columns=("dim", "trainable", "modalities", "size",
                                                                     "licence"))


class Embedder:
    """Base class: subclasses set ``dim`` (class or instance) and implement ``_encode``.

    ``name``, ``modality`` and ``modalities`` come from :func:`register_model`.
    """

    name: str = ""
    modality: str = ""
    modalities: frozenset = frozenset()
    dim: int = 0
    batch_size: int = 256
    trainable: bool = False
    #: False for a model whose encoding is a table lookup: reading vectors back from the disk cache
    #: costs as much as looking them up again, so ``wb.embed`` does not store them.
    cache_vectors: bool = True

    def encode(self, items) -> np.ndarray:
        """Vectors for ``items`` as float32 ``(len(items), dim)``."""
        items = list(items)
        if not items:
            return np.empty((0, self.dim), np.float32)
        out = np.asarray(self._encode(items), dtype=np.float32)
        if out.ndim != 2 or out.shape[0] != len(items):
            raise DimensionMismatchError(f"{self.name or type(self).__name__} returned shape {out.shape} for "
                                         f"{len(items)} items; an embedder must return (n, dim).")
        return out

    def encode_query(self, query) -> np.ndarray:
        """The vector of one query (``(dim,)``); cross-modal models override it (text -> image space)."""
        return self.encode([query])[0]

    def _encode(self, items: list) -> np.ndarray:
        raise NotImplementedError

    def params(self) -> dict:
        """Configuration that changes the vectors (constructor arguments by default)."""
        return {k: getattr(self, k) for k in _init_names(type(self)) if hasattr(self, k)
                and k not in ("threads", "batch_size", "workers", "progress")}

    def weights_id(self):
        """What identifies the weights (a package version, a file's size and time, a hash of learned arrays)."""
        return None

    def fingerprint(self) -> str:
        """A hash of the class, configuration and weights (not the name): part of every cache key."""
        return content_hash("embedder", f"{type(self).__module__}.{type(self).__qualname__}", self.params(),
                            self.weights_id())

    def __repr__(self) -> str:
        defaults = {k: p.default for k, p in inspect.signature(type(self).__init__).parameters.items()
                    if p.default is not inspect.Parameter.empty}
        shown = [f"{k}={v!r}" for k, v in self.params().items() if k in defaults and defaults[k] != v]
        return f"{type(self).__name__}({', '.join(shown)})"


def _init_names(cls) -> list[str]:
    if cls.__init__ is object.__init__:
        return []
    return [n for n, p in inspect.signature(cls.__init__).parameters.items()
            if n != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


def register_model(name: str, *, modality: str, description: str, source: str, dim: int | None = None,
                   modalities=None, **extra):
    """Class decorator: add an embedder class to the catalog under ``name``.

    ``dim`` is the default dimension (shown in the catalog); instances may differ.
    """
    def decorate(cls):
        cls.name, cls.modality = name, modality
        cls.modalities = frozenset(modalities or {modality})
        if dim is not None and not isinstance(getattr(cls, "dim", None), property):
            cls.dim = getattr(cls, "dim", 0) or dim
        return MODELS.register(name, modality=modality, description=description, source=source, dim=dim,
                               trainable=bool(getattr(cls, "trainable", False)),
                               modalities=", ".join(sorted(cls.modalities)), **extra)(cls)
    return decorate


def register(model: Embedder, name: str | None = None, *, description: str | None = None,
             replace: bool = False) -> Embedder:
    """Register a model instance for this kernel: it then appears in ``wb.catalog()`` and the pickers.

    ``get_model(name)`` gives back this very instance (with its fitted weights).

    Examples
    --------
    >>> from workbench.models.words import GloVe
    >>> glove = register(GloVe(), "my-glove")
    >>> get_model("my-glove") is glove, "my-glove" in catalog()["name"].tolist()
    (True, True)
    >>> MODELS.remove("my-glove")
    """
    if not isinstance(model, Embedder):
        raise InvalidParameterError("model", "an Embedder instance (for example a fitted Word2Vec)",
                                    type(model).__name__, owner="register")
    if getattr(model, "trainable", False) and not getattr(model, "is_fitted", True):
        raise InvalidParameterError("model", "a fitted model: call model.fit(dataset) first",
                                    f"an unfitted {type(model).__name__}", owner="register")
    name = name or model.name
    base = MODELS.get(model.name).description if model.name in MODELS else type(model).__name__
    MODELS.add(name, lambda: model, modality=model.modality, replace=replace,
               description=description or f"{base} (registered in this kernel)", source="this kernel",
               dim=int(model.dim), trainable=bool(model.trainable), modalities=", ".join(sorted(model.modalities)))
    model.name = name
    return model


def get_model(name: str, **params) -> Embedder:
    """A new embedder by registry name (nothing is loaded until it encodes)."""
    return MODELS.get(name).create(**params)


def ready_models(modality: str | None = None) -> list[str]:
    """Models that can encode now: pretrained ones and fitted ones registered in this kernel.

    A trainable model class (``word2vec``) must be trained first, in the Train panel or with ``fit``.
    """
    return [n for n in MODELS.names(modality) if not MODELS.get(n).trainable or MODELS.get(n).source == "this kernel"]


def catalog():
    """All registered models: name, modality, dim, trainable, description, source package, availability."""
    return MODELS.frame()
