"""FastText trained in the workbench (gensim): word vectors built from character n-grams.

FastText (Bojanowski et al. 2017) represents a word as the mean of its own vector and the vectors
of its character n-grams (``min_n`` to ``max_n`` characters of ``<word>``, hashed into ``bucket``
rows). A word never seen in training, or misspelled ("kingg", "unfriendliness"), still gets a
vector: the mean of its n-grams' vectors, which gensim's ``FastTextKeyedVectors.get_vector``
computes the same way. Word2Vec and GloVe can only say such a word is out of their vocabulary.

Training runs gensim's ``FastText`` with the patterns of :mod:`workbench.models.word2vec`:
progress within each epoch, Cancel within a second (the corpus iterable stops yielding), and
``workers=1`` with a ``seed`` is reproducible. gensim computes no training loss for FastText, so
``history_`` has ``epoch`` and ``seconds`` only (the Train panel's loss curve stays empty).

The learned state is numpy: the vocabulary's vectors, their counts and the n-gram table
(``bucket x vector_size`` float32, 40 MB at the defaults). Hashing the n-grams of an unseen word
uses gensim's own hash function, so gensim is needed to encode unseen words, not known ones.
"""

from __future__ import annotations

import numpy as np

from ..core.errors import EmptyInputError, InvalidParameterError, UnknownLabelError, closest
from ..core.validation import check_number
from ._word_vectors import TrainedWordVectors
from .base import register_model
from .word2vec import ARCHITECTURES, _epoch_callback_class, _StoppableCorpus

__all__ = ["FastText"]


@register_model("fasttext", modality="word", dim=100,
                description="FastText (sub-word n-grams, CBOW or skip-gram) trained here on a text corpus; "
                            "gives vectors to misspelled and unseen words too.",
                source="gensim", licence="LGPL-2.1 (gensim); vectors are yours", requires=("gensim",))
