"""``embed``: dataset + model -> cached :class:`~workbench.core.Embeddings`."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from .core.cache import cached, content_hash
from .core.embeddings import Embeddings
from .core.errors import InvalidParameterError, SizeLimitError
from .loaders.base import Dataset, load_dataset
from .models.base import MODELS, Embedder, get_model

__all__ = ["embed", "MAX_ITEMS"]

MAX_ITEMS = 1_000_000  # above this, embed asks for an explicit ``max_items``


def _as_dataset(data, limit: int | None) -> Dataset:
    if isinstance(data, Dataset):
        return data if limit is None else Dataset(data.name, data.modality, data.frame.head(limit), data.description)
    if isinstance(data, str):
        return load_dataset(data, limit=limit)
    if isinstance(data, pd.DataFrame):
        column = "item" if "item" in data else "text" if "text" in data else data.columns[0]
        frame = data.head(limit) if limit else data
        labels = frame["label"] if "label" in frame else frame[column]
        return Dataset("dataframe", "text", frame.assign(label=labels.astype(str), item=frame[column]))
    items = list(data)[:limit] if limit else list(data)
    return Dataset.from_items(items)


def embed(data, model: str | Embedder = "glove-6b-50d", *, limit: int | None = None, cache: bool = True,
          progress: bool | Callable[[float], None] = True, max_items: int = MAX_ITEMS) -> Embeddings:
    """Embed a dataset with a registered model; the result is cached on disk.

    Parameters
    ----------
    data : str, Dataset, DataFrame or list
        A registered dataset name (see ``wb.datasets()``), a :class:`Dataset`, a DataFrame with an
        ``item`` (or ``text``) column, or a list of raw items.
    model : str or Embedder, default="glove-6b-50d"
        A registered model name (see ``wb.catalog()``) or an embedder instance.
    limit : int, optional
        Keep the first ``limit`` items.
    cache : bool, default=True
        Reuse vectors computed before for the same items, model and parameters.
    progress : bool or callable
        Show a tqdm progress bar, or call ``progress(fraction_done)`` after each batch.

    Examples
    --------
    >>> emb = embed("analogy-words", "glove-6b-50d", progress=False)
    >>> emb.neighbours("paris", k=3)["label"].tolist()
    ['france', 'brussels', 'french']
    """
    dataset = _as_dataset(data, limit)
    embedder = get_model(model) if isinstance(model, str) else model
    if embedder.modality != dataset.modality and dataset.name not in ("items", "dataframe"):
        valid = MODELS.names(dataset.modality)
        raise InvalidParameterError("model", f"a {dataset.modality} model for {dataset.name!r} (one of {valid})",
                                    embedder.name, owner="embed")
    if len(dataset) > max_items:
        raise SizeLimitError(f"{len(dataset):,} items is above max_items={max_items:,}. Pass limit=... to embed "
                             "fewer, or a larger max_items if this machine can take it.")
    key = content_hash("embed", embedder.name, embedder.params(), dataset.labels,
                       [str(i) for i in dataset.items])
    provenance = {"model": embedder.name, "dataset": dataset.name, "params": embedder.params()}

    def compute() -> np.ndarray:
        return _encode_in_batches(embedder, dataset.items, progress)

    # Only the vectors are stored: the key already pins labels and items, and the dataset gives the metadata.
    if cache:
        vectors, _ = cached("embeddings", key, compute, _save_vectors, _load_vectors)
    else:
        vectors = compute()
    return Embeddings(vectors, dataset.labels, meta=dataset.meta, provenance=provenance, embedder=embedder)


def _save_vectors(vectors: np.ndarray, folder) -> None:
    np.save(folder / "vectors.npy", np.asarray(vectors, np.float32), allow_pickle=False)


def _load_vectors(folder) -> np.ndarray:
    return np.load(folder / "vectors.npy", allow_pickle=False)


def _encode_in_batches(embedder: Embedder, items: list, progress) -> np.ndarray:
    size = max(1, embedder.batch_size)
    starts = range(0, len(items), size)
    bar = None
    if progress is True:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(items), desc=f"embedding with {embedder.name}", unit="item", leave=False)
    parts = []
    for start in starts:
        parts.append(embedder.encode(items[start:start + size]))
        if bar is not None:
            bar.update(len(parts[-1]))
        elif callable(progress):
            progress(min(1.0, (start + size) / len(items)))
    if bar is not None:
        bar.close()
    return np.vstack(parts)
