"""Embedders, one module per family; each registers itself in ``MODELS``."""

from .base import MODELS, Embedder, catalog, get_model, register_model
from . import words  # noqa: F401,E402 - registers the word models

__all__ = ["MODELS", "Embedder", "catalog", "get_model", "register_model"]
