"""Maps of embeddings: PCA, UMAP or t-SNE in 2 or 3 dimensions, with a quality score.

``project`` is the one entry point. All methods work on unit vectors, so distances on the map
reflect cosine similarity like every other question the workbench answers. UMAP reuses the
neighbour graph the workbench already computes (``precomputed_knn``), and every result is cached
on disk, keyed by the vectors' content and the parameters, so a map is computed once per machine.
"""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .cache import cached, content_hash, peek
from .errors import EmptyInputError, InvalidParameterError, SizeLimitError
from .quality import MapQuality, map_quality

__all__ = ["Projection", "project", "cached_projection", "METHODS", "DEFAULT_LIMITS"]

METHODS = ("pca", "umap", "tsne")
# Above these sizes a method is slow enough here (2 cores) that we ask before running it.
DEFAULT_LIMITS = {"pca": None, "umap": 200_000, "tsne": 20_000}
PRE_PCA_DIMS = 50  # UMAP and t-SNE first reduce to this many dimensions: much faster neighbour search


@dataclass(frozen=True, repr=False, eq=False)
class Projection:
    """Coordinates of every row on a 2-D or 3-D map, with how they were made and how faithful they are."""

    coords: np.ndarray
    method: str
    dim: int
    params: dict
    embeddings: object = field(compare=False)
    quality: MapQuality | None = None
    seconds: float = 0.0
    from_cache: bool = False

    def __repr__(self) -> str:
        q = f", trustworthiness={self.quality.trustworthiness:.3f}" if self.quality else ""
        return f"Projection({self.method}, {self.dim}D, {len(self.coords)} points{q})"

    @property
    def frame(self) -> pd.DataFrame:
        """``x``, ``y`` (and ``z``), ``label`` and the embeddings' metadata, one row per point."""
        axes = pd.DataFrame(self.coords, columns=["x", "y", "z"][: self.dim])
        out = pd.concat([axes, pd.DataFrame({"label": self.embeddings.labels}), self.embeddings.meta], axis=1)
        if self.quality is not None:
            out = pd.concat([out, self.quality.per_point.add_prefix("quality_")], axis=1)
        return out


def project(embeddings, method: str = "pca", dim: int = 2, *, random_state: int = 0,
            max_points: int | None | str = "auto", quality: bool = True, quality_k: int = 10,
            cache: bool = True, progress: Callable[[str], None] | None = None, **params) -> Projection:
    """Project embeddings to 2-D or 3-D.

    Parameters
    ----------
    embeddings : Embeddings
    method : {"pca", "umap", "tsne"}, default="pca"
        PCA is instant and linear; UMAP keeps local neighbourhoods and much global layout;
        t-SNE keeps local neighbourhoods best and is the slowest.
    dim : {2, 3}
    random_state : int, default=0
        Seed: the same input and seed give the same map.
    max_points : int, None or "auto"
        Refuse larger inputs with a message (``"auto"``: 200,000 for UMAP, 20,000 for t-SNE,
        no limit for PCA). ``None`` removes the limit.
    quality : bool, default=True
        Compute trustworthiness and k-NN recall (``quality_k`` neighbours, on at most 5,000
        sampled points).
    cache : bool, default=True
        Read and write the on-disk cache.
    progress : callable, optional
        Called with a short message at each stage.
    **params
        Passed to the method: UMAP ``n_neighbors`` (default 15, larger = more global, 2-100),
        ``min_dist`` (0.1, 0-0.99); t-SNE ``perplexity`` (30, 5-50).

    Examples
    --------
    >>> import numpy as np
    >>> from workbench.core.embeddings import Embeddings
    >>> emb = Embeddings(np.random.default_rng(0).normal(size=(50, 8)))
    >>> proj = project(emb, "pca", cache=False)
    >>> proj.coords.shape
    (50, 2)
    """
    if method not in METHODS:
        raise InvalidParameterError("method", f"one of {METHODS}", method, owner="project")
    if dim not in (2, 3):
        raise InvalidParameterError("dim", "2 or 3", dim, owner="project")
    n = len(embeddings)
    limit = DEFAULT_LIMITS[method] if max_points == "auto" else max_points
    if limit is not None and n > limit:
        raise SizeLimitError(
            f"{method.upper()} on {n:,} points is above the limit of {limit:,} (it would take many minutes on "
            f"this machine). Project a sample with emb.sample({limit}) first, or pass max_points=None to run "
            "on all of them.")
    if method != "pca" and n < 5:
        raise EmptyInputError(f"{method.upper()} needs at least 5 points; got {n}. Use method='pca'.")
    say = progress or (lambda message: None)
    resolved = _resolve_params(method, n, dict(params))
    key = _key(embeddings, method, dim, random_state, resolved, quality, quality_k)

    def compute():
        t0 = time.perf_counter()
        say(f"{method.upper()}: computing {dim}D map of {n:,} points")
        coords = _run(method, embeddings, dim, random_state, resolved, say)
        q = None
        if quality:
            say("measuring map quality")
            q = map_quality(embeddings.unit_vectors, coords, k=quality_k, random_state=random_state)
        return coords, q, time.perf_counter() - t0

    if cache:
        (coords, q, seconds), hit = cached("projection", key, compute, _save, _load)
    else:
        (coords, q, seconds), hit = compute(), False
    coords = np.asarray(coords, np.float32)
    coords.setflags(write=False)
    return Projection(coords, method, dim, resolved, embeddings, q, seconds, hit)


