"""How faithful is a map? Trustworthiness and k-NN recall between high- and low-dimensional spaces.

*Trustworthiness* (Venna & Kaski 2001; scikit-learn's ``trustworthiness``) penalises points that
look close on the map but are far in the original space:

    T(k) = 1 - 2 / (n k (2n - 3k - 1)) * sum_i sum_{j in U_k(i)} (r(i, j) - k)

where ``U_k(i)`` are the map neighbours of ``i`` that are not among its ``k`` nearest in the original
space and ``r(i, j)`` is the rank of ``j`` in the original space. The per-point score uses the same
normaliser, so the mean of per-point scores is ``T(k)``.

*k-NN recall* is the share of each point's ``k`` original neighbours that are also its map
neighbours.

Distances in the original space are Euclidean on the rows given: pass unit vectors to rank by
cosine, as the rest of the workbench does. A map needs at least 3 points (with 2, the normaliser
is zero); when every vector is all zeros there is no ranking to keep, so both scores are NaN and a
warning says why, rather than a "perfect" 1.0.
"""

from __future__ import annotations

from dataclasses import dataclass

import warnings

import numpy as np
import pandas as pd

from .errors import DimensionMismatchError
from .validation import check_map_size, zero_rows, zero_vectors_note

__all__ = ["MapQuality", "map_quality"]


@dataclass(frozen=True)
class MapQuality:
    """Overall and per-point quality of a map; per-point values are NaN outside the sample."""

    trustworthiness: float
    knn_recall: float
    k: int
    per_point: pd.DataFrame
    sampled: int

    def __repr__(self) -> str:
        return (f"MapQuality(trustworthiness={self.trustworthiness:.3f}, knn_recall={self.knn_recall:.3f}, "
                f"k={self.k}, points={self.sampled})")


def _low_dim_neighbours(low: np.ndarray, rows: np.ndarray, k: int) -> np.ndarray:
    from sklearn.neighbors import NearestNeighbors

    nn = NearestNeighbors(n_neighbors=k + 1).fit(low)
    ids = nn.kneighbors(low[rows], return_distance=False)
    # Drop each point itself (normally first; with duplicate points, wherever it appears).
    return np.array([[j for j in row if j != r][:k] for r, row in zip(rows, ids)])


WORK_BUDGET = 100_000_000  # sampled points x all points: bounds the cost (1-3 s here) on huge maps
CHUNK_CELLS = 20_000_000  # distances held at once (80 MB of float32)


def map_quality(high: np.ndarray, low: np.ndarray, k: int = 10, *, max_points: int = 5000,
                random_state: int = 0) -> MapQuality:
    """Trustworthiness and k-NN recall of ``low`` (the map) against ``high`` (the vectors).

    With more than ``max_points`` rows, the scores are computed on a seeded sample of points (each
    still compared with all rows). The sample shrinks on very large maps so that sample x n stays
    under ``WORK_BUDGET``: 5,000 points up to 20k rows, 1,000 at 100k, 100 at 1M.
    """
    high = np.asarray(high, np.float32)
    low = np.asarray(low, np.float64)
    n = len(high)
    if high.ndim != 2 or low.ndim != 2 or len(low) != n:
        raise DimensionMismatchError(f"map_quality needs vectors (n, dim) and map coordinates (n, 2 or 3) of the "
                                     f"same n; got shapes {high.shape} and {low.shape}.")
    check_map_size(n)
    if len(zero_rows(high)) == n:
        warnings.warn(zero_vectors_note(high) + " The map quality is undefined (NaN).", UserWarning, stacklevel=2)
        k = max(1, min(k, (n - 2) // 2))
        frame = pd.DataFrame({"trustworthiness": np.nan, "knn_recall": np.nan}, index=pd.RangeIndex(n))
        return MapQuality(float("nan"), float("nan"), k, frame, 0)
    if n < 2 * k + 2:
        k = max(1, (n - 2) // 2)
    max_points = max(min(max_points, WORK_BUDGET // max(n, 1)), min(n, 100))
    chunk = max(1, CHUNK_CELLS // max(n, 1))
    rows = np.arange(n)
    if n > max_points:
        rows = np.sort(np.random.default_rng(random_state).choice(n, size=max_points, replace=False))
    low_nn = _low_dim_neighbours(low, rows, k)
    sq = np.einsum("ij,ij->i", high, high)
    penalty = np.empty(len(rows))
    recall = np.empty(len(rows))
    for start in range(0, len(rows), chunk):
        part = rows[start:start + chunk]
        # Squared Euclidean distances from the chunk to every row; self at +inf.
        d = sq[part, None] + sq[None, :] - 2.0 * (high[part] @ high.T)
        d[np.arange(len(part)), part] = np.inf
        mine = low_nn[start:start + chunk]
        d_to_map_nn = np.take_along_axis(d, mine, axis=1)
        # Rank of each map neighbour in the original space: 1 + points strictly closer.
        ranks = np.stack([(d < d_to_map_nn[:, [c]]).sum(1) + 1 for c in range(k)], axis=1)
        penalty[start:start + chunk] = np.where(ranks > k, ranks - k, 0).sum(1)
        # A map neighbour is one of the k true neighbours exactly when its rank is at most k.
        recall[start:start + chunk] = (ranks <= k).sum(1) / k
    per_point_trust = 1.0 - 2.0 / (k * (2.0 * n - 3.0 * k - 1.0)) * penalty
    frame = pd.DataFrame({"trustworthiness": np.nan, "knn_recall": np.nan}, index=pd.RangeIndex(n))
    frame.loc[rows, "trustworthiness"] = per_point_trust
    frame.loc[rows, "knn_recall"] = recall
    return MapQuality(float(per_point_trust.mean()), float(recall.mean()), k, frame, len(rows))
