"""Putting new points on an existing map without recomputing it.

PCA is linear: a new vector goes through the fitted ``components`` and ``mean`` and lands where
the map would have put it. UMAP and t-SNE have no such map of the whole space here (umap-learn's
own ``transform`` is unavailable once it was given a precomputed neighbour graph, and
scikit-learn's t-SNE has none), so a new vector is placed at the weighted mean of the map
positions of its ``k`` nearest rows by cosine.

Weights are inverse cosine distances, ``w_j = 1 / (1 - cos_j)`` (Shepard's inverse-distance
weighting, 1968). Chosen over softmax-like weights (UMAP's own transform initialisation uses
``exp(-(d_j - d_1) / sigma)``) because it keeps a vector that is nearly a row's vector next to that
row rather than pulling it towards the middle of the neighbourhood: a new epoch of a model whose
vectors moved a little keeps its layout. A vector within ``SNAP_DISTANCE`` of one or more rows takes
their (mean) position exactly.
"""

from __future__ import annotations

import numpy as np

from .index import normalize_rows

__all__ = ["pca_coords", "weighted_positions", "SNAP_DISTANCE", "PLACEMENT_K"]

PLACEMENT_K = 10
SNAP_DISTANCE = 1e-6  # cosine distance under which a vector counts as equal to a row (float32 rounding)


def pca_coords(vectors: np.ndarray, fitted: dict, dim: int) -> np.ndarray:
    """Map coordinates of ``vectors`` under a fitted PCA (rows scaled to unit length first, as the map's were).

    Examples
    --------
    >>> fitted = {"components": np.eye(2, 3, dtype=np.float32), "mean": np.zeros(3, np.float32)}
    >>> pca_coords(np.array([[3.0, 4.0, 0.0]]), fitted, 2).tolist()
    [[0.6000000238418579, 0.800000011920929]]
    """
    components, mean = fitted["components"], fitted["mean"]
    coords = (normalize_rows(vectors) - mean) @ components.T
    return np.pad(coords, ((0, 0), (0, dim - components.shape[0]))).astype(np.float32)


def weighted_positions(scores: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Inverse-distance weighted mean of ``positions`` (m, k, dim) given cosine ``scores`` (m, k).

    Examples
    --------
    >>> positions = np.array([[[0.0, 0.0], [4.0, 0.0]]])
    >>> weighted_positions(np.array([[0.75, 0.25]]), positions).round(3).tolist()  # distances 0.25, 0.75
    [[1.0, 0.0]]
    >>> weighted_positions(np.array([[1.0, 0.5]]), positions).tolist()  # equal to the first row
    [[0.0, 0.0]]
    """
    distance = np.clip(1.0 - np.asarray(scores, np.float64), 0.0, None)
    equal = distance <= SNAP_DISTANCE
    weights = np.where(equal.any(axis=1, keepdims=True), equal.astype(np.float64),
                       1.0 / np.maximum(distance, SNAP_DISTANCE))
    weights /= weights.sum(axis=1, keepdims=True)
    return np.einsum("mk,mkd->md", weights, np.asarray(positions, np.float64)).astype(np.float32)
