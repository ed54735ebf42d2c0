"""Word2Vec trained in the workbench (gensim).

:class:`~workbench.models._word_vectors.TrainedWordVectors` keeps what a word model learns in
plain numpy, so a fitted model encodes, saves and loads without gensim.

Training runs gensim's own ``Word2Vec`` (Mikolov et al. 2013, negative sampling) on the corpus
tokenized by :func:`workbench.loaders.corpora.tokenize`. Two things are added around it:

- **loss per epoch**: gensim's ``get_latest_training_loss()`` is a running sum over the whole
  ``train()`` call (reset to 0 when it starts), so the loss of epoch ``e`` is its increase during
  that epoch. It is the summed negative-sampling loss of the epoch's (sub-sampled) words, a float32
  sum in gensim: compare epochs of one run, not runs on corpora of other sizes.
- **Cancel within a second, even mid-epoch**: gensim reads the corpus in a producer thread, so the
  corpus handed to it is an iterable that stops yielding once ``should_stop()`` is true. The epoch
  then ends after the few batches already queued (at most 3 x 10,000 words); the epoch callback
  sees the flag and raises ``CancelledError``, which gensim passes up from ``train()`` once its
  threads have finished (none is left running). The iterator itself never raises: an exception in
  gensim's producer thread would leave ``train()`` waiting forever, so errors there are kept and
  re-raised from the callback on the main thread.

With ``workers=1`` and a ``seed`` a run is reproducible (the same vectors as a direct
``gensim.models.Word2Vec(sentences, ...)`` call, to the bit); with more workers it is not.
"""

from __future__ import annotations

import time
from functools import lru_cache

from ..core.errors import EmptyInputError, InvalidParameterError
from ..core.validation import check_number
from ._word_vectors import TrainedWordVectors
from .base import register_model

__all__ = ["Word2Vec"]

ARCHITECTURES = ("cbow", "skip-gram")
_CHECK_EVERY = 64  # sentences fed to gensim between two looks at should_stop (a few ms of training)
_REPORT_EVERY = 0.25  # seconds between two mid-epoch progress reports


@lru_cache(maxsize=1)
def _epoch_callback_class():
    """A gensim ``CallbackAny2Vec`` subclass (built on first use: gensim is imported lazily)."""
    from gensim.models.callbacks import CallbackAny2Vec

    class EpochEnd(CallbackAny2Vec):
        """Turns gensim's running loss into one ``end_epoch`` call per epoch."""

        def __init__(self, owner, progress, corpus, epochs):
            self.owner, self.progress, self.corpus, self.epochs = owner, progress, corpus, epochs
            self.epoch, self.previous = 0, 0.0

        def on_epoch_end(self, model):
            self.corpus.raise_error()
            self.progress.check(f"training {self.owner.name or 'Word2Vec'} during epoch {self.epoch + 1}")
            total = float(model.get_latest_training_loss())  # cumulative since train() began
            loss, self.previous = total - self.previous, total
            self.epoch += 1
            self.owner.end_epoch(self.epoch, self.epochs, self.progress, loss=loss)

    return EpochEnd


class _StoppableCorpus:
    """Token lists for gensim, re-iterable, that stop coming once the run is cancelled (see the module docstring)."""

    def __init__(self, sentences, progress, epochs: int):
        self.sentences, self.progress, self.epochs = sentences, progress, epochs
        self.passes, self.error = 0, None  # pass 0 is build_vocab's scan; then one per epoch

    def __iter__(self):
        epoch, self.passes = self.passes - 1, self.passes + 1
        n, last = len(self.sentences), time.perf_counter()
        for start in range(0, n, _CHECK_EVERY):
            try:
                if self.error is not None or self.progress.stopped:
                    return
                if epoch >= 0 and time.perf_counter() - last > _REPORT_EVERY:
                    last = time.perf_counter()
                    self.progress((epoch + start / n) / self.epochs, f"epoch {epoch + 1}/{self.epochs}: "
                                                                     f"{start:,} of {n:,} texts")
            except Exception as err:  # noqa: BLE001 - must not escape into gensim's producer thread
                self.error = err
                return
            yield from self.sentences[start:start + _CHECK_EVERY]

    def raise_error(self) -> None:
        if self.error is not None:
            raise self.error


