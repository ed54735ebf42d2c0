"""SWIVEL trained in the workbench: Shazeer et al. (2016), "Swivel: Improving Embeddings by Noticing What's Missing".

1. **Counts** are GloVe's (:func:`workbench.models.glove.count_cooccurrences`: a symmetric window,
   ``1/d`` per pair at distance ``d``), with row sums ``x_i*``, column sums ``x_*j`` and total ``|D|``.
2. **Targets**: the pointwise mutual information of each cell,
   ``pmi_ij = log x_ij + log |D| - log x_i* - log x_*j``.
3. **Loss**, on every cell of the matrix, observed or not:

   - observed (``x_ij > 0``): ``1/2 f(x_ij) (w_i . c_j - pmi_ij)^2`` with the confidence
     ``f(x) = 0.1 + 0.25 x^0.5`` (the paper's code: base 0.1, scale 0.25, exponent 0.5);
   - unobserved (``x_ij = 0``): the soft hinge ``log(1 + exp(w_i . c_j - pmi*_ij))``, where
     ``pmi*_ij`` is the PMI the cell would have with a count of 1. It only pushes the model's
     estimate *down* towards an upper bound, so that pairs never seen together do not look associated.

4. **Shards**: the words, sorted by frequency, are dealt into ``k = ceil(n / shard_size)`` shards
   (word ``i`` goes to shard ``i mod k``, so every shard mixes frequent and rare words). A
   *submatrix* is one row shard times one column shard, a dense ``shard_size x shard_size`` block;
   one training step computes all of its predictions with one matrix product and updates that
   block's row and column vectors with AdaGrad. An epoch visits the ``k^2`` blocks in a new random
   order.
5. **Parallel workers**: two blocks that share no row shard and no column shard touch disjoint
   parameters, so up to ``k`` blocks (a "diagonal" of the shard grid) can be trained at the same
   time by ``k`` workers; in the paper each worker pulls the vectors of its block from a parameter
   server, trains, and pushes the change back. Here a single worker takes the blocks one after the
   other (:meth:`Swivel.shard_plan` says how a run would split over workers).
6. **Vectors** are ``w + c``; the reported ``loss`` is the epoch's summed loss per cell of the matrix.
"""

from __future__ import annotations

import math

import numpy as np

from ..core.validation import check_number
from ._word_vectors import TrainedWordVectors
from .base import register_model
from .cooccurrence import check_cooccurrence_params
from .glove import count_cooccurrences

__all__ = ["Swivel", "swivel_targets", "swivel_block_loss"]

CONFIDENCE_BASE, CONFIDENCE_SCALE, CONFIDENCE_EXPONENT = 0.1, 0.25, 0.5


def swivel_targets(X):
    """``(log |D| - log x_i*, - log x_*j)`` terms: ``pmi_ij = log x_ij + r_i + s_j`` and ``pmi*_ij = r_i + s_j``.

    A word of the vocabulary that co-occurs with no other (it only occurs in one-word texts) gets
    ``+inf``: its soft hinge is then 0 with a zero gradient, and its vector stays as initialised.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> r, s = swivel_targets(sp.csr_matrix(np.array([[0.0, 2.0], [2.0, 4.0]])))
    >>> round(float(np.log(4.0) + r[1] + s[1]), 4)  # pmi of cell (1, 1): log(4 * 8 / (6 * 6))
    -0.1178
    """
    row_sums = np.asarray(X.sum(axis=1)).ravel()
    col_sums = np.asarray(X.sum(axis=0)).ravel()
    total = float(row_sums.sum())
    with np.errstate(divide="ignore"):  # a word that co-occurs with nothing: +inf, so its cells add no loss
        return math.log(total) - np.log(row_sums), -np.log(col_sums)