def cached_projection(embeddings, method: str = "pca", dim: int = 2, *, random_state: int = 0,
                      quality: bool = True, quality_k: int = 10, **params) -> Projection | None:
    """The projection :func:`project` would return, if it is already in the disk cache; else None.

    Never computes anything: the app uses it to show a stored UMAP at once instead of PCA first.
    """
    if method not in METHODS or dim not in (2, 3) or (method != "pca" and len(embeddings) < 5):
        return None
    resolved = _resolve_params(method, len(embeddings), dict(params))
    value = peek("projection", _key(embeddings, method, dim, random_state, resolved, quality, quality_k), _load)
    if value is None:
        return None
    coords, q, seconds = value
    coords = np.asarray(coords, np.float32)
    coords.setflags(write=False)
    return Projection(coords, method, dim, resolved, embeddings, q, seconds, True)


def _key(embeddings, method, dim, random_state, resolved, quality, quality_k) -> str:
    return content_hash(embeddings.fingerprint(), method, dim, random_state, resolved, quality, quality_k)


def _resolve_params(method: str, n: int, params: dict) -> dict:
    allowed = {"pca": set(), "umap": {"n_neighbors", "min_dist", "spread"}, "tsne": {"perplexity", "learning_rate",
                                                                                     "max_iter"}}[method]
    unknown = set(params) - allowed
    if unknown:
        raise InvalidParameterError(sorted(unknown)[0], f"one of {sorted(allowed) or 'no parameters'} for {method}",
                                    params[sorted(unknown)[0]], owner="project")
    if method == "umap":
        params.setdefault("n_neighbors", 15)
        params.setdefault("min_dist", 0.1)
        params["n_neighbors"] = int(min(params["n_neighbors"], n - 1))
    if method == "tsne":
        params.setdefault("perplexity", 30.0)
        params["perplexity"] = float(min(params["perplexity"], (n - 1) / 3))
    return params


def _reduced(x: np.ndarray, dims: int, random_state: int) -> np.ndarray:
    if x.shape[1] <= dims:
        return x
    from sklearn.decomposition import PCA

    return PCA(dims, random_state=random_state).fit_transform(x).astype(np.float32)


def _run(method, embeddings, dim, random_state, params, say) -> np.ndarray:
    x = embeddings.unit_vectors
    if method == "pca":
        from sklearn.decomposition import PCA

        k = min(dim, *x.shape)
        coords = PCA(k, random_state=random_state).fit_transform(x)
        return np.pad(coords, ((0, 0), (0, dim - k)))  # a set with fewer dims than the map
    if method == "tsne":
        from sklearn.manifold import TSNE

        return TSNE(dim, random_state=random_state, init="pca", **params).fit_transform(
            _reduced(x, PRE_PCA_DIMS, random_state))
    say("UMAP: neighbour graph")
    k = params["n_neighbors"]
    ids, scores = embeddings.similar_to_rows(np.arange(len(x)), k=k - 1)
    # UMAP's convention: each point is its own first neighbour, at distance 0.
    knn_ids = np.hstack([np.arange(len(x))[:, None], ids]).astype(np.int32)
    knn_dists = np.hstack([np.zeros((len(x), 1)), np.clip(1.0 - scores, 0, None)]).astype(np.float32)
    say("UMAP: layout (the first map in a new kernel also compiles UMAP's code: up to ~2 minutes)")
    import umap

    model = umap.UMAP(n_components=dim, metric="cosine", random_state=random_state,
                      precomputed_knn=(knn_ids, knn_dists), **params)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*precomputed_knn.*")
        warnings.filterwarnings("ignore", message=".*n_jobs value.*")
        warnings.filterwarnings("ignore", message=".*not an NNDescent object.*")
        return model.fit_transform(_reduced(x, PRE_PCA_DIMS, random_state))


def _save(value, folder: Path) -> None:
    coords, q, seconds = value
    np.save(folder / "coords.npy", np.asarray(coords, np.float32), allow_pickle=False)
    meta = {"seconds": seconds}
    if q is not None:
        np.savez(folder / "quality.npz", trust=q.per_point["trustworthiness"].to_numpy(),
                 recall=q.per_point["knn_recall"].to_numpy())
        meta.update(trustworthiness=q.trustworthiness, knn_recall=q.knn_recall, k=q.k, sampled=q.sampled)
    (folder / "info.json").write_text(json.dumps(meta))


def _load(folder: Path):
    coords = np.load(folder / "coords.npy", allow_pickle=False)
    meta = json.loads((folder / "info.json").read_text())
    q = None
    if "trustworthiness" in meta:
        with np.load(folder / "quality.npz", allow_pickle=False) as z:
            per_point = pd.DataFrame({"trustworthiness": z["trust"], "knn_recall": z["recall"]})
        q = MapQuality(meta["trustworthiness"], meta["knn_recall"], meta["k"], per_point, meta["sampled"])
    return coords, q, meta["seconds"]
