"""Nearest-neighbour search on unit vectors: exact, or approximate (HNSW) for large sets.

Both answer the same question — the ``k`` rows with the highest cosine similarity to each query —
through one class, :class:`NeighbourIndex`. ``method="auto"`` picks exact search up to
``exact_limit`` rows and HNSW above; the choice is recorded in ``method_``, and every result says
which was used.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .errors import DimensionMismatchError, EmptyInputError, InvalidParameterError, WorkbenchError

__all__ = ["NeighbourIndex", "normalize_rows"]

METHODS = ("auto", "exact", "hnsw")


class NotFittedError(WorkbenchError, AttributeError):
    """``query`` called before ``fit`` (scikit-learn's name for the same mistake)."""


def normalize_rows(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), as float32."""
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    return np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)


class NeighbourIndex:
    """Top-k cosine search over unit vectors.

    Parameters
    ----------
    method : {"auto", "exact", "hnsw"}, default="auto"
        ``"exact"`` multiplies the query by the whole matrix and keeps the best ``k`` with
        ``argpartition`` (always right; 8-20 ms a query on 100k x 384 here). ``"hnsw"`` builds a
        hnswlib graph (10-110 s for 100k x 384 on one thread, then ~0.4 ms a query, recall@10 0.999
        with the defaults): worth it for many queries, not for a few. ``"auto"`` uses exact search up
        to ``exact_limit`` rows. (:class:`~workbench.core.Embeddings` sets ``exact_limit`` from the
        dimension, and sends large batches of queries to HNSW.)
    exact_limit : int, default=50_000
        Largest set searched exactly under ``method="auto"``.
    ef : int, default=128
        HNSW search breadth: higher is slower and more accurate (typical 32-512).
    M : int, default=16
        HNSW graph degree (typical 8-48).
    ef_construction : int, default=100
        HNSW build breadth: 100 halves the build time of 200 and kept recall@10 at 0.998 on
        100k x 384 (benchmarks/).
    random_state : int, default=0
        Seed of the HNSW graph.

    Attributes
    ----------
    method_ : str
        The method actually used, once fitted.

    Examples
    --------
    >>> import numpy as np
    >>> x = normalize_rows(np.eye(3) + 0.1)
    >>> index = NeighbourIndex().fit(x)
    >>> ids, scores = index.query(x[:1], k=2)
    >>> ids.tolist(), index.method_
    ([[0, 1]], 'exact')
    """

    def __init__(self, method: str = "auto", *, exact_limit: int = 50_000, ef: int = 128, M: int = 16,
                 ef_construction: int = 100, random_state: int = 0):
        self.method = method
        self.exact_limit = exact_limit
        self.ef = ef
        self.M = M
        self.ef_construction = ef_construction
        self.random_state = random_state

    def __repr__(self) -> str:
        fitted = f", method_={self.method_!r}, n={len(self._x)}" if hasattr(self, "method_") else ""
        return f"NeighbourIndex(method={self.method!r}{fitted})"

    def fit(self, unit_vectors: np.ndarray) -> NeighbourIndex:
        """Index ``unit_vectors`` (n, d), rows already of unit length."""
        if self.method not in METHODS:
            raise InvalidParameterError("method", f"one of {METHODS}", self.method, owner="NeighbourIndex")
        x = np.ascontiguousarray(unit_vectors, dtype=np.float32)
        if x.ndim != 2 or len(x) == 0:
            raise EmptyInputError(f"Cannot index {x.shape}: need a non-empty (n, d) matrix.")
        self._x = x
        method = self.method
        if method == "auto":
            method = "exact" if len(x) <= self.exact_limit else "hnsw"
        self._hnsw = self._build_hnsw(x) if method == "hnsw" else None
        self.method_ = method
        return self

    def _build_hnsw(self, x: np.ndarray):
        import hnswlib  # lazy: only large sets need it

        graph = hnswlib.Index(space="ip", dim=x.shape[1])
        graph.init_index(max_elements=len(x), M=self.M, ef_construction=self.ef_construction,
                         random_seed=self.random_state)
        graph.add_items(x, np.arange(len(x)), num_threads=1)
        graph.set_ef(self.ef)
        return graph

    def query(self, queries: np.ndarray, k: int = 10,
              exclude: Sequence[Sequence[int]] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` best rows for each query, best first.

        Parameters
        ----------
        queries : array of shape (m, d) or (d,)
            Query vectors; they are normalised here, so raw vectors are fine.
        k : int
            Neighbours per query (capped at the number of rows left after exclusion).
        exclude : list of lists of row ids, optional
            Rows to leave out of each query's answer (for example the query itself).

        Returns
        -------
        ids : int64 array (m, k)
        scores : float32 array (m, k), cosine similarities
        """
        if not hasattr(self, "method_"):
            raise NotFittedError("This NeighbourIndex is not fitted yet: call fit(unit_vectors) first.")
        q = normalize_rows(np.atleast_2d(queries))
        if q.shape[1] != self._x.shape[1]:
            raise DimensionMismatchError(
                f"Query vectors have dimension {q.shape[1]}, the index holds dimension {self._x.shape[1]}.")
        exclude = exclude or [()] * len(q)
        extra = max((len(e) for e in exclude), default=0)
        k = int(min(k, len(self._x) - extra if extra else len(self._x)))
        if k <= 0:
            return np.empty((len(q), 0), np.int64), np.empty((len(q), 0), np.float32)
        want = min(k + extra, len(self._x))
        if self._hnsw is not None:
            ids, dist = self._hnsw.knn_query(q, k=want, num_threads=1)
            ids, scores = ids.astype(np.int64), (1.0 - dist).astype(np.float32)
        else:
            ids, scores = self._exact(q, want)
        return _drop_excluded(ids, scores, exclude, k)

    def _exact(self, q: np.ndarray, want: int, chunk: int = 1024) -> tuple[np.ndarray, np.ndarray]:
        out_ids = np.empty((len(q), want), np.int64)
        out_scores = np.empty((len(q), want), np.float32)
        for start in range(0, len(q), chunk):
            sims = q[start:start + chunk] @ self._x.T
            top = np.argpartition(-sims, want - 1, axis=1)[:, :want] if want < sims.shape[1] else \
                np.broadcast_to(np.arange(sims.shape[1]), sims.shape).copy()
            top_sims = np.take_along_axis(sims, top, axis=1)
            order = np.argsort(-top_sims, axis=1, kind="stable")
            out_ids[start:start + chunk] = np.take_along_axis(top, order, axis=1)
            out_scores[start:start + chunk] = np.take_along_axis(top_sims, order, axis=1)
        return out_ids, out_scores


def _drop_excluded(ids, scores, exclude, k):
    if not any(len(e) for e in exclude):
        return ids[:, :k], scores[:, :k]
    if len({len(e) for e in exclude}) == 1:  # the common case (each row's own id): vectorised
        banned = (ids[:, :, None] == np.asarray(exclude, dtype=np.int64)[:, None, :]).any(-1)
        keep = np.argsort(banned, axis=1, kind="stable")[:, :k]  # unbanned first, order kept
        return np.take_along_axis(ids, keep, 1), np.take_along_axis(scores, keep, 1)
    kept_ids = np.empty((len(ids), k), np.int64)
    kept_scores = np.empty((len(ids), k), np.float32)
    for row, banned in enumerate(exclude):
        keep = ~np.isin(ids[row], np.asarray(list(banned), dtype=np.int64))
        kept_ids[row] = ids[row][keep][:k]
        kept_scores[row] = scores[row][keep][:k]
    return kept_ids, kept_scores