def swivel_block_loss(w, c, counts, r, s):
    """SWIVEL's loss on one dense block and its gradient with respect to the block's predictions.

    ``counts`` is the block of co-occurrence counts (zeros where unobserved), ``r`` and ``s`` the
    row and column terms of :func:`swivel_targets` for the block's rows and columns. Returns
    ``(loss, dloss_dprediction)``.

    Examples
    --------
    >>> loss, grad = swivel_block_loss(np.zeros((1, 2)), np.zeros((2, 2)), np.array([[4.0, 0.0]]),
    ...                                np.zeros(1), np.zeros(2))
    >>> round(loss, 4), grad.round(4).tolist()  # 0.5 * 0.6 * (0 - log 4)^2 + log(1 + e^0)
    (1.2697, [[-0.8318, 0.5]])
    """
    prediction = w @ c.T
    observed = counts > 0
    base = r[:, None] + s[None, :]
    with np.errstate(divide="ignore"):
        pmi = np.where(observed, np.log(np.where(observed, counts, 1.0)), 0.0) + base
    confidence = CONFIDENCE_BASE + CONFIDENCE_SCALE * counts ** CONFIDENCE_EXPONENT
    diff = prediction - pmi
    hinge = np.logaddexp(0.0, diff)  # softplus, pmi* = base where unobserved
    loss = np.where(observed, 0.5 * confidence * diff * diff, hinge)
    grad = np.where(observed, confidence * diff, 0.5 * (1 + np.tanh(diff / 2)))  # sigmoid, overflow-free
    return float(loss.sum()), grad


@register_model("swivel", modality="word", dim=50,
                description="SWIVEL (Shazeer et al. 2016: PMI targets, squared loss on observed pairs, soft hinge "
                            "on unobserved ones, trained block by block on shards of the co-occurrence matrix; "
                            "blocks that share no shard can run on parallel workers) trained here on a text corpus.",
                source="numpy + scipy (this workbench)", licence="BSD-3-Clause; vectors are yours")
