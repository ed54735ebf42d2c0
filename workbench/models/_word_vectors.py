"""The learned state every trained word model shares: vocabulary, counts and vectors in numpy.

A fitted word model encodes, saves and loads without the library that trained it (gensim for
:class:`~workbench.models.word2vec.Word2Vec`, numpy for :class:`~workbench.models.cooccurrence.CoocMF`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.errors import BadFileError, InvalidParameterError, UnknownLabelError, closest
from .trainable import Trainable

__all__ = ["TrainedWordVectors"]


class TrainedWordVectors(Trainable):
    """Learned word vectors in numpy: the state, lookups and files shared by the trained word models.

    Subclasses train and then call :meth:`_set_vectors`. A single word is looked up as it is (then
    lowercased); any other text is tokenized like the corpus and gets the mean of its words' vectors;
    an unknown word raises :class:`~workbench.core.errors.UnknownLabelError` with close matches.
    """

    trains_on = "text"
    vector_size: int = 0

    @property
    def dim(self) -> int:
        return int(self.vector_size)

    def _corpus_tokens(self, dataset, progress) -> list[list[str]]:
        """The tokenized texts of ``dataset``; a dataset of another modality than text is refused."""
        from ..loaders.corpora import tokenize

        if dataset.modality != self.trains_on:
            raise InvalidParameterError("dataset", f"a {self.trains_on} dataset (one text per row, such as "
                                        "'bible-kjv' or 'lee-background')",
                                        f"{dataset.name!r}, a {dataset.modality} dataset",
                                        owner=f"{type(self).__name__}.fit")
        return tokenize(dataset.items, progress=progress)

    def _set_vectors(self, vocabulary, counts, vectors) -> None:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        vocabulary = [str(w) for w in vocabulary]
        counts = np.asarray(counts, dtype=np.int64)
        if vectors.shape != (len(vocabulary), self.dim) or counts.shape != (len(vocabulary),):
            raise BadFileError(f"{type(self).__name__} state does not fit together: {len(vocabulary)} words, "
                               f"{counts.shape[0]} counts and vectors of shape {vectors.shape} (vector_size "
                               f"{self.dim}).")
        self.vocabulary_, self.counts_, self.vectors_ = vocabulary, counts, vectors
        self._index = {w: i for i, w in enumerate(vocabulary)}

    # ------------------------------------------------------------------ the Trainable state contract
    def _state(self) -> dict[str, np.ndarray]:
        return {"vectors": self.vectors_, "counts": self.counts_}

    def _extra_state(self) -> dict:
        return {"vocabulary": self.vocabulary_}

    def _load_state(self, arrays: dict[str, np.ndarray], extra: dict) -> None:
        try:
            self._set_vectors(extra["vocabulary"], arrays["counts"], arrays["vectors"])
        except KeyError as err:
            raise BadFileError(f"Saved {type(self).__name__} state lacks {err}.") from None

    def trained_items(self):
        """The vocabulary as a word Dataset, most frequent first.

        Columns: ``label`` and ``item`` (the word), ``count``, ``frequency_rank`` (1 = most frequent).
        """
        from ..loaders.base import Dataset

        self._check_fitted()
        frame = pd.DataFrame({"label": self.vocabulary_, "item": self.vocabulary_, "count": self.counts_,
                              "frequency_rank": np.arange(1, len(self.vocabulary_) + 1)})
        return Dataset(f"{self.name or type(self).__name__} vocabulary", "word", frame,
                       f"The {len(frame):,} words {self.name or type(self).__name__} has vectors for.")

    def snapshot(self) -> tuple[list[str], np.ndarray]:
        """``(words, vectors)``: a copy of the current vectors, the live ones while training runs."""
        live = getattr(self, "_live", None)
        if live is not None:
            return live()
        self._check_fitted()
        return list(self.vocabulary_), self.vectors_.copy()

    # ------------------------------------------------------------------ lookups
    def _encode(self, items: list) -> np.ndarray:
        self._check_fitted()
        index = self._index
        rows = np.array([index.get(i, index.get(i.lower(), -1)) if isinstance(i, str) else -1 for i in items])
        out = self.vectors_[np.maximum(rows, 0)]  # words of the vocabulary: one fancy-indexing step
        for i in np.flatnonzero(rows < 0):  # phrases and unknown words (which raise)
            out[i] = self._phrase_vector(str(items[i]))
        return out

    def _phrase_vector(self, text: str) -> np.ndarray:
        from ..loaders.corpora import tokenize_text

        words = tokenize_text(text)
        missing = [w for w in words if w not in self._index]
        if not words or missing:
            word = missing[0] if missing else text
            raise UnknownLabelError(word, closest(word, self.vocabulary_[:50_000]), what="word")
        return self.vectors_[[self._index[w] for w in words]].mean(axis=0)