@register_model("word2vec", modality="word", dim=100,
                description="Word2Vec (CBOW or skip-gram, negative sampling) trained here on a text corpus.",
                source="gensim", licence="LGPL-2.1 (gensim); vectors are yours", requires=("gensim",))
class Word2Vec(TrainedWordVectors):
    """Word vectors learned from a text corpus with gensim's Word2Vec.

    Parameters
    ----------
    vector_size : int, default=100
        Dimension of the vectors (1-1000; 50-300 is usual).
    architecture : {"cbow", "skip-gram"}, default="cbow"
        CBOW predicts a word from the mean of its context (fast, good for frequent words);
        skip-gram predicts the context from the word (slower, better for rare words).
    window : int, default=5
        Largest distance between a word and its context words (gensim samples 1..window per word).
    negative : int, default=5
        Noise words drawn per positive example (5-20 for small corpora).
    epochs : int, default=5
        Passes over the corpus.
    min_count : int, default=5
        Words seen fewer times are dropped before training.
    learning_rate : float, default=0.025
        Initial learning rate (gensim's ``alpha``), decaying linearly to 0.0001.
    seed : int, default=0
    workers : int, default=1
        Training threads; only ``workers=1`` is reproducible.

    Attributes
    ----------
    vocabulary_ : list of str
        The words, most frequent first.
    counts_ : ndarray of int64
        How often each word occurs in the corpus.
    vectors_ : ndarray of float32, shape (n_words, vector_size)
    history_ : list of dict
        One row per epoch: ``epoch``, ``loss`` (see the module docstring), ``seconds``.

    Examples
    --------
    >>> from workbench.loaders import load_dataset
    >>> model = Word2Vec(vector_size=20, epochs=2, min_count=3).fit(load_dataset("lee-background"))
    >>> model.dim, len(model.vocabulary_), model.encode(["australia", "fire fighters"]).shape
    (20, 2757, (2, 20))
    >>> [round(row["loss"]) > 0 for row in model.history_]
    [True, True]
    """

    param_choices = {"architecture": list(ARCHITECTURES)}

    def __init__(self, *, vector_size: int = 100, architecture: str = "cbow", window: int = 5, negative: int = 5,
                 epochs: int = 5, min_count: int = 5, learning_rate: float = 0.025, seed: int = 0, workers: int = 1):
        self.vector_size = vector_size
        self.architecture = architecture
        self.window = window
        self.negative = negative
        self.epochs = epochs
        self.min_count = min_count
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
        check_number(owner, "learning_rate", self.learning_rate, low=0, integer=False, low_open=True)
        check_number(owner, "seed", self.seed, low=0, high=2**32 - 1)
        check_number(owner, "workers", self.workers, low=1, high=64)

    def gensim_params(self) -> dict:
        """The keyword arguments of ``gensim.models.Word2Vec`` this model trains with (gensim's defaults otherwise)."""
        return {"vector_size": int(self.vector_size), "sg": int(self.architecture == "skip-gram"),
                "window": int(self.window), "negative": int(self.negative), "hs": 0, "epochs": int(self.epochs),
                "min_count": int(self.min_count), "alpha": float(self.learning_rate), "seed": int(self.seed),
                "workers": int(self.workers)}

    def _fit(self, dataset, progress) -> None:
        from gensim.models import Word2Vec as GensimWord2Vec

        sentences = self._corpus_tokens(dataset, progress)
        progress(0.02, f"tokenized {len(sentences):,} texts")
        corpus = _StoppableCorpus(sentences, progress.stage(0.05, 1.0), int(self.epochs))
        model = GensimWord2Vec(**self.gensim_params(), compute_loss=True)
        model.build_vocab(corpus)
        corpus.raise_error()
        progress.check(f"building the vocabulary of {self.name or 'Word2Vec'}")
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
                        compute_loss=True, callbacks=[callback])
        finally:
            self._live = None
        counts = [model.wv.get_vecattr(w, "count") for w in model.wv.index_to_key]
        self._set_vectors(model.wv.index_to_key, counts, model.wv.vectors)
