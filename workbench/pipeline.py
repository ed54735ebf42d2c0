"""``embed``: dataset + model -> cached :class:`~workbench.core.Embeddings`."""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
import pandas as pd

from .core.cache import cached, content_hash
from .core.embeddings import Embeddings
from .core.errors import DimensionMismatchError, EmptyInputError, InvalidParameterError, SizeLimitError
from .core.items import items_digest
from .core.progress import Progress
from .loaders.base import as_dataset
from .models.base import MODELS, Embedder, get_model

__all__ = ["embed", "MAX_ITEMS"]

MAX_ITEMS = 1_000_000  # above this, embed asks for an explicit ``max_items``


def embed(data, model: str | Embedder = "glove-6b-50d", *, limit: int | None = None, cache: bool = True,
          progress: bool | Callable[[float, str], None] = True, should_stop: Callable[[], bool] | None = None,
          max_items: int = MAX_ITEMS) -> Embeddings:
    """Embed a dataset with a registered model; the result is cached on disk.

    Parameters
    ----------
    data : str, Dataset, DataFrame or list
        A registered dataset name (see ``wb.datasets()``), a :class:`Dataset`, a DataFrame with an
        ``item`` (or ``text``) column, or a list of raw items.
    model : str or Embedder, default="glove-6b-50d"
        A registered model name (see ``wb.catalog()``) or an embedder instance (a fitted model too).
    limit : int, optional
        Keep the first ``limit`` items.
    cache : bool, default=True
        Reuse vectors computed before for the same items and the same model: the key holds the
        model's :meth:`~workbench.models.base.Embedder.fingerprint` (configuration and weights), so a
        retrained model never gets the old vectors back.
    progress : bool or callable
        Show a tqdm progress bar, or call ``progress(fraction_done, message)`` after each batch.
    should_stop : callable, optional
        Checked between batches; once it returns True, embedding stops with ``CancelledError``.

    Examples
    --------
    >>> emb = embed("analogy-words", "glove-6b-50d", progress=False)
    >>> emb.neighbours("paris", k=3)["label"].tolist()
    ['france', 'brussels', 'french']
    """
    embedder = get_model(model) if isinstance(model, str) else model
    if not isinstance(embedder, Embedder):
        raise InvalidParameterError("model", "a model name (see wb.catalog()) or an Embedder", type(model).__name__,
                                    owner="embed")
    if type(data) in (list, tuple):
        # A plain list: no table is built; its metadata (the ``item`` column) is made on first use.
        items = list(data[:limit] if limit else data)
        if not items:
            raise EmptyInputError("Dataset 'items' has no rows.")
        labels = items if set(map(type, items)) <= {str} else [str(x) for x in items]
        name, modality = "items", embedder.modality
        meta = functools.partial(_items_frame, items)
    else:
        dataset = as_dataset(data, limit, modality=embedder.modality)
        if dataset.name not in ("items", "dataframe") and dataset.modality not in embedder.modalities:
            valid = MODELS.names(dataset.modality)
            raise InvalidParameterError("model", f"a {dataset.modality} model for {dataset.name!r} (one of {valid})",
                                        embedder.name, owner="embed")
        labels, items = dataset.labels, dataset.items  # each is a pass over the frame: read them once
        name, modality, meta = dataset.name, dataset.modality, dataset.meta
    if len(items) > max_items:
        raise SizeLimitError(f"{len(items):,} items is above max_items={max_items:,}. Pass limit=... to embed "
                             "fewer, or a larger max_items if this machine can take it.")
    fingerprint = embedder.fingerprint()
    provenance = {"model": embedder.name, "dataset": name, "modality": modality,
                  "params": embedder.params(), "fingerprint": fingerprint}
    reporter = Progress(progress, should_stop, description=f"embedding with {embedder.name}")

    def compute() -> np.ndarray:
        return _encode_in_chunks(embedder, items, reporter)

    try:
        if cache and getattr(embedder, "cache_vectors", True):
            # Only the vectors are stored: the key pins labels and items, and the dataset gives the metadata.
            key = content_hash("embed", fingerprint, labels, items_digest(items))
            vectors = cached("embeddings", key, compute, _save_vectors, _load_vectors,
                             validate=lambda v: v.ndim == 2 and v.shape[0] == len(items))[0]
        else:
            vectors = compute()
    finally:
        reporter.close()
    # The vectors are this call's own (computed or read now): kept as they are, not copied. The labels
    # are text on both paths (a Dataset's labels are str).
    return Embeddings._adopt(vectors, labels, text_labels=True, meta=meta, provenance=provenance, embedder=embedder)


def _items_frame(items: list) -> pd.DataFrame:
    """The metadata of a plain list, as :meth:`Dataset.meta` gives it: one ``item`` column."""
    return pd.DataFrame({"item": items})


def _save_vectors(vectors: np.ndarray, folder) -> None:
    np.save(folder / "vectors.npy", np.asarray(vectors, np.float32), allow_pickle=False)


def _load_vectors(folder) -> np.ndarray:
    return np.load(folder / "vectors.npy", allow_pickle=False)


def _encode_in_chunks(embedder: Embedder, items: list, progress: Progress) -> np.ndarray:
    """All vectors, reporting progress and honouring Cancel between chunks.

    An embedder with ``encode_all(items, progress)`` gets the whole list at once (a sentence model
    sorts it by length once, so its batches need less padding) and reports and checks itself.
    """
    whole = getattr(embedder, "encode_all", None)
    if callable(whole) and items:
        progress.check(f"embedding with {embedder.name}")
        out = np.asarray(whole(items, progress), dtype=np.float32)
        if out.ndim != 2 or out.shape[0] != len(items):
            raise DimensionMismatchError(f"{embedder.name or type(embedder).__name__} returned shape {out.shape} "
                                         f"for {len(items)} items; an embedder must return (n, dim).")
        return out
    size = max(1, int(getattr(embedder, "chunk_size", embedder.batch_size)))
    parts = []
    for start in range(0, len(items), size):
        progress.check(f"embedding with {embedder.name}")
        parts.append(embedder.encode(items[start:start + size]))
        done = min(len(items), start + size)
        progress(done / len(items), f"{done:,} of {len(items):,} items")
    return np.vstack(parts)
