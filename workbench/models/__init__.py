"""Embedders, one module per family; each registers itself in ``MODELS``."""

from .base import MODELS, Embedder, catalog, get_model, register_model
from . import sentences, words  # noqa: F401,E402 - register the models

__all__ = ["MODELS", "Embedder", "catalog", "get_model", "register_model"]
