"""GloVe trained in the workbench: Pennington et al. (2014) with AdaGrad on shuffled co-occurrences, in numpy.

1. **Counting** is :func:`workbench.models.cooccurrence.cooccurrence_matrix` (GloVe's ``cooccur``:
   a symmetric window, a pair at distance ``d`` adds ``1/d``), on the vocabulary of
   :func:`~workbench.models.cooccurrence.build_vocabulary`.
2. **Loss** (the paper's eq. 8) over the non-zero cells:
   ``J = sum f(X_ij) (w_i . w~_j + b_i + b~_j - log X_ij)^2`` with ``f(x) = min(1, (x / x_max)^alpha)``,
   ``x_max = 100`` and ``alpha = 3/4``. :func:`glove_loss` computes ``J`` and its gradients.
3. **AdaGrad, one cell at a time**, exactly as ``glove.c`` does it: every epoch visits the
   non-zero cells in a new random order; each cell moves its two vectors and two biases along
   ``g = learning_rate * f(X_ij) * diff * (other vector)`` (``f * diff`` is the gradient of ``J / 2``),
   each parameter divided by the square root of its own sum of earlier squared steps ``G``
   (started at ``initial_accumulator = 1``), then ``G += g^2``. This differs from textbook AdaGrad
   (Duchi et al., as in ``mittens``: ``G += grad^2`` first, step ``learning_rate * grad / sqrt(G)``)
   only in that the squares are of the scaled steps, so the step size decays about
   ``1 / learning_rate`` times more slowly: with the textbook rule and ``learning_rate = 0.05``,
   GloVe on the Bible answered 1 of 906 analogy questions after 5 epochs (wordsim353 rho 0.02).
   The loop over cells is compiled with numba (a dependency of umap-learn), single-threaded and
   reproducible for a ``seed``; ``glove.c`` runs the same loop in parallel threads without locks
   (Hogwild). Full-batch AdaGrad in numpy makes one step per epoch and learns far less.
4. **Vectors** are ``w + w~``; the reported ``loss`` of an epoch is ``J / nnz`` summed over the
   cells as they were visited (each cell just before its step, as ``glove.c`` reports its cost).

A NaN or infinite loss stops the run with :class:`~workbench.core.errors.DivergedError` and keeps
the previous model (the Trainable contract).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..core.errors import EmptyInputError
from ..core.validation import check_number
from ._word_vectors import TrainedWordVectors
from .base import register_model
from .cooccurrence import (ALPHA, X_MAX, build_vocabulary, check_cooccurrence_params, cooccurrence_matrix,
                           glove_weight)

__all__ = ["GloVe", "glove_loss", "count_cooccurrences"]


def count_cooccurrences(sentences, *, min_count: int, max_vocab: int | None, window: int, owner: str):
    """``(words, counts, X)``: the vocabulary and its co-occurrence matrix, or a clear error when there is none.

    Examples
    --------
    >>> words, counts, X = count_cooccurrences([["a", "b", "a"]], min_count=1, max_vocab=None, window=1,
    ...                                        owner="GloVe")
    >>> words, X.toarray().tolist()
    (['a', 'b'], [[0.0, 2.0], [2.0, 0.0]])
    """
    words, counts = build_vocabulary(sentences, int(min_count), int(max_vocab) if max_vocab else None)
    if not words:
        tokens = sum(len(s) for s in sentences)
        raise EmptyInputError(f"No word occurs min_count={min_count} times or more in this corpus "
                              f"({len(sentences):,} texts, {tokens:,} tokens): lower min_count or give a "
                              "larger corpus.")
    X = cooccurrence_matrix(sentences, {w: i for i, w in enumerate(words)}, int(window))
    if X.nnz == 0:
        raise EmptyInputError(f"No two of the {len(words):,} vocabulary words occur within window={window} of "
                              f"each other, so {owner} has nothing to learn: give texts of more than one word.")
    return words, counts, X


def glove_loss(w, wc, b, bc, rows, cols, x, *, x_max: float = X_MAX, alpha: float = ALPHA):
    """GloVe's loss ``J`` on the cells ``(rows[k], cols[k])`` with counts ``x[k]``, and its gradients.

    Returns ``(J, (dw, dwc, db, dbc))``, the gradients of ``J`` with respect to ``w``, ``w~``, ``b``
    and ``b~`` (a cell listed twice counts twice).

    Examples
    --------
    >>> w = wc = np.zeros((2, 3)); b = bc = np.zeros(2)
    >>> J, grads = glove_loss(w, wc, b, bc, np.array([0]), np.array([1]), np.array([100.0]))
    >>> bool(np.isclose(J, np.log(100) ** 2)), bool(np.isclose(grads[2][0], -2 * np.log(100)))
    (True, True)
    """
    diff = np.einsum("ij,ij->i", w[rows], wc[cols]) + b[rows] + bc[cols] - np.log(x)
    fdiff = glove_weight(x, x_max, alpha) * diff
    n = len(w)
    dw, dwc = np.zeros_like(w), np.zeros_like(wc)
    np.add.at(dw, rows, 2 * fdiff[:, None] * wc[cols])
    np.add.at(dwc, cols, 2 * fdiff[:, None] * w[rows])
    db = np.bincount(rows, 2 * fdiff, minlength=n).astype(b.dtype)
    dbc = np.bincount(cols, 2 * fdiff, minlength=n).astype(bc.dtype)
    return float(np.sum(fdiff * diff)), (dw, dwc, db, dbc)


@register_model("glove-trained", modality="word", dim=50,
                description="GloVe (Pennington et al. 2014: weighted least squares on log co-occurrences, "
                            "x_max 100, alpha 3/4, AdaGrad) trained here on a text corpus.",
                source="numpy + scipy (this workbench)", licence="BSD-3-Clause; vectors are yours")
class GloVe(TrainedWordVectors):
    """GloVe word vectors learned from a text corpus with AdaGrad (see the module docstring).

    Parameters
    ----------
    vector_size : int, default=50
        Dimension of the vectors (1-1000).
    window : int, default=10
        Words up to this distance apart co-occur, with weight 1/distance (``glove.c``'s default is 15).
    epochs : int, default=10
        Passes over the shuffled non-zero cells (``glove.c``: 25).
    learning_rate : float, default=0.05
        AdaGrad's initial step (``glove.c``'s ``eta``).
    min_count : int, default=5
    max_vocab : int or None, default=None
        Keep at most this many of the most frequent words.
    x_max, alpha : float, default=100 and 0.75
        The weighting ``f(x) = min(1, (x / x_max)^alpha)``.
    initial_accumulator : float, default=1.0
        Starting sum of squared steps (``glove.c``: 1.0).
    seed : int, default=0
        Seeds the initial vectors (uniform in ``[-0.5, 0.5) / vector_size``, as ``glove.c``) and the order of cells.

    Attributes
    ----------
    vocabulary_, counts_, vectors_ : as in :class:`~workbench.models.word2vec.Word2Vec`
    history_ : list of dict
        One row per epoch: ``epoch``, ``loss`` (``J`` per non-zero cell), ``seconds``.
    nnz_ : int
        Non-zero co-occurrence cells trained on.

    Examples
    --------
    >>> from workbench.loaders import load_dataset
    >>> model = GloVe(vector_size=16, epochs=5).fit(load_dataset("lee-background"))
    >>> model.dim, len(model.vocabulary_), model.history_[-1]["loss"] < model.history_[0]["loss"]
    (16, 1759, True)
    """

    def __init__(self, *, vector_size: int = 50, window: int = 10, epochs: int = 10, learning_rate: float = 0.05,
                 min_count: int = 5, max_vocab: int | None = None, x_max: float = X_MAX,
                 alpha: float = ALPHA, initial_accumulator: float = 1.0, seed: int = 0):
        self.vector_size = vector_size
        self.window = window
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.min_count = min_count
        self.max_vocab = max_vocab
        self.x_max = x_max
        self.alpha = alpha
        self.initial_accumulator = initial_accumulator
        self.seed = seed

    def _validate_params(self) -> None:
        owner = check_cooccurrence_params(self)
        check_number(owner, "x_max", self.x_max, low=0, integer=False, low_open=True)
        check_number(owner, "alpha", self.alpha, low=0, high=1, integer=False, low_open=True)
        check_number(owner, "initial_accumulator", self.initial_accumulator, low=0, integer=False, low_open=True)

    def _fit(self, dataset, progress) -> None:
        sentences = self._corpus_tokens(dataset, progress)
        progress.check("counting co-occurrences")
        words, counts, X = count_cooccurrences(sentences, min_count=self.min_count, max_vocab=self.max_vocab,
                                               window=self.window, owner=type(self).__name__)
        self.nnz_ = int(X.nnz)
        progress(0.05, f"{len(words):,} words, {X.nnz:,} co-occurring pairs")
        n, d = len(words), int(self.vector_size)
        rows = np.repeat(np.arange(n), np.diff(X.indptr)).astype(np.int64)
        cols = X.indices.astype(np.int64)
        log_x = np.log(X.data).astype(np.float32)
        fweight = glove_weight(X.data, float(self.x_max), float(self.alpha)).astype(np.float32)
        rng = np.random.default_rng(int(self.seed))
        params = [(rng.random(shape, dtype=np.float32) - 0.5) / d for shape in ((n, d), (n, d), n, n)]
        accumulators = [np.full_like(p, self.initial_accumulator) for p in params]
        kernel, epochs = _cell_kernel(), int(self.epochs)
        self._live = lambda: (list(words), params[0] + params[1])
        stage = progress.stage(0.05, 1.0)
        try:
            with np.errstate(over="ignore", invalid="ignore"):  # overflow shows as a NaN loss: DivergedError
                for epoch in range(1, epochs + 1):
                    order = rng.permutation(X.nnz)
                    total = 0.0
                    for start in range(0, X.nnz, _CHUNK):
                        total += kernel(*params, *accumulators, rows, cols, log_x, fweight,
                                        order[start:start + _CHUNK], np.float32(self.learning_rate))
                        stage((epoch - 1 + min(1.0, (start + _CHUNK) / X.nnz)) / epochs,
                              f"epoch {epoch}/{epochs}: {min(start + _CHUNK, X.nnz):,} of {X.nnz:,} pairs")
                        stage.check(f"training {self.name or type(self).__name__} during epoch {epoch}")
                    self.end_epoch(epoch, epochs, stage, loss=total / X.nnz)
        finally:
            self._live = None
        self._set_vectors(words, counts, params[0] + params[1])


_CHUNK = 100_000  # cells between two looks at Cancel (a few tens of ms)


@lru_cache(maxsize=1)
def _cell_kernel():
    """The compiled AdaGrad pass over a list of cells (numba, compiled once and cached on disk)."""
    from numba import njit

    @njit(cache=True, nogil=True)
    def glove_cells(w, wc, b, bc, gw, gwc, gb, gbc, rows, cols, log_x, fweight, cells, lr):  # pragma: no cover
        cost = 0.0
        d = w.shape[1]
        for k in range(cells.shape[0]):
            e = cells[k]
            i, j = rows[e], cols[e]
            diff = b[i] + bc[j] - log_x[e]
            for t in range(d):
                diff += w[i, t] * wc[j, t]
            fdiff = fweight[e] * diff  # the gradient of J / 2 with respect to the prediction
            cost += fdiff * diff
            fdiff *= lr  # glove.c: the step, and the accumulated squares, are those of lr * gradient
            for t in range(d):
                g1, g2 = fdiff * wc[j, t], fdiff * w[i, t]
                w[i, t] -= g1 / np.sqrt(gw[i, t])
                wc[j, t] -= g2 / np.sqrt(gwc[j, t])
                gw[i, t] += g1 * g1
                gwc[j, t] += g2 * g2
            b[i] -= fdiff / np.sqrt(gb[i])
            bc[j] -= fdiff / np.sqrt(gbc[j])
            gb[i] += fdiff * fdiff
            gbc[j] += fdiff * fdiff
        return cost

    return glove_cells
