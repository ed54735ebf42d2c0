"""How each map is computed, with real fractional progress and Cancel: PCA, t-SNE and UMAP.

Every run takes a :class:`~workbench.core.progress.Progress` (its 0..1 is this run's share of the
job) and returns ``(coords, state)``; ``state`` holds what placing new points needs (PCA's
components and mean), in arrays only.

UMAP reports its two long stages: the neighbour graph (chunks of rows) and the layout epochs.
umap-learn 0.5.12 draws a tqdm bar over its epoch loop (``umap/layouts.py``, ``for n in
tqdm(range(n_epochs), **tqdm_kwds)``, a Python loop around numba-compiled epochs); we hand it a
small file object, :class:`EpochRelay`, that reads ``n/total`` from each bar refresh, forwards the
fraction, and raises :class:`~workbench.core.errors.CancelledError` from inside the loop when
``should_stop()`` is true, which aborts the fit cleanly between two epochs. What the relay cannot
reach: umap's fuzzy graph and spectral initialisation before the first epoch, and numba compiling
UMAP's code on first use in a kernel (up to ~2 minutes); Cancel takes effect when they end.
t-SNE runs through openTSNE when it is installed (2-D maps of 100 points or more): it reports every 10
iterations and Cancel stops it there; scikit-learn's t-SNE (the fallback) has no callback, so it and
PCA report stage fractions and check Cancel between stages.
"""

from __future__ import annotations

import re
import threading
import warnings
from contextlib import contextmanager

import numpy as np

from .errors import CancelledError
from .progress import Progress

__all__ = ["run_map", "EpochRelay", "PRE_PCA_DIMS", "keep_umap_compilation", "UMAP_UNCACHED"]

PRE_PCA_DIMS = 50  # UMAP and t-SNE first reduce to this many dimensions: much faster neighbour search
EPOCHS = re.compile(r"(\d+)/(\d+)")


def run_map(method: str, embeddings, dim: int, random_state: int, params: dict,
            progress: Progress) -> tuple[np.ndarray, dict]:
    """``(coords, state)`` of ``method`` on ``embeddings.unit_vectors``."""
    run = {"pca": _pca, "tsne": _tsne, "umap": _umap}[method]
    return run(embeddings, dim, random_state, params, progress)


def _pca(embeddings, dim, random_state, params, progress):
    from sklearn.decomposition import PCA

    x = embeddings.unit_vectors
    k = min(dim, *x.shape)
    pca = PCA(k, random_state=random_state).fit(x)
    coords = pca.transform(x)
    progress(1.0, "PCA: done")
    state = {"components": pca.components_.astype(np.float32), "mean": pca.mean_.astype(np.float32)}
    return np.pad(coords, ((0, 0), (0, dim - k))), state  # a set with fewer dims than the map


def _reduced(x: np.ndarray, dims: int, random_state: int) -> np.ndarray:
    if x.shape[1] <= dims:
        return x
    from sklearn.decomposition import PCA

    return PCA(dims, random_state=random_state).fit_transform(x).astype(np.float32)


def _tsne(embeddings, dim, random_state, params, progress):
    progress(0.0, f"t-SNE: reducing to {PRE_PCA_DIMS} dimensions")
    reduced = _reduced(embeddings.unit_vectors, PRE_PCA_DIMS, random_state)
    progress.check("the t-SNE map")
    try:
        import openTSNE
    except ImportError:  # scikit-learn's t-SNE: no progress inside it
        openTSNE = None
    if openTSNE is None or dim > 2 or len(reduced) < 100:  # openTSNE's fast gradients are for 2-D maps
        return _sklearn_tsne(reduced, dim, random_state, params, progress), {}
    return _open_tsne(openTSNE, reduced, dim, random_state, params, progress), {}


