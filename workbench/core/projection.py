"""Maps of embeddings: PCA, UMAP or t-SNE in 2 or 3 dimensions, with a quality score.

``project`` is the one entry point. All methods work on unit vectors, so distances on the map
reflect cosine similarity like every other question the workbench answers. UMAP reuses the
neighbour graph the workbench already computes (``precomputed_knn``), and every result is cached
on disk, keyed by the vectors' content and the parameters, so a map is computed once per machine.
A :class:`Projection` can put new vectors on its map (:meth:`Projection.transform`) and lay other
embeddings of the same items over it (:meth:`Projection.place`) without recomputing it.
"""

from __future__ import annotations

import inspect
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ._map_runs import PRE_PCA_DIMS, run_map
from ._placement import PLACEMENT_K, pca_coords, weighted_positions
from .cache import cached, content_hash, peek
from .errors import DimensionMismatchError, EmptyInputError, InvalidParameterError, NonFiniteError, SizeLimitError
from .progress import Progress
from .quality import MapQuality, map_quality
from .validation import check_map_size

__all__ = ["Projection", "project", "cached_projection", "METHODS", "DEFAULT_LIMITS", "PRE_PCA_DIMS"]

METHODS = ("pca", "umap", "tsne")
# Above these sizes a method is slow enough here (2 cores) that we ask before running it.
DEFAULT_LIMITS = {"pca": None, "umap": 200_000, "tsne": 20_000}
RESERVED_COLUMNS = ("x", "y", "z", "label")  # and every name starting "quality_"
PLACE_HOW = ("auto", "linear", "neighbours")


