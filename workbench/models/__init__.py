"""Embedders, one module per family; each registers itself in ``MODELS``.

This is the one place that lists the families: importing the package registers them all.
"""

from ..core.registry import discover
from .base import MODELS, Embedder, catalog, get_model, register, register_model
from .trainable import Trainable, load_model

FAMILIES = ("words", "sentences", "onnx_sentences", "interactions", "word2vec", "cooccurrence", "fasttext", "glove",
            "swivel")
discover(__name__, FAMILIES, MODELS)

__all__ = ["MODELS", "Embedder", "Trainable", "catalog", "get_model", "load_model", "register", "register_model",
           "FAMILIES"]