def _sklearn_tsne(reduced, dim, random_state, params, progress):
    from sklearn.manifold import TSNE

    progress(0.1, "t-SNE: layout (scikit-learn reports no progress inside it)")
    coords = TSNE(dim, random_state=random_state, init="pca", **params).fit_transform(reduced)
    progress.check("the t-SNE map")
    progress(1.0, "t-SNE: done")
    return coords


TSNE_EARLY_ITERS = 250  # early exaggeration, as in scikit-learn


def _open_tsne(openTSNE, reduced, dim, random_state, params, progress):
    """openTSNE (FFT gradients, Annoy neighbours): 1.4x faster than scikit-learn on 10k points, with progress.

    scikit-learn's ``max_iter`` counts the early-exaggeration iterations too; openTSNE's ``n_iter``
    does not, so ``max_iter`` becomes ``n_iter = max_iter - 250``. ``learning_rate`` keeps
    openTSNE's ``"auto"`` unless given.
    """
    total = params.get("max_iter", TSNE_EARLY_ITERS + 500)
    n_iter = max(1, int(total) - TSNE_EARLY_ITERS)
    layout = progress.stage(0.1, 1.0)
    done = [0]

    def epoch(iteration, error, embedding):
        done[0] += 10
        progress.check("the t-SNE map")
        layout(min(1.0, done[0] / (TSNE_EARLY_ITERS + n_iter)), f"t-SNE: iteration {done[0]} of "
                                                                 f"{TSNE_EARLY_ITERS + n_iter}")
        return False

    progress(0.05, "t-SNE: neighbours and affinities")
    tsne = openTSNE.TSNE(dim, perplexity=params.get("perplexity", 30.0),
                         learning_rate=params.get("learning_rate", "auto"), early_exaggeration_iter=TSNE_EARLY_ITERS,
                         n_iter=n_iter, initialization="pca", random_state=random_state, n_jobs=1,
                         callbacks=epoch, callbacks_every_iters=10, verbose=False)
    coords = np.asarray(tsne.fit(reduced), dtype=np.float32)
    progress.check("the t-SNE map")
    progress(1.0, "t-SNE: done")
    return coords


def _umap(embeddings, dim, random_state, params, progress):
    x = embeddings.unit_vectors
    n, k = len(x), params["n_neighbors"]
    ids, scores = embeddings.similar_to_rows(np.arange(n), k=k - 1, progress=progress.stage(0.0, 0.3))
    progress.check("the UMAP map")
    # UMAP's convention: each point is its own first neighbour, at distance 0.
    knn_ids = np.hstack([np.arange(n)[:, None], ids]).astype(np.int32)
    knn_dists = np.hstack([np.zeros((n, 1)), np.clip(1.0 - scores, 0, None)]).astype(np.float32)
    progress(0.3, "UMAP: fuzzy graph and initial layout (the first map in a new kernel also compiles UMAP's code: "
                  "up to ~2 minutes)")
    reduced = _reduced(x, PRE_PCA_DIMS, random_state)
    import umap

    keep_umap_compilation()
    relay = EpochRelay(progress.stage(0.35, 1.0), "UMAP: layout")
    model = umap.UMAP(n_components=dim, metric="cosine", random_state=random_state,
                      precomputed_knn=(knn_ids, knn_dists), **params,
                      tqdm_kwds={"disable": False, "bar_format": "{n}/{total}", "file": relay, "mininterval": 0.2})
    with warnings.catch_warnings(), _console_tqdm():
        warnings.filterwarnings("ignore", message=".*precomputed_knn.*")
        warnings.filterwarnings("ignore", message=".*n_jobs value.*")
        warnings.filterwarnings("ignore", message=".*not an NNDescent object.*")
        coords = model.fit_transform(reduced)
    progress.check("the UMAP map")  # a Cancel pressed after the last bar refresh
    return coords, {}