@dataclass(frozen=True, repr=False, eq=False)
class Projection:
    """Coordinates of every row on a 2-D or 3-D map, with how they were made and how faithful they are.

    ``fitted`` holds what placing new points needs (PCA's ``components`` and ``mean``, arrays
    only); ``placement`` says how :meth:`transform` places them.

    Examples
    --------
    >>> import numpy as np
    >>> from workbench.core.embeddings import Embeddings
    >>> emb = Embeddings(np.random.default_rng(0).normal(size=(30, 5)))
    >>> proj = project(emb, "pca", cache=False, quality=False)
    >>> proj.placement, bool(np.allclose(proj.transform(emb.vectors[:2]), proj.coords[:2], atol=1e-5))
    ('pca', True)
    """

    coords: np.ndarray
    method: str
    dim: int
    params: dict
    embeddings: object = field(compare=False)
    quality: MapQuality | None = None
    seconds: float = 0.0
    from_cache: bool = False
    random_state: int = 0
    fitted: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        q = f", trustworthiness={self.quality.trustworthiness:.3f}" if self.quality else ""
        return f"Projection({self.method}, {self.dim}D, {len(self.coords)} points{q})"

    @property
    def frame(self) -> pd.DataFrame:
        """``x``, ``y`` (and ``z``), ``label`` and the embeddings' metadata, one row per point.

        A metadata column named ``x``, ``y``, ``z``, ``label`` or ``quality_*`` is renamed
        ``"meta: <name>"``; ``frame.attrs["renamed"]`` maps each original name to its new one.
        """
        meta = self.embeddings.meta
        renamed = {}
        for column in meta.columns:
            if column in RESERVED_COLUMNS or str(column).startswith("quality_"):
                new = f"meta: {column}"
                while new in meta.columns or new in renamed.values():
                    new = f"meta: {new}"
                renamed[column] = new
        axes = pd.DataFrame(self.coords, columns=["x", "y", "z"][: self.dim])
        out = pd.concat([axes, pd.DataFrame({"label": self.embeddings.labels}), meta.rename(columns=renamed)], axis=1)
        if self.quality is not None:
            out = pd.concat([out, self.quality.per_point.add_prefix("quality_")], axis=1)
        out.attrs["renamed"] = renamed
        return out

    @property
    def placement(self) -> str:
        """How :meth:`transform` places new points: ``"pca"`` (linear) or ``"knn-weighted, k=10"``."""
        return "pca" if self._linear() else f"knn-weighted, k={PLACEMENT_K}"

    def _linear(self) -> bool:
        """Whether this map has PCA components; recomputes them for a PCA map cached without them."""
        if "components" in self.fitted or self.method != "pca" or self.fitted.get("recomputed"):
            return "components" in self.fitted
        coords, fitted = run_map("pca", self.embeddings, self.dim, self.random_state, {}, Progress())
        self.fitted["recomputed"] = True  # once: a mismatch leaves knn-weighted placement
        if np.allclose(coords, self.coords, atol=1e-4):
            self.fitted.update(fitted)
        return "components" in self.fitted

    def transform(self, vectors) -> np.ndarray:
        """Map coordinates for new vectors of the same space, float32 ``(m, dim)``; the map is unchanged.

        PCA maps apply the fitted linear map (rows scaled to unit length first, as the map's were).
        UMAP and t-SNE maps put each vector at the inverse-cosine-distance weighted mean of the map
        positions of its 10 nearest rows; a vector equal to a row's lands on that row (see
        :mod:`workbench.core._placement`).
        """
        given = np.asarray(vectors, dtype=np.float32)
        x = given[None, :] if given.ndim == 1 else given
        if x.ndim != 2 or x.shape[1] != self.embeddings.dim:
            raise DimensionMismatchError(
                f"transform needs vectors of shape (m, {self.embeddings.dim}), the dimension of the mapped "
                f"embeddings; got {given.shape}. Vectors of another model: use proj.place(other_embeddings).")
        if not np.isfinite(x).all():
            raise NonFiniteError("The vectors to place contain NaN or infinite values.")
        if len(x) == 0:
            return np.empty((0, self.dim), np.float32)
        if self._linear():
            return pca_coords(x, self.fitted, self.dim)
        ids, scores = self.embeddings.similar_to_vectors(x, k=PLACEMENT_K)
        return weighted_positions(scores, self.coords[ids])

    def place(self, other, *, k: int = PLACEMENT_K, how: str = "auto") -> Projection:
        """``other`` laid over this map: a new Projection with ``method="placed"``; nothing is recomputed.

        ``other`` holds the same items in another space (a later epoch of a model in training, a
        second model). Each of its rows goes to the inverse-distance weighted mean of *this* map's
        positions of its ``k`` nearest neighbours in *other's own* space, among the labels both
        share, so the layout stays recognisable and shows what moved. ``how="linear"`` (the
        ``"auto"`` choice for a PCA map and vectors of equal dimension, such as a later epoch)
        sends other's vectors through this map's PCA instead; ``how="neighbours"`` forces the
        neighbour placement, the right one for a second model whose axes mean something else.

        Examples
        --------
        >>> import numpy as np
        >>> from workbench.core.embeddings import Embeddings
        >>> rng = np.random.default_rng(0)
        >>> emb = Embeddings(np.repeat(np.eye(4), 10, axis=0) + 0.1 * rng.normal(size=(40, 4)))
        >>> proj = project(emb, "pca", cache=False, quality=False)
        >>> later = Embeddings(emb.vectors + 0.01 * rng.normal(size=(40, 4)))  # same labels "0".."39"
        >>> placed = proj.place(later, how="neighbours")
        >>> placed.method, placed.params["how"], placed.params["shared"]
        ('placed', 'neighbours', 40)
        >>> moved = np.linalg.norm(placed.coords - proj.coords, axis=1)
        >>> bool(np.median(moved) < 0.1 * np.linalg.norm(proj.coords.std(0)))
        True
        """
        if how not in PLACE_HOW:
            raise InvalidParameterError("how", f"one of {PLACE_HOW}", how, owner="Projection.place")
        t0 = time.perf_counter()
        map_rows = self.embeddings.rows_of(other.labels)
        shared = map_rows >= 0
        linear = how == "linear" or (how == "auto" and self.method == "pca" and other.dim == self.embeddings.dim)
        if linear:
            if not self._linear() or other.dim != self.embeddings.dim:
                raise DimensionMismatchError(
                    f"how='linear' needs a PCA map and vectors of its dimension ({self.embeddings.dim}); this is a "
                    f"{self.method} map and the vectors are {other.dim}-d. Use how='neighbours'.")
            coords, fitted = self.transform(other.vectors), {k: self.fitted[k] for k in ("components", "mean")}
        else:
            if shared.sum() < 2:
                raise EmptyInputError(f"place needs at least 2 labels shared with the mapped embeddings to anchor on; "
                                      f"{int(shared.sum())} of {len(other):,} labels are on this map "
                                      f"({len(self.coords):,} points).")
            # Each row's own label is left out: its old position would simply come back, however it moved.
            ids, scores = other.similar_to_rows(np.arange(len(other)), k=k, among=shared)
            coords, fitted = weighted_positions(scores, self.coords[map_rows[ids]]), {}
        coords.setflags(write=False)
        params = {"on": self.method, "map_params": dict(self.params), "map_points": len(self.coords),
                  "how": "linear" if linear else "neighbours", "k": k, "shared": int(shared.sum())}
        return Projection(coords, "placed", self.dim, params, other, None, time.perf_counter() - t0, False,
                          self.random_state, fitted)


