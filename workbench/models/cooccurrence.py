"""A small, real trainable word model in numpy: factorising log co-occurrence counts (GloVe's objective).

This is the compact model of the training contract (``fit`` with progress and Cancel, ``history_``,
divergence, ``save``/``load``, a live ``snapshot``), fast enough for unit tests: on gensim's Lee
corpus it trains in seconds. The full GloVe and SWIVEL trainers will live elsewhere; this one
keeps GloVe's counting and loss but optimises them in the simplest way.

1. **Counting** (as GloVe's ``cooccur``): within each text, after dropping words outside the
   vocabulary, every pair of words at distance ``d <= window`` adds ``1/d`` to ``X[i, j]`` and to
   ``X[j, i]`` (a symmetric window).
2. **Objective** (Pennington et al. 2014, eq. 8), over the non-zero cells:
   ``J = sum f(X_ij) (w_i . w~_j + b_i + b~_j - log X_ij)^2`` with ``f(x) = min(1, (x / 100)^0.75)``.
3. **Optimiser**: full-batch Adam (Kingma & Ba 2015, their default betas), one step per epoch, in
   float32. The gradient is a sparse matrix product, so an epoch costs two gathers and two sparse
   products. (GloVe's AdaGrad, run full-batch the same way, ended 50 epochs on the Lee corpus at a
   loss of 0.0061 against Adam's 0.0034, with the same learning rate 0.05.)
4. **Divergence**: with a far too large learning rate the loss explodes. Where words have many
   co-occurring pairs (the Lee corpus already) a squared gradient then overflows float32; the
   optimiser's state is meaningless (Adam would silently stop moving), so that epoch's loss is
   reported as NaN. On a tiny corpus Adam's bounded steps make the parameters oscillate at a huge
   scale instead, without ever overflowing, so a loss above :data:`DIVERGENCE_FACTOR` times the
   first epoch's counts as divergence too. Either way the run stops with
   :class:`~workbench.core.errors.DivergedError` and the previous model is kept.
5. **Vectors** are ``w + w~`` (GloVe's choice). The reported ``loss`` is ``J`` divided by the number
   of non-zero cells.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from ..core.errors import DivergedError, EmptyInputError
from ..core.validation import check_number
from ._word_vectors import TrainedWordVectors
from .base import register_model

__all__ = ["CoocMF", "build_vocabulary", "cooccurrence_matrix", "glove_weight", "DIVERGENCE_FACTOR"]

X_MAX, ALPHA = 100.0, 0.75
#: a loss this many times the first epoch's means the run diverged (see the module docstring)
DIVERGENCE_FACTOR = 1e6


def build_vocabulary(sentences, min_count: int, max_vocab: int | None = None) -> tuple[list[str], np.ndarray]:
    """Words seen at least ``min_count`` times, most frequent first (ties alphabetically), at most ``max_vocab``.

    Examples
    --------
    >>> build_vocabulary([["a", "b", "a"], ["c", "b", "a"]], min_count=2)
    (['a', 'b'], array([3, 2]))
    """
    counts = Counter(w for s in sentences for w in s)
    kept = sorted((item for item in counts.items() if item[1] >= min_count), key=lambda kv: (-kv[1], kv[0]))
    kept = kept[:max_vocab] if max_vocab else kept
    return [w for w, _ in kept], np.array([c for _, c in kept], dtype=np.int64)


def cooccurrence_matrix(sentences, index: dict[str, int], window: int):
    """Symmetric window-weighted co-occurrence counts as a scipy CSR matrix (float64, ``len(index)`` square).

    Examples
    --------
    >>> X = cooccurrence_matrix([["a", "b", "x", "c"]], {"a": 0, "b": 1, "c": 2}, window=2)
    >>> X.toarray().tolist()  # 'x' is dropped first, so b and c are neighbours
    [[0.0, 1.0, 0.5], [1.0, 0.0, 1.0], [0.5, 1.0, 0.0]]
    """
    import scipy.sparse as sp

    ids = [[index[w] for w in s if w in index] for s in sentences]
    lengths = np.array([len(s) for s in ids], dtype=np.int64)
    flat = np.fromiter((i for s in ids for i in s), dtype=np.int64, count=int(lengths.sum()))
    text = np.repeat(np.arange(len(ids)), lengths)
    rows, cols, weights = [], [], []
    for d in range(1, window + 1):
        same = text[d:] == text[:-d]
        left, right = flat[:-d][same], flat[d:][same]
        rows += [left, right]
        cols += [right, left]
        weights.append(np.full(2 * len(left), 1.0 / d))
    n = len(index)
    if not rows or sum(len(r) for r in rows) == 0:
        return sp.csr_matrix((n, n))
    X = sp.coo_matrix((np.concatenate(weights), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n))
    return X.tocsr()  # sums duplicates


def glove_weight(x: np.ndarray, x_max: float = X_MAX, alpha: float = ALPHA) -> np.ndarray:
    """GloVe's weighting ``f(x) = min(1, (x / x_max) ** alpha)``: rare pairs count less, frequent ones are capped."""
    return np.minimum(1.0, (x / x_max) ** alpha)


