"""Nearest-neighbour search by cosine or inner product: exact, or approximate (HNSW) for large sets.

Both answer the same question — the ``k`` rows with the highest score for each query — through
one class, :class:`NeighbourIndex`. ``method="auto"`` picks exact search up to ``exact_limit``
rows and HNSW above; the choice is recorded in ``method_``. A query may be restricted to some rows
(``allowed``, a boolean mask); :meth:`NeighbourIndex.method_for` says which search answers it.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Sequence

import numpy as np

from .errors import DimensionMismatchError, EmptyInputError, InvalidParameterError, WorkbenchError

__all__ = ["NeighbourIndex", "normalize_rows", "METRICS"]

METHODS = ("auto", "exact", "hnsw")
METRICS = ("cosine", "dot")
# An HNSW graph answers a filtered query by walking past the rows the filter refuses. Below this
# share of allowed rows the walk is long and an exact scan of the allowed rows is faster (and exact).
FILTER_EXACT_SHARE = 0.05


class NotFittedError(WorkbenchError, AttributeError):
    """``query`` called before ``fit`` (scikit-learn's name for the same mistake)."""


def normalize_rows(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), as float32."""
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    return np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)


class NeighbourIndex:
    """Top-k search by cosine similarity or by inner product.

    Parameters
    ----------
    method : {"auto", "exact", "hnsw"}, default="auto"
        ``"exact"`` multiplies the query by the whole matrix and keeps the best ``k`` with
        ``argpartition`` (always right; 8-20 ms a query on 100k x 384 here). ``"hnsw"`` builds a
        hnswlib graph (10-110 s for 100k x 384 on one thread, then ~0.4 ms a query, recall@10 0.999
        with the defaults): worth it for many queries, not for a few. ``"auto"`` uses exact search up
        to ``exact_limit`` rows. (:class:`~workbench.core.Embeddings` sets ``exact_limit`` from the
        dimension, and sends large batches of queries to HNSW.)
    metric : {"cosine", "dot"}, default="cosine"
        ``"cosine"`` scales rows and queries to unit length; ``"dot"`` keeps both raw and ranks by
        inner product, for models trained for it (matrix-factorisation recommenders), where a long
        vector is a popular item. HNSW uses hnswlib's inner-product space either way.
    exact_limit : int, default=50_000
        Largest set searched exactly under ``method="auto"``; also the largest allowed subset that
        an ``"auto"`` HNSW index answers by scanning the subset.
    ef : int, default=128
        HNSW search breadth: higher is slower and more accurate (typical 32-512). A filtered query
        keeping a share ``p`` of the rows searches with ``ef / p``.
    M : int, default=16
        HNSW graph degree (typical 8-48).
    ef_construction : int, default=100
        HNSW build breadth: 100 halves the build time of 200 and kept recall@10 at 0.998 on
        100k x 384 (benchmarks/).
    random_state : int, default=0
        Seed of the HNSW graph.
    threads : int, optional
        Threads for the HNSW build and for batches of unfiltered queries; default: up to 2 of this
        machine's cores (the build of 100k x 384 takes half the time of one thread). A graph built on
        more than one thread depends on the threads' timing, so only ``threads=1`` rebuilds exactly
        the same graph. Filtered queries always run on one thread (hnswlib calls the filter from C++).

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

    Only some rows may answer, and ``"dot"`` lets a long vector win:

    >>> index.query(x[:1], k=2, allowed=np.array([False, True, True]))[0].tolist()
    [[1, 2]]
    >>> dot = NeighbourIndex(metric="dot").fit(np.array([[1.0, 0.0], [3.0, 3.0]]))
    >>> dot.query(np.array([1.0, 0.0]), k=1)[0].tolist()
    [[1]]
    """

    def __init__(self, method: str = "auto", *, metric: str = "cosine", exact_limit: int = 50_000, ef: int = 128,
                 M: int = 16, ef_construction: int = 100, random_state: int = 0, threads: int | None = None):
        self.method = method
        self.metric = metric
        self.exact_limit = exact_limit
        self.ef = ef
        self.M = M
        self.ef_construction = ef_construction
        self.random_state = random_state
        self.threads = threads

    def _threads(self) -> int:
        if self.threads is not None:
            return max(1, int(self.threads))
        return max(1, min(2, os.cpu_count() or 1))

    def __repr__(self) -> str:
        metric = f", metric={self.metric!r}" if self.metric != "cosine" else ""
        fitted = f", method_={self.method_!r}, n={len(self._x)}" if hasattr(self, "method_") else ""
        return f"NeighbourIndex(method={self.method!r}{metric}{fitted})"

    def fit(self, vectors: np.ndarray) -> NeighbourIndex:
        """Index ``vectors`` (n, d); under ``metric="cosine"`` rows are scaled to unit length here."""
        if self.method not in METHODS:
            raise InvalidParameterError("method", f"one of {METHODS}", self.method, owner="NeighbourIndex")
        if self.metric not in METRICS:
            raise InvalidParameterError("metric", f"one of {METRICS}", self.metric, owner="NeighbourIndex")
        x = np.ascontiguousarray(vectors, dtype=np.float32)
        if x.ndim != 2 or len(x) == 0:
            raise EmptyInputError(f"Cannot index {x.shape}: need a non-empty (n, d) matrix.")
        if self.metric == "cosine" and not _unit_rows(x):
            x = normalize_rows(x)
        self._x = x
        method = self.method
        if method == "auto":
            method = "exact" if len(x) <= self.exact_limit else "hnsw"
        self._hnsw = self._build_hnsw(x) if method == "hnsw" else None
        self._ef_lock = threading.Lock()  # a filtered query changes the graph's ef for its duration
        self.method_ = method
        return self

    def _build_hnsw(self, x: np.ndarray):
        import hnswlib  # lazy: only large sets need it

        graph = hnswlib.Index(space="ip", dim=x.shape[1])
        graph.init_index(max_elements=len(x), M=self.M, ef_construction=self.ef_construction,
                         random_seed=self.random_state)
        graph.add_items(x, np.arange(len(x)), num_threads=self._threads())
        graph.set_ef(self.ef)
        return graph

    def method_for(self, allowed: np.ndarray | None = None) -> str:
        """The search that answers a query restricted to ``allowed``: ``"exact"`` or ``"hnsw"``.

        An HNSW index scans the allowed rows exactly when they are fewer than 5% of all rows, or
        (under ``method="auto"``) no more than ``exact_limit``: faster there, and exact.
        """
        if not hasattr(self, "method_"):
            raise NotFittedError("This NeighbourIndex is not fitted yet: call fit(vectors) first.")
        kept = len(self._x) if allowed is None else int(np.count_nonzero(allowed))
        if self._hnsw is None or kept == len(self._x):
            return self.method_
        small = kept < FILTER_EXACT_SHARE * len(self._x) or (self.method == "auto" and kept <= self.exact_limit)
        return "exact" if small else "hnsw"

    def query(self, queries: np.ndarray, k: int = 10, exclude: Sequence[Sequence[int]] | np.ndarray | None = None, *,
              allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` best rows for each query, best first.

        Parameters
        ----------
        queries : array of shape (m, d) or (d,)
            Query vectors; under ``metric="cosine"`` they are normalised here, so raw vectors are fine.
        k : int
            Neighbours per query (capped at the number of allowed rows left after exclusion).
        exclude : list of lists of row ids, or int array (m, e), optional
            Rows to leave out of each query's answer (for example the query itself).
        allowed : boolean array of shape (n,), optional
            Only these rows may answer. HNSW applies it as hnswlib's ``filter`` (one thread), unless
            :meth:`method_for` chooses an exact scan of the allowed rows.

        Returns
        -------
        ids : int64 array (m, k)
        scores : float32 array (m, k), cosine similarities or inner products
        """
        if not hasattr(self, "method_"):
            raise NotFittedError("This NeighbourIndex is not fitted yet: call fit(vectors) first.")
        q = np.asarray(queries, dtype=np.float32)
        if q.ndim < 2:
            q = q.reshape(1, -1)
        if q.shape[1] != self._x.shape[1]:
            raise DimensionMismatchError(
                f"Query vectors have dimension {q.shape[1]}, the index holds dimension {self._x.shape[1]}.")
        if self.metric == "cosine":
            q = _unit_queries(q)
        n = len(self._x)
        if exclude is None and allowed is None and self._hnsw is not None and 0 < k <= n:
            # The common case (a plain query of an HNSW index) straight to hnswlib: a query of 100k x 384
            # takes ~0.3 ms, so the checks below would cost a tenth of it.
            ids, dist = self._hnsw.knn_query(q, k=int(k), num_threads=self._threads() if len(q) > 1 else 1)
            return ids.astype(np.int64), np.subtract(1.0, dist, dtype=np.float32)
        if allowed is not None:
            allowed = np.asarray(allowed)
            if allowed.dtype != bool or allowed.shape != (n,):
                raise DimensionMismatchError(
                    f"'allowed' must be a boolean mask of {n} entries; got {allowed.dtype} {allowed.shape}.")
            allowed = None if allowed.all() else allowed
        if exclude is None:
            exclude = np.empty((len(q), 0), np.int64)
        extra = exclude.shape[1] if isinstance(exclude, np.ndarray) else max((len(e) for e in exclude), default=0)
        kept = n if allowed is None else int(np.count_nonzero(allowed))
        k = int(min(k, kept - (extra if allowed is None else _most_allowed(exclude, allowed))))
        if k <= 0:
            return np.empty((len(q), 0), np.int64), np.empty((len(q), 0), np.float32)
        want = min(k + extra, kept)
        method = self.method_for(allowed)
        if method == "hnsw":
            ids, scores = self._hnsw_query(q, want, allowed, kept)
        elif allowed is None:
            ids, scores = self._exact(q, want)
        elif 2 * kept < n:  # a small subset: scan only its rows
            rows = np.flatnonzero(allowed)
            ids, scores = self._exact(q, want, rows=rows)
            ids = rows[ids]
        else:
            ids, scores = self._exact(q, want, banned=~allowed)
        return _drop_excluded(ids, scores, exclude, k)

    def _hnsw_query(self, q, want, allowed, kept):
        if allowed is None:  # a batch runs on the index's threads; a single query on one
            ids, dist = self._hnsw.knn_query(q, k=want, num_threads=self._threads() if len(q) > 1 else 1)
        else:
            # Searching with ef / share keeps about ef allowed candidates in reach (recall@10 1.0 on
            # 20k x 64 with half the rows allowed, against 0.99 with ef alone). hnswlib calls the filter
            # from C++ for each visited row, so it must run on one thread.
            ef = int(min(kept, max(want, math.ceil(self.ef * len(self._x) / kept))))
            lookup = allowed.tolist().__getitem__
            with self._ef_lock:
                self._hnsw.set_ef(ef)
                try:
                    ids, dist = self._hnsw.knn_query(q, k=want, num_threads=1, filter=lookup)
                except RuntimeError:  # hnswlib found fewer than `want` allowed rows: scan them exactly
                    rows = np.flatnonzero(allowed)
                    ids, scores = self._exact(q, want, rows=rows)
                    return rows[ids], scores
                finally:
                    self._hnsw.set_ef(self.ef)
        return ids.astype(np.int64), (1.0 - dist).astype(np.float32)

    def _exact(self, q: np.ndarray, want: int, *, rows: np.ndarray | None = None, banned: np.ndarray | None = None,
               chunk: int = 256) -> tuple[np.ndarray, np.ndarray]:
        x = self._x if rows is None else self._x[rows]
        out_ids = np.empty((len(q), want), np.int64)
        out_scores = np.empty((len(q), want), np.float32)

        def block(start: int) -> None:
            sims = q[start:start + chunk] @ x.T
            if banned is not None:
                sims[:, banned] = -np.inf
            out_ids[start:start + chunk], out_scores[start:start + chunk] = _top_sorted(sims, want)

        starts = range(0, len(q), chunk)
        threads = min(self._threads(), len(starts))
        if threads > 1:  # numpy releases the GIL in the product and the sorts: blocks run side by side
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(threads) as pool:
                list(pool.map(block, starts))
        else:
            for start in starts:
                block(start)
        return out_ids, out_scores


def _top_sorted(sims: np.ndarray, want: int) -> tuple[np.ndarray, np.ndarray]:
    """Columns and values of the ``want`` highest scores of each row, best first (ties: lower column first).

    A cheap lower bound on each row's ``want``-th best score comes from partitioning every 8th
    column; the few cells at or above it (about 8 x ``want`` a row) are then sorted. That is 1.4x
    faster than ``argpartition`` over whole rows on the 10k x 10k neighbour search of ``place``.
    """
    m, n = sims.shape
    if want >= n:
        order = np.argsort(-sims, axis=1, kind="stable")
        return order, np.take_along_axis(sims, order, axis=1)
    sample = sims[:, ::max(1, min(8, n // (4 * want)))]
    c = sample.shape[1]
    bound = np.partition(sample, c - want, axis=1)[:, c - want]  # <= the row's want-th best: a superset
    cells = np.flatnonzero(sims >= bound[:, None])  # row-major: each row's cells come together
    rows, values = cells // n, sims.ravel()[cells]
    order = np.lexsort((-values, rows))  # by row, then best first; stable, so ties keep column order
    counts = np.bincount(rows, minlength=m)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    pick = order[starts[:, None] + np.arange(want)]
    return cells[pick] % n, values[pick]


def _unit_queries(q: np.ndarray) -> np.ndarray:
    """``q`` with unit rows (zero rows stay zero): the same array when it already has them."""
    if len(q) == 1:  # one query: a dot product, no temporaries
        norm = math.sqrt(float(np.dot(q[0], q[0])))
        if abs(norm - 1.0) < 1e-6:
            return q
        return q / norm if norm > 0 else np.zeros_like(q)
    norms = np.sqrt(np.einsum("ij,ij->i", q, q))
    if np.all(np.abs(norms - 1.0) < 1e-6):
        return q
    return np.divide(q, norms[:, None], out=np.zeros_like(q), where=norms[:, None] > 0)


def _unit_rows(x: np.ndarray) -> bool:
    """True when every non-zero row already has unit length (then there is nothing to copy)."""
    norms = np.einsum("ij,ij->i", x, x)
    return bool(np.all((np.abs(norms - 1.0) < 1e-4) | (norms == 0)))


def _most_allowed(exclude, allowed: np.ndarray) -> int:
    """The largest number of one query's excluded rows (distinct ids) that the mask lets through."""
    if isinstance(exclude, np.ndarray) or len({len(e) for e in exclude}) == 1:
        exclude = np.asarray(exclude, dtype=np.int64)
        return int(allowed[exclude].sum(axis=1).max()) if exclude.size else 0
    return max((int(np.count_nonzero(allowed[np.asarray(list(e), dtype=np.int64)])) for e in exclude), default=0)


def _drop_excluded(ids, scores, exclude, k):
    if exclude.size == 0 if isinstance(exclude, np.ndarray) else not any(len(e) for e in exclude):
        return ids[:, :k], scores[:, :k]
    if isinstance(exclude, np.ndarray) or len({len(e) for e in exclude}) == 1:  # each row's own id: vectorised
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