def project(embeddings, method: str = "pca", dim: int = 2, *, random_state: int = 0,
            max_points: int | None | str = "auto", quality: bool = True, quality_k: int = 10,
            cache: bool = True, progress: Callable[[float, str], None] | bool | None = None,
            should_stop: Callable[[], bool] | None = None, **params) -> Projection:
    """Project embeddings to 2-D or 3-D.

    Parameters
    ----------
    embeddings : Embeddings
    method : {"pca", "umap", "tsne"}, default="pca"
        PCA is instant and linear; UMAP keeps local neighbourhoods and much global layout;
        t-SNE keeps local neighbourhoods best and is the slowest (openTSNE when installed, for
        2-D maps of 100 points or more: 0.7x scikit-learn's time on 10k words at equal
        trustworthiness; scikit-learn otherwise).
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
    progress : callable(fraction, message), True or None
        Real fractions in [0, 1] with a message: UMAP reports its neighbour graph in chunks and
        then each layout epoch; t-SNE every 10 iterations (scikit-learn's: its stages) and PCA its stages. ``True`` draws a tqdm bar. (A
        callable of one argument still gets the messages alone, as before.)
    should_stop : callable() -> bool, optional
        Checked between stages, between neighbour-graph chunks and between UMAP epochs (at most
        every 0.2 s); once true, :class:`~workbench.core.errors.CancelledError` is raised and
        nothing is cached.
    **params
        Passed to the method: UMAP ``n_neighbors`` (default 15, larger = more global, 2-100),
        ``min_dist`` (0.1, 0-0.99); t-SNE ``perplexity`` (30, 5-50).

    Examples
    --------
    >>> import numpy as np
    >>> from workbench.core.embeddings import Embeddings
    >>> emb = Embeddings(np.random.default_rng(0).normal(size=(50, 8)))
    >>> seen = []
    >>> proj = project(emb, "pca", cache=False, progress=lambda f, m: seen.append(f))
    >>> proj.coords.shape, seen[0], seen[-1]
    ((50, 2), 0.0, 1.0)
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
    check_map_size(n, method)
    reporter = _as_progress(progress, should_stop, f"{method.upper()} map")
    resolved = _resolve_params(method, n, dict(params))
    key = _key(embeddings, method, dim, random_state, resolved, quality, quality_k)
    layout_end = 0.9 if quality else 1.0

    def compute():
        t0 = time.perf_counter()
        reporter(0.0, f"{method.upper()}: computing {dim}D map of {n:,} points")
        reporter.check(f"the {method.upper()} map")
        coords, fitted = run_map(method, embeddings, dim, random_state, resolved, reporter.stage(0.0, layout_end))
        q = None
        if quality:
            reporter.check(f"the {method.upper()} map")
            reporter(layout_end, "measuring map quality")
            q = map_quality(embeddings.unit_vectors, coords, k=quality_k, random_state=random_state)
        return coords, q, time.perf_counter() - t0, fitted

    try:
        if cache:
            (coords, q, seconds, fitted), hit = cached("projection", key, compute, _save, _load,
                                                       validate=_fits(n, dim))
        else:
            (coords, q, seconds, fitted), hit = compute(), False
        reporter(1.0, f"{method.upper()} map " + ("from the cache" if hit else "ready"))
    finally:
        reporter.close()
    return _projection(coords, method, dim, resolved, embeddings, q, seconds, hit, random_state, fitted)


def _fits(n: int, dim: int):
    """A check for a stored map: one row of ``dim`` coordinates per point."""
    return lambda value: np.shape(value[0]) == (n, dim)


def cached_projection(embeddings, method: str = "pca", dim: int = 2, *, random_state: int = 0,
                      quality: bool = True, quality_k: int = 10, **params) -> Projection | None:
    """The projection :func:`project` would return, if it is already in the disk cache; else None.

    Never computes anything: the app uses it to show a stored UMAP at once instead of PCA first.
    """
    if method not in METHODS or dim not in (2, 3) or (method != "pca" and len(embeddings) < 5):
        return None
    resolved = _resolve_params(method, len(embeddings), dict(params))
    value = peek("projection", _key(embeddings, method, dim, random_state, resolved, quality, quality_k), _load,
                 validate=_fits(len(embeddings), dim))
    if value is None:
        return None
    coords, q, seconds, fitted = value
    return _projection(coords, method, dim, resolved, embeddings, q, seconds, True, random_state, fitted)


def _projection(coords, method, dim, resolved, embeddings, q, seconds, hit, random_state, fitted) -> Projection:
    coords = np.asarray(coords, np.float32)
    coords.setflags(write=False)
    return Projection(coords, method, dim, resolved, embeddings, q, seconds, hit, random_state, dict(fitted))


def _as_progress(progress, should_stop, description: str) -> Progress:
    """A :class:`Progress` for ``progress(fraction, message)``; a one-argument callable gets the message only."""
    if callable(progress) and not isinstance(progress, Progress) and _takes_one_argument(progress):
        says = progress
        progress = lambda fraction, message: says(message)  # noqa: E731 - the older progress(message) form
    return Progress(progress, should_stop, description=description)


def _takes_one_argument(fn) -> bool:
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):  # no signature to read: assume the documented two-argument form
        return False
    if any(p.kind is p.VAR_POSITIONAL for p in parameters):
        return False
    return sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in parameters) == 1


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


def _save(value, folder: Path) -> None:
    coords, q, seconds, fitted = value
    np.save(folder / "coords.npy", np.asarray(coords, np.float32), allow_pickle=False)
    for name, array in fitted.items():  # PCA's components and mean, for transform() of a cached map
        np.save(folder / f"fitted_{name}.npy", np.asarray(array), allow_pickle=False)
    meta = {"seconds": seconds}
    if q is not None:
        np.savez(folder / "quality.npz", trust=q.per_point["trustworthiness"].to_numpy(),
                 recall=q.per_point["knn_recall"].to_numpy())
        meta.update(trustworthiness=q.trustworthiness, knn_recall=q.knn_recall, k=q.k, sampled=q.sampled)
    (folder / "info.json").write_text(json.dumps(meta))


def _load(folder: Path):
    """What :func:`_save` wrote; entries from before ``fitted_*.npy`` existed load with ``fitted`` empty."""
    coords = np.load(folder / "coords.npy", allow_pickle=False)
    meta = json.loads((folder / "info.json").read_text())
    fitted = {path.stem[len("fitted_"):]: np.load(path, allow_pickle=False) for path in folder.glob("fitted_*.npy")}
    q = None
    if "trustworthiness" in meta:
        with np.load(folder / "quality.npz", allow_pickle=False) as z:
            per_point = pd.DataFrame({"trustworthiness": z["trust"], "knn_recall": z["recall"]})
        q = MapQuality(meta["trustworthiness"], meta["knn_recall"], meta["k"], per_point, meta["sampled"])
    return coords, q, meta["seconds"], fitted