class FastText(TrainedWordVectors):
    """Word vectors with character n-gram (sub-word) vectors, learned with gensim's FastText.

    Parameters
    ----------
    vector_size : int, default=100
        Dimension of the vectors (1-1000).
    architecture : {"cbow", "skip-gram"}, default="cbow"
    window : int, default=5
        Largest distance between a word and its context words.
    negative : int, default=5
        Noise words per positive example.
    epochs : int, default=5
    min_count : int, default=5
        Words seen fewer times get no word vector of their own (their n-grams still count).
    min_n, max_n : int, default=3 and 6
        Lengths of the character n-grams of ``<word>``; ``max_n=0`` turns sub-words off (plain Word2Vec).
    bucket : int, default=100000
        Rows of the hashed n-gram table (gensim's default, 2,000,000, takes 800 MB at 100-d).
    learning_rate : float, default=0.025
    seed : int, default=0
    workers : int, default=1
        Training threads; only ``workers=1`` is reproducible.

    Attributes
    ----------
    vocabulary_, counts_, vectors_ : as in :class:`~workbench.models.word2vec.Word2Vec`
    ngram_vectors_ : ndarray of float32, shape (bucket, vector_size)
    history_ : list of dict
        One row per epoch: ``epoch``, ``seconds``.

    Examples
    --------
    >>> from workbench.loaders import load_dataset
    >>> model = FastText(vector_size=20, epochs=2, min_count=3, bucket=20_000).fit(load_dataset("lee-background"))
    >>> model.encode(["australia", "australiaa"]).shape  # the second word is not in the vocabulary
    (2, 20)
    """

    param_choices = {"architecture": list(ARCHITECTURES)}

    def __init__(self, *, vector_size: int = 100, architecture: str = "cbow", window: int = 5, negative: int = 5,
                 epochs: int = 5, min_count: int = 5, min_n: int = 3, max_n: int = 6, bucket: int = 100_000,
                 learning_rate: float = 0.025, seed: int = 0, workers: int = 1):
        self.vector_size = vector_size
        self.architecture = architecture
        self.window = window
        self.negative = negative
        self.epochs = epochs
        self.min_count = min_count
        self.min_n = min_n
        self.max_n = max_n
        self.bucket = bucket
        self.learning_rate = learning_rate
        self.seed = seed
        self.workers = workers

    def _validate_params(self) -> None:
        owner = type(self).__name__
        if self.architecture not in ARCHITECTURES:
            raise InvalidParameterError("architecture", f"one of {list(ARCHITECTURES)}", self.architecture,
                                        owner=owner)
        check_number(owner, "vector_size", self.vector_size, low=1, high=1000)
        check_number(owner, "window", self.window, low=1)
        check_number(owner, "negative", self.negative, low=1, high=100)
        check_number(owner, "epochs", self.epochs, low=1)
        check_number(owner, "min_count", self.min_count, low=1)
        check_number(owner, "min_n", self.min_n, low=1, high=30)
        check_number(owner, "max_n", self.max_n, low=0, high=30)
        if self.max_n and self.max_n < self.min_n:
            raise InvalidParameterError("max_n", f"0 (no sub-words) or at least min_n={self.min_n}", self.max_n,
                                        owner=owner)
        check_number(owner, "bucket", self.bucket, low=1, high=2_000_000)
        check_number(owner, "learning_rate", self.learning_rate, low=0, integer=False, low_open=True)
        check_number(owner, "seed", self.seed, low=0, high=2**32 - 1)
        check_number(owner, "workers", self.workers, low=1, high=64)

    def gensim_params(self) -> dict:
        """The keyword arguments of ``gensim.models.FastText`` this model trains with."""
        return {"vector_size": int(self.vector_size), "sg": int(self.architecture == "skip-gram"),
                "window": int(self.window), "negative": int(self.negative), "hs": 0, "epochs": int(self.epochs),
                "min_count": int(self.min_count), "min_n": int(self.min_n), "max_n": int(self.max_n),
                "bucket": int(self.bucket), "alpha": float(self.learning_rate), "seed": int(self.seed),
                "workers": int(self.workers)}

    def _fit(self, dataset, progress) -> None:
        from gensim.models import FastText as GensimFastText

        sentences = self._corpus_tokens(dataset, progress)
        progress(0.02, f"tokenized {len(sentences):,} texts")
        corpus = _StoppableCorpus(sentences, progress.stage(0.05, 1.0), int(self.epochs))
        model = GensimFastText(**self.gensim_params())
        model.build_vocab(corpus)
        corpus.raise_error()
        progress.check(f"building the vocabulary of {self.name or 'FastText'}")
        if len(model.wv) == 0:
            tokens = sum(len(s) for s in sentences)
            raise EmptyInputError(f"No word occurs min_count={self.min_count} times or more in this corpus "
                                  f"({len(sentences):,} texts, {tokens:,} tokens): lower min_count or give a "
                                  "larger corpus.")
        progress(0.05, f"vocabulary: {len(model.wv):,} words")
        callback = _epoch_callback_class()(self, corpus.progress, corpus, int(self.epochs))
        self._live = lambda: (list(model.wv.index_to_key), model.wv.vectors.copy())
        try:
            model.train(corpus, total_examples=model.corpus_count, total_words=model.corpus_total_words,
                        epochs=model.epochs, start_alpha=model.alpha, end_alpha=model.min_alpha,
                        callbacks=[callback])
        finally:
            self._live = None
        counts = [model.wv.get_vecattr(w, "count") for w in model.wv.index_to_key]
        self._set_vectors(model.wv.index_to_key, counts, model.wv.vectors)
        self.ngram_vectors_ = np.ascontiguousarray(model.wv.vectors_ngrams, dtype=np.float32)

    def end_epoch(self, epoch, epochs, progress, **metrics) -> None:
        metrics.pop("loss", None)  # gensim's FastText computes none (the shared callback reads 0.0)
        super().end_epoch(epoch, epochs, progress, **metrics)

    # ------------------------------------------------------------------ state: the n-gram table too
    def _state(self) -> dict[str, np.ndarray]:
        return {**super()._state(), "ngram_vectors": self.ngram_vectors_}

    def _load_state(self, arrays, extra) -> None:
        super()._load_state(arrays, extra)
        self.ngram_vectors_ = np.ascontiguousarray(arrays.get("ngram_vectors", np.zeros((0, self.dim))),
                                                   dtype=np.float32)

    # ------------------------------------------------------------------ unseen words
    def subword_vector(self, word: str) -> np.ndarray:
        """The mean of the n-gram vectors of ``word`` (gensim's vector for a word outside the vocabulary).

        Raises :class:`~workbench.core.errors.UnknownLabelError` when the word has no n-gram at all
        (sub-words turned off with ``max_n=0``, or an empty word).

        Examples
        --------
        >>> from workbench.loaders import load_dataset
        >>> model = FastText(vector_size=8, epochs=1, bucket=5_000).fit(load_dataset("lee-background"))
        >>> model.subword_vector("kangarooo").shape
        (8,)
        """
        from gensim.models.fasttext import ft_ngram_hashes

        self._check_fitted()
        hashes = ft_ngram_hashes(str(word), int(self.min_n), int(self.max_n), int(self.bucket)) \
            if self.max_n and len(self.ngram_vectors_) else []
        if not len(hashes):
            raise UnknownLabelError(str(word), closest(str(word), self.vocabulary_[:50_000]), what="word")
        return self.ngram_vectors_[hashes].mean(axis=0)

    def _phrase_vector(self, text: str) -> np.ndarray:
        from ..loaders.corpora import tokenize_text

        words = tokenize_text(text)
        if not words:
            raise UnknownLabelError(text, closest(text, self.vocabulary_[:50_000]), what="word")
        rows = [self.vectors_[self._index[w]] if w in self._index else self.subword_vector(w) for w in words]
        return np.mean(rows, axis=0)