#: umap-learn functions our UMAP path runs that umap-learn 0.5.12 compiles without ``cache=True``
#: (``umap/umap_.py``, ``umap/layouts.py``, ``umap/utils.py``): ~65 s of numba compilation on the
#: first map of every new kernel on a busy 2-core machine, 3.5 s once they are kept.
UMAP_UNCACHED = (("umap.umap_", "smooth_knn_dist"), ("umap.umap_", "compute_membership_strengths"),
                 ("umap.layouts", "_nb_optimize_layout_euclidean_single_epoch"), ("umap.layouts", "clip"),
                 ("umap.utils", "tau_rand_int"), ("umap.utils", "tau_rand"))
_kept = []


def keep_umap_compilation() -> list[str]:
    """Let numba keep umap-learn's compiled layout code on disk, so a new kernel loads it instead.

    Calls numba's own ``Dispatcher.enable_caching()`` (what ``@njit(cache=True)`` does) on the
    functions in :data:`UMAP_UNCACHED` that are not cached yet; the machine code is the same, so
    the maps are the same (a test compares them with a process that never calls this). Only the
    serial epoch function is touched: its parallel twin shares its Python source, and two cached
    twins could read each other's entries. Runs once per process; returns the names it enabled.
    ``make setup`` fills the cache (``python -m workbench.warmup``).
    """
    if _kept:
        return _kept[0]
    import importlib

    enabled = []
    for module, name in UMAP_UNCACHED:
        dispatcher = getattr(importlib.import_module(module), name, None)
        # numba's NullCache: compiled without cache=True (checked by name: core does not import numba)
        if type(getattr(dispatcher, "_cache", None)).__name__ == "NullCache" and hasattr(dispatcher, "enable_caching"):
            dispatcher.enable_caching()
            enabled.append(f"{module}.{name}")
    _kept.append(enabled)
    return enabled


class EpochRelay:
    """A file for tqdm: each refresh ``"n/total"`` becomes ``progress(n / total)``; Cancel raises there.

    Only the thread that created the relay raises (tqdm's monitor thread may refresh a bar too),
    and only once: tqdm writes again while closing the bar after the error.

    Examples
    --------
    >>> seen = []
    >>> relay = EpochRelay(Progress(lambda f, m: seen.append((f, m))), "layout")
    >>> relay.write("\\r50/200")
    7
    >>> seen
    [(0.25, 'layout: epoch 50 of 200')]
    """

    def __init__(self, progress: Progress, message: str):
        self.progress, self.message = progress, message
        self._thread = threading.get_ident()
        self._raised = False

    def write(self, text: str) -> int:
        if self._raised or threading.get_ident() != self._thread:
            return len(text)
        found = EPOCHS.findall(text)
        if found:
            done, total = (int(v) for v in found[-1])
            if total:
                self.progress(done / total, f"{self.message}: epoch {done} of {total}")
        if self.progress.stopped:
            self._raised = True
            raise CancelledError("Cancelled the UMAP map during its layout; the previous result is kept.")
        return len(text)

    def flush(self) -> None:
        pass


class _TqdmSwap:
    """Counts the UMAP runs that need the console bar, so concurrent runs restore umap's bar once."""

    lock = threading.Lock()
    users = 0
    saved = None


@contextmanager
def _console_tqdm():
    """Make umap's epoch loop use the console tqdm for the duration, restoring its own afterwards.

    umap.layouts imports ``tqdm.auto``, which in a Jupyter kernel is the widget bar: that one never
    writes to ``file`` (so the relay would hear nothing) and would draw a stray bar in whatever cell
    is current. The console bar writes only to our relay.
    """
    import umap.layouts as layouts
    from tqdm.std import tqdm

    with _TqdmSwap.lock:
        if _TqdmSwap.users == 0:
            _TqdmSwap.saved, layouts.tqdm = layouts.tqdm, tqdm
        _TqdmSwap.users += 1
    try:
        yield
    finally:
        with _TqdmSwap.lock:
            _TqdmSwap.users -= 1
            if _TqdmSwap.users == 0:
                layouts.tqdm, _TqdmSwap.saved = _TqdmSwap.saved, None