def check_cooccurrence_params(model, *, max_vocab_high: int = 200_000) -> str:
    """Check what every co-occurrence model shares (``vector_size``, ``window``, ``epochs``,
    ``learning_rate``, ``min_count``, ``max_vocab`` unless None, ``seed``); returns the owner's name
    for the model's own checks."""
    owner = type(model).__name__
    check_number(owner, "vector_size", model.vector_size, low=1, high=1000)
    check_number(owner, "window", model.window, low=1)
    check_number(owner, "epochs", model.epochs, low=1)
    check_number(owner, "learning_rate", model.learning_rate, low=0, integer=False, low_open=True)
    check_number(owner, "min_count", model.min_count, low=1)
    if model.max_vocab is not None:
        check_number(owner, "max_vocab", model.max_vocab, low=1, high=max_vocab_high)
    check_number(owner, "seed", model.seed, low=0, high=2**32 - 1)
    return owner


@register_model("cooc-mf", modality="word", dim=50,
                description="Word vectors from factorising log co-occurrence counts (GloVe's loss, full-batch "
                            "Adam in numpy); small and fast, trained here on a text corpus.",
                source="numpy + scipy (this workbench)", licence="BSD-3-Clause; vectors are yours")
class CoocMF(TrainedWordVectors):
    """Word vectors learned by weighted least squares on log co-occurrence counts (see the module docstring).

    Parameters
    ----------
    vector_size : int, default=50
        Dimension of the vectors (1-1000).
    window : int, default=5
        Words up to this distance apart co-occur, with weight 1/distance.
    epochs : int, default=50
        Full-batch Adam steps.
    learning_rate : float, default=0.05
        Adam's step size (about the largest change of one coordinate per epoch); far too large
        (1e6) and the run diverges.
    min_count : int, default=5
        Words seen fewer times are dropped.
    max_vocab : int, default=5000
        Keep at most this many of the most frequent words (the cost grows with the non-zero cells).
    seed : int, default=0
        Seeds the initial vectors (uniform in ``[-0.5, 0.5) / vector_size``, as in GloVe).

    Attributes
    ----------
    vocabulary_, counts_, vectors_ : as in :class:`~workbench.models.word2vec.Word2Vec`
    history_ : list of dict
        One row per epoch: ``epoch``, ``loss`` (``J`` per non-zero cell), ``seconds``.

    Examples
    --------
    >>> from workbench.loaders import load_dataset
    >>> model = CoocMF(vector_size=16, epochs=20).fit(load_dataset("lee-background"))
    >>> model.dim, len(model.vocabulary_), model.history_[-1]["loss"] < model.history_[0]["loss"]
    (16, 1759, True)
    """

    def __init__(self, *, vector_size: int = 50, window: int = 5, epochs: int = 50, learning_rate: float = 0.05,
                 min_count: int = 5, max_vocab: int = 5000, seed: int = 0):
        self.vector_size = vector_size
        self.window = window
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.min_count = min_count
        self.max_vocab = max_vocab
        self.seed = seed

    def _validate_params(self) -> None:
        owner = type(self).__name__
        if self.max_vocab is None:  # required here: the full-batch cost grows with the vocabulary
            check_number(owner, "max_vocab", self.max_vocab, low=1, high=100_000)
        check_cooccurrence_params(self, max_vocab_high=100_000)

    def _fit(self, dataset, progress) -> None:
        import scipy.sparse as sp

        sentences = self._corpus_tokens(dataset, progress)
        words, counts = build_vocabulary(sentences, int(self.min_count), int(self.max_vocab))
        if not words:
            tokens = sum(len(s) for s in sentences)
            raise EmptyInputError(f"No word occurs min_count={self.min_count} times or more in this corpus "
                                  f"({len(sentences):,} texts, {tokens:,} tokens): lower min_count or give a "
                                  "larger corpus.")
        progress.check("counting co-occurrences")
        X = cooccurrence_matrix(sentences, {w: i for i, w in enumerate(words)}, int(self.window))
        if X.nnz == 0:
            raise EmptyInputError(f"No two of the {len(words):,} vocabulary words occur within window={self.window} "
                                  "of each other: give texts of more than one word.")
        progress(0.05, f"{len(words):,} words, {X.nnz:,} co-occurring pairs")

        n, d = len(words), int(self.vector_size)
        rows = np.repeat(np.arange(n), np.diff(X.indptr))
        cols = X.indices
        log_x = np.log(X.data).astype(np.float32)
        weight = glove_weight(X.data).astype(np.float32)
        rng = np.random.default_rng(int(self.seed))
        # w, w~, b, b~ (uniform in [-0.5, 0.5) / vector_size, as in glove.c) and Adam's two moments of each
        params = [(rng.random(shape, dtype=np.float32) - 0.5) / d for shape in ((n, d), (n, d), n, n)]
        first, second = [np.zeros_like(p) for p in params], [np.zeros_like(p) for p in params]
        lr, beta1, beta2, eps = np.float32(self.learning_rate), np.float32(0.9), np.float32(0.999), np.float32(1e-8)
        self._live = lambda: (list(words), params[0] + params[1])
        stage = progress.stage(0.05, 1.0)
        try:
            with np.errstate(over="ignore", invalid="ignore"):  # overflow is how divergence shows (see above)
                for epoch in range(1, int(self.epochs) + 1):
                    w, wc, b, bc = params
                    diff = np.einsum("ij,ij->i", w[rows], wc[cols]) + b[rows] + bc[cols] - log_x
                    loss = float(np.sum(weight * diff * diff, dtype=np.float32)) / X.nnz
                    grad = sp.csr_matrix((2 * weight * diff, cols, X.indptr), shape=(n, n))
                    grads = [grad @ wc, grad.T @ w, np.asarray(grad.sum(axis=1)).ravel(),
                             np.asarray(grad.sum(axis=0)).ravel()]
                    scale = lr * np.float32(np.sqrt(1 - 0.999**epoch) / (1 - 0.9**epoch))  # bias corrections
                    for p, g, m, v in zip(params, grads, first, second):
                        g = g.astype(np.float32, copy=False)
                        m *= beta1
                        m += (1 - beta1) * g
                        v *= beta2
                        v += (1 - beta2) * g * g
                        p -= scale * m / (np.sqrt(v) + eps)
                    if not all(np.isfinite(v).all() and np.isfinite(p).all() for p, v in zip(params, second)):
                        loss = float("nan")  # the step overflowed float32: the state is no longer meaningful
                    first_loss = loss if epoch == 1 else first_loss
                    if loss > DIVERGENCE_FACTOR * max(first_loss, 1e-3):  # (the floor: a first loss near 0)
                        raise DivergedError(f"Training diverged at epoch {epoch}: the loss grew from {first_loss:.3g} "
                                            f"to {loss:.3g}, over {DIVERGENCE_FACTOR:.0e} times its first value. "
                                            "Lower the learning rate and train again; the previous model is kept.")
                    self.end_epoch(epoch, int(self.epochs), stage, loss=loss)
        finally:
            self._live = None
        self._set_vectors(words, counts, params[0] + params[1])