class Swivel(TrainedWordVectors):
    """SWIVEL word vectors learned from a text corpus (see the module docstring).

    Parameters
    ----------
    vector_size : int, default=50
        Dimension of the vectors (1-1000).
    window : int, default=10
        Words up to this distance apart co-occur, with weight 1/distance.
    epochs : int, default=10
        Passes over all ``k^2`` blocks.
    learning_rate : float, default=0.2
        AdaGrad's step (0.05 learns slower: loss per cell 0.0255 against 0.0216 after 10 epochs on the Bible).
    shard_size : int, default=512
        Words per shard (the paper's code uses 4096 on a large vocabulary).
    min_count : int, default=5
    max_vocab : int or None, default=None
    seed : int, default=0
        Seeds the initial vectors (normal, standard deviation ``1 / sqrt(vector_size)``) and block order.

    Attributes
    ----------
    vocabulary_, counts_, vectors_ : as in :class:`~workbench.models.word2vec.Word2Vec`
    history_ : list of dict
        One row per epoch: ``epoch``, ``loss`` (per cell), ``seconds``.
    n_shards_ : int

    Examples
    --------
    >>> from workbench.loaders import load_dataset
    >>> model = Swivel(vector_size=16, epochs=3).fit(load_dataset("lee-background"))
    >>> model.n_shards_, model.history_[-1]["loss"] < model.history_[0]["loss"]
    (4, True)
    """

    def __init__(self, *, vector_size: int = 50, window: int = 10, epochs: int = 10, learning_rate: float = 0.2,
                 shard_size: int = 512, min_count: int = 5, max_vocab: int | None = None, seed: int = 0):
        self.vector_size = vector_size
        self.window = window
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.shard_size = shard_size
        self.min_count = min_count
        self.max_vocab = max_vocab
        self.seed = seed

    def _validate_params(self) -> None:
        owner = check_cooccurrence_params(self)
        check_number(owner, "shard_size", self.shard_size, low=1, high=8192)

    @staticmethod
    def shards(n_words: int, shard_size: int) -> list[np.ndarray]:
        """The word ids of each shard: word ``i`` goes to shard ``i mod k``, ``k = ceil(n_words / shard_size)``.

        Examples
        --------
        >>> [s.tolist() for s in Swivel.shards(5, 2)]
        [[0, 3], [1, 4], [2]]
        """
        k = max(1, math.ceil(n_words / shard_size))
        return [np.arange(j, n_words, k) for j in range(k)]

    def shard_plan(self, n_words: int | None = None, workers: int | None = None) -> str:
        """A sentence on how the blocks of this model's matrix map to parallel workers.

        Examples
        --------
        >>> print(Swivel(shard_size=512).shard_plan(5_289))
        5,289 words in 11 shards of about 481 words: 121 blocks of 481 x 481 cells per epoch. Blocks that share no row or column shard touch disjoint vectors, so 11 workers can train 11 blocks at once (one diagonal of the 11 x 11 grid); this run uses 1 worker, block after block.
        """
        n = n_words if n_words is not None else len(self.vocabulary_)
        k = max(1, math.ceil(n / int(self.shard_size)))
        size = math.ceil(n / k)
        return (f"{n:,} words in {k} shards of about {size:,} words: {k * k:,} blocks of {size:,} x {size:,} cells "
                f"per epoch. Blocks that share no row or column shard touch disjoint vectors, so {k} workers can "
                f"train {k} blocks at once (one diagonal of the {k} x {k} grid); this run uses 1 worker, block "
                "after block.")

    def _fit(self, dataset, progress) -> None:
        sentences = self._corpus_tokens(dataset, progress)
        progress.check("counting co-occurrences")
        words, counts, X = count_cooccurrences(sentences, min_count=self.min_count, max_vocab=self.max_vocab,
                                               window=self.window, owner=type(self).__name__)
        n, d = len(words), int(self.vector_size)
        shards = self.shards(n, int(self.shard_size))
        self.n_shards_ = len(shards)
        progress(0.05, f"{n:,} words, {X.nnz:,} co-occurring pairs; " + self.shard_plan(n))
        r, s = swivel_targets(X)
        X = X.tocsr()
        row_blocks = [X[ids] for ids in shards]  # the rows of each shard, sliced once
        rng = np.random.default_rng(int(self.seed))
        w = rng.normal(scale=1 / math.sqrt(d), size=(n, d))
        c = rng.normal(scale=1 / math.sqrt(d), size=(n, d))
        gw, gc = np.full_like(w, 1e-8), np.full_like(c, 1e-8)
        lr, epochs, k = float(self.learning_rate), int(self.epochs), len(shards)
        self._live = lambda: (list(words), (w + c).astype(np.float32))
        stage = progress.stage(0.05, 1.0)
        try:
            with np.errstate(over="ignore", invalid="ignore"):
                for epoch in range(1, epochs + 1):
                    total = 0.0
                    for step, block in enumerate(rng.permutation(k * k)):
                        i, j = divmod(int(block), k)
                        rows, cols = shards[i], shards[j]
                        dense = row_blocks[i][:, cols].toarray()
                        loss, grad = swivel_block_loss(w[rows], c[cols], dense, r[rows], s[cols])
                        total += loss
                        g_w, g_c = grad @ c[cols], grad.T @ w[rows]
                        gw[rows] += g_w * g_w
                        gc[cols] += g_c * g_c
                        w[rows] -= lr * g_w / np.sqrt(gw[rows])
                        c[cols] -= lr * g_c / np.sqrt(gc[cols])
                        stage((epoch - 1 + (step + 1) / (k * k)) / epochs, f"epoch {epoch}/{epochs}: block "
                                                                         f"{step + 1} of {k * k}")
                        stage.check(f"training {self.name or type(self).__name__} during epoch {epoch}")
                    self.end_epoch(epoch, epochs, stage, loss=total / (n * n))
        finally:
            self._live = None
        self._set_vectors(words, counts, w + c)
